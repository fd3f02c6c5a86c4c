"""Image sources: hot folder, SANE scanner, USB camera, uploads. See docs/sources.md.

Every source yields `SourceEvent`s from `events(stop)`; run it with `SourceThread`
or iterate it. Captures carry the bytes exactly as received.
"""

from station.sources.camera import CameraConfig, CameraSource
from station.sources.capture import (
    CameraMeta,
    Capture,
    FolderMeta,
    OtherSide,
    ScanMeta,
    Side,
    SourceKind,
    UploadMeta,
    utc_now,
)
from station.sources.events import (
    CameraStatus,
    Captured,
    ErrorCode,
    Finished,
    FinishReason,
    Progress,
    Skipped,
    SkipReason,
    SourceError,
    SourceEvent,
    WatchState,
)
from station.sources.hot_folder import AfterPickup, HotFolder, HotFolderConfig
from station.sources.runner import Sink, Source, SourceThread
from station.sources.sane import SaneConfig, SaneScanner, ScanFormat, ScanMode
from station.sources.upload import UploadRefused, capture_upload

__all__ = [
    "AfterPickup",
    "CameraConfig",
    "CameraMeta",
    "CameraSource",
    "CameraStatus",
    "Capture",
    "Captured",
    "ErrorCode",
    "FinishReason",
    "Finished",
    "FolderMeta",
    "HotFolder",
    "HotFolderConfig",
    "OtherSide",
    "Progress",
    "SaneConfig",
    "SaneScanner",
    "ScanFormat",
    "ScanMeta",
    "ScanMode",
    "Side",
    "Sink",
    "SkipReason",
    "Skipped",
    "Source",
    "SourceError",
    "SourceEvent",
    "SourceKind",
    "SourceThread",
    "UploadMeta",
    "UploadRefused",
    "WatchState",
    "capture_upload",
    "utc_now",
]
