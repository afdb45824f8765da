"""The trend (`sendcheck trend`): the main measures month by month for the last N months, as a
table with a bar chart for a terminal or a log, and as the same series in JSON or CSV.

Each month is one `Period`; its figures come from the same functions as the headline measures
(measures.timeliness_exprs) and the backlog (backlog.open_assessment, taken at the month's
end), so a month in the trend and `audit --period 2025-03` agree; every month in one query.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from sendcheck.audit import Audit
from sendcheck.figures.measures import (
    Tally,
    _scope,
    measure_rules,
    pct,
    timeliness_exprs,
    timeliness_values,
)
from sendcheck.figures.periods import Period, month_periods
from sendcheck.judge.cases import missing_columns, open_assessment

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


def _month(tally: Tally, rules: dict, period: Period, as_of: dt.date) -> dict:
    """One month's row, its figures asked of `tally` (filled in when it is answered)."""
    cols = tally.columns
    row: dict = {"month": period.label, "start": period.start.isoformat(),
                 "end": period.end.isoformat(), "partial": period.partial}
    as05, as01 = rules["AS05"], rules["AS01"]
    if not missing_columns(cols, (as05.start, as05.end)):
        def twenty(counts: dict) -> None:
            v = timeliness_values(counts)
            avg = v["avg_days"]
            row.update({
                "plans_issued_den": v["den"], "plans_issued_within_20_weeks": v["within"],
                "pc_plans_issued_within_20_weeks": pct(v["within"], v["den"]),
                "plans_issued_den_ex": v["den_ex"], "plans_issued_20_weeks_ex": v["within_ex"],
                "pc_plans_issued_20_weeks_ex": pct(v["within_ex"], v["den_ex"]),
                "avg_weeks_issue_plan": None if avg is None else round(avg / 7, 1)})

        tally.ask(timeliness_exprs(tally, start=as05.start, end=as05.end, limit=as05.limit,
                                   period=period, cohort="issued", as_of=as_of,
                                   scope=_scope(as05, cols), rule=as05, bands=True), twenty)
        waiting = (pl.lit(period.end) - pl.col("request_received_date")).dt.total_days()
        open_ = open_assessment(cols, period.end)
        tally.ask({"open_assessments": open_.sum(),
                   "open_past_20_weeks": (open_ & (waiting > as05.limit.days)).sum()},
                  lambda counts: row.update({k: int(x) for k, x in counts.items()}))
    if not missing_columns(cols, (as01.start, as01.end)):
        def six(counts: dict) -> None:
            v = timeliness_values(counts)
            row.update({"requests_decided_den": v["den"], "request_outcome_six_weeks": v["within"],
                        "pc_request_outcome_six_weeks": pct(v["within"], v["den"])})

        tally.ask(timeliness_exprs(tally, start=as01.start, end=as01.end, limit=as01.limit,
                                   period=period, cohort="issued", as_of=as_of,
                                   scope=_scope(as01, cols), rule=as01), six)
    return row


def _in_order(row: dict) -> dict:
    head = ("month", "start", "end", "partial")
    return {**{k: row[k] for k in head}, **{f: row.get(f) for f in FIELDS}}


def compute_trend(audit: Audit, months: int = 12,
                  episodes: pl.DataFrame | None = None) -> list[dict]:
    """One row per month, oldest first; a field the export cannot give is None. `episodes`: a
    part of the audit's episodes (one group of a breakdown), else all of them."""
    as_of = audit.options.as_of
    rules = measure_rules(audit.options.rules_dir)
    tally = Tally(audit.episodes if episodes is None else episodes)  # every month: one query
    rows = [_month(tally, rules, p, as_of) for p in month_periods(as_of, months)]
    tally.answer()
    return [_in_order(row) for row in rows]


