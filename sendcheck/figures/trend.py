"""The trend (`sendcheck trend`): the main measures month by month for the last N months, as a
table with a bar chart for a terminal or a log, and as the same series in JSON or CSV.

Each month is one `Period`; its figures come from the same functions as the headline measures
(measures.timeliness) and the backlog (backlog.open_assessment, taken at the month's end), so a
month in the trend and `audit --period 2025-03` agree.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import polars as pl

from sendcheck import __version__
from sendcheck.audit import Audit
from sendcheck.figures import small_counts as suppression
from sendcheck.figures.measures import _scope, measure_rules, pct, timeliness
from sendcheck.figures.periods import Period, month_periods
from sendcheck.judge.cases import missing_columns, open_assessment

CHART_WIDTH = 40
CHART_FIELD = "pc_plans_issued_20_weeks_ex"
FIELDS = {
    "plans_issued_den": "new plans issued in the month (final_plan_date in the month)",
    "plans_issued_within_20_weeks": "of which within 20 weeks of the request (140 days)",
    "pc_plans_issued_within_20_weeks": "percentage within 20 weeks, including exception cases",
    "plans_issued_den_ex": "new plans issued in the month without a 20-week exception (AS05's)",
    "plans_issued_20_weeks_ex": "of which within 20 weeks",
    "pc_plans_issued_20_weeks_ex": "percentage within 20 weeks, excluding exception cases "
                                   "(DfE's headline)",
    "avg_weeks_issue_plan": "average weeks from request to final plan, plans issued in the month",
    "requests_decided_den": "decisions whether to assess notified in the month (not withdrawn)",
    "request_outcome_six_weeks": "of which within 6 weeks of the request (42 days)",
    "pc_request_outcome_six_weeks": "percentage within 6 weeks, including exception cases",
    "open_assessments": "open assessments at the month's end (or the as-of date)",
    "open_past_20_weeks": "of which waiting more than 20 weeks (140 days) since the request",
}
RATIOS = {"pc_plans_issued_within_20_weeks": ("plans_issued_within_20_weeks", "plans_issued_den"),
          "pc_plans_issued_20_weeks_ex": ("plans_issued_20_weeks_ex", "plans_issued_den_ex"),
          "pc_request_outcome_six_weeks": ("request_outcome_six_weeks", "requests_decided_den")}
AVERAGES = {"avg_weeks_issue_plan": "plans_issued_den"}


def _month(episodes: pl.DataFrame, rules: dict, period: Period, as_of: dt.date) -> dict:
    cols = set(episodes.columns)
    row: dict = {"month": period.label, "start": period.start.isoformat(),
                 "end": period.end.isoformat(), "partial": period.partial}
    as05, as01 = rules["AS05"], rules["AS01"]
    if not missing_columns(cols, (as05.start, as05.end)):
        v = timeliness(episodes, start=as05.start, end=as05.end, limit=as05.limit, period=period,
                       cohort="issued", as_of=as_of, scope=_scope(as05, cols), rule=as05,
                       bands=True)
        avg = v["avg_days"]
        row |= {"plans_issued_den": v["den"], "plans_issued_within_20_weeks": v["within"],
                "pc_plans_issued_within_20_weeks": pct(v["within"], v["den"]),
                "plans_issued_den_ex": v["den_ex"], "plans_issued_20_weeks_ex": v["within_ex"],
                "pc_plans_issued_20_weeks_ex": pct(v["within_ex"], v["den_ex"]),
                "avg_weeks_issue_plan": None if avg is None else round(avg / 7, 1)}
        waiting = (pl.lit(period.end) - pl.col("request_received_date")).dt.total_days()
        open_ = open_assessment(cols, period.end)
        o = episodes.select(open_assessments=open_.sum(),
                            open_past_20_weeks=(open_ & (waiting > as05.limit.days)).sum())
        row |= {k: int(x) for k, x in o.row(0, named=True).items()}
    if not missing_columns(cols, (as01.start, as01.end)):
        v = timeliness(episodes, start=as01.start, end=as01.end, limit=as01.limit, period=period,
                       cohort="issued", as_of=as_of, scope=_scope(as01, cols), rule=as01)
        row |= {"requests_decided_den": v["den"], "request_outcome_six_weeks": v["within"],
                "pc_request_outcome_six_weeks": pct(v["within"], v["den"])}
    head = ("month", "start", "end", "partial")
    return {**{k: row[k] for k in head}, **{f: row.get(f) for f in FIELDS}}


def compute_trend(audit: Audit, months: int = 12) -> list[dict]:
    """One row per month, oldest first; a field the export cannot give is None."""
    as_of = audit.options.as_of
    rules = measure_rules(audit.options.rules_dir)
    return [_month(audit.episodes, rules, p, as_of) for p in month_periods(as_of, months)]


def _series(rows: list[dict], below: int | None) -> list[dict]:
    return [suppression.values(r, below, RATIOS, AVERAGES) for r in rows]


def trend_json(audit: Audit, rows: list[dict], below: int | None) -> str:
    missing = [f for f in FIELDS if all(r[f] is None for r in rows)]
    out = {
        "sendcheck_version": __version__,
        "as_of": audit.options.as_of.isoformat(),
        "inputs": [{"path": t.path, "sheet": t.sheet, "rows": t.rows, "sha256": t.sha256}
                   for t in audit.tables],
        "months": len(rows),
        "suppress_below": below,
        "definitions": FIELDS,
        "not_available": missing,
        "series": _series(rows, below),
    }
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


def trend_csv(rows: list[dict], below: int | None) -> str:
    from sendcheck.views.outputs import neutralise_expr

    frame = pl.DataFrame(_series(rows, below), infer_schema_length=None,
                         schema_overrides={f: pl.String for f in FIELDS}
                         if below is not None else None)
    text = [c for c, t in frame.schema.items() if t == pl.String]
    buf = io.StringIO()
    frame.with_columns(neutralise_expr(c) for c in text).write_csv(buf)
    return buf.getvalue()


def bar(value: float | None, width: int = CHART_WIDTH, rich: bool = False) -> str:
    """A bar for a percentage: full blocks on a terminal, '#' in plain text (logs, files)."""
    if value is None:
        return ""
    cells = round(width * max(0.0, min(value, 100.0)) / 100)
    return ("█" if rich else "#") * cells + ("·" if rich else ".") * (width - cells)


def trend_table(audit: Audit, rows: list[dict], below: int | None, rich: bool,
                stream=None) -> str:
    from sendcheck.views.outputs import View

    view = View(rich, stream)
    shown = _series(rows, below)
    view.text(f"sendcheck {__version__}: trend as of {audit.options.as_of.isoformat()}, "
              f"last {len(rows)} months" + (f"; counts under {below} shown as <{below}"
                                             if below else ""), style="bold")

    def fmt(v: object) -> str:
        return "-" if v is None else str(v)

    view.table("Month by month",
               ["month", "plans", "within 20w", "% incl", "plans excl", "% excl", "avg weeks",
                "decisions", "% 6w", "open", "open >20w"],
               [[r["month"] + (" (to as-of)" if r["partial"] else ""),
                 *[fmt(r[f]) for f in FIELDS if f not in ("plans_issued_20_weeks_ex",
                                                          "request_outcome_six_weeks")]]
                for r in shown])
    view.text()
    view.text("% of new plans issued within 20 weeks, excluding exceptions "
              "(DfE's headline), by month of issue")
    for r in shown:
        v = r[CHART_FIELD]
        label = f"{v}%" if isinstance(v, float) else fmt(v)
        view.text(f"{r['month']} |{bar(v if isinstance(v, float) else None, rich=rich):{CHART_WIDTH}}| "
                  f"{label} of {fmt(r['plans_issued_den_ex'])}")
    view.text()
    for f, text in FIELDS.items():
        view.text(f"  {f}: {text}")
    return "" if rich else view.getvalue()
