"""Hostile files and conditions aimed at the surfaces added last (issue 17): the history, `actions`,
the HTML report, term dates, --reviews, --staff, the configuration, SEN2 XML, `explain`, `history`,
`caseload`, `trend`, and .xls/.ods exports. Each class is built at test time (bounded by count
and seed) and checked at the shared mechanism that now holds it."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from conftest import run_cli
from terminal import run_on_terminal
from test_hostile import ROWS, no_leak, one_line, subprocess_cli, write_csv

AS_OF = "2025-03-31"


def small_export(path: Path, workers: list[str], ids: list[str] | None = None) -> Path:
    """One overdue AS01 case per caseworker: received Mon 6 Jan 2025, no decision, so due Mon
    17 Feb 2025 (6 weeks = 42 days, reg 5(1)); on 31 Mar 2025 it is 42 days overdue."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Record ID", "Caseworker", "Date Request Received",
                    "Date of Decision to Assess"])
        for i, name in enumerate(workers):
            w.writerow([(ids or [])[i] if i < len(ids or []) else f"R{i}", name, "06/01/2025", ""])
    return path


# ---------------------------------------------------------------- 1. an input overwritten


def _reviews(path: Path) -> Path:
    path.write_text("Record ID,Review Meeting Date\r\nR0,10/01/2025\r\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("case", ["history", "caseload-reviews", "trend-reviews",
                                  "audit-term-dates", "audit-config-term-dates",
                                  "caseload-reviews-hardlink"])
def test_no_command_writes_over_a_file_it_reads(tmp_path, case):
    export = small_export(tmp_path / "export.csv", ["A. Khan"])
    reviews = _reviews(tmp_path / "reviews.csv")
    terms = tmp_path / "terms.csv"
    terms.write_text("start,end\r\n21/07/2025,02/09/2025\r\n", encoding="utf-8")
    if case == "history":
        assert run_cli("audit", export, "--as-of", AS_OF, "--history", tmp_path / "h.sqlite",
                       "--fail-on", "none").code == 0
        target, args = tmp_path / "h.sqlite", ["history", tmp_path / "h.sqlite"]
    elif case.startswith(("caseload", "trend")):
        target = reviews
        if case.endswith("hardlink"):
            target = tmp_path / "other-name.csv"
            os.link(reviews, target)
        args = [case.split("-")[0], export, "--reviews", reviews, "--as-of", AS_OF]
    elif case == "audit-term-dates":
        target, args = terms, ["audit", export, "--term-dates", terms, "--as-of", AS_OF]
    else:
        (tmp_path / "sendcheck.toml").write_text('[term_dates]\nfile = "terms.csv"\n')
        target = terms
        args = ["audit", export, "--config", tmp_path / "sendcheck.toml", "--as-of", AS_OF]
    before = target.read_bytes()
    run = run_cli(*args, "--format", "csv", "--output", target)
    line = one_line(run, 2)
    assert "write the report to another file" in line, line
    assert target.read_bytes() == before


def test_the_writer_refuses_any_file_the_run_read(tmp_path):
    """The shared guard under every command: whatever read it, a file read is never written."""
    from sendcheck.errors import SendcheckError
    from sendcheck.read.limits import forget_inputs, read_input
    from sendcheck.views.files import write_atomic

    forget_inputs()
    staff = tmp_path / "staff.csv"
    staff.write_text("caseworker,fte\nA. Khan,1\n")
    os.link(staff, tmp_path / "alias.csv")
    read_input(staff)
    with pytest.raises(SendcheckError, match="is a file this run reads"):
        write_atomic(tmp_path / "alias.csv", "x")
    assert staff.read_text() == "caseworker,fte\nA. Khan,1\n"
    forget_inputs()


# ---------------------------------------------------------------- 2. personal data on stderr


