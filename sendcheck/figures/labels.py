"""English labels for every figure the measures, the backlog, the caseload and the trend report,
keyed by the field name (DfE's, where DfE publishes the figure): a reader sees "new plans issued
within 20 weeks, excluding exceptions" beside `pc_plans_issued_20_weeks_ex`.

Both wordings are built by one function (`_by_role`) from measures.py's name tables: `label`
(lower case, `_ROLES`) serves the terminal, JSON and markdown; `field_label` (capitalised,
`ROLES` and FIXED) serves the workbooks and the caseload and trend markdown.
"""

from __future__ import annotations

from sendcheck.columns import ADVICE_KINDS
from sendcheck.figures.measures import (
    SIX_WEEK_NAMES,
    SIXTEEN_WEEK_NAMES,
    TWENTY_WEEK_NAMES,
    _advice_names,
)
from sendcheck.judge.engine import KIND_LABELS

# (field names by role, the cases counted, the limit): the timed measures, labelled by role.
SUBJECTS = [(TWENTY_WEEK_NAMES, "new EHC plans issued", "20 weeks"),
            (SIX_WEEK_NAMES, "decisions whether to assess", "6 weeks"),
            (SIXTEEN_WEEK_NAMES, "decisions not to issue a plan", "16 weeks")]
SUBJECTS += [(_advice_names(k), f"{KIND_LABELS[k]} advice received", "6 weeks")
             for k in ADVICE_KINDS]


def _by_role(roles: dict[str, str], excl: str, subjects: list[tuple[dict[str, str], str, str]]
             ) -> dict[str, str]:
    """field -> label for the timed measures' figures: `roles` maps a role to its template
    ({S} the cases counted, capitalised, {s} as they are, {L} the limit); the due cohort's
    not-done count also comes excluding exceptions (`excl` appended)."""
    out = {}
    for names, subject, limit in subjects:
        for role, field in names.items():
            if role in roles:
                out[field] = roles[role].format(S=subject[0].upper() + subject[1:], s=subject,
                                                L=limit)
        if "not_done" in names:
            out[names["not_done"] + "_ex"] = out[names["not_done"]] + excl
    return out


# The terminal's, JSON's and markdown's wording, by role.
_ROLES = {
    "den": "{s}",
    "within": "{s} within {L}",
    "pc": "% of {s} within {L}",
    "den_ex": "{s}, excluding exceptions",
    "within_ex": "{s} within {L}, excluding exceptions",
    "pc_ex": "% of {s} within {L}, excluding exceptions",
    "gt_limit_lt_year": "{s} after more than {L}, within 52 weeks",
    "gt_year": "{s} after more than 52 weeks",
    "gt_limit_lt_year_ex": "{s} after more than {L}, within 52 weeks, excluding exceptions",
    "gt_year_ex": "{s} after more than 52 weeks, excluding exceptions",
    "avg": "average weeks from request to plan, {s}",
    "avg_ex": "average weeks from request to plan, {s}, excluding exceptions",
    "not_done": "{s}: due in the period, not yet done",
}


def _build() -> dict[str, str]:
    out = _by_role(_ROLES, ", excluding exceptions",
                   [(TWENTY_WEEK_NAMES, "new plans issued", "20 weeks"), *SUBJECTS[1:]])
    out |= {
        "not_counted": "cases left out: a date missing, unreadable or out of order",
        "pending": "reviews held, no decision yet and not yet due (left out)",
        "plans_with_exception": "new plans issued with a 20-week exception",
        "pc_plans_with_exception": "% of new plans issued with a 20-week exception",
        "plans_in_force": "plans in force",
        "reviews_expected": "plans in force for 12 months or more (a review expected)",
        "expected_reviews_held": "of which a review meeting held in the period",
        "reviews_held_within_12_months": "of which reviewed within the last 12 months",
        "pc_reviews_held_within_12_months": "% of plans due a review reviewed within 12 months",
        "reviews_held_den": "review meetings held",
        "number_decsion_4weeks": "review decisions notified within 4 weeks of the meeting",
        "pc_number_decsion_4weeks": "% of review decisions notified within 4 weeks",
        "reviews_held": "review meetings held",
        "outcome_maintain": "outcome: plan maintained as it is",
        "outcome_amend": "outcome: plan to be amended",
        "outcome_cease": "outcome: plan to cease",
        "outcome_not_recorded": "outcome not recorded",
        "outcome_unknown_code": "outcome recorded with an unknown code",
        "amended_plans_den": "final amended plans issued",
        "amended_plans_within_8_weeks": "final amended plans within 8 weeks of the notice",
        "pc_amended_plans_within_8_weeks": "% of final amended plans within 8 weeks of the notice",
        "amended_plans_from_review_den": "final amended plans after a review",
        "amended_plans_within_12_weeks": "final amended plans within 12 weeks of the review",
        "pc_amended_plans_within_12_weeks": "% of final amended plans within 12 weeks of the "
                                            "review",
        "phase_transfers_due": "phase transfers due in the period",
        "phase_transfers_by_deadline": "phase transfers done by the deadline",
        "phase_transfers_not_done": "phase transfers not done",
        "pc_phase_transfers_by_deadline": "% of phase transfers done by the deadline",
        # backlog
        "open_assessments": "open assessments",
        "open_with_exception": "open assessments with a 20-week exception",
        "reviews_overdue": "annual reviews overdue",
        "overdue_0_6_months": "reviews overdue by up to 6 months",
        "overdue_6_12_months": "reviews overdue by 6 to 12 months",
        "overdue_12_24_months": "reviews overdue by 12 to 24 months",
        "overdue_24_plus_months": "reviews overdue by more than 24 months",
    }
    for w in (20, 30, 52):
        out[f"past_{w}_weeks"] = f"open assessments waiting more than {w} weeks"
        out[f"past_{w}_weeks_with_exception"] = (f"open assessments waiting more than {w} weeks, "
                                                 f"with a 20-week exception")
        out[f"past_{w}_weeks_without_exception"] = (f"open assessments waiting more than {w} "
                                                    f"weeks, without an exception")
    return out


