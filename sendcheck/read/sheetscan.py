"""A workbook checked before calamine reads it: which sheets are worksheets, each sheet's used
extent, its error cells and numbers no date can hold, its formulas with no saved value.

calamine (fastexcel) aborts the process allocating a sheet whose one stray value sits at
XFD1048576, returns Excel error cells (#N/A, #REF!) and out-of-range date serials as blank cells,
and panics on some serials (-1e300). So each worksheet's XML is streamed once, matched with
polars' regular expressions chunk by chunk (no Python loop over cells), and:
- a sheet whose values span more than MAX_CELLS cells is refused, naming the far cell;
- error cells and numbers outside any date are rewritten as text cells holding what Excel shows
  (`#N/A`, `1E+20`), so they reach the date parser and the checks as values, never as blanks.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

import polars as pl

from sendcheck.errors import SendcheckError
from sendcheck.read.limits import DAMAGED, MAX_CELLS, check_package, member_chunks, read_member

# Every cell with a value: its reference, attributes and the start of its value.
_VALUED = (r'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"[^>]*>\s*'
           r'(?:<(?:\w+:)?f\b[^>]*/>\s*|<(?:\w+:)?f\b[^>]*>[^<]*</(?:\w+:)?f>\s*)?'
           r'<(?:\w+:)?(?:v>[^<]{1,40}|is\b)')
_FIRST_VALUED = re.compile(_VALUED.encode())
_ROW_END = re.compile(rb"</(?:\w+:)?row>")
_ROW_NUMBER = re.compile(rb'[<:]row\b[^>]*?\br="([0-9]{1,7})"')
_BIG_ROW = re.compile(rb'row r="([0-9]{7})"')  # a million rows or more, wherever it is
_REF = re.compile(rb'([A-Z]{1,3})([0-9]{1,7})"')
# A cell value with letters (an error such as #N/A, an exponent, inf, nan; or a formula's text)
# or eight digits (more than any date serial): the candidates for an odd cell.
_ODD_VALUE = re.compile(rb"v>[^<]*[A-Za-z][^<]*<|v>-?[0-9]{8}")
CELL_TAG_REACH = 1 << 16  # a cell's tag and formula before its value (Excel's formula limit: 8,192)
_T_ATTR = re.compile(rb'\bt="([^"]*)"')
_R_ATTR = re.compile(rb'\br="([A-Z]{1,3}[0-9]{1,7})"')
_FORMULA_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*?)(?<!/)>(?:(?!</(?:\w+:)?c>).)*?<(?:\w+:)?f\b'
                           rb'(?:(?!</(?:\w+:)?c>).)*?</(?:\w+:)?c>', re.S)
_CACHED_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]+</(?:\w+:)?v>")


@dataclass
class Sheet:
    """One sheet of the workbook, as workbook.xml and its relationships declare it."""

    name: str
    kind: str  # worksheet, chartsheet, dialogsheet, macrosheet
    member: str | None  # the zip member holding it


@dataclass
class SheetScan:
    first_row: int = 1  # spreadsheet row of the first cell with a value
    rows: int = 0
    columns: int = 0
    far_cell: str = ""
    odd_cells: list[str] = field(default_factory=list)  # error cells, numbers outside any date
    empty_formulas: int = 0
    first_empty_formula: str = ""


def column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _attr(tag: str, name: str) -> str | None:
    m = re.search(rf'\b{name}="([^"]*)"', tag)
    return m.group(1) if m else None


def sheets(zf: zipfile.ZipFile) -> list[Sheet]:
    """The sheets in the workbook's order, each with its kind and zip member."""
    from xml.sax.saxutils import unescape

    book = zf.read("xl/workbook.xml").decode("utf-8", "replace")
    rels_name = "xl/_rels/workbook.xml.rels"
    rels = zf.read(rels_name).decode("utf-8", "replace") if rels_name in zf.namelist() else ""
    targets = {}
    for tag in re.findall(r"<(?:\w+:)?Relationship\b[^>]*>", rels):
        rid, target, kind = _attr(tag, "Id"), _attr(tag, "Target"), _attr(tag, "Type") or ""
        if rid and target:
            target = target.lstrip("/")
            targets[rid] = (target if target.startswith("xl/") else "xl/" + target,
                            kind.rsplit("/", 1)[-1])
    out = []
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", book):
        name = unescape(_attr(tag, "name") or "", {"&quot;": '"', "&apos;": "'"})
        rid = _attr(tag, "r:id") or _attr(tag, "id")
        member, kind = targets.get(rid, (None, "worksheet"))
        if "chartsheets/" in (member or ""):
            kind = "chartsheet"
        out.append(Sheet(name, kind or "worksheet", member))
    return out


