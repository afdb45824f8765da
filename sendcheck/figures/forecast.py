"""Where the year will land: DfE's 20-week figure for the calendar year of the as-of date, so far,
at best and at worst, and how many of the open cases that decide it must be on time to reach a
target (`[forecast] target`, default England's latest figure).

The figure so far is the 20-week measure itself (measures.timeliness_exprs over AS05, cohort
`issued`, 1 January to the as-of date); the open cases are the backlog's open assessments in
AS05's scope.
Reading choices (each also in the definition the outputs carry):
- An open case is a request received by the as-of date with no final plan, not refused or
  withdrawn and with no decision not to issue (judge.cases.open_assessment), that AS05 applies
  to.
- The cases that decide the year are the open cases whose 20-week due date falls on or before
  31 December. A case due later is counted in next year's figure if it is issued on time, so it
  is left out here; so are requests not yet received (one received after the as-of date is due
  20 weeks later: after mid-August none can fall due this year).
- A case whose due date is before the as-of date can only be late (the engine's `overdue`); one
  due on or after the as-of date can still be on time (the engine's `due_soon` / `pending`).
- Best: every case still in time is issued by its due date, and every case past it is issued
  late this year. Worst: every deciding case is issued this year, none in time. Both therefore
  share one denominator, so the range is only how many are on time; holding a late case back to
  next year would flatter this year's figure, and no forecast should plan on it.
- By month: a case is counted in the month of its due date, and the cases already past due in
  the as-of date's month.
- Excluding exceptions drops exception cases (as the 20-week measure counts them: the Week20
  flag where the export has it) from numerator and denominator alike.
- Reaching the target means the share, unrounded, is at least the target.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from fractions import Fraction

import polars as pl
from dateutil.relativedelta import relativedelta

from sendcheck.figures import small_counts as suppression
from sendcheck.figures.measures import (
    NeedsColumns,
    Tally,
    _has_exception_columns,
    _scope,
    has_exception,
    pct,
    timeliness_exprs,
    timeliness_values,
)
from sendcheck.figures.periods import Period
from sendcheck.judge.cases import missing_columns, open_assessment
from sendcheck.judge.rulebook import Rule

VARIANTS = {"including": "including exception cases", "excluding": "excluding exception cases"}
ASSUMPTIONS = (
    ("the figure so far is the 20-week measure (new plans issued from 1 January to the as-of date, "
    "within = no later than 140 days after the request; receipt is day 0)"),
    ("an open case is a request received by the as-of date with no final plan, not refused or "
    "withdrawn and with no decision not to issue, that the 20-week rule (AS05) applies to"),
    ("the cases that decide the year are the open cases due (request + 20 weeks) by 31 December; "
    "cases due after 31 December count in next year's figure, and requests not yet received are "
    "not counted"),
    ("a case past its due date on the as-of date can only be late; one due on or after it can "
    "still be on time"),
    ("best: every case still in time is issued by its due date and every case past it is issued "
    "late this year; worst: every deciding case is issued this year, none in time (both have the "
    "same denominator)"),
    ("by month: a case is counted in the month of its due date; cases already past due in the "
    "as-of date's month"),
    ("excluding exceptions drops exception cases (Week20 = 1 where the export has the flag, "
    "else the reasons AS05 allows) from numerator and denominator alike"),
    "the target is reached when the share, unrounded, is at least the target",
    ("likely: each case still in time is issued on time as often as the authority's own plans "
     "issued in the 12 months before the as-of date were, among those still not issued at the "
     "same stage (the same four weeks of the 20 since the request); the expected count, rounded"),
)
STAGE_DAYS = 28  # a stage of an assessment: four weeks of its twenty


@dataclass
class Target:
    """The percentage to reach, per variant, and where it came from."""

    including: float
    excluding: float
    source: str


# England's latest published 20-week figures (DfE "Education, health and care plans", 2026
# release, calendar year 2025: timescales.md section 4).
ENGLAND_YEAR, ENGLAND_PC, ENGLAND_PC_EX = 2025, 45.5, 46.1


def target_for(configured: float | None) -> Target:
    """The configured `[forecast] target` for both variants, else England's latest figure for
    each (including and excluding exceptions)."""
    if configured is not None:
        return Target(configured, configured, "target in sendcheck.toml")
    return Target(ENGLAND_PC, ENGLAND_PC_EX, f"England {ENGLAND_YEAR}")


@dataclass
class Forecast(NeedsColumns):
    year: int
    as_of: dt.date
    period: Period  # 1 January to the as-of date
    target: Target
    missing: tuple[str, ...] = ()
    including: dict[str, int | float | bool | None] = field(default_factory=dict)
    excluding: dict[str, int | float | bool | None] = field(default_factory=dict)
    year_to_date: list[dict] = field(default_factory=list)  # Jan .. as-of month, actual
    months: list[dict] = field(default_factory=list)  # as-of month .. December, best / worst
    not_counted: int = 0  # open-looking cases whose final plan date is unreadable

    @property
    def headline(self) -> str:
        """The variant a person reads first: excluding exceptions (DfE's headline) where the
        export records exceptions, else including."""
        return "excluding" if self.excluding else "including"

    @property
    def definition(self) -> str:
        return (f"where the {self.year} 20-week figure (DfE's calendar year of issue) can land, "
                f"as of {self.as_of.isoformat()}: " + "; ".join(ASSUMPTIONS))


def must_be_on_time(within: int, den: int, can: int, target: float) -> int | None:
    """The fewest of the `can` cases still in time that must be issued on time for
    (within + k) / den to reach `target` percent; 0 when reached whatever happens, None when even
    all of them would not reach it (or there is nothing to measure)."""
    if den == 0:
        return None
    need = max(0, math.ceil(Fraction(str(target)) * den / 100) - within)
    return need if need <= can else None


def _variant(within: int, den: int, can: int, past: int, later: int, target: float,
             likely: int | None = None) -> dict:
    deciding = can + past
    total = den + deciding
    k = must_be_on_time(within, total, can, target)
    return {
        "likely_within": None if likely is None else within + likely,
        "likely_den": total, "pc_likely": None if likely is None else pct(within + likely, total),
        "within_so_far": within, "den_so_far": den, "pc_so_far": pct(within, den),
        "open_due_by_year_end": deciding, "open_in_time": can, "open_past_due": past,
        "open_due_next_year": later,
        "best_within": within + can, "best_den": total, "pc_best": pct(within + can, total),
        "worst_within": within, "worst_den": total, "pc_worst": pct(within, total),
        "target": target, "must_be_on_time": k,
        "target_reachable": k is not None,
        "target_reached_whatever_happens": k == 0,
    }


RATIOS = {"pc_so_far": ("within_so_far", "den_so_far"), "pc_best": ("best_within", "best_den"),
          "pc_likely": ("likely_within", "likely_den"),
          "pc_worst": ("worst_within", "worst_den")}


def _month_ends(as_of: dt.date) -> list[dt.date]:
    first = as_of.replace(day=1)
    return [first + relativedelta(months=i, day=31) for i in range(13 - as_of.month)]


def compute_forecast(episodes: pl.DataFrame, as05: Rule, as_of: dt.date,
                     target: Target) -> Forecast:
    """The forecast for the calendar year containing `as_of`, in four whole-table queries."""
    cols = set(episodes.columns)
    year = as_of.year
    period = Period(str(year), "calendar year", dt.date(year, 1, 1), as_of,
                    partial=as_of < dt.date(year, 12, 31))
    out = Forecast(year, as_of, period, target)
    out.missing = missing_columns(cols, (as05.start, as05.end))
    if out.missing:
        return out
    scope = _scope(as05, cols)
    # The measure counts plans issued in the period only: measuring the rows issued this year
    # gives the same counts, and the 13 measurements (so far, each month to date) stay quick.
    issued = Tally(episodes.lazy().filter(pl.col(as05.end).is_between(period.start,
                                                                        period.end)))
    counts: dict = {}
    issued.ask(timeliness_exprs(issued, start=as05.start, end=as05.end,
                                limit=as05.limit, period=period, cohort="issued", as_of=as_of,
                                scope=scope, rule=as05), counts.update)
    out.year_to_date = _year_to_date(issued, as05, as_of, scope)
    issued.answer()  # so far, and each month to date: one query
    so_far = timeliness_values(counts)
    due = as05.limit.add(pl.col(as05.start))
    exc = has_exception(as05, due, cols)
    end_err = f"{as05.end}__err"
    readable = pl.col(end_err).is_null() if end_err in cols else pl.lit(True)
    open_ = open_assessment(cols, as_of) & scope.fill_null(False)
    dec31 = pl.lit(dt.date(year, 12, 31))
    in_time = open_ & readable & (due >= pl.lit(as_of)) & (due <= dec31)
    past = open_ & readable & (due < pl.lit(as_of))
    later = open_ & readable & (due > dec31)
    ends = _month_ends(as_of)
    # The masks once (a narrow frame), then the sums over it: repeating the open-case and
    # exception expressions in every sum took seconds on 200,000 episodes.
    stage = ((pl.lit(as_of) - pl.col(as05.start)).dt.total_days() // STAGE_DAYS).clip(0, 5)
    marks = episodes.select(not_counted=open_ & ~readable, in_time=in_time, past=past,
                            later=later, exc=exc.fill_null(False), due=due, stage=stage)
    c, ok = pl.col, ~pl.col("exc")
    aggs = {"not_counted": c("not_counted").sum()}
    for b in range(6):  # cases still in time by stage, for the likely landing
        aggs[f"s{b}"] = (c("in_time") & (c("stage") == b)).sum()
        aggs[f"s{b}_ex"] = (c("in_time") & (c("stage") == b) & ok).sum()
    for name in ("in_time", "past", "later"):
        aggs[name] = c(name).sum()
        aggs[f"{name}_ex"] = (c(name) & ok).sum()
    for i, end in enumerate(ends):
        by_end = c("in_time") & (c("due") <= pl.lit(end))
        aggs[f"m{i}"] = by_end.sum()
        aggs[f"m{i}_ex"] = (by_end & ok).sum()
    n = {k: int(v) for k, v in marks.select(**aggs).row(0, named=True).items()}
    out.not_counted = n["not_counted"]
    rates = _stage_rates(episodes, as05, as_of, scope, exc.fill_null(False))
    out.including = _variant(so_far["within"], so_far["den"], n["in_time"], n["past"],
                             n["later"], target.including,
                             _likely([n[f"s{b}"] for b in range(6)], rates[""]))
    # Without exception columns there is no excluding figure (as the 20-week measure says).
    if _has_exception_columns(cols):
        out.excluding = _variant(so_far["within_ex"], so_far["den_ex"], n["in_time_ex"],
                                 n["past_ex"], n["later_ex"], target.excluding,
                                 _likely([n[f"s{b}_ex"] for b in range(6)], rates["_ex"]))
    for i, end in enumerate(ends):
        row: dict = {"month": end.strftime("%Y-%m"), "end": end.isoformat()}
        for suffix, v, key in (("", out.including, f"m{i}"), ("_ex", out.excluding, f"m{i}_ex")):
            if not v:
                row |= dict.fromkeys(f"{k}{suffix}" for k in MONTH_KEYS)
                continue
            den = v["den_so_far"] + v["open_past_due"] + n[key]
            best = v["within_so_far"] + n[key]
            row |= {f"best_within{suffix}": best, f"worst_within{suffix}": v["within_so_far"],
                    f"den{suffix}": den, f"pc_best{suffix}": pct(best, den),
                    f"pc_worst{suffix}": pct(v["within_so_far"], den)}
        out.months.append(row)
    if not out.excluding:
        out.year_to_date = [r | dict.fromkeys(("within_ex", "den_ex", "pc_ex"))
                            for r in out.year_to_date]
    return out


def _stage_rates(episodes: pl.DataFrame, as05: Rule, as_of: dt.date, scope: pl.Expr,
                 exc: pl.Expr) -> dict[str, list[Fraction | None]]:
    """For each stage b (not issued before day 28 x b after the request), the share of the plans
    issued in the 12 months before `as_of` and still not issued at that stage that were issued
    within 20 weeks: per variant ("" including exceptions, "_ex" excluding)."""
    start, end = pl.col(as05.start), pl.col(as05.end)
    tally, n = Tally(episodes), {}  # each mask once, then the 24 sums over them
    recent = tally.mark((end > pl.lit(as_of - relativedelta(years=1))) & (end <= pl.lit(as_of))
                        & start.is_not_null() & scope.fill_null(False))
    days = tally.mark((end - start).dt.total_days())
    on_time = tally.mark(end <= as05.limit.add(start))
    exc = tally.mark(exc)
    aggs = {}
    for b in range(6):
        still = recent & (days >= b * STAGE_DAYS)  # not issued before the stage's first day
        for sfx, keep in (("", pl.lit(True)), ("_ex", ~exc)):
            aggs[f"d{b}{sfx}"] = (still & keep).sum()
            aggs[f"n{b}{sfx}"] = (still & keep & on_time).sum()
    tally.ask(aggs, n.update)
    tally.answer()
    return {sfx: [Fraction(int(n[f"n{b}{sfx}"]), int(n[f"d{b}{sfx}"])) if n[f"d{b}{sfx}"] else None
                  for b in range(6)] for sfx in ("", "_ex")}


def _likely(in_time: list[int], rates: list[Fraction | None]) -> int | None:
    """The expected number of the cases still in time issued on time, rounded: None when a
    stage holding cases has no recent plans to learn its rate from."""
    if any(k and r is None for k, r in zip(in_time, rates)):
        return None
    return round(sum((k * r for k, r in zip(in_time, rates) if k), Fraction(0)))


def _year_to_date(tally: Tally, as05: Rule, as_of: dt.date, scope: pl.Expr) -> list[dict]:
    """The 20-week figure from 1 January to each month end so far (the last cut at the as-of
    date), counted by the 20-week measure itself: asked of `tally`, filled in when answered."""
    out = []
    for end in _month_ends(as_of.replace(month=1))[: as_of.month]:
        cut = min(end, as_of)
        p = Period(cut.strftime("%Y-%m"), "year to date", as_of.replace(month=1, day=1), cut,
                   partial=cut < end)
        row = {"month": p.label, "end": cut.isoformat()}

        def figures(counts: dict, row: dict = row) -> None:
            v = timeliness_values(counts)
            row.update({"within": v["within"], "den": v["den"], "pc": pct(v["within"], v["den"]),
                        "within_ex": v["within_ex"], "den_ex": v["den_ex"],
                        "pc_ex": pct(v["within_ex"], v["den_ex"])})

        tally.ask(timeliness_exprs(tally, start=as05.start, end=as05.end,
                                   limit=as05.limit, period=p, cohort="issued", as_of=as_of,
                                   scope=scope, rule=as05), figures)
        out.append(row)
    return out


MONTH_KEYS = ("best_within", "worst_within", "den", "pc_best", "pc_worst")
MONTH_RATIOS = {f"pc_{w}{s}": (f"{w}_within{s}", f"den{s}")
                for w in ("best", "worst") for s in ("", "_ex")}
YTD_RATIOS = {"pc": ("within", "den"), "pc_ex": ("within_ex", "den_ex")}


def forecast_json(f: Forecast, below: int | None = None) -> dict:
    """JSON key `measures.forecast_20w`; counts under `below` shown as <below, as elsewhere."""
    out = {
        "title": f"Where the {f.year} 20-week figure will land",
        "year": f.year, "as_of": f.as_of.isoformat(), "period": f.period.as_json(),
        "definition": f.definition, "assumptions": list(ASSUMPTIONS),
        "dfe_field": "pc_plans_issued_20_weeks_ex (excluding), pc_plans_issued_within_20_weeks "
                     "(including)",
        "target": {"including": f.target.including, "excluding": f.target.excluding,
                   "source": f.target.source},
        "available": f.available, "reason": f.reason, "headline": f.headline,
        "including": None, "excluding": None, "year_to_date": [], "months": [],
        "not_counted": f.not_counted,
    }
    if not f.available:
        return out
    for key in VARIANTS:
        v = getattr(f, key)
        out[key] = suppression.values(v, below, RATIOS) if v else None
    out["year_to_date"] = [suppression.values(r, below, YTD_RATIOS) for r in f.year_to_date]
    out["months"] = [suppression.values(r, below, MONTH_RATIOS) for r in f.months]
    return out
