"""`missed` (contract section 3) in every output, no silent `invalid`, and dates before the
reforms, on a council CSV made here (Windows-1252, dd/mm/yyyy, two-digit years).

Hand-computed, as of Tue 30 Sep 2025:
  M1  plan Wed 10 Jan 2024, no review; ceased Sun 1 Jun 2025. RV01 due 10 Jan 2025 (12 months),
      never held before the plan ceased: missed, 21 + 28 + 31 + 30 + 31 + 1 = 142 days after.
      Its request (Mon 3 Jul 2023, plan 10 Jan 2024 = 191 days) makes AS05 late by 191 - 140 = 51.
  B1  final plan 16 May 2025 with a blank draft date: AS04 cannot be judged (invalid), and DQ14
      counts it in the data-quality summary.
  Y1  request "06/01/27": a two-digit year later than the year after the as-of date is 19yy, so
      6 Jan 1927, before the reforms: DQ15 names the cell, AS01 is invalid, never a 35,000-day
      breach.
"""

from __future__ import annotations

import csv
import io
import json
import re

import polars as pl
import pytest
from conftest import run_cli

HEADER = ["Case Ref", "Child ID", "Case Officer", "Date Request Received",
          "Date of Decision to Assess", "Decision to Assess", "Draft EHCP Issued",
          "Final EHCP Issued", "Cease Date", "Annual Review Date"]
ROWS = [
    ["M1", "P-1", "A. Khan", "03/07/2023", "07/08/2023", "Agreed", "20/12/2023", "10/01/2024",
     "01/06/2025", ""],
    ["B1", "P-2", "A. Khan", "06/01/2025", "10/02/2025", "Agreed", "", "16/05/2025", "", ""],
    ["Y1", "P-3", "B. Osei", "06/01/27", "", "", "", "", "", ""],
]


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([HEADER, *rows])
    return out.getvalue().encode("cp1252")


