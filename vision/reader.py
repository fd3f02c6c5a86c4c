"""Read one imaged page of a ballot: image + templates + calibration → Outcome. Pure.

The policy, as in every serious ballot interpreter: reject rather than risk a misread.
A box gets a definite class only when its evidence is clear; anything else is `unclear`
and the page goes to scrutineers as NeedsReview, with the reason for each box.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from calibration.profile import Profile
from station.layout import BoxKind, QrIdentity
from vision import print_model
from vision.blank import looks_blank
from vision.ink import (
    PageSpace,
    box_darkness,
    bridge_print,
    faint_ink_mm2,
    print_residue,
    scaled_expected,
    voter_ink_mask,
)
from vision.locate import Located, locate, registration
from vision.mark_rules import MarkRule
from vision.marks import PX2_PER_MM2, MarkFeatures, Verdict, classify, encircles_box, features, never_filled
from vision.outside import outside_ink_mm2
from vision.print_model import PrintModel
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
from vision.shape_model import may_overrule, second_opinion, shape_input, shipped_model
from vision.streaks import remove_streaks
from vision.templates import MARGIN_MM, BoxTemplate, ElectionTemplates, StyleTemplate


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


@dataclass(frozen=True)
class Placed:
    """A page identified and registered to its layout, ready to be read."""

    gray: np.ndarray
    reg: Registration
    template: StyleTemplate
    located: Located
    ident: QrIdentity
    streak_columns: int

    def space_and_print(self) -> tuple[PageSpace, PrintModel]:
        """The page in canonical space and how print looks in this image."""
        page = self.template.layout.pages[0]
        space = PageSpace.build(self.gray, self.reg, page.width_mm, page.height_mm)
        return space, print_model.measure(space, self.template)


def read_page(
    image: np.ndarray,
    templates: ElectionTemplates,
    profile: Profile,
    expected_stage: str | None = None,
) -> Outcome:
    placed = place(image, templates, profile, expected_stage)
    return interpret(placed, profile) if isinstance(placed, Placed) else placed


def mark_evidence(image: np.ndarray, templates: ElectionTemplates, profile: Profile) -> dict[str, MarkEvidence] | None:
    """Every mark box's evidence, the shape model's input measured (training it); None when
    the page cannot be read."""
    p = place(image, templates, profile)
    if not isinstance(p, Placed):
        return None
    space, model = p.space_and_print()
    return {
        bt.box.id: read_mark(voter_darkness(box_darkness(space, bt).darkness, bt, model), bt, profile, ask_model=True)
        for bt in p.template.boxes
        if bt.box.kind is BoxKind.MARK
    }


def place(
    image: np.ndarray,
    templates: ElectionTemplates,
    profile: Profile,
    expected_stage: str | None = None,
) -> Placed | Outcome:
    gray = to_gray(image)
    if gray.size == 0 or min(gray.shape) < 64:
        return Unreadable(zh="图像过小，无法识别", en="the image is too small to read")
    streak_columns = 0
    if profile.quality.scanner_glass:
        gray, streak_columns = remove_streaks(gray)
    located = locate(gray, list(templates.styles.values()), profile.identity)
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
    return Placed(gray, reg, template, located, ident, streak_columns)


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


@dataclass(frozen=True)
class BoxInkParts:
    """The voter ink of one box region, split by owner."""

    mask: np.ndarray  # this box's ink as measured (area, score)
    bridged: np.ndarray  # the same with strokes joined across printed lines (shape)
    others: np.ndarray  # ink in the region that belongs to a neighbouring box


def voter_darkness(darkness: np.ndarray, bt: BoxTemplate, model: PrintModel) -> np.ndarray:
    """Darkness beyond what the print, as this image shows print, explains. The print's
    darkness is taken from the box's own printed frame when it has one (light falls off
    across a photo); its blur from the page's print model."""
    return darkness - scaled_expected(model.expected(bt), darkness, model.gain)


