"""Errors of the ballot-box link that reach users: Chinese first, then English."""

from __future__ import annotations

from station.errors import StationError


class BoxError(StationError):
    """Something about the ballot box a person can act on."""


class BoxUnavailable(BoxError):
    """The box is not answering (unplugged, powered off, or the link is down)."""


class BoxRefused(BoxError):
    """The box answered NAK: the command itself is wrong (bad value, unknown to this firmware)."""

    def __init__(self, zh: str, en: str, reason: int) -> None:
        super().__init__(zh, en)
        self.reason = reason


class BoxIncompatible(BoxError):
    """The box speaks another protocol version."""


def unavailable(where: str, why_zh: str, why_en: str | None = None) -> BoxUnavailable:
    """`why_en` defaults to `why_zh` for technical text that only exists in English (pyserial's)."""
    return BoxUnavailable(f"投票箱无响应（{where}）：{why_zh}",
                          f"the ballot box is not answering ({where}): {why_en or why_zh}")
