"""Files as tables: the Table type, text decoding, header detection and workbook checks,
shared by the export reader (read/export.py) and the SEN2 reader (read/sen2.py).

Everything is read as text so nothing is lost to type inference (calamine drops rows that do
not fit a column's guessed type; polars' CSV date guessing leaves a column as text on one bad
cell). Dates are parsed later, by read/dates.py, cell by cell with reasons.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError, iterparse

import polars as pl

from sendcheck.columns import ALIASES, normalise_header
from sendcheck.errors import SendcheckError

HEADER_SCAN_ROWS = 30  # title rows above the header: council reports rarely have more than a few
DELIMITERS = (",", ";", "\t", "|")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


@dataclass
class Table:
    """One input file, read: text cells under canonical column names, plus `_row` and `_source`."""

    path: str
    sheet: str | None
    header_row: int  # spreadsheet row of the header (1-based)
    frame: pl.DataFrame
    mapping: dict[str, str]  # canonical column -> header as written in the file
    unmapped: list[str]
    sha256: str
    blank_rows: int = 0
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        """Data rows below the header (blank rows included: every row is accounted for)."""
        return self.frame.height + self.blank_rows


def header_index(config_columns: dict[str, str] | None = None) -> dict[str, str]:
    """Normalised header -> canonical column: built-in aliases, then the local config's mapping."""
    index = dict(ALIASES)
    for header, canonical in (config_columns or {}).items():
        index[normalise_header(header)] = canonical
    return index


def map_headers(headers: list[object], index: dict[str, str]) -> tuple[dict[str, int], list[str]]:
    """Map header cells to canonical columns. Two headers for one column is an error."""
    found: dict[str, int] = {}
    unmapped: list[str] = []
    for i, header in enumerate(headers):
        text = "" if header is None else str(header).strip()
        canonical = index.get(normalise_header(text)) if text else None
        if canonical is None:
            if text:
                unmapped.append(text)
            continue
        if canonical in found:
            first = headers[found[canonical]]
            raise SendcheckError(
                f"two columns map to {canonical}: {first!r} and {text!r}; "
                f"remove one or map them in sendcheck.toml [columns]")
        found[canonical] = i
    return found, unmapped


def header_score(row: list[object], index: dict[str, str]) -> int:
    return len({index[k] for k in (normalise_header(c) for c in row if c) if k in index})


def find_header(rows: list[list[object]], index: dict[str, str], where: str) -> int:
    scores = [header_score(r, index) for r in rows[:HEADER_SCAN_ROWS]]
    best = max(scores, default=0)
    if best == 0:
        raise SendcheckError(
            f"{where}: no recognisable column header in the first {HEADER_SCAN_ROWS} rows "
            f"(expected headers such as 'Date Request Received' or 'ReceivedDate'; "
            f"map yours in sendcheck.toml [columns])")
    return scores.index(best)


def build_table(raw: pl.DataFrame, header_at: int, first_row: int, index: dict[str, str],
           path: Path, sheet: str | None, sha: str, **extra) -> Table:
    headers = list(raw.row(header_at)) if raw.height > header_at else []
    found, unmapped = map_headers(headers, index)
    body = raw.slice(header_at + 1)
    names = raw.columns
    frame = body.select([pl.col(names[i]).alias(c) for c, i in found.items()])
    frame = frame.with_columns(
        pl.int_range(first_row + header_at + 1, first_row + header_at + 1 + body.height,
                     dtype=pl.Int64).alias("_row"),
        pl.lit(path.name).alias("_source"),
    )
    # A row whose every cell is blank is not an episode; it is counted, not evaluated.
    all_cells = [pl.col(n) for n in names]
    blank = body.select(
        pl.all_horizontal([c.is_null() | (c.str.strip_chars() == "") for c in all_cells])
    ).to_series() if names else pl.Series([], dtype=pl.Boolean)
    blank_rows = int(blank.sum()) if len(blank) else 0
    if blank_rows:
        frame = frame.filter(~blank)
    mapping = {c: str(headers[i]).strip() for c, i in found.items()}
    return Table(str(path), sheet, first_row + header_at, frame, mapping, unmapped, sha,
                 blank_rows=blank_rows, **extra)


# ---------------------------------------------------------------- CSV


def decode_text(data: bytes, where: str) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data[:65536]:
        raise SendcheckError(f"{where}: not a text table (binary content; is it really a CSV?)")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; latin-1 reads them rather than failing the file.
        return data.decode("latin-1"), "latin-1"


def scan_rows(lines: list[str], delimiter: str) -> list[list[str]]:
    """The first lines split into cells, for finding the header. The csv module refuses a field
    over 128 KB by default; one enormous cell must not stop the read, so lift the limit to the
    text scanned (at most 1 MB) for this call."""
    old = csv.field_size_limit()
    csv.field_size_limit(max(old, sum(len(line) for line in lines) + 1))
    try:
        return list(csv.reader(lines, delimiter=delimiter))
    finally:
        csv.field_size_limit(old)


# ---------------------------------------------------------------- Excel


