"""`sendcheck explain` on a hand-checked case, and unattended runs (--quiet, progress)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from test_workbook import write_export

# Hand-checked case H1, as of Mon 30 Jun 2025 (receipt is day 0; weeks are 7 days):
#   request received         Mon 06/01/2025
#   EP advice requested      Mon 13/01/2025 -> AS02/ep due 13/01 + 42 = Mon 24/02/2025
#   decision to assess       Mon 10/02/2025 -> AS01 due 06/01 + 42 = Mon 17/02/2025: met, -7
#   EP advice received       Mon 03/03/2025: 7 days after 24/02: late, 7
#   draft plan sent          Mon 28/04/2025 -> AS04 earliest final 28/04 + 15 = Tue 13/05/2025
#   final plan issued        Mon 26/05/2025 -> AS05 due 06/01 + 140 = Mon 26/05/2025: met, 0;
#                                              AS04: 26/05 >= 13/05: met, 26/05 - 13/05 = 13
HEADERS = ["Case Ref", "Child ID", "Surname", "DOB", "EHC Co-ordinator", "Date Request Received",
           "EP Advice Requested", "EP Advice Received", "Decision to Assess",
           "Date of Decision to Assess", "Decision to Issue", "Draft Plan Date",
           "Final EHCP Issued"]
ROWS = [["H1", "P-1", "Quixotesurname", "03/04/2015", "A. Khan", "06/01/2025", "13/01/2025",
         "03/03/2025", "Agreed", "10/02/2025", "Yes", "28/04/2025", "26/05/2025"],
        ["H2", "P-2", "Other", "03/04/2016", "A. Khan", "06/01/2025", "", "", "", "", "", "", ""]]


@pytest.fixture
def export(tmp_path: Path) -> Path:
    return write_export(tmp_path / "cases.csv", ROWS, HEADERS)


def test_explain_shows_the_timeline_in_date_order(cli, export):
    run = cli("explain", export, "H1", "--as-of", "2025-06-30")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert lines[0] == "Record H1: cases.csv row 2, as of Mon 30/06/2025"
    start = lines.index("Timeline:") + 1
    timeline = lines[start:lines.index("", start)]
    assert timeline == [
        "  Mon 06/01/2025  request for assessment received",
        "  Mon 13/01/2025  advice ep requested",
        "  Mon 10/02/2025  decision whether to assess notified (assess)",
        "  Mon 17/02/2025  AS01 due (6-week from Mon 06/01/2025): met",
        "  Mon 24/02/2025  AS02/ep due (6-week from Mon 13/01/2025): late",
        "  Mon 03/03/2025  advice ep received",
        "  Mon 28/04/2025  draft plan sent",
        "  Tue 13/05/2025  AS04 earliest allowed date (15-day from Mon 28/04/2025): met",
        "  Mon 26/05/2025  final plan issued",
        "  Mon 26/05/2025  AS05 due (20-week from Mon 06/01/2025): met",
        # the first annual review falls due 12 months after the plan: Tue 26 May 2026
        "  Tue 26/05/2026  RV01 due (12-month from Mon 26/05/2025): pending",
    ]
    rules = {ln.split()[0]: ln.split() for ln in lines[lines.index("Rules:") + 2:] if ln.strip()}
    # rule, status, start (2 words), due (2), done (2), days over, message
    assert [rules[c][i] for c in ("AS01", "AS02/ep", "AS04", "AS05") for i in (1, 5, 7, 8)] == [
        "met", "17/02/2025", "10/02/2025", "-7",
        "late", "24/02/2025", "03/03/2025", "7",
        "met", "13/05/2025", "26/05/2025", "13",
        "met", "26/05/2025", "26/05/2025", "0"]
    assert "Quixotesurname" not in run.out and "2015" not in run.out


def test_explain_personal_data_only_when_asked(cli, export):
    run = cli("explain", export, "H1", "--as-of", "2025-06-30", "--include-personal-data")
    assert "  surname: Quixotesurname" in run.out
    assert "  birth date: Fri 03/04/2015" in run.out


def test_explain_unknown_record_is_exit_2(cli, export):
    run = cli("explain", export, "H9", "--as-of", "2025-06-30")
    assert run.code == 2
    assert run.err == ("Error: no record id or person id 'H9' in the input (record ids look like "
                       "'H1', 'H2')\n")


def test_quiet_prints_only_the_last_line(cli, export, tmp_path):
    out = tmp_path / "r.json"
    run = cli("audit", export, "--as-of", "2025-06-30", "--quiet", "--format", "json",
              "--output", out)
    assert run.code == 1  # H2's decision and plan are overdue
    assert run.out == ""
    # H2: request 06/01/2025, nothing since: AS01 overdue (due 17/02/2025) and AS05 overdue
    # (due 26/05/2025); 0 due soon; DQ: none. The newest event is H1's, 35 days before the
    # as-of date: --quiet still warns that the export looks old (a nightly job's real risk).
    assert run.err.splitlines() == [
        "warning: the newest event date in the export is 2025-05-26, 35 days before the as-of "
        "date 2025-06-30: is this an old export?",
        "sendcheck: 2025-06-30 cases.csv 2 rows read, 2 evaluated, 0 rejected: 1 rule skipped, "
        "not checked (missing assessment_outcome_date): AS03; 1 cases overdue, 0 due soon; "
        "2 findings overdue, 0 due soon; 0 data-quality findings"]
    assert json.loads(out.read_text(encoding="utf-8"))["as_of"] == "2025-06-30"
    # --quiet prints no report, so without --output it is a usage error.
    run = cli("audit", export, "--as-of", "2025-06-30", "--quiet")
    assert run.code == 2 and run.out == ""
    assert run.err == "Error: --quiet prints no report: give --output FILE for it\n"


def test_quiet_still_prints_errors(cli, tmp_path):
    bad = tmp_path / "x.xls"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    run = cli("audit", bad, "--quiet", "--output", tmp_path / "r.json")
    assert run.code == 2 and run.out == ""
    assert run.err.startswith("Error: x.xls: ") and run.err.count("\n") == 1


def test_progress_only_after_a_moment_and_cleared(monkeypatch):
    import time

    from sendcheck.cli import progress

    monkeypatch.setattr(progress, "DELAY", 0.05)
    monkeypatch.setattr(progress, "TICK", 0.01)
    stream = io.StringIO()
    with progress.Progress(enabled=True, stream=stream) as p:
        p.stage("reading big.xlsx")
        time.sleep(0.2)
    text = stream.getvalue()
    assert "\rreading big.xlsx... 0s" in text and text.endswith("\r\033[K")
    quick = io.StringIO()
    with progress.Progress(enabled=True, stream=quick) as p:
        p.stage("reading small.csv")
    assert quick.getvalue() == ""  # finished within the moment: nothing shown
    off = io.StringIO()
    with progress.Progress(enabled=False, stream=off) as p:
        p.stage("reading big.xlsx")
        time.sleep(0.1)
    assert off.getvalue() == ""


def test_no_progress_when_stderr_is_not_a_terminal(monkeypatch):
    from sendcheck.cli.progress import Progress

    assert Progress.for_terminal(quiet=False).enabled is False  # pytest captures stderr
    assert Progress.for_terminal(quiet=True).enabled is False
