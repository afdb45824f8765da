"""Derived dates a rule file may name as its `start` or `end` (a small, fixed registry).

Some statutory clocks do not start at one recorded date: the annual review runs from the latest
review meeting or, before the first, from the plan; a phase transfer is due on a fixed day of the
year the child changes school, which comes from the recorded due date, the year group or the date
of birth. Each derived date here is a polars expression builder with the columns it needs, so
rule files stay declarative (no formulas in them) and every derivation is written once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

# Year groups as numbers: Reception is 0, so Year n is n and the nursery years are -1 and -2.
NC_NUMBER = {"N1": -2, "N2": -1, "R": 0, **{str(n): n for n in range(1, 15)}}
# Year groups at whose end PT01 may fall ("the September after Year 6"): N2 -> Reception,
# infant -> junior (2), first -> middle (4), primary -> secondary (6), middle -> upper (8).
SCHOOL_TRANSFER_YEARS = ("N2", "2", "4", "6", "8")
DEFAULT_SCHOOL_TRANSFER_YEARS = ("6",)
POST16_TRANSFER_YEAR = "11"  # reg 18(1)(a): secondary school to post-16 institution
# A recorded phase-transfer due date on or before 15 February is a school transfer (reg 18(1)(b));
# one from 16 February to 31 March is the post-16 one (reg 18(1)(a)). Used only when neither the
# year group nor the date of birth says which transfer it is.
POST16_FROM, POST16_TO = (2, 16), (3, 31)


@dataclass(frozen=True)
class Context:
    """What a derived date may depend on besides the row: the as-of date and the local config."""

    as_of: dt.date
    columns: frozenset[str]
    school_transfer_years: tuple[str, ...] = DEFAULT_SCHOOL_TRANSFER_YEARS

    def col(self, name: str, dtype: pl.DataType = pl.Date) -> pl.Expr:
        """The column, or a null of its type when the export lacks it."""
        return pl.col(name) if name in self.columns else pl.lit(None, dtype)

    @property
    def transfer_year(self) -> int:
        """The calendar year of the next September after the as-of date: the cohort judged."""
        return self.as_of.year + (1 if self.as_of.month >= 9 else 0)


Problem = tuple[pl.Expr, pl.Expr]  # (row is invalid, why)


@dataclass(frozen=True)
class Anchor:
    name: str
    meaning: str
    build: Callable[[Context], pl.Expr]
    needs: tuple[str, ...] = ()  # must all be present, else the rule is skipped
    needs_any: tuple[str, ...] = ()  # at least one must be present
    uses: tuple[str, ...] = ()  # read when present; an unreadable or future cell is invalid
    reads: tuple[str, ...] = ()  # read when present; its own problems() say when it matters
    problems: Callable[[Context], list[Problem]] = field(default=lambda ctx: [])
    absent: Callable[[Context], str] | None = None  # why the date is blank (not_applicable)

    def columns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.needs, *self.needs_any, *self.uses, *self.reads)))


# ---------------------------------------------------------------- annual reviews


def _review_anchor(ctx: Context) -> pl.Expr:
    return pl.coalesce(ctx.col("review_meeting_date"), ctx.col("final_plan_date"))


def _review_anchor_problems(ctx: Context) -> list[Problem]:
    meeting, plan = ctx.col("review_meeting_date"), ctx.col("final_plan_date")
    # A review decision after the plan says a review meeting was held before it: the clock runs
    # from that meeting, whose date is blank (SEN2's LastReview without its ReviewMeeting, as the
    # SSD and the SEND tool carry it). An outcome recorded without its date is invalid, never
    # overdue from the plan (contract section 3).
    decision = ctx.col("review_decision_date")
    undated = (meeting.is_null() & (decision >= plan)).fill_null(False)
    return [((meeting < plan).fill_null(False), pl.format(
        "review_meeting_date {} is before final_plan_date {}", meeting, plan)),
        (undated, pl.format("a review decision is recorded ({}), its meeting's date is blank "
                            "(review_meeting_date)", decision))]


def _next_review(ctx: Context) -> pl.Expr:
    # Only a review-history file (sendcheck.reviews) knows the meeting after this one.
    return ctx.col("_next_review_meeting")


def _next_review_problems(ctx: Context) -> list[Problem]:
    if "_next_review_meeting__err" not in ctx.columns:
        return []
    err = pl.col("_next_review_meeting__err")
    return [(err.is_not_null(), err)]


# ---------------------------------------------------------------- phase transfer


def _year_group(ctx: Context) -> pl.Expr:
    """The year group in the academic year containing the as-of date, as a number: from nc_year,
    else from birth_date (born 1 Sep Y-1 .. 31 Aug Y: Reception from September Y+4)."""
    from_nc = ctx.col("nc_year", pl.String).replace_strict(NC_NUMBER, default=None,
                                                           return_dtype=pl.Int32)
    birth = ctx.col("birth_date")
    cohort = birth.dt.year().cast(pl.Int32) + (birth.dt.month() >= 9).cast(pl.Int32)
    autumn = ctx.transfer_year - 1  # the September that began the academic year
    from_birth = pl.lit(autumn, pl.Int32) - (cohort + 4)
    return pl.coalesce(from_nc, from_birth)


def _is_post16(ctx: Context) -> pl.Expr:
    """Which transfer: by year group when known, else by the recorded due date's day."""
    due = ctx.col("phase_transfer_due_date")
    year = due.dt.year()
    by_due = due.is_between(pl.date(year, *POST16_FROM), pl.date(year, *POST16_TO))
    by_due_school = due <= pl.date(year, 2, 15)
    n = _year_group(ctx)
    return (pl.when(n.is_not_null()).then(n == int(POST16_TRANSFER_YEAR))
            .when(by_due).then(pl.lit(True)).when(by_due_school).then(pl.lit(False))
            .otherwise(None))