_LABELS: dict[str, str] = {}


def label(field: str) -> str:
    """The English label of a figure; the field name itself (spaced) for one not listed."""
    if not _LABELS:
        _LABELS.update(_build())
    return _LABELS.get(field, field.replace("_", " "))


def labels(fields: object) -> dict[str, str]:
    """field -> label for the given fields (e.g. a measure's values)."""
    return {f: label(f) for f in fields}


# ---------------------------------------------------------------- workbook labels

EXCL = " (excluding exceptions)"
ROLES = {
    "den": "{S}", "within": "{S} within {L}", "pc": "% of {s} within {L}",
    "den_ex": "{S}" + EXCL, "within_ex": "{S} within {L}" + EXCL,
    "pc_ex": "% of {s} within {L}" + EXCL,
    "gt_limit_lt_year": "{S} after {L}, within 52 weeks", "gt_year": "{S} after more than 52 weeks",
    "gt_limit_lt_year_ex": "{S} after {L}, within 52 weeks" + EXCL,
    "gt_year_ex": "{S} after more than 52 weeks" + EXCL,
    "avg": "Average weeks taken", "avg_ex": "Average weeks taken" + EXCL,
    "not_done": "Not done by the due date",
}
FIXED = {
    "not_counted": "Cases left out (a date missing, unreadable or out of order)",
    "pending": "Pending (no decision yet, not yet due)",
    "plans_with_exception": "New EHC plans with a 20-week exception",
    "pc_plans_with_exception": "% of new EHC plans with a 20-week exception",
    "plans_in_force": "Plans in force",
    "reviews_expected": "Annual reviews expected (plans at least 12 months old)",
    "expected_reviews_held": "Expected reviews held in the period",
    "reviews_held_within_12_months": "Reviews held within 12 months",
    "pc_reviews_held_within_12_months": "% of expected reviews held within 12 months",
    "reviews_held_den": "Annual review meetings held",
    "number_decsion_4weeks": "Review decisions notified within 4 weeks",
    "pc_number_decsion_4weeks": "% of review decisions notified within 4 weeks",
    "reviews_held": "Annual review meetings held",
    "outcome_maintain": "Outcome: maintain the plan",
    "outcome_amend": "Outcome: amend the plan",
    "outcome_cease": "Outcome: cease the plan",
    "outcome_not_recorded": "Outcome not recorded",
    "outcome_unknown_code": "Outcome code not recognised",
    "amended_plans_den": "Final amended plans issued",
    "amended_plans_within_8_weeks": "Final amended plans within 8 weeks of the notice",
    "pc_amended_plans_within_8_weeks": "% of final amended plans within 8 weeks of the notice",
    "amended_plans_from_review_den": "Final amended plans after a review",
    "amended_plans_within_12_weeks": "Final amended plans within 12 weeks of the review",
    "pc_amended_plans_within_12_weeks": "% of final amended plans within 12 weeks of the review",
    "reviews_held_not_done": "Not done by the due date",
    "amended_plans_not_done": "Not done by the due date",
    "amended_plans_from_review_not_done": "Not done by the due date",
    "phase_transfers_due": "Phase transfers due in the period",
    "phase_transfers_by_deadline": "Phase transfers done by the deadline",
    "phase_transfers_not_done": "Phase transfers not done",
    "pc_phase_transfers_by_deadline": "% of phase transfers done by the deadline",
    # The measures of rule pack 2 (Tribunal orders, unopposed appeals, mediation): actions
    # each with its own limit.
    "actions": "Actions counted", "on_time": "Actions done within their limits",
    "late": "Actions done late", "pc_on_time": "% of actions done within their limits",
    "excepted": "Actions excepted", "open_overdue": "Actions not done, overdue",
    "open_due_soon": "Actions not done, due soon", "open_pending": "Actions not done, not yet due",
    "invalid": "Actions with unreadable dates",
    # The backlog and the trend.
    "open_assessments": "Open assessments",
    "open_with_exception": "Open assessments with a 20-week exception",
    "open_past_20_weeks": "Open assessments waiting more than 20 weeks",
    "reviews_overdue": "Annual reviews overdue",
    "overdue_0_6_months": "Reviews overdue by up to 6 months",
    "overdue_6_12_months": "Reviews overdue by 6 to 12 months",
    "overdue_12_24_months": "Reviews overdue by 12 to 24 months",
    "overdue_24_plus_months": "Reviews overdue by more than 24 months",
    # The caseload.
    "caseworker": "Caseworker", "role": "Role", "fte": "FTE",
    "plans_per_fte": "Plans per FTE", "assessments_per_fte": "Open assessments per FTE",
    "cases_overdue": "Cases overdue", "cases_due_soon": "Cases due soon",
    "over_plans": "Above the plans benchmark",
    "over_assessments": "Above the assessments benchmark",
    "caseworkers": "Caseworkers",
}


FIELD_LABELS = _by_role(ROLES, EXCL, SUBJECTS) | FIXED


def field_label(field: str) -> str:
    """The English label of a field; a field with none reads as its words."""
    if field in FIELD_LABELS:
        return FIELD_LABELS[field]
    text = field.replace("_", " ")
    return text[:1].upper() + text[1:]
