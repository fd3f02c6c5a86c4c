"""The stage's lifecycle: start with attendance, pause, close (freeze), re-open."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from station.errors import StationError
from station.service.deps import Scrutineer, Staff, StaffOrScrutineer, StationDep
from station.service.freeze import freeze_stage, frozen_files, unfreeze_stage

router = APIRouter(prefix="/api/stages", tags=["stages"])


class StartBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    present: int = Field(ge=0, description="到会（有表决权）人数 / present (with voting rights)")
    issued: int = Field(ge=0, description="发出选票数 / ballots issued")
    reason: str = Field("", max_length=500)


class ReasonBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500, description="原因 / why")


def _stage(station, stage_id: str):
    try:
        return station.election.stage(stage_id)
    except StationError as err:
        raise HTTPException(404, {"zh": err.zh, "en": err.en}) from None


def _status(station, stage_id: str) -> str:
    return station.count.stage_status(stage_id).status


def _refuse_if_closed(station, stage_id: str) -> None:
    if _status(station, stage_id) == "closed":
        raise HTTPException(
            409,
            {
                "zh": "本轮已结束计票，需监票人说明原因后重新开启",
                "en": "the stage is closed; a scrutineer must re-open it with a reason",
            },
        )


@router.post("/{stage_id}/start", summary="开始本轮计票并录入到会人数、发票数 / start the count")
def start(stage_id: str, body: StartBody, station: StationDep, actor: Staff) -> dict[str, Any]:
    _stage(station, stage_id)
    _refuse_if_closed(station, stage_id)
    first_start = _status(station, stage_id) == "not_started"
    station.store.set_meta("current_stage", stage_id)
    if first_start and station.box:
        station.box.new_vote(station.election.stage(stage_id).title)
    station.store.add_stage_setting(stage_id, body.issued, body.present, "open", actor.name, body.reason or "start")
    station.log(
        actor, "stage_started", {"stage": stage_id, "present": body.present, "issued": body.issued}, body.reason
    )
    station.request_recount()
    return {"stage": stage_id, "status": "open"}


def _set_status(station, actor, stage_id: str, status: str, action: str, reason: str) -> dict[str, Any]:
    s = station.count.stage_status(stage_id)
    station.store.add_stage_setting(stage_id, s.issued, s.present, status, actor.name, reason)
    station.log(actor, action, {"stage": stage_id}, reason)
    station.request_recount()
    return {"stage": stage_id, "status": status}


@router.post("/{stage_id}/pause", summary="暂停 / pause")
def pause(stage_id: str, body: ReasonBody, station: StationDep, actor: Staff) -> dict[str, Any]:
    _stage(station, stage_id)
    _refuse_if_closed(station, stage_id)
    return _set_status(station, actor, stage_id, "paused", "stage_paused", body.reason)


@router.post("/{stage_id}/resume", summary="继续 / resume")
def resume(stage_id: str, body: ReasonBody, station: StationDep, actor: Staff) -> dict[str, Any]:
    _stage(station, stage_id)
    _refuse_if_closed(station, stage_id)
    return _set_status(station, actor, stage_id, "open", "stage_resumed", body.reason)


@router.post("/{stage_id}/close", summary="结束计票并冻结结果 / close the stage and freeze its result")
def close(stage_id: str, body: ReasonBody, station: StationDep, actor: StaffOrScrutineer) -> dict[str, Any]:
    _stage(station, stage_id)
    _refuse_if_closed(station, stage_id)
    if station.pipeline.depth:
        raise HTTPException(
            409,
            {
                "zh": f"还有 {station.pipeline.depth} 张选票正在识别，请稍候",
                "en": f"{station.pipeline.depth} ballots are still being read; wait",
            },
        )
    state = station.count.state(stage_id)
    if state.result is None:
        zh, en = state.problem or ("无结果", "no result")
        raise HTTPException(409, {"zh": zh, "en": en})
    files = freeze_stage(station.store, stage_id, state.result)
    out = _set_status(station, actor, stage_id, "closed", "stage_closed", body.reason)
    station.log(
        actor,
        "result_frozen",
        {"stage": stage_id, "evidence_sha256": state.result.evidence_sha256, "files": sorted(files)},
        body.reason,
    )
    return out


@router.post("/{stage_id}/reopen", summary="重新开启（监票人）/ re-open (scrutineer)")
def reopen(stage_id: str, body: ReasonBody, station: StationDep, actor: Scrutineer) -> dict[str, Any]:
    _stage(station, stage_id)
    if _status(station, stage_id) != "closed":
        raise HTTPException(409, {"zh": "本轮未结束，无需重新开启", "en": "the stage is not closed"})
    unfreeze_stage(station.store, stage_id)
    return _set_status(station, actor, stage_id, "open", "stage_reopened", body.reason)


@router.get("/{stage_id}/result", summary="本轮结果 / the stage's result")
def result(stage_id: str, station: StationDep) -> dict[str, Any]:
    _stage(station, stage_id)
    state = station.count.state(stage_id)
    if state.result is None:
        zh, en = state.problem or ("无结果", "no result")
        raise HTTPException(409, {"zh": zh, "en": en})
    return state.result.model_dump(mode="json")


@router.get("/{stage_id}/files", summary="结束后的报告文件列表 / report files of a closed stage")
def report_files(stage_id: str, station: StationDep) -> list[str]:
    _stage(station, stage_id)
    return list(frozen_files(station.store, stage_id))


@router.get("/{stage_id}/files/{name}", summary="结束后的报告文件 / report files of a closed stage")
def report_file(stage_id: str, name: str, station: StationDep) -> FileResponse:
    _stage(station, stage_id)
    files = frozen_files(station.store, stage_id)
    if name not in files:
        raise HTTPException(
            404,
            {
                "zh": "没有该文件（本轮结束后才生成报告）",
                "en": "no such file (reports are made when the stage is closed)",
            },
        )
    return FileResponse(files[name], filename=name)


@router.post("/{stage_id}/scan", summary="扫描一批（进纸器中的全部选票）/ scan a batch from the feeder")
def scan_batch(stage_id: str, station: StationDep, actor: Staff) -> dict[str, Any]:
    _stage(station, stage_id)
    _refuse_if_closed(station, stage_id)
    if not station.scanner.configured:
        raise HTTPException(
            404, {"zh": "未配置扫描仪（serve --scanner）", "en": "no scanner configured (serve --scanner)"}
        )
    if not station.scanner.start_batch():
        raise HTTPException(409, {"zh": "扫描仪正在扫描上一批", "en": "the scanner is still scanning a batch"})
    station.log(actor, "scan_batch_started", {"stage": stage_id})
    return {"scanning": True}