@pytest.mark.parametrize("option", ["--staff", "--term-dates"])
def test_a_childrens_list_given_as_a_side_file_is_never_quoted(tmp_path, option):
    export = small_export(tmp_path / "export.csv", ["A. Khan"])
    children = tmp_path / "children.csv"
    # No header row: the first row is a child's (the case the corpus found quoted in full).
    children.write_text("\r\n".join(",".join(r) for r in ROWS) + "\r\n", encoding="utf-8")
    run = run_cli("caseload" if option == "--staff" else "audit", export, option, children,
                  "--as-of", AS_OF)
    line = one_line(run, 2)
    assert "expected a header row naming" in line, line
    no_leak(run.out, run.err)


def test_a_childrens_list_with_a_header_as_staff_is_never_quoted(tmp_path):
    export = small_export(tmp_path / "export.csv", ["A. Khan"])
    write_csv(tmp_path / "children.csv")
    run = run_cli("caseload", export, "--staff", tmp_path / "children.csv", "--as-of", AS_OF)
    one_line(run, 2)
    no_leak(run.out, run.err)


# ---------------------------------------------------------------- 3. files outside the folder


def _first_night(tmp_path: Path) -> tuple[Path, Path]:
    export, out = small_export(tmp_path / "export.csv", ["A. Khan", "B. Jones"]), tmp_path / "lists"
    run = run_cli("actions", export, "--as-of", AS_OF, "--output-dir", out, "--format", "csv")
    assert run.code == 0, run.err
    assert sorted(p.name for p in out.iterdir()) == [
        ".sendcheck-actions.json", "a-khan.csv", "b-jones.csv", "index.csv"]
    return export, out


@pytest.mark.parametrize("how", ["own-list-replaced", "dangling-list", "dangling-manifest"])
def test_actions_never_writes_through_a_link(tmp_path, how):
    export, out = _first_night(tmp_path)
    outside = tmp_path / "outside.txt"
    if how == "own-list-replaced":  # its own list replaced by a link to a file elsewhere
        outside.write_text("someone else's file")
        (out / "a-khan.csv").unlink()
        (out / "a-khan.csv").symlink_to(outside)
    elif how == "dangling-list":  # a link named like a list this run will write
        small_export(export, ["A. Khan", "B. Jones", "C. Lee"])
        (out / "c-lee.csv").symlink_to(outside)
    else:
        (out / ".sendcheck-actions.json").unlink()
        (out / ".sendcheck-actions.json").symlink_to(outside)
    before = {p.name: (p.is_symlink(), p.read_bytes() if p.is_file() and not p.is_symlink()
                       else None) for p in out.iterdir()}
    run = run_cli("actions", export, "--as-of", AS_OF, "--output-dir", out, "--format", "csv")
    line = one_line(run, 2)
    assert line.startswith("Error: --output-dir ")
    assert ("is a symbolic link" in line if how != "dangling-list"
            else "c-lee.csv exists and was not written by sendcheck actions" in line), line
    assert (outside.read_text() == "someone else's file" if how == "own-list-replaced"
            else not outside.exists())
    after = {p.name: (p.is_symlink(), p.read_bytes() if p.is_file() and not p.is_symlink()
                      else None) for p in out.iterdir()}
    assert after == before  # nothing in the folder written either


# ---------------------------------------------------------------- 4. the terminal obeys the file

HOSTILE_NAMES = ["A. Khan [leaver]", "J. Smith [/temp]", "[b]Bold[/b] Ng",
                 "\x1b[2J\x1b[8mhidden\x1b[0m Roe",
                 "\x1b]8;;https://example.invalid/\x07Click\x1b]8;;\x07 Poe"]