def _beyond(letters: str) -> re.Pattern | None:
    """A cell reference whose column is past `letters` (longer, or later at the same length)."""
    alts = [f"[A-Z]{{{len(letters) + 1},3}}"] if len(letters) < 3 else []
    for i, ch in enumerate(letters):
        if ch < "Z":
            rest = len(letters) - i - 1
            alts.append(letters[:i] + f"[{chr(ord(ch) + 1)}-Z]" + (f"[A-Z]{{{rest}}}" if rest else ""))
    return re.compile(f' r="(?:{"|".join(alts)})[0-9]'.encode()) if alts else None


def _scan_chunk(chunk: bytes, scan: SheetScan) -> None:
    """Extent and odd cells of whole rows of XML, each found by a search in C first:
    - rows: the last row's number (rows come in order), or any number of seven digits;
    - columns: only where a chunk has a cell past the widest column so far, each row's last
      cell, found from its `</row>` (one step per row, never per cell);
    - odd cells: only in a chunk with an odd-looking value (see _odd_tags)."""
    if scan.rows == 0 and (first := _FIRST_VALUED.search(chunk)):
        scan.first_row = int(first.group(2))
    last = _ROW_NUMBER.match(chunk, max(chunk.rfind(b"<row "), chunk.rfind(b":row "), 0))
    big = _BIG_ROW.findall(chunk)
    rows = [int(n) for n in [*big, *([last.group(1)] if last else [])]]
    if rows:
        scan.rows = max(scan.rows, *rows)
    wider = _beyond(scan.far_cell)
    if wider is not None and wider.search(chunk):
        for end in _ROW_END.finditer(chunk):
            ref = _REF.match(chunk, chunk.rfind(b' r="', 0, end.start()) + 4)
            if ref:
                letters, row = ref.group(1), int(ref.group(2))
                scan.rows = max(scan.rows, row)
                if (len(letters), letters) > (len(scan.far_cell), scan.far_cell.encode()):
                    scan.far_cell = letters.decode()
    if _ODD_VALUE.search(chunk):
        scan.odd_cells += [ref for _, _, ref in _odd_tags(chunk)]


def _odd_tags(xml: bytes) -> list[tuple[int, int, str]]:
    """The opening tags (start, end, reference) of the error cells and of the numbers no date
    can hold. Found from their values (a quick search in C), then one step back to each cell's
    tag: the work grows with the odd cells, not with the sheet."""
    out = []
    for value in _ODD_VALUE.finditer(xml):
        lo = max(0, value.start() - CELL_TAG_REACH)
        start = max(xml.rfind(b"<c ", lo, value.start()), xml.rfind(b":c ", lo, value.start()))
        end = xml.find(b">", start)
        if start < 0 or end < 0:
            continue
        tag = xml[start:end]
        kind = _T_ATTR.search(tag)
        ref = _R_ATTR.search(tag)
        if ref and (kind is None or kind.group(1) in (b"n", b"e")):
            out.append((start, end, ref.group(1).decode()))
    return out


def _scan_formulas(xml: bytes, scan: SheetScan) -> None:
    if b"<f" not in xml and b":f" not in xml:  # no formula (a quick test before the pattern)
        return
    empty = [m for m in _FORMULA_CELL.finditer(xml) if not _CACHED_VALUE.search(m.group(0))]
    if empty and not scan.empty_formulas:
        ref = re.search(rb'\br="([A-Z]+\d+)"', empty[0].group(1))
        scan.first_empty_formula = ref.group(1).decode() if ref else ""
    scan.empty_formulas += len(empty)


