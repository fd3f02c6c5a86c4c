"""The count must reconcile: ballots issued, ballots through the box's slot, ballots
scanned. Pure: numbers in, the differences people must look at out (never a verdict:
the rules decide validity; this only says what does not add up)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mismatch:
    code: str
    zh: str
    en: str


def reconcile(issued: int | None, in_box: int | None, scanned: int | None, reading: int) -> list[Mismatch]:
    """`reading`: images stored but not read yet; scanned counts settle only when it is 0."""
    out: list[Mismatch] = []
    if in_box is not None and issued is not None and in_box > issued:
        out.append(
            Mismatch(
                "box_over_issued",
                f"投票箱计数（{in_box}）多于发出票数（{issued}）",
                f"the box counted {in_box} ballots, more than the {issued} issued",
            )
        )
    if in_box is not None and scanned is not None and reading == 0 and scanned != in_box:
        more = "多于" if scanned > in_box else "少于"
        out.append(
            Mismatch(
                "scanned_vs_box",
                f"已扫描选票（{scanned}）{more}投票箱计数（{in_box}）",
                f"ballots scanned ({scanned}) differ from the box's count ({in_box})",
            )
        )
    if scanned is not None and issued is not None and scanned > issued:
        out.append(
            Mismatch(
                "scanned_over_issued",
                f"已扫描选票（{scanned}）多于发出票数（{issued}）",
                f"ballots scanned ({scanned}) exceed the {issued} issued",
            )
        )
    return out
