"""Reconcile with DfE: the 20-week figure for the calendar year DfE published, computed from the
export (or SEN2 return) by DfE's definition, beside DfE's published figure, with the difference;
a gap of more than a few plans is a finding saying which side is larger and by how many plans.

DfE's definition (sen2.md section 3): new plans issued in the calendar year (final_plan_date,
SEN2 StartDate), elapsed from the request (ReceivedDate), within 20 weeks; excluding exceptions
= Week20 = 0. That is the 20-week measure's `issued` cohort over the calendar year
(measures.twenty_week_measure), so the two cannot drift apart.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from sendcheck.figures import published as pub
from sendcheck.figures import small_counts as suppression
from sendcheck.figures.measures import twenty_week_measure
from sendcheck.figures.periods import parse_period
from sendcheck.judge.rulebook import Rule

# More than this many plans apart is a finding: a handful can be a late correction or a plan
# dated on the year's edge; more says the export and the return disagree.
GAP_PLANS = 5
FIELDS = ("plans_issued_den", "plans_issued_within_20_weeks", "pc_plans_issued_within_20_weeks",
          "plans_issued_den_ex", "plans_issued_20_weeks_ex", "pc_plans_issued_20_weeks_ex")
# The counts compared, and what a gap in each suggests.
CAUSES = {
    "plans_issued_den": "requests or plans missing from one side, or plans dated in another year",
    "plans_issued_within_20_weeks": "different request or plan dates",
    "plans_issued_den_ex": "different 20-week exception coding (Week20)",
}
DEFINITION = ("DfE's: new EHC plans issued in the calendar year (final_plan_date, SEN2 "
              "StartDate), request received (ReceivedDate) to plan within 20 weeks (140 days); "
              "excluding exceptions = Week20 = 0 (sen2.md section 3)")


def _finding(field: str, ours: int, theirs: int, year: int, name: str) -> dict:
    by = abs(ours - theirs)
    larger = "the export" if ours > theirs else "DfE's published figure"
    what = {"plans_issued_den": "new plans issued", "plans_issued_within_20_weeks":
            "plans issued within 20 weeks", "plans_issued_den_ex":
            "plans issued without an exception"}[field]
    text = (f"{year} {what} ({field}): {larger} is larger by {by:,} plan{'s' * (by != 1)} "
            f"(export {ours:,}, DfE {theirs:,} for {name}); check {CAUSES[field]}")
    return {"field": field, "larger": "export" if ours > theirs else "published", "by": by,
            "export": ours, "published": theirs, "text": text}


def reconcile(episodes: pl.DataFrame, rule: Rule, a: pub.Authority, as_of: dt.date,
              below: int | None, covers: int | None = None) -> dict:
    """The JSON `benchmark.reconciliation`: DfE's latest published year for the authority,
    computed from the episodes, beside DfE's own figure. `covers` is the calendar year a SEN2
    return covers, when the input is one."""
    published = pub.timeliness(a.old_la_code)
    year = max(published, default=pub.latest_year())
    theirs = published.get(year)
    out: dict = {"year": year, "definition": DEFINITION, "threshold_plans": GAP_PLANS,
                 "published": {f: theirs.values[f] for f in FIELDS} if theirs else None,
                 "published_symbols": {f: s for f, s in theirs.symbols.items() if f in FIELDS}
                 if theirs else {}, "export": None, "difference": None, "findings": [],
                 "complete": as_of >= dt.date(year, 12, 31), "note": None}
    if covers is not None and covers != year:
        out["note"] = (f"the return covers {covers}; DfE's published figure for {a.name} is "
                       f"for {year}: not the same year, so not reconciled")
        return out
    if as_of < dt.date(year, 1, 1):
        out["note"] = f"the as-of date {as_of} is before {year}: nothing to reconcile yet"
        return out
    m = twenty_week_measure(episodes, rule, parse_period(str(year), as_of), "issued", as_of)
    if not m.available:
        out["note"] = f"not available: {m.reason}"
        return out
    ours = {f: m.values.get(f) for f in FIELDS}
    out["export"] = suppression.values(ours, below, m.ratios)
    out["period"] = m.period.as_json()
    if theirs is None:
        out["note"] = f"DfE published no {year} figure for {a.name}"
        return out
    out["difference"] = {f: _minus(out["export"][f], theirs.values[f]) for f in FIELDS}
    if not out["complete"]:
        out["note"] = (f"{year} is not over on the as-of date {as_of}: the export's figure is "
                       f"the year so far, so no gap is reported")
        return out
    for f in CAUSES:
        e, p = out["export"][f], theirs.values[f]
        if isinstance(e, int) and isinstance(p, int) and abs(e - p) > GAP_PLANS:
            out["findings"].append(_finding(f, e, p, year, a.name))
    return out


def _minus(ours: object, theirs: object) -> int | float | None:
    if not isinstance(ours, (int, float)) or not isinstance(theirs, (int, float)):
        return None
    return round(ours - theirs, 1) if isinstance(ours, float) or isinstance(theirs, float) \
        else ours - theirs
