"""Reading the state: the count, the election, the log, and the live event stream."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from station.ballot_layout import build_sheets
from station.service.deps import ActorDep, StationDep
from station.service.views import state_summary

router = APIRouter(prefix="/api", tags=["state"])
KEEPALIVE_S = 15.0


@router.get("/state", summary="当前计票状态 / the live count")
def get_state(station: StationDep) -> dict[str, Any]:
    return state_summary(station, station.state())


@router.get("/election", summary="选举定义与版面 / the definition and every layout")
def get_election(station: StationDep) -> dict[str, Any]:
    e = station.election
    layouts = {
        s.id: {sh.layout.style_id: sh.layout.model_dump(mode="json") for sh in build_sheets(e, s)} for s in e.stages
    }
    return {"definition": e.model_dump(mode="json"), "layouts": layouts}


@router.get("/whoami", summary="令牌对应的角色 / the role a token grants")
def whoami(actor: ActorDep) -> dict[str, str]:
    """Lets a page check a token when it is entered, rather than at the first action it refuses."""
    return {"role": actor.role.value, "name": actor.name}


@router.get("/log", summary="操作日志 / the action log")
def get_log(station: StationDep, after: int = 0) -> list[dict[str, Any]]:
    return [e.__dict__ for e in station.store.log_entries(after)]


@router.get("/events", summary="实时事件（SSE）/ live events (Server-Sent Events)")
async def events(request: Request, station: StationDep) -> StreamingResponse:
    async def stream():
        loop, q = station.hub.subscribe()
        try:
            # A fresh snapshot first: a screen that (re)connects needs no history.
            snapshot = await asyncio.to_thread(lambda: state_summary(station, station.state()))
            from station.service.events import Event

            yield Event(0, "count", snapshot).sse()
            while not await request.is_disconnected():
                try:
                    ev = await asyncio.wait_for(q.get(), timeout=KEEPALIVE_S)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                yield ev.sse()
        finally:
            station.hub.unsubscribe(loop, q)

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)
