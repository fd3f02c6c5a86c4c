"""Accuracy of the reader on generated ballots with ground truth.

    python bench/bench_vision_accuracy.py --profile scanner --count 2800 --seed 3000000
    python bench/bench_vision_accuracy.py --profile camera  --count 2800 --seed 4000000

The tests use seeds below 1,000; tuning used 800,000–999,999 (and 1,000,000–1,002,799 and
2,000,000–2,002,799, earlier benchmark runs then studied); benchmark figures come from ranges
no tuning looked at. Per box reading, against the truth:
  misread    a definite class (not `unclear`) that differs from an unambiguous truth: a defect;
  review     `unclear`, or a marginal class (the ballot goes to scrutineers): fine;
  ambiguous  the truth itself is doubtful: any answer is accepted, a definite one is counted;
             a doubtful mark (a correction, half a ○…) or a faint one read as ○, × or √ is
             counted apart (doubtful_read_as_vote, faint_read_as_vote): a guess.
Per ballot: review rate (needs_review) over all ballots and over the ballots whose truth
does not expect review (no doubtful mark or write-in, no stray mark: `review_expected`
false), with the reasons of the latter; and over those of them that the count would not
refer to people either (no filled box: station.rules.marks sends every filled box to
scrutineers), the review the reader adds to people's work (`review_rate_avoidable`);
unreadable rate (no reading at all); ballots with ink outside the boxes (stray marks) that
were NOT sent to review, by kind of stray mark.
Prints a JSON summary (and writes it with --out); the figures go to docs/vision-benchmarks.md.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vision_report import emit

from calibration.profile import load_profile
from sample_ballots.synth.corpus import generate_ballot
from sample_ballots.synth.truth import MIXES, Strength
from station.cmd_demo import demo_election_path
from station.definition_io import load_election
from station.rules.marks import REFERRED_TO_PEOPLE
from vision.reader import read_page
from vision.reading import SYMBOLS, MarkClass
from vision.templates import build_templates


def run(profile: str, count: int, seed: int, show: int, severity: str, mix: str = "corpus") -> dict:
    cv2.setNumThreads(1)
    election = load_election(demo_election_path())
    templates = build_templates(election)
    prof = load_profile(profile)
    boxes = Counter()
    confusion: Counter[tuple[str, str]] = Counter()
    ballots = Counter()
    clean = Counter()  # ballots whose truth expects no review
    avoidable = Counter()  # …and that the count would not refer to people either (no filled box)
    clean_reasons: Counter[str] = Counter()
    strays: Counter[str] = Counter()  # ballots with ink outside the boxes, by outcome
    stray_missed: Counter[str] = Counter()  # …read as interpreted (not sent to people), by stray kind
    write = Counter()
    misreads: list[dict] = []
    doubtful_votes: list[dict] = []  # doubtful marks read as ○, × or √
    faint_votes: list[dict] = []  # faint marks read as ○, × or √
    unread: list[dict] = []
    t_read = 0.0
    started = time.monotonic()
    for i in range(count):
        sb = generate_ballot(profile, seed + i, severity=severity, mix=MIXES[mix])
        t0 = time.perf_counter()
        out = read_page(sb.image, templates, prof)
        t_read += time.perf_counter() - t0
        ballots[out.outcome] += 1
        if sb.truth.stray_marks:
            # Ink outside the boxes must reach the scrutineers (the ballot may be void).
            strays[out.outcome] += 1
            if out.outcome == "interpreted":
                stray_missed[",".join(sorted(m.kind.value for m in sb.truth.stray_marks))] += 1
        if not sb.truth.review_expected:
            clean[out.outcome] += 1
            # The count refers every filled box to people whatever the reader says: the
            # reader's review of such a ballot costs people nothing.
            if not any(t.truth_class in REFERRED_TO_PEOPLE for t in sb.truth.boxes):
                avoidable[out.outcome] += 1
            for r in getattr(out, "reasons", []):
                clean_reasons[f"{r.code.value}: {re.sub(r'[0-9.]+', '#', r.en)}"] += 1
        if out.outcome not in ("interpreted", "needs_review"):
            if len(unread) < show:
                unread.append({"seed": seed + i, "ballot": out.outcome, "why": getattr(out, "en", "")})
            continue
        got = {b.id: b for b in out.boxes}
        for t in sb.truth.boxes:
            r = got[t.id]
            confusion[(t.truth_class.value + ("?" if t.ambiguous else ""), r.mark_class.value)] += 1
            boxes["total"] += 1
            if t.ambiguous:
                boxes["ambiguous"] += 1
                boxes["ambiguous_decided"] += r.mark_class is not MarkClass.UNCLEAR
                vote = {"seed": seed + i, "box": t.id, "read": r.mark_class.value, "kind": t.kind.value,
                        "by": r.decided_by}  # fmt: skip
                # A faint mark (is it a mark at all?) counted as a vote is a guess, whatever
                # shape it has.
                if r.mark_class in SYMBOLS and t.strength is Strength.FAINT:
                    boxes["faint_read_as_vote"] += 1
                    faint_votes.append(vote)
                # A doubtful mark counted as a vote (○, ×, √) is a guess; filled or empty
                # send the ballot to people or count nothing.
                if r.mark_class in SYMBOLS and t.truth_class is MarkClass.UNCLEAR:
                    boxes["doubtful_read_as_vote"] += 1
                    doubtful_votes.append(vote)
            elif r.mark_class is MarkClass.UNCLEAR:
                boxes["review"] += 1
            elif r.mark_class != t.truth_class:
                boxes["misread"] += 1
                if len(misreads) < show:
                    misreads.append({"seed": seed + i, "box": t.id, "truth": t.truth_class.value,
                                     "read": r.mark_class.value, "kind": t.kind.value, "score": r.score})
            else:
                boxes["right"] += 1
        wgot = {w.id: w for w in out.write_ins}
        for t in sb.truth.write_ins:
            r = wgot[t.id]
            write["total"] += 1
            if t.ambiguous or r.has_writing is None:
                write["review_or_ambiguous"] += 1
            elif r.has_writing != t.has_writing:
                write["misread"] += 1
                if len(misreads) < show:
                    misreads.append({"seed": seed + i, "write_in": t.id, "truth": t.has_writing,
                                     "read": r.has_writing, "kind": t.kind.value})
        if (i + 1) % 100 == 0:
            print(f"  {i + 1}/{count} · {time.monotonic() - started:.0f} s", file=sys.stderr)
    n = max(count, 1)
    nc = max(sum(clean.values()), 1)
    return {
        "profile": profile, "severity": severity, "ballots": count, "seed": seed,
        "box_readings": boxes["total"],
        "misreads": boxes["misread"], "write_in_misreads": write["misread"],
        "box_review": boxes["review"], "ambiguous": boxes["ambiguous"], "ambiguous_decided": boxes["ambiguous_decided"],
        "doubtful_read_as_vote": boxes["doubtful_read_as_vote"], "mix": mix,
        "faint_read_as_vote": boxes["faint_read_as_vote"],
        "write_in_readings": write["total"],
        "ballot_outcomes": dict(ballots),
        "review_rate": round(ballots["needs_review"] / n, 4),
        "unreadable_rate": round((n - ballots["interpreted"] - ballots["needs_review"]) / n, 4),
        "ballots_not_expecting_review": sum(clean.values()),
        "review_rate_not_expected": round(clean["needs_review"] / nc, 4),
        "unreadable_rate_not_expected": round((nc - clean["interpreted"] - clean["needs_review"]) / nc, 4),
        "ballots_people_need_not_see": sum(avoidable.values()),
        "review_rate_avoidable": round(avoidable["needs_review"] / max(sum(avoidable.values()), 1), 4),
        "reasons_not_expected": dict(clean_reasons.most_common(12)),
        "ballots_with_stray_marks": sum(strays.values()),
        "stray_ballots_not_sent_to_review": strays["interpreted"],
        "stray_missed_by_kind": dict(stray_missed.most_common()),
        "read_ms_mean": round(1000 * t_read / n, 1),
        "confusion": {f"{a} -> {b}": c for (a, b), c in sorted(confusion.items())},
        "examples": misreads,
        "doubtful_vote_examples": doubtful_votes[:show],
        "faint_vote_examples": faint_votes[:show],
        "unreadable_examples": unread,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--profile", choices=["scanner", "camera"], default="scanner")
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1_000_000)
    ap.add_argument("--severity", default="full")
    ap.add_argument("--mix", choices=sorted(MIXES), default="corpus",
                    help="corpus: the corpus's own mix; doubtful: doubtful marks on every ballot, strays on half")
    ap.add_argument("--show", type=int, default=20, help="examples of misreads to list")
    ap.add_argument("--out", type=Path)
    a = ap.parse_args()
    return emit(run(a.profile, a.count, a.seed, a.show, a.severity, a.mix), a.out)


if __name__ == "__main__":
    sys.exit(main())
