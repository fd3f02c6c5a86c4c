"""Every write endpoint refuses callers without the right role: a table over the OpenAPI
routes, so a new route without a role check fails this test."""

from __future__ import annotations

import pytest

from station.service.auth import Role

# Which roles may call each write route. A write route missing here fails the test.
ALLOWED: dict[tuple[str, str], set[Role]] = {
    ("POST", "/api/images"): {Role.STAFF},
    ("POST", "/api/stages/{stage_id}/start"): {Role.STAFF},
    ("POST", "/api/stages/{stage_id}/pause"): {Role.STAFF},
    ("POST", "/api/stages/{stage_id}/resume"): {Role.STAFF},
    ("POST", "/api/stages/{stage_id}/close"): {Role.STAFF, Role.SCRUTINEER},
    ("POST", "/api/stages/{stage_id}/scan"): {Role.STAFF},
    ("POST", "/api/stages/{stage_id}/reopen"): {Role.SCRUTINEER},
    ("POST", "/api/decisions"): {Role.SCRUTINEER},
    ("POST", "/api/ballots/{sha}/{page}/reread"): {Role.AUDITOR},
    ("POST", "/api/audit/verify"): {Role.AUDITOR},
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def _write_routes(client) -> list[tuple[str, str]]:
    spec = client.get("/openapi.json").json()
    return sorted((m.upper(), path) for path, ops in spec["paths"].items() for m in ops if m in WRITE_METHODS)


def test_every_write_route_is_in_the_table(running) -> None:
    assert set(_write_routes(running.client)) == set(ALLOWED)


def _fill(path: str) -> str:
    return path.replace("{stage_id}", "xuanju").replace("{sha}", "0" * 64).replace("{page}", "0")


@pytest.mark.parametrize("caller", [None, "wrong-token", Role.STAFF, Role.SCRUTINEER, Role.AUDITOR])
def test_roles_are_enforced(running, caller) -> None:
    for (method, path), allowed in ALLOWED.items():
        if isinstance(caller, Role):
            headers = running.as_(caller)
        elif caller:
            headers = {"Authorization": f"Bearer {caller}"}
        else:
            headers = {}
        r = running.client.request(method, _fill(path), headers=headers, json={})
        if isinstance(caller, Role) and caller in allowed:
            assert r.status_code not in (401, 403), (method, path, caller, r.text)
        else:
            assert r.status_code in (401, 403), (method, path, caller, r.status_code)
            assert "zh" in r.json()["detail"] and "en" in r.json()["detail"]


def test_observers_read_everything_a_screen_needs(running) -> None:
    for path in ("/api/state", "/api/election", "/api/log", "/api/ballots", "/api/review"):
        assert running.client.get(path).status_code == 200, path


def test_a_write_by_an_observer_changes_nothing(running) -> None:
    before = running.client.get("/api/log").json()
    running.client.post("/api/stages/xuanju/start", json={"present": 1, "issued": 1})
    running.client.post("/api/images", content=b"x")
    assert running.client.get("/api/log").json() == before
    assert running.station.store.images() == []


def test_listens_on_loopback_by_default(demo_path) -> None:
    from station.service.config import ServiceConfig

    cfg = ServiceConfig(election=demo_path)
    assert cfg.host == "127.0.0.1" and cfg.local_only
    with pytest.raises(ValueError):
        ServiceConfig(election=demo_path, host="example.org")


def test_tokens_are_stored_hashed(running) -> None:
    stored = running.station.store.token_hashes()
    for role, token in running.tokens.items():
        assert token not in stored.values()
        assert len(stored[role.value]) == 64


def test_whoami_names_the_role_of_a_token(running) -> None:
    assert running.client.get("/api/whoami").json() == {"role": "observer", "name": "observer"}
    for role in (Role.STAFF, Role.SCRUTINEER, Role.AUDITOR):
        assert running.client.get("/api/whoami", headers=running.as_(role, "李四")).json() == {
            "role": role.value, "name": "李四"}
    assert running.client.get("/api/whoami", headers={"Authorization": "Bearer nope"}).json()["role"] == "observer"
