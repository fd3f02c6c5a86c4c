"""Shared output of the vision benchmarks: the JSON summary on stdout, and in a file."""

from __future__ import annotations

import json
from pathlib import Path


def emit(result: dict, out: Path | None) -> int:
    text = json.dumps(result, ensure_ascii=False, indent=1)
    print(text)
    if out:
        out.write_text(text + "\n", encoding="utf-8")
    return 0
