"""The JSON report (contract section 5) and the JSON of the headline sections, caseload and suppressions."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator

import polars as pl

from sendcheck import __version__
from sendcheck.audit import Audit
from sendcheck.figures import small_counts as suppression
from sendcheck.figures.caseload import (
    Caseload,
)
from sendcheck.figures.forecast import forecast_json
from sendcheck.figures.headline import Headline, suppressed_backlog, suppressed_caseload
from sendcheck.figures.labels import labels
from sendcheck.figures.measures import Measure
from sendcheck.figures.national import national
from sendcheck.figures.periods import Period
from sendcheck.views.changes import changes_section
from sendcheck.views.findings import (
    coverage_json,
    findings_frame,
    listed,
    quality_summary,
    rejected_rows,
    rows_account,
    rules_list,
    summary,
    suppressed_findings,
    totals,
)
from sendcheck.views.summary import case_totals


def to_json_dict(audit: Audit, all_statuses: bool = False, personal: bool = False,
                 findings_frame_only: bool = False) -> dict:
    """The JSON report as a dict. With `findings_frame_only`, `findings` is left as a polars
    frame (to_json writes it without building a Python dict per finding)."""
    found = findings_frame(audit, all_statuses, personal)
    findings = found.with_columns(
        [pl.col(c).cast(pl.String) for c in ("start", "due", "done", "note_date")
         if c in found.columns])
    if not findings_frame_only:
        findings = findings.to_dicts()
    return {
        "sendcheck_version": __version__,
        "as_of": audit.options.as_of.isoformat(),
        # Every file read, the review history (--reviews) last, as the contract's shape.
        "inputs": [{"path": t.path, "sheet": t.sheet, "rows": t.rows, "sha256": t.sha256}
                   for t in audit.tables + ([audit.reviews.table] if audit.reviews else [])],
        "rows": rows_account(audit),
        "rules": rules_list(audit),
        "summary": summary(audit),
        "coverage": coverage_json(audit),
        # Where the as-of date came from (--as-of, a SEN2 return's ReferenceDate, today) and the
        # sendcheck.toml in use (null: none, the defaults).
        "as_of_source": audit.options.as_of_source,
        "config": audit.config.path,
        "data_quality": quality_summary(audit),
        "totals": {**totals(audit), **case_totals(audit)},
        "rejected_rows": rejected_rows(audit),
        "findings": findings,
        **suppression_section(audit, personal),
        **benchmark_section(audit),
        **breakdowns_section(audit),
        **headline_section(audit),
        **({"reviews": audit.reviews.summary()} if audit.reviews is not None else {}),
        **changes_section(audit),
        **notes_section(audit),
    }


def notes_section(audit: Audit) -> dict:
    """JSON key `notes` (with a history): cases overdue with a note in the window and untouched,
    and what this run read from the team's files (unmatched notes by place, never by text)."""
    from sendcheck.history.notes import note_counts

    counts = note_counts(audit)
    if counts is None:
        return {}
    kept = audit.notes_kept
    return {"notes": {**counts, "untouched_filter": audit.untouched,
                      "read": kept.to_dict() if kept is not None else None}}


def headline_section(audit: Audit) -> dict:
    """JSON keys `measures`, `backlog`, `caseload`: present when the measures were computed."""
    if audit.headline is None:
        return {}
    from sendcheck.views.json import headline_json

    return headline_json(audit.headline)


def benchmark_section(audit: Audit) -> dict:
    """JSON key `benchmark` (with the measures): our figures beside DfE's published ones for the
    run's authority, and the reconciliation with DfE (figures/benchmark.py)."""
    if audit.headline is None:
        return {}
    from sendcheck.figures.benchmark import benchmark_for

    items = measures_json(audit.headline.measures, audit.headline.period, audit.headline.cohort,
                          audit.headline.suppress_below)["items"]
    return {"benchmark": benchmark_for(audit, items)}


def breakdowns_section(audit: Audit) -> dict:
    """JSON key `breakdowns` (--by): one entry per dimension, groups adding up to `total`."""
    if not audit.breakdowns:
        return {}
    below = audit.headline.suppress_below if audit.headline is not None else None
    return {"breakdowns": [b.as_json(below) for b in audit.breakdowns]}