def box_ink_parts(darkness: np.ndarray, bt: BoxTemplate, profile: Profile) -> BoxInkParts:
    """`darkness`: the voter darkness of the region (voter_darkness)."""
    t = profile.marks
    masks = bt.print_masks(t.print_core_mm, t.print_halo_mm)
    mask = voter_ink_mask(darkness, masks, t.strong_darkness, t.weak_darkness, t.halo_darkness)
    if not mask.any():
        return BoxInkParts(mask, mask, mask)
    bridged = bridge_print(mask, masks)
    n, labels = cv2.connectedComponents(bridged.astype(np.uint8), connectivity=8)
    if n <= 1:
        return BoxInkParts(mask, bridged, np.zeros_like(mask))
    # A piece of ink is this box's when most of it lies nearer this box than any other, or
    # when any of it is inside the box: ink in a box is never silently given away.
    x0, y0, x1, y1 = bt.inner
    if n == 2:  # one piece (the common case), counted without labels
        size, in_zone = np.count_nonzero(bridged), np.count_nonzero(bridged & bt.zone)
        if 2 * in_zone >= size or bridged[y0:y1, x0:x1].any():
            return BoxInkParts(mask, bridged, np.zeros_like(mask))
        return BoxInkParts(np.zeros_like(mask), np.zeros_like(mask), bridged)
    size = np.bincount(labels.ravel(), minlength=n)
    in_zone = np.bincount(labels[bt.zone], minlength=n)
    inside = np.bincount(labels[y0:y1, x0:x1].ravel(), minlength=n) > 0
    own = (2 * in_zone >= size) | inside
    own[0] = False
    mine = own[labels]
    return BoxInkParts(mask & mine, bridged & mine, bridged & ~mine)


_OWN_INK_MARGIN = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9))  # 0.5 mm around the box's own ink


def _faint_mm2(
    darkness: np.ndarray, bt: BoxTemplate, parts: BoxInkParts, profile: Profile, beyond_ink: bool = False
) -> float:
    """`beyond_ink`: only faint ink away from the box's own ink (a speck's own area, measured
    again as faint, is no light mark around it)."""
    t = profile.marks
    masks = bt.print_masks(t.print_core_mm, t.print_halo_mm)
    usable = bt.zone & masks.clear
    if parts.others.any():
        usable &= ~cv2.dilate(parts.others.astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)
    if beyond_ink and parts.mask.any():
        usable &= ~cv2.dilate(parts.mask.astype(np.uint8), _OWN_INK_MARGIN).astype(bool)
    return faint_ink_mm2(darkness, usable, t.faint_darkness, t.faint_min_component_mm2, t.faint_smooth_mm)


def _without_print_edges(parts: BoxInkParts, hidden: np.ndarray, max_mm2: float) -> BoxInkParts:
    """A little ink, all of it thin straight lines along print (vision.ink.print_residue), and nothing
    else: in a photo, the blurred edge of a printed line that the print model did not quite
    explain. The box is then empty of voter ink. A remnant of a voter's stroke is curved or
    crosses the print somewhere (a light ○ drawn along the frame): it stays ink."""
    if max_mm2 <= 0 or not parts.mask.any() or parts.bridged.sum() > max_mm2 * PX2_PER_MM2:
        return parts
    if (parts.bridged & ~print_residue(parts.bridged, hidden)).any():
        return parts
    none = np.zeros_like(parts.mask)
    return BoxInkParts(none, none, parts.others)


@dataclass(frozen=True)
class MarkEvidence:
    """What was measured in one mark box and what was concluded."""

    features: MarkFeatures
    rules: Verdict  # the shape rules' verdict (vision.marks.classify)
    verdict: Verdict  # after the shape model's second opinion
    faint_mm2: float  # faint ink (only measured when the box holds less ink than a mark)
    ink_darkness: float  # median voter darkness over the box's ink (0 without ink): a light mark is light
    model_input: np.ndarray | None  # what the shape model saw (None: not consulted)
    probabilities: np.ndarray | None  # the shape model's, (members, labels)


def read_mark(darkness: np.ndarray, bt: BoxTemplate, profile: Profile, ask_model: bool = False) -> MarkEvidence:
    """`ask_model`: measure the shape model's input for every box with ink, even where the
    model is not consulted (training)."""
    t = profile.marks
    use = profile.second_opinion.use
    masks = bt.print_masks(t.print_core_mm, t.print_halo_mm)
    hidden = masks.hidden
    parts = _without_print_edges(box_ink_parts(darkness, bt, profile), hidden, t.print_edge_max_mm2)
    area = features(parts.mask, bt.inner, t.min_component_mm2, early_exit_mm2=np.inf)
    faint = 0.0
    if area.ink_mm2 <= t.empty_max_mm2:
        faint = _faint_mm2(darkness, bt, parts, profile)
    elif area.ink_mm2 < t.mark_min_mm2:
        faint = _faint_mm2(darkness, bt, parts, profile, beyond_ink=True)
    if area.ink_mm2 < t.mark_min_mm2:
        f, shape = area, parts.bridged
    else:
        shape = parts.bridged
        residue = print_residue(shape, hidden)
        if residue.any() and (shape & ~residue).sum() >= t.mark_min_mm2 * PX2_PER_MM2:
            # The mark's shape is read without lines along print; alone they are still ink (unclear).
            shape = shape & ~residue
        f = features(shape, bt.inner, t.min_component_mm2, darkness=darkness, hidden=hidden, ring_shortcut=t)
        # Area and fill are the ink as seen; the shape is read with strokes joined over print.
        f = replace(f, ink_mm2=area.ink_mm2, inner_fill=area.inner_fill, score=area.score)
    tone = float(np.median(darkness[parts.mask])) if parts.mask.any() else 0.0
    rules = classify(f, t, faint, tone)
    consult = use and may_overrule(rules, profile.second_opinion)
    if rules.rule is MarkRule.NO_INK or not (consult or ask_model):
        return MarkEvidence(f, rules, rules, faint, tone, None, None)
    # The model was trained on faint ink measured only where the box looked empty.
    x = shape_input(shape, darkness, hidden, f, faint if area.ink_mm2 <= t.empty_max_mm2 else 0.0)
    if not consult:
        return MarkEvidence(f, rules, rules, faint, tone, x, None)
    model = shipped_model()
    members = model.member_probabilities(x)
    verdict = second_opinion(
        rules,
        members,
        profile.second_opinion,
        holed=never_filled(f, t),
        ink_darkness=tone,
        around_box=rules.rule is MarkRule.BESIDE and encircles_box(parts.bridged, hidden, bt.inner),
        digest=model.digest,
    )
    return MarkEvidence(f, rules, verdict, faint, tone, x, members)


