from __future__ import annotations

import pytest

from station.election import Election
from tests.rules.ballots import Ballots

# `demo` (the demo election, session-wide) comes from tests/conftest.py.


@pytest.fixture
def xuanju(demo: Election) -> Ballots:
    return Ballots(demo, "xuanju")
