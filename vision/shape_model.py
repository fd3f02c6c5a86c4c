"""A learned second opinion on a box's mark, beside the shape rules (vision.marks).

The rules read a mark from its skeleton: ends, forks, corners, an ellipse followed. Each new
benchmark range has shown about one mark in 50,000 that falls through a corner of those
rules into a wrong definite class, and a few per cent of marks that no rule accepts. A small
network that looks at the mark itself (its ink at 0.5 mm, its darkness, the orientation of
its strokes, and the rules' own measurements) answers the same question another way. Where
the two disagree the box goes to people (a veto can only add reviews); where the rules find
no known shape and the network is very sure, its class is taken (profile thresholds, which
a jurisdiction can set to 1 to turn that off).

Pure: the same inputs and weights give the same probabilities. The weights are calibration
data (calibration/shape_model.npz), trained by calibration/train_shape_model.py on the
synthetic corpus with seeds recorded in the file.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from enum import IntEnum
from functools import cache, cached_property
from importlib import resources
from pathlib import Path

import cv2
import numpy as np

from calibration.profile import SecondOpinion
from station.errors import StationError
from vision.mark_rules import NEVER_SETTLED, MarkRule
from vision.marks import MarkFeatures, Verdict
from vision.reading import SYMBOLS, MarkClass

GRID = 34  # the region (box ± 3.5 mm, 17 mm) at 0.5 mm a cell
COARSE = 17  # darkness at 1 mm a cell
ORIENT_CELLS = 4  # stroke orientation pooled over 4 × 4 cells…
ORIENT_BINS = 8  # …in 8 directions (0–180°)


HAND = 45  # the rules' measurements (_hand)
INPUTS = GRID * GRID + 2 * COARSE * COARSE + ORIENT_CELLS * ORIENT_CELLS * ORIENT_BINS + HAND


class ShapeLabel(IntEnum):
    EMPTY = 0
    FILLED = 1
    TICK = 2
    CROSS = 3
    CIRCLE = 4
    DOUBTFUL = 5  # a correction, half a ○, a single slash, a dot: people decide


def _hand(f: MarkFeatures, faint_mm2: float) -> list[float]:
    """The rules' measurements, scaled to about 0–1."""
    r, h = f.ring, f.hole
    return [
        f.ink_mm2 / 50,
        f.inner_fill,
        f.inside_share,
        f.solidity,
        f.extent_mm / 20,
        min(f.components, 6) / 6,
        f.stroke_mm,
        f.skeleton_mm / 50,
        min(f.ends, 8) / 8,
        min(f.forks, 6) / 6,
        min(f.loops, 4) / 4,
        h.mm2 / 40,
        h.share,
        float(h.centred),
        h.convex,
        h.islands_mm2 / 5,
        min(h.count, 4) / 4,
        min(f.texture_mm2, 10) / 10,
        min(f.enclosed, 4) / 4,
        min(f.roughness, 3) / 3,
        float(r.found),
        r.inked,
        r.hidden,
        r.paper,
        r.longest_gap,
        r.on_curve,
        min(r.inside_ink, 20) / 20,
        r.axes_mm[0] / 10,
        r.axes_mm[1] / 10,
        r.inked_quarters / 4,
        f.turn_total / 360,
        f.turn_sharp / 180,
        f.turn_curl / 360,
        f.turn_at_y,
        f.smooth_clear_deg / 180,
        len(f.arms) / 5,
        (f.arms[0] if f.arms else 0.0) / 10,
        (f.arms[-1] if f.arms else 0.0) / 10,
        f.arms_straight / 180,
        f.arms_off_diagonal / 45,
        f.arms_beside_print,
        f.centre_ink,
        f.band_evenness,
        float(f.lighter_middle),
        min(faint_mm2, 20) / 20,
    ]


