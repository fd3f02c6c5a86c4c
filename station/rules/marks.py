"""What a mark class means in each kind of box: the one table of mark semantics.

Vision reports a class per box (vision/reading.py): empty, filled, tick, cross, circle,
unclear. The rules turn it into a meaning:

  YES     the voter says yes: ○ agree (选举票), chosen (推荐票), trust / no trust (信任票,
          in the column marked), this grade (测评票), ○ above a write-in
  NO      × disagree: only in the candidate's symbol box of an election ballot
  NONE    nothing: abstain / not chosen
  REVIEW  people must look (never guess)

| class   | symbol (选举)     | alt_symbol, choose, blank_symbol, trust, distrust | grade (测评)       |
|---------|-------------------|---------------------------------------------------|--------------------|
| empty   | NONE (abstain)    | NONE                                              | NONE               |
| circle  | YES (agree)       | YES                                               | YES if tick policy agree |
| tick    | YES if tick policy agree | YES if tick policy agree                   | YES (asked for)    |
| cross   | NO (disagree)     | REVIEW: × is not a prescribed mark here           | REVIEW             |
| filled  | REVIEW            | REVIEW                                            | REVIEW             |
| unclear | REVIEW            | REVIEW                                            | REVIEW             |

"If tick policy agree" means YES when policies.tick is agree, else REVIEW.
The tick policy (election.policies.tick) is national practice for √ where ○ is asked;
on a grade box, where √ is asked, the same policy governs the other positive mark, ○.
A solid fill is REVIEW everywhere: voters fill a box to agree and to cancel a mark alike.

A scrutineer's decision is final: a decided ○ or √ is YES, a decided × is NO in a symbol
box and NONE elsewhere (people who let a × stand on a choice box read it as "not
chosen"; had they judged it a forbidden mark they would void the ballot).
"""

from __future__ import annotations

from enum import StrEnum

from station.election import Policies, TickPolicy
from station.layout import BoxRole
from vision.reading import MarkClass


class Meaning(StrEnum):
    YES = "yes"
    NO = "no"
    NONE = "none"
    REVIEW = "review"


# What the count always refers to the scrutineers, whatever the box: a filled box (a vote or
# a cancelled mark?) and a mark the reader could not read.
REFERRED_TO_PEOPLE = frozenset({MarkClass.FILLED, MarkClass.UNCLEAR})


def meaning(role: BoxRole, mark: MarkClass, policies: Policies, decided: bool = False) -> Meaning:
    if mark is MarkClass.EMPTY:
        return Meaning.NONE
    if mark is MarkClass.CROSS:
        if role is BoxRole.SYMBOL:
            return Meaning.NO
        return Meaning.NONE if decided else Meaning.REVIEW
    if mark in REFERRED_TO_PEOPLE:
        return Meaning.REVIEW
    # A positive mark: ○ or √. Which one the sheet asks for depends on the box.
    asked = MarkClass.TICK if role is BoxRole.GRADE else MarkClass.CIRCLE
    if mark is asked or decided or policies.tick is TickPolicy.AGREE:
        return Meaning.YES
    return Meaning.REVIEW
