"""`ballot-station read` end to end, as a user runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import cv2

from vision.reading import PageReading


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "station.cli", *args], capture_output=True, text=True, timeout=300)


def test_read_a_folder_as_json_lines(tmp_path: Path, demo_path: Path, blank_render) -> None:
    folder = tmp_path / "scans"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), blank_render("xuanju", "main", 150))
    cv2.imwrite(str(folder / "b.jpg"), blank_render("xinren", "main", 200))
    (folder / "c.png").write_bytes(b"broken")
    (folder / "notes.txt").write_text("not an image, not read")
    r = _cli("read", "--election", str(demo_path), "--json", str(folder))
    assert r.returncode == 0, r.stderr
    readings = [PageReading.model_validate_json(line) for line in r.stdout.splitlines()]
    assert [x.result.outcome for x in readings] == ["interpreted", "interpreted", "unreadable"]
    assert readings[0].result.identity.stage_id == "xuanju"
    assert "3/3" in r.stderr  # the progress bar


def test_read_human_summary_and_stage_filter(tmp_path: Path, demo_path: Path, blank_render) -> None:
    f = tmp_path / "a.png"
    cv2.imwrite(str(f), blank_render("xuanju", "main", 150))
    r = _cli("read", "--election", str(demo_path), "--stage", "xinren", str(f))
    assert r.returncode == 0
    assert "非本次选票 / wrong_election" in r.stdout


def test_read_missing_file_is_a_clear_error(tmp_path: Path, demo_path: Path) -> None:
    r = _cli("read", "--election", str(demo_path), str(tmp_path / "nope.png"))
    assert r.returncode == 2 and "找不到图像文件" in r.stderr and "Traceback" not in r.stderr