def _in_cohort(ctx: Context, post16: bool) -> pl.Expr:
    """Transferring in September of ctx.transfer_year, at one of this rule's transfer points."""
    years = (POST16_TRANSFER_YEAR,) if post16 else ctx.school_transfer_years
    points = [NC_NUMBER[y] for y in years]
    due = ctx.col("phase_transfer_due_date")
    kind = _is_post16(ctx) == post16
    # The recorded due date governs the year; without it the year group puts the child in this
    # year's cohort when it is a transfer point.
    by_due = (due.dt.year() == ctx.transfer_year) & kind
    by_year_group = _year_group(ctx).is_in(points)
    return pl.when(due.is_not_null()).then(by_due).otherwise(by_year_group).fill_null(False)


def _window(post16: bool) -> Callable[[Context], pl.Expr]:
    def build(ctx: Context) -> pl.Expr:
        # The clock is shown as running from 1 September of the final year in the old phase
        # (12 months before the transfer); the fixed-day limit then falls in the next February
        # or March, the calendar year of transfer.
        opens = dt.date(ctx.transfer_year - 1, 9, 1)
        return pl.when(_in_cohort(ctx, post16)).then(pl.lit(opens)).otherwise(None)
    return build


def _window_problems(ctx: Context) -> list[Problem]:
    due = ctx.col("phase_transfer_due_date")
    nc = ctx.col("nc_year", pl.String)
    unknown_nc = (nc == "?").fill_null(False)
    birth_bad = (pl.col("birth_date__err").is_not_null() if "birth_date__err" in ctx.columns
                 else pl.lit(False))
    nc_blank = nc.is_null() | unknown_nc
    raw_nc = ctx.col("nc_year__raw", pl.String)
    return [
        (due.is_null() & unknown_nc & ctx.col("birth_date").is_null() & ~birth_bad, pl.format(
            "nc_year '{}' is not a year group (and no birth_date or phase_transfer_due_date)",
            raw_nc)),
        (due.is_null() & nc_blank & birth_bad,
         pl.lit("birth_date is unreadable and no nc_year or phase_transfer_due_date gives the "
                "year of transfer")),
    ]