def _orientations(mask: np.ndarray) -> np.ndarray:
    """Where strokes run which way: gradient orientation of the smoothed ink, weighted by
    its strength, pooled over a coarse grid (a HOG without block normalisation)."""
    m = cv2.GaussianBlur(mask, (0, 0), 1.0)
    gx = cv2.Sobel(m, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(m, cv2.CV_32F, 0, 1, ksize=3)
    mag = np.hypot(gx, gy)
    ang = np.mod(np.arctan2(gy, gx), np.pi)
    b = np.minimum((ang / np.pi * ORIENT_BINS).astype(np.int32), ORIENT_BINS - 1)
    h, w = mask.shape
    cy = np.minimum(np.arange(h) * ORIENT_CELLS // h, ORIENT_CELLS - 1)
    cx = np.minimum(np.arange(w) * ORIENT_CELLS // w, ORIENT_CELLS - 1)
    idx = (cy[:, None] * ORIENT_CELLS + cx[None, :]) * ORIENT_BINS + b
    hist = np.bincount(idx.ravel(), weights=mag.ravel(), minlength=ORIENT_CELLS**2 * ORIENT_BINS)
    return (hist / (h * w / ORIENT_CELLS**2) * 4).astype(np.float32)


def shape_input(
    shape: np.ndarray, darkness: np.ndarray, hidden: np.ndarray, f: MarkFeatures, faint_mm2: float
) -> np.ndarray:
    """The network's input for one box region (8 px/mm): `shape` the mark's ink (bridged over
    print), `darkness` the voter darkness, `hidden` where print hides ink."""
    ink = cv2.resize(shape.astype(np.float32), (GRID, GRID), interpolation=cv2.INTER_AREA)
    seen = np.where(hidden, 0.0, np.clip(darkness, 0.0, 1.0)).astype(np.float32)
    dark = cv2.resize(seen, (COARSE, COARSE), interpolation=cv2.INTER_AREA)
    veil = cv2.resize(hidden.astype(np.float32), (COARSE, COARSE), interpolation=cv2.INTER_AREA)
    parts = [ink.ravel(), dark.ravel() * 2, veil.ravel(), _orientations(ink), np.asarray(_hand(f, faint_mm2))]
    return np.concatenate(parts).astype(np.float32)


@dataclass(frozen=True)
class ShapeModel:
    """An ensemble of two-layer networks (standardise, ReLU hidden layer, softmax over
    ShapeLabel), each trained on its own resample of the corpus. Where they disagree, the
    least sure member speaks for all when a class is to be decided."""

    mean: np.ndarray  # (inputs,)
    scale: np.ndarray
    w1: np.ndarray  # (members, inputs, hidden)
    b1: np.ndarray  # (members, hidden)
    w2: np.ndarray  # (members, hidden, labels)
    b2: np.ndarray  # (members, labels)
    trained_on: str  # what it was trained on (seeds, counts), for the audit trail
    digest: str = ""  # SHA-256 of the file (first 12 hex digits): named in every reason it gives

    def member_probabilities(self, x: np.ndarray) -> np.ndarray:
        """(members, labels) for one input; (n, members, labels) for n."""
        w, b = self._first_layers
        members, _, hidden = self.w1.shape
        # One float32 matrix product for all members' first layers, standardisation folded
        # in (a float64 einsum per member, which does not use BLAS, cost ~1 ms a box).
        pre = (np.asarray(x, np.float32) @ w).astype(np.float64) + b
        hid = np.maximum(pre.reshape(*pre.shape[:-1], members, hidden), 0.0)
        logits = np.einsum("...mh,mhl->...ml", hid, self.w2) + self.b2
        logits -= logits.max(axis=-1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=-1, keepdims=True)

    @cached_property
    def _first_layers(self) -> tuple[np.ndarray, np.ndarray]:
        """The members' first layers side by side, (inputs, members × hidden) in float32,
        with the standardisation folded in: ((x − mean) / scale) @ w1 + b1 = x @ w + b."""
        m, i, h = self.w1.shape
        w_all = self.w1.transpose(1, 0, 2).reshape(i, m * h) / self.scale[:, None]
        b_all = self.b1.reshape(m * h) - self.mean @ w_all
        return np.ascontiguousarray(w_all, dtype=np.float32), b_all

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """The members' mean, (labels,) or (n, labels)."""
        return self.member_probabilities(x).mean(axis=-2)

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path, mean=self.mean.astype(np.float32), scale=self.scale.astype(np.float32),
            w1=self.w1.astype(np.float32), b1=self.b1.astype(np.float32),
            w2=self.w2.astype(np.float32), b2=self.b2.astype(np.float32), trained_on=np.array(self.trained_on),
        )  # fmt: skip

    @classmethod
    def from_file(cls, path: Path) -> ShapeModel:
        data = path.read_bytes()
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            # Stored as float32 (half the size); computed in float64.
            w = {k: z[k].astype(np.float64) for k in ("mean", "scale", "w1", "b1", "w2", "b2")}
            model = cls(**w, trained_on=str(z["trained_on"]), digest=hashlib.sha256(data).hexdigest()[:12])
        model.check()
        return model

    def check(self) -> None:
        """The weights fit this code's input and labels (a file from another version does not)."""
        m, _, h = self.w1.shape
        shapes = {
            "mean": (self.mean.shape, (INPUTS,)),
            "scale": (self.scale.shape, (INPUTS,)),
            "w1": (self.w1.shape, (m, INPUTS, h)),
            "b1": (self.b1.shape, (m, h)),
            "w2": (self.w2.shape, (m, h, len(ShapeLabel))),
            "b2": (self.b2.shape, (m, len(ShapeLabel))),
        }
        for name, (got, want) in shapes.items():
            if got != want:
                raise ValueError(f"{name} has shape {got}, this code needs {want}")


SHIPPED = "shape_model.npz"


def load_shape_model(path: Path) -> ShapeModel:
    try:
        return ShapeModel.from_file(path)
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile) as err:
        raise StationError(
            f"形状模型文件缺失或损坏：{path}（{err}）", f"the shape model file is missing or damaged: {path} ({err})"
        ) from None


def check_available(t: SecondOpinion) -> None:
    """At start-up: a profile that uses the model needs its file (a clear error now, not one
    per ballot later)."""
    if t.use:
        shipped_model()


@cache
def shipped_model() -> ShapeModel:
    """The model shipped in calibration/ (read once per process)."""
    return load_shape_model(Path(str(resources.files("calibration") / SHIPPED)))


CLASS_OF = {
    ShapeLabel.EMPTY: MarkClass.EMPTY,
    ShapeLabel.FILLED: MarkClass.FILLED,
    ShapeLabel.TICK: MarkClass.TICK,
    ShapeLabel.CROSS: MarkClass.CROSS,
    ShapeLabel.CIRCLE: MarkClass.CIRCLE,
    ShapeLabel.DOUBTFUL: MarkClass.UNCLEAR,
}
LABEL_OF = {c: label for label, c in CLASS_OF.items()}
# Dense ink short of a fill may be a scribble (filled), a fat marker's × or ○, or a correction
# (a mark scribbled over: doubtful). The model may call it filled (which the count sends to
# scrutineers anyway: station.rules.marks), × or ○ (seeds 69,000,165 and 69,000,231: × in marker
# with a tail, 0.99 to every member; none of 645 corrections and circles-over-crosses of seeds
# 74.5M/74.6M was so settled), never √: a √ is no dense mark. 0.8–2 mm² of ink ("faint or tiny") may be
# a speck (empty) or the start of a light mark: only empty. Ink beside the box and hardly
# in it: only empty, as the rules require ink in the box for any class (a stray initial in
# the corner of a box's region, nothing in the box, was '○' to every member: seed 66,002,372),
# or a ○ when the ink goes all the way round the box's middle: a circle drawn around the box
# rather than in it (seeds 69,000,223 and 69,000,398), which no initial beside it does.
ONLY_AS = {
    MarkRule.DENSE: frozenset({ShapeLabel.FILLED, ShapeLabel.CROSS, ShapeLabel.CIRCLE}),
    MarkRule.TINY: frozenset({ShapeLabel.EMPTY}),
    MarkRule.BESIDE: frozenset({ShapeLabel.EMPTY}),
}
AROUND_THE_BOX = {MarkRule.BESIDE: ShapeLabel.CIRCLE}
VOTES = frozenset(LABEL_OF[c] for c in SYMBOLS)
DEFINITE = SYMBOLS | {MarkClass.FILLED}  # the classes a veto can send to people


def may_overrule(rules: Verdict, t: SecondOpinion) -> bool:
    """Whether the model's opinion could change this verdict (else it is not consulted)."""
    if rules.mark_class in DEFINITE:
        return t.veto_max > 0 or (rules.mark_class in SYMBOLS and t.veto_blob_max > 0)
    return (
        rules.mark_class is MarkClass.UNCLEAR
        and rules.rule in t.decide_rules
        and rules.rule not in NEVER_SETTLED
        and t.decide_min < 1.0
    )


def second_opinion(
    rules: Verdict,
    members: np.ndarray,
    t: SecondOpinion,
    holed: bool = False,
    ink_darkness: float = 1.0,
    around_box: bool = False,
    digest: str = "",
) -> Verdict:
    """The rules' verdict, overruled only as `t` allows: a definite class the model finds
    unlikely (on average over its members) goes to people; an unknown shape every member is
    sure of gets its class. `members`: (members, labels) probabilities, or (labels,).
    `holed`: the rules saw paper or a lighter middle inside the ink (vision.marks.never_filled):
    the model may not call it filled (a fat marker ○ it had not seen the like of, in a photo,
    was 'filled' to every member). `ink_darkness`: the median darkness of the box's ink; a
    faint mark is only ever settled as empty. `around_box`: the ink encloses the box's middle
    (vision.marks.encircles_box). `digest`: the model file's, named in reasons."""
    model = f" {digest}" if digest else ""
    members = np.atleast_2d(members)
    probs = members.mean(axis=0)
    top = ShapeLabel(int(np.argmax(probs)))
    if rules.mark_class in DEFINITE:
        p = float(probs[LABEL_OF[rules.mark_class]])
        blob = rules.mark_class in SYMBOLS and top is ShapeLabel.FILLED and p <= t.veto_blob_max
        if p <= t.veto_max or blob:
            return Verdict(
                MarkClass.UNCLEAR,
                0.0,
                True,
                f"{rules.mark_class.value} by the shape rules, {CLASS_OF[top].value} by the shape model{model} "
                f"({p:.3f} / {float(probs[top]):.3f})",
                MarkRule.VETO,
            )
        return rules
    settle = may_overrule(rules, t) and top is not ShapeLabel.DOUBTFUL
    if rules.rule in ONLY_AS and top not in ONLY_AS[rules.rule]:
        settle = settle and around_box and AROUND_THE_BOX.get(rules.rule) is top
    if holed and top is ShapeLabel.FILLED:
        settle = False
    if top is not ShapeLabel.EMPTY and ink_darkness < t.decide_min_darkness:
        settle = False  # a faint mark: is it a mark at all? People decide.
    if top in VOTES and float(probs[top]) < t.decide_mean_vote:
        settle = False  # a vote needs the members sure on average, not only the least sure one
    if settle:
        p = float(members[:, top].min())
        if p >= t.decide_min:
            why = f"{rules.why}; the shape model{model}: {CLASS_OF[top].value} ({p:.4f})"
            return Verdict(CLASS_OF[top], p, False, why, MarkRule.MODEL)
    return rules
