"""Headline measures over a period: the 20-week measure as DfE computes it, the 6-week, 16-week
and advice measures, annual reviews, phase transfers and the exception share.

Each measure is computed in one pass of whole-table polars expressions over the prepared
episodes frame, and carries its definition (cohort, period with exact dates, with or without
exceptions) so the figure can be laid beside DfE's or a council's own. Field names follow DfE's
published timeliness data set where one exists (see the domain note sen2.md section 3).

Reading choices, stated once here and in each definition:
- Time limits and exceptions come from the rule files (AS01, AS02, AS03, AS05): one source for
  "20 weeks" and for which exception reasons count. A case "has an exception" exactly when the
  engine would except it (`engine.exception_expr`): an allowed reason whose flag is not 0, or (for
  AS05 only) `exception_20w` = 1 with no reason; `coronavirus_2020` only where the due date fell
  in the SI 2020/471 window. The 20-week measure is the exception to this: where the export has
  the flag, it alone decides, as DfE's `plans_issued_den_ex` counts Week20 = 0 assessments.
  Excluding exceptions drops those cases from numerator and denominator alike, as DfE's `_ex`
  fields do (on time or not).
- Within the limit = done no later than start + limit (20 weeks = 140 days; receipt is day 0).
- A year, for the bands, is 52 weeks (364 days): DfE measures in weeks (`avg_weeks_issue_plan`)
  and the backlog bands councils use are 20, 30 and 52 weeks, so "over a year" is over 52 weeks
  (365 days or more). The choice moves a plan only if it took exactly 365 days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from sendcheck.columns import ADVICE_KINDS
from sendcheck.figures.periods import Period
from sendcheck.judge.anchors import ENDINGS, Context
from sendcheck.judge.cases import EXPORT_REVIEWS, REVIEW_CYCLE, col_or_null, missing_columns
from sendcheck.judge.durations import Duration, FixedDay
from sendcheck.judge.engine import KIND_LABELS, condition_expr, exception_expr
from sendcheck.judge.quality import EXCEPTION_SHARE_LIMIT, EXCEPTION_SHARE_MIN_PLANS
from sendcheck.judge.rulebook import Rule

COHORTS = ("issued", "due")
YEAR_DAYS = 364  # 52 weeks: see the module docstring
DECISION_4W = Duration(4, "w")  # reg 20(10), 21(8)
AMEND_8W = Duration(8, "w")  # reg 22(3)
AMEND_12W = Duration(12, "w")  # R (L, M and P) v Devon CC [2022]
# Reg 18(1) says "before 15 February" / "before 31 March": a deadline recorded as one of these
# days is met only by the day before (timescales.md section 1).
BEFORE_DAYS = ((2, 15), (3, 31))


class NeedsColumns:
    """A figure computed only when the export has its columns (`missing` names those absent)."""

    missing: tuple[str, ...]

    @property
    def available(self) -> bool:
        return not self.missing

    @property
    def reason(self) -> str | None:
        return f"not available: missing {', '.join(self.missing)}" if self.missing else None


@dataclass
class Measure(NeedsColumns):
    """One measure: its figures and everything needed to read them."""

    id: str
    title: str
    definition: str  # one sentence: cohort, period (exact dates), exceptions, counting
    period: Period
    cohort: str
    exceptions: str  # "including and excluding exceptions", "no exceptions apply", ...
    values: dict[str, int | float | None] = field(default_factory=dict)
    missing: tuple[str, ...] = ()  # columns the export lacks: the measure is not available
    flag: str | None = None  # a warning about the figures (e.g. implausible exception share)
    notes: list[str] = field(default_factory=list)
    # How to suppress derived figures: pc field -> (numerator, denominator); avg field -> count.
    ratios: dict[str, tuple[str, str]] = field(default_factory=dict)
    averages: dict[str, str] = field(default_factory=dict)


def pct(num: int | None, den: int | None) -> float | None:
    """A percentage to one decimal place, or None when there is nothing to divide by."""
    if num is None or not den:
        return None
    return round(100 * num / den, 1)


class Tally:
    """Figures asked of one frame, answered together by one query (one pass over the frame,
    however many measures ask): each asker gives its aggregations and what to do with their
    values, called when `answer` has run the query. A row-wise expression several aggregations
    read is `mark`ed: worked out once, as a column of the query (repeated in every sum, the
    date arithmetic cost about 0.05 s a sum at 1,000,000 episodes)."""

    def __init__(self, frame: pl.DataFrame | pl.LazyFrame) -> None:
        self.frame = frame
        self.columns = set(frame.collect_schema().names())
        self._asks: list[tuple[dict[str, pl.Expr], Callable[[dict], None]]] = []
        self._marks: dict[str, pl.Expr] = {}

    def mark(self, expr: pl.Expr) -> pl.Expr:
        name = f"_mark {len(self._marks)}"
        self._marks[name] = expr
        return pl.col(name)

    def ask(self, exprs: dict[str, pl.Expr], then: Callable[[dict], None]) -> None:
        self._asks.append((exprs, then))

    def answer(self) -> None:
        asks, marks, self._asks, self._marks = self._asks, self._marks, [], {}
        named = {f"{i} {k}": e for i, (exprs, _) in enumerate(asks) for k, e in exprs.items()}
        query = self.frame.lazy()
        for name, expr in marks.items():  # in order: a mark may read an earlier one
            query = query.with_columns(expr.alias(name))
        row = query.select(**named).collect().row(0, named=True) if named else {}
        for i, (exprs, then) in enumerate(asks):
            then({k: row[f"{i} {k}"] for k in exprs})


def _in(expr: pl.Expr, period: Period) -> pl.Expr:
    return expr.is_between(pl.lit(period.start), pl.lit(period.end)).fill_null(False)


def _scope(rule: Rule, cols: set[str], cohort: str = "issued", start: str | None = None
           ) -> pl.Expr:
    """Episodes the rule applies to, by the rule file's own `not_applicable` / `applies`, and
    its `ends_with` (a withdrawn request).

    A withdrawn request is no decision: DfE leaves it out of the cohorts of cases done. In the
    `due` cohort a request withdrawn after its due date stays in, as the engine's `missed`: a
    duty that fell due in the period and was not done in time."""
    out = pl.lit(True)
    for cond in rule.not_applicable:
        if cond.due_before:
            # Due before the plan transferred in: the previous authority's (as the engine).
            if cond.column in cols and rule.start in cols and rule.mode == "deadline" \
                    and not isinstance(rule.limit, FixedDay):
                due = rule.limit.add(pl.col(rule.start))
                out = out & ~(due < pl.col(cond.column)).fill_null(False)
            continue
        out = out & ~condition_expr(cond, cols)
    for cond in rule.applies:
        out = out & condition_expr(cond, cols)
    if "request_withdrawn" in rule.ends_with:
        ctx = Context(dt.date.min, frozenset(cols))
        ending = ENDINGS["request_withdrawn"]
        withdrawn = ending.build(ctx).is_not_null() | ending.undated(ctx)
        if cohort == "due" and start is not None and start in cols:
            missed = (ending.build(ctx) > rule.limit.add(pl.col(start))).fill_null(False)
            withdrawn = withdrawn & ~missed
        out = out & ~withdrawn.fill_null(False)
    return out


def exception_name(rule: Rule | None, due: pl.Expr, cols: set[str]) -> pl.Expr:
    """The exception the engine would apply for this rule (reasons and flag read as there),
    whether or not the case was on time; null where none applies."""
    if rule is None or not (rule.exceptions or rule.flag_excepts):
        return pl.lit(None, pl.String)
    return exception_expr(rule, due, cols)


def has_exception(rule: Rule | None, due: pl.Expr, cols: set[str]) -> pl.Expr:
    """Whether the case counts as an exception in the measures. For the 20-week limit DfE
    follows the Week20 flag alone (sen2.md section 3: `plans_issued_den_ex` are the assessments
    with Week20 = 0), so where the export has the flag it decides, whatever reason is recorded;
    elsewhere the case is an exception exactly when the engine would except it."""
    if rule is not None and rule.flag_excepts and "exception_20w" in cols:
        return (pl.col("exception_20w") == "1").fill_null(False)
    return exception_name(rule, due, cols).is_not_null()


def _has_exception_columns(cols: set[str]) -> bool:
    return "exception_20w" in cols or "exception_reason" in cols


COHORT_TEXT = {
    "issued": "done in the period ({end} in the period)",
    "due": "falling due in the period (the {limit} due date in the period)",
    "started": "started in the period ({start} in the period)",
}


def timeliness_values(row: dict) -> dict[str, int | float | None]:
    """`timeliness_exprs`' values as figures: counts as int, averages as they are."""
    return {k: (int(v) if isinstance(v, (int, bool)) and not k.startswith("avg") else v)
            for k, v in row.items()}


