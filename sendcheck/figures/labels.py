"""English labels for the figures of the measures, the backlog, the caseload and the trend, keyed
by field name (DfE's where DfE publishes one), so a person reads words beside the field name.

The field names of the rule-backed measures come from measures.py's name tables (one per
measure, keyed by role: den, within, pc, ...); a label is the role's wording with the measure's
subject and limit put in. Fields measures.py names directly are listed in FIXED.
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
SUBJECTS = [(TWENTY_WEEK_NAMES, "new EHC plans issued", "20 weeks"),
            (SIX_WEEK_NAMES, "decisions whether to assess", "6 weeks"),
            (SIXTEEN_WEEK_NAMES, "decisions not to issue a plan", "16 weeks")]
SUBJECTS += [(_advice_names(k), f"{KIND_LABELS[k]} advice received", "6 weeks")
             for k in ADVICE_KINDS]
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


def _build() -> dict[str, str]:
    out: dict[str, str] = {}
    for names, subject, limit in SUBJECTS:
        for role, field in names.items():
            text = ROLES[role].format(S=subject[0].upper() + subject[1:], s=subject, L=limit)
            out[field] = text
        not_done = names.get("not_done")
        if not_done:  # the due cohort adds the same count excluding exceptions
            out[not_done + "_ex"] = ROLES["not_done"] + EXCL
    return out | FIXED


FIELD_LABELS = _build()


def field_label(field: str) -> str:
    """The English label of a field; a field with none reads as its words."""
    if field in FIELD_LABELS:
        return FIELD_LABELS[field]
    text = field.replace("_", " ")
    return text[:1].upper() + text[1:]