def _sheet_part(zf: zipfile.ZipFile, sheet_index: int) -> str | None:
    """The zip member holding the sheet at `sheet_index`, from the workbook's relationships."""
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    book = zf.read("xl/workbook.xml").decode("utf-8", "replace")
    rids = re.findall(r'<(?:\w+:)?sheet\b[^>]*?\br:id="([^"]+)"', book) or re.findall(
        r'<(?:\w+:)?sheet\b[^>]*?\bid="([^"]+)"', book)
    targets = dict(re.findall(r'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
    targets |= {a: b for b, a in re.findall(
        r'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)}
    target = targets.get(rids[sheet_index]) if sheet_index < len(rids) else None
    if not target:
        return None
    target = target.lstrip("/")
    return target if target.startswith("xl/") else "xl/" + target


def first_used_row(path: Path, sheet_index: int) -> int:
    """Spreadsheet row of the first cell with a value in the sheet.

    calamine (fastexcel) starts its range at the first used row and does not say which row that
    is; error messages must give the real spreadsheet row, so read it from the sheet XML,
    stopping at the first cell with a value.
    """
    with zipfile.ZipFile(path) as zf:
        name = _sheet_part(zf, sheet_index)
        if name is None:
            return 1
        with zf.open(name) as fh:
            row_no = None
            # The cell's reference is read when the cell opens: its value ends before it does.
            for event, elem in iterparse(fh, events=("start", "end")):
                tag = elem.tag.rsplit("}", 1)[-1]
                if event == "start":
                    if tag == "c":
                        digits = "".join(ch for ch in elem.get("r", "") if ch.isdigit())
                        row_no = int(digits) if digits else row_no
                    continue
                if tag in ("v", "is") and (elem.text or len(elem)):
                    return row_no or 1
                if tag == "c":
                    elem.clear()
    return 1


_FORMULA_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*?)(?<!/)>(?:(?!</(?:\w+:)?c>).)*?<(?:\w+:)?f\b(?:(?!</(?:\w+:)?c>).)*?</(?:\w+:)?c>', re.S)
_CACHED_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]+</(?:\w+:)?v>")


def refuse_uncalculated_formulas(path: Path, sheet_index: int, where: str) -> None:
    """Stop when formula cells carry no saved value (a workbook written by a program and never
    opened in Excel): calamine reads such cells as empty, which would silently blank dates."""
    with zipfile.ZipFile(path) as zf:
        name = _sheet_part(zf, sheet_index)
        if name is None:
            return
        xml = zf.read(name)
    if b"<f>" not in xml and b"<f " not in xml and b":f>" not in xml and b":f " not in xml:
        return
    empty = [m for m in _FORMULA_CELL.finditer(xml) if not _CACHED_VALUE.search(m.group(0))]
    if empty:
        ref = re.search(rb'\br="([A-Z]+\d+)"', empty[0].group(1))
        at = f" (first at {ref.group(1).decode()})" if ref else ""
        raise SendcheckError(
            f"{where}: {len(empty)} formula cell(s) have no saved value{at}, so their dates "
            f"cannot be read; open the workbook in Excel and save it, or export it as CSV")


# What the zip and XML readers raise on a damaged package (found by fuzzing: a corrupt central
# directory makes zipfile raise ValueError("negative seek value")).
DAMAGED = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, KeyError,
            RuntimeError, NotImplementedError, ParseError, UnicodeDecodeError)


def refuse_non_xlsx(path: Path, data: bytes) -> None:
    where = path.name
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_STREAM in data:
            raise SendcheckError(f"{where}: the workbook is password-protected; save an unprotected copy")
        raise SendcheckError(f"{where}: a legacy Excel 97-2003 (.xls) file; save it as .xlsx or .csv")
    if not data.startswith(b"PK"):
        raise SendcheckError(f"{where}: not an .xlsx workbook (it is not a zip package)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "mimetype" in names and b"opendocument" in zf.read("mimetype"):
                raise SendcheckError(
                    f"{where}: an OpenDocument spreadsheet (.ods); save it as .xlsx or .csv")
            if "xl/workbook.xml" not in names:
                raise SendcheckError(f"{where}: not an Excel workbook (no xl/workbook.xml inside)")
            bad = zf.testzip()
            if bad:
                raise SendcheckError(f"{where}: the workbook is damaged ({bad} is corrupt)")
    except DAMAGED as exc:
        raise SendcheckError(f"{where}: the workbook is damaged or truncated ({exc})") from None


# ---------------------------------------------------------------- entry


def table_from_rows(rows: list[dict[str, object]], name: str = "rows",
                    config_columns: dict[str, str] | None = None) -> Table:
    """A Table from in-memory rows keyed by header (worked examples, fixture cases, tests)."""
    headers = list(dict.fromkeys(h for r in rows for h in r))
    grid = [headers] + [[None if r.get(h) is None else str(r.get(h)) for h in headers] for r in rows]
    raw = pl.DataFrame(grid, schema=[f"c{i}" for i in range(len(headers))], orient="row",
                       schema_overrides={f"c{i}": pl.String for i in range(len(headers))})
    return build_table(raw, 0, 1, header_index(config_columns), Path(name), None, "")

