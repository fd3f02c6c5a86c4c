"""Same seed → same bytes; the seed's streams are independent of each other."""

from __future__ import annotations

import pytest

from sample_ballots.synth import Templates, generate_ballot
from sample_ballots.synth.templates import demo_templates


@pytest.mark.parametrize("profile", ["scanner", "camera"])
def test_same_seed_gives_the_same_bytes(profile: str) -> None:
    a = generate_ballot(profile, 21)
    # a fresh template cache: nothing carried over from earlier calls may change the result
    b = generate_ballot(profile, 21, templates=Templates(demo_templates().election))
    assert a.image.tobytes() == b.image.tobytes()
    assert a.encoded == b.encoded
    assert a.truth.model_dump_json() == b.truth.model_dump_json()
    assert (a.homography == b.homography).all()


def test_different_seeds_give_different_ballots() -> None:
    a = generate_ballot("scanner", 5, stage="xuanju", dpi=150)
    b = generate_ballot("scanner", 6, stage="xuanju", dpi=150)
    assert a.truth.boxes != b.truth.boxes or a.image.shape != b.image.shape or (a.image != b.image).any()


def test_the_same_voter_whatever_the_imaging() -> None:
    """The marks come from their own stream: scanned or photographed, a seed draws the same ballot."""
    scan = generate_ballot("scanner", 8, dpi=150)
    photo = generate_ballot("camera", 8)
    assert (scan.truth.stage_id, scan.truth.style_id) == (photo.truth.stage_id, photo.truth.style_id)
    assert scan.truth.boxes == photo.truth.boxes
    assert scan.truth.write_ins == photo.truth.write_ins
    assert scan.truth.pen == photo.truth.pen
