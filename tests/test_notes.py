"""The team's notes: typed into the workbook and lists sendcheck wrote, read back the next night,
kept in the history, shown beside their findings in every view with the same counts."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import openpyxl
import pytest

from terminal import run_on_terminal

ROOT = Path(__file__).resolve().parent.parent
EXPORT, REVIEWS = str(ROOT / "examples/export.xlsx"), str(ROOT / "examples/reviews.csv")
NIGHT1, NIGHT2 = "2025-03-31", "2025-04-01"
COUNTS = re.compile(r"(\d+) cases overdue, (\d+) with a note in the last (\d+) days, "
                    r"(\d+) untouched")


def _header(ws) -> list:
    return [c.value for c in ws[1]]


def _type_note(ws, row: int, action: str | None, by: str | None, date=None) -> None:
    h = _header(ws)
    for name, value in (("Action taken", action), ("Checked by", by), ("Date checked", date)):
        if value is not None:
            cell = ws.cell(row, h.index(name) + 1, value)
            cell.data_type = "s" if isinstance(value, str) else cell.data_type  # text as typed
            if isinstance(value, dt.datetime):
                cell.number_format = "dd/mm/yyyy"


def _sort_rows(ws, by: str, reverse: bool = True) -> None:
    """Sort the sheet's rows below the header, as Data > Sort does."""
    h = _header(ws)
    rows = [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]
    rows.sort(key=lambda r: str(r[h.index(by)]), reverse=reverse)
    for i, r in enumerate(rows, 2):
        for j, v in enumerate(r, 1):
            ws.cell(i, j).value = v  # ws.cell(i, j, None) would leave the old value


def _key(ws, row: int) -> tuple:
    h = _header(ws)
    cell = {name: ws.cell(row, h.index(name) + 1).value for name in h if name}
    # File and row too: with --reviews one plan has an overdue finding per review cycle.
    return (cell.get("Rule") or cell.get("Check"), cell.get("Advice kind"), cell["Record"],
            cell["File"], cell["Row"])


def _fkey(f: dict) -> tuple:
    """A JSON finding's key, as _key reads it from a sheet."""
    return (f["rule"], f["kind"], f["record_id"], Path(f["source"]).name, f["row"])


def _json(cli, *args) -> tuple[dict, str]:
    r = cli(*args, "--format", "json", "--exit-zero")
    assert r.code == 0, r.err
    return json.loads(r.out), r.err


def _noted(findings: list[dict]) -> dict[tuple, str]:
    return {_fkey(f): f["note"] for f in findings if f.get("note")}


@pytest.fixture(scope="module")
def two_nights(tmp_path_factory):
    """Night 1: the workbook and caseworker lists; edits as people make them; night 2 reads them."""
    from conftest import run_cli as cli

    tmp = tmp_path_factory.mktemp("nights")
    hist, book, lists = tmp / "history.sqlite", tmp / "audit.xlsx", tmp / "lists"
    base = [EXPORT, "--reviews", REVIEWS, "--history", hist]
    r = cli("audit", *base, "--as-of", NIGHT1, "--format", "xlsx", "-o", book)
    assert r.code == 1, r.err  # overdue findings: --fail-on overdue
    assert cli("actions", *base, "--as-of", NIGHT1, "--output-dir", lists).code == 0

    # The manager's workbook: the Overdue sheet sorted by record, filtered, a column inserted,
    # notes typed (one dated in its cell, one dated by the file), a row added for a record that
    # has no finding, and a note on a data-quality finding.
    wb = openpyxl.load_workbook(book)
    ws = wb["Overdue"]
    first, third = _key(ws, 2), _key(ws, 4)  # the two most overdue: on the first screen
    _sort_rows(ws, "Record")
    rows = {_key(ws, i): i for i in range(2, ws.max_row + 1)}
    _type_note(ws, rows[first], "Phoned parent 01/04, EP report chased [bold]again[/bold]", "GG",
               dt.datetime(2025, 4, 1))
    _type_note(ws, rows[third], "=HYPERLINK(\"http://example.invalid\",\"see file\")", "KJ")
    extra = ws.max_row + 1
    ws.cell(extra, _header(ws).index("Rule") + 1, "AS05")
    ws.cell(extra, _header(ws).index("Record") + 1, "EHC-9999999")
    _type_note(ws, extra, "Nothing found for this one", "LK")
    ws.auto_filter.ref = f"A1:{openpyxl.utils.get_column_letter(ws.max_column)}{ws.max_row}"
    ws.insert_cols(1)
    ws.cell(1, 1, "Team RAG")
    dq = wb["Data quality"]
    dq_key = _key(dq, 2)
    _type_note(dq, 2, "Date of birth corrected in the case system", "MH", "01/04/2025")
    wb.save(book)

    # A caseworker's own list: a note on a due-soon finding, the date typed as text.
    mine = lists / "g-greaves.xlsx"
    wl = openpyxl.load_workbook(mine)
    soon = wl["Due soon"]
    soon_key = _key(soon, 2)
    _type_note(soon, 2, "Draft with manager for sign-off", "G. Greaves", "01/04/2025")
    wl.save(mine)
    noon = dt.datetime(2025, 4, 1, 12).timestamp()  # saved on the day between the nights
    for p in (book, mine):
        os.utime(p, (noon, noon))

    night2 = [*base, "--as-of", NIGHT2, "--notes", book, "--notes", lists]
    data, err = _json(cli, "audit", *night2)
    return {"tmp": tmp, "hist": hist, "book": book, "lists": lists, "base": base,
            "night2": night2, "data": data, "err": err,
            "notes": {first: "Phoned parent 01/04, EP report chased [bold]again[/bold]",
                      third: "=HYPERLINK(\"http://example.invalid\",\"see file\")",
                      dq_key: "Date of birth corrected in the case system",
                      soon_key: "Draft with manager for sign-off"},
            "first": first, "soon": soon_key}


