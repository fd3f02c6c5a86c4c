from __future__ import annotations

import pytest

from station.definition_io import load_election
from station.election import Election
from tests.rules.ballots import Ballots

DEMO = "sample_ballots/elections/demo-village.yaml"


@pytest.fixture(scope="session")
def demo() -> Election:
    return load_election(DEMO)


@pytest.fixture
def xuanju(demo: Election) -> Ballots:
    return Ballots(demo, "xuanju")
