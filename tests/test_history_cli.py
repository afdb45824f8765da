"""`audit --history` and `sendcheck history` as a cron job runs them: what changed in every format,
`--fail-on new`, [history] in sendcheck.toml, two runs at once, and bad history files."""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
import subprocess
import sys

import pytest
from conftest import ROOT, run_cli
from test_history import D1, D2, cases

HEADERS = {"record_id": "Record ID", "caseworker": "Caseworker",
           "request_outcome": "Decision to Assess",
           "request_received_date": "Date Request Received",
           "request_outcome_date": "Date of Decision to Assess"}


def write_export(path, day: str):
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADERS.values())
        for r in cases(day):
            w.writerow([r.get(k, "") for k in HEADERS])
    return path


def audit(tmp_path, day: str, *extra):
    export = write_export(tmp_path / f"export-{day}.csv", day)
    return run_cli("audit", export, "--as-of", day, "--select", "AS01,DQ01",
                   "--history", tmp_path / "history.sqlite", *extra)


def test_changes_in_json_table_csv_and_markdown(tmp_path):
    first = audit(tmp_path, D1, "--format", "json", "--fail-on", "none")
    assert first.code == 0, first.err
    assert json.loads(first.out)["changes"]["compared_with"] is None
    run = audit(tmp_path, D2, "--format", "json", "--fail-on", "none")
    changes = json.loads(run.out)["changes"]
    assert changes["compared_with"] == D1
    assert changes["counts"] == {"new_overdue": 1, "new_due_soon": 1, "new_invalid": 2,
                                 "resolved": 1, "still_overdue": 1}
    # R1 due 17 Feb: overdue since 18 Feb, first seen by day 1's run.
    assert [(f["record_id"], f["overdue_since"], f["first_seen"])
            for f in changes["still_overdue"]] == [("R1", "2025-02-18", D1)]
    assert [(f["record_id"], f["status_now"]) for f in changes["resolved"]] == [("R2", "late")]
    table = audit(tmp_path, D2, "--fail-on", "none")
    block = " ".join(table.out.split())  # the block wraps at 78 columns
    assert (f"Since the last run ({D1}, in {tmp_path / 'history.sqlite'}): 1 new overdue, "
            f"1 new due soon, 2 new invalid, 1 resolved, 1 still overdue (the longest overdue "
            f"since 2025-02-18)") in block
    assert "new overdue: AS01 R3 (A. Khan, due 2025-03-10, 1 day over)" in table.out
    report = audit(tmp_path, D2, "--format", "csv", "--fail-on", "none").out
    rows = list(csv.DictReader(line for line in report.splitlines() if not line.startswith("#")))
    marks = {(r["rule"], r["record_id"]): (r["change"], r["overdue_since"], r["first_seen"])
             for r in rows}
    assert marks[("AS01", "R1")] == ("still_overdue", "2025-02-18", D1)
    assert marks[("AS01", "R3")] == ("new_overdue", "2025-03-11", D2)  # due 10 Mar
    assert marks[("AS01", "R4")] == ("", "", "")  # due soon last night too: not new
    md = audit(tmp_path, D2, "--format", "markdown", "--fail-on", "none").out
    assert "## What changed" in md and "1 new overdue" in md
    assert "R1" not in md  # a board paper names no case


def test_fail_on_new(tmp_path):
    assert audit(tmp_path, D1, "--fail-on", "new").code == 0  # first run: nothing to compare
    assert audit(tmp_path, D2, "--fail-on", "new").code == 1  # R3, R5, R6 are new
    export = write_export(tmp_path / "same.csv", D2)
    again = run_cli("audit", export, "--as-of", "2025-03-11", "--select", "AS01,DQ01",
                    "--history", tmp_path / "other.sqlite", "--fail-on", "new")
    assert again.code == 0
    r = run_cli("audit", export, "--as-of", D2, "--fail-on", "new")
    assert r.code == 2 and "--fail-on new compares with the previous run" in r.err
    r = run_cli("audit", tmp_path / "missing.csv", "--history", tmp_path / "new.sqlite")
    assert r.code == 2 and not (tmp_path / "new.sqlite").exists()  # no empty history left
    r = run_cli("audit", export, "--history", tmp_path / "no" / "h.sqlite")
    assert r.code == 2 and "the folder" in r.err and "does not exist" in r.err