def timeliness_exprs(tally: Tally, *, start: str, end: str, limit: Duration, period: Period,
                     cohort: str, as_of: dt.date, scope: pl.Expr | None = None,
                     rule: Rule | None = None, bands: bool = False) -> dict[str, pl.Expr]:
    """Counts for one start → end limit over a cohort, as aggregations for `tally` to ask.

    cohort `issued`: end date in the period (all done); `due`: due date in the period (not done
    counts as not within; the period ends by the as-of date, so such a case is overdue);
    `started`: start in the period, leaving out cases not done and not yet due (`pending`).
    Keys: den, within, not_done, pending, not_counted, and with exceptions excluded den_ex,
    within_ex, not_done_ex; with `bands`, gt_limit_lt_year, gt_year (and _ex), avg_days(_ex).
    """
    cols, mark = tally.columns, tally.mark
    s, e = pl.col(start), pl.col(end)
    due = limit.add(s)
    anchor = {"issued": e, "due": due, "started": s}[cohort]
    in_period = mark(_in(anchor, period) & (scope if scope is not None else pl.lit(True)))
    end_err = pl.col(f"{end}__err").is_null() if f"{end}__err" in cols else pl.lit(True)
    # Left out (and counted as not_counted): no readable start, an unreadable end, end before
    # start. These rows are data-quality findings (DQ01, DQ02, DQ07) already.
    valid = mark(s.is_not_null() & end_err & (e.is_null() | (e >= s)).fill_null(False))
    done = mark(e.is_not_null())
    pending = mark(~done & (due >= pl.lit(as_of)).fill_null(False))
    counted = in_period & valid
    if cohort == "started":
        counted = counted & ~pending
    counted = mark(counted)
    exc = mark(has_exception(rule, due, cols))
    within = mark(done & (e <= due).fill_null(False))
    days = mark((e - s).dt.total_days())
    limit_days = mark((due - s).dt.total_days())

    def n(mask: pl.Expr) -> pl.Expr:
        return mask.fill_null(False).sum()

    exprs = {
        "den": n(counted), "within": n(counted & within), "not_done": n(counted & ~done),
        "pending": n(in_period & valid & pending) if cohort == "started" else pl.lit(0),
        "not_counted": n(in_period & ~valid),
        "den_ex": n(counted & ~exc), "within_ex": n(counted & within & ~exc),
        "not_done_ex": n(counted & ~done & ~exc),
    }
    if bands:
        over = counted & done & (days > limit_days)
        mid, year = over & (days <= YEAR_DAYS), over & (days > YEAR_DAYS)
        exprs |= {
            "gt_limit_lt_year": n(mid), "gt_year": n(year),
            "gt_limit_lt_year_ex": n(mid & ~exc), "gt_year_ex": n(year & ~exc),
            "avg_days": days.filter(counted & done).mean(),
            "avg_days_ex": days.filter(counted & done & ~exc).mean(),
            "done": n(counted & done), "done_ex": n(counted & done & ~exc),
        }
    return exprs


