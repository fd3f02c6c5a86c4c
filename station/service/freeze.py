"""A closed stage's result is frozen: written once to the workspace with its reports, and
from then on read back from there, whatever arrives later. Re-opening keeps the old files
(renamed with the time) and computes live again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from station.reports.files import write_reports
from station.rules.tally import StageResult
from station.store.store import Store


def _dir(store: Store, stage_id: str) -> Path:
    return store.root / "results" / stage_id


def freeze_stage(store: Store, stage_id: str, result: StageResult) -> dict[str, Path]:
    written = write_reports(result, _dir(store, stage_id))
    store.set_meta(f"frozen:{stage_id}", written.json.name)
    return frozen_files(store, stage_id)


def unfreeze_stage(store: Store, stage_id: str) -> None:
    d = _dir(store, stage_id)
    if d.exists():
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        d.rename(d.with_name(f"{stage_id}-superseded-{stamp}"))
    store.set_meta(f"frozen:{stage_id}", "")


def frozen_result(store: Store, stage_id: str) -> StageResult | None:
    name = store.meta(f"frozen:{stage_id}")
    if not name:
        return None
    return StageResult.model_validate_json((_dir(store, stage_id) / name).read_text(encoding="utf-8"))


def frozen_files(store: Store, stage_id: str) -> dict[str, Path]:
    if not store.meta(f"frozen:{stage_id}"):
        return {}
    return {p.name: p for p in sorted(_dir(store, stage_id).glob("*")) if p.is_file()}
