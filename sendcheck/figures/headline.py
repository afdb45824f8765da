"""The headline sections of an audit: measures, backlog and caseworker load, as JSON keys
(`measures`, `backlog`, `caseload`) and as table sections, with small-number suppression.

Computation lives in measures.py, backlog.py and caseload.py; this module only assembles and
renders, so the JSON and the table show the same figures.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from sendcheck.audit import Audit
from sendcheck.figures import small_counts as suppression
from sendcheck.figures.appeals import appeal_measures
from sendcheck.figures.backlog import Backlog, backlog_json, compute_backlog
from sendcheck.figures.caseload import (
    Caseload,
    caseload_json,
    compute_caseload,
    read_staff,
)
from sendcheck.figures.forecast import compute_forecast, target_for
from sendcheck.figures.measures import compute_measures, measure_rules
from sendcheck.figures.periods import parse_period
from sendcheck.figures.sections import Headline
from sendcheck.judge.cases import EXPORT_REVIEWS, REVIEW_RULES, reviews_overdue
from sendcheck.judge.rulebook import Rule
from sendcheck.judge.suppress import open_results


def reviews_source(audit: Audit) -> str:
    """Where the review figures come from, for their definitions."""
    if audit.reviews is None:
        return EXPORT_REVIEWS
    name = audit.reviews.table.path.replace("\\", "/").rsplit("/", 1)[-1]
    return f"the review history file {name} (every review cycle)"


def compute_caseload_for(audit: Audit, staff: Path | None) -> Caseload:
    frame = read_staff(staff) if staff else None
    # (The cases come from Audit.cases; the review rules' open findings give the reviews due.)
    reviews = audit.judgement.findings(("due_soon", "pending"), REVIEW_RULES)
    return compute_caseload(audit.episodes, open_results(reviews, audit.suppressed),
                            audit.options.as_of, audit.config.caseload,
                            audit.options.due_within, frame, str(staff) if staff else None,
                            owners=audit.owners, reviews_from=reviews_source(audit),
                            cases=audit.cases)


def backlog_for(audit: Audit, as05: Rule) -> Backlog:
    """The backlog, its overdue reviews judged by the review rules that ran (RV01, TR02)."""
    ran = [r for r in audit.runs if r.rule.code in REVIEW_RULES and r.skipped is None]
    if not ran:
        rv01 = next((r for r in audit.runs if r.rule.code == "RV01"), None)
        missing = (tuple(rv01.skipped) if rv01 is not None and rv01.skipped else
                   ("RV01 (not selected)",))
        return compute_backlog(audit.episodes, audit.options.as_of, as05,
                               reviews_missing=missing)
    overdue = reviews_overdue(open_results(audit.judgement.findings(("overdue",), REVIEW_RULES),
                                           audit.suppressed), audit.owners)
    return compute_backlog(audit.episodes, audit.options.as_of, as05, overdue,
                           reviews_from=reviews_source(audit))


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
    meetings = (audit.reviews.cycles.filter(pl.col("_cycle") >= 2)
                if audit.reviews is not None else None)
    measures = compute_measures(audit.episodes, rules, per, cohort, as_of, meetings,
                                reviews_source(audit))
    measures += appeal_measures(audit.judgement, audit.runs, audit.episodes, per, cohort, as_of)
    return Headline(
        per, cohort, measures,
        backlog_for(audit, rules["AS05"]),
        compute_caseload_for(audit, staff), suppress_below,
        compute_forecast(audit.episodes, rules["AS05"], as_of,
                         target_for(audit.config.forecast_target)))


# ---------------------------------------------------------------- JSON


# ---------------------------------------------------------------- table view


BACKLOG_WITHHELD = "withheld: --suppress-below is set and these lists name cases"


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
