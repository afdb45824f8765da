"""Files as tables: the Table type, text decoding, header detection and workbook checks,
shared by the export reader (read/export.py) and the SEN2 reader (read/sen2.py).

Everything is read as text so nothing is lost to type inference (calamine drops rows that do
not fit a column's guessed type; polars' CSV date guessing leaves a column as text on one bad
cell). Dates are parsed later, by read/dates.py, cell by cell with reasons.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from sendcheck.columns import ALIASES, normalise_header
from sendcheck.errors import SendcheckError
from sendcheck.read.limits import DAMAGED
from sendcheck.read.sheetscan import Workbook, check_workbook

# A report's footer, as case-management systems and report writers print them: the text of a row
# with at most two cells filled. Anchored and whole so an episode cannot match.
FOOTER = (r"(?i)^(?:(?:grand |sub-?)?totals?\b[ :=]*[0-9,]*(?: (?:rows?|records?|cases?))?"
          r"|(?:this )?(?:report|data|export|extract|list) (?:was )?(?:generated|produced|run|"
          r"created|printed|extracted)\b.*"
          r"|(?:generated|produced|printed|run|created|extracted) (?:by|on|at)\b.*"
          r"|end of (?:the )?(?:report|data|file|export|extract|list|records?)\b.*"
          r"|page [0-9]+(?: of [0-9]+)?"
          r"|[0-9,]+ (?:rows?|records?|cases?)(?: (?:returned|selected|listed|found|in total))?\.?"
          r"|(?:count|number of (?:records|rows|cases))[ :=]+[0-9,]+)$")
FOOTERS_LISTED = 5  # footer rows named in the notes; the rest counted
HEADER_SCAN_ROWS = 30  # title rows above the header: council reports rarely have more than a few
DELIMITERS = (",", ";", "\t", "|")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


def path_text(path: str | Path) -> str:
    """A file's name as text every output can carry: a byte that is not UTF-8 (\xe9 from a
    Windows share) shows as the replacement character, so a report, the JSON or the history
    never meets a character it cannot encode (a backslash escape would read as a folder)."""
    return os.fsencode(path).decode("utf-8", "replace")


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
    footers: list[tuple[int, str]] = field(default_factory=list)  # (row, text) of footer rows
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.path = path_text(self.path)

    @property
    def rows(self) -> int:
        """Data rows below the header (blank rows included: every row is accounted for)."""
        return self.frame.height + self.blank_rows + self.footer_rows

    @property
    def footer_rows(self) -> int:
        """Rows rejected as a report's footer ("Total: 40"), not episodes."""
        return len(self.footers)


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
        from sendcheck.read.kind import seems_to_be

        first = next(([str(c) for c in r if c is not None and str(c).strip()] for r in rows
                      if any(c is not None and str(c).strip() for c in r)), [])
        raise SendcheckError(
            f"{where}: no recognisable column header in the first {HEADER_SCAN_ROWS} rows; "
            f"it seems to be {seems_to_be(first)} (expected headers such as 'Date Request "
            f"Received' or 'ReceivedDate'; map yours in sendcheck.toml [columns])")
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
        pl.lit(path_text(path.name)).alias("_source"),
    )
    # A row whose every cell is blank is not an episode; it is counted, not evaluated. So is a
    # report's footer: one or two cells reading like "Total: 40" or "Page 3 of 3". The cells are
    # counted in one pass; a row's text is built only for the rows of one or two cells.
    filled = body.select(pl.sum_horizontal(
        [(pl.col(n).str.strip_chars() != "").fill_null(False) for n in names]).alias("n")
    ).to_series() if names else pl.Series("n", [], dtype=pl.UInt32)
    blank = filled == 0
    few = (filled > 0) & (filled <= 2)
    footer = pl.repeat(False, body.height, dtype=pl.Boolean, eager=True)
    footers = frame.select("_row", pl.lit("").alias("text")).clear()
    if few.any():
        text = body.filter(few).select(pl.concat_str(
            [pl.col(n).str.strip_chars().replace("", None) for n in names], separator=" ",
            ignore_nulls=True).alias("text")).to_series()
        hit = text.str.contains(FOOTER).fill_null(False)
        footer = footer.scatter(few.arg_true().filter(hit), True)
        footers = frame.filter(footer).select("_row").with_columns(text.filter(hit))
    rejected = blank | footer
    blank_rows = int(blank.sum())
    notes = [f"row {row} rejected: a report footer ({text[:60]!r}), not an episode"
             for row, text in footers.head(FOOTERS_LISTED).iter_rows()]
    if footers.height > FOOTERS_LISTED:
        notes.append(f"... and {footers.height - FOOTERS_LISTED} more footer rows rejected")
    if blank_rows or footers.height:
        frame = frame.filter(~rejected)
    mapping = {c: str(headers[i]).strip() for c, i in found.items()}
    extra["notes"] = extra.get("notes", []) + notes
    return Table(str(path), sheet, first_row + header_at, frame, mapping, unmapped, sha,
                 blank_rows=blank_rows, footers=[(r, t[:60]) for r, t in footers.iter_rows()],
                 **extra)


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


