"""Data-quality checks (DQnn): row problems reported as findings with status `invalid`.

Each check names the columns it needs (it is skipped, with the reason, when they are absent) and
carries an action sentence telling the analyst what to fix, as witan.sen2 does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from sendcheck.columns import (
    ADVICE_KINDS,
    BY_NAME,
    CEASE_REASONS,
    DEADLINE_COLUMNS,
    PERSONAL,
    VALUES,
)
from sendcheck.read.dates import EXCEL_ERROR

DQ_SCHEMA = {"check": pl.String, "_idx": pl.UInt32, "column": pl.String, "message": pl.String}
# Above this share of new plans flagged as exceptions, the flag is implausible (DfE found two
# authorities marking every plan). The national share is far lower; the threshold is a signal.
EXCEPTION_SHARE_LIMIT = 0.25
EXCEPTION_SHARE_MIN_PLANS = 20  # a share of a handful of plans says nothing

# (earlier, later): the later event cannot come before the earlier one.
ORDER = [
    ("birth_date", "request_received_date"),
    ("request_received_date", "request_outcome_date"),
    ("request_received_date", "assessment_outcome_date"),
    ("request_received_date", "draft_plan_date"),
    ("request_received_date", "final_plan_date"),
    ("draft_plan_date", "final_plan_date"),
    ("final_plan_date", "plan_cease_date"),
    ("final_plan_date", "review_meeting_date"),
    ("review_meeting_date", "review_decision_date"),
    ("amendment_notice_date", "amended_plan_date"),
    ("review_meeting_date", "amended_plan_date"),  # RV04: the latest amended plan, after the meeting
    ("transfer_in_date", "transfer_in_notice_date"),
    ("reassessment_request_date", "reassessment_decision_date"),
    ("reassessment_decision_date", "reassessment_plan_date"),
    *[(f"advice_{k}_requested_date", f"advice_{k}_received_date") for k in ADVICE_KINDS],
    ("mediation_request_date", "mediation_date"),
    ("mediation_notice_date", "mediation_date"),
    ("mediation_date", "mediation_certificate_date"),
]


@dataclass(frozen=True)
class Check:
    code: str
    name: str
    title: str
    action: str
    needs: tuple[str, ...]
    run: Callable[[pl.DataFrame, dt.date], pl.DataFrame | pl.LazyFrame]


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=DQ_SCHEMA)


def _rows(df: pl.DataFrame, mask: pl.Expr, column: str, message: pl.Expr, code: str
          ) -> pl.LazyFrame:
    """The findings of one check, as a query: `run_checks` collects every check's together, so
    each filter reads only the columns its mask and message name (filtering the whole
    hundred-column frame eagerly, eighty times over, took seconds per million episodes)."""
    return df.lazy().filter(mask).select(
        pl.lit(code).alias("check"), pl.col("_idx"), pl.lit(column).alias("column"),
        message.alias("message"))


def _date_columns(df: pl.DataFrame) -> list[str]:
    return [c for c in df.columns if c in BY_NAME and BY_NAME[c].kind == "date"]


def _unreadable(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    parts = []
    for c in _date_columns(df):
        unreadable = pl.col(f"{c}__err").is_not_null() & ~_is_before_reforms(c)  # DQ15's
        if c in PERSONAL:  # neither the value nor its reason ("year 1890 is outside ...")
            message = pl.lit(f"{c}: the value (not shown) is not a readable date")
        else:
            message = pl.format("{}: '{}' is {}", pl.lit(c), pl.col(f"{c}__raw"),
                                pl.col(f"{c}__err"))
        parts.append(_rows(df, unreadable, c, message, "DQ01"))
    return pl.concat(parts) if parts else _empty()


def _order(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    parts = []
    for early, late in ORDER:
        if early in df.columns and late in df.columns:
            bad = (pl.col(late) < pl.col(early)).fill_null(False)
            shown = pl.lit("(date of birth)") if early in PERSONAL else pl.col(early).cast(pl.String)
            parts.append(_rows(df, bad, late, pl.format(
                "{} {} is before {} {}", pl.lit(late), pl.col(late), pl.lit(early), shown), "DQ02"))
    return pl.concat(parts) if parts else _empty()


def _future(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    parts = []
    for c in (c for c in _date_columns(df) if c not in DEADLINE_COLUMNS):
        shown = pl.lit("(date of birth)") if c in PERSONAL else pl.col(c).cast(pl.String)
        parts.append(_rows(df, (pl.col(c) > pl.lit(as_of)).fill_null(False), c, pl.format(
            "{} {} is after the as-of date {}", pl.lit(c), shown, pl.lit(as_of)), "DQ03"))
    return pl.concat(parts) if parts else _empty()


def _before_reforms(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    # Every EHC event is on or after 1 September 2014 (CFA 2014 Part 3 in force): the reader
    # makes such a cell unusable, its reason in `c__err` (sendcheck.episodes.BEFORE_REFORMS).
    parts = []
    for c in (c for c in _date_columns(df) if c not in PERSONAL):
        parts.append(_rows(df, _is_before_reforms(c), c, pl.format(
            "{}: {} (a two-digit year read as 19yy?)", pl.lit(c), pl.col(f"{c}__err")), "DQ15"))
    return pl.concat(parts) if parts else _empty()


def _is_before_reforms(c: str) -> pl.Expr:
    from sendcheck.read.episodes import BEFORE_REFORMS

    return pl.col(f"{c}__err").str.starts_with(BEFORE_REFORMS).fill_null(False)


def _duplicates(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    dup = pl.col("record_id").is_duplicated()
    count = pl.len().over("record_id")
    return _rows(df, dup, "record_id", pl.format(
        "record_id '{}' appears on {} rows", pl.col("record_id"), count), "DQ04")


def _open_case(df: pl.DataFrame, as_of: dt.date) -> pl.Expr:
    """An assessment still under way, or a plan in force, on the as-of date (the same tests the
    backlog and caseload counts use)."""
    from sendcheck.judge.cases import open_assessment, plan_in_force

    cols = set(df.columns)
    return open_assessment(cols, as_of) | plan_in_force(cols, as_of)


def _no_caseworker(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    blank = pl.col("caseworker").is_null() | (pl.col("caseworker") == "")
    return _rows(df, blank & _open_case(df, as_of), "caseworker",
                 pl.lit("open case with no caseworker recorded"), "DQ05")


def _flag_no_reason(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    from sendcheck.judge.engine import exception_expr
    from sendcheck.judge.rulebook import load_rules

    flagged = (pl.col("exception_20w") == "1").fill_null(False)
    has_reason = "exception_reason" in df.columns
    reason = pl.col("exception_reason") if has_reason else pl.lit(None, pl.String)
    raw = pl.col("exception_reason__raw") if has_reason else reason
    cols = set(df.columns)
    # A flagged case whose recorded reason the 20-week limit (AS05) does not excuse, judged by
    # the engine's own exception expression (so coronavirus outside its window counts too).
    as05 = [r for r in load_rules() if r.flag_excepts]
    if as05 and "request_received_date" in cols:
        due = as05[0].limit.add(pl.col("request_received_date"))
        excused = exception_expr(as05[0], due, cols).is_not_null()
    else:
        excused = pl.lit(False)
    no_reason = reason.is_null()
    return _rows(df, flagged & (no_reason | ~excused), "exception_20w",
                 pl.when(no_reason).then(pl.lit(
                     "20-week exception flagged with no reason (counted as excepted for AS05 "
                     "only, as DfE does)"))
                 .otherwise(pl.format(
                     "20-week exception flagged with reason '{}', which does not excuse the "
                     "20-week limit here (AS05 judges the case on its dates; DfE's figure, which "
                     "follows the flag, counts it as an exception)", raw)), "DQ06")


def _reason_flag_off(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    mask = ((pl.col("exception_20w") == "0") & pl.col("exception_reason").is_not_null()).fill_null(False)
    return _rows(df, mask, "exception_reason", pl.format(
        "exception reason '{}' given but the 20-week exception flag is 0 (the flag is followed, "
        "as DfE does)", pl.col("exception_reason__raw")), "DQ11")


def _plan_no_request(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    mask = pl.col("final_plan_date").is_not_null() & pl.col("request_received_date").is_null()
    for col in ("transfer_in_date", "transfer_in_la"):  # a plan transferred in has no request here
        if col in df.columns:
            mask = mask & pl.col(col).is_null()
    return _rows(df, mask, "request_received_date",
                 pl.lit("final plan issued but no request date recorded"), "DQ07")


def _exception_share(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    year_ago = as_of - dt.timedelta(days=365)
    flagged = pl.col("exception_20w") == "1" if "exception_20w" in df.columns else pl.lit(False)
    if "exception_reason" in df.columns:
        flagged = flagged | pl.col("exception_reason").is_not_null()
    issued = pl.col("final_plan_date").is_between(pl.lit(year_ago), pl.lit(as_of))
    plans, share = df.select(issued.sum(), flagged.fill_null(False).filter(issued).mean()).row(0)
    if plans < EXCEPTION_SHARE_MIN_PLANS:
        return _empty()
    if share <= EXCEPTION_SHARE_LIMIT:
        return _empty()
    return pl.DataFrame({
        "check": ["DQ08"], "_idx": [None], "column": ["exception_20w"],
        "message": [f"{share:.0%} of the {plans} plans issued in the 12 months to "
                    f"{as_of} are flagged as exceptions (above {EXCEPTION_SHARE_LIMIT:.0%})"],
    }, schema=DQ_SCHEMA)


def _age(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    at = pl.col("request_received_date") if "request_received_date" in df.columns else pl.lit(as_of)
    at = pl.coalesce(at, pl.lit(as_of))
    age_days = (at - pl.col("birth_date")).dt.total_days()
    # 0-25: the EHC duties end at the young person's 25th birthday.
    bad = ((age_days < 0) | (pl.col("birth_date").dt.offset_by("26y") <= at)).fill_null(False)
    return _rows(df, bad, "birth_date",
                 pl.lit("age outside 0-25 at the request (or the as-of date)"), "DQ09")


def _excel_errors(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Excel error values in the text columns (ids, caseworker); date and coded columns report
    them already (DQ01, DQ10)."""
    parts = []
    for c in df.columns:
        col = BY_NAME.get(c)
        if col is None or col.kind == "date" or c in VALUES:
            continue
        bad = pl.col(c).str.strip_chars().str.contains(EXCEL_ERROR).fill_null(False)
        parts.append(_rows(df, bad, c, pl.format("{}: '{}' is an Excel error cell (a formula that "
                                                 "failed), not a value", pl.lit(c),
                                                 pl.col(c).str.strip_chars()), "DQ19"))
    return pl.concat(parts) if parts else _empty()


