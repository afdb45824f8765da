"""Headline measures and backlog on a hand-worked export: every expected figure below is
worked out by hand from the dates (day counts written out), never read back from the code.

As of 30 Sep 2025. Periods: calendar 2024 (1 Jan-31 Dec 2024), FY2024 (1 Apr 2024-31 Mar 2025),
AY2024 (1 Sep 2024-31 Aug 2025). 20 weeks = 140 days, 6 weeks = 42, 16 weeks = 112, receipt is
day 0; "over a year" = more than 52 weeks (364 days).
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import audit_rows

from sendcheck.figures.headline import backlog_for
from sendcheck.figures.measures import compute_measures, measure_rules
from sendcheck.figures.periods import parse_period

AS_OF = "2025-09-30"
H = {"id": "Record ID", "cw": "Caseworker", "req": "Date Request Received",
     "ro": "Decision to Assess", "rod": "Date of Decision to Assess", "ao": "Assessment Outcome",
     "aod": "Assessment Outcome Date", "final": "Final EHCP Issued", "flag": "20 Week Exception",
     "reason": "Exception Reason", "review": "Annual Review Date", "cease": "Plan Cease Date"}


def row(**kw: str) -> dict:
    return {h: kw.get(k, "") for k, h in H.items()}


ROWS = [
    # New plans. Days from request to final plan:
    # P1 8 Jan 2024 -> 27 May 2024: 23 (to 31 Jan) + 29 + 31 + 30 + 27 = 140: within (the due day)
    row(id="P1", cw="A", req="08/01/2024", ro="Agreed", final="27/05/2024", flag="0"),
    # P2 same request, final 28 May 2024: 141 days: over 20 weeks, under a year
    row(id="P2", cw="A", req="08/01/2024", ro="Agreed", final="28/05/2024", flag="0",
        review="12/05/2025"),
    # P3 5 Feb 2024 -> 2 Sep 2024: 24 + 31 + 30 + 31 + 30 + 31 + 31 + 2 = 210 (30 weeks);
    # exception: personal circumstances, flag 1 (allowed by AS05)
    row(id="P3", cw="A", req="05/02/2024", ro="Agreed", final="02/09/2024", flag="1",
        reason="Personal circumstances"),
    # P4 5 Jun 2023 -> 4 Jun 2024: a year later is 5 Jun 2024 = 366 days (29 Feb 2024), so
    # 365 days: over 52 weeks
    row(id="P4", cw="B", req="05/06/2023", ro="Agreed", final="04/06/2024"),
    # P5 4 Sep 2023 -> 2 Sep 2024: 4 Sep 2024 is 366 days on, so 364 = exactly 52 weeks: the
    # "over 20 weeks, under a year" band (52 weeks is still within the year)
    row(id="P5", cw="B", req="04/09/2023", ro="Agreed", final="02/09/2024", flag="0"),
    # P6 3 Jun 2024 -> 7 Oct 2024: 27 + 31 + 31 + 30 + 7 = 126: within; school closure, flag 1
    row(id="P6", cw="B", req="03/06/2024", ro="Agreed", final="07/10/2024", flag="1",
        reason="School closure"),
    # P7 2 Sep 2024 -> 20 Jan 2025: 28 + 31 + 30 + 31 + 20 = 140: within
    row(id="P7", cw="A", req="02/09/2024", ro="Agreed", final="20/01/2025", flag="0"),
    # P8 4 Nov 2024 -> 8 Apr 2025: 26 + 31 + 31 + 28 + 31 + 8 = 155: over 20 weeks. Reason
    # "absence" but flag 0: the flag is followed (engine, DQ11), so no exception
    row(id="P8", cw="A", req="04/11/2024", ro="Agreed", final="08/04/2025", flag="0",
        reason="Absence"),
    # P9 2 Dec 2024 -> 31 Mar 2025: 29 + 31 + 28 + 31 = 119: within. Flag 1 with reason
    # "missed appointment", which AS05 does not allow (reg 10(4) has no such exception): the
    # reason is ignored for AS05, leaving a flag with no reason, an exception as DfE counts it
    row(id="P9", cw="B", req="02/12/2024", ro="Agreed", final="31/03/2025", flag="1",
        reason="Missed appointment"),
    # P10 4 Mar 2024 -> 31 Dec 2024: 27 + 30 + 31 + 30 + 31 + 31 + 30 + 31 + 30 + 31 = 302:
    # over 20 weeks; flag 1, no reason: an exception for AS05 (as DfE counts Week20 = 1)
    row(id="P10", cw="B", req="04/03/2024", ro="Agreed", final="31/12/2024", flag="1"),
    # X1 final plan 1 Jul 2024 with no request date: cannot be timed, left out (not_counted)
    row(id="X1", cw="B", final="01/07/2024"),
    # Decisions whether to assess (6 weeks = 42 days) and not to issue (16 weeks = 112 days):
    # D1 5 Feb 2024 -> 18 Mar 2024: 24 + 18 = 42: within; refused
    row(id="D1", cw="A", req="05/02/2024", ro="Refused", rod="18/03/2024"),
    # D2 2 Sep 2024 -> 15 Oct 2024: 28 + 15 = 43: late; absence, flag 1 (AS01 allows it)
    row(id="D2", cw="A", req="02/09/2024", ro="Refused", rod="15/10/2024", flag="1",
        reason="Absence"),
    # D3 withdrawn: outside the 6-week measure (AS01 does not apply)
    row(id="D3", cw="A", req="07/10/2024", ro="Withdrawn", rod="20/10/2024"),
    # D4 6 May 2024 -> 10 Jun 2024: 25 + 10 = 35: within 6 weeks; not to issue on 26 Aug 2024:
    # 25 + 30 + 31 + 26 = 112: within 16 weeks (the due day)
    row(id="D4", cw="B", req="06/05/2024", ro="Agreed", rod="10/06/2024", ao="Not issued",
        aod="26/08/2024"),
    # D5 7 Oct 2024 -> 18 Nov 2024: 24 + 18 = 42: within; not to issue 28 Jan 2025:
    # 24 + 30 + 31 + 28 = 113: late
    row(id="D5", cw="B", req="07/10/2024", ro="Agreed", rod="18/11/2024", ao="Not issued",
        aod="28/01/2025"),
    # Open assessments on 30 Sep 2025 (days waiting):
    # O1 5 May 2025: 26 + 30 + 31 + 31 + 30 = 148: past 20 weeks (140), not 30 (210)
    row(id="O1", cw="A", req="05/05/2025", ro="Agreed"),
    # O2 6 Jan 2025: 25 + 28 + 31 + 30 + 31 + 30 + 31 + 31 + 30 = 267: past 30, not 52 (364);
    # exception: personal circumstances
    row(id="O2", cw="A", req="06/01/2025", ro="Agreed", flag="1", reason="Personal circumstances"),
    # O3 5 Aug 2024: 5 Aug 2025 is 365 days on, + 56 = 421: past 52 weeks
    row(id="O3", cw="", req="05/08/2024", ro="Agreed"),
    # O4 4 Aug 2025: 27 + 30 = 57: not past 20 weeks
    row(id="O4", cw="B", req="04/08/2025", ro="Agreed"),
    # Older plans for the review measures (no request in the export):
    row(id="R1", cw="A", final="02/03/2020", review="10/07/2023"),
    row(id="R2", cw="A", final="11/01/2021", review="15/01/2024"),
    row(id="R3", cw="B", final="06/05/2019", review="01/02/2021"),
    row(id="R4", cw="B", final="06/05/2019", review="01/04/2020", cease="01/01/2023"),
    row(id="R5", cw="B", final="31/03/2022", review="31/03/2024"),
]


@pytest.fixture(scope="module")
def audit():
    return audit_rows(ROWS, AS_OF)


def measures(audit, period: str, cohort: str = "issued") -> dict:
    as_of = dt.date.fromisoformat(AS_OF)
    found = compute_measures(audit.episodes, measure_rules(), parse_period(period, as_of),
                             cohort, as_of)
    return {m.id: m for m in found}


# 20 weeks. Calendar 2024: final plans in 2024 = P1 P2 P3 P4 P5 P6 P10 (7).
#   within (<= 140): P1 (140), P6 (126) = 2 -> 2/7 = 28.57 -> 28.6%
#   exceptions: P3, P6, P10 -> excluding: P1 P2 P4 P5 (4), within P1 = 1 -> 25.0%
#   over 20 weeks, at most 364 days: P2 141, P3 210, P5 364, P10 302 = 4; over: P4 365 = 1
#   (2 + 4 + 1 = 7); excluding exceptions: P2, P5 = 2 and P4 = 1 (1 + 2 + 1 = 4)
#   average: (140 + 141 + 210 + 365 + 364 + 126 + 302) = 1648 / 7 = 235.43 days / 7 = 33.6 weeks
#   excluding: (140 + 141 + 365 + 364) = 1010 / 4 = 252.5 / 7 = 36.07 -> 36.1
# FY2024 adds P7 (Jan 2025) and P9 (Mar 2025): 9 plans; within P1 P6 P7 P9 = 4 -> 44.4%;
#   excluding P3 P6 P9 P10: 5 plans (P1 P2 P4 P5 P7), within P1 P7 = 2 -> 40.0%; bands 4 and
#   1 (P2 P3 P5 P10; P4), excluding 2 and 1 (P2 P5; P4); average (1648 + 140 + 119) = 1907 / 9
#   / 7 = 30.27 -> 30.3; excluding (140 + 141 + 365 + 364 + 140) = 1150 / 5 / 7 = 32.86 -> 32.9.
#   X1 (Jul 2024) left out.
# AY2024 (Sep 2024-Aug 2025): P3 P5 (2 Sep 2024) P6 P7 P8 P9 P10 = 7; within P6 P7 P9 = 3
#   -> 42.86 -> 42.9%; excluding P3 P6 P9 P10: P5 P7 P8 = 3, within P7 = 1 -> 33.3%;
#   bands: P3 210, P5 364, P8 155, P10 302 = 4, none over a year; excluding P5 P8 = 2, 0;
#   average (210 + 364 + 126 + 140 + 155 + 119 + 302) = 1416 / 7 / 7 = 28.90 -> 28.9;
#   excluding (364 + 140 + 155) = 659 / 3 / 7 = 31.38 -> 31.4
TWENTY = {
    "2024": {"den": 7, "within": 2, "pc": 28.6, "den_ex": 4, "within_ex": 1, "pc_ex": 25.0, "mid": 4, "year": 1,
                 "mid_ex": 2, "year_ex": 1, "avg": 33.6, "avg_ex": 36.1, "not_counted": 1},
    "FY2024": {"den": 9, "within": 4, "pc": 44.4, "den_ex": 5, "within_ex": 2, "pc_ex": 40.0, "mid": 4, "year": 1,
                   "mid_ex": 2, "year_ex": 1, "avg": 30.3, "avg_ex": 32.9, "not_counted": 1},
    "AY2024": {"den": 7, "within": 3, "pc": 42.9, "den_ex": 3, "within_ex": 1, "pc_ex": 33.3, "mid": 4, "year": 0,
                   "mid_ex": 2, "year_ex": 0, "avg": 28.9, "avg_ex": 31.4, "not_counted": 0},
}


@pytest.mark.parametrize("period", list(TWENTY))
def test_twenty_week_measure(audit, period):
    e = TWENTY[period]
    v = measures(audit, period)["final_plan_20w"].values
    assert v == {
        "plans_issued_den": e["den"], "plans_issued_within_20_weeks": e["within"],
        "pc_plans_issued_within_20_weeks": e["pc"], "plans_issued_den_ex": e["den_ex"],
        "plans_issued_20_weeks_ex": e["within_ex"], "pc_plans_issued_20_weeks_ex": e["pc_ex"],
        "plans_issued_gt20weeks_ltyear": e["mid"], "plans_issued_gt_1_year": e["year"],
        "plans_issued_gt20weeks_ltyear_ex": e["mid_ex"], "plans_issued_gt_1_year_ex": e["year_ex"],
        "avg_weeks_issue_plan": e["avg"], "avg_weeks_issue_plan_exc": e["avg_ex"],
        "not_counted": e["not_counted"],
    }


# 6 weeks, decisions notified in the period (D3 withdrawn is out; D2 has an allowed exception):
#   2024: D1 (Mar) within, D2 (Oct) late, D4 (Jun) within, D5 (Nov) within: 3/4 = 75.0%;
#         excluding D2: 3/3 = 100.0%
#   FY2024: D2, D4, D5: 2/3 = 66.7%; excluding D2: 2/2
#   AY2024: D2 (Oct 2024), D5 (Nov 2024): 1/2 = 50.0%; excluding D2: 1/1
# 16 weeks, decisions not to issue notified in the period:
#   2024: D4 (26 Aug 2024, 112 days) within: 1/1; FY2024: D4 and D5 (28 Jan 2025, 113 days):
#   1/2 = 50.0%; AY2024: D5 only (D4 is in AY2023): 0/1 = 0.0%. No exceptions on D4, D5.
SIX = {"2024": (4, 3, 75.0, 3, 3, 100.0), "FY2024": (3, 2, 66.7, 2, 2, 100.0),
       "AY2024": (2, 1, 50.0, 1, 1, 100.0)}
SIXTEEN = {"2024": (1, 1, 100.0), "FY2024": (2, 1, 50.0), "AY2024": (1, 0, 0.0)}


@pytest.mark.parametrize("period", list(SIX))
def test_six_and_sixteen_week_measures(audit, period):
    m = measures(audit, period)
    six = m["decision_to_assess_6w"].values
    assert (six["requests_decided_den"], six["request_outcome_six_weeks"],
            six["pc_request_outcome_six_weeks"], six["requests_decided_den_ex"],
            six["request_outcome_six_weeks_ex"],
            six["pc_request_outcome_six_weeks_ex"]) == SIX[period]
    sixteen = m["no_plan_decision_16w"].values
    den, within, pc = SIXTEEN[period]
    assert (sixteen["not_issue_decisions_den"], sixteen["outcome_decision_within_time"],
            sixteen["pc_outcome_decision_within_time"]) == (den, within, pc)
    assert sixteen["not_issue_decisions_den_ex"] == den  # no exceptions on D4, D5


def test_due_cohort_calendar_2024(audit):
    # Due = request + 140 days in 2024, among cases AS05 applies to (not refused, withdrawn or
    # not to issue): P1, P2 due 27 May 2024; P3 24 Jun; P5 (4 Sep 2023 + 140) 22 Jan 2024;
    # P6 21 Oct; P10 22 Jul; O3 (5 Aug 2024 + 26 + 30 + 31 + 30 + 23) 23 Dec 2024, no plan.
    # P4 was due 23 Oct 2023, P7-P9 in 2025: out. 7 cases; within P1, P6 = 2 -> 28.6%;
    # not issued O3 = 1; late and issued: P2 141, P3 210, P5 364, P10 302 = 4 (2 + 4 + 1 = 7).
    # Excluding P3 P6 P10: P1 P2 P5 O3 = 4, within P1 -> 25.0%.
    m = measures(audit, "2024", "due")["final_plan_20w"]
    v = m.values
    assert (v["plans_issued_den"], v["plans_issued_within_20_weeks"],
            v["pc_plans_issued_within_20_weeks"], v["plans_not_issued"],
            v["plans_issued_gt20weeks_ltyear"], v["plans_issued_gt_1_year"]) == (7, 2, 28.6, 1, 4, 0)
    assert (v["plans_issued_den_ex"], v["plans_issued_20_weeks_ex"],
            v["pc_plans_issued_20_weeks_ex"]) == (4, 1, 25.0)
    assert "falling due in the period" in m.definition


def test_definitions_name_cohort_period_and_exceptions(audit):
    m = measures(audit, "FY2024")["final_plan_20w"]
    assert "2024-04-01 to 2025-03-31 (FY2024)" in m.definition
    assert "final_plan_date in the period" in m.definition
    assert "including and excluding exception cases" in m.definition
    assert m.period.start == dt.date(2024, 4, 1) and m.period.end == dt.date(2025, 3, 31)


def test_exception_share(audit):
    # 2024: P3 P6 P10 of 7 = 42.9%: above 25%, but fewer than 20 plans: not flagged
    m = measures(audit, "2024")["exception_share"]
    assert m.values == {"plans_issued_den": 7, "plans_with_exception": 3,
                        "pc_plans_with_exception": 42.9}
    assert m.flag is None


def test_exception_share_flagged_when_every_plan_is_an_exception():
    # 20 plans, all flagged: 100% > 25% with at least 20 plans (quality.py's thresholds)
    rows = [row(id=f"E{i}", req="06/01/2025", ro="Agreed", final="26/05/2025", flag="1",
                reason="Personal circumstances") for i in range(20)]
    a = audit_rows(rows, "2025-06-30")
    m = measures(a, "2025")["exception_share"]
    assert m.values["pc_plans_with_exception"] == 100.0
    assert m.flag and "100% of 20 plans" in m.flag


def test_annual_reviews_calendar_2024(audit):
    # In force on 31 Dec 2024: P1-P6, P10 (31 Dec 2024), X1, R1, R2, R3, R5 = 12 (R4 ceased
    # 1 Jan 2023; P7-P9 issued in 2025). Expected (issued by 31 Dec 2023): R1 R2 R3 R5 = 4.
    # Held in 2024: R2 (15 Jan), R5 (31 Mar) = 2; latest meeting within the 12 months to
    # 31 Dec 2024: the same 2 -> 50.0%.
    v = measures(audit, "2024")["annual_reviews"].values
    assert v == {"plans_in_force": 12, "reviews_expected": 4, "expected_reviews_held": 2,
                 "reviews_held_within_12_months": 2, "pc_reviews_held_within_12_months": 50.0}


def test_measure_without_its_columns_says_so(audit):
    m = measures(audit, "2024")["amended_plans_8w"]
    assert not m.available
    assert m.reason == "not available: missing amendment_notice_date, amended_plan_date"
    assert m.values == {}


def test_backlog(audit):
    # Reviews overdue are RV01's (and TR02's) overdue findings, one per plan (figures.headline).
    b = backlog_for(audit, measure_rules()["AS05"])
    # Open: O1 148 days, O2 267 (exception), O3 421, O4 57 (see ROWS).
    assert b.assessments == {
        "open_assessments": 4, "open_with_exception": 1,
        "past_20_weeks": 3, "past_20_weeks_with_exception": 1, "past_20_weeks_without_exception": 2,
        "past_30_weeks": 2, "past_30_weeks_with_exception": 1, "past_30_weeks_without_exception": 1,
        "past_52_weeks": 1, "past_52_weeks_with_exception": 0, "past_52_weeks_without_exception": 1,
    }
    assert [x["record_id"] for x in b.longest_assessments] == ["O3", "O2", "O1", "O4"]
    assert b.longest_assessments[0]["weeks_waiting"] == 60.1  # 421 / 7 = 60.14
    # Reviews on 30 Sep 2025; next due = 12 months after the latest meeting, else the plan:
    #   P1 27 May 2025, P3 and P5 2 Sep 2025, P4 4 Jun 2025, X1 1 Jul 2025: overdue 0-6 months;
    #   R5 31 Mar 2025 + 6 months = 30 Sep 2025 = the as-of date: still 0-6 (bound included);
    #   R2 15 Jan 2025 (+6 = 15 Jul 2025 passed, +12 not): 6-12; R1 10 Jul 2024: 12-24;
    #   R3 1 Feb 2022: 24+. Not overdue: P2 (review 12 May 2025), P6 7 Oct 2025, P7-P10.
    #   In force: P1-P10, X1, R1, R2, R3, R5 = 15.
    assert b.reviews == {"plans_in_force": 15, "reviews_overdue": 9, "overdue_0_6_months": 6,
                         "overdue_6_12_months": 1, "overdue_12_24_months": 1,
                         "overdue_24_plus_months": 1}
    assert b.longest_reviews[0]["record_id"] == "R3"
