"""Files and conditions no one here wrote (issue 12): each class of failure made at test time,
with the exact exit code, the one stderr line, and nothing lost, blanked or leaked (no names,
UPNs or dates of birth on stderr or in any output)."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import tomllib
import zipfile
from pathlib import Path

import pytest
from conftest import run_cli

AS_OF = "2025-03-31"
HEADER = ["Record ID", "Child ID", "Forename", "Surname", "UPN", "Date of Birth",
          "EHC Co-ordinator", "Date Request Received", "Decision to Assess",
          "Date of Decision to Assess"]
# AS01 (reg 5(1), decision within 6 weeks = 42 days), as of 31/03/2025:
#   R1: 6 Jan 2025 + 42 d = Mon 17 Feb 2025, decided 17 Feb: met
#   R2: 10 Jan 2025 + 42 d = Fri 21 Feb 2025, not decided: overdue by 7 + 31 = 38 days
#   R3: 20 Mar 2025 + 42 d = Thu 1 May 2025, not decided: pending (past the 28-day look-ahead);
#       the export's newest event is 11 days before the as-of date: no old-export warning
ROWS = [["R1", "P1", "Amelia", "Zephyr", "A123456789012", "03/04/2012", "Zoë Brontë",
         "06/01/2025", "Agreed", "17/02/2025"],
        ["R2", "P2", "Barnaby", "Quillfeather", "B123456789012", "14/05/2013", "Omar Khan",
         "10/01/2025", "", ""],
        ["R3", "P3", "Cressida", "Vanewright", "C123456789012", "21/06/2014", "Omar Khan",
         "20/03/2025", "", ""]]
PERSONAL = ["Amelia", "Zephyr", "Barnaby", "Quillfeather", "Cressida", "Vanewright",
            "A123456789012", "B123456789012", "C123456789012", "03/04/2012", "2012-04-03",
            "14/05/2013", "2013-05-14", "21/06/2014", "2014-06-21", "1890"]


# The cron line's counts for the three-row export: the rules its columns half feed, then the
# cases (R1: one case) and the findings.
CRON_TAIL = ("2 rules skipped, not checked (missing assessment_outcome_date, assessment_outcome, "
             "final_plan_date): AS03, AS05; 1 cases overdue, 0 due soon; 1 findings overdue, "
             "0 due soon; 0 data-quality findings")

def no_leak(*texts: str) -> None:
    for text in texts:
        found = [p for p in PERSONAL if p in text]
        assert not found, f"personal data {found} in output"


def csv_text(rows: list[list[str]], header: list[str] = HEADER) -> str:
    return "\r\n".join(",".join(r) for r in [header, *rows]) + "\r\n"


def write_csv(path: Path, rows: list[list[str]] = ROWS) -> Path:
    path.write_text(csv_text(rows), encoding="utf-8")
    return path


def xlsx_bytes(rows: list[list[object]], header: list[str] = HEADER, chart_first: bool = False,
               date_cols: tuple[int, ...] = ()) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Cases"
    ws.append(header)
    for r in rows:
        ws.append(r)
    for c in date_cols:
        for row in ws.iter_rows(min_row=2, min_col=c, max_col=c):
            row[0].number_format = "dd/mm/yyyy"
    if chart_first:
        from openpyxl.chart import BarChart, Reference

        sheet = wb.create_chartsheet("Chart1", 0)
        chart = BarChart()
        chart.add_data(Reference(ws, min_col=1, min_row=1, max_row=2))
        sheet.add_chart(chart)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def patch_member(data: bytes, member: str, edit) -> bytes:
    """The package with one member's bytes edited (the rest copied as they are)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            dst.writestr(item.filename, edit(body) if item.filename == member else body)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def audit_json(path: Path, *extra: str):
    run = run_cli("audit", path, "--as-of", AS_OF, "--format", "json", "--fail-on", "none",
                  "--all", *extra)
    return run, (json.loads(run.out) if run.code == 0 else None)


def one_line(run, code: int) -> str:
    """The run's exit code is `code` and stderr is exactly one line; that line."""
    assert run.code == code, run.err
    lines = run.err.splitlines()
    assert len(lines) == 1, run.err
    return lines[0]


def findings(doc: dict, rule: str) -> list[tuple]:
    return sorted((f["record_id"], f["row"], f["status"], f["message"]) for f in doc["findings"]
                  if f["rule"] == rule)