@pytest.mark.parametrize("columns,colour", [(80, True), (120, True), (120, False)])
def test_cells_never_act_on_the_terminal(tmp_path, columns, colour):
    export = small_export(tmp_path / "export.csv", HOSTILE_NAMES)
    code, screen, raw, err = run_on_terminal(["audit", str(export), "--as-of", AS_OF],
                                             columns, colour=colour)
    assert code == 1, err  # five cases overdue, the default --fail-on overdue
    for sequence in ("\x1b[2J", "\x1b[8m", "\x1b]8;"):
        assert sequence not in raw
    for literal in ("A. Khan [leaver]", "J. Smith [/temp]", "[b]Bold[/b] Ng",
                    "\\u001b[2J\\u001b[8mhidden\\u001b[0m Roe"):
        assert literal in screen.replace("\n", ""), screen
    assert "5 cases overdue now" in screen


def test_explain_shows_an_escape_in_a_record_id_escaped(tmp_path):
    rid = "R\x1b[2J1"
    export = small_export(tmp_path / "export.csv", ["A. Khan [leaver]"], ids=[rid])
    code, screen, raw, err = run_on_terminal(["explain", str(export), rid, "--as-of", AS_OF], 100)
    assert code == 0, err
    assert "\x1b[2J" not in raw and "R\\u001b[2J1" in screen and "A. Khan [leaver]" in screen


def test_a_suppression_id_with_line_breaks_cannot_forge_a_log_line(tmp_path):
    export = small_export(tmp_path / "export.csv", ["A. Khan"])
    config = tmp_path / "sendcheck.toml"
    config.write_text('[[suppress]]\nrecord_id = "R9\\nsendcheck: 2025-03-31 all clear"\n'
                      'rule = "AS01"\nreason = "agreed with the family"\n')
    run = run_cli("audit", export, "--config", config, "--as-of", AS_OF, "--format", "json")
    assert run.code == 1
    lines = run.err.splitlines()
    assert [ln for ln in lines if ln.startswith("note:")] == [
        'note: sendcheck.toml suppress[1] (AS01 R9\\nsendcheck: 2025-03-31 all clear) matches no '
        'finding; remove it if the case is resolved']
    assert not any(ln.startswith("sendcheck: 2025-03-31 all clear") for ln in lines)


# ---------------------------------------------------------------- 5. hangs, aborts, memory


@pytest.mark.parametrize("command", ["audit", "actions", "history"])
def test_a_fifo_as_history_is_refused_not_a_hang(tmp_path, command):
    export = small_export(tmp_path / "export.csv", ["A. Khan"])
    fifo = tmp_path / "h.sqlite"
    os.mkfifo(fifo)
    args = {"audit": ["audit", export, "--as-of", AS_OF, "--history", fifo],
            "actions": ["actions", export, "--as-of", AS_OF, "--output-dir", tmp_path / "l",
                        "--history", fifo],
            "history": ["history", fifo]}[command]
    run = subprocess_cli(args, tmp_path)  # a hang fails on the subprocess timeout
    assert run.returncode == 2, run.stderr
    assert run.stderr.splitlines() == [
        f"Error: --history {fifo}: not a regular file (a device, pipe or socket); give the file "
        f"itself"]


def test_dev_null_as_history_leaves_no_journal(tmp_path):
    export = small_export(tmp_path / "export.csv", ["A. Khan"])
    existed = os.path.exists("/dev/null-journal")
    run = run_cli("audit", export, "--as-of", AS_OF, "--history", "/dev/null")
    assert one_line(run, 2).startswith("Error: --history /dev/null: not a regular file")
    assert os.path.exists("/dev/null-journal") == existed


