"""The other workbooks calamine reads, `.xls` (Excel 97-2003) and `.ods` (OpenDocument), checked
before fastexcel sees them: within the same bounds as an `.xlsx`, and where each sheet's table
starts (calamine drops leading empty rows, so the spreadsheet row is found here).

calamine allocates a sheet's whole declared extent and has aborted the process on `.xls` files
declaring absurd ones (tafia/calamine#444, #174). An `.xls` is an OLE2 file, not a zip: it is
bounded by its size and by each sheet's DIMENSIONS record (BIFF8 holds at most 65,536 rows of
256 columns). An `.ods` is a zip package: its members are bounded as an `.xlsx`'s, and its
content is streamed once to count the cells a repeated row or cell would make calamine fill.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from xml.parsers import expat

from sendcheck.errors import SendcheckError
from sendcheck.read.limits import DAMAGED, MAX_CELLS, check_package, member_chunks
from sendcheck.read.sheetscan import Sheet, SheetScan, Workbook

# A legacy workbook bigger than this is not an export: BIFF8 holds 65,536 rows of 256 columns,
# and real exports of that shape are tens of megabytes.
MAX_XLS_BYTES = 256 << 20
XLS_ROWS, XLS_COLUMNS = 65_536, 256
# BIFF8 DIMENSIONS: record 0x0200 of 14 bytes: first row, one past the last row (32-bit), first
# column, one past the last column (16-bit), reserved.
_DIMENSIONS = re.compile(rb"\x00\x02\x0e\x00(.{14})", re.S)
_ODS_NS = "urn:oasis:names:tc:opendocument:xmlns:"


def check_xls(data: bytes, where: str) -> list[int]:
    """An `.xls` within bounds (checked before calamine opens it): each sheet's first row, in
    order, from its DIMENSIONS record."""
    if len(data) > MAX_XLS_BYTES:
        raise SendcheckError(f"{where}: {len(data) >> 20:,} MB, over the limit of "
                             f"{MAX_XLS_BYTES >> 20} MB for an .xls; save it as .xlsx or .csv")
    firsts = []
    for m in _DIMENSIONS.finditer(data):
        first, end, col_first, col_end, reserved = struct.unpack("<IIHHH", m.group(1))
        if reserved or first > end or col_first > col_end:
            continue  # these bytes only look like the record
        if end > XLS_ROWS or col_end > XLS_COLUMNS:
            raise SendcheckError(
                f"{where}: a sheet declares {end:,} rows x {col_end:,} columns, beyond what an "
                f".xls can hold ({XLS_ROWS:,} x {XLS_COLUMNS}): a damaged file; open it in Excel "
                f"and save it as .xlsx")
        firsts.append(first + 1)
    return firsts


def xls_book(data: bytes, names: list[str], firsts: list[int]) -> Workbook:
    """The checked `.xls` as the reader takes a workbook: its sheets (as calamine names them)
    and where each one's table starts."""
    return Workbook(data, [Sheet(n, "worksheet", None) for n in names],
                    {n: SheetScan(first_row=firsts[i] if i < len(firsts) else 1)
                     for i, n in enumerate(names)})


def check_ods(data: bytes, where: str) -> Workbook:
    """An `.ods` package within bounds, every member whole, and each table's cells counted as
    calamine would fill them (repeats included) against MAX_CELLS."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            check_package(zf, where)
            for info in zf.infolist():  # every CRC checked: a damaged member is found now
                if info.filename != "content.xml":
                    for _ in member_chunks(zf, info.filename, where):
                        pass
            if "content.xml" not in zf.namelist():
                raise SendcheckError(f"{where}: not an OpenDocument spreadsheet (no content.xml)")
            scans, names = _scan_ods(member_chunks(zf, "content.xml", where), where)
    except SendcheckError:
        raise
    except DAMAGED as exc:
        raise SendcheckError(f"{where}: the workbook is damaged or truncated "
                             f"({type(exc).__name__})") from None
    return Workbook(data, [Sheet(n, "worksheet", None) for n in names], scans)


def _scan_ods(chunks, where: str) -> tuple[dict[str, SheetScan], list[str]]:
    """(sheet name -> scan with its first row with a value, sheet names in order)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    names: list[str] = []
    scans: dict[str, SheetScan] = {}
    state = {"row": 0, "repeat": 1, "valued": False, "cells": 0}

    def attr(attrs: dict, name: str, default: str = "") -> str:
        return attrs.get(f"{_ODS_NS}table:1.0 {name}", default)

    def repeat(attrs: dict, name: str) -> int:
        text = attr(attrs, name, "1")
        return int(text) if text.isdigit() and len(text) < 10 else 10 ** 10

    def start(tag: str, attrs: dict) -> None:
        if tag == f"{_ODS_NS}table:1.0 table":
            names.append(attr(attrs, "name") or f"Sheet{len(names) + 1}")
            scans[names[-1]] = SheetScan(first_row=0)
            state["row"] = 0
        elif tag == f"{_ODS_NS}table:1.0 table-row" and names:
            state["repeat"], state["valued"] = repeat(attrs, "number-rows-repeated"), False
        elif tag == f"{_ODS_NS}table:1.0 table-cell" and names:
            if attrs.get(f"{_ODS_NS}office:1.0 value-type"):
                state["valued"] = True
                state["cells"] += repeat(attrs, "number-columns-repeated") * state["repeat"]
                if state["cells"] > MAX_CELLS:
                    raise SendcheckError(
                        f"{where} sheet {names[-1]!r}: its repeated cells make more than "
                        f"{MAX_CELLS:,} values (row {state['row'] + 1:,}): delete the stray "
                        f"cells beyond the table, or save the sheet as CSV")

    def end(tag: str) -> None:
        if tag == f"{_ODS_NS}table:1.0 table-row" and names:
            scan = scans[names[-1]]
            if state["valued"] and not scan.first_row:
                scan.first_row = state["row"] + 1
            state["row"] += state["repeat"]

    def doctype(name: str, *_: object) -> None:
        raise SendcheckError(f"{where}: a document type declaration in content.xml is refused "
                             f"(no spreadsheet has one)")

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.StartDoctypeDeclHandler = doctype
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise SendcheckError(f"{where}: content.xml is not well-formed XML at line "
                             f"{exc.lineno}: a damaged workbook") from None
    finally:
        parser.StartElementHandler = parser.EndElementHandler = None
        parser.StartDoctypeDeclHandler = None
    for scan in scans.values():
        scan.first_row = scan.first_row or 1
    return scans, names