def suppression_section(audit: Audit, personal: bool = False) -> dict:
    """JSON keys for [[suppress]]: present only when the configuration has suppressions."""
    if not audit.config.suppress:
        return {}
    found = suppressed_findings(audit, personal).with_columns(pl.col(pl.Date).cast(pl.String))
    return {
        "suppressed": found.to_dicts(),
        "suppressions_unmatched": [
            {"entry": s.key, "record_id": s.record_id, "rule": s.rule, "kind": s.kind,
             "reason": s.reason} for s in audit.unmatched_suppressions],
    }


_FINDINGS_SLOT = "\u0000findings\u0000"


FINDINGS_CHUNK = 50_000  # findings formatted and written at a time


def finite(value: object) -> object:
    """The value with every float that is not finite (NaN, Infinity) as null: strict JSON
    parsers refuse them, and a figure that cannot be computed is "not available"."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def dumps(value: object) -> str:
    """Every JSON this tool writes: indented, UTF-8, never NaN or Infinity."""
    return json.dumps(finite(value), indent=2, ensure_ascii=False, allow_nan=False)


def json_chunks(audit: Audit, all_statuses: bool = False, personal: bool = False
                ) -> Iterator[str]:
    """The JSON report in pieces, in order: indented, one finding per line. polars writes the
    findings (a million findings as Python dicts through json.dumps took minutes and
    gigabytes), a chunk at a time: one string of a 640 MB report, and its copies, made the
    writer superlinear."""
    data = to_json_dict(audit, all_statuses, personal, findings_frame_only=True)
    found: pl.DataFrame = listed(audit, data["findings"])  # --untouched: the list only
    data["findings"] = _FINDINGS_SLOT
    head, tail = dumps(data).split(
        json.dumps(_FINDINGS_SLOT), 1)
    yield head
    if not found.height:
        yield "[]"
    for at in range(0, found.height, FINDINGS_CHUNK):
        rows = found.slice(at, FINDINGS_CHUNK).write_ndjson().rstrip("\n")
        # One string operation over a chunk's lines, not a Python string per finding.
        yield ("[\n    " if at == 0 else ",\n    ") + rows.replace("\n", ",\n    ")
    if found.height:
        yield "\n  ]"
    yield tail + "\n"


def to_json(audit: Audit, all_statuses: bool = False, personal: bool = False) -> str:
    """The JSON report as one string (json_chunks writes it in pieces)."""
    return "".join(json_chunks(audit, all_statuses, personal))


def measure_json(m: Measure, below: int | None) -> dict:
    return {
        "title": m.title, "definition": m.definition, "cohort": m.cohort,
        "period": m.period.as_json(), "exceptions": m.exceptions, "available": m.available,
        "reason": m.reason, "values": suppression.values(m.values, below, m.ratios, m.averages)
        if m.available else None,
        "flag": m.flag, "notes": m.notes,
        "labels": labels(m.values), "ratios": {k: list(v) for k, v in m.ratios.items()},
    }


def measures_json(measures: list[Measure], period: Period, cohort: str,
                  below: int | None) -> dict:
    return {"period": period.as_json(), "cohort": cohort, "suppress_below": below,
            "items": {m.id: measure_json(m, below) for m in measures}}


def headline_json(h: Headline) -> dict:
    """The top-level JSON keys of the headline: measures, backlog, caseload, and England's
    published figures (package data) to set beside them."""
    b = h.suppress_below
    measures = measures_json(h.measures, h.period, h.cohort, b)
    if h.forecast is not None:
        measures["forecast_20w"] = forecast_json(h.forecast, b)
    return {"national": national(), "measures": measures,
            "backlog": {**suppressed_backlog(h.backlog, b),
                        "labels": labels([*(h.backlog.assessments or {}),
                                          *(h.backlog.reviews or {})])},
            "caseload": suppressed_caseload(h.caseload, b)}


def caseload_report_json(audit: Audit, c: Caseload, below: int | None) -> str:
    """`sendcheck caseload --format json`: the audit's header keys and the `caseload` key."""
    from sendcheck.views.json import to_json_dict

    head = {k: v for k, v in to_json_dict(audit).items()
            if k in ("sendcheck_version", "as_of", "inputs", "rows", "reviews")}
    return dumps(head | {"caseload": suppressed_caseload(c, below)}) + "\n"