def test_100000_overlapping_closures_in_bounded_memory(tmp_path):
    """Closures merged with a sort: the joins meet one closure per setting, never the pairs."""
    rng = random.Random(17)
    first = dt.date(2024, 1, 1)
    lines = ["start,end,setting,name"]
    for _ in range(100_000):  # every one overlaps others; together 1 Jan 2024 - 31 Dec 2025
        start = first + dt.timedelta(days=rng.randrange(0, 700))
        lines.append(f"{start:%d/%m/%Y},{start + dt.timedelta(days=rng.randrange(30, 60)):%d/%m/%Y},,")
    lines.append("01/01/2024,31/12/2025,,long")
    (tmp_path / "terms.csv").write_text("\n".join(lines) + "\n")
    export = tmp_path / "export.csv"
    # R1: request 1 Jul 2024, final plan 2 Jan 2025, excepted for a school closure: a closure of
    #     4 weeks or more lies inside its window, so no DQ40. R2: received 17 Mar 2025, AS01 due
    #     28 Apr 2025 (42 days), due soon on 31 Mar and inside the merged closure.
    export.write_text(
        "record_id,caseworker,request_received_date,request_outcome,request_outcome_date,"
        "assessment_outcome,exception_20w,exception_reason,final_plan_date\n"
        "R1,A. Khan,01/07/2024,assess,05/08/2024,issue,1,school_closure,02/01/2025\n"
        "R2,A. Khan,17/03/2025,,,,,,\n")
    run = subprocess_cli(["audit", export, "--term-dates", tmp_path / "terms.csv", "--as-of",
                          AS_OF, "--format", "json", "--fail-on", "none"], tmp_path, memory_gb=3)
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert not [f for f in doc["findings"] if f["rule"] == "DQ40"]
    due = [f for f in doc["findings"] if f["rule"] == "AS01" and f["record_id"] == "R2"]
    assert [(f["status"], f["due"]) for f in due] == [("due_soon", "2025-04-28")]
    # The closures all overlap the named one, so they are one closure, named by its only name.
    assert due[0]["message"].endswith("; due in the long closure"), due[0]["message"]


def test_term_dates_with_nuls_is_one_short_line(tmp_path):
    export = small_export(tmp_path / "export.csv", ["A. Khan"])
    terms = tmp_path / "terms.csv"
    terms.write_bytes(b"start,end\n01/01/2025," + b"\x00" * (8 << 20) + b"\n")
    run = run_cli("audit", export, "--term-dates", terms, "--as-of", AS_OF)
    line = one_line(run, 2)
    assert len(line) < 300 and "NUL character" in line, line[:300]


def test_sen2_value_over_the_bound_is_refused_before_the_parser(tmp_path):
    from test_sen2 import HAND_XML

    from sendcheck.read.sen2 import MAX_VALUE_BYTES

    huge = "x" * (MAX_VALUE_BYTES + (1 << 20))
    path = tmp_path / "sen2.xml"
    path.write_text(HAND_XML.replace("<d:UPN>A100000000001</d:UPN>",
                                     f"<d:UPN>{huge}</d:UPN>"), encoding="utf-8")
    run = subprocess_cli(["audit", path, "--format", "json"], tmp_path, memory_gb=2)
    assert run.returncode == 2, run.stderr[-500:]
    (line,) = run.stderr.splitlines()
    assert line.startswith("Error: sen2.xml: a value or tag of more than 16,777,216 bytes")


@pytest.mark.parametrize("fmt", ["json", "csv", "markdown", "html", "xlsx", "table"])
def test_an_export_whose_name_is_not_utf8_works_for_every_report(tmp_path, fmt):
    name = os.fsdecode(b"caf\xe9 export.csv")
    small_export(tmp_path / name, ["A. Khan"])
    history = tmp_path / "h.sqlite"
    out = tmp_path / f"report.{fmt}"
    run = run_cli("audit", tmp_path / name, "--as-of", AS_OF, "--format", fmt, "--output", out,
                  "--history", history, "--fail-on", "none")
    assert run.code == 0, run.err
    if fmt not in ("xlsx",):
        text = out.read_text(encoding="utf-8")
        assert "caf\ufffd export.csv" in text
    runs = run_cli("history", history, "--format", "json")
    assert runs.code == 0
    assert json.loads(runs.out)["runs"][0]["input_files"].endswith("/caf\ufffd export.csv")


