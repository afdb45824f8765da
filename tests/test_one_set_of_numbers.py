"""One set of numbers: every view of the bundled example (with its review history) gives each
caseworker the same cases overdue and due soon, and the backlog's overdue reviews are the review
rules' overdue findings.

To add a view, add a function to VIEWS that returns {caseworker: (cases overdue, due soon)}
for the run's arguments; the test compares it with the audit's JSON.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import ROOT, run_cli

EXAMPLE = [str(ROOT / "examples" / "export.xlsx"), "--reviews",
           str(ROOT / "examples" / "reviews.csv"), "--as-of", "2025-03-31"]


def _json_counts(data: dict) -> dict[str, tuple[int, int]]:
    rows = data["caseload"]["caseworkers"]
    return {r["caseworker"]: (r["cases_overdue"], r["cases_due_soon"]) for r in rows}


def caseload_command(args: list[str]) -> dict[str, tuple[int, int]]:
    run = run_cli("caseload", *args, "--format", "json")
    assert run.code == 0, run.err
    return _json_counts(json.loads(run.out))


def caseload_command_table(args: list[str]) -> dict[str, tuple[int, int]]:
    """`sendcheck caseload` as plain text: caseworker, plans, assessments, reviews, overdue,
    due soon, ... (the names have a space in them, so the numbers are read from the right)."""
    run = run_cli("caseload", *args)
    assert run.code == 0, run.err
    return _table_counts(run.out)


def _table_counts(text: str) -> dict[str, tuple[int, int]]:
    out = {}
    for line in text.splitlines():
        m = re.match(r"^(\S.*?\S|\(unallocated\))\s{2,}(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\b",
                     line)
        if m and m.group(1) != "total":
            out[m.group(1)] = (int(m.group(5)), int(m.group(6)))
    return out


def markdown(args: list[str]) -> dict[str, tuple[int, int]]:
    run = run_cli("audit", *args, "--format", "markdown", "--fail-on", "none",
                  "--include-personal-data")  # the board paper names caseworkers only if asked
    assert run.code == 0, run.err
    out = {}
    head = None
    for line in run.out.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| Caseworker"):
            head = cells
            continue
        if head and line.startswith("|") and not line.startswith("|---"):
            row = dict(zip(head, cells))
            if row["Caseworker"] != "Total":
                out[row["Caseworker"]] = (int(row["Cases overdue"].replace(",", "")),
                                          int(row["Cases due soon"].replace(",", "")))
        elif head and not line.startswith("|"):
            head = None
    return out


def workbook(args: list[str]) -> dict[str, tuple[int, int]]:
    """The audit workbook's Caseload sheet, read by its header names (the last row is the
    total, "All caseworkers (n)")."""
    import tempfile

    import openpyxl

    with tempfile.TemporaryDirectory() as folder:
        out = f"{folder}/report.xlsx"
        run = run_cli("audit", *args, "--format", "xlsx", "--output", out, "--fail-on", "none")
        assert run.code == 0, run.err
        rows = list(openpyxl.load_workbook(out, read_only=True)["Caseload"].iter_rows(
            values_only=True))
    head = list(rows[0])
    overdue, soon = head.index("Cases overdue"), head.index("Cases due soon")
    assert str(rows[-1][0]).startswith("All caseworkers")
    return {r[0]: (r[overdue], r[soon]) for r in rows[1:-1]}


VIEWS = {"caseload --format json": caseload_command, "caseload (table)": caseload_command_table,
         "audit --format markdown": markdown, "audit --format xlsx": workbook}


@pytest.fixture(scope="module")
def audit_json() -> dict:
    run = run_cli("audit", *EXAMPLE, "--format", "json", "--fail-on", "none")
    assert run.code == 0, run.err
    return json.loads(run.out)


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_gives_each_caseworker_the_same_cases(audit_json, view):
    expected = _json_counts(audit_json)
    assert len(expected) == 15  # 14 caseworkers and (unallocated)
    assert VIEWS[view](EXAMPLE) == expected


HEADER = "Record ID,Caseworker,Date Request Received,Decision to Assess,Date of Decision to Assess,Final EHCP Issued\n"
# As of Mon 31 Mar 2025, 28 days ahead (to 28 Apr 2025):
CASES = [
    # K1: request 7 Oct 2024, decided 11 Nov (35 days: met); no plan, 20 weeks due 24 Feb 2025
    # (24 + 30 + 31 + 31 + 24 = 140): AS05 overdue. One case overdue.
    "K1,A. Khan,07/10/2024,Agreed,11/11/2024,",
    # K2: request 7 Oct 2024, no decision: AS01 due 18 Nov 2024 (24 + 18 = 42) overdue, AS05
    # due 24 Feb 2025 overdue: two overdue findings, one case overdue.
    "K2,A. Khan,07/10/2024,,,",
    # K3: request 20 Nov 2023, plan 8 Apr 2024 (140 days: met); no review yet: RV01 due 8 Apr
    # 2025, 8 days away: due soon.
    "K3,B. Jones,20/11/2023,Agreed,18/12/2023,08/04/2024",
    # K4: plan 10 Jan 2022 (request 1 Aug 2021 + 140 = 19 Dec 2021: AS05 late, not counted);
    # history meetings 5 Jan 2023 (cycle 1 met) and 4 Dec 2023 (cycle 2 met); cycle 3 due
    # 4 Dec 2024, no meeting: RV01 overdue on a review-file row, counted for K4.
    "K4,B. Jones,01/08/2021,Agreed,06/09/2021,10/01/2022",
    # K5: decided after 50 days (AS01 late), plan 10 Mar 2025 (AS05 late); RV01 due 10 Mar
    # 2026: pending. Late findings make no case overdue.
    "K5,B. Jones,01/08/2024,Agreed,20/09/2024,10/03/2025",
]
# K4's decisions: 5 Jan 2023 -> 30 Jan 2023 (25 days: within 4 weeks); 4 Dec 2023 -> 8 Jan
# 2024 (27 + 8 = 35 days: over 28).
HISTORY = ("Record ID,Review Meeting Date,Review Decision Date\n"
           "K4,05/01/2023,30/01/2023\nK4,04/12/2023,08/01/2024\n")


def test_a_case_counts_once_and_a_review_cycle_counts_for_its_case(tmp_path):
    export, history = tmp_path / "export.csv", tmp_path / "reviews.csv"
    export.write_text(HEADER + "\n".join(CASES) + "\n", encoding="utf-8")
    history.write_text(HISTORY, encoding="utf-8")
    args = [str(export), "--reviews", str(history), "--as-of", "2025-03-31"]
    assert caseload_command(args) == {"A. Khan": (2, 0), "B. Jones": (1, 1)}
    run = run_cli("audit", *args, "--format", "json", "--fail-on", "none")
    data = json.loads(run.out)
    assert (data["totals"]["cases_overdue"], data["totals"]["cases_due_soon"]) == (3, 1)
    # K4's overdue review is on the review file's row 3 (header on row 1), and says so.
    rv = [f for f in data["findings"] if f["rule"] == "RV01" and f["status"] == "overdue"]
    assert [(f["record_id"], f["source"].rsplit("/", 1)[-1], f["row"]) for f in rv] == [
        ("K4", "reviews.csv", 3)]


def test_backlog_reviews_are_the_review_rules_overdue(audit_json):
    s = audit_json["summary"]
    reviews = audit_json["backlog"]["reviews"]
    assert reviews["reviews_overdue"] == s["RV01"]["overdue"] + s["TR02"]["overdue"]
    assert sum(reviews[k] for k in ("overdue_0_6_months", "overdue_6_12_months",
                                    "overdue_12_24_months", "overdue_24_plus_months")) \
        == reviews["reviews_overdue"]
    assert "reviews.csv" in audit_json["backlog"]["definition"]


def test_review_measures_use_the_review_history(tmp_path):
    export, history = tmp_path / "export.csv", tmp_path / "reviews.csv"
    export.write_text(HEADER + "\n".join(CASES) + "\n", encoding="utf-8")
    history.write_text(HISTORY, encoding="utf-8")
    run = run_cli("audit", export, "--reviews", history, "--as-of", "2025-03-31", "--period",
                  "2023", "--format", "json", "--fail-on", "none")
    items = json.loads(run.out)["measures"]["items"]
    # In force on 31 Dec 2023: K4 only (plan 10 Jan 2022; K3 and K5 issued in 2024-25), due a
    # review (issued by 31 Dec 2022); its latest meeting on or before 31 Dec 2023 is 4 Dec 2023:
    # held in 2023 and within 12 months.
    assert items["annual_reviews"]["values"] == {
        "plans_in_force": 1, "reviews_expected": 1, "expected_reviews_held": 1,
        "reviews_held_within_12_months": 1, "pc_reviews_held_within_12_months": 100.0}
    assert "reviews.csv" in items["annual_reviews"]["notes"][-1]
    # Both 2023 meetings counted (the export alone has no review date at all): 1 of 2 decided
    # within 4 weeks.
    v = items["review_decisions_4w"]["values"]
    assert (v["reviews_held_den"], v["number_decsion_4weeks"], v["pc_number_decsion_4weeks"]) \
        == (2, 1, 50.0)
    assert items["review_decisions_4w"]["definition"].endswith(
        "reviews from the review history file reviews.csv (every review cycle)")