def _weeks(days: float | None) -> float | None:
    return None if days is None else round(days / 7, 1)


def _period_text(period: Period) -> str:
    return (f"{period.start.isoformat()} to {period.end.isoformat()} ({period.label}"
            + (", cut at the as-of date" if period.partial else "") + ")")


def _exceptions_text(rule: Rule, cols: set[str]) -> str:
    if not _has_exception_columns(cols):
        return "no exception columns in the export: excluding-exception figures not available"
    if rule.flag_excepts and "exception_20w" in cols:
        return ("including and excluding exception cases (an exception = exception_20w = 1, "
                "as DfE counts Week20, whatever reason is recorded)")
    allowed = ", ".join(rule.exceptions) or "none"
    flag = "; exception_20w = 1 with no reason also counts" if rule.flag_excepts else ""
    return (f"including and excluding exception cases ({rule.code} allows: {allowed}, "
            f"each unless exception_20w = 0{flag})")


def _timed_measure(tally: Tally, *, id: str, title: str, rule: Rule, kind: str | None,
                   names: dict[str, str], period: Period, cohort: str, as_of: dt.date,
                   bands: bool = False, what: str) -> Measure:
    """A rule-backed timeliness measure (AS01, AS02 per kind, AS03, AS05) under DfE-style names:
    its figures asked of `tally`, filled in when the tally is answered."""
    cols = tally.columns
    start, end = rule.for_kind(kind)
    days = rule.limit.days
    limit_text = f"{rule.limit.label} limit ({days} days; the start day is day 0)"
    cohort_text = COHORT_TEXT[cohort].format(end=end, start=start, limit=rule.limit.label)
    m = Measure(id, title, "", period, cohort, _exceptions_text(rule, cols))
    # The dates, and the columns the rule's `applies` conditions read (AS03: assessment_outcome).
    # Columns a rule only reads to narrow its scope (AS05's request_outcome) are not needed.
    m.missing = missing_columns(cols, (start, end, *(c.column for c in rule.applies)))
    m.definition = (f"{what} {cohort_text}, {_period_text(period)}; elapsed {start} -> {end}; "
                    f"within = no later than the {limit_text}; {m.exceptions}")
    if not m.missing:
        tally.ask(timeliness_exprs(tally, start=start, end=end, limit=rule.limit, period=period,
                                   cohort=cohort, as_of=as_of,
                                   scope=_scope(rule, cols, cohort, start), rule=rule,
                                   bands=bands),
                  lambda row: _timed_values(m, timeliness_values(row), rule, names, bands,
                                            cohort, start, end, cols))
    return m


