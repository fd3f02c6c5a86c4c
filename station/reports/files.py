"""Write a stage result's reports into a folder: JSON, two PDFs, two CSVs."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from station.errors import cannot_write
from station.printing import prepare_out_dir
from station.reports.content import Order, Table, count_report, people_tables, result_report
from station.reports.pdf import write_pdf
from station.rules.tally import StageResult


@dataclass(frozen=True)
class Written:
    json: Path
    count_pdf: Path
    result_pdf: Path
    people_csv: Path
    totals_csv: Path
    grades_csv: Path | None  # 民主测评 only: grade counts per evaluator group


def _csv(tables: list[Table]) -> str:
    """One CSV of tables that share their columns (the first table's header is the header)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    if tables:
        w.writerow([f"{zh} {en}" for zh, en in tables[0].columns])
    for t in tables:
        w.writerows(t.rows)
    return out.getvalue()


def totals_rows(r: StageResult) -> list[tuple[str, str]]:
    a, t = r.attendance, r.totals
    rows = [
        ("election", r.election_id), ("stage", r.stage_id), ("kind", r.kind.value), ("status", r.status.value),
        ("regulation", r.regulation.value),
        ("should_attend", "" if a.should_attend is None else str(a.should_attend)), ("excused", str(a.excused)),
        ("present", str(a.present)), ("issued", str(a.issued)), ("pages", str(t.pages)),
        ("blank_pages", str(t.blank_pages)), ("excluded", str(t.excluded)), ("returned", str(t.returned)),
        ("valid", str(t.valid)), ("invalid", str(t.invalid)), ("pending", str(t.pending)),
    ]
    rows += [(f"invalid:{k}", str(v)) for k, v in t.invalid_by_reason.items()]
    rows += [(f"policy:{k}", str(v)) for k, v in r.policies.model_dump(mode="json").items()]
    rows += [(f"counting:{k}", str(v)) for k, v in r.counting.model_dump(mode="json").items()]
    rows += [("evidence_sha256", r.evidence_sha256), ("definition_sha256", r.definition_sha256)]
    return rows


def _write(path: Path, text: str, encoding: str = "utf-8") -> None:
    try:
        path.write_text(text, encoding=encoding)
    except OSError as err:
        raise cannot_write(path, err) from None


def write_reports(result: StageResult, out: Path, order: Order = "strokes") -> Written:
    prepare_out_dir(out)
    stem = out / f"{result.election_id}-{result.stage_id}"
    w = Written(
        json=stem.with_name(stem.name + "-result.json"),
        count_pdf=stem.with_name(stem.name + "-count-report.pdf"),
        result_pdf=stem.with_name(stem.name + "-result-report.pdf"),
        people_csv=stem.with_name(stem.name + "-people.csv"),
        totals_csv=stem.with_name(stem.name + "-totals.csv"),
        grades_csv=stem.with_name(stem.name + "-grades.csv") if result.kind == "evaluation" else None,
    )
    _write(w.json, result.model_dump_json(indent=1))
    write_pdf(count_report(result, order), w.count_pdf)
    write_pdf(result_report(result), w.result_pdf)
    tables = [t for c in result.contests for t in people_tables(c, order)]
    # utf-8-sig: spreadsheet programs on Chinese Windows open it with the right characters.
    _write(w.people_csv, _csv([t for t in tables if t.key == "people"]), "utf-8-sig")
    if w.grades_csv:
        _write(w.grades_csv, _csv([t for t in tables if t.key == "evaluation"]), "utf-8-sig")
    out_totals = io.StringIO()
    csv.writer(out_totals, lineterminator="\n").writerows([("key", "value"), *totals_rows(result)])
    _write(w.totals_csv, out_totals.getvalue(), "utf-8-sig")
    return w
