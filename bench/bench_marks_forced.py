"""Hard marks in quantity: every ballot carries six marks of chosen kinds, read by the real reader.

    python bench/bench_marks_forced.py --profile camera --marks doubtful --count 500 --seed 74600000
    python bench/bench_marks_forced.py --profile scanner --marks faint --count 400 --seed 74700000
    python bench/bench_marks_forced.py --profile camera --marks doubtful --pen marker --count 300 --seed 74900000

The corpus holds a doubtful mark (a correction, a ○ over a ×, half a ○, one slash, a dot) on
about one ballot in twenty, and a faint one on fewer: too few to see a rate of one in several
thousand. Here each generated ballot (its stage, style, pen and imaging drawn from the seed as
in the corpus) gets six of its mark boxes filled with marks of one family:
  doubtful  the doubtful kinds, at normal strength: any vote read is a guess;
  faint     every clear kind drawn faintly (peak darkening 0.07–0.14): "is it a mark at all?",
            so a vote read is a guess too.
`--pen` draws every ballot's marks with one kind of pen (a felt tip's doubtful marks blur into
shapes no thin pen makes) instead of the corpus's mix. Counted per mark: what the reader made
of it, and who decided (the shape rules or the shape model's second opinion, docs/vision.md
step 9). A JSON summary is printed (and written with
--out); the figures go to docs/vision-benchmarks.md.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vision_report import emit

from calibration.profile import load_profile
from sample_ballots.synth import FillPlan, MarkKind, PenKind, PlannedMark, generate_ballot, pens
from sample_ballots.synth.truth import AMBIGUOUS_KINDS, CLEAR_KINDS, Strength
from station.cmd_demo import demo_election_path
from station.definition_io import load_election
from vision.reader import read_page
from vision.reading import SYMBOLS
from vision.templates import build_templates

FAMILIES = {"doubtful": (AMBIGUOUS_KINDS, Strength.NORMAL), "faint": (CLEAR_KINDS, Strength.FAINT)}
PER_BALLOT = 6


def run(profile: str, family: str, count: int, seed: int, pen: PenKind | None = None) -> dict:
    cv2.setNumThreads(1)
    templates = build_templates(load_election(demo_election_path()))
    prof = load_profile(profile)
    kinds, strength = FAMILIES[family]
    read: Counter[str] = Counter()
    votes: Counter[str] = Counter()
    examples: list[dict] = []
    marks = unread = 0
    for s in range(seed, seed + count):
        rng = np.random.default_rng(s)
        drawn = generate_ballot(profile, s)  # the stage, style and imaging this seed gives
        ids = [b.id for b in drawn.truth.boxes]
        chosen = rng.choice(len(ids), size=min(PER_BALLOT, len(ids)), replace=False)
        drawn_kinds = [kinds[int(rng.integers(len(kinds)))] for _ in chosen]
        planned = zip(chosen, drawn_kinds, strict=True)
        plan = FillPlan(marks=[PlannedMark(box_id=ids[j], kind=k, strength=strength) for j, k in planned])
        # The pen from its own stream, so the marks of a seed are the same with or without --pen.
        drawn_pen = None if pen is None else pens.sample_pen(np.random.default_rng([s, 1]), pen)
        ballot = generate_ballot(
            profile, s, stage=drawn.truth.stage_id, style=drawn.truth.style_id, plan=plan, pen=drawn_pen
        )
        outcome = read_page(ballot.image, templates, prof)
        boxes = {b.id: b for b in getattr(outcome, "boxes", [])}
        for t in ballot.truth.boxes:
            if t.kind is MarkKind.NONE:
                continue
            marks += 1
            b = boxes.get(t.id)
            if b is None:
                unread += 1
                continue
            read[f"{b.mark_class.value} by {b.decided_by}"] += 1
            if b.mark_class in SYMBOLS:
                votes[f"{t.kind.value} → {b.mark_class.value} by {b.decided_by}"] += 1
                if len(examples) < 20:
                    examples.append({"seed": s, "box": t.id, "kind": t.kind.value, "read": b.mark_class.value,
                                     "by": b.decided_by})  # fmt: skip
    by_model = sum(v for k, v in votes.items() if k.endswith("by shape_model"))
    return {
        "profile": profile,
        "marks": family,
        "pen": pen.value if pen else "any",
        "ballots": count,
        "seed": seed,
        "marks_read": marks - unread,
        "marks_on_unread_ballots": unread,
        "read_as": dict(read.most_common()),
        "read_as_vote": sum(votes.values()),
        "read_as_vote_by_shape_model": by_model,
        "votes_by_kind": dict(votes.most_common()),
        "examples": examples,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--profile", choices=["scanner", "camera"], default="scanner")
    ap.add_argument("--marks", choices=sorted(FAMILIES), default="doubtful")
    ap.add_argument("--pen", choices=[k.value for k in PenKind], help="every mark with this pen (default: corpus mix)")
    ap.add_argument("--count", type=int, default=500)
    ap.add_argument("--seed", type=int, default=74_500_000)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    pen = PenKind(args.pen) if args.pen else None
    return emit(run(args.profile, args.marks, args.count, args.seed, pen), args.out)


if __name__ == "__main__":
    raise SystemExit(main())