# ---------------------------------------------------------------- 6. a run that failed


def _runs(history: Path) -> int:
    if not history.exists():
        return 0
    with sqlite3.connect(history) as conn:
        return conn.execute("SELECT count(*) FROM runs").fetchone()[0]


def test_a_run_whose_report_is_not_written_is_not_kept(tmp_path, monkeypatch):
    export = small_export(tmp_path / "export.csv", ["A. Khan"])
    history = tmp_path / "h.sqlite"
    run = run_cli("audit", export, "--as-of", AS_OF, "--history", history,
                  "--output", tmp_path / "missing" / "r.json")
    assert one_line(run, 2).endswith("the folder " + str(tmp_path / "missing") + " does not exist")
    assert _runs(history) == 0
    # SIGTERM while the workbook is written: cli/signals.py raises Interrupted in the writer.
    import sendcheck.cli.audit as audit_cli
    from sendcheck.cli.signals import Interrupted

    def killed(*_):
        raise Interrupted()

    monkeypatch.setattr(audit_cli, "emit", killed)
    run = run_cli("audit", export, "--as-of", AS_OF, "--history", history,
                  "--output", tmp_path / "r.xlsx")
    assert run.code == 2 and _runs(history) == 0
    monkeypatch.undo()
    run = run_cli("audit", export, "--as-of", AS_OF, "--history", history, "--output",
                  tmp_path / "r.xlsx")
    assert run.code == 1 and _runs(history) == 1


# ---------------------------------------------------------------- 7. misleading errors


def test_sen2_header_year_is_a_return_check_not_a_period_error(tmp_path):
    from test_sen2 import HAND_XML

    path = tmp_path / "sen2.xml"
    path.write_text(HAND_XML.replace("<d:Year>2026</d:Year>", "<d:Year>20255</d:Year>"))
    run = run_cli("audit", path, "--format", "json", "--fail-on", "none")
    assert run.code == 0, run.err
    assert "--period" not in run.err
    dq38 = [f for f in json.loads(run.out)["findings"] if f["rule"] == "DQ38"]
    assert dq38 and all("Year 20255 disagrees with its ReferenceDate 2026-01-15" in f["message"]
                        for f in dq38)


@pytest.mark.parametrize("fte", ["1e-320", "0.001", "nan", "inf"])
def test_an_fte_no_one_works_is_refused(tmp_path, fte):
    export = small_export(tmp_path / "export.csv", ["A. Khan"])
    (tmp_path / "staff.csv").write_text(f"caseworker,fte\nA. Khan,{fte}\n")
    run = run_cli("caseload", export, "--staff", tmp_path / "staff.csv", "--format", "json")
    assert one_line(run, 2) == (f"Error: --staff: staff.csv row 2: FTE '{fte}' is not a number "
                                f"from 0.01 to 2 (1 = full time)")


def test_json_never_carries_nan_or_infinity():
    from sendcheck.views.json import dumps

    text = dumps({"a": float("inf"), "b": [float("nan"), 1.5], "c": {"d": -float("inf")}})
    assert json.loads(text) == {"a": None, "b": [None, 1.5], "c": {"d": None}}
    assert "Infinity" not in text and "NaN" not in text


@pytest.mark.parametrize("toml,key", [
    ("[audit]\ndue_within = 99999999999999999999999\n", "audit.due_within"),
    ("[history]\nwait_seconds = 99999999999999999999999\n", "history.wait_seconds"),
    ("[caseload]\nplans_per_caseworker = 99999999999999999999999\n",
     "caseload.plans_per_caseworker"),
])
def test_a_huge_number_in_the_configuration_names_its_key(tmp_path, toml, key):
    export = small_export(tmp_path / "export.csv", ["A. Khan"])
    (tmp_path / "sendcheck.toml").write_text(toml)
    run = run_cli("audit", export, "--config", tmp_path / "sendcheck.toml", "--as-of", AS_OF)
    assert one_line(run, 2).startswith(f"Error: sendcheck.toml: {key}: expected a whole number")