def _timed_values(m: Measure, v: dict, rule: Rule, names: dict[str, str], bands: bool,
                  cohort: str, start: str, end: str, cols: set[str]) -> None:
    """The figures of a `_timed_measure` from its counts `v`."""
    ex_ok = _has_exception_columns(cols)
    out = {
        names["den"]: v["den"], names["within"]: v["within"], names["pc"]: pct(v["within"], v["den"]),
        names["den_ex"]: v["den_ex"] if ex_ok else None,
        names["within_ex"]: v["within_ex"] if ex_ok else None,
        names["pc_ex"]: pct(v["within_ex"], v["den_ex"]) if ex_ok else None,
    }
    m.ratios = {names["pc"]: (names["within"], names["den"]),
                names["pc_ex"]: (names["within_ex"], names["den_ex"])}
    if bands:
        out |= {
            names["gt_limit_lt_year"]: v["gt_limit_lt_year"], names["gt_year"]: v["gt_year"],
            names["gt_limit_lt_year_ex"]: v["gt_limit_lt_year_ex"] if ex_ok else None,
            names["gt_year_ex"]: v["gt_year_ex"] if ex_ok else None,
            names["avg"]: _weeks(v["avg_days"]),
            names["avg_ex"]: _weeks(v["avg_days_ex"]) if ex_ok else None,
        }
        m.averages = {names["avg"]: names["den"], names["avg_ex"]: names["den_ex"]}
        m.notes.append(f"bands: over {rule.limit.days} days and at most 52 weeks ({YEAR_DAYS} days); "
                       f"over 52 weeks; average = mean days / 7, one decimal place")
    if cohort == "due":
        out[names["not_done"]] = v["not_done"]
        out[names["not_done"] + "_ex"] = v["not_done_ex"] if ex_ok else None
        m.notes.append("due cohort: a case not done by its due date counts as not within")
    out["not_counted"] = v["not_counted"]
    if v["not_counted"]:
        m.notes.append(f"{v['not_counted']} case(s) left out: {start} missing or unreadable, "
                       f"{end} unreadable, or {end} before {start} (see the data-quality checks)")
    m.values = out


