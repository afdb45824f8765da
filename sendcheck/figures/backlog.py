"""Backlog ageing on the as-of date: open assessments past 20, 30 and 52 weeks (with exception
status), annual reviews overdue by 0-6, 6-12, 12-24 and 24+ months, and the longest waits.

Whole-table expressions over the prepared episodes frame. The longest-wait lists name cases by
record_id and caseworker only (never names: contract section 6).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from sendcheck.figures.measures import Tally, exception_name, has_exception
from sendcheck.judge.cases import (
    EXPORT_REVIEWS,
    missing_columns,
    open_assessment,
    plan_in_force,
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
    reviews_from: str = EXPORT_REVIEWS


def compute_backlog(episodes: pl.DataFrame, as_of: dt.date, as05: Rule,
                    overdue_reviews: pl.DataFrame | None = None,
                    reviews_missing: tuple[str, ...] = (),
                    reviews_from: str = EXPORT_REVIEWS) -> Backlog:
    """Open assessments from the episodes; overdue reviews from `overdue_reviews`
    (cases.reviews_overdue: one row per plan), or not available for `reviews_missing`."""
    cols = set(episodes.columns)
    out = Backlog(as_of)
    ident = [c for c in ("record_id", "caseworker") if c in cols]
    tally = Tally(episodes)  # the counts of the episodes, in one query

    out.assessments_missing = missing_columns(cols, ("request_received_date", "final_plan_date"))
    if not out.assessments_missing:
        req = pl.col("request_received_date")
        due = as05.limit.add(req)
        exc = has_exception(as05, due, cols)
        waiting = (pl.lit(as_of) - req).dt.total_days()
        open_ = open_assessment(cols, as_of)
        is_open, has_exc, waited = (tally.mark(e) for e in (open_, exc, waiting))
        aggs = {"open_assessments": is_open.sum(),
                "open_with_exception": (is_open & has_exc).sum()}
        for w in WAIT_WEEKS:
            past = is_open & (waited > 7 * w)
            aggs[f"past_{w}_weeks"] = past.sum()
            aggs[f"past_{w}_weeks_with_exception"] = (past & has_exc).sum()
            aggs[f"past_{w}_weeks_without_exception"] = (past & ~has_exc).sum()
        tally.ask(aggs, lambda row: setattr(out, "assessments",
                                            {k: int(v) for k, v in row.items()}))
        # (Lazy, so the filter reads only the columns the list shows, and the sort is a top-k.)
        top = (episodes.lazy().filter(open_)
               .select(*ident, req.alias("request_received_date"), waiting.alias("days_waiting"),
                       exception_name(as05, due, cols).alias("exception"))
               .sort(["days_waiting", "record_id"], descending=[True, False], maintain_order=True)
               .head(LONGEST).collect())
        out.longest_assessments = [
            {**r, "request_received_date": r["request_received_date"].isoformat(),
             "weeks_waiting": round(r["days_waiting"] / 7, 1)} for r in top.to_dicts()]

    out.reviews_from = reviews_from
    out.reviews_missing = reviews_missing
    if overdue_reviews is not None:
        # The review rules' own overdue findings (judge/cases.py), so the backlog and RV01 +
        # TR02 count the same reviews: one per plan, the most overdue of its findings.
        due, lit = pl.col("due"), pl.lit(as_of)
        aggs = {"reviews_overdue": pl.len()}
        for key, lo, hi in REVIEW_BANDS:
            band = pl.lit(True)
            if lo:
                band = band & (lit > Duration(lo, "mo").add(due))
            if hi:
                band = band & (lit <= Duration(hi, "mo").add(due))
            aggs[key] = band.sum()
        counts = overdue_reviews.select(**aggs).row(0, named=True)
        out.reviews = {"plans_in_force": 0, **{k: int(v) for k, v in counts.items()}}
        if "final_plan_date" in cols:
            tally.ask({"plans_in_force": plan_in_force(cols, as_of).sum()},
                      lambda row: out.reviews.update(plans_in_force=int(row["plans_in_force"])))
        top = (overdue_reviews.lazy()
               .join(episodes.lazy().select(pl.col("_idx").alias("_ep"), *ident), on="_ep",
                     how="left")
               .select(*ident, due.alias("review_due"), pl.col("days_over").alias("days_overdue"))
               .sort(["days_overdue", *ident[:1]], descending=[True, False], maintain_order=True)
               .head(LONGEST).collect())
        out.longest_reviews = [{**r, "review_due": r["review_due"].isoformat()}
                               for r in top.to_dicts()]
    tally.answer()
    return out


def backlog_json(b: Backlog) -> dict:
    return {
        "as_of": b.as_of.isoformat(),
        "definition": (
            "open assessment = request received by the as-of date, no final plan, not refused, "
            "withdrawn or decided not to issue; weeks waiting counted from the request (past 20 "
            "weeks = more than 140 days); exception as AS05 counts it. Review overdue = a plan "
            "with an overdue RV01 finding (annual review not held within 12 months of the plan "
            "or the last review) or TR02 finding (a plan transferred in), counted once, exactly "
            "as those rules count them; reviews from " + b.reviews_from + "; bands in calendar "
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
