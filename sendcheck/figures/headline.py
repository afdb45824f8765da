"""The headline sections of an audit: measures, backlog and caseworker load, as JSON keys
(`measures`, `backlog`, `caseload`) and as table sections, with small-number suppression.

Computation lives in measures.py, backlog.py and caseload.py; this module only assembles and
renders, so the JSON and the table show the same figures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sendcheck.audit import Audit
from sendcheck.figures import small_counts as suppression
from sendcheck.figures.backlog import Backlog, backlog_json, compute_backlog
from sendcheck.figures.caseload import (
    UNALLOCATED,
    Caseload,
    caseload_json,
    compute_caseload,
    read_staff,
)
from sendcheck.figures.measures import Measure, compute_measures, measure_rules
from sendcheck.figures.periods import Period, parse_period
from sendcheck.views.outputs import View

BACKLOG_WITHHELD = "withheld: --suppress-below is set and these lists name cases"


@dataclass
class Headline:
    period: Period
    cohort: str
    measures: list[Measure]
    backlog: Backlog
    caseload: Caseload
    suppress_below: int | None = None


def compute_caseload_for(audit: Audit, staff: Path | None) -> Caseload:
    frame = read_staff(staff) if staff else None
    return compute_caseload(audit.episodes, audit.results, audit.options.as_of,
                            audit.config.caseload, audit.options.due_within, frame,
                            str(staff) if staff else None)


def compute_headline(audit: Audit, period: str | None = None, cohort: str = "issued",
                     staff: Path | None = None, suppress_below: int | None = None) -> Headline:
    as_of = audit.options.as_of
    if period is None:
        # A SEN2 return is measured for the calendar year it covers, as DfE will measure it.
        from sendcheck.read.sen2 import return_year

        year = return_year(audit.tables)
        period = str(year) if year is not None else None
    per = parse_period(period, as_of)
    rules = measure_rules(audit.options.rules_dir)
    return Headline(
        per, cohort, compute_measures(audit.episodes, rules, per, cohort, as_of),
        compute_backlog(audit.episodes, as_of, rules["AS05"]),
        compute_caseload_for(audit, staff), suppress_below)


# ---------------------------------------------------------------- JSON


def measure_json(m: Measure, below: int | None) -> dict:
    return {
        "title": m.title, "definition": m.definition, "cohort": m.cohort,
        "period": m.period.as_json(), "exceptions": m.exceptions, "available": m.available,
        "reason": m.reason, "values": suppression.values(m.values, below, m.ratios, m.averages)
        if m.available else None,
        "flag": m.flag, "notes": m.notes,
    }


def measures_json(measures: list[Measure], period: Period, cohort: str,
                  below: int | None) -> dict:
    return {"period": period.as_json(), "cohort": cohort, "suppress_below": below,
            "items": {m.id: measure_json(m, below) for m in measures}}


def suppressed_backlog(b: Backlog, below: int | None) -> dict:
    out = backlog_json(b)
    if below is not None:
        for key in ("assessments", "reviews"):
            if out[key]:
                out[key] = suppression.values(out[key], below)
        out["longest_assessments"] = out["longest_reviews"] = BACKLOG_WITHHELD
    return out


def suppressed_caseload(c: Caseload, below: int | None) -> dict:
    out = caseload_json(c)
    ratios = {"plans_per_fte": ("plans_in_force",), "assessments_per_fte": ("open_assessments",)}
    out["caseworkers"] = [suppression.values(r, below, ratios) for r in out["caseworkers"]]
    out["total"] = suppression.values(out["total"], below, ratios)
    return out


def headline_json(h: Headline) -> dict:
    """The three top-level JSON keys this module owns."""
    b = h.suppress_below
    return {"measures": measures_json(h.measures, h.period, h.cohort, b),
            "backlog": suppressed_backlog(h.backlog, b),
            "caseload": suppressed_caseload(h.caseload, b)}


# ---------------------------------------------------------------- table view


def _show(v: object) -> str:
    return "-" if v is None else str(v)


def render_measures(view: View, measures: list[Measure], period: Period, cohort: str,
                    below: int | None) -> None:
    view.text()
    view.text(f"Headline measures: {period.text}; cohort: {cohort}"
              + (f"; counts under {below} shown as <{below}" if below else ""), style="bold")
    for m in measures:
        if not m.available:
            view.text()
            view.text(f"{m.title}: {m.reason}")
            continue
        vals = suppression.values(m.values, below, m.ratios, m.averages)
        view.table(f"{m.title} [{m.id}]", ["figure", "value"],
                   [[k, _show(v)] for k, v in vals.items()])
        view.text(f"  definition: {m.definition}")
        for note in m.notes:
            view.text(f"  note: {note}")
        if m.flag:
            view.text(f"  FLAG: {m.flag}", style="bold red")


def render_backlog(view: View, b: Backlog, below: int | None) -> None:
    data = suppressed_backlog(b, below)
    view.text()
    view.text(f"Backlog on {b.as_of}", style="bold")
    a = data["assessments"]
    if a is None:
        view.text(f"Open assessments: {data['assessments_reason']}")
    else:
        rows = [["open assessments", a["open_assessments"], a["open_with_exception"],
                 _minus(a["open_assessments"], a["open_with_exception"], below)]]
        for w in (20, 30, 52):
            rows.append([f"past {w} weeks", a[f"past_{w}_weeks"],
                         a[f"past_{w}_weeks_with_exception"],
                         a[f"past_{w}_weeks_without_exception"]])
        view.table("Open assessments by weeks waiting since the request",
                   ["waiting", "total", "with exception", "without exception"], rows)
    r = data["reviews"]
    if r is None:
        view.text(f"Overdue annual reviews: {data['reviews_reason']}")
    else:
        view.table("Annual reviews overdue (months past the 12-month due date)",
                   ["overdue by", "plans"],
                   [["any", r["reviews_overdue"]], ["0-6 months", r["overdue_0_6_months"]],
                    ["6-12 months", r["overdue_6_12_months"]],
                    ["12-24 months", r["overdue_12_24_months"]],
                    ["24+ months", r["overdue_24_plus_months"]]])
    view.text(f"  definition: {data['definition']}")
    if below is not None:
        view.text(f"Longest waits: {BACKLOG_WITHHELD}")
        return
    if b.longest_assessments:
        view.table("Longest waits: open assessments", ["record", "caseworker", "requested",
                                                       "weeks waiting", "exception"],
                   [[x["record_id"], x.get("caseworker"), x["request_received_date"],
                     x["weeks_waiting"], x["exception"]] for x in b.longest_assessments])
    if b.longest_reviews:
        view.table("Longest waits: overdue reviews", ["record", "caseworker", "review due",
                                                      "days overdue"],
                   [[x["record_id"], x.get("caseworker"), x["review_due"], x["days_overdue"]]
                    for x in b.longest_reviews])


def _minus(total: object, part: object, below: int | None) -> object:
    if isinstance(total, int) and isinstance(part, int):
        return suppression.count(total - part, below)
    return f"<{below}" if below else "-"


def render_caseload(view: View, c: Caseload, below: int | None) -> None:
    data = suppressed_caseload(c, below)
    view.text()
    view.text(f"Caseworker load on {c.as_of}", style="bold")
    if data["reason"]:
        view.text(f"Caseload: {data['reason']}")
        return
    t = data["thresholds"]
    fte = c.staff_file is not None
    headers = ["caseworker"] + (["role", "FTE"] if fte else []) + [
        "plans", *(["plans/FTE"] if fte else []), "assessments",
        *(["assess./FTE"] if fte else []), f"reviews next {t['review_weeks']}w", "overdue",
        "due soon", "above benchmark"]
    rows = []
    for r in data["caseworkers"] + [{**data["total"], "caseworker": "total"}]:
        over = [w for w, k in (("plans", "over_plans"), ("assessments", "over_assessments"))
                if r.get(k)]
        rows.append([r["caseworker"]] + ([r.get("role"), r.get("fte")] if fte else []) + [
            r["plans_in_force"], *([r.get("plans_per_fte")] if fte else []),
            r["open_assessments"], *([r.get("assessments_per_fte")] if fte else []),
            r["reviews_due_next"], r["cases_overdue"], r["cases_due_soon"],
            ", ".join(over) or ("" if r["caseworker"] in ("total", UNALLOCATED) else "no")])
    view.table(f"Caseload: benchmark {t['plans_per_caseworker']} plans and "
               f"{t['assessments_per_caseworker']} open assessments {t['compared']}",
               headers, [[_show(v) for v in row] for row in rows])
    view.text(f"  definition: {data['definition']}")
    view.text(f"  benchmark: {t['source']}")


def render_headline(view: View, h: Headline) -> None:
    render_measures(view, h.measures, h.period, h.cohort, h.suppress_below)
    render_backlog(view, h.backlog, h.suppress_below)
    render_caseload(view, h.caseload, h.suppress_below)


def caseload_report_json(audit: Audit, c: Caseload, below: int | None) -> str:
    """`sendcheck caseload --format json`: the audit's header keys and the `caseload` key."""
    from sendcheck.views.report import to_json_dict

    head = {k: v for k, v in to_json_dict(audit).items()
            if k in ("sendcheck_version", "as_of", "inputs", "rows")}
    return json.dumps(head | {"caseload": suppressed_caseload(c, below)}, indent=2,
                      ensure_ascii=False) + "\n"


def headline_table(h: Headline, rich: bool, stream=None) -> str:
    view = View(rich, stream)
    render_headline(view, h)
    return "" if rich else view.getvalue()


def caseload_table(c: Caseload, below: int | None, rich: bool, stream=None) -> str:
    from sendcheck import __version__

    view = View(rich, stream)
    view.text(f"sendcheck {__version__}: caseload as of {c.as_of.isoformat()}", style="bold")
    render_caseload(view, c, below)
    return "" if rich else view.getvalue()


def caseload_csv(c: Caseload, below: int | None) -> str:
    import io

    import polars as pl

    from sendcheck.views.outputs import neutralise_expr

    data = suppressed_caseload(c, below)
    rows = data["caseworkers"] + [{**data["total"], "caseworker": "total"}]
    frame = pl.DataFrame(rows, infer_schema_length=None,
                         schema_overrides=None if below is None else {
                             k: pl.String for r in rows for k in r if k != "caseworker"})
    text = [k for k, t in frame.schema.items() if t == pl.String]
    buf = io.StringIO()
    frame.with_columns(neutralise_expr(k) for k in text).write_csv(buf)
    return buf.getvalue()