TWENTY_WEEK_NAMES = {
    "den": "plans_issued_den", "within": "plans_issued_within_20_weeks",
    "pc": "pc_plans_issued_within_20_weeks", "den_ex": "plans_issued_den_ex",
    "within_ex": "plans_issued_20_weeks_ex", "pc_ex": "pc_plans_issued_20_weeks_ex",
    "gt_limit_lt_year": "plans_issued_gt20weeks_ltyear", "gt_year": "plans_issued_gt_1_year",
    "gt_limit_lt_year_ex": "plans_issued_gt20weeks_ltyear_ex",
    "gt_year_ex": "plans_issued_gt_1_year_ex",
    "avg": "avg_weeks_issue_plan", "avg_ex": "avg_weeks_issue_plan_exc",
    "not_done": "plans_not_issued",
}
SIX_WEEK_NAMES = {
    "den": "requests_decided_den", "within": "request_outcome_six_weeks",
    "pc": "pc_request_outcome_six_weeks", "den_ex": "requests_decided_den_ex",
    "within_ex": "request_outcome_six_weeks_ex", "pc_ex": "pc_request_outcome_six_weeks_ex",
    "not_done": "requests_not_decided",
}
SIXTEEN_WEEK_NAMES = {
    "den": "not_issue_decisions_den", "within": "outcome_decision_within_time",
    "pc": "pc_outcome_decision_within_time", "den_ex": "not_issue_decisions_den_ex",
    "within_ex": "outcome_decision_within_time_ex", "pc_ex": "pc_outcome_decision_within_time_ex",
    "not_done": "not_issue_decisions_not_notified",
}


def _advice_names(kind: str) -> dict[str, str]:
    p = f"advice_{kind}"
    return {"den": f"{p}_den", "within": f"{p}_within_6_weeks", "pc": f"pc_{p}_within_6_weeks",
            "den_ex": f"{p}_den_ex", "within_ex": f"{p}_within_6_weeks_ex",
            "pc_ex": f"pc_{p}_within_6_weeks_ex", "not_done": f"{p}_not_received"}


def _with_latest_meeting(episodes: pl.DataFrame, meetings: pl.DataFrame,
                         end: dt.date) -> pl.DataFrame:
    """The episodes with review_meeting_date = each plan's latest meeting in the review history
    on or before `end` (blank where none)."""
    latest = (meetings.filter(pl.col("review_meeting_date") <= pl.lit(end))
              .group_by("_ep").agg(pl.col("review_meeting_date").max())
              .rename({"_ep": "_idx"}).cast({"_idx": episodes.schema["_idx"]}))
    return (episodes.drop([c for c in episodes.columns if c.startswith("review_meeting_date")])
            .join(latest, on="_idx", how="left", maintain_order="left"))