def subprocess_cli(args: list[str], cwd: Path, env: dict | None = None, memory_gb: int = 4):
    """The CLI in a fresh process with its address space capped: a regression that makes calamine
    or polars allocate the world fails here instead of taking the machine."""
    import resource

    def cap():
        limit = memory_gb << 30
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return subprocess.run([sys.executable, "-m", "sendcheck", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, env={**os.environ, **(env or {})},
                          preexec_fn=cap, timeout=120)


# ---------------------------------------------------------------- 0. damaged zip members


def _corrupt_deflate(data: bytes, member: str) -> bytes:
    """The package with the compressed bytes of `member` overwritten mid-stream (its header and
    the central directory intact), so reading it raises zlib.error, not BadZipFile."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(member)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    b = bytearray(data)
    for i in range(start + 2, start + min(info.compress_size, 40)):
        b[i] = 0xFF
    return bytes(b)


@pytest.mark.parametrize("member", ["xl/workbook.xml", SHEET])
def test_damaged_member_is_a_damaged_workbook(tmp_path, member):
    data = _corrupt_deflate(xlsx_bytes(ROWS), member)
    with zipfile.ZipFile(io.BytesIO(data)) as zf, pytest.raises(Exception) as raised:
        zf.read(member)
    assert type(raised.value).__name__ in ("error", "BadZipFile")  # zlib.error is named "error"
    path = tmp_path / "export.xlsx"
    path.write_bytes(data)
    line = one_line(audit_json(path)[0], 2)
    assert line.startswith("Error: export.xlsx: the workbook is damaged"), line


# ---------------------------------------------------------------- 1. the input overwritten


@pytest.fixture
def export(tmp_path) -> Path:
    return write_csv(tmp_path / "export.csv")


def _refused(run, path: Path, before: bytes) -> str:
    line = one_line(run, 2)
    assert run.out == ""
    assert path.read_bytes() == before, "the input was changed"
    return line


@pytest.mark.parametrize("how", ["same", "relative", "symlink", "hardlink"])
def test_output_that_is_the_export_is_refused(export, tmp_path, monkeypatch, how):
    before = export.read_bytes()
    monkeypatch.chdir(tmp_path)
    target = {"same": export, "relative": Path("sub/../export.csv")}.get(how)
    if how == "relative":
        (tmp_path / "sub").mkdir()
    if how == "symlink":
        target = tmp_path / "link.csv"
        target.symlink_to(export)
    if how == "hardlink":
        target = tmp_path / "hard.csv"
        os.link(export, target)
    run = run_cli("audit", export, "--as-of", AS_OF, "--format", "csv", "--output", target)
    line = _refused(run, export, before)
    assert line == f"Error: --output {target}: is the export {export}; write the report to another file"


def test_output_that_is_the_reviews_config_or_staff_file_is_refused(export, tmp_path):
    reviews = tmp_path / "reviews.csv"
    reviews.write_text("Record ID,Review Meeting Date\r\nR1,01/02/2025\r\n")
    config = tmp_path / "sendcheck.toml"
    config.write_text("[audit]\ndue_within = 28\n")
    staff = tmp_path / "staff.csv"
    staff.write_text("Caseworker,FTE\r\nOmar Khan,1\r\n")
    for option, path, what in (("--reviews", reviews, "--reviews file"),
                               ("--config", config, "configuration"),
                               ("--staff", staff, "--staff file")):
        before = path.read_bytes()
        run = run_cli("audit", export, "--as-of", AS_OF, option, path, "--output", path)
        assert _refused(run, path, before) == (
            f"Error: --output {path}: is the {what} {path}; write the report to another file")


def test_output_that_is_a_device_or_fifo_is_refused(export, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for target in (Path("/dev/null"), fifo):
        run = run_cli("audit", export, "--as-of", AS_OF, "--format", "json", "--output", target)
        assert one_line(run, 2) == (f"Error: --output {target}: not a regular file (a device or "
                                    f"pipe); give a file name, or - for standard output")


def test_dash_is_standard_output(export):
    run = run_cli("audit", export, "--as-of", AS_OF, "--format", "json", "--output", "-")
    assert one_line(run, 1) == ("sendcheck: 2025-03-31 export.csv 3 rows read, 3 evaluated, "
                                f"0 rejected: {CRON_TAIL}")
    assert json.loads(run.out)["rows"] == {"read": 3, "evaluated": 3, "rejected": 0}
    assert not Path("-").exists()


def test_replaced_report_keeps_its_mode_and_long_names_fit(export, tmp_path):
    report = tmp_path / "report.json"
    report.write_text("old")
    report.chmod(0o640)
    run = run_cli("audit", export, "--as-of", AS_OF, "--format", "json", "--output", report)
    assert run.code == 1 and json.loads(report.read_text())["as_of"] == AS_OF
    assert report.stat().st_mode & 0o777 == 0o640
    # A 250-byte name (the limit is 255): the temporary name beside it must fit too.
    long = tmp_path / ("r" * 245 + ".json")
    run = run_cli("audit", export, "--as-of", AS_OF, "--format", "json", "--output", long)
    assert run.code == 1 and json.loads(long.read_text())["as_of"] == AS_OF
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["export.csv", "report.json", long.name])


def test_sigterm_while_writing_removes_the_temporary_file(export, tmp_path, monkeypatch):
    import sendcheck.views.files as files

    report = tmp_path / "report.json"
    report.write_text("yesterday's report")
    real_replace = os.replace

    def replace_then_terminated(src, dst):
        assert Path(src).parent == tmp_path and Path(src).name.startswith(".report.json.")
        os.kill(os.getpid(), signal.SIGTERM)  # arrives as the rename is about to happen
        time.sleep(1)
        real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", replace_then_terminated)
    run = run_cli("audit", export, "--as-of", AS_OF, "--format", "json", "--output", report)
    assert one_line(run, 2) == "Error: interrupted"
    assert report.read_text() == "yesterday's report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.csv", "report.json"]
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handler is put back


# ---------------------------------------------------------------- 2. values blanked silently


def test_excel_error_cells_and_odd_serials_are_findings_not_blanks(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[0][7] = "#N/A"  # request date (R1, row 2)
    rows[1][6] = "#REF!"  # caseworker (R2, row 3)
    rows[1][8] = "#VALUE!"  # request outcome (R2, row 3)
    rows[2][9] = 33333  # decision date (R3, row 4), made 1E+20 below
    extra = [["R4", "P4", "", "", "", "", "Omar Khan", 44444, "Agreed", 55555],
             ["R5", "P5", "", "", "", "", "Omar Khan", 66666, "", ""],
             ["R6", "P6", "", "", "", "", "Omar Khan", "#DIV/0!", "", ""]]
    data = xlsx_bytes(rows + extra, date_cols=(8, 10))
    odd = {b"33333": b"1E+20", b"44444": b"-1E+300", b"55555": b"NaN", b"66666": b"99999999999"}

    def edit(xml: bytes) -> bytes:
        for placeholder, value in odd.items():
            xml = xml.replace(b"<v>" + placeholder + b"</v>", b"<v>" + value + b"</v>")
        return xml

    path = tmp_path / "export.xlsx"
    path.write_bytes(patch_member(data, SHEET, edit))
    run, doc = audit_json(path)
    assert one_line(run, 0).startswith("sendcheck: 2025-03-31 export.xlsx 6 rows read")
    assert doc["rows"] == {"read": 6, "evaluated": 6, "rejected": 0}
    assert findings(doc, "DQ01") == [
        ("R1", 2, "invalid", "request_received_date: '#N/A' is an Excel error cell, not a date"),
        ("R3", 4, "invalid", "request_outcome_date: '1E+20' is a number outside any Excel date"),
        ("R4", 5, "invalid", "request_outcome_date: 'NaN' is a number outside any Excel date"),
        ("R4", 5, "invalid", "request_received_date: '-1E+300' is a number outside any Excel date"),
        ("R5", 6, "invalid", "request_received_date: '99999999999' is a number outside any Excel "
                             "date"),
        ("R6", 7, "invalid", "request_received_date: '#DIV/0!' is an Excel error cell, not a date"),
    ]
    assert findings(doc, "DQ19") == [
        ("R2", 3, "invalid", "caseworker: '#REF!' is an Excel error cell (a formula that failed), "
                             "not a value")]
    assert findings(doc, "DQ10") == [
        ("R2", 3, "invalid", "request_outcome: '#VALUE!' is not a known value")]
    # Nothing blanked: the rules that read those cells are invalid, never judged on a blank.
    # R2's outcome is unknown (DQ10), but AS01 needs only its dates: 10 Jan 2025 + 42 days =
    # 21 Feb 2025, no decision by 31 Mar: 38 days overdue.
    as01 = {f["record_id"]: (f["status"], f["days_over"]) for f in doc["findings"]
            if f["rule"] == "AS01"}
    assert as01 == {"R1": ("invalid", None), "R2": ("overdue", 38), "R3": ("invalid", None),
                    "R4": ("invalid", None), "R5": ("invalid", None), "R6": ("invalid", None)}
    no_leak(run.err, run.out)


def test_excel_error_text_in_a_csv_is_named_too(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[0][7] = "#N/A"
    path = write_csv(tmp_path / "export.csv", rows)
    run, doc = audit_json(path)
    assert findings(doc, "DQ01") == [
        ("R1", 2, "invalid", "request_received_date: '#N/A' is an Excel error cell, not a date")]


# ---------------------------------------------------------------- 3. native aborts, bounds


def test_stray_cell_at_the_last_cell_is_refused_not_an_abort(tmp_path):
    stray = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    path = tmp_path / "export.xlsx"
    path.write_bytes(patch_member(xlsx_bytes(ROWS), SHEET,
                                  lambda xml: xml.replace(b"</sheetData>", stray)))
    assert path.stat().st_size < 10_000
    run = subprocess_cli(["audit", path, "--as-of", AS_OF, "--format", "json"], tmp_path)
    assert run.returncode == 2, run.stderr
    assert run.stderr.splitlines() == [
        "Error: export.xlsx sheet 'Cases': values reach XFD1048576 (1,048,576 rows x 16,384 "
        "columns, over the limit of 50,000,000 cells): delete the stray cells beyond the table, "
        "or save the sheet as CSV"]
    assert run.stdout == ""


def test_an_empty_formatted_cell_far_away_is_no_extent(tmp_path):
    """calamine passes over a cell with formatting and no value: so does the extent check."""
    stray = b'<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData>'
    path = tmp_path / "export.xlsx"
    path.write_bytes(patch_member(xlsx_bytes(ROWS), SHEET,
                                  lambda xml: xml.replace(b"</sheetData>", stray)))
    run, doc = audit_json(path)
    assert one_line(run, 0).startswith("sendcheck: 2025-03-31 export.xlsx 3 rows read")
    assert doc["rows"] == {"read": 3, "evaluated": 3, "rejected": 0}


@pytest.mark.parametrize("name,tail,message", [
    ("nul.csv", "R9,06/01/2025,\x00\x00\x00" + "\x00" * 100_000 + "\r\n",
     "Error: nul.csv: line 2004: a NUL character (binary content): not a text table; is it "
     "really a CSV?"),
    ("blanks.csv", "R9," + " " * (17 << 20) + "\r\n",
     "Error: blanks.csv: line 2004 is 17,825,795 characters long, over the limit of 16,777,216: "
     "not an export row"),
    ("lines.csv", "\r\n" * 5_000_000,
     "Error: lines.csv: 5,002,003 lines, over the limit of 5,000,000 rows: not one export (split "
     "it, or remove the blank lines)"),
])
def test_csv_beyond_the_bounds_is_refused(tmp_path, name, tail, message):
    # 2,002 good rows (past the 64 KB the encoding is sniffed from), then the hostile part.
    path = tmp_path / name
    path.write_text(csv_text([ROWS[0]] * 2002) + tail, encoding="utf-8")
    assert one_line(run_cli("audit", path, "--as-of", AS_OF), 2) == message


def test_zip_bomb_is_refused_before_it_inflates(tmp_path):
    data = xlsx_bytes(ROWS)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, src.read(item.filename))
        dst.writestr("xl/media/padding.bin", bytes(150 << 20))  # 150 MB of zeros: 150 KB packed
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(out.getvalue())
    assert path.stat().st_size < 1 << 20
    line = one_line(run_cli("audit", path, "--as-of", AS_OF), 2)
    assert re.fullmatch(r"Error: bomb\.xlsx: xl/media/padding\.bin inflates to 150 MB from 0 MB "
                        r"\(limit 2,048 MB, or 200 times\): a zip bomb or a damaged workbook", line)


def test_endless_inputs_are_refused(tmp_path):
    zero = tmp_path / "export.csv"
    zero.symlink_to("/dev/zero")
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    message = "Error: {}: not a regular file (a device, pipe or socket); give the export file itself"
    run = subprocess_cli(["audit", zero, "--as-of", AS_OF], tmp_path)  # memory capped
    assert run.returncode == 2 and run.stderr.splitlines() == [message.format(zero)]

    def hung(*_):
        raise TimeoutError("blocked on the FIFO")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)
    try:
        assert one_line(run_cli("audit", fifo, "--as-of", AS_OF), 2) == message.format(fifo)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


# ---------------------------------------------------------------- 4. personal data on stderr


def test_a_parse_error_names_file_and_line_never_the_row(tmp_path):
    path = tmp_path / "export.csv"
    text = csv_text(ROWS).replace("R2,P2,Barnaby", 'R2,P2,"Barnaby')  # a quote never closed
    path.write_text(text, encoding="utf-8")
    run = run_cli("audit", path, "--as-of", AS_OF)
    assert one_line(run, 2) == ("Error: export.csv: could not read as CSV: a quoted field opened "
                                "on line 3 is never closed; check the quotes on that line")
    no_leak(run.err)


def test_an_unreadable_birth_date_is_reported_without_it(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[0][5] = "01/01/1890"  # outside the plausible years: the year must not be quoted
    path = write_csv(tmp_path / "export.csv", rows)
    run, doc = audit_json(path)
    assert findings(doc, "DQ01") == [
        ("R1", 2, "invalid", "birth_date: the value (not shown) is not a readable date")]
    no_leak(run.err, run.out)


# ---------------------------------------------------------------- 5. injection, forged lines


@pytest.mark.parametrize("value", ["=HYPERLINK(1)", "+1+1", "-1+1", "@SUM(A1)",
                                   "\x01=HYPERLINK(1)", "＝1+1", "  =1+1", "＋1",
                                   "－1", "＠SUM(A1)", "\u200b=1+1", "\t=1"])
def test_formulas_after_control_or_full_width_characters_are_neutralised(tmp_path, value):
    rows = [list(r) for r in ROWS]
    rows[1][6] = f'"{value}"'  # R2's caseworker, overdue: in every format's findings
    path = write_csv(tmp_path / "export.csv", rows)
    run = run_cli("audit", path, "--as-of", AS_OF, "--format", "csv")
    import polars as pl

    found = pl.read_csv(io.StringIO(run.out), comment_prefix="#", infer_schema=False)
    cells = found.filter(pl.col("record_id") == "R2").get_column("caseworker").unique().to_list()
    assert cells == ["'" + value.strip()]  # the reader strips the spaces around a name
    from openpyxl import load_workbook

    out = tmp_path / "report.xlsx"
    assert run_cli("audit", path, "--as-of", AS_OF, "--format", "xlsx", "-o", out).code == 1
    wb = load_workbook(out)
    shown = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", value.strip())  # not legal in XML
    texts = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and shown in c.value}
    assert texts and all(t.startswith("'") for t in texts), texts
    assert all(c.data_type != "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)


def test_a_newline_in_a_file_name_forges_no_line(tmp_path):
    name = 'x\n[audit]\ndue_within = 1\n"q.csv'
    path = write_csv(tmp_path / name)
    shown = json.dumps(name)  # "x\n[audit]\ndue_within = 1\n\"q.csv"
    run = run_cli("audit", path, "--as-of", AS_OF, "--format", "csv")
    assert one_line(run, 1) == (f"sendcheck: 2025-03-31 {shown} 3 rows read, 3 evaluated, 0 "
                                f"rejected: {CRON_TAIL}")
    assert run.out.startswith("rule,kind,status,record_id")
    import csv

    # The header and R2's AS01 finding; the name is a quoted field, whole, not a row of its own.
    header, *rows = list(csv.reader(io.StringIO(run.out)))
    assert [(r[0], r[3], r[header.index("source")]) for r in rows] == [("AS01", "R2", name)]
    md = run_cli("audit", path, "--as-of", AS_OF, "--format", "markdown").out
    escaped = shown.replace("\\", "\\\\")  # Markdown's own escape: renders as `shown`
    assert [ln for ln in md.splitlines() if ln.startswith("Sources")] == [
        f"Sources: {escaped}, 3 rows. Rows read 3, checked 3, set aside as blank or a footer 0. "
        f"Made by sendcheck 0.1.0."]
    table = run_cli("audit", path, "--as-of", AS_OF).out
    assert f"input: {json.dumps(str(path))}: 3 rows" in table
    # init's TOML: the name stays inside its comment; no live key comes from it.
    target = tmp_path / "sendcheck.toml"
    run = run_cli("init", path, "--output", target)
    assert run.code == 0, run.err
    parsed = tomllib.loads(target.read_text())
    assert parsed.get("audit", {}) == {} and set(parsed) <= {"columns", "audit"}


# ---------------------------------------------------------------- 6. signals


def _handler_installed(pid: int) -> bool:
    """SIGTERM is caught (sendcheck's handler installed): bit 15 of SigCgt in /proc."""
    status = Path(f"/proc/{pid}/status").read_text()
    caught = int(re.search(r"^SigCgt:\s*([0-9a-f]+)$", status, re.M).group(1), 16)
    return bool(caught & (1 << (signal.SIGTERM - 1)))


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_mid_run_exits_2_with_one_line(tmp_path, sig):
    path = tmp_path / "export.csv"
    path.write_text(csv_text(ROWS * 20_000), encoding="utf-8")  # 60,000 rows: seconds of work
    report = tmp_path / "report.json"
    proc = subprocess.Popen([sys.executable, "-m", "sendcheck", "audit", str(path), "--as-of",
                             AS_OF, "--format", "json", "--output", str(report)], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(3000):  # until the handler is installed (at most 30 s on a slow machine)
        if proc.poll() is not None or _handler_installed(proc.pid):
            break
        time.sleep(0.01)
    assert proc.poll() is None, "finished before it could be interrupted"
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2, err
    assert err.splitlines() == ["Error: interrupted"] and out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.csv"]


# ---------------------------------------------------------------- 7. codes


@pytest.mark.parametrize("code,message", [
    ("as05", "code as05 is already used by"),
    ("As01", "code As01 is already used by"),
    ("DQ99", "code DQ99: DQ codes are the data-quality checks'; give the rule another prefix "
             "(e.g. LC01)"),
    ("dq01", "code dq01: DQ codes are the data-quality checks'"),
])
def test_local_rule_may_not_take_a_built_in_or_dq_code(export, tmp_path, code, message):
    folder = tmp_path / "local"
    folder.mkdir()
    from test_cli import BAD_RULE  # a valid local rule file, as code LC01

    (folder / f"{code}.toml").write_text(
        BAD_RULE.format(limit="18w", extra="").replace('code = "LC01"', f'code = "{code}"'))
    line = one_line(run_cli("audit", export, "--rules-dir", folder), 2)
    assert line.startswith(f"Error: rule file {folder / (code + '.toml')}: ") and message in line


# ---------------------------------------------------------------- 8. configuration types


WRONG = {"int": "5", "float": "1.5", "bool": "true", "text": '"x"', "list": "[1, 2]",
         "table": "{ a = 1 }", "date": "2025-01-01"}
# (TOML with {v} for the value, the key the message names, the value kinds that are right)
KEYS = [
    ("columns = {v}", "columns", {"table"}),
    ('[columns]\n"Case Ref" = {v}', "columns.Case Ref", {"text"}),
    ("values = {v}", "values", {"table"}),
    ("[values]\nrequest_outcome = {v}", "values.request_outcome", {"table"}),
    ("[values.request_outcome]\nYes = {v}", "values.request_outcome.Yes", {"text"}),
    ("caseload = {v}", "caseload", {"table"}),
    *[(f"[caseload]\n{k} = {{v}}", f"caseload.{k}", {"int"})
      for k in ("plans_per_caseworker", "assessments_per_caseworker", "review_weeks")],
    ("audit = {v}", "audit", {"table"}),
    ("[audit]\ndue_within = {v}", "audit.due_within", {"int"}),
    ("[audit]\nselect = {v}", "audit.select", set()),
    ("[audit]\nignore = {v}", "audit.ignore", set()),
    ("suppress = {v}", "suppress", set()),
    *[("[[suppress]]\n" + "\n".join(f"{f} = {{v}}" if f == k else f'{f} = "{d}"'
                                    for f, d in (("record_id", "R1"), ("rule", "AS05"),
                                                 ("reason", "checked"))) +
       ('\nkind = {v}' if k == "kind" else ""), f"suppress[1].{k}", {"text"})
      for k in ("record_id", "rule", "reason", "kind")],
    ("phase_transfer = {v}", "phase_transfer", {"table"}),
    ("[phase_transfer]\nyears = {v}", "phase_transfer.years", {"list"}),
]


@pytest.mark.parametrize("template,key,right", KEYS, ids=[k for _, k, _ in KEYS])
def test_config_value_of_the_wrong_type_names_key_and_type(export, tmp_path, template, key, right):
    config = tmp_path / "sendcheck.toml"
    for kind, literal in WRONG.items():
        if kind in right:
            continue
        config.write_text(template.format(v=literal) + "\n")
        line = one_line(run_cli("audit", export, "--config", config), 2)
        assert line.startswith(f"Error: sendcheck.toml: {key}") and "expected" in line, (kind, line)
        assert "internal error" not in line


# ---------------------------------------------------------------- 9. workbooks, encodings


def test_chart_sheet_first_is_passed_over(tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_bytes(xlsx_bytes(ROWS, chart_first=True))
    run, doc = audit_json(path)
    assert one_line(run, 0).startswith("sendcheck: 2025-03-31 export.xlsx 3 rows read")
    assert doc["inputs"][0]["sheet"] == "Cases" and doc["rows"]["evaluated"] == 3
    table = run_cli("audit", path, "--as-of", AS_OF).out
    assert "sheet 'Chart1' passed over (a chartsheet); read 'Cases', the first worksheet" in table
    line = one_line(run_cli("audit", path, "--sheet", "Chart1"), 2)
    assert line == ("Error: export.xlsx: sheet 'Chart1' is a chartsheet, not a table (worksheets: "
                    "'Cases'; choose one with --sheet)")


@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "ascii"},
                                 {"LANG": "C", "LC_ALL": "C", "PYTHONIOENCODING": ""}],
                         ids=["ascii", "C-locale"])
def test_stdout_that_cannot_encode_a_name_does_not_fail(tmp_path, env):
    path = write_csv(tmp_path / "export.csv")
    run = subprocess_cli(["audit", path, "--as-of", AS_OF, "--format", "json"], tmp_path, env)
    assert run.returncode == 1, run.stderr
    assert run.stderr.splitlines() == [
        f"sendcheck: 2025-03-31 export.csv 3 rows read, 3 evaluated, 0 rejected: {CRON_TAIL}"]
    doc = json.loads(run.stdout)
    assert {f["caseworker"] for f in doc["findings"] if f["rule"] == "AS01"} >= {"Omar Khan"}
    if "LANG" in env:
        return  # Python reads a C locale as UTF-8 (PEP 538): the table below is ascii's case
    run = subprocess_cli(["caseload", path, "--as-of", AS_OF], tmp_path, env)
    assert run.returncode == 0, run.stderr
    assert "Zo" in run.stdout and "Bront" in run.stdout


# ---------------------------------------------------------------- 10. footer rows


FOOTERS = [["Total: 3"], ["Total:", "3"], [], ["Report generated by Capita One on 01/03/2025 09:14"],
           ["Page 1 of 1"], ["End of report"]]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_footer_rows_are_rejected_with_their_reason(tmp_path, kind):
    path = tmp_path / f"export.{kind}"
    if kind == "csv":
        path.write_text(csv_text(ROWS + FOOTERS), encoding="utf-8")
    else:
        path.write_bytes(xlsx_bytes(ROWS + FOOTERS))
    run, doc = audit_json(path)
    assert one_line(run, 0) == (f"sendcheck: 2025-03-31 export.{kind} 9 rows read, 3 evaluated, 6 "
                                f"rejected: {CRON_TAIL}")
    # Rows 2-4 are episodes; 5, 6, 8, 9, 10 footers; 7 blank: 9 read = 3 evaluated + 6 rejected.
    assert doc["rows"] == {"read": 9, "evaluated": 3, "rejected": 6}
    assert doc["rejected_rows"] == {"blank": 1, "footer": [
        {"source": f"export.{kind}", "row": 5, "text": "Total: 3"},
        {"source": f"export.{kind}", "row": 6, "text": "Total: 3"},
        {"source": f"export.{kind}", "row": 8, "text": "Report generated by Capita One on 01/03/2025 09:14"},
        {"source": f"export.{kind}", "row": 9, "text": "Page 1 of 1"},
        {"source": f"export.{kind}", "row": 10, "text": "End of report"}]}
    assert {f["row"] for f in doc["findings"]} <= {2, 3, 4}
    table = run_cli("audit", path, "--as-of", AS_OF).out
    assert "rows: 9 read, 3 evaluated, 6 rejected (1 blank, 5 footer)" in table
    assert "row 5 rejected: a report footer ('Total: 3'), not an episode" in table
