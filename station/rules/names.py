"""People's names in results: normalising written names, and stroke order that never fails."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from station.errors import StrokeDataMissing
from station.strokes import name_key


def normalise_name(name: str) -> str:
    """The form a written-in name is aggregated under.

    NFKC folds full-width letters and compatibility forms; whitespace is dropped because a
    Chinese name never contains a space, so "王 伟" and "王伟" are one person. Anything else
    (homophones, variant characters) is for scrutineers: they assign the name.
    """
    return "".join(unicodedata.normalize("NFKC", name).split())


def person_key(name: str) -> tuple:
    """Surname-stroke order; a written-in name with a character the stroke table lacks
    sorts after all others by code point instead of failing the whole count."""
    try:
        return (0, name_key(name))
    except StrokeDataMissing:
        return (1, name)


def by_strokes(names: Iterable[str]) -> list[str]:
    return sorted(names, key=person_key)
