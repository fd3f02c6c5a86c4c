"""The station: one object that owns the parts of a running service and wires them.

sources ─► Pipeline (store, read) ─► LiveCount (rules) ─► Hub (live events) ─► pages
                               └────────────► ballot box (display follows the count)
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from calibration.profile import Profile, load_profile
from station.definition_io import load_election
from station.election import Election
from station.rules.decisions import BallotRef
from station.service.auth import Role, ensure_tokens
from station.service.box_link import BoxLink
from station.service.config import ServiceConfig
from station.service.count import LiveCount, LiveState
from station.service.events import Hub
from station.service.intake import ScannerControl, adopt_spooled_pages, start_camera, start_hot_folder
from station.service.pipeline import Pipeline, ReadDone, ReadFailed
from station.sources import SourceThread
from station.store.store import Store
from vision.reading import PageReading
from vision.shape_model import check_available
from vision.templates import ElectionTemplates, build_templates

COUNT_EVERY_S = 0.2  # at most five recounts a second, however fast ballots arrive


@dataclass(frozen=True)
class Actor:
    role: Role
    name: str  # the person, as they entered it; the role when they did not


class Station:
    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        self.election: Election = load_election(config.election)
        self.store = Store.open(config.workspace)
        self.profile: Profile = load_profile(config.profile)
        check_available(self.profile.second_opinion)
        self.hub = Hub()
        self.count = LiveCount(self.store, self.election)
        self.pipeline = Pipeline(self.store, config.election, config.profile, config.readers)
        self.pipeline.add_listener(self._on_read)
        self._recount = threading.Event()
        self._stop = threading.Event()
        self._counter: threading.Thread | None = None
        self.box: BoxLink | None = BoxLink(self, config.box_url) if config.box_url else None
        self._sources: list[SourceThread] = []
        self.scanner = ScannerControl(self)
        self.new_tokens: dict[Role, str] | None = None

    @cached_property
    def templates(self) -> ElectionTemplates:
        """For pictures (annotated ballots, crops, re-reads) in this process; built on first use."""
        return build_templates(self.election)

    # lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        if self.store.meta("election_id") is None:
            self.store.set_meta("election_id", self.election.id)
        elif self.store.meta("election_id") != self.election.id:
            from station.errors import StationError

            raise StationError(
                f"工作目录属于另一次选举（{self.store.meta('election_id')}）；请换一个工作目录",
                f"the workspace belongs to another election ({self.store.meta('election_id')}); use another",
            )
        self.new_tokens = ensure_tokens(self.store)  # shown once by `serve`; stored hashed
        self.store.log("station", "system", "service_started", {"election": self.election.id})
        self._counter = threading.Thread(target=self._count_loop, name="live-count", daemon=True)
        self._counter.start()
        # Build the picture templates now, not when the first page asks for a ballot image.
        threading.Thread(target=lambda: self.templates, name="templates-warmup", daemon=True).start()
        self.pipeline.start()
        if self.box:
            self.box.start()
        adopt_spooled_pages(self)
        for src in (start_hot_folder(self), start_camera(self)):
            if src:
                self._sources.append(src)
        self._recount.set()

    def stop(self) -> None:
        self.scanner.stop()
        for src in self._sources:
            src.stop()
        self.pipeline.stop()
        self._stop.set()
        self._recount.set()
        if self._counter:
            self._counter.join(timeout=10)
        if self.box:
            self.box.close()
        self.store.close()

    # reading and counting --------------------------------------------------------------
    def _on_read(self, event: ReadDone | ReadFailed) -> None:
        if isinstance(event, ReadFailed):
            self.hub.publish("read_failed", {"sha256": event.sha256, "error": event.error})
        else:
            current = self.count.current_stage()
            for page, outcome, stage, js in event.pages:
                reading = PageReading.model_validate_json(js)
                if self.box and outcome != "blank_page":
                    self.box.ballot_read(outcome in ("interpreted", "needs_review") and stage == current)
                self.hub.publish(
                    "ballot_read",
                    {
                        "key": BallotRef.of(reading).key,
                        "sha256": event.sha256,
                        "page": page,
                        "outcome": outcome,
                        "stage": stage,
                    },
                )
        self._recount.set()

    def request_recount(self) -> None:
        self._recount.set()

    def _count_loop(self) -> None:
        while not self._stop.is_set():
            self._recount.wait()
            if self._stop.is_set():
                return
            self._recount.clear()
            try:
                state = self.count.state()
            except Exception as err:  # the count must never die silently; screens show it
                self.hub.publish("count_error", {"error": f"{type(err).__name__}: {err}"})
                continue
            if self.box and state.result is not None:
                self.box.follow(state.result.totals.returned)
            from station.service.views import state_summary

            summary = state_summary(self, state)
            summary["published_at"] = time.time()  # lets a screen (and the benchmark) see its delay
            self.hub.publish("count", summary)
            time.sleep(COUNT_EVERY_S)

    def state(self) -> LiveState:
        """Always computed afresh from the store: what every screen and report sees."""
        return self.count.state()

    # actions -----------------------------------------------------------------------------
    def log(self, actor: Actor, action: str, payload: dict, reason: str = "") -> None:
        entry = self.store.log(actor.name, actor.role.value, action, payload, reason)
        self.hub.publish(
            "log",
            {
                "seq": entry.seq,
                "action": action,
                "actor": actor.name,
                "role": actor.role.value,
                "reason": reason,
                "at": entry.at,
            },
        )


def default_workspace() -> Path:
    return Path("workspace")
