"""Refusals of the rules: bad input a person must fix, never a traceback."""

from __future__ import annotations

from station.errors import StationError


class ReadingRefused(StationError):
    """Readings that do not belong to this election, stage or printed layout."""


class DecisionRefused(StationError):
    """A scrutineer decision that points at no ballot or box of this stage."""


class InconsistentCounts(StationError):
    """Attendance or ballot numbers that cannot all be true (e.g. more present than should attend)."""


def listed(items: list[str], limit: int = 8) -> str:
    """At most `limit` items, then how many more: error messages stay readable."""
    shown = ", ".join(items[:limit])
    return shown + (f" … (+{len(items) - limit})" if len(items) > limit else "")
