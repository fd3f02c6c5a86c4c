"""Surname-stroke order (按姓氏笔画排序) on names that trip up simple sorts."""

from __future__ import annotations

import pytest

from station.errors import StrokeDataMissing
from station.strokes import sort_names, split_surname, stroke_count, strokes


@pytest.mark.parametrize(
    ("char", "count"),
    [("丁", 2), ("王", 4), ("亓", 4), ("李", 7), ("张", 7), ("陈", 7), ("欧", 8), ("赵", 9), ("司", 5)],
)
def test_stroke_counts(char: str, count: int) -> None:
    assert stroke_count(char) == count


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        # equal count (4): 王 starts 横横竖横, 亓 starts 横横撇竖 → 竖 before 撇
        (["亓明", "王明"], ["王明", "亓明"]),
        # equal count (7): 李 starts with 横, 张 with 折 → 横 first
        (["张伟", "李秀英"], ["李秀英", "张伟"]),
        # 张 5153154 vs 陈 5211534: second stroke 横 before 竖
        (["陈静", "张伟"], ["张伟", "陈静"]),
        # fewer strokes first, whatever the given name
        (["赵一", "丁鑫鑫"], ["丁鑫鑫", "赵一"]),
        # same surname: the given name decides
        (["王建国", "王一"], ["王一", "王建国"]),
        # compound surname is one unit: every 欧 before every 欧阳, even when 阳 < 丽
        (["欧阳一", "欧丽", "欧文"], ["欧文", "欧丽", "欧阳一"]),
        # 司马 vs 司 (single) and 上官 vs 上
        (["司马光", "司一"], ["司一", "司马光"]),
        (["上官文静", "上进"], ["上进", "上官文静"]),
        # a two-character name sorts before a longer one with the same prefix
        (["王建国", "王建"], ["王建", "王建国"]),
        # minority names with a separator dot
        (["阿依古丽·买买提", "丁一"], ["丁一", "阿依古丽·买买提"]),
    ],
)
def test_order(names: list[str], expected: list[str]) -> None:
    assert sort_names(names) == expected


def test_order_is_independent_of_input_order() -> None:
    names = ["张伟", "欧阳晓燕", "王建国", "亓凤英", "丁一凡", "上官文静", "陈静", "赵敏", "李秀英"]
    assert sort_names(names) == sort_names(list(reversed(names)))


@pytest.mark.parametrize(
    ("name", "parts"),
    [("欧阳晓燕", ("欧阳", "晓燕")), ("欧阳", ("欧", "阳")), ("诸葛明", ("诸葛", "明")), ("王五", ("王", "五"))],
)
def test_split_surname(name: str, parts: tuple[str, str]) -> None:
    # a bare two-character name that looks compound (欧阳) is read as surname 欧 + name 阳
    assert split_surname(name) == parts


def test_explicit_surname_wins() -> None:
    assert split_surname("第五伦", "第五") == ("第五", "伦")
    with pytest.raises(StrokeDataMissing):
        split_surname("王伦", "第五")


@pytest.mark.parametrize("name", ["John", "王😀", "𠀀明"])
def test_unknown_characters_are_a_clear_error(name: str) -> None:
    with pytest.raises(StrokeDataMissing) as err:
        sort_names([name, "王明"])
    assert "笔画数据" in err.value.zh and "stroke data" in err.value.en


def test_stroke_sequence_digits() -> None:
    assert strokes("王") == "1121" and strokes("亓") == "1132"
