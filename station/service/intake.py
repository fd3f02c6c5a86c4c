"""Sources feeding the station: every capture is stored (durably, hashed) by the pipeline
before the source is told it may move on (a hot-folder file moves to done/ only then)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from station.sources import HotFolder, HotFolderConfig, SourceThread

if TYPE_CHECKING:
    from station.service.station import Station


def source_sink(station: Station, label: str):
    def sink(event) -> None:
        match event.type:
            case "captured":
                cap = event.capture
                station.pipeline.intake(cap.data, f"{label}:{cap.kind}", cap.name)
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
