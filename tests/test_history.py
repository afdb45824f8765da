"""The run history (--history): what changed between nightly runs, and a history that survives
faults (a run killed mid-write, a locked file, a file that is not a history)."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import subprocess
import sys
import textwrap

import pytest
from conftest import ROOT, audit_rows

from sendcheck.errors import SendcheckError
from sendcheck.history.run import record_audit
from sendcheck.history.store import APPLICATION_ID, SCHEMA_VERSION, list_runs, open_history
from sendcheck.views.findings import findings_frame

D1, D2, D3 = "2025-03-10", "2025-03-11", "2025-03-12"


def cases(day: str) -> list[dict]:
    """Seven cases judged by AS01 (decision to assess within 6 weeks = 42 days of the request).
    Day 1 is Mon 10 March 2025, day 2 Tue 11 March, day 3 Wed 12 March; due_within 28 days."""
    rows = [
        # R1: received Mon 6 Jan; due 6 Jan + 42 = Mon 17 Feb; never decided: overdue every day.
        {"record_id": "R1", "request_received_date": "06/01/2025"},
        # R2: same due date; overdue on day 1; the decision of 11 Mar is entered by day 2: late.
        {"record_id": "R2", "request_received_date": "06/01/2025",
         "request_outcome_date": "11/03/2025" if day != D1 else ""},
        # R3: received Mon 27 Jan; due 27 Jan + 42 = Mon 10 Mar: due soon on day 1 (not past the
        # due date), overdue from day 2 (11 Mar is past 10 Mar).
        {"record_id": "R3", "request_received_date": "27/01/2025"},
        # R4: received Mon 10 Feb; due Mon 24 Mar: due soon on days 1-3 (14, 13, 12 days left).
        {"record_id": "R4", "request_received_date": "10/02/2025"},
        # R6: decided 5 Mar on a request of 3 Mar (met) until day 2's export has 31/02/2025:
        # an unreadable date: AS01 invalid and a data-quality finding.
        {"record_id": "R6", "request_received_date": "03/03/2025",
         "request_outcome_date": "05/03/2025" if day == D1 else "31/02/2025"},
    ]
    if day != D1:
        # R5 arrives on day 2: received Thu 20 Feb; due Thu 3 Apr, 23 days after 11 Mar: due soon.
        rows.append({"record_id": "R5", "request_received_date": "20/02/2025"})
    # The outcome is recorded with its date: "assess" with a blank date would be AS01 invalid
    # (an outcome recorded without its date, contract section 3), not "not yet decided".
    return [{"caseworker": "A. Khan", **r,
             "request_outcome": "assess" if r.get("request_outcome_date") else ""} for r in rows]


def run(day: str, path, **kw):
    audit = audit_rows(cases(day), day, select=["AS01", "DQ01"], **kw)
    return record_audit(audit, findings_frame(audit, cycle=True), path,
                        now=dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc))


def ids(frame, status: str | None = None) -> list[tuple]:
    if status:
        frame = frame.filter(frame["status"] == status)
    return sorted(zip(frame["rule"], frame["record_id"]))


def test_two_nights_new_resolved_and_still_overdue(tmp_path):
    path = tmp_path / "history.sqlite"
    first = run(D1, path)
    assert first.compared_with is None and first.counts() == dict.fromkeys(first.counts(), 0)
    second = run(D2, path)
    assert second.compared_with == dt.date(2025, 3, 10)
    assert ids(second.new_overdue) == [("AS01", "R3")]
    assert ids(second.new_due_soon) == [("AS01", "R5")]  # R4 was due soon last night too
    # R6's unreadable 31/02/2025: AS01 invalid and the unreadable-date check (DQ01).
    assert ids(second.new_invalid) == [("AS01", "R6"), ("DQ01", "R6")]
    assert ids(second.resolved) == [("AS01", "R2")]
    assert second.resolved["status_now"].to_list() == ["late"]
    assert second.resolved["done_now"].to_list() == [dt.date(2025, 3, 11)]
    still = second.still_overdue
    assert ids(still) == [("AS01", "R1")]
    # Overdue since the day after its due date (17 Feb), first seen by day 1's run.
    assert still["overdue_since"].to_list() == [dt.date(2025, 2, 18)]
    assert still["first_seen"].to_list() == [dt.date(2025, 3, 10)]
    # Day 3: R1 overdue since day 1 (carried through day 2), R3 since day 2 (first seen then).
    third = run(D3, path)
    assert third.compared_with == dt.date(2025, 3, 11)
    since = dict(zip(third.still_overdue["record_id"], third.still_overdue["first_seen"]))
    assert since == {"R1": dt.date(2025, 3, 10), "R3": dt.date(2025, 3, 11)}
    # Overdue since the day after the due date: R1 17 Feb -> 18 Feb; R3 10 Mar -> 11 Mar.
    since = dict(zip(third.still_overdue["record_id"], third.still_overdue["overdue_since"]))
    assert since == {"R1": dt.date(2025, 2, 18), "R3": dt.date(2025, 3, 11)}
    assert third.new_overdue.height == third.new_due_soon.height == third.new_invalid.height == 0
    conn = open_history(path)
    runs = list_runs(conn)
    assert runs["as_of"].to_list() == [D1, D2, D3]
    assert runs["overdue"].to_list() == [2, 2, 2]  # R1, R2 | R1, R3 | R1, R3
    assert runs["new_overdue"].to_list() == [0, 1, 0]
    assert runs["compared_with"].to_list() == [None, D1, D2]
    # Dates are kept as day numbers; the view shows them as dates, for a person using sqlite3.
    assert conn.execute("SELECT due, overdue_since FROM findings_dated WHERE as_of = ? AND "
                        "record_id = 'R1'", (D3,)).fetchall() == [("2025-02-17", D1)]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_same_day_again_replaces_the_run(tmp_path):
    path = tmp_path / "h.sqlite"
    run(D1, path)
    run(D2, path)
    again = run(D2, path)  # a retried cron job: compares with day 1 again, replaces day 2
    assert again.compared_with == dt.date(2025, 3, 10) and again.notes == []
    assert ids(again.new_overdue) == [("AS01", "R3")]
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT as_of FROM runs ORDER BY as_of").fetchall() == [(D1,), (D2,)]
    # Day 2's findings once: R1, R3 overdue; R4, R5 due soon; R2 late; R6 AS01 and DQ01 invalid.
    assert conn.execute("SELECT count(*) FROM findings JOIN runs ON runs.id = run_id "
                        "WHERE as_of = ?", (D2,)).fetchone() == (7,)


def test_a_different_look_ahead_is_noted(tmp_path):
    path = tmp_path / "h.sqlite"
    run(D1, path)
    # 14 days ahead on day 2: R4 (due 24 Mar, 13 days left) still due soon; R5 (23 days) pending.
    narrower = run(D2, path, due_within=14)
    assert ids(narrower.new_due_soon) == []
    assert narrower.notes == ["the run of 2025-03-10 looked 28 days ahead for due soon, this one "
                           "14: some due-soon changes are the window's"]


def test_history_keeps_no_personal_data(tmp_path):
    path = tmp_path / "h.sqlite"
    rows = [{**r, "forename": "Zebedee", "surname": "Quux", "upn": "A123456789012",
             "birth_date": "04/05/2015"} for r in cases(D1)]
    audit = audit_rows(rows, D1, select=["AS01", "DQ01"])
    record_audit(audit, findings_frame(audit, personal=True, cycle=True), path)
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    for secret in (b"Zebedee", b"Quux", b"A123456789012", b"2015-05-04", b"04/05/2015"):
        assert secret not in data


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_error_mid_transaction_leaves_the_history_as_it_was(tmp_path, monkeypatch):
    from sendcheck.history import store

    path = tmp_path / "h.sqlite"
    run(D1, path)
    before = list_runs(open_history(path))

    def fail_after_insert(conn, run_id, stored):
        original(conn, run_id, stored)
        raise RuntimeError("injected")

    original = store.insert_findings
    monkeypatch.setattr(store, "insert_findings", fail_after_insert)
    with pytest.raises(RuntimeError):
        run(D1, path)  # replaces day 1: the delete and the inserts must all roll back
    monkeypatch.undo()
    conn = open_history(path)
    assert list_runs(conn).equals(before)
    assert conn.execute("SELECT count(*) FROM findings").fetchone() == (4,)  # R1, R2 overdue; R3, R4 due soon


def test_a_run_killed_during_its_write_leaves_the_history_readable_and_unchanged(tmp_path):
    path = tmp_path / "h.sqlite"
    run(D1, path)
    before = list_runs(open_history(path))
    # A child process runs day 2 and is SIGKILLed after inserting its findings, before COMMIT.
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path[:0] = [{str(ROOT / 'tests')!r}]
        from sendcheck.history import store
        import test_history as t
        original = store.insert_findings
        def killed(conn, run_id, stored):
            original(conn, run_id, stored)
            os.kill(os.getpid(), signal.SIGKILL)
        store.insert_findings = killed
        t.run({D2!r}, {str(path)!r})
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True)
    assert proc.returncode == -9, proc.stderr
    conn = open_history(path)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert list_runs(conn).equals(before)
    assert run(D2, path).compared_with == dt.date(2025, 3, 10)


def test_not_a_history_newer_schema_and_locked_are_refused_untouched(tmp_path):
    text = tmp_path / "notes.sqlite"
    text.write_text("not a database at all\n")
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as c:
        c.execute("CREATE TABLE t (x)")
    newer = tmp_path / "newer.sqlite"
    run(D1, newer)
    with sqlite3.connect(newer) as c:
        c.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    c.close()
    for path, says in ((text, "not an SQLite file"), (other, "another application"),
                       (newer, f"history schema {SCHEMA_VERSION + 1}")):
        before = sha(path)
        with pytest.raises(SendcheckError, match=says):
            run(D2, path)
        assert sha(path) == before
    locked = tmp_path / "locked.sqlite"
    run(D1, locked)
    before = sha(locked)
    holder = sqlite3.connect(locked, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another run in the middle of its write
    with pytest.raises(SendcheckError, match=r"locked by another run for more than 0.2 s"):
        audit = audit_rows(cases(D2), D2, select=["AS01", "DQ01"])
        record_audit(audit, findings_frame(audit, cycle=True), locked, wait=0.2)
    holder.execute("ROLLBACK")
    holder.close()
    assert sha(locked) == before