@pytest.fixture
def export(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "cases.csv"
    path.write_bytes(_csv(ROWS))
    return path


@pytest.fixture
def missed_only(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "ceased.csv"
    path.write_bytes(_csv(ROWS[:1]))
    return path


def _json(export, *extra) -> dict:
    run = run_cli("audit", export, "--as-of", "2025-09-30", "--format", "json", *extra)
    assert run.code in (0, 1), run.err
    return json.loads(run.out)


def test_missed_in_json(export):
    doc = _json(export)
    assert doc["summary"]["RV01"]["missed"] == 1
    assert list(doc["summary"]["RV01"])[:5] == ["met", "late", "early", "overdue", "missed"]
    (m,) = [f for f in doc["findings"] if f["status"] == "missed"]
    assert (m["rule"], m["record_id"], m["due"], m["done"], m["days_over"]) == (
        "RV01", "M1", "2025-01-10", None, 142)
    assert m["message"] == ("annual review not held by its due date 2025-01-10; the plan ceased "
                            "on 2025-06-01, 142 days after the 12-month limit")


def test_missed_is_a_breach_but_not_a_running_one(missed_only):
    # Only RV01, and no data-quality checks: the one finding is the missed review.
    args = ("audit", missed_only, "--as-of", "2025-09-30", "--select", "RV01")
    assert run_cli(*args, "--fail-on", "overdue").code == 0
    assert run_cli(*args, "--fail-on", "late").code == 0
    assert run_cli(*args, "--fail-on", "missed").code == 1
    run = run_cli(*args, "--fail-on", "breach")
    assert run.code == 1
    # The live lists and the cron line count no missed review as overdue.
    assert "Overdue: not done, past a statutory limit: none" in run.out
    assert run.err.strip().endswith(
        ": 0 cases overdue, 0 due soon; 0 findings overdue, 0 due soon; 0 data-quality findings")


def test_missed_in_table_csv_markdown_and_workbook(export, tmp_path):
    table = run_cli("audit", export, "--as-of", "2025-09-30")
    head = next(line for line in table.out.splitlines() if line.startswith("code"))
    assert head.split()[:8] == ["code", "name", "met", "late", "early", "overdue", "missed",
                                "due"]
    rv01 = next(line for line in table.out.splitlines() if line.startswith("RV01"))
    # met 0, late 0, early 0, overdue 0, missed 1 (B1's plan is due 16 May 2026: pending)
    assert rv01.split()[2:7] == ["0", "0", "0", "0", "1"]

    text = run_cli("audit", export, "--as-of", "2025-09-30", "--format", "csv").out
    found = list(csv.DictReader(io.StringIO(text)))  # the header on line 1
    missed = [r for r in found if r["status"] == "missed"]
    assert [(r["rule"], r["record_id"], r["due"], r["days_over"]) for r in missed] == [
        ("RV01", "M1", "2025-01-10", "142")]

    md = run_cli("audit", export, "--as-of", "2025-09-30", "--format", "markdown").out
    # Duties by name: RV01 missed once, nothing overdue or due soon; missed in words.
    assert re.search(r"^\| Plan reviewed within 12 months .*\(RV01\) \| 0 \| 0 \| 1 \|$", md, re.M)
    assert "**Missed**: never done, and no longer can be" in md

    import openpyxl

    out = tmp_path / "report.xlsx"
    # (Exit 0: nothing overdue, the default --fail-on; the invalid and missed are listed.)
    assert run_cli("audit", export, "--as-of", "2025-09-30", "--format", "xlsx",
                   "--output", out).code == 0
    wb = openpyxl.load_workbook(out)
    late = [[c.value for c in r] for r in wb["Late"].iter_rows()]
    assert any("missed" in row and "M1" in row for row in late), late
    counts = [[c.value for c in r] for r in wb["Counts"].iter_rows()]  # every case per status
    header = next(r for r in counts if r and r[0] == "Rule")
    row = next(r for r in counts if r and r[0] == "RV01")
    assert row[header.index("Missed")] == 1


def test_explain_shows_the_missed_review(export):
    run = run_cli("explain", export, "M1", "--as-of", "2025-09-30")
    assert run.code == 0, run.err
    assert "Fri 10/01/2025  RV01 due (12-month from Wed 10/01/2024): missed" in run.out
    line = next(x for x in run.out.splitlines() if x.strip().startswith("RV01 "))
    assert "missed" in line and "Fri 10/01/2025" in line and "142" in line


def test_a_blank_draft_date_is_counted_as_data_quality(export):
    run = run_cli("audit", export, "--as-of", "2025-09-30", "--format", "json")
    doc = json.loads(run.out)
    (as04,) = [f for f in doc["findings"] if f["rule"] == "AS04" and f["status"] == "invalid"]
    assert (as04["record_id"], as04["message"]) == (
        "B1", "final_plan_date recorded but draft_plan_date is blank")
    (dq14,) = [f for f in doc["findings"] if f["rule"] == "DQ14"]
    assert (dq14["record_id"], dq14["row"], dq14["message"]) == (
        "B1", 3, "AS04 cannot be judged: final_plan_date recorded but draft_plan_date is blank")
    counts = {q["check"]: q["findings"] for q in doc["data_quality"]}
    assert counts["DQ14"] == 1
    # The cron line's count is the data-quality findings, DQ14 and DQ15 among them.
    assert run.err.strip().endswith(f"{sum(counts.values())} data-quality findings")
    assert sum(counts.values()) >= 2


def test_a_date_before_the_reforms_is_a_finding_not_a_breach(export):
    doc = _json(export, "--all")
    (dq15,) = [f for f in doc["findings"] if f["rule"] == "DQ15"]
    assert (dq15["record_id"], dq15["row"]) == ("Y1", 4)
    assert dq15["message"] == ("request_received_date: a date before the SEND reforms "
                               "(1 September 2014), read as 1927-01-06 (a two-digit year read "
                               "as 19yy?)")
    y1 = {f["rule"]: f for f in doc["findings"] if f["record_id"] == "Y1"}
    assert y1["AS01"]["status"] == "invalid"
    assert y1["AS01"]["message"] == ("request_received_date cannot be used: a date before the "
                                     "SEND reforms (1 September 2014), read as 1927-01-06")
    assert all(abs(f["days_over"] or 0) < 3650 for f in doc["findings"])


def test_every_invalid_names_its_reason_and_is_counted(root):
    """On the 3,500-row synthetic example (every fault real exports have): each invalid rule
    finding has a message, and its row has a data-quality finding."""
    import datetime as dt

    from sendcheck.audit import Options, run_audit
    from sendcheck.views.findings import findings_frame

    audit = run_audit([root / "examples" / "export.xlsx"], Options(as_of=dt.date(2025, 3, 31)))
    found = findings_frame(audit)
    invalid = found.filter((pl.col("status") == "invalid") & ~pl.col("rule").str.starts_with("DQ"))
    assert invalid.height > 50
    assert invalid.filter(pl.col("message").is_null() | (pl.col("message") == "")).height == 0
    bad = audit.results.filter(pl.col("status") == "invalid").select("_idx").unique()
    uncounted = bad.join(audit.quality.select("_idx").unique(), on="_idx", how="anti")
    assert uncounted.height == 0


@pytest.mark.parametrize("cohort,expected", [
    # Decisions notified in Q1 2025: only A1 (a withdrawal is no decision, as DfE counts).
    ("issued", (1, 1)),
    # Due in Q1 2025 (all three: 6 Jan + 42 = 17 Feb): A1 within; W1 withdrawn on 3 Mar, after
    # its due date, undecided: missed, so not within; W2 withdrawn on 3 Feb, before it: left out.
    ("due", (2, 1)),
])
def test_a_missed_decision_counts_in_the_due_cohort(tmp_path, monkeypatch, cohort, expected):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "w.csv"
    path.write_text("Case Ref,Date Request Received,Date of Decision to Assess,Decision to Assess\n"
                    "W1,06/01/2025,03/03/2025,Withdrawn\nW2,06/01/2025,03/02/2025,Withdrawn\n"
                    "A1,06/01/2025,17/02/2025,Agreed\n", encoding="utf-8")
    doc = _json(path, "--period", "2025-Q1", "--cohort", cohort)
    values = doc["measures"]["items"]["decision_to_assess_6w"]["values"]
    assert (values["requests_decided_den"], values["request_outcome_six_weeks"]) == expected
    statuses = {f["record_id"]: f["status"] for f in _json(path, "--all")["findings"]
                if f["rule"] == "AS01"}
    assert statuses == {"W1": "missed", "W2": "not_applicable", "A1": "met"}
