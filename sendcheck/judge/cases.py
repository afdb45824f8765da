"""What a case is on a given day: an open assessment, a plan in force, the next review due.

One definition each, used by the data-quality checks, the figures and every view.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from sendcheck.judge.durations import Duration

REVIEW_CYCLE = Duration(12, "mo")  # CFA 2014 s.44(1): review within 12 months


def col_or_null(cols: set[str], name: str, dtype: pl.DataType = pl.String) -> pl.Expr:
    return pl.col(name) if name in cols else pl.lit(None, dtype)


def missing_columns(cols: set[str], needs: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(c for c in needs if c not in cols)


def closed_without_plan(cols: set[str]) -> pl.Expr:
    """The request ended without a plan: refused, withdrawn (before or during the assessment,
    SEN2 W), or a decision not to issue."""
    return (col_or_null(cols, "request_outcome").is_in(["not_assess", "withdrawn"]).fill_null(False)
            | col_or_null(cols, "assessment_outcome").is_in(["not_issue", "withdrawn"])
            .fill_null(False))


def open_assessment(cols: set[str], on: dt.date) -> pl.Expr:
    """A request received by `on`, with no final plan by then and not closed without one by then
    (a refusal, withdrawal or decision not to issue with no date recorded counts as closed).
    On the as-of date this is today's backlog; on a past month end, that month's."""
    day = pl.lit(on)
    req = col_or_null(cols, "request_received_date", pl.Date)
    final = col_or_null(cols, "final_plan_date", pl.Date)
    closed_on = pl.when(col_or_null(cols, "request_outcome").is_in(["not_assess", "withdrawn"]))
    closed_on = closed_on.then(col_or_null(cols, "request_outcome_date", pl.Date)).when(
        col_or_null(cols, "assessment_outcome").is_in(["not_issue", "withdrawn"])).then(
        col_or_null(cols, "assessment_outcome_date", pl.Date)).otherwise(pl.lit(None, pl.Date))
    closed = closed_without_plan(cols) & (closed_on.is_null() | (closed_on <= day)).fill_null(True)
    return ((req <= day).fill_null(False) & (final.is_null() | (final > day)).fill_null(False)
            & ~closed)


def plan_in_force(cols: set[str], on: dt.date) -> pl.Expr:
    cease = col_or_null(cols, "plan_cease_date", pl.Date)
    return ((col_or_null(cols, "final_plan_date", pl.Date) <= pl.lit(on)).fill_null(False)
            & (cease.is_null() | (cease > pl.lit(on))).fill_null(False))


def review_due(cols: set[str]) -> pl.Expr:
    """Next annual review: 12 months after the latest review meeting, else after the plan."""
    last = pl.coalesce(col_or_null(cols, "review_meeting_date", pl.Date), pl.col("final_plan_date"))
    return REVIEW_CYCLE.add(last)