def test_each_note_is_beside_its_finding_next_morning_in_json(two_nights) -> None:
    data = two_nights["data"]
    noted = _noted(data["findings"])
    for key, text in two_nights["notes"].items():
        assert noted.get(key) == text, key
    by_key = {_fkey(f): f for f in data["findings"]}
    first = by_key[two_nights["first"]]
    assert (first["note_by"], first["note_date"]) == ("GG", "2025-04-01")  # the cell's date
    soon = by_key[two_nights["soon"]]
    assert (soon["note_by"], soon["note_date"]) == ("G. Greaves", "2025-04-01")  # typed as text
    read = data["notes"]["read"]
    assert read["read"] == 5 and read["added"] == 5
    # The added row names no finding: reported by its place, kept in the history.
    assert [(u["sheet"], u["rule"]) for u in read["unmatched"]] == [("Overdue", "AS05")]
    assert "audit.xlsx sheet 'Overdue' row" in two_nights["err"]
    assert "matches no finding" in two_nights["err"]


def test_nothing_of_a_note_reaches_stderr(two_nights) -> None:
    for text in [*two_nights["notes"].values(), "Nothing found for this one"]:
        assert text not in two_nights["err"]
        assert text.split()[0] not in two_nights["err"]
    assert "GG" not in two_nights["err"] and "Greaves" not in two_nights["err"]


