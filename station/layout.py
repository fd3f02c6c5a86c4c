"""The ballot layout: the single source of truth for where everything is on a sheet.

The printer draws from it and vision reads from it; there is no second copy of the
geometry. Coordinates are page millimetres, origin at the top-left corner of the sheet,
x to the right, y down. A layout is saved as JSON beside the printed PDF.

The QR code on every sheet of a style carries the same text (never a per-sheet serial,
1990 条例 第二十条): election, stage, style, page and the layout hash, which is a hash of
this geometry, so a ballot printed from another layout is refused, not misread.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from station.errors import StationError

LAYOUT_FORMAT = 1
QR_PREFIX = "JPZ1"  # 计票站 layout QR, format 1
ARUCO_DICTIONARY = "DICT_4X4_50"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rect(_Model):
    x_mm: float
    y_mm: float
    w_mm: float
    h_mm: float

    @property
    def cx(self) -> float:
        return self.x_mm + self.w_mm / 2

    @property
    def cy(self) -> float:
        return self.y_mm + self.h_mm / 2

    def corners(self) -> list[tuple[float, float]]:
        """Top-left, top-right, bottom-right, bottom-left."""
        x0, y0 = self.x_mm, self.y_mm
        x1, y1 = x0 + self.w_mm, y0 + self.h_mm
        return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


class BoxKind(StrEnum):
    MARK = "mark"  # a square a voter marks with ○ × √ or a fill
    WRITE_IN = "write_in"  # an area for a handwritten name


class BoxRole(StrEnum):
    SYMBOL = "symbol"  # 选举票: the candidate's ○/× box
    ALT_SYMBOL = "alt_symbol"  # 选举票: the ○ box above a write-in under a candidate
    ALT_NAME = "alt_name"  # 选举票: the write-in name area (另选人)
    CHOOSE = "choose"  # 推荐票: the box beside a listed name
    BLANK_SYMBOL = "blank_symbol"  # 推荐票: the box of a blank line
    BLANK_NAME = "blank_name"  # 推荐票: the name area of a blank line
    TRUST = "trust"  # 信任票: 信任
    DISTRUST = "distrust"  # 信任票: 不信任
    GRADE = "grade"  # 民主测评: one grade for one person


class LayoutBox(_Model):
    id: str = Field(description="Stable id, e.g. 'weiyuan.c03.symbol'.")
    page: int = Field(ge=1)
    kind: BoxKind
    role: BoxRole
    contest: str
    candidate: str | None = Field(None, description="The printed name the box belongs to.")
    slot: int | None = Field(None, description="Write-in or blank-line number, from 1.")
    grade: str | None = None
    pair: str | None = Field(None, description="The linked box: a write-in name ↔ its symbol box.")
    rect: Rect


class Corner(StrEnum):
    TOP_LEFT = "tl"
    TOP_RIGHT = "tr"
    BOTTOM_RIGHT = "br"
    BOTTOM_LEFT = "bl"


class Fiducial(_Model):
    marker_id: int = Field(description=f"ArUco id in {ARUCO_DICTIONARY}.")
    corner: Corner
    rect: Rect


class QrCode(_Model):
    rect: Rect
    payload: str


class PageLayout(_Model):
    page: int = Field(ge=1)
    width_mm: float
    height_mm: float
    fiducials: list[Fiducial]
    qr: QrCode


class BallotLayout(_Model):
    format: int = LAYOUT_FORMAT
    election_id: str
    stage_id: str
    style_id: str
    paper: str
    aruco_dictionary: str = ARUCO_DICTIONARY
    border_mm: float = Field(description="Line width of printed box borders.")
    pages: list[PageLayout]
    boxes: list[LayoutBox]
    layout_hash: str = Field(description="First 16 hex digits of the SHA-256 of the geometry.")

    def box(self, box_id: str) -> LayoutBox:
        for b in self.boxes:
            if b.id == box_id:
                return b
        raise KeyError(box_id)

    def page_boxes(self, page: int) -> list[LayoutBox]:
        return [b for b in self.boxes if b.page == page]

    def save(self, path: Path) -> None:
        path.write_text(self.model_dump_json(indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> BallotLayout:
        try:
            layout = cls.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise StationError(f"无法读取版面文件 {path}：{err}", f"cannot read layout {path}: {err}") from None
        if geometry_hash(layout) != layout.layout_hash:
            raise StationError(
                f"版面文件 {path} 的校验值不符，可能被改动", f"layout {path} does not match its hash"
            )
        return layout


def geometry_hash(layout: BallotLayout) -> str:
    """Hash of everything that says where things are; the QR payloads are left out
    because they carry this hash."""
    data = layout.model_dump(mode="json", exclude={"layout_hash"})
    for page in data["pages"]:
        page["qr"].pop("payload", None)
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def qr_payload(election_id: str, stage_id: str, style_id: str, page: int, pages: int, hash16: str) -> str:
    return f"{QR_PREFIX}|{election_id}|{stage_id}|{style_id}|{page}/{pages}|{hash16}"


class QrIdentity(_Model):
    election_id: str
    stage_id: str
    style_id: str
    page: int
    pages: int
    layout_hash: str


def parse_qr_payload(text: str) -> QrIdentity | None:
    """The identity a ballot's QR code states, or None when it is not one of ours."""
    parts = text.split("|")
    if len(parts) != 6 or parts[0] != QR_PREFIX:
        return None
    page, _, pages = parts[4].partition("/")
    if not (page.isdigit() and pages.isdigit()):
        return None
    return QrIdentity(
        election_id=parts[1],
        stage_id=parts[2],
        style_id=parts[3],
        page=int(page),
        pages=int(pages),
        layout_hash=parts[5],
    )
