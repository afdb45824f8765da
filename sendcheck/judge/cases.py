"""What a case is on a given day: an open assessment, a plan in force, a case overdue or due
soon, an annual review overdue or falling due.

One definition each, used by the data-quality checks, the figures and every view.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

import polars as pl

from sendcheck.judge.durations import Duration

# An eager frame, or a lazy one (the chains below are one query each: collected once).
Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)
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


# ---------------------------------------------------------------- a case overdue, a case due soon
#
# THE definition, used by every view (table, JSON, CSV, markdown, workbook, `caseload`):
# - a case is one episode (one row of the export: a request and everything that followed it);
# - a case is overdue when at least one of its open findings (every rule, review cycles from
#   --reviews included; findings set apart by [[suppress]] excluded) is `overdue` on the as-of
#   date, however many there are;
# - a case is due soon when none is overdue and at least one is `due_soon` (within --due-within
#   days).
# late, early, missed and invalid findings, and data-quality findings, make no case overdue or
# due soon: they are not deadlines still running (contract section 3).
CASE_DEFINITION = (
    "a case is one episode (a request and what followed it); overdue = at least one open finding "
    "of any rule (review cycles included) overdue on the as-of date; due soon = none overdue and "
    "at least one due within {days} days; each case counted once, however many findings it has")
LIVE = ("overdue", "due_soon")
# Where review figures come from without --reviews (their definitions say so).
EXPORT_REVIEWS = "the export's latest review meeting"
# The annual review of a plan: RV01, or TR02 for a plan transferred in since its last review.
REVIEW_RULES = ("RV01", "TR02")


def with_episode(results: Frame, owners: pl.DataFrame | None) -> Frame:
    """Results with `_ep`, the episode each belongs to: a review cycle's finding (--reviews)
    belongs to the episode whose plan was reviewed (`owners`: ReviewHistory.owners)."""
    if owners is None:
        return results.with_columns(pl.col("_idx").alias("_ep"))
    lazy = isinstance(results, pl.LazyFrame)
    return (results.join(owners.lazy() if lazy else owners, on="_idx", how="left",
                         maintain_order="left")
            .with_columns(pl.coalesce("_ep", "_idx").alias("_ep")))


def case_status(results: pl.DataFrame, owners: pl.DataFrame | None) -> pl.DataFrame:
    """One row per case with a live finding: `_ep`, `overdue`, `due_soon` (booleans, never both).
    `results` are the open results (suppressed findings already taken out)."""
    live = with_episode(results.lazy().filter(pl.col("status").is_in(LIVE))
                        .select("_idx", "status"), owners)
    status = pl.col("status")
    return (live.group_by("_ep").agg((status == "overdue").any().alias("overdue"),
                                     (status == "due_soon").any().alias("_soon"))
            .with_columns((pl.col("_soon") & ~pl.col("overdue")).alias("due_soon"))
            .drop("_soon").collect())


def case_counts(cases: pl.DataFrame) -> dict[str, int]:
    """Cases overdue and due soon over the whole run, from `case_status`: the figures every
    output (views, the history's stored run, the cron line) gives under "cases"."""
    row = cases.select(pl.col("overdue").sum(), pl.col("due_soon").sum()).row(0)
    return {"cases_overdue": int(row[0] or 0), "cases_due_soon": int(row[1] or 0)}


def review_findings(results: Frame, owners: pl.DataFrame | None) -> Frame:
    """The annual-review findings (RV01, TR02) with their episode: one plan's review cycles
    (from --reviews), or its current cycle from the export's latest review meeting."""
    return with_episode(results.filter(pl.col("rule").is_in(REVIEW_RULES)), owners)


def reviews_overdue(results: pl.DataFrame, owners: pl.DataFrame | None) -> pl.DataFrame:
    """One row per plan whose annual review is overdue: `_ep`, `due`, `days_over` (the most
    overdue of its review findings)."""
    return (review_findings(results.lazy().filter(pl.col("status") == "overdue"), owners)
            .sort("due").unique("_ep", keep="first", maintain_order=True)
            .select("_ep", "due", "days_over").collect())


def reviews_due_within(results: pl.DataFrame, owners: pl.DataFrame | None, as_of: dt.date,
                       days: int) -> pl.DataFrame:
    """`_ep` of the plans whose annual review is not yet held and falls due from the as-of date
    to `days` days after it."""
    due = pl.col("due")
    window = due.is_between(pl.lit(as_of), pl.lit(as_of + dt.timedelta(days=days)))
    soon = results.lazy().filter(pl.col("status").is_in(("pending", "due_soon"))
                                 & window.fill_null(False))
    return review_findings(soon, owners).select("_ep").unique().collect()
