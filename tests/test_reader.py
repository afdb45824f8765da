"""Reading council-shaped exports: title rows, Excel date cells and serials, Windows CSVs."""

from __future__ import annotations

import datetime as dt

import openpyxl
import polars as pl
import pytest
from conftest import run_cli

from sendcheck.audit import Options, run_audit
from sendcheck.errors import SendcheckError
from sendcheck.read.export import read_export

HEADERS = ["Case Ref", "Child ID", "EHC Co-ordinator", "Date Request Received",
           "Decision to Assess", "Date of Decision to Assess", "Final EHCP Issued",
           "20 Week Exception", "Exception Reason"]
# (values as a council export holds them; dates as date objects where Excel has date cells)
ROWS = [
    ["R-1", "P-1", "A. Khan", dt.date(2025, 1, 6), "Agreed", dt.date(2025, 2, 17), dt.date(2025, 5, 26), 0, None],
    ["R-2", "P-2", "A. Khan", dt.date(2025, 1, 6), "Agreed", "18/02/2025", "27/05/2025", "No", None],
    ["R-3", "P-3", "B. Lee", "TBC", "Refused", "01/03/2025", None, None, None],
    ["R-4", "P-4", None, 45663, "Agreed", "17/02/25", None, 1, None],  # 45663 = Excel 2025-01-06
]


def _csv_value(v: object) -> str:
    if isinstance(v, dt.date):
        return v.strftime("%d/%m/%Y")
    return "" if v is None else str(v)


def write_xlsx(path, rows=ROWS, title=True):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Cases"
    if title:
        ws.append(["Open EHC needs assessments"])
        ws.append(["Run on 31/03/2025 by SEND Performance"])
        ws.append([])
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, dt.date):
                cell.number_format = "dd/mm/yyyy"
    wb.save(path)
    return path


def write_csv(path, rows=ROWS, encoding="utf-8", delimiter=",", newline="\r\n", title=True):
    lines = []
    if title:
        lines += ["Open EHC needs assessments", "Run on 31/03/2025"]
    lines.append(delimiter.join(HEADERS))
    lines += [delimiter.join(_csv_value(v) for v in r) for r in rows]
    path.write_bytes(newline.join(lines).encode(encoding) + newline.encode())
    return path


def _statuses(audit, code="AS05"):
    res = audit.results.filter(pl.col("rule") == code).join(
        audit.episodes.select("_idx", "record_id"), on="_idx")
    return dict(zip(res["record_id"], res["status"]))


def test_xlsx_title_rows_and_header_row_found(tmp_path):
    table = read_export(write_xlsx(tmp_path / "export.xlsx"))
    assert table.header_row == 4
    assert table.sheet == "Cases"
    assert table.frame["_row"].to_list() == [5, 6, 7, 8]
    assert table.mapping["request_received_date"] == "Date Request Received"
    assert table.mapping["caseworker"] == "EHC Co-ordinator"


def test_xlsx_date_cells_serials_and_text_all_read(tmp_path):
    audit = run_audit([write_xlsx(tmp_path / "e.xlsx")], Options(as_of=dt.date(2025, 6, 30)))
    ep = audit.episodes.sort("_idx")
    assert ep["request_received_date"].to_list() == [
        dt.date(2025, 1, 6), dt.date(2025, 1, 6), None, dt.date(2025, 1, 6)]
    assert ep["request_outcome_date"].to_list() == [
        dt.date(2025, 2, 17), dt.date(2025, 2, 18), dt.date(2025, 3, 1), dt.date(2025, 2, 17)]
    assert ep["request_received_date__err"].to_list() == [None, None, "not a date", None]
    # R-1 on the due day; R-2 a day late; R-3 refused but its request date is unreadable;
    # R-4 flagged exception with no reason (excepted for AS05, as DfE counts it)
    assert _statuses(audit) == {"R-1": "met", "R-2": "late", "R-3": "invalid", "R-4": "excepted"}


def test_csv_and_xlsx_of_the_same_data_give_the_same_findings(tmp_path):
    opts = Options(as_of=dt.date(2025, 6, 30))
    a = run_audit([write_xlsx(tmp_path / "e.xlsx")], opts)
    b = run_audit([write_csv(tmp_path / "e.csv")], opts)
    cols = ["rule", "kind", "status", "_idx", "start", "due", "done", "days_over", "exception"]
    assert a.results.select(cols).equals(b.results.select(cols))
    assert a.quality.equals(b.quality)


