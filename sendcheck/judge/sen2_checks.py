"""SEN2 return checks (DQ20-DQ39): what DfE's validation or its data team would query.

They run only on a SEN2 return (episodes with the `sen2_requests` column the SEN2 reader adds)
and report like the other data-quality checks: status `invalid`, an action sentence each.

Some of the return's problems are already caught by the general checks, which report them once:
a request outcome date or a plan start date before the request (DQ02), a CeaseReason outside
1-9 (DQ10), and a value sendcheck cannot read at all, such as Week20 = `x` (DQ10). The checks here
take what the general ones cannot see: values sendcheck can read but the return may not hold
(Week20 = `yes`, ReviewOutcome = `maintain`), the return's structure, its code lists, and shares
DfE asks about. DQ06 (exception flagged with no reason) does not apply: SEN2 has no field for the
reason, and DfE counts Week20 = 1 as an exception as it stands.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from sendcheck.judge.quality import (
    DQ_SCHEMA,
    EXCEPTION_SHARE_LIMIT,
    EXCEPTION_SHARE_MIN_PLANS,
    Check,
    Pack,
    _empty,
    _rows,
    register_pack,
)
from sendcheck.read.dates import parse_date_columns
from sendcheck.read.sen2_schema import OUTCOMES, REVIEW_OUTCOMES, SEN_SETTINGS, SEN_TYPES, WEEK20

# High shares DfE's data team asks an authority to explain. The thresholds are signals well above
# the national picture (a few per cent for "other" needs and settings), not DfE's own limits.
SHARE_MIN = EXCEPTION_SHARE_MIN_PLANS  # a share of a handful of records says nothing
OTH_SHARE_LIMIT = 0.10
NIEO_SHARE_LIMIT = 0.10
CEASE_OTHER_SHARE_LIMIT = 0.25


def _blank(c: str) -> pl.Expr:
    return pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "")


def _no_request(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    return _rows(df, (pl.col("sen2_requests") == 0).fill_null(False), "request_received_date",
                 pl.format("person {} has no request in the return", pl.col("person_id")), "DQ20")


def _repeats(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    return _rows(df, pl.col("sen2_repeats").is_not_null(), "record_id", pl.format(
        "the request has {}; the return allows one of each, and the first was used",
        pl.col("sen2_repeats")), "DQ21")


def _code_not_allowed(df: pl.DataFrame, column: str, allowed: tuple[str, ...], tag: str,
                      code: str) -> pl.DataFrame:
    """A value sendcheck reads (so DQ10 is silent) that the SEN2 field does not allow."""
    raw = pl.col(f"{column}__raw")
    bad = (~_blank(f"{column}__raw") & (pl.col(column) != "?") & ~raw.is_in(list(allowed))
           ).fill_null(False)
    return _rows(df, bad, column, pl.format(
        "{} '{}' is read as {}, but the return takes only {}", pl.lit(tag), raw, pl.col(column),
        pl.lit(", ".join(allowed))), code)


def _week20(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    return _code_not_allowed(df, "exception_20w", WEEK20, "Week20", "DQ22")


def _review_outcome(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    return _code_not_allowed(df, "review_outcome", REVIEW_OUTCOMES, "ReviewOutcome", "DQ23")


def _request_outcome(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    return _code_not_allowed(df, "request_outcome", OUTCOMES, "RequestOutcome", "DQ34")


def _assessment_outcome(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    return _code_not_allowed(df, "assessment_outcome", OUTCOMES, "AssessmentOutcome", "DQ35")


def _phase_transfer_day(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    # Reg 18(1): the phase-transfer review must be completed before 15 February (school) or 31
    # March (post-16) of the year of transfer, and the return records those deadlines as they are.
    due = pl.col("phase_transfer_due_date")
    day = (due.dt.month(), due.dt.day())
    odd = ~((day[0] == 2) & (day[1] == 15) | (day[0] == 3) & (day[1] == 31))
    return _rows(df, (due.is_not_null() & odd).fill_null(False), "phase_transfer_due_date",
                 pl.format("PhaseTransferDueDate {} is neither 15 February nor 31 March (the "
                           "reg 18(1) deadlines)", due), "DQ36")


# Active-plan items (ActivePlans) dated after the plan ceased: the plan was no longer in force.
AFTER_CEASE = {"review_meeting_date": "ReviewMeeting", "review_decision_date": "LastReview",
               "amendment_notice_date": "ReviewDraft",
               "phase_transfer_final_date": "PhaseTransferFinalDate"}


def _after_cease(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    cease = pl.col("plan_cease_date")
    parts = []
    for column, tag in AFTER_CEASE.items():
        if column in df.columns:
            parts.append(_rows(df, (pl.col(column) > cease).fill_null(False), column, pl.format(
                "ActivePlans {} {} is after the plan's CeaseDate {}", pl.lit(tag),
                pl.col(column), cease), "DQ37"))
    if "sen2_placement_entry" in df.columns:
        entries = df.select("_idx", "plan_cease_date", pl.col("sen2_placement_entry").alias(
            "entry")).explode("entry").filter(pl.col("entry").is_not_null())
        entries = entries.with_columns(
            parse_date_columns(entries, ["entry"], as_of.year + 1).get_column("entry")
            .alias("entry_date"))
        parts.append(_rows(entries, (pl.col("entry_date") > cease).fill_null(False),
                           "plan_cease_date", pl.format(
                               "PlacementDetail EntryDate {} is after the plan's CeaseDate {}",
                               pl.col("entry_date"), cease), "DQ37"))
    return pl.concat(parts) if parts else _empty()


def _header_year(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    # The January collection: Year 2025 has its ReferenceDate in January 2025 (sen2.md).
    headers = df.select("sen2_year", "sen2_reference_date").unique(maintain_order=True).filter(
        pl.col("sen2_year").is_not_null() & pl.col("sen2_reference_date").is_not_null())
    year = pl.col("sen2_year").str.strip_chars()
    bad = headers.filter(pl.col("sen2_reference_date").str.strip_chars().str.slice(0, 4) != year)
    return pl.DataFrame({
        "check": ["DQ38"] * bad.height, "_idx": [None] * bad.height,
        "column": ["sen2_year"] * bad.height,
        "message": [f"the header's Year {y} disagrees with its ReferenceDate {r} (the "
                    f"collection's Year is the ReferenceDate's year)" for y, r in bad.rows()],
    }, schema=DQ_SCHEMA)


def _assessed_after_refusal(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    refused = (pl.col("request_outcome") == "not_assess").fill_null(False)
    held = [c for c in ("assessment_outcome", "assessment_outcome_date", "final_plan_date",
                        "exception_20w") if c in df.columns]
    assessed = pl.any_horizontal([pl.col(c).is_not_null() for c in held])
    return _rows(df, refused & assessed, "request_outcome", pl.lit(
        "RequestOutcome is N (not assessed), yet the request has an Assessment (an outcome, a "
        "plan or Week20)"), "DQ39")


def _cease_no_reason(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    mask = ~_blank("plan_cease_date__raw") & _blank("cease_reason")
    return _rows(df, mask.fill_null(False), "cease_reason",
                 pl.lit("the plan has a CeaseDate but no CeaseReason"), "DQ24")


def _reason_no_cease(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    mask = ~_blank("cease_reason") & _blank("plan_cease_date__raw")
    return _rows(df, mask.fill_null(False), "plan_cease_date", pl.format(
        "the plan has CeaseReason {} but no CeaseDate", pl.col("cease_reason")), "DQ25")


def _listed(df: pl.DataFrame, column: str) -> pl.DataFrame:
    """One row per value of a list column (SEN needs, settings), with the episode's `_idx`."""
    return df.select("_idx", pl.col(column).alias("value")).explode("value").filter(
        pl.col("value").is_not_null())