def scan_sheet(zf: zipfile.ZipFile, member: str, where: str) -> SheetScan:
    """One streamed pass over a worksheet's XML, in chunks cut after a whole row."""
    scan = SheetScan()
    carry = b""
    for chunk in member_chunks(zf, member, where):
        data = carry + chunk
        cut = data.rfind(b"</row>")
        if cut < 0:
            cut = data.rfind(b"</x:row>")
        if cut < 0:
            carry = data
            continue
        cut = data.index(b">", cut) + 1
        whole, carry = data[:cut], data[cut:]
        _scan_chunk(whole, scan)
        _scan_formulas(whole, scan)
    if carry:
        _scan_chunk(carry, scan)
        _scan_formulas(carry, scan)
    scan.columns = column_number(scan.far_cell)
    if scan.rows * scan.columns > MAX_CELLS:
        # A row's last cell may be empty (formatting only), which calamine passes over: count
        # only the cells with values before refusing.
        _exact_extent(zf, member, where, scan)
    scan.far_cell += str(scan.rows) if scan.far_cell else ""
    if scan.rows * scan.columns > MAX_CELLS:
        raise SendcheckError(
            f"{where}: values reach {scan.far_cell} ({scan.rows:,} rows x {scan.columns:,} "
            f"columns, over the limit of {MAX_CELLS:,} cells): delete the stray cells beyond "
            f"the table, or save the sheet as CSV")
    if scan.empty_formulas:
        at = f" (first at {scan.first_empty_formula})" if scan.first_empty_formula else ""
        raise SendcheckError(
            f"{where}: {scan.empty_formulas} formula cell(s) have no saved value{at}, so their "
            f"dates cannot be read; open the workbook in Excel and save it, or export it as CSV")
    return scan


def _exact_extent(zf: zipfile.ZipFile, member: str, where: str, scan: SheetScan) -> None:
    """The extent of the cells with values, each cell matched (in polars, chunk by chunk)."""
    scan.rows, scan.far_cell = 0, ""
    tail = ""
    for chunk in member_chunks(zf, member, where):
        text = tail + chunk.decode("utf-8", "replace")
        cut = text.rfind("</")
        text, tail = text[:cut], text[cut:]
        refs = pl.Series([text]).str.extract_all(_VALUED).explode().drop_nulls()
        if not refs.len():
            continue
        parts = refs.str.extract_groups(_VALUED).struct.unnest()
        scan.rows = max(scan.rows, int(parts.get_column("2").cast(pl.Int64).max()))
        letters = [scan.far_cell, *parts.get_column("1").unique().to_list()]
        scan.far_cell = max(letters, key=lambda s: (len(s), s))
    scan.columns = column_number(scan.far_cell)


def _as_text_cells(xml: bytes) -> bytes:
    """Error cells and odd numbers made text cells (`t="str"`) holding what Excel shows."""
    parts, at = [], 0
    for start, end, _ in _odd_tags(xml):
        tag = _T_ATTR.sub(b"", xml[start:end]).rstrip()
        parts += [xml[at:start], tag, b' t="str"']
        at = end
    return b"".join([*parts, xml[at:]])


@dataclass
class Workbook:
    """The package checked: its sheets, the scans of those read, and the bytes to give calamine
    (rewritten when a sheet had error cells or odd numbers)."""

    data: bytes
    sheets: list[Sheet]
    scans: dict[str, SheetScan]


def check_workbook(data: bytes, where: str, names: list[str] | None = None) -> Workbook:
    """Check the package and scan the named worksheets (default: every worksheet)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            check_package(zf, where)
            found = sheets(zf)
            wanted = [s for s in found if s.kind == "worksheet" and s.member
                      and (names is None or s.name in names)]
            scans = {s.name: scan_sheet(zf, s.member, f"{where} sheet {s.name!r}") for s in wanted}
            # Every member read to its end: zipfile checks each CRC (a damaged member is found
            # now, not half-way through calamine's read).
            for info in zf.infolist():
                if info.filename not in {s.member for s in wanted}:
                    for _ in member_chunks(zf, info.filename, where):
                        pass
            odd = {s.member for s in wanted if scans[s.name].odd_cells}
            if odd:
                data = _rewrite(zf, odd, where)
    except SendcheckError:
        raise
    except (*DAMAGED, ParseError) as exc:
        raise SendcheckError(f"{where}: the workbook is damaged ({type(exc).__name__}: "
                             f"{str(exc)[:120]})") from None
    return Workbook(data, found, scans)


def _rewrite(zf: zipfile.ZipFile, members: set[str], where: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in zf.infolist():
            body = read_member(zf, info.filename, where)
            dst.writestr(info.filename, _as_text_cells(body) if info.filename in members else body)
    return out.getvalue()