def test_counts_are_equal_in_every_view(two_nights, cli, tmp_path) -> None:
    t = two_nights
    notes = t["data"]["notes"]
    assert notes["days"] == 7
    assert notes["cases_overdue"] == t["data"]["totals"]["cases_overdue"]
    assert notes["with_note"] + notes["untouched"] == notes["cases_overdue"]
    # The cases with a note: those whose overdue findings carry one (the soonest due-soon
    # finding of night 1, due 31/03, is overdue on night 2; the data-quality note makes no case
    # overdue; the unmatched one names no finding).
    overdue_noted = {f["record_id"] for f in t["data"]["findings"]
                     if f["status"] == "overdue" and f.get("note")}
    assert notes["with_note"] == len(overdue_noted) == 3
    expected = (notes["cases_overdue"], notes["with_note"], 7, notes["untouched"])

    # The screen with its lists (--details), on a terminal 120 columns wide.
    code, screen, _, err = run_on_terminal(["audit", *map(str, t["night2"]), "--details"], 120,
                                           lines=400)
    assert code == 1, err
    assert tuple(map(int, COUNTS.search(screen).groups())) == expected
    lines = screen.splitlines()
    at = next(i for i, line in enumerate(lines) if t["first"][2] in line)
    # The note folds in its column: the row and its continuation lines, read as one.
    row = [lines[at]] + [line for line in lines[at + 1:at + 4] if line.startswith("   ")]
    shown = " ".join(" ".join(line.split()) for line in row)
    # The brackets of the note are shown as typed: never read as rich markup.
    assert "01/04/2025 GG: Phoned parent 01/04, EP report chased [bold]again[/bold]" in shown
    # At 80 columns the note gives way to the figures (said on the screen), the counts do not.
    code, narrow, _, err = run_on_terminal(["audit", *map(str, t["night2"]), "--details"], 80,
                                           lines=400)
    assert code == 1, err
    assert tuple(map(int, COUNTS.search(narrow).groups())) == expected
    assert "left out at this width" in narrow and "latest note" in narrow

    # The workbook's Summary, and the note beside its finding on the Overdue sheet.
    book = tmp_path / "night2.xlsx"
    assert cli("audit", *t["night2"], "--format", "xlsx", "-o", book).code == 1
    wb = openpyxl.load_workbook(book)
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(values_only=True) if r and r[0]}
    assert summary["Cases overdue with a note in the last 7 days"] == notes["with_note"]
    assert summary["Cases overdue untouched (no note in the last 7 days)"] == notes["untouched"]
    ws = wb["Overdue"]
    h = _header(ws)
    shown = {_key(ws, i): ws.cell(i, h.index("Latest note") + 1) for i in range(2, ws.max_row + 1)}
    assert shown[t["first"]].value == t["notes"][t["first"]]
    formula = [k for k, v in t["notes"].items() if v.startswith("=")][0]
    assert shown[formula].value == "'" + t["notes"][formula]  # text, never a formula
    assert shown[formula].data_type == "s"
    assert h[-3:] == ["Action taken", "Checked by", "Date checked"]

    # The HTML report: the counts and the note, escaped.
    page = tmp_path / "night2.html"
    assert cli("audit", *t["night2"], "--format", "html", "-o", page).code == 1
    html = page.read_text()
    m = re.search(r'id="notes-counts" data-with-note="(\d+)" data-untouched="(\d+)">([^<]*)<', html)
    assert (int(m.group(1)), int(m.group(2))) == (notes["with_note"], notes["untouched"])
    assert tuple(map(int, COUNTS.search(m.group(3)).groups())) == expected
    assert "HYPERLINK(&quot;http://example.invalid&quot;" in html
    assert "[bold]again[/bold]" in html and "<bold>" not in html

    # The caseworker lists of night 2 (the same files read again add nothing) and their index.
    lists = tmp_path / "lists2"
    r = cli("actions", *t["night2"], "--output-dir", lists)
    assert r.code == 0, r.err
    assert "0 new, 5 kept already" in r.err
    index = openpyxl.load_workbook(lists / "index.xlsx").active
    ih = _header(index)
    rows = list(index.iter_rows(min_row=2, values_only=True))
    assert sum(r[ih.index("Overdue cases with a note")] for r in rows) == notes["with_note"]
    assert sum(r[ih.index("Overdue cases untouched")] for r in rows) == notes["untouched"]
    assert sum(r[ih.index("Cases overdue")] for r in rows) == notes["cases_overdue"]
    # Due soon on night 1, overdue on night 2: the note follows the finding to its new list.
    mine = openpyxl.load_workbook(lists / "g-greaves.xlsx")["Overdue"]
    mh = _header(mine)
    mine_notes = {_key(mine, i): mine.cell(i, mh.index("Latest note") + 1).value
                  for i in range(2, mine.max_row + 1)}
    assert mine_notes[t["soon"]] == t["notes"][t["soon"]]
    assert mh[-3:] == ["Action taken", "Checked by", "Date checked"]


def test_same_files_read_twice_add_nothing(two_nights, cli) -> None:
    data, err = _json(cli, "audit", *two_nights["night2"])
    assert data["notes"]["read"]["added"] == 0
    with sqlite3.connect(two_nights["hist"]) as db:
        assert db.execute("SELECT count(*) FROM notes").fetchone()[0] == 5
        assert db.execute("SELECT count(*) FROM notes WHERE matched = 0").fetchone()[0] == 1


def test_untouched_filters_the_lists_never_the_counts_or_fail_on(two_nights, cli) -> None:
    t = two_nights
    data, _ = _json(cli, "audit", *t["night2"], "--untouched", "7")
    assert data["notes"] == {**t["data"]["notes"], "untouched_filter": True,
                             "read": data["notes"]["read"]}
    assert data["totals"] == t["data"]["totals"]
    assert _noted(data["findings"]) == {}  # every listed finding is untouched
    before = {_fkey(f) for f in t["data"]["findings"]}
    after = {_fkey(f) for f in data["findings"]}
    assert before - after == {t["first"], *(k for k, v in t["notes"].items() if "HYPER" in v),
                              t["soon"], *(k for k in t["notes"] if k[0].startswith("DQ"))}
    r = cli("audit", *t["night2"], "--untouched", "7", "--format", "json")
    assert r.code == 1  # still failing on overdue: a note sets nothing aside


