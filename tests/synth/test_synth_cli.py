"""`python -m sample_ballots.synth` writes images and truth that match the in-process API."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import cv2
import pytest

from sample_ballots.synth import generate_ballot, read_truth
from sample_ballots.synth.__main__ import main


def test_writes_a_corpus_that_matches_the_api(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "corpus"
    assert main(["--profile", "scanner", "--count", "4", "--seed", "70", "--out", str(out), "--dpi", "150"]) == 0
    truths = read_truth(out / "truth.jsonl")
    assert [t.seed for t in truths] == [70, 71, 72, 73]
    for t in truths:
        ballot = generate_ballot("scanner", t.seed, dpi=150)
        assert t.model_copy(update={"file": None}) == ballot.truth
        data = (out / t.file).read_bytes()  # type: ignore[operator]
        assert data == ballot.file_bytes()
        decoded = cv2.imread(str(out / t.file), cv2.IMREAD_UNCHANGED)  # type: ignore[operator]
        assert decoded.shape == ballot.image.shape and (decoded == ballot.image).all()
    assert "ms" in capsys.readouterr().out


def test_runs_as_a_module_and_times_without_writing(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "sample_ballots.synth", "--profile", "camera", "--count", "1"],
                       capture_output=True, text=True, cwd=tmp_path, timeout=120,
                       env={"PYTHONPATH": str(Path(__file__).resolve().parents[2]), "PATH": ""})
    assert r.returncode == 0, r.stderr
    assert "median" in r.stdout and not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("argv", "zh"),
    [
        (["--profile", "scanner", "--count", "0"], "张数"),
        (["--profile", "scanner", "--dpi", "50"], "分辨率"),
        (["--profile", "camera", "--dpi", "200"], "摄像头"),
        (["--profile", "scanner", "--stage", "nope"], "轮次"),
    ],
)
def test_user_errors_are_bilingual(argv: list[str], zh: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert zh in err and "Error:" in err


def test_an_unwritable_folder_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["--profile", "scanner", "--count", "1", "--out", str(blocker / "corpus")]) == 2
    assert "无法写入" in capsys.readouterr().err
