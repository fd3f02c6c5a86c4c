"""Which rule gave a box's verdict (vision.marks.classify, vision.shape_model.second_opinion).

Its own module, with no imports, because calibration profiles name these codes too (which
unclear verdicts the shape model may settle) and vision.marks itself depends on the profiles.
"""

from __future__ import annotations

from enum import StrEnum


class MarkRule(StrEnum):
    NO_INK = "no_ink"  # empty: no ink, no faint ink
    FAINT = "faint"  # unclear: faint connected ink in a box otherwise empty (a light mark?)
    TINY = "tiny"  # unclear: 0.8–2 mm² of ink (a speck, or the start of a light mark?)
    FILLED = "filled"  # filled: most of the box, solidly
    DENSE = "dense"  # unclear: dense ink short of a fill (a scribble, or a correction?)
    BESIDE = "beside"  # unclear: ink beside the box, hardly in it
    SMALL = "small"  # unclear: a mark smaller than any ○, × or √ (a dot?)
    NO_SHAPE = "no_shape"  # unclear: a measured shape no rule knows
    CONFLICT = "conflict"  # unclear: evidence for two shapes at once
    SHAPE = "shape"  # ○, × or √ by the shape rules
    MODEL = "model"  # settled by the shape model where the rules were unclear
    VETO = "veto"  # unclear: the shape model doubted the rules' definite class


# The unclear verdicts a profile may let the shape model settle, and those it never may: a
# light mark (faint ink) and evidence for two shapes at once are for people.
SETTLEABLE = (MarkRule.NO_SHAPE, MarkRule.TINY, MarkRule.BESIDE, MarkRule.DENSE, MarkRule.SMALL)
NEVER_SETTLED = (MarkRule.FAINT, MarkRule.CONFLICT)
