"""Train the shape model (vision.shape_model) on the synthetic corpus and ship its weights.

    python -m calibration.train_shape_model collect --profile scanner --seed 43000000 --count 2500 --out D/s.npz
    python -m calibration.train_shape_model train D/s.npz D/c.npz ... [--out calibration/shape_model.npz]
    python -m calibration.train_shape_model check --profile camera D/valid.npz   # on held-out data

`collect` reads generated ballots through the real reader (the rules alone) and keeps, for
every mark box with ink, the model's input and the truth: the drawn class, or DOUBTFUL for a
mark the corpus labels ambiguous. `train` fits an ensemble of two-layer networks with plain
numpy (Adam, weight decay, label smoothing, a bootstrap resample each; seeded and on one
thread, so the same files in the same order give the same weights). The exact commands and
seeds of the shipped file are in docs/vision.md (step 9) and in the file (`trained_on`): the
benchmarks must use other seeds.
"""

from __future__ import annotations

import os

# One BLAS thread: a matrix product summed in another order changes the weights' last bits,
# and the shipped file must be reproducible from the documented command.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from calibration.profile import SecondOpinion, load_profile  # noqa: E402
from vision.mark_rules import MarkRule  # noqa: E402
from vision.marks import Verdict  # noqa: E402
from vision.reading import MarkClass  # noqa: E402
from vision.shape_model import CLASS_OF, LABEL_OF, SHIPPED, ShapeLabel, ShapeModel, second_opinion  # noqa: E402

HIDDEN = 96


def collect(profile: str, seed: int, count: int, mix: str) -> dict[str, np.ndarray]:
    """Inputs, labels, the rules' verdict (class:rule) and what the guards need (the ink's
    darkness, paper in the middle) of every inked mark box."""
    from sample_ballots.synth.corpus import generate_ballot
    from sample_ballots.synth.truth import MIXES
    from station.cmd_demo import demo_election_path
    from station.definition_io import load_election
    from vision.marks import never_filled
    from vision.reader import mark_evidence
    from vision.templates import build_templates

    cv2.setNumThreads(1)
    templates = build_templates(load_election(demo_election_path()))
    prof = load_profile(profile).model_copy(update={"second_opinion": SecondOpinion(use=False)})
    xs: list[np.ndarray] = []
    ys: list[int] = []
    rules: list[str] = []
    tones: list[float] = []
    holed: list[bool] = []
    started = time.monotonic()
    for i in range(count):
        sb = generate_ballot(profile, seed + i, mix=MIXES[mix])
        ev = mark_evidence(sb.image, templates, prof)
        if ev is None:
            continue
        for t in sb.truth.boxes:
            e = ev[t.id]
            if e.model_input is None:
                continue
            xs.append(e.model_input)
            ys.append(int(ShapeLabel.DOUBTFUL if t.ambiguous else LABEL_OF[MarkClass(t.truth_class)]))
            rules.append(f"{e.rules.mark_class.value}:{e.rules.rule}")
            tones.append(e.ink_darkness)
            holed.append(never_filled(e.features, prof.marks))
        if (i + 1) % 250 == 0:
            elapsed = time.monotonic() - started
            print(f"  {profile} {i + 1}/{count} · {len(ys)} boxes · {elapsed:.0f} s", file=sys.stderr)
    return {
        "x": np.stack(xs),
        "y": np.asarray(ys, np.int64),
        "rules": np.asarray(rules),
        "tone": np.asarray(tones),
        "holed": np.asarray(holed),
    }


def _member(
    z: np.ndarray, y: np.ndarray, rng: np.random.Generator, epochs: int, smoothing: float, decay: float
) -> dict[str, np.ndarray]:
    """One network, on a bootstrap resample of the boxes."""
    n, d = z.shape
    k = len(ShapeLabel)
    params = {
        "w1": (rng.standard_normal((d, HIDDEN)) * np.sqrt(2.0 / d)).astype(np.float32),
        "b1": np.zeros(HIDDEN, np.float32),
        "w2": (rng.standard_normal((HIDDEN, k)) * np.sqrt(1.0 / HIDDEN)).astype(np.float32),
        "b2": np.zeros(k, np.float32),
    }
    m = {name: np.zeros_like(v) for name, v in params.items()}
    v2 = {name: np.zeros_like(v) for name, v in params.items()}
    lr, batch, step = 1e-3, 256, 0
    # Label smoothing keeps the network from claiming certainty it has not earned.
    target = np.full((k, k), smoothing / k, np.float32) + np.eye(k, dtype=np.float32) * (1 - smoothing)
    sample = rng.integers(0, n, n)
    for epoch in range(epochs):
        order = sample[rng.permutation(n)]
        loss = 0.0
        for s in range(0, n, batch):
            idx = order[s : s + batch]
            xb, tb = z[idx], target[y[idx]]
            h = np.maximum(xb @ params["w1"] + params["b1"], 0.0)
            logits = h @ params["w2"] + params["b2"]
            logits -= logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            loss += float(-(tb * np.log(p + 1e-12)).sum())
            g = (p - tb) / len(idx)
            grads = {"w2": h.T @ g, "b2": g.sum(axis=0)}
            gh = (g @ params["w2"].T) * (h > 0)
            grads["w1"] = xb.T @ gh
            grads["b1"] = gh.sum(axis=0)
            step += 1
            for name in params:
                gr = grads[name] + (decay * params[name] if name.startswith("w") else 0.0)
                m[name] = 0.9 * m[name] + 0.1 * gr
                v2[name] = 0.999 * v2[name] + 0.001 * gr * gr
                params[name] -= lr * (m[name] / (1 - 0.9**step)) / (np.sqrt(v2[name] / (1 - 0.999**step)) + 1e-8)
        if epoch == epochs * 3 // 4:
            lr /= 5
        print(f"    epoch {epoch + 1}/{epochs}: loss {loss / n:.4f}", file=sys.stderr)
    return params