def test_windows_1252_semicolon_csv(tmp_path):
    rows = [r[:] for r in ROWS]
    rows[0][2] = "Zoë Brontë"
    path = write_csv(tmp_path / "w.csv", rows, encoding="cp1252", delimiter=";")
    table = read_export(path)
    assert table.encoding == "windows-1252"
    assert table.delimiter == ";"
    assert table.frame["caseworker"][0] == "Zoë Brontë"
    assert table.header_row == 3


def test_utf8_bom_csv(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfDate Request Received,Case Ref\r\n06/01/2025,R-1\r\n")
    table = read_export(path)
    assert table.mapping == {"request_received_date": "Date Request Received", "record_id": "Case Ref"}
    assert table.frame["record_id"].to_list() == ["R-1"]


def test_unreadable_dates_reported_with_column_and_row(tmp_path):
    audit = run_audit([write_csv(tmp_path / "e.csv")], Options(as_of=dt.date(2025, 6, 30)))
    dq = audit.quality.filter(pl.col("check") == "DQ01").join(
        audit.episodes.select("_idx", "_row"), on="_idx")
    assert dq.select("column", "_row", "message").rows() == [
        ("request_received_date", 6, "request_received_date: 'TBC' is not a date")]  # title 1-2, header 3


def test_blank_rows_counted_not_evaluated(tmp_path):
    rows = ROWS[:2] + [[None] * len(HEADERS)] + ROWS[2:]
    table = read_export(write_xlsx(tmp_path / "b.xlsx", rows))
    assert (table.rows, table.blank_rows, table.frame.height) == (5, 1, 4)
    assert table.frame["_row"].to_list() == [5, 6, 8, 9]


def test_sheet_option(tmp_path):
    path = write_xlsx(tmp_path / "s.xlsx")
    assert read_export(path, sheet="Cases").sheet == "Cases"
    with pytest.raises(SendcheckError, match="no sheet named 'Other'"):
        read_export(path, sheet="Other")


def test_config_maps_an_unusual_header(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("Case Ref,Date EHCNA Request Logged\nR-1,06/01/2025\n")
    with pytest.raises(SendcheckError):
        read_export(path.with_name("none.csv"))
    table = read_export(path, config_columns={"Date EHCNA Request Logged": "request_received_date"})
    assert table.mapping["request_received_date"] == "Date EHCNA Request Logged"


def test_two_headers_for_one_column_is_an_error(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("Case Officer,EHC Co-ordinator,Date Request Received\nA,B,06/01/2025\n")
    with pytest.raises(SendcheckError, match="two columns map to caseworker"):
        read_export(path)


@pytest.mark.parametrize("name,content,message", [
    ("empty.csv", b"", "the file is empty"),
    ("blank.csv", b"\r\n\r\n", "the file is empty"),
    ("noise.csv", bytes(range(256)) * 10, "not a text table"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "could not read the workbook"),
    ("old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "legacy Excel 97-2003"),
    ("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"),
     "password-protected"),
    ("notzip.xlsx", b"hello, world", "not an .xlsx workbook"),
    ("report.ods", b"PK\x03\x04", "damaged or truncated"),
    ("notzip.ods", b"hello, world", "not an .ods spreadsheet"),
    ("notole.xls", b"hello, world", "not an Excel 97-2003 (.xls) workbook"),
    ("table.txt.json", b"{}", "unsupported file type .json"),
    ("no_headers.csv", b"a,b,c\n1,2,3\n", "no recognisable column header"),
])
def test_bad_input_exits_2_with_one_line(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    run = run_cli("audit", path, "--as-of", "2025-03-31")
    assert run.code == 2
    assert run.out == ""
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], run.err


def test_truncated_xlsx_exits_2(tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx").read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(good[: len(good) // 2])
    run = run_cli("audit", path)
    assert run.code == 2
    assert run.err.count("\n") == 1 and "damaged or truncated" in run.err


def test_ods_renamed_xlsx_exits_2(tmp_path):
    import zipfile

    path = tmp_path / "calc.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<x/>")
    run = run_cli("audit", path)
    assert run.code == 2 and "OpenDocument spreadsheet" in run.err


def test_sheet_starting_below_and_right_keeps_real_row_numbers(tmp_path):
    # calamine starts its range at the first used cell (C3 here); the rows reported must be the
    # spreadsheet's own: header on row 3, the case on row 4.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["C3"], ws["D3"] = "Case Ref", "Date Request Received"
    ws["C4"], ws["D4"] = "R-1", dt.date(2025, 1, 6)
    wb.save(tmp_path / "offset.xlsx")
    table = read_export(tmp_path / "offset.xlsx")
    assert table.header_row == 3
    assert table.frame["_row"].to_list() == [4]
