"""One set of numbers: every view of the bundled example (with its review history) gives each
caseworker the same cases overdue and due soon, every output gives the same totals, each read as
its reader sees it (the HTML as a browser renders it and as a file, the history's SQLite file,
the cron line on stderr, the actions index), and the backlog's overdue reviews are the review
rules' overdue findings.

To add a view, add a function to VIEWS that returns {caseworker: (cases overdue, due soon)}
for the run's arguments, or to TOTALS one that returns (cases overdue, due soon) for the whole
run; the tests compare them with the audit's JSON.
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


def _html_page(args: list[str], folder) -> str:
    page = folder / "report.html"
    run = run_cli("audit", *args, "--format", "html", "--output", page, "--fail-on", "none")
    assert run.code == 0, run.err
    return page


def html_caseload(args: list[str]) -> dict[str, tuple[int, int]]:
    """The HTML report's caseload table, read from the file as written: caseworker (a row
    header), plans, open assessments, overdue cases, due soon cases."""
    import html
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        text = _html_page(args, Path(folder)).read_text(encoding="utf-8")
    body = text.split("<caption>Caseload (", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r'<tr><th scope="row">([^<]*)</th>((?:<td[^>]*>[^<]*</td>)+)</tr>', body)
    out = {}
    for name, cells in rows:
        nums = re.findall(r'<td class="num"[^>]*>([^<]*)</td>', cells)
        out[html.unescape(name)] = (int(nums[2]), int(nums[3]))
    return out


def actions_index(args: list[str]) -> dict[str, tuple[int, int]]:
    """`sendcheck actions`' index (CSV), as a team leader opens it."""
    import csv
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        run = run_cli("actions", *args, "--output-dir", Path(folder) / "lists", "--format", "csv")
        assert run.code == 0, run.err
        with open(Path(folder) / "lists" / "index.csv", newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    return {r["caseworker"]: (int(r["cases_overdue"]), int(r["cases_due_soon"])) for r in rows}


VIEWS = {"caseload --format json": caseload_command, "caseload (table)": caseload_command_table,
         "audit --format markdown": markdown, "audit --format xlsx": workbook,
         "audit --format html (file)": html_caseload, "actions index": actions_index}


# ------------------------------------------------------------ the totals, in every output


CRON = re.compile(r"rejected: (?:.*; )?(\d+) cases overdue, (\d+) due soon; (\d+) findings "
                  r"overdue, (\d+) due soon; (\d+) data-quality findings$")


def cron_line(args: list[str], tmp) -> tuple[int, int]:
    """The one line a nightly job logs (stderr, with --quiet), read as a script greps it."""
    run = run_cli("audit", *args, "--quiet", "--format", "json", "--output", tmp / "r.json",
                  "--fail-on", "none")
    assert run.code == 0, run.err
    m = CRON.search(run.err.strip().splitlines()[-1])
    assert m, run.err
    return int(m[1]), int(m[2])


def html_static(args: list[str], tmp) -> tuple[int, int]:
    """The HTML summary cards as written to the file (no browser needed)."""
    text = _html_page(args, tmp).read_text(encoding="utf-8")
    over = re.search(r'id="overdue-cases" data-value="(\d+)">(\d+)<', text)
    soon = re.search(r'id="due-soon-cases" data-value="(\d+)">(\d+)<', text)
    assert over[1] == over[2] and soon[1] == soon[2]
    return int(over[2]), int(soon[2])


def html_in_chromium(args: list[str], tmp) -> tuple[int, int]:
    """The HTML summary cards as headless Chromium renders the page (script run)."""
    from test_html import chromium, element_text

    dom = chromium(_html_page(args, tmp), tmp, "--dump-dom").stdout
    assert 'data-script="ran"' in dom
    return int(element_text(dom, "overdue-cases")), int(element_text(dom, "due-soon-cases"))


def history_file(args: list[str], tmp) -> tuple[int, int]:
    """The run the history stores, read from the SQLite file itself."""
    import sqlite3

    path = tmp / "history.sqlite"
    run = run_cli("audit", *args, "--history", path, "--format", "json", "--output",
                  tmp / "r.json", "--fail-on", "none")
    assert run.code == 0, run.err
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT cases_overdue, cases_due_soon FROM runs").fetchall()
    finally:
        conn.close()
    assert len(rows) == 1
    return rows[0]


def markdown_totals(args: list[str], tmp) -> tuple[int, int]:
    run = run_cli("audit", *args, "--format", "markdown", "--fail-on", "none")
    m = re.search(r"\*\*([\d,]+)\*\* cases? (?:are|is) overdue and \*\*([\d,]+)\*\* more fall "
                  r"due by", run.out)
    return int(m[1].replace(",", "")), int(m[2].replace(",", ""))


TOTALS = {"cron line (stderr)": cron_line, "HTML file": html_static,
          "HTML in Chromium": html_in_chromium, "history SQLite file": history_file,
          "markdown": markdown_totals}


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


@pytest.mark.parametrize("view", TOTALS)
def test_every_output_gives_the_same_totals(audit_json, view, tmp_path):
    t = audit_json["totals"]
    load = audit_json["caseload"]["total"]
    # The JSON's own two places agree, and a case is never a finding: fewer cases than findings.
    assert (t["cases_overdue"], t["cases_due_soon"]) == (load["cases_overdue"],
                                                         load["cases_due_soon"])
    assert 0 < t["cases_overdue"] < t["overdue"] and 0 < t["cases_due_soon"] < t["due_soon"]
    assert TOTALS[view](EXAMPLE, tmp_path) == (t["cases_overdue"], t["cases_due_soon"])


def test_the_history_and_cron_line_say_what_they_count(audit_json, tmp_path):
    """The cron line names cases and findings; the history keeps the data-quality findings
    beside `invalid` (which also counts the rules' invalid findings), as its view says."""
    import sqlite3

    path = tmp_path / "history.sqlite"
    run = run_cli("audit", *EXAMPLE, "--history", path, "--quiet", "--format", "json",
                  "--output", tmp_path / "r.json", "--fail-on", "none")
    t = audit_json["totals"]
    m = CRON.search(run.err.strip().splitlines()[-1])
    assert [int(x) for x in m.groups()] == [t["cases_overdue"], t["cases_due_soon"],
                                            t["overdue"], t["due_soon"], t["data_quality"]]
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    row = dict(conn.execute("SELECT * FROM runs").fetchone())
    conn.close()
    invalid = sum(1 for f in audit_json["findings"] if f["status"] == "invalid")
    assert (row["overdue"], row["due_soon"], row["invalid"], row["data_quality"]) == (
        t["overdue"], t["due_soon"], invalid, t["data_quality"])
    shown = run_cli("history", path)
    assert "Runs (oldest first): cases, each counted once" in shown.out
    assert re.search(rf"2025-03-31\s+{t['cases_overdue']}\s+{t['cases_due_soon']}\n", shown.out)
    assert re.search(rf"2025-03-31\s+{t['overdue']}\s+{t['due_soon']}\s+{invalid}\s+"
                     rf"{t['data_quality']}\n", shown.out)


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