def test_history_command_lists_runs_in_every_format(tmp_path):
    audit(tmp_path, D1)
    audit(tmp_path, D2)
    path = tmp_path / "history.sqlite"
    text = run_cli("history", path)
    assert text.code == 0, text.err
    # Bars scaled to the largest count (2 overdue findings = 40 marks): 2, 2 overdue; 2, 2 due
    # soon (R3, R4 | R4, R5).
    assert f"{D1} |{'#' * 40}| 2" in text.out and f"{D2} |{'=' * 40}| 2" in text.out
    assert max(len(line) for line in text.out.splitlines()[1:]) <= 80  # 1: names the file
    data = json.loads(run_cli("history", path, "--format", "json").out)
    assert [(r["as_of"], r["overdue"], r["new_overdue"], r["resolved"]) for r in data["runs"]] == [
        (D1, 2, 0, 0), (D2, 2, 1, 1)]
    rows = list(csv.DictReader(run_cli("history", path, "--format", "csv").out.splitlines()))
    assert [r["compared_with"] for r in rows] == ["", D1]
    book = tmp_path / "runs.xlsx"
    assert run_cli("history", path, "--format", "xlsx", "--output", book).code == 0
    from openpyxl import load_workbook

    ws = load_workbook(book)["Runs"]
    assert [c.value for c in ws[1]][:4] == ["as of", "inputs", "rows", "overdue"]
    assert ws.cell(3, 4).value == 2
    missing = run_cli("history", tmp_path / "none.sqlite")
    assert missing.code == 2 and "no such file" in missing.err


def test_history_path_from_the_configuration_file(tmp_path):
    (tmp_path / "sendcheck.toml").write_text('[history]\npath = "nightly.sqlite"\n')
    export = write_export(tmp_path / "export.csv", D1)
    r = run_cli("audit", export, "--as-of", D1, "--config", tmp_path / "sendcheck.toml")
    assert r.code in (0, 1), r.err
    assert (tmp_path / "nightly.sqlite").is_file()  # beside the configuration file


@pytest.mark.parametrize("text, key", [
    ('[history]\npaht = "h.sqlite"\n', "history.paht"),
    ("[history]\npath = 3\n", "history.path"),
    ('[history]\npath = " "\n', "history.path"),
    ("[history]\nwait_seconds = true\n", "history.wait_seconds"),
    ("[history]\nwait_seconds = -1\n", "history.wait_seconds"),
])
def test_bad_history_configuration_is_exit_2_naming_the_key(tmp_path, text, key):
    (tmp_path / "sendcheck.toml").write_text(text)
    export = write_export(tmp_path / "export.csv", D1)
    r = run_cli("audit", export, "--as-of", D1, "--config", tmp_path / "sendcheck.toml")
    assert r.code == 2 and r.err.startswith(f"Error: sendcheck.toml: {key}: ")
    assert r.err.count("\n") == 1


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_bad_history_files_exit_2_with_one_line_and_stay_untouched(tmp_path):
    export = write_export(tmp_path / "export.csv", D1)
    notes = tmp_path / "notes.txt"
    notes.write_text("minutes of the SEND panel\n")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as c:
        c.execute("CREATE TABLE cases (id)")
    c.close()
    newer = tmp_path / "newer.sqlite"
    assert audit(tmp_path, D1, "--fail-on", "none").code == 0
    (tmp_path / "history.sqlite").rename(newer)
    with sqlite3.connect(newer) as c:
        c.execute("PRAGMA user_version = 99")
    c.close()
    for path, says in ((notes, "not a sendcheck history (not an SQLite file)"),
                       (other, "an SQLite file of another application"),
                       (newer, "written by a newer sendcheck (history schema 99")):
        before = sha(path)
        r = run_cli("audit", export, "--as-of", D1, "--history", path, "--format", "json")
        assert r.code == 2 and r.err.count("\n") == 1 and says in r.err, r.err
        assert r.out == ""
        assert sha(path) == before


