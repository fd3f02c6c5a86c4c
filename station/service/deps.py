"""Request dependencies: the station, and who is asking (role from the token)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import unquote

from fastapi import Depends, Header, HTTPException, Request

from station.service.auth import Role, role_of
from station.service.station import Actor, Station


def get_station(request: Request) -> Station:
    return request.app.state.station


StationDep = Annotated[Station, Depends(get_station)]


def _actor(
    station: StationDep,
    authorization: str | None = Header(None),
    x_actor: str | None = Header(None, description="姓名（URL 编码）/ the person's name, URL-encoded"),
) -> Actor:
    token = authorization.removeprefix("Bearer ").strip() if authorization else None
    role = role_of(station.store, token)
    name = unquote(x_actor).strip()[:40] if x_actor else ""
    return Actor(role, name or role.value)


def require(*roles: Role):
    """A dependency that lets only these roles through (403 with a bilingual reason)."""

    def check(actor: Annotated[Actor, Depends(_actor)]) -> Actor:
        if actor.role not in roles:
            allowed = "、".join(r.value for r in roles)
            raise HTTPException(
                status_code=401 if actor.role is Role.OBSERVER else 403,
                detail={"zh": f"需要以下角色的令牌：{allowed}", "en": f"this needs the token of: {', '.join(roles)}"},
            )
        return actor

    return check


ActorDep = Annotated[Actor, Depends(_actor)]
Staff = Annotated[Actor, Depends(require(Role.STAFF))]
Scrutineer = Annotated[Actor, Depends(require(Role.SCRUTINEER))]
Auditor = Annotated[Actor, Depends(require(Role.AUDITOR))]
StaffOrScrutineer = Annotated[Actor, Depends(require(Role.STAFF, Role.SCRUTINEER))]
