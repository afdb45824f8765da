"""Reading a case-management export (CSV or Excel) into one all-text table with canonical
headers; SEN2 returns are handed to read/sen2.py."""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl

from sendcheck.errors import SendcheckError
from sendcheck.read.limits import check_text, read_input, require_regular
from sendcheck.read.sheets import (
    DELIMITERS,
    ENCRYPTED_STREAM,
    OLE_MAGIC,
    HEADER_SCAN_ROWS,
    Table,
    build_table,
    check_xlsx,
    csv_error,
    find_header,
    head_text,
    header_index,
    header_score,
    is_blank_text,
    pick_sheet,
    scan_rows,
    utf8_bytes,
)


WORKBOOKS = (".xlsx", ".xlsm", ".xls", ".ods")


def read_csv(path: Path, index: dict[str, str], sha: str, data: bytes) -> Table:
    where = path.name
    # Bytes throughout: polars parses UTF-8 bytes itself, so no string of the whole file is made.
    data, encoding = utf8_bytes(data, where)
    if is_blank_text(data):
        raise SendcheckError(f"{where}: the file is empty")
    check_text(data, where)
    head_lines = head_text(data, 1 << 20).split("\n")[:HEADER_SCAN_ROWS]
    best: tuple[int, int, str, int] | None = None  # (score, columns, delimiter, header line)
    for delim in DELIMITERS:
        rows = scan_rows(head_lines, delim)
        scores = [header_score(r, index) for r in rows]
        if not scores:
            continue
        top = max(scores)
        at = scores.index(top)
        key = (top, len(rows[at]), delim, at)
        if best is None or key[:2] > best[:2]:
            best = key
    if best is None or best[0] == 0:  # raises the standard message, naming what the file seems
        widest = max((scan_rows(head_lines, d) for d in DELIMITERS),
                     key=lambda rows: max((len(r) for r in rows), default=0))
        find_header(widest, index, where)
    _, _, delim, at = best
    try:
        raw = pl.read_csv(
            data, has_header=False, skip_rows=at, infer_schema=False,
            separator=delim, truncate_ragged_lines=True, quote_char='"', raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        # Only when polars refused the file: the text is made to find the line that is wrong.
        raise csv_error(data.decode("utf-8", "replace"), delim, at, where) from None
    return build_table(raw, 0, at + 1, index, path, None, sha, encoding=encoding, delimiter=delim)



def check_book(path: Path, data: bytes):
    """The workbook checked within the bounds of its kind (read/sheetscan.py for .xlsx,
    read/books.py for .xls and .ods) before calamine reads any sheet of it."""
    import fastexcel

    from sendcheck.read.books import check_ods, check_xls, xls_book

    where, suffix = path.name, path.suffix.lower()
    if suffix == ".ods":
        if not data.startswith(b"PK"):
            raise SendcheckError(f"{where}: not an .ods spreadsheet (it is not a zip package)")
        return check_ods(data, where)
    if suffix != ".xls":
        return check_xlsx(path, data)
    if not data.startswith(OLE_MAGIC):
        raise SendcheckError(f"{where}: not an Excel 97-2003 (.xls) workbook")
    if ENCRYPTED_STREAM in data:
        raise SendcheckError(f"{where}: the workbook is password-protected; save an unprotected copy")
    firsts = check_xls(data, where)
    try:
        names = fastexcel.read_excel(data).sheet_names
    except Exception as exc:  # its message can quote cells: only its kind is shown
        raise SendcheckError(f"{where}: could not read the workbook ({type(exc).__name__}); "
                             f"open it in Excel and save it as .xlsx") from None
    return xls_book(data, names, firsts)


def read_excel(path: Path, index: dict[str, str], sha: str, data: bytes,
               sheet: str | None) -> Table:
    """An .xlsx, .xlsm, .xls or .ods: one fastexcel call, every cell as text, under the bounds
    of its kind (check_book)."""
    import fastexcel

    where = path.name
    book = check_book(path, data)
    at, name, notes = pick_sheet(book, sheet, where)
    try:
        reader = fastexcel.read_excel(book.data)
        raw = reader.load_sheet(at, header_row=None, dtypes="string").to_polars()
    except Exception as exc:  # fastexcel raises its own hierarchy; any failure here is the file's
        # Its message can quote cell text (names, dates of birth): only its kind is shown.
        raise SendcheckError(f"{where}: could not read sheet {name!r} ({type(exc).__name__}); "
                             f"open it in Excel and save it again, or export it as CSV") from None
    if raw.height == 0:
        raise SendcheckError(f"{where}: sheet {name!r} is empty")
    rows = [list(r) for r in raw.head(HEADER_SCAN_ROWS).iter_rows()]
    others = [s.name for s in book.sheets if s.name != name and s.kind == "worksheet"]
    header_at = find_header(rows, index, f"{where} sheet {name!r}"
                            + (f" (other sheets: {', '.join(others)}; choose one with --sheet)"
                               if others and sheet is None else ""))
    return build_table(raw, header_at, book.scans[name].first_row, index, path, name, sha,
                       notes=notes)


def read_export(path: str | Path, sheet: str | None = None,
                config_columns: dict[str, str] | None = None) -> Table:
    """Read one export; whole-file problems raise SendcheckError (exit 2)."""
    path = require_regular(path)
    if path.is_dir() or path.suffix.lower() == ".xml":  # SEN2: a folder of module CSVs, the XML
        from sendcheck.read.sen2 import read_sen2_path

        sen2 = read_sen2_path(path, config_columns)
        if sen2 is not None:
            return sen2
    if path.is_dir():
        raise SendcheckError(f"{path}: is a folder, not an export file")
    suffix = path.suffix.lower()
    if suffix in (".numbers", ".xlsb"):
        raise SendcheckError(f"{path.name}: {suffix} files are not supported; save as .xlsx or .csv")
    if suffix not in (".csv", ".txt", *WORKBOOKS):
        raise SendcheckError(f"{path.name}: unsupported file type {suffix or '(none)'}; "
                             f"give a .csv, .xlsx, .xlsm, .xls or .ods export")
    data = read_input(path)
    if not data or data.isspace():  # only ASCII whitespace (as `not data.strip()`, with no copy)
        raise SendcheckError(f"{path.name}: the file is empty")
    sha = hashlib.sha256(data).hexdigest()
    from sendcheck.read.sen2 import read_sen2_data  # SEN2 module CSVs and workbook

    sen2 = read_sen2_data(path, data, sha, config_columns)
    if sen2 is not None:
        return sen2
    index = header_index(config_columns)
    if suffix in WORKBOOKS:
        return read_excel(path, index, sha, data, sheet)
    return read_csv(path, index, sha, data)