def read_boxes(space: PageSpace, template: StyleTemplate, profile: Profile, model: PrintModel) -> list[BoxDetail]:
    out: list[BoxDetail] = []
    for bt in template.boxes:
        box = bt.box
        ink = box_darkness(space, bt)
        voter = voter_darkness(ink.darkness, bt, model)
        if box.kind is BoxKind.MARK:
            ev = read_mark(voter, bt, profile)
            f, v = ev.features, ev.verdict
            # The model gave the class, or sent the box to people.
            by_model = v.rule in (MarkRule.MODEL, MarkRule.VETO)
            reading = BoxReading(
                id=box.id,
                mark_class=v.mark_class,
                score=round(f.score, 4),
                confidence=round(v.confidence, 3),
                decided_by="shape_model" if by_model else "rules",
                basis=v.why if by_model else "",
            )
            why = v.why + (" (marginal)" if v.marginal else "")
            unsure = v.marginal or v.mark_class is MarkClass.UNCLEAR
            out.append(BoxDetail(box.id, reading, None, why if unsure else "", ink.shift_mm))
        else:
            parts = box_ink_parts(voter, bt, profile)
            x0, y0, x1, y1 = bt.inner
            area = parts.mask[y0:y1, x0:x1]
            _, _, stats, _ = cv2.connectedComponentsWithStats(area.astype(np.uint8), connectivity=8)
            big = stats[1:, cv2.CC_STAT_AREA] >= profile.marks.min_component_mm2 * PX2_PER_MM2
            ink_mm2 = float(stats[1:, cv2.CC_STAT_AREA][big].sum()) / PX2_PER_MM2
            w = profile.write_ins
            has = True if ink_mm2 >= w.writing_min_mm2 else False if ink_mm2 <= w.empty_max_mm2 else None
            wr = WriteInReading(id=box.id, ink=round(ink_mm2 / (box.rect.w_mm * box.rect.h_mm), 4), has_writing=has)
            why = "" if has is not None else f"some ink ({ink_mm2:.1f} mm²): writing or not?"
            out.append(BoxDetail(box.id, None, wr, why, ink.shift_mm))
    return out


def _quality(space: PageSpace, model: PrintModel, profile: Profile) -> list[QualityFlag]:
    flags: list[QualityFlag] = []
    q = profile.quality
    if float(np.median(space.white)) < q.too_dark_white:
        flags.append(QualityFlag.TOO_DARK)
    # Solid print (the fiducials) should come out nearly black and sharp.
    if model.gain < 1.0 - q.too_light_black / 255.0:
        flags.append(QualityFlag.TOO_LIGHT)
    if model.sigma_mm > q.blur_max_mm:
        flags.append(QualityFlag.BLUR)
    return flags


def interpret(p: Placed, profile: Profile) -> Outcome:
    template, located, ident = p.template, p.located, p.ident
    space, model = p.space_and_print()
    details = read_boxes(space, template, profile, model)
    quality = _quality(space, model, profile)
    if len(located.markers) < 4:
        quality.append(QualityFlag.FIDUCIAL_COVERED)
    if located.matched:
        quality.append(QualityFlag.QR_MATCHED)
    if p.streak_columns:
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
    inked = frozenset(
        d.box_id
        for d in details
        if (d.reading is not None and d.reading.mark_class is not MarkClass.EMPTY)
        or (d.write_in is not None and d.write_in.has_writing is not False)
    )
    outside = outside_ink_mm2(space, template, profile, model, inked)
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