def train(
    x: np.ndarray, y: np.ndarray, note: str, members: int = 5, epochs: int = 25, smoothing: float = 0.01,
    decay: float = 5e-4, seed: int = 1,
) -> ShapeModel:  # fmt: skip
    rng = np.random.default_rng(seed)
    mean = x.mean(axis=0)
    scale = np.maximum(x.std(axis=0), 1e-3)
    z = ((x - mean) / scale).astype(np.float32)
    nets = []
    for i in range(members):
        print(f"  member {i + 1}/{members}", file=sys.stderr)
        nets.append(_member(z, y, rng, epochs, smoothing, decay))
    stack = {name: np.stack([net[name] for net in nets]).astype(np.float64) for name in nets[0]}
    setup = f"{members} members, {epochs} epochs, smoothing {smoothing}, decay {decay}, seed {seed}"
    return ShapeModel(
        mean=mean.astype(np.float64), scale=scale.astype(np.float64), **stack, trained_on=f"{note} ({setup})"
    )


def check(members: np.ndarray, data: dict[str, np.ndarray], t: SecondOpinion) -> Counter[str]:
    """What the second opinion does on held-out boxes: vetoes, and classes it settles, right
    or wrong against the truth; and clear marks it leaves unclear, by the rules' reason."""
    y, rules = data["y"], data["rules"]
    out: Counter[str] = Counter()
    for i in range(len(y)):
        cls, rule = str(rules[i]).split(":")
        unclear = cls == MarkClass.UNCLEAR.value
        v = Verdict(MarkClass(cls), 0.0 if unclear else 1.0, unclear, "", MarkRule(rule))
        o = second_opinion(v, members[i], t, holed=bool(data["holed"][i]), ink_darkness=float(data["tone"][i]))
        truth = CLASS_OF[ShapeLabel(int(y[i]))]
        if o.rule is MarkRule.VETO:
            out["vetoed, " + ("right" if v.mark_class is truth else "wrong or doubtful") + " by the rules"] += 1
        elif o.rule is MarkRule.MODEL:
            out[f"settled ({rule}), " + ("right" if o.mark_class is truth else "WRONG")] += 1
        elif unclear and truth is not MarkClass.UNCLEAR:
            out[f"left unclear ({rule}), clear truth"] += 1
    return out


def _load(paths: list[Path]) -> tuple[dict[str, np.ndarray], list[str]]:
    keys = ("x", "y", "rules", "tone", "holed")
    parts: dict[str, list[np.ndarray]] = {k: [] for k in keys}
    notes = []
    for p in paths:
        with np.load(p, allow_pickle=False) as d:
            for k in keys:
                parts[k].append(d[k])
            notes.append(str(d["note"]))
    return {k: np.concatenate(v) for k, v in parts.items()}, notes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("collect")
    c.add_argument("--profile", required=True)
    c.add_argument("--seed", type=int, required=True)
    c.add_argument("--count", type=int, required=True)
    c.add_argument("--mix", default="corpus")
    c.add_argument("--out", type=Path, required=True)
    t = sub.add_parser("train")
    t.add_argument("data", type=Path, nargs="+")
    t.add_argument("--epochs", type=int, default=25)
    t.add_argument("--members", type=int, default=5)
    t.add_argument("--out", type=Path, default=Path(__file__).parent / SHIPPED)
    k = sub.add_parser("check")
    k.add_argument("--model", type=Path, default=Path(__file__).parent / SHIPPED)
    k.add_argument("--profile", default="scanner", help="whose second_opinion thresholds")
    k.add_argument("data", type=Path, nargs="+")
    a = ap.parse_args(argv)
    if a.cmd == "collect":
        data = collect(a.profile, a.seed, a.count, a.mix)
        note = f"{a.profile} seeds {a.seed}–{a.seed + a.count - 1} ({a.mix} mix): {len(data['y'])} boxes"
        np.savez_compressed(a.out, **data, note=np.array(note))
        print(note)
    elif a.cmd == "train":
        data, notes = _load(a.data)
        x, y = data["x"], data["y"]
        model = train(x, y, "; ".join(notes), members=a.members, epochs=a.epochs)
        model.save(a.out)
        model = ShapeModel.from_file(a.out)  # as it will be used: stored in float32
        acc = float((model.probabilities(x).argmax(axis=1) == y).mean())
        print(f"trained on {len(y)} boxes ({'; '.join(notes)}); training accuracy {acc:.4f} → {a.out}")
    else:
        model = ShapeModel.from_file(a.model)
        data, notes = _load(a.data)
        y = data["y"]
        members = np.stack([model.member_probabilities(x) for x in data["x"]])  # one by one, as the reader does
        print(f"{len(y)} boxes ({'; '.join(notes)}): accuracy {(members.mean(axis=1).argmax(axis=1) == y).mean():.4f}")
        for what, n in sorted(check(members, data, load_profile(a.profile).second_opinion).items()):
            print(f"  {what}: {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