_CHUNK = 1 << 24  # 16 MB: checking and transcoding a big file piece by piece bounds the copies


def _is_utf8(data: bytes) -> bool:
    """Whether the bytes are valid UTF-8, checked in pieces (no string of the whole file)."""
    if data.isascii():
        return True
    check = codecs.getincrementaldecoder("utf-8")()
    try:
        view = memoryview(data)
        for at in range(0, len(data), _CHUNK):
            check.decode(view[at:at + _CHUNK])
        check.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _transcode(data: bytes, encoding: str) -> bytes:
    view = memoryview(data)
    return b"".join(bytes(view[at:at + _CHUNK]).decode(encoding).encode("utf-8")
                    for at in range(0, len(data), _CHUNK))


def utf8_bytes(data: bytes, where: str) -> tuple[bytes, str]:
    """The file as UTF-8 bytes for polars, and its encoding, as decode_text reads it (same
    checks, same choice of encoding). ASCII and UTF-8 pass as they are (a BOM dropped); only
    Windows-1252 (or Latin-1, or UTF-16) is transcoded. polars reads the bytes as it read the
    text with its line ends made "\\n"."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, encoding = decode_text(data, where)
        data = text.encode("utf-8")
    elif b"\x00" in data[:65536]:
        raise SendcheckError(f"{where}: not a text table (binary content; is it really a CSV?)")
    elif _is_utf8(data):
        encoding = "utf-8"
        data = data[3:] if data.startswith(codecs.BOM_UTF8) else data
    else:
        try:
            data, encoding = _transcode(data, "cp1252"), "windows-1252"
        except UnicodeDecodeError:
            # cp1252 leaves five bytes undefined; latin-1 reads them rather than failing the file.
            data, encoding = _transcode(data, "latin-1"), "latin-1"
    # In UTF-8 a CR byte is only ever a CR (the bytes of longer characters are all >= 0x80).
    # polars ends lines at CRLF as at LF, so the copy is needed only where a CR could end up in
    # a cell: a lone CR (an old Mac line end), or a CRLF inside a quoted cell.
    if b"\r" in data and (b'"' in data or data.count(b"\r") != data.count(b"\r\n")):
        data = data.replace(b"\r\n", b"\n")
        if b"\r" in data:
            data = data.replace(b"\r", b"\n")
    return data, encoding


_NOT_SPACE = re.compile(rb"[^ \t\n\r\x0b\x0c\x1c-\x1f]")


def is_blank_text(data: bytes) -> bool:
    """Whether UTF-8 bytes hold nothing but whitespace (as `str.strip` counts it), looking only
    as far as the first character that is not."""
    found = _NOT_SPACE.search(data)
    if found is None:
        return True
    # Before `found` every byte is ASCII, so it starts a character.
    window = data[found.start():found.start() + 4096]
    if window.decode("utf-8", errors="ignore").strip():
        return False
    if found.start() + len(window) >= len(data):
        return True
    return not data.decode("utf-8").strip()  # a long run of other whitespace: look at it all


def head_text(data: bytes, chars: int) -> str:
    """The first `chars` characters of UTF-8 bytes, line ends made "\\n" (no string of the
    whole file)."""
    text = data[:8 * chars + 4].decode("utf-8", errors="ignore")[:2 * chars]
    return text.replace("\r\n", "\n").replace("\r", "\n")[:chars]


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


def csv_error(text: str, delimiter: str, skip: int, where: str) -> SendcheckError:
    """Where a CSV polars could not read goes wrong, from the standard library's strict reader.
    polars' own message quotes the row (names, dates of birth): it never reaches the user."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    old = csv.field_size_limit()
    csv.field_size_limit(1 << 30)
    line = 1  # where the record being read starts
    try:
        for _ in reader:
            line = reader.line_num + 1
    except csv.Error as exc:
        kind = str(exc).split(":")[0]
        if "EOF" in kind or "end of data" in kind:
            return SendcheckError(f"{where}: could not read as CSV: a quoted field opened on line "
                                  f"{line} is never closed; check the quotes on that line")
        return SendcheckError(f"{where}: could not read as CSV: {kind} on line {line}; check "
                              f"the quotes on that line")
    finally:
        csv.field_size_limit(old)
    return SendcheckError(f"{where}: could not read as CSV (from line {skip + 1}); save it again "
                          f"from the system, or as .xlsx")