def _review_measures(tally: Tally, period: Period, cohort: str, as_of: dt.date,
                     meetings: pl.DataFrame | None = None,
                     source: str = EXPORT_REVIEWS) -> list[Measure]:
    """Annual reviews, asked of `tally` (the episodes'). From the export's columns, the latest
    review meeting only; with a review history (`meetings`: one row per meeting, the episode's
    columns carried), every meeting: the per-meeting measures count each meeting (a tally of
    the meetings), the 12-month measure each plan's latest (a tally of the plans)."""
    on_plans = on_meetings = tally
    if meetings is not None:
        on_plans = Tally(_with_latest_meeting(tally.frame, meetings, period.end))
        on_meetings = Tally(meetings)
    cols = on_plans.columns
    out = []
    f, r = pl.col("final_plan_date"), col_or_null(cols, "review_meeting_date", pl.Date)
    cease = col_or_null(cols, "plan_cease_date", pl.Date)
    end = pl.lit(period.end)
    in_force = (f <= end) & (cease.is_null() | (cease > end))
    cease_note = ([] if "plan_cease_date" in cols else
                  ["no plan_cease_date column: no plan is treated as ceased"])

    # Plans in force, and reviews within 12 months (CFA 2014 s.44(1)).
    m = Measure("annual_reviews", "Annual reviews: plans in force and reviewed within 12 months",
                "", period, "snapshot at the period end",
                "no exceptions apply to reviews", notes=list(cease_note))
    m.missing = missing_columns(cols, ("final_plan_date", "review_meeting_date"))
    year_before = REVIEW_CYCLE.sub(end)
    m.definition = (
        f"plans in force on {period.end} (final plan on or before it, not ceased by it), period "
        f"{_period_text(period)}; a review is expected for each such plan issued at least 12 "
        f"months before {period.end}; expected reviews held = of those, review meeting in the "
        f"period; held within 12 months = of those, latest review meeting after the day 12 "
        f"months before {period.end}; "
        f"{m.exceptions}")
    if not m.missing:
        expected = in_force & (REVIEW_CYCLE.add(f) <= end)

        def annual(row: dict, m: Measure = m) -> None:
            v = {k: int(x) for k, x in row.items()}
            v["pc_reviews_held_within_12_months"] = pct(v["reviews_held_within_12_months"],
                                                        v["reviews_expected"])
            m.values = v

        on_plans.ask({
            "plans_in_force": in_force.fill_null(False).sum(),
            "reviews_expected": expected.fill_null(False).sum(),
            "expected_reviews_held": (expected & _in(r, period)).fill_null(False).sum(),
            "reviews_held_within_12_months": (expected & (r > year_before) & (r <= end))
            .fill_null(False).sum(),
        }, annual)
        m.ratios = {"pc_reviews_held_within_12_months":
                    ("reviews_held_within_12_months", "reviews_expected")}
        m.notes.append("the export holds only the latest review meeting, so reviews are judged "
                       "from that date" if meetings is None else
                       f"reviews from {source}: each plan's latest meeting on or before "
                       f"{period.end}")
    out.append(m)

    mcols = on_meetings.columns

    def simple(id: str, title: str, start: str, stop: str, limit: Duration, names: dict[str, str],
               what: str, scope: pl.Expr | None = None, needs: tuple[str, ...] = (),
               cohort_for: str | None = None) -> Measure:
        c = cohort_for or cohort
        text = COHORT_TEXT[c].format(end=stop, start=start, limit=limit.label)
        m = Measure(id, title, "", period, c, "no exceptions apply (no regulation allows them)")
        m.missing = missing_columns(mcols, (start, stop, *needs))
        m.definition = (f"{what} {text}, {_period_text(period)}; elapsed {start} -> {stop}; "
                        f"within = no later than the {limit.label} limit; {m.exceptions}; "
                        f"reviews from {source}")
        if m.missing:
            return m

        def figures(row: dict) -> None:
            v = timeliness_values(row)
            m.values = {names["den"]: v["den"], names["within"]: v["within"],
                        names["pc"]: pct(v["within"], v["den"])}
            if c == "due":
                m.values[names["den"].replace("_den", "_not_done")] = v["not_done"]
            if c == "started":
                m.values["pending"] = v["pending"]
            m.values["not_counted"] = v["not_counted"]

        on_meetings.ask(timeliness_exprs(on_meetings, start=start, end=stop, limit=limit,
                                         period=period, cohort=c, as_of=as_of, scope=scope),
                        figures)
        m.ratios = {names["pc"]: (names["within"], names["den"])}
        if c == "started":
            m.notes.append("pending = held in the period, no decision yet, not yet due: left out")
        return m

    # DfE's 2025 field is spelt `number_decsion_4weeks`; kept so the figures line up.
    out.append(simple(
        "review_decisions_4w", "Annual review decisions notified within 4 weeks of the meeting",
        "review_meeting_date", "review_decision_date", DECISION_4W,
        {"den": "reviews_held_den", "within": "number_decsion_4weeks",
         "pc": "pc_number_decsion_4weeks"},
        "reviews", cohort_for="started" if cohort == "issued" else "due"))

    o = Measure("review_outcomes", "Annual review outcomes", "", period, "started",
                "not applicable")
    o.missing = missing_columns(mcols, ("review_meeting_date", "review_outcome"))
    o.definition = (f"outcome of reviews whose meeting was held in the period, "
                    f"{_period_text(period)} (review_outcome: maintain / amend / cease); "
                    f"reviews from {source}")
    if not o.missing:
        held = _in(pl.col("review_meeting_date"), period)
        oc = pl.col("review_outcome")
        on_meetings.ask({
            "reviews_held": held.sum(),
            "outcome_maintain": (held & (oc == "maintain")).fill_null(False).sum(),
            "outcome_amend": (held & (oc == "amend")).fill_null(False).sum(),
            "outcome_cease": (held & (oc == "cease")).fill_null(False).sum(),
            "outcome_not_recorded": (held & oc.is_null()).sum(),
            "outcome_unknown_code": (held & (oc == "?")).fill_null(False).sum(),
        }, lambda row, o=o: setattr(o, "values", {k: int(x) for k, x in row.items()}))
    out.append(o)

    out.append(simple(
        "amended_plans_8w", "Final amended plans within 8 weeks of the amendment notice",
        "amendment_notice_date", "amended_plan_date", AMEND_8W,
        {"den": "amended_plans_den", "within": "amended_plans_within_8_weeks",
         "pc": "pc_amended_plans_within_8_weeks"}, "final amended plans"))
    # An amendment after a review: outcome `amend`, or an amended plan issued anyway.
    amend_scope = col_or_null(mcols, "amended_plan_date", pl.Date).is_not_null()
    if "review_outcome" in mcols:
        amend_scope = amend_scope | (pl.col("review_outcome") == "amend").fill_null(False)
    out.append(simple(
        "amended_plans_12w", "Final amended plans within 12 weeks of the review meeting",
        "review_meeting_date", "amended_plan_date", AMEND_12W,
        {"den": "amended_plans_from_review_den", "within": "amended_plans_within_12_weeks",
         "pc": "pc_amended_plans_within_12_weeks"},
        "final amended plans after a review", scope=amend_scope))

    p = Measure("phase_transfers", "Phase transfers: amended plan by the deadline", "", period,
                "due", "no exceptions apply (reg 18 allows none)")
    p.missing = missing_columns(tally.columns,
                                ("phase_transfer_due_date", "phase_transfer_final_date"))
    p.definition = (
        f"phase transfers whose deadline (phase_transfer_due_date) falls in the period, "
        f"{_period_text(period)}; done by the deadline = phase_transfer_final_date on or before "
        f"it, or before it when it is 15 February or 31 March (reg 18(1): 'before'); "
        f"{p.exceptions}")
    if not p.missing:
        due, fin = pl.col("phase_transfer_due_date"), pl.col("phase_transfer_final_date")
        strict = pl.lit(False)
        for month, day in BEFORE_DAYS:
            strict = strict | ((due.dt.month() == month) & (due.dt.day() == day))
        last_day = pl.when(strict).then(due - pl.duration(days=1)).otherwise(due)
        dueing = _in(due, period)

        def transfers(row: dict) -> None:
            v = {k: int(x) for k, x in row.items()}
            v["pc_phase_transfers_by_deadline"] = pct(v["phase_transfers_by_deadline"],
                                                      v["phase_transfers_due"])
            p.values = v

        tally.ask({
            "phase_transfers_due": dueing.sum(),
            "phase_transfers_by_deadline": (dueing & (fin <= last_day)).fill_null(False).sum(),
            "phase_transfers_not_done": (dueing & fin.is_null()).sum(),
        }, transfers)
        p.ratios = {"pc_phase_transfers_by_deadline":
                    ("phase_transfers_by_deadline", "phase_transfers_due")}
    out.append(p)
    if meetings is not None:
        on_plans.answer()
        on_meetings.answer()
    return out