def test_locked_past_the_wait_is_exit_2_and_the_file_untouched(tmp_path):
    (tmp_path / "sendcheck.toml").write_text('[history]\npath = "h.sqlite"\nwait_seconds = 0\n')
    export = write_export(tmp_path / "export.csv", D1)
    args = ["audit", export, "--as-of", D1, "--config", tmp_path / "sendcheck.toml",
            "--fail-on", "none"]
    assert run_cli(*args).code == 0
    path = tmp_path / "h.sqlite"
    before = sha(path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        r = run_cli(*args)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert r.code == 2 and r.err.count("\n") == 1
    assert "locked by another run for more than 0 s" in r.err
    assert sha(path) == before


def test_two_runs_at_once_both_land(tmp_path):
    exports = [write_export(tmp_path / f"e{day}.csv", day) for day in (D1, D2)]
    path = tmp_path / "h.sqlite"
    procs = [subprocess.Popen([sys.executable, "-m", "sendcheck", "audit", e, "--as-of", day,
                               "--history", path, "--fail-on", "none", "--quiet",
                               "--output", tmp_path / f"{day}.txt"],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for e, day in zip(exports, (D1, D2))]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    with sqlite3.connect(path) as c:
        assert c.execute("SELECT as_of FROM runs ORDER BY as_of").fetchall() == [(D1,), (D2,)]
        assert c.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_actions_say_overdue_since_from_the_history(tmp_path):
    audit(tmp_path, D1)
    audit(tmp_path, D2)
    path = tmp_path / "history.sqlite"
    before = sha(path)
    export = write_export(tmp_path / "today.csv", D2)
    out = tmp_path / "lists"
    r = run_cli("actions", export, "--as-of", D2, "--history", path,
                "--output-dir", out, "--format", "csv")
    assert r.code == 0, r.err
    rows = list(csv.DictReader((out / "a-khan.csv").open(encoding="utf-8")))
    since = {r["record_id"]: (r["overdue_since"], r["first_seen"]) for r in rows
             if r["list"] == "overdue"}
    # R1 (due 17 Feb) overdue since 18 Feb, first seen on day 1; R3 (due 10 Mar) since 11 Mar,
    # first seen on day 2 (today's run, replaced).
    assert since == {"R1": ("2025-02-18", D1), "R3": ("2025-03-11", D2)}
    assert sha(path) == before  # read, never written


def test_workbook_has_a_changes_sheet(tmp_path):
    from openpyxl import load_workbook

    audit(tmp_path, D1)
    book = tmp_path / "report.xlsx"
    r = audit(tmp_path, D2, "--format", "xlsx", "--output", book, "--fail-on", "none")
    assert r.code == 0, r.err
    ws = load_workbook(book)["Changes"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in row))) for row in ws.iter_rows(min_row=2)]
    assert [(r["Change"], r["Rule"], r["Record"]) for r in rows] == [
        ("new_overdue", "AS01", "R3"), ("new_due_soon", "AS01", "R5"),
        ("new_invalid", "AS01", "R6"), ("new_invalid", "DQ01", "R6"),
        ("resolved", "AS01", "R2"), ("still_overdue", "AS01", "R1")]
    assert rows[4]["Status now"] == "late"
    assert rows[5]["Overdue since"].date().isoformat() == "2025-02-18"  # a real date cell
    assert rows[5]["First seen"].date().isoformat() == D1


def test_review_cycles_are_stored_in_the_history_file(tmp_path):
    """With --reviews one plan has a finding per review cycle: the history file keeps each
    cycle's number (read straight from the SQLite file), so the next run matches them up."""
    export = tmp_path / "export.csv"
    export.write_text("Record ID,Caseworker,Final EHCP Issued\r\n"
                      "A,J. Ingleby,15/03/2022\r\nB,J. Ingleby,10/01/2024\r\n", encoding="utf-8")
    reviews = tmp_path / "reviews.csv"
    reviews.write_text("Record ID,Review Meeting Date\r\nA,20/04/2023\r\n", encoding="utf-8")
    path = tmp_path / "history.sqlite"
    for day in ("2025-03-24", "2025-03-31"):
        r = run_cli("audit", export, "--reviews", reviews, "--as-of", day, "--select", "RV01",
                    "--history", path, "--fail-on", "none", "--format", "json")
        assert r.code == 0, r.err
    with sqlite3.connect(path) as c:
        rows = c.execute("SELECT as_of, rule, record_id, cycle, status, due, days_over "
                         "FROM findings_dated ORDER BY as_of, record_id, cycle").fetchall()
    # A: plan 15/03/2022 + 12 months = 15/03/2023, met on 20/04/2023: 16 + 20 = 36 days late;
    # cycle 2 from that meeting, due 20/04/2024, open: 338 days by 24/03, 345 by 31/03/2025.
    # B: plan 10/01/2024, never reviewed, due 10/01/2025: 73 days by 24/03, 80 by 31/03.
    assert rows == [
        ("2025-03-24", "RV01", "A", 1, "late", "2023-03-15", 36),
        ("2025-03-24", "RV01", "A", 2, "overdue", "2024-04-20", 338),
        ("2025-03-24", "RV01", "B", 1, "overdue", "2025-01-10", 73),
        ("2025-03-31", "RV01", "A", 1, "late", "2023-03-15", 36),
        ("2025-03-31", "RV01", "A", 2, "overdue", "2024-04-20", 345),
        ("2025-03-31", "RV01", "B", 1, "overdue", "2025-01-10", 80),
    ]
    with sqlite3.connect(path) as c:
        new, still = c.execute("SELECT new_overdue, still_overdue FROM runs "
                               "ORDER BY as_of DESC LIMIT 1").fetchone()
    assert (new, still) == (0, 2)  # each cycle matched to itself, none counted new


def test_quiet_fail_on_new_says_what_was_new(tmp_path):
    """A nightly job's log: with --quiet the one line says what is new, by kind and by rule."""
    assert audit(tmp_path, D1, "--quiet", "--output", tmp_path / "d1.json",
                 "--fail-on", "new").code == 0
    run = audit(tmp_path, D2, "--quiet", "--output", tmp_path / "d2.json", "--fail-on", "new")
    assert run.code == 1 and run.out == ""
    lines = run.err.splitlines()
    assert len(lines) == 1
    # R3 overdue, R5 due soon, R6 invalid (AS01 and its unreadable date, DQ01).
    assert lines[0].endswith(f"; new since {D1}: 1 overdue, 1 due soon, 2 invalid; "
                             f"new overdue: AS01 1")
