"""The camera's capture decision, on measured sequences: once per ballot, still and sharp."""

from __future__ import annotations

from station.sources.ballot_watch import (
    BallotWatcher,
    Observation,
    StateChanged,
    TakeFrame,
    TooBlurred,
    WatchSettings,
)
from station.sources.events import WatchState

FPS = 15
INF = float("inf")


class Scene:
    """Feeds a watcher frame by frame and records what it decided. `page` names the sheet in
    view; its difference from the captured one is small for the same sheet, large for another."""

    def __init__(self, **settings) -> None:
        self.w: BallotWatcher[int] = BallotWatcher(WatchSettings(**settings))
        self.i = 0
        self.taken: list[int] = []
        self.taken_page: str | None = None
        self.blurred = 0

    def frames(self, n: int, present=True, motion=0.1, diff=0.1, sharp=1000.0, page="A", sharp_at=None):
        for k in range(n):
            s = sharp_at(k) if sharp_at else sharp
            change = None if self.taken_page is None else (1.5 if page == self.taken_page else 30.0)
            if not present:
                motion = diff = INF
            for d in self.w.step(Observation(self.i / FPS, present, motion, diff, s, change, self.i)):
                if isinstance(d, TakeFrame):
                    self.taken.append(d.observation.payload)
                    self.taken_page = page
                elif isinstance(d, TooBlurred):
                    self.blurred += 1
            self.i += 1
        return self

    def moving(self, n: int, page="A"):
        return self.frames(n, motion=25.0, diff=30.0, sharp=80.0, page=page)


def test_one_capture_per_ballot_after_it_settles():
    s = Scene().frames(10, present=False).moving(8)
    still_from = s.i
    s.frames(30)
    assert len(s.taken) == 1
    assert still_from <= s.taken[0] <= still_from + 0.4 * FPS  # a still frame, within settle_s
    assert s.w.state is WatchState.CAPTURED
    s.frames(5, present=False).frames(10, present=False)
    assert s.w.state is WatchState.WAITING
    s.moving(5).frames(20)
    assert len(s.taken) == 2


def test_never_while_moving_however_long():
    s = Scene().moving(200)
    assert s.taken == [] and s.w.state is WatchState.SETTLING


def test_the_sharpest_still_frame_is_taken():
    s = Scene().moving(3)
    first = s.i
    s.frames(10, sharp_at=lambda k: 2000.0 if k == 3 else 1000.0)
    assert s.taken == [first + 3]


def test_a_hand_over_a_corner_or_a_nudge_does_not_take_it_again():
    s = Scene().moving(3).frames(15)
    assert len(s.taken) == 1
    s.frames(4, present=False)  # 0.27 s: a hand, not a removal
    s.moving(2).frames(20)  # nudged: the page itself is the same
    assert len(s.taken) == 1


def test_another_ballot_laid_on_top_is_taken():
    s = Scene().moving(3).frames(15)
    s.moving(3, page="B").frames(30, page="B")  # markers in view all along: never "gone"
    assert len(s.taken) == 2


def test_out_of_focus_is_reported_once_and_not_captured():
    s = Scene(min_sharpness=500.0).moving(3).frames(40, sharp=120.0)
    assert s.taken == [] and s.blurred == 1
    s.frames(10, sharp=900.0)  # focus fixed
    assert len(s.taken) == 1


def test_state_changes_are_reported():
    w: BallotWatcher[int] = BallotWatcher()
    seen = []
    for i in range(20):
        for d in w.step(Observation(i / FPS, True, 0.0 if i else INF, 0.0 if i else INF, 900.0, None, i)):
            if isinstance(d, StateChanged):
                seen.append(d.state)
    assert seen == [WatchState.SETTLING, WatchState.CAPTURED]
