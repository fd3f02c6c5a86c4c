"""Sources feeding the station: every capture is stored (durably, hashed) by the pipeline
before the source is told it may move on (a hot-folder file moves to done/ only then)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from station.sources import (
    CameraConfig,
    CameraSource,
    HotFolder,
    HotFolderConfig,
    SaneConfig,
    SaneScanner,
    SourceThread,
)

if TYPE_CHECKING:
    from station.service.station import Station


def source_sink(station: Station, label: str):
    def sink(event) -> None:
        match event.type:
            case "captured":
                cap = event.capture
                stored = station.pipeline.intake(cap.data, f"{label}:{cap.kind}", cap.name)
                station.hub.publish("captured", {"source": label, "name": cap.name, "sha256": stored.sha256,
                                                 "new": stored.new})
                if not stored.new:  # an auditor should see that it came again and was not counted twice
                    station.store.log(label, "system", "image_received_again",
                                      {"sha256": stored.sha256, "name": cap.name})
            case "error":
                station.hub.publish(
                    "source_error",
                    {"source": label, "code": str(event.code), "zh": event.zh, "en": event.en, "fatal": event.fatal},
                )
                station.store.log(
                    label, "system", "source_error", {"code": str(event.code), "detail": event.detail}, event.en
                )
            case "progress" | "skipped" | "camera_status":
                station.hub.publish("source", {"source": label, "type": event.type, "zh": event.zh, "en": event.en})
            case "finished":
                station.hub.publish("source", {"source": label, "type": "finished", "reason": str(event.reason)})

    return sink


def start_hot_folder(station: Station) -> SourceThread | None:
    folder = station.config.hot_folder
    if folder is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    source = HotFolder(HotFolderConfig(folder=folder, settle_s=0.5, poll_s=0.25), taken=station.store)
    return SourceThread(source, source_sink(station, "hot-folder")).start()


def start_camera(station: Station) -> SourceThread | None:
    cam = station.config.camera
    if cam is None:
        return None
    device: int | str = int(cam) if cam.isdigit() else cam
    return SourceThread(CameraSource(CameraConfig(device=device)), source_sink(station, "camera")).start()


def spool_dir(station: Station) -> Path:
    return station.store.root / "spool"


def adopt_spooled_pages(station: Station) -> int:
    """Pages a scanner finished before a crash, still in the workspace's spool: store them
    now (the same bytes are recognised if they had been stored), then remove them."""
    n = 0
    for f in sorted(spool_dir(station).glob("**/*")):
        if f.is_file() and f.suffix.lower() in (".png", ".tif", ".tiff", ".pnm", ".jpg"):
            station.pipeline.intake(f.read_bytes(), "scanner:recovered", f.name)
            f.unlink()
            n += 1
    return n


class ScannerControl:
    """One scanner batch at a time, started by staff (the ADF is loaded, then 'scan')."""

    def __init__(self, station: Station) -> None:
        self.station = station
        self._thread: SourceThread | None = None
        self._lock = threading.Lock()

    @property
    def configured(self) -> bool:
        return self.station.config.scanner is not None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.running

    def start_batch(self) -> bool:
        cfg = self.station.config
        with self._lock:
            if self.running:
                return False
            spool = spool_dir(self.station)
            spool.mkdir(parents=True, exist_ok=True)
            sane = SaneConfig(
                device=None if cfg.scanner in (None, "default") else cfg.scanner,
                source=cfg.scanner_source,
                duplex=cfg.duplex,
                resolution=200,
                spool_dir=spool,
            )
            self._thread = SourceThread(SaneScanner(sane), source_sink(self.station, "scanner")).start()
            return True

    def wait(self, timeout: float) -> bool:
        t = self._thread
        return t is None or t.wait(timeout)

    def stop(self) -> None:
        with self._lock:
            if self._thread is not None:
                self._thread.stop()
