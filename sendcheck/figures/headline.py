"""The headline sections of an audit: measures, backlog and caseworker load, as JSON keys
(`measures`, `backlog`, `caseload`) and as table sections, with small-number suppression.

Computation lives in measures.py, backlog.py and caseload.py; this module only assembles and
renders, so the JSON and the table show the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sendcheck.audit import Audit
from sendcheck.figures import small_counts as suppression
from sendcheck.figures.backlog import Backlog, backlog_json, compute_backlog
from sendcheck.figures.caseload import (
    Caseload,
    caseload_json,
    compute_caseload,
    read_staff,
)
from sendcheck.figures.forecast import Forecast, compute_forecast, target_for
from sendcheck.figures.appeals import appeal_measures
from sendcheck.figures.measures import Measure, compute_measures, measure_rules
from sendcheck.figures.periods import Period, parse_period


@dataclass
class Headline:
    period: Period
    cohort: str
    measures: list[Measure]
    backlog: Backlog
    caseload: Caseload
    suppress_below: int | None = None
    forecast: Forecast | None = None  # where the as-of date's calendar year will land


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
    measures = compute_measures(audit.episodes, rules, per, cohort, as_of)
    measures += appeal_measures(audit.results, audit.runs, audit.episodes, per, cohort, as_of)
    return Headline(
        per, cohort, measures,
        compute_backlog(audit.episodes, as_of, rules["AS05"]),
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
