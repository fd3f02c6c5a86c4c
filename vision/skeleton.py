"""The skeleton of a mark as a small graph: thinning, spur pruning, gap linking, branches.

A mark's shape is read from its centre line: how many ends and forks it has, how long its
branches are and which way they point, how far a single stroke turns. Pen skips and a
light hand break a stroke into pieces; two pieces whose ends face each other across a
short gap are joined before the shape is read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np


def _guo_hall_luts() -> tuple[np.ndarray, np.ndarray]:
    """Deletion tables of Guo & Hall's two-subiteration thinning (1989), indexed by the
    8-neighbour code. Unlike Zhang–Suen it never erases a two-pixel-thick diagonal."""
    luts = (np.zeros(256, dtype=bool), np.zeros(256, dtype=bool))
    for code in range(256):
        x = [(code >> i) & 1 for i in range(8)]  # x1..x8: E, NE, N, NW, W, SW, S, SE
        x1, x2, x3, x4, x5, x6, x7, x8 = x
        xs = [*x, x1]
        crossing = sum(1 for i in range(4) if xs[2 * i] == 0 and (xs[2 * i + 1] or xs[2 * i + 2]))
        n1 = sum(xs[2 * k] | xs[2 * k + 1] for k in range(4))
        n2 = sum(xs[2 * k + 1] | xs[2 * k + 2] for k in range(4))
        if crossing != 1 or not 2 <= min(n1, n2) <= 3:
            continue
        luts[0][code] = ((x2 | x3 | (1 - x8)) & x1) == 0
        luts[1][code] = ((x6 | x7 | (1 - x4)) & x5) == 0
    return luts


_LUTS = _guo_hall_luts()
_LUTS_U8 = tuple(lut.astype(np.uint8) for lut in _LUTS)  # for cv2.LUT: ~3× faster than indexing
# Weights of the neighbours E, NE, N, NW, W, SW, S, SE in a 3×3 window (row = y).
_CODE = np.array([[8, 4, 2], [16, 0, 1], [32, 64, 128]], dtype=np.float32)


def _codes(img: np.ndarray) -> np.ndarray:
    """The 8-neighbour code of every pixel of a 0/1 uint8 image (0–255: exact in uint8)."""
    return cv2.filter2D(img, cv2.CV_8U, _CODE, borderType=cv2.BORDER_CONSTANT)


def thin(mask: np.ndarray) -> np.ndarray:
    """Thin a binary mask to a one-pixel, 8-connected skeleton (on the mask's bounding box)."""
    ys, xs = np.nonzero(mask)
    out = np.zeros(mask.shape, dtype=bool)
    if ys.size == 0:
        return out
    y0, y1, x0, x1 = max(ys.min() - 1, 0), ys.max() + 2, max(xs.min() - 1, 0), xs.max() + 2
    img = mask[y0:y1, x0:x1].astype(np.uint8)
    while True:
        changed = False
        for lut in _LUTS_U8:
            delete = cv2.LUT(_codes(img), lut) & img
            if cv2.countNonZero(delete):
                img -= delete
                changed = True
        if not changed:
            break
    out[y0:y1, x0:x1] = img.astype(bool)
    return out


def _crossing_luts() -> np.ndarray:
    """Crossing number of every 8-neighbour code: the 0→1 steps going once around the ring.
    An end has 1, a line 2 (a staircase corner too), a fork 3 or more. Counting neighbours
    instead mistakes the staircase pixels that thinning leaves for ends and forks."""
    ring = [1, 2, 4, 8, 16, 32, 64, 128]  # E, NE, N, NW, W, SW, S, SE: cyclic order
    lut = np.zeros(256, dtype=np.int32)
    for code in range(256):
        bits = [1 if code & b else 0 for b in ring]
        lut[code] = sum(1 for i in range(8) if bits[i] == 0 and bits[(i + 1) % 8] == 1)
    return lut


_CROSSING = _crossing_luts()


def crossing_numbers(skel: np.ndarray) -> np.ndarray:
    """Crossing number per pixel (0 off the skeleton); an isolated pixel counts as an end.
    Two lines crossing at right angles thin to a 2×2 block whose pixels each cross twice:
    those count as a fork (3)."""
    sk = skel.astype(np.uint8)
    code = _codes(sk)
    cn = _CROSSING[code] * skel
    cn[(code == 0) & skel] = 1
    block = cv2.erode(sk, np.ones((2, 2), np.uint8), anchor=(0, 0), borderType=cv2.BORDER_CONSTANT, borderValue=0)
    if block.any():
        blocks = cv2.dilate(block, np.ones((2, 2), np.uint8), anchor=(1, 1)).astype(bool) & skel.astype(bool)
        cn[blocks] = np.maximum(cn[blocks], 3)
    return cn


@dataclass(frozen=True)
class End:
    y: float
    x: float
    dy: float  # unit direction pointing out of the stroke at this end
    dx: float


def ends(brs: list[Branch], reach: int) -> list[End]:
    """The free ends of a skeleton's branches, each with the direction pointing out of its
    stroke (measured over `reach` px of the branch)."""
    out = []
    for b in brs:
        if b.loop:
            continue
        for at, p in ((b.forks[0], b.points), (b.forks[1], b.points[::-1])):
            if at:
                continue
            q = p[: reach + 1]
            d = q[0] - q[-1]
            n = float(np.hypot(*d))
            dy, dx = (float(d[0] / n), float(d[1] / n)) if n > 0 else (0.0, 0.0)
            out.append(End(float(q[0][0]), float(q[0][1]), dy, dx))
    return out


def _gap(mask: np.ndarray, hidden: np.ndarray, a: tuple[float, float], b: tuple[float, float]) -> tuple[int, int]:
    """Along the segment a–b (y, x): pixels without ink, and of those the ones on bare paper."""
    line = np.zeros(mask.shape, np.uint8)
    cv2.line(line, (int(a[1]), int(a[0])), (int(b[1]), int(b[0])), 1, 1)
    empty = line.astype(bool) & ~mask
    return int(empty.sum()), int((empty & ~hidden).sum())


def link_gaps(
    mask: np.ndarray,
    skel: np.ndarray,
    brs: list[Branch],
    hidden: np.ndarray,
    max_gap: float,
    max_hidden: float,
    reach: int,
    width: int,
) -> tuple[np.ndarray, int]:
    """Join stroke pieces across short gaps (a ballpoint skip, a light hand): at most
    `max_gap` px of bare paper, or up to `max_hidden` px where print (`hidden`) may hide the
    ink. First two ends that face each other (each within 50° of the other's direction),
    then an end to the nearest stroke straight ahead of it (within 30°, over paper only).
    Returns the mask with the links drawn and how many were drawn. `brs`: the skeleton's
    branches (_graph)."""
    es = ends(brs, reach)
    if not es:
        return mask, 0
    mask = mask.astype(bool)
    out = mask.astype(np.uint8).copy()
    w = max(1, width)
    links: list[tuple[tuple[float, float], tuple[float, float]]] = []
    facing = math.cos(math.radians(50))
    pairs = []
    for i, a in enumerate(es):
        for j in range(i + 1, len(es)):
            b = es[j]
            vy, vx = b.y - a.y, b.x - a.x
            d = math.hypot(vy, vx)
            if not 1.0 < d <= max(max_gap, max_hidden):
                continue
            if (vy * a.dy + vx * a.dx) / d >= facing and -(vy * b.dy + vx * b.dx) / d >= facing:
                pairs.append((d, i, j))
    used: set[int] = set()
    for _, i, j in sorted(pairs):
        if i in used or j in used:
            continue
        a, b = (es[i].y, es[i].x), (es[j].y, es[j].x)
        empty, paper = _gap(mask, hidden, a, b)
        if empty == 0 or paper > max_gap or (empty > max_gap and paper > 0.3 * empty):
            continue
        used.update((i, j))
        links.append((a, b))
    sy, sx = np.nonzero(skel)
    pts = np.column_stack([sy, sx]).astype(np.float64)
    ahead_cos = math.cos(math.radians(30))
    for k, e in enumerate(es):
        if k in used:
            continue
        v = pts - np.array([e.y, e.x])
        dist = np.hypot(v[:, 0], v[:, 1])
        ok = ((v[:, 0] * e.dy + v[:, 1] * e.dx) > ahead_cos * dist) & (dist > 1.5) & (dist <= max_gap)
        if not ok.any():
            continue
        i = int(np.argmin(np.where(ok, dist, np.inf)))
        target = (float(pts[i][0]), float(pts[i][1]))
        if _gap(mask, hidden, (e.y, e.x), target)[0] > 0:
            links.append(((e.y, e.x), target))
    for a, b in links:
        cv2.line(out, (int(a[1]), int(a[0])), (int(b[1]), int(b[0])), 1, w)
    return out.astype(bool), len(links)


def enclosed_paper(mask: np.ndarray) -> np.ndarray:
    """Paper the mask encloses (not reachable from outside), as 0/1."""
    flood = cv2.copyMakeBorder(mask.astype(np.uint8), 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
    cv2.floodFill(flood, None, (0, 0), 1)
    return (flood[1:-1, 1:-1] == 0).astype(np.uint8)


def fill_specks(mask: np.ndarray, max_px: int) -> np.ndarray:
    """Fill enclosed paper smaller than `max_px` (grain inside a stroke, a pen's turn):
    thinning would make each a loop in the skeleton."""
    holes = enclosed_paper(mask)
    if not holes.any():
        return mask
    n, labels, stats, _ = cv2.connectedComponentsWithStats(holes, connectivity=4)
    small = np.zeros(n, dtype=bool)
    small[1:] = stats[1:, cv2.CC_STAT_AREA] <= max_px
    return mask | small[labels]


@dataclass(frozen=True)
class Branch:
    """A skeleton path between two nodes (free ends or forks), or a closed loop."""

    points: np.ndarray  # (N, 2) y, x, in order along the path
    length: float  # px, diagonal steps √2
    forks: tuple[int, int]  # fork label at the start and at the end of the path (0: a free end)
    loop: bool
    pixels: np.ndarray  # (M, 2) y, x: every skeleton pixel of the branch (staircase twins too)


def _path_length(p: np.ndarray) -> float:
    if len(p) < 2:
        return 0.0
    d = np.diff(p, axis=0)
    return float(np.hypot(d[:, 0], d[:, 1]).sum())


_NEIGHBOURS = np.array([[1, 1, 1], [1, 0, 1], [1, 1, 1]], np.float32)


def _neighbours(img: np.ndarray) -> np.ndarray:
    """How many of its 8 neighbours each pixel of a 0/1 uint8 image has."""
    return cv2.filter2D(img, cv2.CV_8U, _NEIGHBOURS, borderType=cv2.BORDER_CONSTANT)


def _order(comp: np.ndarray, nbrs: np.ndarray | None = None) -> tuple[np.ndarray, bool]:
    """The pixels (y, x) of one branch (a one-pixel-wide 8-connected curve, as a uint8
    mask) in path order, and whether the curve is closed. OpenCV's border following walks
    the curve to one tip and back; the walk between the two tips is the path. `nbrs`: the
    branch's pixels' neighbour counts (_neighbours), if known."""
    contours, _ = cv2.findContours(comp, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    c = max(contours, key=len).reshape(-1, 2)[:, ::-1]  # (y, x)
    if len(c) <= 2:
        return c.astype(np.float64), False
    if nbrs is None:
        nbrs = _neighbours(comp)
    tip = nbrs[c[:, 0], c[:, 1]] <= 1
    idx = np.flatnonzero(tip)
    if idx.size == 0:
        return c.astype(np.float64), True
    i = int(idx[0])
    c = np.concatenate((c[i:], c[:i]))
    tip = np.concatenate((tip[i:], tip[:i]))
    later = np.flatnonzero(tip[1:])
    end = int(later[0]) + 1 if later.size else len(c) - 1
    return c[: end + 1].astype(np.float64), False


def _graph(skel: np.ndarray, merge_px: float) -> tuple[list[Branch], int]:
    """Split a skeleton at its forks (crossing number ≥ 3, with their neighbours). Forks
    joined by a branch shorter than `merge_px` are one fork: thinning turns an acute
    crossing of two strokes into two forks a few pixels apart. Returns the branches and
    the number of forks."""
    cn = crossing_numbers(skel)
    forks = (cn >= 3).astype(np.uint8)
    # Fork pixels closer than half of `merge_px` belong to one fork.
    r = max(1, int(merge_px / 2))
    nf, clusters = cv2.connectedComponents(
        cv2.dilate(forks, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))), connectivity=8
    )
    fork_zone = cv2.dilate(forks, np.ones((3, 3), np.uint8)).astype(bool) & skel.astype(bool)
    rest = skel & ~fork_zone
    nb, blabels = cv2.connectedComponents(rest.astype(np.uint8), connectivity=8)
    # Which fork (if any) each pixel next to a fork zone touches.
    near = np.where(cv2.dilate(fork_zone.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool), clusters, 0)
    raw: list[Branch] = []
    rest8 = rest.astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(rest8, connectivity=8)
    # Neighbours within `rest` are neighbours within the piece: pieces are 8-connected components.
    nbrs = cv2.copyMakeBorder(_neighbours(rest8), 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
    for b in range(1, nb):
        x0, y0, w, h = stats[b, :4]
        piece = (blabels[y0 : y0 + h, x0 : x0 + w] == b).astype(np.uint8)
        comp = cv2.copyMakeBorder(piece, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
        p, loop = _order(comp, nbrs[y0 : y0 + h + 2, x0 : x0 + w + 2])
        p += np.array([y0 - 1, x0 - 1], dtype=np.float64)
        ys, xs = np.nonzero(comp)
        ys, xs = ys + y0 - 1, xs + x0 - 1
        at = (int(near[int(p[0][0]), int(p[0][1])]), int(near[int(p[-1][0]), int(p[-1][1])]))
        length = _path_length(p) + (1.0 if at[0] else 0.0) + (1.0 if at[1] else 0.0)
        raw.append(Branch(p, length, at, loop and not any(at), np.column_stack([ys, xs])))
    # Contract short branches between forks (union-find over fork labels).
    parent = list(range(nf))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for br in raw:
        a, b = br.forks
        if a and b and br.length < merge_px:
            parent[root(a)] = root(b)
    out: list[Branch] = []
    for br in raw:
        a, b = (root(f) if f else 0 for f in br.forks)
        if a and a == b and br.length < merge_px:
            continue  # inside one fork: debris of the crossing itself
        if (a or b) and br.length <= 2.5 and not (a and b):
            continue  # a stub off a fork
        out.append(Branch(br.points, br.length, (a, b), br.loop, br.pixels))
    return out, nf - 1


def branches(skel: np.ndarray, merge_px: float = 8.0) -> tuple[list[Branch], int]:
    """The skeleton as branches between forks (see _graph); a 'fork' left with two branches
    is a stroke passing through, and its two branches are one."""
    return merge_passing(*_graph(skel, merge_px))



def prune(skel: np.ndarray, max_len: float, merge_px: float = 8.0) -> tuple[np.ndarray, list[Branch], int]:
    """Remove spurs (thick strokes, pen blots and a pen's turn grow them): the shortest
    branch from a free end to a fork, when it is at most `max_len` px long and at least two
    other branches of the fork are longer. (The arms of a real × are all longer than any
    spur allowed here.) Returns the skeleton and its graph (_graph)."""
    skel = skel.copy()
    for _ in range(3):
        brs, nforks = _graph(skel, merge_px)
        at_fork: dict[int, list[Branch]] = {}
        for b in brs:
            for f in {b.forks[0], b.forks[1]} - {0}:
                at_fork.setdefault(f, []).append(b)
        removed = False
        for group in at_fork.values():
            spurs = [b for b in group if (b.forks[0] == 0) != (b.forks[1] == 0) and b.length <= max_len]
            if not spurs:
                continue
            spur = min(spurs, key=lambda b: b.length)
            if sum(1 for b in group if b is not spur and b.length > spur.length) >= 2:
                skel[spur.pixels[:, 0], spur.pixels[:, 1]] = False
                removed = True
        if not removed:
            return skel, brs, nforks
    brs, nforks = _graph(skel, merge_px)
    return skel, brs, nforks


def merge_passing(brs: list[Branch], nforks: int) -> tuple[list[Branch], int]:
    """A 'fork' with only two branches left is a stroke passing through: join them."""
    while True:
        degree = np.zeros(nforks + 1, dtype=int)
        for b in brs:
            for f in b.forks:
                degree[f] += 1
        passing = [f for f in range(1, nforks + 1) if degree[f] == 2]
        if not passing:
            break
        f = passing[0]
        two = [b for b in brs if f in b.forks]
        if len(two) != 2:  # one branch with both ends on it: a loop through a lone fork
            b = two[0]
            brs = [x for x in brs if x is not b] + [Branch(b.points, b.length, (0, 0), True, b.pixels)]
            continue
        a, b = two
        pa = a.points if a.forks[1] == f else a.points[::-1]
        pb = b.points if b.forks[0] == f else b.points[::-1]
        ends = (a.forks[0] if a.forks[1] == f else a.forks[1], b.forks[1] if b.forks[0] == f else b.forks[0])
        joined = Branch(np.vstack([pa, pb]), a.length + b.length, ends, False, np.vstack([a.pixels, b.pixels]))
        brs = [x for x in brs if x is not a and x is not b] + [joined]
    used = sorted({f for b in brs for f in b.forks if f})
    renumber = {f: i + 1 for i, f in enumerate(used)}
    renumber[0] = 0
    out = [Branch(b.points, b.length, (renumber[b.forks[0]], renumber[b.forks[1]]), b.loop, b.pixels) for b in brs]
    return out, len(used)


def corner_angles(points: np.ndarray, step: int) -> np.ndarray:
    """Along a path: at each point from `step` to len − step, the angle (degrees) between the
    chords to the points `step` before and after it (180 = straight)."""
    p = points
    if step < 2 or len(p) <= 2 * step:
        return np.full(0, 180.0)
    a = p[: -2 * step] - p[step:-step]
    b = p[2 * step :] - p[step:-step]
    cos = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1) + 1e-9)
    return np.degrees(np.arccos(np.clip(cos, -1, 1)))


def turning(points: np.ndarray, step: int) -> tuple[float, float, float, float]:
    """Along a path: total signed turning (degrees), the sharpest turn (degrees between the
    chords before and after a point, 180 = straight), where it is (index share 0–1), and
    the path's turning either way in all (degrees). Chords span `step` px so pen tremor does
    not count as turning."""
    p = points
    if step < 2 or len(p) <= 2 * step:
        return 0.0, 180.0, 0.5, 0.0
    idx = np.arange(0, len(p), max(step // 2, 1))
    q = p[idx]
    d = np.diff(q, axis=0)
    ang = np.arctan2(d[:, 0], d[:, 1])
    dturn = np.diff(ang)
    dturn = (dturn + np.pi) % (2 * np.pi) - np.pi
    total = float(np.degrees(dturn.sum()))
    sharp = corner_angles(p, step)
    i = int(np.argmin(sharp))
    return total, float(sharp[i]), float((step + i) / max(len(p) - 1, 1)), float(np.degrees(np.abs(dturn).sum()))