def _unknown_codes(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    parts = []
    for c in VALUES:
        if c in df.columns:
            parts.append(_rows(df, (pl.col(c) == "?").fill_null(False), c, pl.format(
                "{}: '{}' is not a known value", pl.lit(c), pl.col(f"{c}__raw")), "DQ10"))
    if "cease_reason" in df.columns:
        code = pl.col("cease_reason").str.replace(r"\.0$", "")
        parts.append(_rows(df, code.is_not_null() & (code != "") & ~code.is_in(list(CEASE_REASONS)), "cease_reason",
                           pl.format("cease_reason: '{}' is not a SEN2 code 1-9", pl.col("cease_reason")),
                           "DQ10"))
    return pl.concat(parts) if parts else _empty()


CHECKS: tuple[Check, ...] = (
    Check("DQ01", "unreadable-date", "Cell in a date column that is not a date",
          "Correct the cell in the case-management system to a real date (dd/mm/yyyy), or clear it "
          "if the event has not happened.", (), _unreadable),
    Check("DQ02", "dates-out-of-order", "Dates in an impossible order",
          "Check both dates against the case file and correct the one that is wrong.", (), _order),
    Check("DQ03", "date-after-as-of", "Date after the as-of date",
          "A future date is usually a typing error: correct it, or rerun with the right --as-of.",
          (), _future),
    Check("DQ04", "duplicate-record-id", "The same record id on more than one row",
          "Remove the duplicate rows from the export, or give each episode its own id.",
          ("record_id",), _duplicates),
    Check("DQ05", "open-case-no-caseworker", "Open case with no caseworker",
          "Allocate an EHC coordinator to the case and record them.",
          ("caseworker",), _no_caseworker),
    Check("DQ06", "exception-without-reason", "20-week exception flagged with no reason the law allows",
          "Record which exception applies (reg 10(4)(a)-(d)), or clear the flag if none does.",
          ("exception_20w",), _flag_no_reason),
    Check("DQ07", "plan-without-request", "Final plan with no request date",
          "Record the date the request for assessment was received (or the transfer-in date).",
          ("final_plan_date", "request_received_date"), _plan_no_request),
    Check("DQ08", "implausible-exception-share", "Implausibly high share of exception cases",
          "Review how exceptions are recorded: only the statutory reasons count, and only when "
          "they made the limit impractical.", ("final_plan_date",), _exception_share),
    Check("DQ09", "age-out-of-range", "Age outside 0-25",
          "Correct the date of birth or the request date.", ("birth_date",), _age),
    Check("DQ10", "unknown-code", "Value not in the column's code list",
          "Correct the value, or map the local wording in sendcheck.toml [values].", (),
          _unknown_codes),
    Check("DQ11", "exception-flag-disagrees", "Exception reason given but the flag says none",
          "Set the 20-week exception flag to 1 if the exception applied, or clear the reason.",
          ("exception_20w", "exception_reason"), _reason_flag_off),
    Check("DQ15", "date-before-reforms", "Date before the SEND reforms (1 September 2014)",
          "Correct the date (a two-digit year such as 27 is read as 1927 when 2027 is too far "
          "ahead): no EHC request, decision, plan or review predates the reforms.", (),
          _before_reforms),
    Check("DQ19", "excel-error-value", "Excel error value (#N/A, #REF!, ...) in a text column",
          "Fix the formula or the lookup that produced the error in the workbook, or replace it "
          "with the value.", (), _excel_errors),
)


@dataclass(frozen=True)
class Pack:
    """Checks for one kind of input (e.g. the SEN2 return), run only when `applies` to its columns.

    `replaces` names built-in checks that do not fit that input; they are reported as skipped,
    missing `replaces[code]` (the columns that input cannot have)."""

    applies: Callable[[set[str]], bool]
    checks: tuple[Check, ...]
    replaces: dict[str, tuple[str, ...]]


PACKS: list[Pack] = []


def register_pack(pack: Pack) -> None:
    """Add a pack of checks (called by the module defining them, when it is imported)."""
    if pack not in PACKS:
        PACKS.append(pack)
        BY_CODE.update({c.code: c for c in pack.checks})


def is_selected(code: str, select=None, ignore=None) -> bool:
    """Whether --select / --ignore (codes or prefixes) keep a data-quality check."""
    if select and not any(code.startswith(p.upper()) for p in select):
        return False
    return not (ignore and any(code.startswith(p.upper()) for p in ignore))


def run_checks(episodes: pl.DataFrame, as_of: dt.date, select=None, ignore=None
               ) -> tuple[pl.DataFrame, dict[str, tuple[str, ...] | None]]:
    """All data-quality findings, and which checks were skipped for lack of columns."""
    parts, skipped = [], {}
    cols = set(episodes.columns)
    packs = [p for p in PACKS if p.applies(cols)]
    replaced = {code: need for p in packs for code, need in p.replaces.items()}
    for check in (*CHECKS, *(c for p in packs for c in p.checks)):
        if not is_selected(check.code, select, ignore):
            continue
        # record_id always exists after preparation; DQ04 needs it in the input itself.
        missing = tuple(c for c in check.needs if c not in cols or
                        (c == "record_id" and "record_id__given" not in cols))
        missing = replaced.get(check.code, missing)
        skipped[check.code] = missing or None
        if not missing:
            parts.append(check.run(episodes, as_of))
    return collect_findings(parts), skipped


def collect_findings(parts: list[pl.DataFrame | pl.LazyFrame]) -> pl.DataFrame:
    """Checks' findings (frames or queries) stacked in order, in one collect."""
    if not parts:
        return _empty()
    return pl.concat([p.lazy().cast(DQ_SCHEMA) for p in parts]).collect()


BY_CODE = {c.code: c for c in CHECKS}


# DQ14: the safety net under every rule's `invalid` (no silent invalid, contract section 3). A
# rule finding is invalid for a reason a cell check usually reports already (DQ01 unreadable, DQ02
# out of order, DQ03 future, DQ10 unknown code, DQ15 before the reforms); where no finding on that
# row names that column (a final plan with a blank draft date, say), DQ14 reports it, so every
# invalid finding is counted in the data-quality summary.
# Why a review cycle is invalid when its history has an unreadable meeting date (sendcheck.reviews;
# DQ01 names that cell, so DQ14 does not report it again).
HISTORY_UNREADABLE = "a review meeting date in the history is unreadable"
_BLANK_START = r"recorded but (\w+) is blank$"
# An outcome recorded without its date (rule files' undated_outcome): "..., its date is blank
# (request_outcome_date)" names the blank column last.
_UNDATED_OUTCOME = r"its date is blank \((\w+)\)$"
RULE_GAPS = Check(
    "DQ14", "rule-could-not-judge", "A rule could not judge the case from its dates",
    "Record the missing date, or correct the contradictory one: the finding names the rules "
    "and why.", (), lambda df, as_of: _empty())


def rule_gaps(results: pl.DataFrame, quality: pl.DataFrame) -> pl.DataFrame:
    """DQ14 findings: invalid rule findings whose row has no data-quality finding on the column
    the reason names (one finding per row, column and reason, naming every rule it stops)."""
    # (A cycle left unsure by an unreadable meeting in the review history: DQ01 names that row.)
    bad = results.lazy().filter(pl.col("status") == "invalid").select(
        "_idx", pl.col("rule").cast(pl.String), pl.col("reason").cast(pl.String)).filter(
        ~pl.col("reason").str.starts_with(HISTORY_UNREADABLE).fill_null(False))
    named = pl.coalesce(pl.col("reason").str.extract(_BLANK_START, 1),
                        pl.col("reason").str.extract(_UNDATED_OUTCOME, 1),
                        pl.col("reason").str.extract(r"^(\w+)", 1))
    column = pl.when(named.is_in(list(BY_NAME))).then(named).otherwise(None)
    gaps = (bad.with_columns(column.alias("column"))
            .join(quality.lazy().select("_idx", "column").unique(), on=["_idx", "column"],
                  how="anti", nulls_equal=False)
            .group_by("_idx", "column", "reason", maintain_order=True)
            .agg(pl.col("rule").unique(maintain_order=True).str.join(", ").alias("rules")))
    return gaps.select(
        pl.lit("DQ14").alias("check"), "_idx", "column",
        pl.format("{} cannot be judged: {}", pl.col("rules"),
                  pl.col("reason").fill_null("no reason recorded")).alias("message")
    ).cast(DQ_SCHEMA).collect()  # one query; none found: no rows


BY_CODE[RULE_GAPS.code] = RULE_GAPS


# Checks on the rows of a review-history file (--reviews), run by sendcheck.reviews on the file's
# rows after the join: `_ep` is the matched episode (null when none), `_key` the join value.
def _review_unmatched(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    return _rows(df, pl.col("_ep").is_null(), "review_meeting_date", pl.when(
        pl.col("_key").is_null()).then(pl.lit("review row has no id to join it to an episode"))
        .otherwise(pl.format("review row matches no episode in the export (id '{}')",
                             pl.col("_key"))), "DQ12")


def _review_no_meeting(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    blank = (pl.col("_ep").is_not_null() & pl.col("review_meeting_date").is_null()
             & pl.col("review_meeting_date__err").is_null())
    return _rows(df, blank, "review_meeting_date",
                 pl.lit("review row has no meeting date: not counted as a review"), "DQ13")


REVIEW_CHECKS: tuple[Check, ...] = (
    Check("DQ12", "review-row-unmatched", "Review-history row that matches no episode",
          "Check the record id (or person id) on the review row against the export; the review "
          "is not counted until it matches.", ("review_meeting_date",), _review_unmatched),
    Check("DQ13", "review-row-no-meeting-date", "Review-history row with no meeting date",
          "Record the date of the review meeting, or remove the row if no meeting was held.",
          ("review_meeting_date",), _review_no_meeting),
)
BY_CODE.update({c.code: c for c in REVIEW_CHECKS})


# ---------------------------------------------------------------- orders, concessions, agreements

# Each start of the order, concession and agreement rules, with the column saying what it
# requires: without it no rule can say which limit applies (every one is not_applicable).
APPEAL_STARTS = (("tribunal_order_date", "tribunal_order_kind"),
                 ("concession_date", "concession_kind"),
                 ("mediation_agreement_date", "mediation_agreement_kind"))


def _appeal_kind_missing(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    parts = [_rows(df, pl.col(date).is_not_null() & pl.col(kind).is_null(), kind, pl.format(
        "{} {} recorded but {} is blank: no limit of reg 44, 45 or 42 can be applied",
        pl.lit(date), pl.col(date), pl.lit(kind)), "DQ41")
        for date, kind in APPEAL_STARTS if date in df.columns and kind in df.columns]
    return pl.concat(parts) if parts else _empty()


register_pack(Pack(
    applies=lambda cols: any(d in cols and k in cols for d, k in APPEAL_STARTS),
    checks=(Check("DQ41", "appeal-kind-missing",
                  "Tribunal order, concession or mediation agreement with no kind recorded",
                  "Record what the order, concession or agreement requires (assess, plan, amend, "
                  "school, cease; other for an agreed action that could not be appealed).",
                  (), _appeal_kind_missing),),
    replaces={}))
