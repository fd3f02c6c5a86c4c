"""Read one imaged page of a ballot: image + templates + calibration → Outcome. Pure.

The policy, as in every serious ballot interpreter: reject rather than risk a misread.
A box gets a definite class only when its evidence is clear; anything else is `unclear`
and the page goes to scrutineers as NeedsReview, with the reason for each box.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from calibration.profile import Profile
from station.layout import BoxKind
from vision.blank import looks_blank
from vision.ink import MARGIN_MM, PageSpace, box_ink, faint_ink_mm2, voter_ink_mask
from vision.locate import Located, locate, registration
from vision.marks import PX2_PER_MM2, classify, features
from vision.reading import (
    BlankPage,
    BoxReading,
    Interpreted,
    MarkClass,
    NeedsReview,
    NotABallot,
    Outcome,
    QualityFlag,
    ReviewCode,
    ReviewReason,
    Unreadable,
    WriteInReading,
    WrongElection,
)
from vision.register import Registration
from vision.streaks import remove_streaks
from vision.templates import OUTSIDE_PX_PER_MM, PX_PER_MM, ElectionTemplates, StyleTemplate


@dataclass(frozen=True)
class BoxDetail:
    """What the reader saw in one box, for the review screen and the benchmark."""

    box_id: str
    reading: BoxReading | None
    write_in: WriteInReading | None
    why: str
    shift_mm: tuple[float, float]


def to_gray(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def read_page(
    image: np.ndarray,
    templates: ElectionTemplates,
    profile: Profile,
    expected_stage: str | None = None,
) -> Outcome:
    gray = to_gray(image)
    if gray.size == 0 or min(gray.shape) < 64:
        return Unreadable(zh="图像过小，无法识别", en="the image is too small to read")
    gray, streak_columns = remove_streaks(gray)
    located = locate(gray)
    ident = located.identity
    if ident is None:
        return _no_identity(gray, located, profile)

    election = templates.election
    if ident.election_id != election.id:
        return WrongElection(
            identity=ident,
            zh=f"这张选票属于另一次选举（{ident.election_id}），不是“{election.title}”",
            en=f"this ballot belongs to another election ({ident.election_id}), not {election.id}",
        )
    if expected_stage is not None and ident.stage_id != expected_stage:
        return WrongElection(
            identity=ident,
            zh=f"这是“{ident.stage_id}”轮的选票，当前计票的是“{expected_stage}”轮",
            en=f"this is a ballot of stage {ident.stage_id}; the count in progress is {expected_stage}",
        )
    template = templates.by_hash(ident.layout_hash)
    if template is None or (template.layout.stage_id, template.layout.style_id) != (ident.stage_id, ident.style_id):
        return WrongElection(
            identity=ident,
            zh="选票版面与本次选举定义不符（可能按旧版定义印制），请交监票人处理",
            en="the ballot's layout does not match this election's definition (printed from another "
            "version?); hand it to the scrutineers",
        )
    page = template.layout.pages[ident.page - 1]
    reg = registration(located, page)
    if reg is None:
        return Unreadable(
            zh="找不到选票四角的定位标记，无法定位；请重新放入",
            en="the corner markers cannot be found; please re-feed the ballot",
        )
    if not _boxes_inside_image(reg, template, gray.shape):
        return Unreadable(
            zh="选票有一部分在图像之外；请摆正后重新放入",
            en="part of the ballot is outside the image; straighten it and re-feed",
        )
    return interpret(gray, reg, template, profile, located, ident, streak_columns)


def _no_identity(gray: np.ndarray, located: Located, profile: Profile) -> Outcome:
    if located.qr.text is not None:
        return NotABallot(
            zh="图像中的二维码不是本系统的选票二维码", en="the QR code in the image is not one of our ballots"
        )
    if len(located.markers) >= 2:
        return Unreadable(
            zh="选票二维码无法识别（污损、遮挡或模糊）；请重新放入",
            en="the ballot's QR code cannot be read (soiled, covered or blurred); please re-feed",
        )
    if looks_blank(gray, profile.quality.blank_max_ink_share):
        return BlankPage()
    return NotABallot(zh="图像中没有找到选票", en="no ballot was found in the image")


def _boxes_inside_image(reg: Registration, template: StyleTemplate, shape: tuple[int, ...]) -> bool:
    """Every box, with the margin its mark may use, lies inside the image. A clipped empty
    corner of the sheet does not matter; a clipped box does."""
    pts = []
    m = MARGIN_MM
    for b in template.layout.boxes:
        r = b.rect
        pts += [
            (r.x_mm - m, r.y_mm - m),
            (r.x_mm + r.w_mm + m, r.y_mm + r.h_mm + m),
            (r.x_mm - m, r.y_mm + r.h_mm + m),
            (r.x_mm + r.w_mm + m, r.y_mm - m),
        ]
    px = reg.to_px(np.array(pts))
    h, w = shape[:2]
    return bool(np.all((px[:, 0] >= 0) & (px[:, 1] >= 0) & (px[:, 0] < w) & (px[:, 1] < h)))


def read_boxes(space: PageSpace, template: StyleTemplate, profile: Profile) -> list[BoxDetail]:
    t = profile.marks
    out: list[BoxDetail] = []
    for box in template.layout.boxes:
        ink = box_ink(space, template, box.rect)
        mask = voter_ink_mask(ink, t.strong_darkness, t.weak_darkness)
        if box.kind is BoxKind.MARK:
            f = features(mask, ink.inner, t.min_component_mm2, early_exit_mm2=t.mark_min_mm2)
            faint = (
                faint_ink_mm2(ink, t.faint_darkness, t.faint_min_component_mm2) if f.ink_mm2 <= t.empty_max_mm2 else 0
            )
            v = classify(f, t, faint)
            reading = BoxReading(
                id=box.id, mark_class=v.mark_class, score=round(f.score, 4), confidence=round(v.confidence, 3)
            )
            why = v.why + (" (marginal)" if v.marginal else "")
            out.append(
                BoxDetail(
                    box.id,
                    reading,
                    None,
                    why if (v.marginal or v.mark_class is MarkClass.UNCLEAR) else "",
                    ink.shift_mm,
                )
            )
        else:
            x0, y0, x1, y1 = ink.inner
            area = mask[y0:y1, x0:x1]
            _, _, stats, _ = cv2.connectedComponentsWithStats(area.astype(np.uint8), connectivity=8)
            big = stats[1:, cv2.CC_STAT_AREA] >= profile.marks.min_component_mm2 * PX2_PER_MM2
            ink_mm2 = float(stats[1:, cv2.CC_STAT_AREA][big].sum()) / PX2_PER_MM2
            w = profile.write_ins
            has = True if ink_mm2 >= w.writing_min_mm2 else False if ink_mm2 <= w.empty_max_mm2 else None
            wr = WriteInReading(id=box.id, ink=round(ink_mm2 / (box.rect.w_mm * box.rect.h_mm), 4), has_writing=has)
            why = "" if has is not None else f"some ink ({ink_mm2:.1f} mm²): writing or not?"
            out.append(BoxDetail(box.id, None, wr, why, ink.shift_mm))
    return out


def _outside_ink_mm2(space: PageSpace, template: StyleTemplate, profile: Profile) -> float:
    """Voter ink away from every box: stray marks, signatures, extra writing."""
    dark = space.patch(0.0, 0.0, space.page_w_mm, space.page_h_mm, OUTSIDE_PX_PER_MM)
    ink = (dark > profile.marks.strong_darkness) & template.outside_zone[: dark.shape[0], : dark.shape[1]]
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    areas = stats[1:, cv2.CC_STAT_AREA] / (OUTSIDE_PX_PER_MM**2)
    return float(areas[areas >= profile.marks.min_component_mm2].sum())


def _quality(space: PageSpace, template: StyleTemplate, profile: Profile) -> list[QualityFlag]:
    flags: list[QualityFlag] = []
    q = profile.quality
    white = float(np.median(space.white))
    if white < q.too_dark_white:
        flags.append(QualityFlag.TOO_DARK)
    # The fiducials are solid black where printed: how black do they come out, how sharp?
    f = template.layout.pages[0].fiducials[0].rect
    s = PX_PER_MM
    marker = space.patch(f.x_mm, f.y_mm, f.w_mm, f.h_mm, s)
    y0, x0 = int(round(f.y_mm * s)), int(round(f.x_mm * s))
    solid = template.ink[y0 : y0 + marker.shape[0], x0 : x0 + marker.shape[1]] > 0.9
    solid = cv2.erode(solid.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    if solid.shape == marker.shape and solid.any():
        if float(np.median(marker[solid])) < 1.0 - q.too_light_black / 255.0:
            flags.append(QualityFlag.TOO_LIGHT)
        # The steepest darkness step across the marker's printed edges, per pixel.
        gy, gx = np.gradient(marker)
        if float(np.percentile(np.hypot(gx, gy), 99)) < q.blur_min_sharpness * 10:
            flags.append(QualityFlag.BLUR)
    return flags


def interpret(
    gray: np.ndarray,
    reg: Registration,
    template: StyleTemplate,
    profile: Profile,
    located: Located,
    ident,
    streak_columns: int = 0,
) -> Outcome:
    page = template.layout.pages[0]
    space = PageSpace.build(gray, reg, page.width_mm, page.height_mm)
    details = read_boxes(space, template, profile)
    quality = _quality(space, template, profile)
    if len(located.markers) < 4:
        quality.append(QualityFlag.FIDUCIAL_COVERED)
    if streak_columns:
        quality.append(QualityFlag.STREAKS)
    reasons: list[ReviewReason] = []
    for d in details:
        if not d.why:
            continue
        if d.reading is not None:
            unclear = d.reading.mark_class is MarkClass.UNCLEAR
            reasons.append(
                ReviewReason(
                    code=ReviewCode.UNCLEAR_MARK if unclear else ReviewCode.MARGINAL_MARK,
                    box_id=d.box_id,
                    zh="符号不清，需监票人认定" if unclear else "符号接近判定界限，需监票人确认",
                    en=d.why,
                )
            )
        else:
            reasons.append(
                ReviewReason(
                    code=ReviewCode.UNCLEAR_WRITE_IN,
                    box_id=d.box_id,
                    zh="另选人栏有少量笔迹，是否写了姓名需监票人认定",
                    en=d.why,
                )
            )
    outside = _outside_ink_mm2(space, template, profile)
    if outside >= profile.quality.outside_min_mm2:
        quality.append(QualityFlag.MARKS_OUTSIDE_BOXES)
        reasons.append(
            ReviewReason(
                code=ReviewCode.MARKS_OUTSIDE_BOXES,
                zh=f"选票上规定符号以外有笔迹（约 {outside:.0f} 平方毫米），是否有效由监票人认定",
                en=f"marks outside the boxes (about {outside:.0f} mm²): scrutineers decide whether the ballot is void",
            )
        )
    if QualityFlag.BLUR in quality or QualityFlag.TOO_LIGHT in quality:
        reasons.append(
            ReviewReason(code=ReviewCode.POOR_IMAGE, zh="图像模糊或过淡，请核对", en="blurred or washed-out image")
        )
    boxes = [d.reading for d in details if d.reading is not None]
    write_ins = [d.write_in for d in details if d.write_in is not None]
    if reasons:
        return NeedsReview(identity=ident, boxes=boxes, write_ins=write_ins, quality=quality, reasons=reasons)
    return Interpreted(identity=ident, boxes=boxes, write_ins=write_ins, quality=quality)