def test_a_note_on_a_resolved_finding_is_kept_and_no_longer_shown(tmp_path, cli) -> None:
    hist = tmp_path / "h.sqlite"
    night1 = tmp_path / "night1.csv"
    night1.write_text("Record ID,Caseworker,Date Request Received,Request Outcome,"
                      "Request Outcome Date\r\nR1,A. Smith,06/01/2025,,\r\n"
                      "R2,A. Smith,06/01/2025,,\r\n", encoding="cp1252")
    out = tmp_path / "cw"
    args = ["--history", hist]
    assert cli("audit", night1, *args, "--as-of", "2025-03-03").code == 1  # the first night
    assert cli("actions", night1, *args, "--as-of", "2025-03-03", "--output-dir", out,
               "--format", "csv").code == 0
    listed = (out / "a-smith.csv").read_text().splitlines()
    header = listed[0].split(",")
    assert header[-3:] == ["action_taken", "checked_by", "date_checked"]
    edited = [listed[0]] + [line[:-2] + "Letter sent,AS" if "R1" in line else line
                            for line in listed[1:]]
    (out / "a-smith.csv").write_text("\r\n".join(edited) + "\r\n")
    # The decision was notified on 04/03: AS01 for R1 is met, its note stays in the history.
    night2 = tmp_path / "night2.csv"
    night2.write_text(night1.read_text().replace("R1,A. Smith,06/01/2025,,",
                                                 "R1,A. Smith,06/01/2025,assess,04/03/2025"))
    data, err = _json(cli, "audit", night2, *args, "--as-of", "2025-03-05", "--notes",
                      out / "a-smith.csv")
    assert data["notes"]["read"]["added"] == 1 and data["notes"]["read"]["unmatched"] == []
    assert [f["record_id"] for f in data["findings"] if f["status"] == "overdue"] == ["R2"]
    assert _noted(data["findings"]) == {}
    assert (data["notes"]["cases_overdue"], data["notes"]["with_note"]) == (1, 0)
    with sqlite3.connect(hist) as db:
        assert db.execute("SELECT rule, record_id, action, checked_by, matched FROM notes"
                          ).fetchall() == [("AS01", "R1", "Letter sent", "AS", 1)]


def test_two_caseworkers_csv_lists_through_the_config_glob(tmp_path, cli) -> None:
    export = tmp_path / "export.csv"
    export.write_text("Record ID,Caseworker,Date Request Received,Request Outcome Date\r\n"
                      "R1,A. Smith,06/01/2025,\r\nR2,B. Jones,06/01/2025,\r\n"
                      "R3,B. Jones,13/01/2025,\r\n")
    (tmp_path / "sendcheck.toml").write_text('[history]\npath = "h.sqlite"\n'
                                             '[notes]\npaths = ["lists/*.csv"]\n')
    args = [export, "--config", tmp_path / "sendcheck.toml"]
    assert cli("actions", *args, "--as-of", "2025-03-03", "--output-dir", tmp_path / "lists",
               "--format", "csv").code == 0
    for name, rec, note in (("a-smith.csv", "R1", "Chased by email"),
                            ("b-jones.csv", "R3", "+44 rang back")):
        p = tmp_path / "lists" / name
        lines = p.read_text().splitlines()
        # Sorted the other way, and the note typed in the last columns.
        body = sorted(lines[1:], reverse=True)
        body = [line[:-2] + f"{note},,05/03/2025" if f",{rec}," in line else line for line in body]
        p.write_text("\r\n".join([lines[0], *body]) + "\r\n")
    data, err = _json(cli, "audit", *args, "--as-of", "2025-03-06")
    assert _noted(data["findings"]) == {("AS01", None, "R1", "export.csv", 2): "Chased by email",
                                        ("AS01", None, "R3", "export.csv", 4): "+44 rang back"}
    assert data["notes"]["read"]["files"] == [str(tmp_path / "lists" / "a-smith.csv"),
                                              str(tmp_path / "lists" / "b-jones.csv")]
    # The CSV report neutralises the note that a spreadsheet would run as a formula.
    r = cli("audit", *args, "--as-of", "2025-03-06", "--format", "csv", "--exit-zero")
    assert ",'+44 rang back," in r.out