# ---------------------------------------------------------------- Excel


def check_xlsx(path: Path, data: bytes) -> Workbook:
    """Refuse what is not an .xlsx package, then check it (read/sheetscan.py): the package
    whole and within bounds, each worksheet's extent, its error cells and odd numbers."""
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
    except DAMAGED as exc:
        raise SendcheckError(f"{where}: the workbook is damaged or truncated "
                             f"({type(exc).__name__})") from None
    return check_workbook(data, where)


def pick_sheet(book: Workbook, sheet: str | None, where: str) -> tuple[int, str, list[str]]:
    """The sheet to read (its position, its name) and notes on sheets passed over. The first
    worksheet unless --sheet names one: a chart or dialog sheet holds no table."""
    names = [s.name for s in book.sheets]
    worksheets = [s.name for s in book.sheets if s.kind == "worksheet"]
    if sheet is not None:
        if sheet not in names:
            raise SendcheckError(f"{where}: no sheet named {sheet!r} (sheets: "
                                 f"{', '.join(map(repr, names))})")
        kind = book.sheets[names.index(sheet)].kind
        if kind != "worksheet":
            raise SendcheckError(f"{where}: sheet {sheet!r} is a {kind}, not a table (worksheets: "
                                 f"{', '.join(map(repr, worksheets)) or 'none'}; choose one with "
                                 f"--sheet)")
        return names.index(sheet), sheet, []
    if not worksheets:
        raise SendcheckError(f"{where}: no worksheet in the workbook (sheets: "
                             f"{', '.join(f'{s.name!r} ({s.kind})' for s in book.sheets)})")
    at = names.index(worksheets[0])
    notes = [f"sheet {s.name!r} passed over (a {s.kind}); read {worksheets[0]!r}, the first "
             f"worksheet" for s in book.sheets[:at]]
    return at, worksheets[0], notes


# ---------------------------------------------------------------- entry


def table_from_rows(rows: list[dict[str, object]], name: str = "rows",
                    config_columns: dict[str, str] | None = None) -> Table:
    """A Table from in-memory rows keyed by header (worked examples, fixture cases, tests)."""
    headers = list(dict.fromkeys(h for r in rows for h in r))
    grid = [headers] + [[None if r.get(h) is None else str(r.get(h)) for h in headers] for r in rows]
    raw = pl.DataFrame(grid, schema=[f"c{i}" for i in range(len(headers))], orient="row",
                       schema_overrides={f"c{i}": pl.String for i in range(len(headers))})
    return build_table(raw, 0, 1, header_index(config_columns), Path(name), None, "")

