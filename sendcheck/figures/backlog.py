"""Backlog ageing on the as-of date: open assessments past 20, 30 and 52 weeks (with exception
status), annual reviews overdue by 0-6, 6-12, 12-24 and 24+ months, and the longest waits.

Whole-table expressions over the prepared episodes frame. The longest-wait lists name cases by
record_id and caseworker only (never names: contract section 6).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from sendcheck.figures.measures import exception_name, has_exception
from sendcheck.judge.cases import (
    missing_columns,
    open_assessment,
    plan_in_force,
    review_due,
)
from sendcheck.judge.durations import Duration
from sendcheck.judge.rulebook import Rule

WAIT_WEEKS = (20, 30, 52)
# Months overdue: (key, from, to]: overdue_0_6_months means overdue by at most 6 calendar months.
REVIEW_BANDS = (("overdue_0_6_months", 0, 6), ("overdue_6_12_months", 6, 12),
                ("overdue_12_24_months", 12, 24), ("overdue_24_plus_months", 24, None))
LONGEST = 10


@dataclass
class Backlog:
    as_of: dt.date
    assessments: dict = field(default_factory=dict)  # counts, or {} when not available
    assessments_missing: tuple[str, ...] = ()
    reviews: dict = field(default_factory=dict)
    reviews_missing: tuple[str, ...] = ()
    longest_assessments: list[dict] = field(default_factory=list)
    longest_reviews: list[dict] = field(default_factory=list)


def compute_backlog(episodes: pl.DataFrame, as_of: dt.date, as05: Rule) -> Backlog:
    cols = set(episodes.columns)
    out = Backlog(as_of)
    ident = [c for c in ("record_id", "caseworker") if c in cols]

    out.assessments_missing = missing_columns(cols, ("request_received_date", "final_plan_date"))
    if not out.assessments_missing:
        req = pl.col("request_received_date")
        due = as05.limit.add(req)
        exc = has_exception(as05, due, cols)
        waiting = (pl.lit(as_of) - req).dt.total_days()
        open_ = open_assessment(cols, as_of)
        aggs = {"open_assessments": open_.sum(),
                "open_with_exception": (open_ & exc).sum()}
        for w in WAIT_WEEKS:
            past = open_ & (waiting > 7 * w)
            aggs[f"past_{w}_weeks"] = past.sum()
            aggs[f"past_{w}_weeks_with_exception"] = (past & exc).sum()
            aggs[f"past_{w}_weeks_without_exception"] = (past & ~exc).sum()
        out.assessments = {k: int(v) for k, v in episodes.select(**aggs).row(0, named=True).items()}
        top = (episodes.filter(open_)
               .select(*ident, req.alias("request_received_date"), waiting.alias("days_waiting"),
                       exception_name(as05, due, cols).alias("exception"))
               .sort(["days_waiting", "record_id"], descending=[True, False]).head(LONGEST))
        out.longest_assessments = [
            {**r, "request_received_date": r["request_received_date"].isoformat(),
             "weeks_waiting": round(r["days_waiting"] / 7, 1)} for r in top.to_dicts()]

    out.reviews_missing = missing_columns(cols, ("final_plan_date", "review_meeting_date"))
    if not out.reviews_missing:
        due = review_due(cols)
        in_force = plan_in_force(cols, as_of)
        overdue = in_force & (pl.lit(as_of) > due).fill_null(False)
        aggs = {"plans_in_force": in_force.sum(), "reviews_overdue": overdue.sum()}
        for key, lo, hi in REVIEW_BANDS:
            band = overdue
            if lo:
                band = band & (pl.lit(as_of) > Duration(lo, "mo").add(due))
            if hi:
                band = band & (pl.lit(as_of) <= Duration(hi, "mo").add(due))
            aggs[key] = band.sum()
        out.reviews = {k: int(v) for k, v in episodes.select(**aggs).row(0, named=True).items()}
        days = (pl.lit(as_of) - due).dt.total_days()
        top = (episodes.filter(overdue)
               .select(*ident, due.alias("review_due"), days.alias("days_overdue"))
               .sort(["days_overdue", "record_id"], descending=[True, False]).head(LONGEST))
        out.longest_reviews = [{**r, "review_due": r["review_due"].isoformat()}
                               for r in top.to_dicts()]
    return out


def backlog_json(b: Backlog) -> dict:
    return {
        "as_of": b.as_of.isoformat(),
        "definition": (
            "open assessment = request received by the as-of date, no final plan, not refused, "
            "withdrawn or decided not to issue; weeks waiting counted from the request (past 20 "
            "weeks = more than 140 days); exception as AS05 counts it. Review overdue = plan in "
            "force on the as-of date whose next review (12 months after the latest review "
            "meeting, else after the final plan) is before the as-of date; bands in calendar "
            "months overdue, upper bound included"),
        "assessments": b.assessments or None,
        "assessments_reason": _reason(b.assessments_missing),
        "reviews": b.reviews or None,
        "reviews_reason": _reason(b.reviews_missing),
        "longest_assessments": b.longest_assessments,
        "longest_reviews": b.longest_reviews,
    }


def _reason(missing: tuple[str, ...]) -> str | None:
    return f"not available: missing {', '.join(missing)}" if missing else None