def exception_share(twenty: Measure, rule: Rule, cols: set[str]) -> Measure:
    """The share of the 20-week cohort with an exception, flagged above quality.py's limit."""
    m = Measure("exception_share", "Share of new plans with a 20-week exception",
                "", twenty.period, twenty.cohort, twenty.exceptions)
    m.definition = (f"cases with an exception (as the 20-week measure counts them) among the "
                    f"20-week measure's cohort ({twenty.cohort}), {_period_text(twenty.period)}; "
                    f"flagged above {EXCEPTION_SHARE_LIMIT:.0%} when there are at least "
                    f"{EXCEPTION_SHARE_MIN_PLANS} plans (the data-quality threshold, DQ08)")
    m.missing = twenty.missing or (() if _has_exception_columns(cols)
                                   else ("exception_20w or exception_reason",))
    if m.missing:
        return m
    den = twenty.values["plans_issued_den"]
    exc = den - twenty.values["plans_issued_den_ex"]
    share = exc / den if den else None
    m.values = {"plans_issued_den": den, "plans_with_exception": exc,
                "pc_plans_with_exception": pct(exc, den)}
    m.ratios = {"pc_plans_with_exception": ("plans_with_exception", "plans_issued_den")}
    if share is not None and den >= EXCEPTION_SHARE_MIN_PLANS and share > EXCEPTION_SHARE_LIMIT:
        m.flag = (f"implausibly high: {share:.0%} of {den} plans have an exception (above "
                  f"{EXCEPTION_SHARE_LIMIT:.0%}); check how exceptions are recorded")
    return m


