"""Synthetic filled ballots with ground truth, for vision tests and the accuracy benchmark.

Printed demo ballots (the real PDF, really rendered) + handwriting-like ink from four kinds
of pen + a scanner or camera → an image, its page-mm → pixel homography, and the truth
of every box. See docs/corpus.md.

    from sample_ballots.synth import generate_ballot
    b = generate_ballot("camera", seed=3, stage="xuanju")
"""

from sample_ballots.synth.corpus import CorpusWriter, Profile, SynthBallot, generate_ballot, iter_corpus, read_truth
from sample_ballots.synth.fill import FillPlan, PlannedMark, PlannedWriteIn, plan_ballot
from sample_ballots.synth.templates import Templates, demo_templates
from sample_ballots.synth.truth import (
    BallotTruth,
    CameraParams,
    FillMix,
    FillPolicy,
    MarkKind,
    MarkTruth,
    PenKind,
    ScannerParams,
    Severity,
    StrayKind,
    Strength,
    WriteInTruth,
    WriteKind,
)

__all__ = [
    "BallotTruth",
    "CameraParams",
    "CorpusWriter",
    "FillMix",
    "FillPlan",
    "FillPolicy",
    "MarkKind",
    "MarkTruth",
    "PenKind",
    "PlannedMark",
    "PlannedWriteIn",
    "Profile",
    "ScannerParams",
    "Severity",
    "StrayKind",
    "Strength",
    "SynthBallot",
    "Templates",
    "WriteInTruth",
    "WriteKind",
    "demo_templates",
    "generate_ballot",
    "iter_corpus",
    "plan_ballot",
    "read_truth",
]
