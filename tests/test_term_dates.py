"""Term dates: the closures file, the school-closure exception check (DQ40, reg 10(4)(a)-(b))
and the "due in the summer closure" mark. Calendars worked by hand in the comments."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import ROOT, run_cli
from sendcheck.audit import Options, audit_tables
from sendcheck.errors import SendcheckError
from sendcheck.read.sheets import table_from_rows
from sendcheck.read.term_dates import read_term_dates
from sendcheck.views.findings import findings_frame

D = dt.date
# Summer 2025: closed Wed 23 Jul to Tue 2 Sep (42 days); October half-term 27-31 Oct (5 days).
TERMS = "start,end,setting,name\n23/07/2025,02/09/2025,,summer\n2025-10-27,2025-10-31,,\n"


@pytest.fixture
def terms(tmp_path):
    path = tmp_path / "terms.csv"
    path.write_text(TERMS)
    return path


def _audit(rows, as_of, terms=None, select=("AS05", "DQ40")):
    return audit_tables([table_from_rows(rows)],
                        Options(as_of=as_of, select=list(select), term_dates=terms))


def _dq(audit):
    return audit.quality.filter(audit.quality["check"] == "DQ40")


def test_reads_the_closures_file(terms):
    got = read_term_dates(terms)
    assert got.rows() == [(D(2025, 7, 23), D(2025, 9, 2), None, "summer"),
                          (D(2025, 10, 27), D(2025, 10, 31), None, None)]


@pytest.mark.parametrize("text,problem", [
    ("start,end\n31/02/2025,05/03/2025\n", "row 2, column start"),
    ("start,end\n05/03/2025,01/03/2025\n", "row 2: end 2025-03-01 is before start 2025-03-05"),
    ("start,end,setting\n01/03/2025,05/03/2025,playgroup\n", "setting 'playgroup'"),
    ("from_day,to_day\n01/03/2025,05/03/2025\n", "no 'start' column"),
])
def test_a_bad_closures_file_says_where(tmp_path, text, problem):
    path = tmp_path / "t.csv"
    path.write_text(text)
    with pytest.raises(SendcheckError, match="t.csv") as err:
        read_term_dates(path)
    assert problem in str(err.value)


def test_closure_exception_with_no_long_closure_in_the_window_is_flagged(terms):
    # Request Mon 6 Jan 2025: AS05 window 06/01 to 26/05/2025 (+140 days). The only 4-week
    # closure, summer 2025, starts 23/07: not in the window, so the exception is implausible.
    rows = [{"Record ID": "R1", "Date Request Received": "06/01/2025",
             "Final EHCP Issued": "30/06/2025", "Exception Reason": "School closure"}]
    audit = _audit(rows, D(2025, 12, 31), terms)
    assert audit.results.row(0, named=True)["status"] == "excepted"
    dq = _dq(audit)
    assert dq.height == 1 and dq.row(0, named=True)["column"] == "exception_reason"
    assert dq.row(0, named=True)["message"] == (
        "AS05 excepted for school_closure, but no closure of 4 weeks or more falls between "
        "2025-01-06 and 2025-05-26 in the term dates")
    found = findings_frame(audit).filter(findings_frame(audit)["rule"] == "DQ40")
    assert found.get_column("record_id").to_list() == ["R1"]


def test_closure_exception_with_the_summer_in_the_window_passes(terms):
    # Request Mon 2 Jun 2025: due 20/10/2025 (02/06 + 140: 28 to 30/06, 31 to 31/07, 31 to 31/08,
    # 30 to 30/09, 20 to 20/10); the summer closure 23/07-02/09 falls inside.
    rows = [{"Record ID": "R2", "Date Request Received": "02/06/2025",
             "Final EHCP Issued": "10/11/2025", "Exception Reason": "School closure"}]
    audit = _audit(rows, D(2025, 12, 31), terms)
    assert audit.results.row(0, named=True)["due"] == D(2025, 10, 20)
    assert _dq(audit).is_empty() and audit.quality_skipped["DQ40"] is None


@pytest.mark.parametrize("asked,flagged", [
    ("16/07/2025", False),  # a week before closing (23/07 - 7 = 16/07): the first day that counts
    ("15/07/2025", True),   # the day before
    ("27/08/2025", False),  # reopens Wed 03/09: a week before is 27/08, the last day that counts
    ("28/08/2025", True),
])
def test_the_schools_advice_request_must_fall_from_a_week_before_to_a_week_before_reopening(
        terms, asked, flagged):
    rows = [{"Record ID": "R3", "Date Request Received": "02/06/2025",
             "Education Advice Requested": asked, "Education Advice Received": "",
             "Final EHCP Issued": "10/11/2025", "Exception Reason": "School closure"}]
    assert (_dq(_audit(rows, D(2025, 12, 31), terms)).height == 1) is flagged


def test_a_school_closure_does_not_excuse_an_early_years_exception(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("start,end,setting\n23/07/2025,02/09/2025,school\n")
    rows = [{"Record ID": "R4", "Date Request Received": "02/06/2025", "Final EHCP Issued": "10/11/2025",
             "Exception Reason": "Nursery closure"},
            {"Record ID": "R5", "Date Request Received": "02/06/2025", "Final EHCP Issued": "10/11/2025",
             "Exception Reason": "School closure"}]
    dq = _dq(_audit(rows, D(2025, 12, 31), path))
    assert dq.get_column("_idx").to_list() == [0]
    assert "early_years_closure" in dq.row(0, named=True)["message"]


def test_a_short_closure_is_not_enough(tmp_path):
    # Half-term 27-31 Oct 2025 is 5 days, well short of 4 weeks.
    path = tmp_path / "t.csv"
    path.write_text("start,end\n27/10/2025,31/10/2025\n")
    rows = [{"Record ID": "R6", "Date Request Received": "02/06/2025", "Final EHCP Issued": "10/11/2025",
             "Exception Reason": "School closure"}]
    assert _dq(_audit(rows, D(2025, 12, 31), path)).height == 1


def test_without_term_dates_the_check_is_skipped_with_its_reason():
    rows = [{"Record ID": "R1", "Date Request Received": "06/01/2025",
             "Final EHCP Issued": "30/06/2025", "Exception Reason": "School closure"}]
    audit = _audit(rows, D(2025, 12, 31))
    assert audit.quality_skipped["DQ40"] == (
        "term dates (give --term-dates FILE, or [term_dates] file in sendcheck.toml)",)
    assert _dq(audit).is_empty()


def test_cases_falling_due_in_a_closure_are_marked(terms):
    # Request Mon 10 Mar 2025 + 140 days = Mon 28 Jul 2025 (in the summer closure);
    # request Mon 3 Mar 2025 + 140 = Mon 21 Jul 2025 (two days before it closes).
    rows = [{"Record ID": "IN", "Date Request Received": "10/03/2025", "Final EHCP Issued": ""},
            {"Record ID": "OUT", "Date Request Received": "03/03/2025", "Final EHCP Issued": ""}]
    found = findings_frame(_audit(rows, D(2025, 7, 1), terms))
    msgs = dict(found.select("record_id", "message").rows())
    assert msgs["IN"] == "final plan not issued; due 2025-07-28 (27 days left); due in the summer closure"
    assert msgs["OUT"] == "final plan not issued; due 2025-07-21 (20 days left)"


def test_cli_and_config_give_the_term_dates(tmp_path, terms):
    export = tmp_path / "e.csv"
    export.write_text("Record ID,Date Request Received,Final EHCP Issued\nIN,10/03/2025,\n")
    run = run_cli("audit", export, "--as-of", "2025-07-01", "--select", "AS05",
                  "--term-dates", terms, "--format", "json")
    assert run.code == 0, run.err
    assert "due in the summer closure" in run.out
    (tmp_path / "sendcheck.toml").write_text('[term_dates]\nfile = "terms.csv"\n')
    run = run_cli("audit", export, "--as-of", "2025-07-01", "--select", "AS05",
                  "--config", tmp_path / "sendcheck.toml", "--format", "json")
    assert run.code == 0, run.err
    assert "due in the summer closure" in run.out
    (tmp_path / "bad.toml").write_text('[term_dates]\npath = "terms.csv"\n')
    bad = run_cli("audit", export, "--config", tmp_path / "bad.toml")
    assert bad.code == 2 and "term_dates.path: unknown key" in bad.err


def test_the_example_term_dates_are_a_typical_english_year():
    closures = read_term_dates(ROOT / "examples" / "term_dates.csv")
    summers = closures.filter(closures["name"] == "summer")
    assert summers.height == 4
    # Every summer holiday is at least 4 weeks (the only closures that can excuse a limit).
    assert ((summers["end"] - summers["start"]).dt.total_days() + 1 >= 28).all()
    others = closures.filter(closures["name"] != "summer")
    assert ((others["end"] - others["start"]).dt.total_days() + 1 < 28).all()


def test_an_advice_date_outside_the_rules_window_is_not_the_test(terms):
    # AS01: request Mon 2 Jun 2025, due 14/07/2025 (+42 days), no 4-week closure in it (summer
    # starts 23/07): flagged, whatever the later advice date (asked 20/07, inside the summer's
    # one-week-before period, but after AS01's window).
    rows = [{"Record ID": "R7", "Date Request Received": "02/06/2025",
             "Date of Decision to Assess": "20/07/2025", "Decision to Assess": "Agreed",
             "Education Advice Requested": "20/07/2025", "Education Advice Received": "",
             "Exception Reason": "School closure"}]
    dq = _dq(_audit(rows, D(2025, 12, 31), terms, select=("AS01", "DQ40")))
    assert dq.get_column("message").to_list() == [
        "AS01 excepted for school_closure, but no closure of 4 weeks or more falls between "
        "2025-06-02 and 2025-07-14 in the term dates"]