def twenty_week_measure(episodes: pl.DataFrame, rule: Rule, period: Period, cohort: str,
                        as_of: dt.date) -> Measure:
    """DfE's 20-week measure (timeliness_20_week's fields) over one period and cohort."""
    tally = Tally(episodes)
    m = _twenty_week(tally, rule, period, cohort, as_of)
    tally.answer()
    return m


def _twenty_week(tally: Tally, rule: Rule, period: Period, cohort: str, as_of: dt.date
                 ) -> Measure:
    return _timed_measure(
        tally, id="final_plan_20w", title="New EHC plans issued within 20 weeks",
        rule=rule, kind=None, names=TWENTY_WEEK_NAMES, bands=True, what="new EHC plans",
        period=period, cohort=cohort, as_of=as_of)


def compute_measures(episodes: pl.DataFrame, rules: dict[str, Rule], period: Period,
                     cohort: str, as_of: dt.date, meetings: pl.DataFrame | None = None,
                     review_source: str = EXPORT_REVIEWS) -> list[Measure]:
    """Every headline measure for one period and cohort (`issued` or `due`); the review
    measures from `meetings` (the review history's meetings) when given."""
    if cohort not in COHORTS:
        raise ValueError(f"cohort must be one of {COHORTS}, not {cohort!r}")
    cols = set(episodes.columns)
    args = {"period": period, "cohort": cohort, "as_of": as_of}
    tally = Tally(episodes)  # every measure of the episodes, in one query
    twenty = _twenty_week(tally, rules["AS05"], **args)
    out = [twenty]
    out.append(_timed_measure(
        tally, id="decision_to_assess_6w",
        title="Decisions whether to assess within 6 weeks", rule=rules["AS01"], kind=None,
        names=SIX_WEEK_NAMES, what=("requests for assessment (not withdrawn by the due date)"
                                    if cohort == "due" else
                                    "requests for assessment (not withdrawn)"), **args))
    out.append(_timed_measure(
        tally, id="no_plan_decision_16w",
        title="Decisions not to issue a plan within 16 weeks", rule=rules["AS03"], kind=None,
        names=SIXTEEN_WEEK_NAMES, what="decisions not to issue a plan", **args))
    for kind in ADVICE_KINDS:
        if kind == "other" and f"advice_{kind}_requested_date" not in cols:
            continue  # "other" advice is optional; the four named kinds always report
        out.append(_timed_measure(
            tally, id=f"advice_{kind}_6w",
            title=f"{KIND_LABELS[kind][0].upper()}{KIND_LABELS[kind][1:]} advice within 6 weeks",
            rule=rules["AS02"],
            kind=kind, names=_advice_names(kind),
            what=f"{KIND_LABELS[kind]} advice requests", **args))
    out += _review_measures(tally, period, cohort, as_of, meetings, review_source)
    tally.answer()
    out.insert(1, exception_share(twenty, rules["AS05"], cols))
    return out


def measure_rules(rules_dir=None) -> dict[str, Rule]:
    """The rules the timeliness measures read their limits and exceptions from."""
    from sendcheck.judge.rulebook import load_rules

    return {r.code: r for r in load_rules(rules_dir) if r.code in ("AS01", "AS02", "AS03", "AS05")}
