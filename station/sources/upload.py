"""An uploaded file (through the API) as a Capture: the bytes as uploaded, the name made safe.

Nothing is refused here for its content: a non-image, a truncated file or a decompression
bomb is stored as evidence by the station and then rejected by the reader with a reason.
Only an empty upload and one larger than `max_bytes` are refused (the API answers 400/413).
"""

from __future__ import annotations

import re
import unicodedata

from station.errors import StationError
from station.sources.capture import Capture, Clock, SourceKind, UploadMeta, utc_now

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
_NAME_MAX = 120


class UploadRefused(StationError):
    """The upload is not taken at all (nothing to store)."""


def safe_name(filename: str) -> str:
    """The last path part, without control characters, at most 120 characters; 'upload' if nothing is left.

    Browsers send Windows paths (C:\\fakepath\\x.png) and names can hold anything: the name
    is shown to people and logged, never used as a path by the station.
    """
    base = re.split(r"[\\/]", filename)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    return base[-_NAME_MAX:] or "upload"


def capture_upload(
    data: bytes,
    filename: str,
    content_type: str | None = None,
    clock: Clock = utc_now,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> Capture:
    if not data:
        raise UploadRefused("上传的文件为空", "the uploaded file is empty")
    if len(data) > max_bytes:
        raise UploadRefused(
            f"上传的文件过大（{len(data)} 字节，上限 {max_bytes}）",
            f"the uploaded file is too large ({len(data)} bytes, limit {max_bytes})",
        )
    meta = UploadMeta(original_filename=filename[:1000], content_type=content_type, size=len(data))
    return Capture(data, safe_name(filename), SourceKind.UPLOAD, clock(), meta)
