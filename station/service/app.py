"""The FastAPI app factory: one Station per app, routers per resource, pages as static files."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from station.service import routes_audit, routes_ballots, routes_review, routes_stage, routes_state
from station.service.station import Station

WEB = Path(__file__).resolve().parent.parent / "web"


def create_app(station: Station, on_started: Callable[[Station], None] | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        station.start()
        if on_started:
            on_started(station)
        try:
            yield
        finally:
            station.stop()

    app = FastAPI(
        title="计票站 Ballot station",
        description="纸质选票扫描计票 / paper-ballot scanning and counting",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.station = station
    for r in (routes_state, routes_stage, routes_ballots, routes_review, routes_audit):
        app.include_router(r.router)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(
            status_code=422,
            content={
                "detail": {"zh": "请求内容有误", "en": "invalid request", "errors": jsonable_encoder(exc.errors())}
            },
        )

    @app.get("/", include_in_schema=False)
    def index() -> RedirectResponse:
        return RedirectResponse("/web/index.html")

    if WEB.exists():
        app.mount("/web", StaticFiles(directory=WEB, html=True), name="web")
    return app