def _list_codes(df: pl.DataFrame, column: str, allowed: tuple[str, ...], tag: str, code: str,
                shown_as: str) -> pl.DataFrame:
    values = _listed(df, column)
    return _rows(values, ~pl.col("value").str.to_uppercase().is_in(list(allowed)), shown_as,
                 pl.format("{} '{}' is not a SEN2 code ({})", pl.lit(tag), pl.col("value"),
                           pl.lit(", ".join(allowed))), code)


def _sen_type(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    return _list_codes(df, "sen2_sentype", SEN_TYPES, "SENtype", "DQ26", "sen2_sentype")


def _sen_setting(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    return _list_codes(df, "sen2_setting", SEN_SETTINGS, "SENSetting", "DQ27", "sen2_setting")


def _no_primary_need(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    ranks = pl.col("sen2_sentype_rank")
    has_needs = ranks.list.len() > 0
    no_one = ~ranks.list.eval(pl.element().str.strip_chars() == "1").list.any()
    return _rows(df, (has_needs & no_one).fill_null(False), "sen2_sentype_rank", pl.format(
        "SEN needs ranked {} but none has SENtypeRank 1 (the primary need)",
        ranks.list.eval(pl.element().fill_null("blank")).list.join(", ")), "DQ28")


def _duplicate_person(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    # Persons, not episodes: a person's several requests legitimately share the UPN.
    people = df.filter(~_blank("upn")).group_by("upn").agg(
        pl.col("person_id").unique(maintain_order=True).alias("_persons"))
    shared = people.filter(pl.col("_persons").list.len() > 1)
    if shared.height == 0:
        return _empty()
    first = df.filter(pl.col("person_id").is_first_distinct())
    hit = first.join(shared, on="upn", how="inner", maintain_order="left")
    # The UPN itself is personal data (contract section 6): name the other persons instead.
    return _rows(hit, pl.lit(True), "upn", pl.format(
        "the same UPN is on {} persons in the return (persons {}); the UPN is not shown",
        pl.col("_persons").list.len(), pl.col("_persons").list.join(", ")), "DQ29")


def _share(values: pl.DataFrame, hit: pl.Expr, limit: float, what: str, of: str, code: str,
           column: str) -> pl.DataFrame:
    """One whole-return finding when the share of `hit` among `values` is above `limit`."""
    if values.height < SHARE_MIN:
        return _empty()
    share = values.select(hit.fill_null(False).mean()).item()
    if share <= limit:
        return _empty()
    return pl.DataFrame({
        "check": [code], "_idx": [None], "column": [column],
        "message": [f"{share:.0%} of the {values.height} {of} are {what} (above {limit:.0%})"],
    }, schema=DQ_SCHEMA)


def _week20_share(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    flagged = df.filter(pl.col("exception_20w").is_in(list(WEEK20)))
    return _share(flagged, pl.col("exception_20w") == "1", EXCEPTION_SHARE_LIMIT, "Week20 = 1",
                  "assessments with Week20 recorded", "DQ30", "exception_20w")


def _oth_share(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    return _share(_listed(df, "sen2_sentype"), pl.col("value").str.to_uppercase() == "OTH",
                  OTH_SHARE_LIMIT, "OTH (other difficulty)", "SEN needs", "DQ31", "sen2_sentype")


def _nieo_share(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    return _share(_listed(df, "sen2_setting"), pl.col("value").str.to_uppercase() == "NIEO",
                  NIEO_SHARE_LIMIT, "NIEO (not in education, other)", "settings recorded",
                  "DQ32", "sen2_setting")


def _cease_other_share(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    ceased = df.filter(~_blank("cease_reason"))
    return _share(ceased, pl.col("cease_reason").str.replace(r"\.0$", "") == "9",
                  CEASE_OTHER_SHARE_LIMIT, "CeaseReason 9 (other)", "ceased plans with a reason",
                  "DQ33", "cease_reason")


CHECKS: tuple[Check, ...] = (
    Check("DQ20", "sen2-person-without-request", "A person in the return with no request",
          "Add the person's request (every person in SEN2 hangs from a request), or remove the "
          "person from the return.", ("sen2_requests", "person_id"), _no_request),
    Check("DQ21", "sen2-repeated-element", "More than one assessment, named plan or active plan "
          "under one request", "Keep one of each under the request; a second assessment or plan "
          "belongs to a request of its own.", ("sen2_repeats",), _repeats),
    Check("DQ22", "sen2-week20-not-0-1", "Week20 not 0 or 1",
          "Record Week20 as 1 (a 20-week exception applies) or 0 (none).", ("exception_20w",),
          _week20),
    Check("DQ23", "sen2-review-outcome-code", "ReviewOutcome not A, C or M",
          "Record the annual review decision as A (amend), C (cease) or M (maintain).",
          ("review_outcome",), _review_outcome),
    Check("DQ24", "sen2-cease-date-without-reason", "Plan ceased with no CeaseReason",
          "Record why the plan ceased (CeaseReason 1-9), or clear the cease date if it has not.",
          ("plan_cease_date", "cease_reason"), _cease_no_reason),
    Check("DQ25", "sen2-cease-reason-without-date", "CeaseReason with no CeaseDate",
          "Record the date the plan ceased, or clear the reason if it has not.",
          ("plan_cease_date", "cease_reason"), _reason_no_cease),
    Check("DQ26", "sen2-sen-type-code", "SENtype outside DfE's list",
          "Record the need as one of DfE's SENtype codes (SPLD, MLD, SLD, PMLD, SEMH, SLCN, HI, "
          "VI, MSI, PD, ASD, DS, OTH).", ("sen2_sentype",), _sen_type),
    Check("DQ27", "sen2-sen-setting-code", "SENSetting outside DfE's list",
          "Record a setting without a URN as one of OLA, OPA, EHE, EYP, OTH, NEET, NIEC, NIEO, or "
          "give the setting's URN or UKPRN instead.", ("sen2_setting",), _sen_setting),
    Check("DQ28", "sen2-no-primary-need", "SEN needs with no rank 1",
          "Rank the primary need 1 (and the others 2, 3, ...).", ("sen2_sentype_rank",),
          _no_primary_need),
    Check("DQ29", "sen2-duplicate-person", "The same UPN on more than one person",
          "Merge the duplicate person records in the case-management system, so each child or "
          "young person appears once with all their requests.", ("upn", "person_id"),
          _duplicate_person),
    Check("DQ30", "sen2-week20-share", "High share of Week20 = 1",
          "Check how 20-week exceptions are recorded: only the statutory reasons count, and only "
          "when they made the limit impractical; DfE will ask about a high share.",
          ("exception_20w",), _week20_share),
    Check("DQ31", "sen2-oth-share", "High share of SEN need OTH",
          "Review needs recorded as OTH and record the specific need where there is one.",
          ("sen2_sentype",), _oth_share),
    Check("DQ32", "sen2-nieo-share", "High share of setting NIEO",
          "Review placements recorded as NIEO and record the actual setting where there is one.",
          ("sen2_setting",), _nieo_share),
    Check("DQ33", "sen2-cease-reason-9-share", "High share of CeaseReason 9 (other)",
          "Review plans ceased for 'other' reasons and record the specific reason where there "
          "is one.", ("cease_reason",), _cease_other_share),
    Check("DQ34", "sen2-request-outcome-code", "RequestOutcome not Y, N, A, W or H",
          "Record the request outcome as Y (assess), N (not assess), A (decision not yet made), "
          "W (withdrawn) or H (historical).", ("request_outcome",), _request_outcome),
    Check("DQ35", "sen2-assessment-outcome-code", "AssessmentOutcome not Y, N, A, W or H",
          "Record the assessment outcome as Y (issue a plan), N (not issue), A (decision not yet "
          "made), W (withdrawn) or H (historical).", ("assessment_outcome",),
          _assessment_outcome),
    Check("DQ36", "sen2-phase-transfer-due-date", "PhaseTransferDueDate not 15 February or 31 "
          "March", "Record the phase-transfer deadline as 15 February (a school transfer) or 31 "
          "March (secondary to post-16) of the year of transfer.", ("phase_transfer_due_date",),
          _phase_transfer_day),
    Check("DQ37", "sen2-after-cease", "Active-plan or placement dates after the plan ceased",
          "Check the cease date: if the plan is still in force, clear it; if it ceased, remove the "
          "reviews and placements recorded after it (they belong to no plan).",
          ("plan_cease_date",), _after_cease),
    Check("DQ38", "sen2-header-year", "Header Year disagrees with its ReferenceDate",
          "Set the header's Year to the year of the ReferenceDate (the January census date) "
          "before submitting.", ("sen2_year", "sen2_reference_date"), _header_year),
    Check("DQ39", "sen2-assessed-after-refusal", "An assessment under a request refused",
          "Check the request outcome: if the assessment went ahead, the outcome is Y; if the "
          "request was refused, remove the assessment.", ("request_outcome",),
          _assessed_after_refusal),
)

PACK = Pack(applies=lambda columns: "sen2_requests" in columns, checks=CHECKS,
            replaces={"DQ06": ("exception_reason",)})
register_pack(PACK)
