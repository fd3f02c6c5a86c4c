"""Errors that reach users: always Chinese first, then English, never a traceback."""

from __future__ import annotations


class StationError(Exception):
    """An error a user can act on. `zh` and `en` say the same thing in each language."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en

    def bilingual(self) -> str:
        return f"{self.zh}\n{self.en}"


class DefinitionError(StationError):
    """The election definition file is malformed or breaks a rule."""


class StrokeDataMissing(StationError):
    """A name holds a character the offline stroke table does not know."""


class OutputError(StationError):
    """An output folder or file cannot be written."""


def cannot_write(path: object, err: OSError | None = None) -> OutputError:
    why = f"：{err.strerror}" if err and err.strerror else ""
    why_en = f": {err.strerror}" if err and err.strerror else ""
    return OutputError(f"无法写入 {path}{why}", f"cannot write {path}{why_en}")