def test_a_number_of_thousands_of_digits_in_the_configuration(tmp_path):
    export = small_export(tmp_path / "export.csv", ["A. Khan"])
    (tmp_path / "sendcheck.toml").write_text("[audit]\ndue_within = " + "9" * 5000 + "\n")
    run = run_cli("audit", export, "--config", tmp_path / "sendcheck.toml")
    assert one_line(run, 2).startswith("Error: sendcheck.toml: a number too long to read")


def test_a_bad_percent_in_the_page_address_does_not_stop_its_script(tmp_path):
    from test_html import chromium

    export = small_export(tmp_path / "export.csv", ["A. Khan"])
    page = tmp_path / "report.html"
    assert run_cli("audit", export, "--as-of", AS_OF, "--format", "html", "--output",
                   page).code == 1
    dom = chromium(page, tmp_path, "--dump-dom", fragment="#t-overdue=50%").stdout
    assert 'data-script="ran"' in dom


def test_history_problems_are_named(tmp_path):
    from sendcheck.history.store import sqlite_problem

    export = small_export(tmp_path / "export.csv", ["A. Khan"])
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(b"SQLite format 3\x00" + bytes(random.Random(5).randbytes(4080)))
    run = run_cli("audit", export, "--as-of", AS_OF, "--history", damaged)
    assert one_line(run, 2) == (f"Error: --history {damaged}: is damaged (SQLite reports it "
                                f"malformed); restore it from a backup, or move it away to start "
                                f"a new history")
    full = sqlite_problem(damaged, sqlite3.OperationalError("database or disk is full"))
    assert str(full).endswith("cannot be written (the disk is full, or failed); free some space; "
                              "the history is as the last complete run left it")
    readonly = sqlite_problem(damaged, sqlite3.OperationalError(
        "attempt to write a readonly database"))
    assert "cannot be written (read-only" in str(readonly)