def _window_absent(post16: bool) -> Callable[[Context], str]:
    def text(ctx: Context) -> str:
        years = (POST16_TRANSFER_YEAR,) if post16 else ctx.school_transfer_years
        groups = " or ".join(f"Year {y}" if y[0].isdigit() else y for y in years)
        t = ctx.transfer_year
        return (f"not transferring in September {t} (not in {groups} in {t - 1}/{t % 100:02d}, "
                f"or a phase_transfer_due_date in another year or for the other transfer)")
    return text


def _transfer_plan(ctx: Context) -> pl.Expr:
    """phase_transfer_final_date, else an amended plan in the 12 months before the transfer."""
    t = ctx.transfer_year
    amended = ctx.col("amended_plan_date")
    in_window = amended.is_between(pl.lit(dt.date(t - 1, 9, 1)), pl.lit(dt.date(t, 8, 31)))
    return pl.coalesce(ctx.col("phase_transfer_final_date"),
                       pl.when(in_window).then(amended).otherwise(None))


# ---------------------------------------------------------------- a plan ceased after an order


def _ceased_after_order(ctx: Context) -> pl.Expr:
    """ordered_cease_date, else the plan's own cease date (plan_cease_date).

    Reg 44(2)(a) asks that the authority "cease to maintain the EHC plan immediately": the plan
    ceasing is the act, whichever column records it. A cease date before the order is not this
    act (the plan must be maintained while the appeal is pending): left as the end, the engine
    finds it before the order and the finding is invalid, naming both dates.
    """
    ordered, ceased = ctx.col("ordered_cease_date"), ctx.col("plan_cease_date")
    return pl.coalesce(ordered, ceased)


_WINDOW_READS = {"needs_any": ("phase_transfer_due_date", "nc_year", "birth_date"),
                 "uses": ("phase_transfer_due_date",), "reads": ("nc_year", "birth_date"),
                 "problems": _window_problems}
_PLAN_READS = {"needs_any": ("phase_transfer_final_date", "amended_plan_date"),
               "uses": ("phase_transfer_final_date", "amended_plan_date")}

ANCHORS: dict[str, Anchor] = {a.name: a for a in (
    Anchor("review_anchor",
           "the latest review meeting, else the date the plan was issued (the 12-month clock "
           "runs from whichever is later)",
           _review_anchor, needs=("final_plan_date",), uses=("review_meeting_date",),
           reads=("review_decision_date",), problems=_review_anchor_problems,
           absent=lambda ctx: "no final_plan_date (no plan to review)"),
    Anchor("next_review_meeting",
           "the next review meeting after this one (known only from a review-history file, "
           "--reviews; without one the current cycle is open)",
           _next_review, problems=_next_review_problems),
    Anchor("school_transfer_window",
           "1 September of the year before a school phase transfer (the child is in the last "
           "year of the phase: Year 6 by default, see [phase_transfer] years)",
           _window(False), absent=_window_absent(False), **_WINDOW_READS),
    Anchor("post16_transfer_window",
           "1 September of the year before the move from Year 11 to post-16",
           _window(True), absent=_window_absent(True), **_WINDOW_READS),
    Anchor("plan_ceased_after_order",
           "ordered_cease_date, else plan_cease_date (the plan ceasing is what the order "
           "requires, whichever column records it)",
           _ceased_after_order, needs_any=("ordered_cease_date", "plan_cease_date"),
           uses=("ordered_cease_date", "plan_cease_date")),
    Anchor("phase_transfer_plan",
           "phase_transfer_final_date, else an amended_plan_date in the 12 months before the "
           "transfer (1 September to 31 August)",
           _transfer_plan, **_PLAN_READS),
)}


# ---------------------------------------------------------------- when a duty ends
#
# A duty can end before it is done: the plan ceases (moved away, needs met, aged out), or the
# family withdraws the request. A rule file names these with `ends_with`. What the end means
# (contract section 3): a duty whose due date had passed before it ended is `missed` (a breach
# that happened, with nothing left to do, counted with its due date); a duty that fell due on or
# after the day it ended is `not_applicable`.


