"""What every image source hands the station: a `Capture`, the bytes exactly as received.

The station hashes and stores `Capture.data` before anything reads it, so a source never
re-encodes what it received: a scanner's PNG/TIFF and a hot-folder file are passed on byte
for byte. Only a camera, which yields raw frames, encodes them, losslessly (PNG), and says
so in its metadata.

Metadata is a tagged union per source kind (pydantic, `extra="forbid"`), so the store can
keep it as JSON next to the image and an auditor can see where each image came from.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class SourceKind(StrEnum):
    HOT_FOLDER = "hot_folder"
    SCANNER = "scanner"
    CAMERA = "camera"
    UPLOAD = "upload"


class _Meta(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FolderMeta(_Meta):
    kind: Literal["hot_folder"] = "hot_folder"
    folder: str
    file_name: str
    size: int
    mtime_ns: int


class Side(StrEnum):
    SIMPLEX = "simplex"  # one-sided scanning: every page is a sheet
    FRONT = "front"
    BACK = "back"


class OtherSide(StrEnum):
    """What became of the other side of a duplex sheet."""

    NONE = "none"  # simplex
    KEPT = "kept"  # delivered as its own capture
    BLANK_DROPPED = "blank_dropped"  # blank, not delivered; its hash is recorded here
    MISSING = "missing"  # the batch ended (jam, stop) before the other side came


class ScanMeta(_Meta):
    kind: Literal["scanner"] = "scanner"
    device: str
    batch_started: datetime
    page: int = Field(ge=1, description="scanimage's page number in this batch, from 1")
    sheet: int = Field(ge=1, description="sheet number in this batch, from 1 (two pages per sheet in duplex)")
    side: Side
    resolution_dpi: int
    mode: str
    format: str
    blank: bool | None = Field(
        description="this side measured blank (kept only when both sides are blank); None: not measured (simplex)"
    )
    ink_share: float | None = Field(description="vision.blank.ink_share of this side; None: not measured")
    other_side: OtherSide
    other_side_sha256: str | None = None
    other_side_ink_share: float | None = None


class CameraMeta(_Meta):
    kind: Literal["camera"] = "camera"
    device: str
    frame_index: int = Field(ge=0)
    frame_time_s: float = Field(description="seconds from the first frame (video time for files)")
    width: int
    height: int
    encoding: Literal["png"] = "png"
    lossless: Literal[True] = True
    sharpness: float = Field(description="variance of the Laplacian over the page (vision.stillness.sharpness)")
    still_s: float = Field(description="how long the ballot had been still when captured")
    decided_time_s: float = Field(description="frame time at which the capture was decided (≥ frame_time_s)")
    capture_number: int = Field(ge=1, description="1 for the first ballot captured in this run, 2 for the next …")


class UploadMeta(_Meta):
    kind: Literal["upload"] = "upload"
    original_filename: str
    content_type: str | None = None
    size: int


CaptureMeta = Annotated[FolderMeta | ScanMeta | CameraMeta | UploadMeta, Field(discriminator="kind")]


@dataclass(frozen=True)
class Capture:
    """One image as received. `name` is for people (a file name); the store keys by hash."""

    data: bytes = field(repr=False)
    name: str
    kind: SourceKind
    received_at: datetime
    metadata: FolderMeta | ScanMeta | CameraMeta | UploadMeta

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()