def test_a_sen2_return_with_a_dtd_is_refused(tmp_path):
    from test_sen2 import HAND_XML

    path = tmp_path / "sen2.xml"
    path.write_text(HAND_XML.replace(
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE m [<!ENTITY upn "A1">]>\n'))
    run = run_cli("audit", path)
    assert one_line(run, 2) == (
        "Error: sen2.xml: line 2: a document type declaration (<!DOCTYPE m>) is refused; a SEN2 "
        "return has none: export it again from the case-management system")


# ---------------------------------------------------------------- 8. .xls and .ods


def _tracker(path: Path) -> Path:
    """A council-style tracker: a title row and a blank row above the header, date cells,
    a text date, an impossible date and a `TBC`."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "EHC Tracker"
    ws.append(["Westshire Council - EHC needs assessment tracker"])
    ws.append([])
    ws.append(["Record ID", "EHC Co-ordinator", "Date Request Received", "Decision to Assess",
               "Date of Decision to Assess"])
    rows = [["R1", "A. Khan [leaver]", dt.date(2025, 1, 6), "Agreed", dt.date(2025, 2, 17)],
            ["R2", "B. Jones", dt.date(2025, 1, 10), None, None],
            ["R3", "B. Jones", "TBC", None, None],
            ["R4", "C. Lee", "31/02/2025", None, None],
            ["00123", "C. Lee", dt.datetime(2025, 1, 6, 9, 30), "Agreed", "06/02/2025"]]
    for r in rows:
        ws.append(r)
    for row in ws.iter_rows(min_row=4):
        for cell in row:
            if isinstance(cell.value, (dt.date, dt.datetime)):
                cell.number_format = "dd/mm/yyyy"
    wb.save(path)
    return path


def _convert(source: Path, fmt: str) -> Path:
    office = shutil.which("soffice")
    if office is None:
        pytest.skip("LibreOffice (soffice) is needed to write .xls and .ods as councils get them")
    subprocess.run([office, "--headless", f"-env:UserInstallation=file://{source.parent}/lo",
                    "--convert-to", fmt, "--outdir", str(source.parent), str(source)],
                   capture_output=True, timeout=180, check=True)
    return source.with_suffix(f".{fmt}")


def test_xls_and_ods_give_the_findings_of_the_same_xlsx(tmp_path):
    xlsx = _tracker(tmp_path / "tracker.xlsx")
    found = {}
    for path in (xlsx, _convert(xlsx, "ods"), _convert(xlsx, "xls")):
        run = run_cli("audit", path, "--as-of", AS_OF, "--format", "json", "--all",
                      "--fail-on", "none")
        assert run.code == 0, run.err
        doc = json.loads(run.out)
        assert doc["inputs"][0]["rows"] == 5
        found[path.suffix] = sorted((f["rule"], f["record_id"], f["row"], f["status"], f["due"],
                                     f["message"]) for f in doc["findings"])
    assert found[".ods"] == found[".xlsx"] and found[".xls"] == found[".xlsx"]
    as01 = {(r, row): (s, due) for rule, r, row, s, due, _ in found[".xlsx"] if rule == "AS01"}
    # reg 5(1): 6 Jan 2025 + 42 days = 17 Feb 2025 (met on the day); 10 Jan + 42 = 21 Feb,
    # undecided on 31 Mar: overdue; TBC and 31/02/2025 cannot be read: invalid (DQ01).
    assert as01[("R1", 4)] == ("met", "2025-02-17")
    assert as01[("R2", 5)] == ("overdue", "2025-02-21")
    assert as01[("R3", 6)][0] == as01[("R4", 7)][0] == "invalid"
    assert as01[("00123", 8)] == ("met", "2025-02-17")
    assert [(r, row) for rule, r, row, *_ in found[".xlsx"] if rule == "DQ01"] == [("R3", 6), ("R4", 7)]


def test_an_xls_declaring_an_absurd_extent_is_refused_not_an_abort(tmp_path):
    xls = _convert(_tracker(tmp_path / "tracker.xlsx"), "xls")
    data = bytearray(xls.read_bytes())
    m = re.search(rb"\x00\x02\x0e\x00", data)
    assert m
    data[m.end() + 4:m.end() + 8] = (0x7FFFFFF0).to_bytes(4, "little")  # rows: two billion
    xls.write_bytes(bytes(data))
    run = subprocess_cli(["audit", xls, "--as-of", AS_OF], tmp_path, memory_gb=2)
    assert run.returncode == 2, run.stderr
    assert run.stderr.splitlines() == [
        "Error: tracker.xls: a sheet declares 2,147,483,632 rows x 5 columns, beyond what an .xls "
        "can hold (65,536 x 256): a damaged file; open it in Excel and save it as .xlsx"]


def test_an_ods_whose_repeated_cells_fill_the_sheet_is_refused(tmp_path):
    import zipfile

    ods = _convert(_tracker(tmp_path / "tracker.xlsx"), "ods")
    with zipfile.ZipFile(ods) as zf:
        members = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    stray = (b'<table:table-row table:number-rows-repeated="1000000"><table:table-cell '
             b'table:number-columns-repeated="1000" office:value-type="float" office:value="1">'
             b'<text:p>1</text:p></table:table-cell></table:table-row></table:table>')
    members["content.xml"] = members["content.xml"].replace(b"</table:table>", stray, 1)
    with zipfile.ZipFile(ods, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    run = subprocess_cli(["audit", ods, "--as-of", AS_OF], tmp_path, memory_gb=2)
    assert run.returncode == 2, run.stderr
    (line,) = run.stderr.splitlines()
    assert line.startswith("Error: tracker.ods sheet 'EHC Tracker': its repeated cells make more "
                           "than 50,000,000 values"), line