def test_hostile_edits(tmp_path, cli) -> None:
    """A 1 MB note, a deleted sheet and a damaged file: bounded, one line, nothing quoted."""
    hist = tmp_path / "h.sqlite"
    export = tmp_path / "export.csv"
    export.write_text("Record ID,Caseworker,Date Request Received,Request Outcome Date\r\n"
                      "R1,A. Smith,06/01/2025,\r\n")
    book = tmp_path / "audit.xlsx"
    args = [export, "--select", "AS01", "--history", hist]
    assert cli("audit", *args, "--as-of", "2025-03-03", "--format", "xlsx", "-o", book).code == 1
    wb = openpyxl.load_workbook(book)
    _type_note(wb["Overdue"], 2, "secret " * 150_000, "AS")  # about 1 MB
    del wb["Due soon"], wb["Data quality"]  # sheets deleted
    wb.save(book)
    data, err = _json(cli, "audit", *args, "--as-of", "2025-03-04", "--notes", book)
    note = _noted(data["findings"])[("AS01", None, "R1", "export.csv", 2)]
    assert len(note) == 2000 and note.startswith("secret secret")
    assert "1 note longer than 2,000 characters was cut to 2,000" in err
    assert "secret" not in err
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(book.read_bytes()[:3000])
    r = cli("audit", *args, "--as-of", "2025-03-04", "--notes", damaged)
    assert r.code == 2 and len(r.err.strip().splitlines()) == 1 and "secret" not in r.err
    r = cli("audit", export, "--select", "AS01", "--as-of", "2025-03-04", "--notes", book)
    assert r.code == 2 and "--notes keeps the team's notes in the history" in r.err


def test_history_of_schema_1_gains_the_notes_table(tmp_path) -> None:
    """A history kept by schema 1 is migrated through 2 (the runs' data quality and rules that
    ran) to 3 (the notes), its runs kept."""
    from sendcheck.history.store import MIGRATIONS, open_history

    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:
        for statement in MIGRATIONS[1]:
            db.execute(statement)
        db.execute("PRAGMA application_id = 1396982600")
        db.execute("PRAGMA user_version = 1")
    conn = open_history(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
    assert conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 0
    assert {"data_quality", "rules_ran"} <= {r[1] for r in conn.execute("PRAGMA table_info(runs)")}
    conn.close()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_round_trip_through_libreoffice(tmp_path, cli) -> None:
    """Notes typed, then the list saved by LibreOffice as .ods and back to .xlsx, as a team
    working in LibreOffice does: its own cells, shared strings, date cells and formula values."""
    export = tmp_path / "export.csv"
    export.write_text("Record ID,Caseworker,Date Request Received,Request Outcome Date\r\n"
                      "R1,A. Smith,06/01/2025,\r\nR2,A. Smith,13/01/2025,\r\n")
    hist, out = tmp_path / "h.sqlite", tmp_path / "lists"
    args = [export, "--history", hist]
    assert cli("audit", *args, "--as-of", "2025-03-03").code == 1
    assert cli("actions", *args, "--as-of", "2025-03-03", "--output-dir", out).code == 0
    wb = openpyxl.load_workbook(out / "a-smith.xlsx")
    ws = wb["Overdue"]
    rows = {_key(ws, i)[2]: i for i in range(2, ws.max_row + 1)}
    _type_note(ws, rows["R1"], "Visited school", "AS", dt.datetime(2025, 3, 4))
    h = _header(ws)
    # A formula typed in a note: LibreOffice computes and saves its value.
    ws.cell(rows["R2"], h.index("Action taken") + 1, '=CONCATENATE("=1+","2")')
    wb.save(out / "a-smith.xlsx")
    work = tmp_path / "lo"
    work.mkdir()
    profile = f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}"
    for target, src in (("ods", out / "a-smith.xlsx"), ("xlsx", work / "a-smith.ods")):
        subprocess.run(["soffice", profile, "--headless", "--convert-to", target, "--outdir",
                        str(work), str(src)], check=True, capture_output=True, timeout=180)
    data, err = _json(cli, "audit", *args, "--as-of", "2025-03-05", "--notes",
                      work / "a-smith.xlsx")
    by_key = {f["record_id"]: f for f in data["findings"]}
    assert (by_key["R1"]["note"], by_key["R1"]["note_by"], by_key["R1"]["note_date"]) == (
        "Visited school", "AS", "2025-03-04")
    assert by_key["R2"]["note"] == "=1+2"
    r = cli("audit", *args, "--as-of", "2025-03-05", "--format", "csv", "--exit-zero")
    assert ",'=1+2," in r.out
