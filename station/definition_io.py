"""Reading and writing election definition files (YAML or JSON), with bilingual errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from station.election import Election
from station.errors import DefinitionError, StationError

# Chinese for the pydantic error types a person writing a definition will meet.
_ZH_BY_TYPE: dict[str, str] = {
    "missing": "缺少必填项",
    "extra_forbidden": "不认识的字段（是否拼写错误？）",
    "greater_than_equal": "数值过小，须不小于 {ge}",
    "greater_than": "数值过小，须大于 {gt}",
    "less_than_equal": "数值过大，须不大于 {le}",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "int_from_float": "须为整数",
    "float_parsing": "须为数字",
    "bool_parsing": "须为 true 或 false",
    "string_type": "须为文字",
    "string_too_short": "不能为空",
    "string_too_long": "过长",
    "string_pattern_mismatch": "格式不对：只可用小写英文字母、数字和“-”",
    "list_type": "须为列表",
    "too_short": "至少需要 {min_length} 项",
    "enum": "取值须为：{expected}",
    "literal_error": "取值须为：{expected}",
    "date_from_datetime_parsing": "须为日期，如 2026-12-01",
    "date_parsing": "须为日期，如 2026-12-01",
    "date_type": "须为日期，如 2026-12-01",
    "model_type": "须为键值结构",
    "dict_type": "须为键值结构",
}


def _where(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for p in loc:
        if isinstance(p, int):
            parts.append(f"[{p + 1}]")  # people count from 1
        else:
            parts.append(("." if parts else "") + str(p))
    return "".join(parts) or "(文件顶层 / top level)"


def format_validation_error(err: ValidationError, source: str) -> DefinitionError:
    zh_lines: list[str] = []
    en_lines: list[str] = []
    for e in err.errors():
        where = _where(tuple(e["loc"]))
        msg = e["msg"]
        if e["type"] == "value_error":
            # Our own validators already speak both languages: "中文 / English".
            text = str(e.get("ctx", {}).get("error", msg))
            zh, sep, en = text.rpartition(" / ")  # Chinese may hold " / "; English never does
            if not sep:
                zh = en = text
            zh_lines.append(f"  {where}：{zh}")
            en_lines.append(f"  {where}: {en}")
            continue
        ctx = {k: v for k, v in (e.get("ctx") or {}).items()}
        zh = _ZH_BY_TYPE.get(e["type"], "取值无效").format_map(_Default(ctx))
        zh_lines.append(f"  {where}：{zh}")
        en_lines.append(f"  {where}: {msg}")
    return DefinitionError(
        f"选举定义文件有误（{source}）：\n" + "\n".join(zh_lines),
        f"the election definition is not valid ({source}):\n" + "\n".join(en_lines),
    )


class _Default(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def parse_election(data: Any, source: str = "<data>") -> Election:
    try:
        return Election.model_validate(data)
    except ValidationError as err:
        raise format_validation_error(err, source) from None
    except StationError:
        raise


def load_election(path: str | Path) -> Election:
    """Load and validate a definition file; every failure is a bilingual DefinitionError."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DefinitionError(f"找不到选举定义文件：{p}", f"election file not found: {p}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise DefinitionError(
            f"无法读取选举定义文件 {p}：{err}", f"cannot read election file {p}: {err}"
        ) from None
    try:
        data = json.loads(text) if p.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as err:
        mark = getattr(err, "problem_mark", None)
        at = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else ""
        at_en = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise DefinitionError(
            f"选举定义文件格式错误（{p}）{at}：{err}",
            f"election file is not valid YAML/JSON ({p}){at_en}: {err}",
        ) from None
    if not isinstance(data, dict):
        raise DefinitionError(
            f"选举定义文件须为键值结构（{p}）", f"election file must be a mapping at the top ({p})"
        )
    election = parse_election(data, str(p))
    # Imported here: the layout engine depends on the model, not the other way round.
    from station.ballot_layout import check_fits

    check_fits(election)
    return election


def dump_election(election: Election) -> str:
    """JSON text that `parse_election` reads back to an equal Election."""
    return election.model_dump_json(indent=2, exclude_defaults=False)


def election_json_schema() -> dict[str, Any]:
    schema = Election.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "计票站选举定义 / Ballot station election definition"
    return schema
