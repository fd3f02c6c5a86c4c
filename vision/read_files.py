"""Read ballot image files: hash the bytes, split pages, read each. The shell around
`vision.reader.read_page`, shared by the command line and the station."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

from calibration.profile import Profile
from vision.image_io import ImageInputError, load_pages
from vision.reader import read_page
from vision.reading import PageReading, Unreadable
from vision.templates import ElectionTemplates

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp", ".pdf"}


def read_bytes(
    data: bytes, source: str, templates: ElectionTemplates, profile: Profile, expected_stage: str | None = None
) -> list[PageReading]:
    digest = hashlib.sha256(data).hexdigest()
    try:
        pages = load_pages(data)
    except ImageInputError as err:
        return [PageReading(source=source, image_sha256=digest, result=Unreadable(zh=err.zh, en=err.en))]
    return [
        PageReading(
            source=source,
            page_index=i,
            image_sha256=digest,
            result=read_page(img, templates, profile, expected_stage),
        )
        for i, img in enumerate(pages)
    ]


def expand_inputs(paths: list[Path]) -> Iterator[Path]:
    """Files as given; folders become their image files in name order."""
    for p in paths:
        if p.is_dir():
            yield from sorted(q for q in p.iterdir() if q.suffix.lower() in IMAGE_SUFFIXES and q.is_file())
        else:
            yield p
