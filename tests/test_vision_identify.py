"""Identifying a photographed ballot whose QR code cannot be decoded (camera shake at
2–3 px per module): by matching the election's own QR codes, blurred as the image is
blurred. A ballot of another election, stage or version must still be refused."""

from __future__ import annotations

import pytest

from calibration.profile import load_profile
from sample_ballots.synth import Templates, generate_ballot
from station.definition_io import parse_election
from vision.locate import locate
from vision.reader import read_page, to_gray
from vision.reading import QualityFlag

SHAKEN = [2, 7, 10]  # camera seeds (< 1,000) whose QR the decoder cannot read


@pytest.fixture(scope="module")
def camera_profile():
    return load_profile("camera")


@pytest.mark.parametrize("seed", SHAKEN)
def test_a_shaken_photo_is_identified_by_its_qr_pattern(seed, templates, camera_profile) -> None:
    ballot = generate_ballot("camera", seed)
    assert ballot.truth.imaging.motion_px > 0
    assert locate(to_gray(ballot.image)).identity is None  # the decoder alone gives up
    out = read_page(ballot.image, templates, camera_profile)
    assert out.outcome in ("interpreted", "needs_review"), out
    assert QualityFlag.QR_MATCHED in out.quality
    assert (out.identity.stage_id, out.identity.style_id) == (ballot.truth.stage_id, ballot.truth.style_id)
    assert out.identity.layout_hash == ballot.truth.layout_hash


def test_the_expected_stage_still_applies(templates, camera_profile) -> None:
    ballot = generate_ballot("camera", SHAKEN[0])
    other = next(s.id for s in templates.election.stages if s.id != ballot.truth.stage_id)
    out = read_page(ballot.image, templates, camera_profile, expected_stage=other)
    assert out.outcome == "wrong_election"


def _elsewhere(demo, change) -> Templates:
    data = demo.model_dump(mode="json")
    change(data)
    return Templates(parse_election(data))


@pytest.mark.parametrize("seed", SHAKEN)
def test_a_shaken_photo_of_another_election_is_not_taken_for_ours(seed, demo, templates, camera_profile) -> None:
    """Same stages, names and layout; only the election differs, so only the QR code does."""
    other = _elsewhere(demo, lambda d: d.update(id="another-2026"))
    ballot = generate_ballot("camera", seed, templates=other)
    out = read_page(ballot.image, templates, camera_profile)
    assert out.outcome in ("unreadable", "wrong_election"), out


def test_a_shaken_photo_of_another_version_is_not_taken_for_ours(demo, templates, camera_profile) -> None:
    def add_candidate(d: dict) -> None:
        stage = next(s for s in d["stages"] if s["id"] == "xuanju")
        stage["contests"][1]["candidates"].append({"name": "马六"})

    other = _elsewhere(demo, add_candidate)
    for seed in SHAKEN:
        ballot = generate_ballot("camera", seed, templates=other, stage="xuanju")
        out = read_page(ballot.image, templates, camera_profile)
        assert out.outcome in ("unreadable", "wrong_election"), out
