"""When to take a camera frame: once per ballot, when it lies still and sharp. Pure state machine.

    WAITING ──ballot in view──► SETTLING ──still for settle_s, sharp──► CAPTURED
       ▲                          │  ▲                                   │
       └──gone for absent_s───────┘  └──a different ballot, still───────┘
       ▲                                                                 │
       └──────────────────────────gone for absent_s──────────────────────┘

Fed one `Observation` per frame (measures from vision.stillness, and the frame itself as
an opaque payload). Out of the still window it takes the sharpest frame, so a frame
smeared by the last bit of motion is never the one captured.

Once captured, the same ballot is not captured again: a hand or a shadow over a corner
for less than `absent_s`, or the sheet being nudged, changes nothing. A new capture needs
the view to be empty for `absent_s` (the ballot was taken away) or, while a ballot stays
in view, the page to differ from the captured one by `min_change` (another ballot laid
on top). Two identical blank ballots swapped without the view ever emptying cannot be
told apart here: staff take each ballot away; the ballot-box counter reconciles the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from station.sources.events import WatchState

P = TypeVar("P")


class WatchSettings(BaseModel):
    """Calibration of the watcher (defaults measured on 1280×720 frames; see docs/sources.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    settle_s: float = Field(0.4, gt=0, description="still this long before the capture")
    absent_s: float = Field(0.5, gt=0, description="out of view this long: the ballot was taken away")
    max_motion_px: float = Field(1.0, gt=0, description="corner motion per frame still counted as still (px)")
    max_frame_diff: float = Field(3.0, gt=0, description="page difference per frame still counted as still (0–255)")
    min_sharpness: float = Field(50.0, ge=0, description="a settled frame less sharp than this is refused")
    min_change: float = Field(4.5, gt=0, description="page difference from the captured one: another ballot")


@dataclass(frozen=True)
class Observation(Generic[P]):
    t: float  # seconds, monotonic (video time for a file)
    present: bool
    motion_px: float
    frame_diff: float
    sharpness: float
    change: float | None  # vs the last captured page; None before the first capture or when absent
    payload: P = field(repr=False)


@dataclass(frozen=True)
class TakeFrame(Generic[P]):
    observation: Observation[P]
    still_s: float


@dataclass(frozen=True)
class TooBlurred:
    sharpness: float


@dataclass(frozen=True)
class StateChanged:
    state: WatchState


Decision = TakeFrame[P] | TooBlurred | StateChanged


class BallotWatcher(Generic[P]):
    def __init__(self, settings: WatchSettings | None = None) -> None:
        self.settings = settings or WatchSettings()
        self.state = WatchState.WAITING
        self._still: list[Observation[P]] = []
        self._absent_since: float | None = None
        self._blur_reported = False

    def _go(self, state: WatchState, out: list[Decision[P]]) -> None:
        if state is not self.state:
            self.state = state
            out.append(StateChanged(state))

    def step(self, obs: Observation[P]) -> list[Decision[P]]:
        s = self.settings
        out: list[Decision[P]] = []
        if not obs.present:
            self._still.clear()
            if self._absent_since is None:
                self._absent_since = obs.t
            if obs.t - self._absent_since >= s.absent_s:
                self._go(WatchState.WAITING, out)
            return out
        self._absent_since = None
        if self.state is WatchState.WAITING:
            self._go(WatchState.SETTLING, out)
        if self.state is WatchState.CAPTURED:
            if obs.change is None or obs.change < s.min_change:
                return out  # the same ballot, or not yet clearly another
            self._go(WatchState.SETTLING, out)
        if obs.motion_px > s.max_motion_px or obs.frame_diff > s.max_frame_diff:
            self._still.clear()
            self._blur_reported = False
            return out
        self._still.append(obs)
        # Keep just enough frames to span settle_s.
        while len(self._still) > 2 and obs.t - self._still[1].t >= s.settle_s:
            self._still.pop(0)
        still_s = obs.t - self._still[0].t
        if still_s < s.settle_s:
            return out
        best = max(self._still, key=lambda o: o.sharpness)
        if best.sharpness < s.min_sharpness:
            if not self._blur_reported:
                self._blur_reported = True
                out.append(TooBlurred(best.sharpness))
            return out
        self._still.clear()
        self._blur_reported = False
        out.append(TakeFrame(best, still_s))
        self._go(WatchState.CAPTURED, out)
        return out
