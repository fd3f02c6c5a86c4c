"""A running station on a real workspace (SQLite file, image folder, reading processes)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient

from station.service.app import create_app
from station.service.auth import Role
from station.service.config import ServiceConfig
from station.service.station import Station


@dataclass
class Running:
    station: Station
    client: TestClient
    tokens: dict[Role, str]

    def as_(self, role: Role, name: str = "") -> dict[str, str]:
        h = {"Authorization": f"Bearer {self.tokens[role]}"}
        if name:
            from urllib.parse import quote

            h["X-Actor"] = quote(name)
        return h

    def upload(self, img: np.ndarray | bytes, name: str = "scan.png") -> dict:
        data = img if isinstance(img, bytes) else cv2.imencode(".png", img)[1].tobytes()
        r = self.client.post(f"/api/images?name={name}", content=data, headers=self.as_(Role.STAFF))
        assert r.status_code == 202, r.text
        return r.json()

    def settle(self) -> None:
        assert self.station.pipeline.wait_idle(60), "reading did not finish"


@pytest.fixture
def running(tmp_path: Path, demo_path: Path) -> Iterator[Running]:
    cfg = ServiceConfig(workspace=tmp_path / "ws", election=demo_path)
    station = Station(cfg)
    with TestClient(create_app(station)) as client:
        assert station.new_tokens is not None
        yield Running(station, client, dict(station.new_tokens))