@dataclass(frozen=True)
class Ending:
    name: str
    what: str  # "plan ceased": how messages say it
    build: Callable[[Context], pl.Expr]  # the date the duty ended, or null
    reads: tuple[str, ...]
    # Dates that must be readable to judge the rule (an unreadable cease date: whether the duty
    # ended cannot be told, so invalid). A withdrawal's outcome date matters only when the
    # request was withdrawn: unreadable there, the withdrawal counts as undated.
    judged: tuple[str, ...] = ()
    # Ended, but on a date not recorded: whether the limit had passed cannot be told, so the
    # rule is not_applicable with this reason (e.g. a request withdrawn with no date).
    undated: Callable[[Context], pl.Expr] | None = None
    undated_reason: str = ""


def _withdrawn_on(ctx: Context) -> pl.Expr:
    """The date of a withdrawal: the request's outcome date when the request was withdrawn, the
    assessment's outcome date when the request was withdrawn during the assessment (SEN2
    RequestOutcome / AssessmentOutcome W, with their outcome dates)."""
    request = ctx.col("request_outcome", pl.String) == "withdrawn"
    assessment = ctx.col("assessment_outcome", pl.String) == "withdrawn"
    return (pl.when(request.fill_null(False)).then(ctx.col("request_outcome_date"))
            .when(assessment.fill_null(False)).then(ctx.col("assessment_outcome_date"))
            .otherwise(None))


def _withdrawn_undated(ctx: Context) -> pl.Expr:
    request = (ctx.col("request_outcome", pl.String) == "withdrawn").fill_null(False)
    assessment = (ctx.col("assessment_outcome", pl.String) == "withdrawn").fill_null(False)
    return _withdrawn_on(ctx).is_null() & (request | assessment)


def _no_plan_ordered(ctx: Context) -> pl.Expr:
    """The date a decision not to issue was made after an ordered (or conceded, or agreed)
    assessment: it replaced the plan the first request's 20 weeks were waiting for."""
    return _by_as_of(ctx, ctx.col("ordered_no_plan_date"))


def _reviewed_since_transfer(ctx: Context) -> pl.Expr:
    """A review meeting on or after the transfer in (the export's latest meeting): the review
    reg 15(4)'s letter was to announce has been held, so the letter's duty ended then."""
    meeting, moved = ctx.col("review_meeting_date"), ctx.col("transfer_in_date")
    return pl.when(meeting >= moved).then(meeting).otherwise(None)


def _by_as_of(ctx: Context, date: pl.Expr) -> pl.Expr:
    """The date, unless it is after the as-of date (a typo DQ03 reports: it ends nothing)."""
    return pl.when(date <= pl.lit(ctx.as_of)).then(date).otherwise(None)


def _assessment_decided(ctx: Context) -> pl.Expr:
    """The first recorded outcome of an ordered (conceded, agreed) assessment: a draft, a final
    plan or a decision not to issue. The assessment was carried out, so the notice that it would
    be was overtaken."""
    return _by_as_of(ctx, pl.min_horizontal(ctx.col("ordered_draft_plan_date"),
                                            ctx.col("ordered_final_plan_date"),
                                            ctx.col("ordered_no_plan_date")))


ENDINGS: dict[str, Ending] = {e.name: e for e in (
    Ending("plan_ceased", "the plan ceased", lambda ctx: ctx.col("plan_cease_date"),
           reads=("plan_cease_date",), judged=("plan_cease_date",)),
    Ending("request_withdrawn", "the request was withdrawn", _withdrawn_on,
           reads=("request_outcome", "request_outcome_date", "assessment_outcome",
                  "assessment_outcome_date"),
           undated=_withdrawn_undated,
           undated_reason="request withdrawn (no date recorded, so whether the limit had "
                          "passed cannot be told)"),
    Ending("reviewed_since_transfer", "the plan was reviewed after the transfer",
           _reviewed_since_transfer, reads=("review_meeting_date", "transfer_in_date"),
           judged=("review_meeting_date",)),
    Ending("assessment_decided", "the ordered assessment was decided",
           _assessment_decided,
           reads=("ordered_draft_plan_date", "ordered_final_plan_date", "ordered_no_plan_date")),
    Ending("no_plan_decided", "a decision not to issue a plan was notified", _no_plan_ordered,
           reads=("ordered_no_plan_date",)),
)}
