"""Periods (`--period`), small-number suppression, the trend command and the headline sections
of `audit` (table and JSON)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import run_cli

from sendcheck.errors import SendcheckError
from sendcheck.figures.periods import month_periods, parse_period
from sendcheck.figures.small_counts import values

D = dt.date


@pytest.mark.parametrize("text,start,end,partial", [
    ("2024", D(2024, 1, 1), D(2024, 12, 31), False),
    ("FY2024", D(2024, 4, 1), D(2025, 3, 31), False),
    ("fy2024", D(2024, 4, 1), D(2025, 3, 31), False),
    ("AY2024", D(2024, 9, 1), D(2025, 8, 31), False),
    ("2024-Q3", D(2024, 7, 1), D(2024, 9, 30), False),
    ("2024-Q1", D(2024, 1, 1), D(2024, 3, 31), False),
    ("2024-02", D(2024, 2, 1), D(2024, 2, 29), False),  # leap year
    # 12 months ending on the as-of date: the day after 30 Sep 2024, to 30 Sep 2025
    ("rolling-12m", D(2024, 10, 1), D(2025, 9, 30), False),
    ("rolling-3m", D(2025, 7, 1), D(2025, 9, 30), False),
    # a period running past the as-of date is cut there, and says so
    ("2025", D(2025, 1, 1), D(2025, 9, 30), True),
    ("AY2025", D(2025, 9, 1), D(2025, 9, 30), True),
])
def test_parse_period(text, start, end, partial):
    p = parse_period(text, D(2025, 9, 30))
    assert (p.start, p.end, p.partial) == (start, end, partial)


def test_default_period_is_rolling_12_months():
    p = parse_period(None, D(2025, 3, 31))
    assert (p.label, p.start, p.end) == ("rolling-12m", D(2024, 4, 1), D(2025, 3, 31))


@pytest.mark.parametrize("text", ["2024-13", "FY24", "Q3-2024", "rolling-0m", "2026", "last year"])
def test_bad_period(text):
    with pytest.raises(SendcheckError, match="--period"):
        parse_period(text, D(2025, 9, 30))


def test_month_periods_end_with_the_as_of_month():
    months = month_periods(D(2025, 3, 15), 3)
    assert [(m.label, m.start, m.end, m.partial) for m in months] == [
        ("2025-01", D(2025, 1, 1), D(2025, 1, 31), False),
        ("2025-02", D(2025, 2, 1), D(2025, 2, 28), False),
        ("2025-03", D(2025, 3, 1), D(2025, 3, 15), True),
    ]


def test_suppression_hides_small_counts_and_what_derives_from_them():
    vals = {"den": 12, "within": 3, "pc": 25.0, "zero": 0, "avg": 21.0, "big_pc": 75.0,
            "late": 9}
    out = values(vals, 5, ratios={"pc": ("within", "den"), "big_pc": ("late", "den")},
                 averages={"avg": "within"})
    # 3 < 5 suppressed, and its percentage (3 = 25% of 12) with it; 0 is shown; 9 and 12 stay
    assert out == {"den": 12, "within": "<5", "pc": "<5", "zero": 0, "avg": "<5",
                   "big_pc": 75.0, "late": 9}
    assert values(vals, None) == vals


CSV = (
    "Record ID,Caseworker,Date Request Received,Decision to Assess,Date of Decision to Assess,"
    "Final EHCP Issued,20 Week Exception\r\n"
    # Jan 2025: request 2 Sep 2024 + 140 = 20 Jan 2025: within; decision 14 Oct (42 days)
    "T1,A,02/09/2024,Agreed,14/10/2024,20/01/2025,0\r\n"
    # Jan 2025: request 2 Sep 2024, final 21 Jan 2025: 141 days, late
    "T2,A,02/09/2024,Agreed,15/10/2024,21/01/2025,0\r\n"
    # Mar 2025: request 4 Nov 2024 + 140 = 24 Mar 2025 (26 + 31 + 31 + 28 + 24): within
    "T3,B,04/11/2024,Agreed,16/12/2024,24/03/2025,0\r\n"
    # open since 7 Oct 2024: 20 weeks passed on 24 Feb 2025
    "T4,,07/10/2024,Agreed,18/11/2024,,0\r\n"
)


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_trend_json_series(export):
    r = run_cli("trend", export, "--as-of", "2025-03-31", "--months", "3", "--format", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    s = {m["month"]: m for m in data["series"]}
    assert list(s) == ["2025-01", "2025-02", "2025-03"]
    # Jan: T1 within, T2 late: 1/2 = 50.0%; avg (140 + 141) / 2 / 7 = 20.07 -> 20.1 weeks
    assert (s["2025-01"]["plans_issued_den"], s["2025-01"]["pc_plans_issued_within_20_weeks"],
            s["2025-01"]["avg_weeks_issue_plan"]) == (2, 50.0, 20.1)
    assert s["2025-02"]["plans_issued_den"] == 0
    assert s["2025-02"]["pc_plans_issued_within_20_weeks"] is None
    assert (s["2025-03"]["plans_issued_den"], s["2025-03"]["pc_plans_issued_20_weeks_ex"]) == (1, 100.0)
    # Open at month end: end of Jan: T3 (plan in Mar), T4 = 2; T4 waited 116 days (24 + 30 +
    # 31 + 31) on 31 Jan: not past 20 weeks; on 28 Feb 144 days: past; end of Mar: T4 only.
    assert [(s[m]["open_assessments"], s[m]["open_past_20_weeks"]) for m in s] == [
        (2, 0), (2, 1), (1, 1)]
    # Decisions whether to assess, by month of decision: Oct, Nov, Dec 2024: none in range
    assert s["2025-01"]["requests_decided_den"] == 0


def test_trend_table_chart_and_csv(export):
    r = run_cli("trend", export, "--as-of", "2025-03-31", "--months", "3")
    assert r.code == 0, r.err
    # 50% of 40 columns = 20 '#' in the plain-text chart (not a terminal)
    assert "2025-01 |" + "#" * 20 + "." * 20 + "| 50.0% of 2" in r.out
    r = run_cli("trend", export, "--as-of", "2025-03-31", "--months", "2", "--format", "csv")
    lines = r.out.splitlines()
    assert lines[0].startswith("month,start,end,partial,plans_issued_den,")
    assert lines[2].startswith("2025-03,2025-03-01,2025-03-31,false,1,1,100.0,")


def test_audit_json_has_measures_backlog_caseload(export):
    r = run_cli("audit", export, "--as-of", "2025-03-31", "--format", "json", "--period",
                "2025-01", "--fail-on", "none")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert list(data)[-3:] == ["measures", "backlog", "caseload"]
    m = data["measures"]["items"]["final_plan_20w"]
    assert m["period"] == {"label": "2025-01", "kind": "month", "start": "2025-01-01",
                           "end": "2025-01-31", "partial": False}
    assert "2025-01-01 to 2025-01-31" in m["definition"]
    assert m["values"]["plans_issued_den"] == 2
    assert data["backlog"]["longest_assessments"][0]["record_id"] == "T4"
    # Same input and as-of date: byte-identical JSON
    again = run_cli("audit", export, "--as-of", "2025-03-31", "--format", "json", "--period",
                    "2025-01", "--fail-on", "none")
    assert again.out == r.out


def test_audit_suppressed_json_withholds_case_lists(export):
    r = run_cli("audit", export, "--as-of", "2025-03-31", "--format", "json", "--period",
                "2025-01", "--suppress-below", "5", "--fail-on", "none")
    data = json.loads(r.out)
    v = data["measures"]["items"]["final_plan_20w"]["values"]
    assert (v["plans_issued_den"], v["pc_plans_issued_within_20_weeks"]) == ("<5", "<5")
    assert isinstance(data["backlog"]["longest_assessments"], str)
    assert data["measures"]["suppress_below"] == 5


def test_audit_table_prints_definitions(export):
    r = run_cli("audit", export, "--as-of", "2025-03-31", "--period", "FY2024",
                "--cohort", "due", "--fail-on", "none", "--details")
    assert r.code == 0, r.err
    assert "Measures: FY2024: 2024-04-01 to 2025-03-31; cohort: due" in r.out
    assert "definition: new EHC plans falling due in the period" in r.out
    assert "Backlog on 2025-03-31" in r.out and "Caseworker load on 2025-03-31" in r.out


def test_audit_bad_period_exits_2(export):
    r = run_cli("audit", export, "--as-of", "2025-03-31", "--period", "FY25")
    assert r.code == 2
    assert "--period: 'FY25' is not a period" in r.err


def test_audit_measures_from_excel_with_title_rows_and_date_cells(tmp_path):
    # The same four cases as CSV above, as a council's workbook: two title rows, real date
    # cells. January 2025: T1 (140 days, within) and T2 (141, late): 1 of 2 = 50.0%.
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["SEND casework report"])
    ws.append(["Run 31/03/2025"])
    lines = CSV.strip().split("\r\n")
    ws.append(lines[0].split(","))
    for line in lines[1:]:
        cells = line.split(",")
        ws.append([dt.datetime.strptime(c, "%d/%m/%Y") if c.count("/") == 2 else c
                   for c in cells])
    path = tmp_path / "export.xlsx"
    wb.save(path)
    r = run_cli("audit", path, "--as-of", "2025-03-31", "--format", "json", "--period",
                "2025-01", "--fail-on", "none")
    assert r.code == 0, r.err
    v = json.loads(r.out)["measures"]["items"]["final_plan_20w"]["values"]
    assert (v["plans_issued_den"], v["plans_issued_within_20_weeks"],
            v["pc_plans_issued_within_20_weeks"]) == (2, 1, 50.0)
