"""Reading the team's notes back from the lists sendcheck wrote, after people edited them.

A notes file is the audit workbook (its Overdue, Due soon and Data quality sheets), a
caseworker's list from `sendcheck actions` (.xlsx or .csv), or any sheet or CSV with sendcheck's
key columns (Rule or Check, Record, and Advice kind and Review cycle where given) beside an
*Action taken* or *Checked by* column. Columns are found by their headers, never by position, and
rows by their key cells, never by their order: a sheet sorted, filtered, with a column inserted
or rows added reads the same. A note's date is its *Date checked* cell, else the file's
modification date.

A note is free text the team wrote and may hold personal data: no message here quotes a cell.
Files are read within the bounds every export is read with (read/limits.py, read/sheetscan.py);
a note is cut to NOTE_CHARS characters and kept to one line.
"""

from __future__ import annotations

import datetime as dt
import glob
import os
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from sendcheck.columns import normalise_header
from sendcheck.errors import SendcheckError
from sendcheck.read.dates import parse_text
from sendcheck.read.limits import check_text, require_regular
from sendcheck.read.sheets import HEADER_SCAN_ROWS, check_xlsx, csv_error, utf8_bytes

NOTE_CHARS = 2000  # a note longer than this is cut: a paragraph is a note, a pasted file is not
NAME_CHARS = 100  # "Checked by": a name or initials
SUFFIXES = (".xlsx", ".xlsm", ".csv")
# Header (normalised: lower case, letters and digits only) -> the note's column. The workbook's
# and lists' headers, and the CSV lists' column names.
HEADERS = {
    "rule": "rule", "check": "rule", "advicekind": "kind", "kind": "kind",
    "record": "record_id", "recordid": "record_id", "reviewcycle": "cycle", "cycle": "cycle",
    "actiontaken": "action", "checkedby": "checked_by", "datechecked": "date",
}
# Control, zero-width and direction characters: a note is shown on one line, as typed.
UNSEEN = r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]"
NOTE_SCHEMA = {"rule": pl.String, "kind": pl.String, "record_id": pl.String, "cycle": pl.Int64,
               "action": pl.String, "checked_by": pl.String, "noted_on": pl.Date,
               "dated_by": pl.String, "source": pl.String, "sheet": pl.String, "row": pl.Int64}


@dataclass
class NotesRead:
    """The notes found in the files (NOTE_SCHEMA), the files read, and one-line remarks for
    stderr (counts and places, never a cell's text)."""

    notes: pl.DataFrame
    files: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)


def expand(paths: list[str | Path], base: Path | None = None) -> list[tuple[Path, bool]]:
    """The files named: each path, a folder's lists, or a glob pattern (relative to `base`, the
    configuration file's folder, when given). (path, named): a file named by itself that holds
    no notes columns is remarked on; one found by a folder or a pattern (the index) is not."""
    out: list[tuple[Path, bool]] = []
    for given in paths:
        text = str(given)
        if base is not None and not os.path.isabs(text):
            text = str(base / text)
        if glob.has_magic(text):
            found = sorted(Path(p) for p in glob.glob(text, recursive=True))
            out += [(p, False) for p in found if p.suffix.lower() in SUFFIXES and p.is_file()]
        elif Path(text).is_dir():
            out += [(p, False) for p in sorted(Path(text).iterdir())
                    if p.suffix.lower() in SUFFIXES and p.is_file()]
        else:
            out.append((Path(text), True))
    return list(dict.fromkeys(out))


def read_notes(paths: list[tuple[Path, bool]], as_of: dt.date) -> NotesRead:
    """Every note in the files, with where it was (file, sheet, spreadsheet row)."""
    frames, files, remarks = [], [], []
    for path, named in paths:
        where = path.name
        require_regular(path, "--notes ")
        suffix = path.suffix.lower()
        if suffix not in SUFFIXES:
            raise SendcheckError(f"--notes {where}: expected a list sendcheck wrote (.xlsx, .xlsm "
                                 f"or .csv; save an .ods as .xlsx), found {suffix or 'no suffix'}")
        data = path.read_bytes()
        filed = dt.datetime.fromtimestamp(path.stat().st_mtime).date()
        tables = (_csv_tables(data, where) if suffix == ".csv" else _xlsx_tables(path, data))
        found = [_notes(raw, at, first, where, sheet, filed, as_of)
                 for sheet, raw, first in tables
                 for at in [_header_at(raw)] if at is not None]
        if not found:
            if named:
                remarks.append(f"notes: {where}: no sheet with the Record, Rule and Action taken "
                               f"columns sendcheck writes; passed over")
            continue
        files.append(str(path))
        frames += found
    if not frames:
        return NotesRead(pl.DataFrame(schema=NOTE_SCHEMA), files, remarks)
    notes = pl.concat(frames)
    return NotesRead(notes.select(list(NOTE_SCHEMA)).cast(NOTE_SCHEMA), files,
                     remarks + _bounds_remarks(notes))


def _xlsx_tables(path: Path, data: bytes) -> list[tuple[str, pl.DataFrame, int]]:
    import fastexcel

    book = check_xlsx(path, data)  # the package checked and within bounds, as an export's
    where = path.name
    out = []
    try:
        reader = fastexcel.read_excel(book.data)
        for at, s in enumerate(book.sheets):
            if s.kind != "worksheet" or s.name not in book.scans:
                continue
            head = reader.load_sheet(at, header_row=None, dtypes="string",
                                     n_rows=HEADER_SCAN_ROWS).to_polars()
            if _header_at(head) is None:
                continue
            raw = reader.load_sheet(at, header_row=None, dtypes="string").to_polars()
            out.append((s.name, raw, book.scans[s.name].first_row))
    except SendcheckError:
        raise
    except Exception as exc:  # fastexcel's own errors; their messages can quote cells
        raise SendcheckError(f"--notes {where}: could not read the workbook ("
                             f"{type(exc).__name__}); open it in Excel and save it again") from None
    return out


def _csv_tables(data: bytes, where: str) -> list[tuple[str | None, pl.DataFrame, int]]:
    data, _ = utf8_bytes(data, f"--notes {where}")
    check_text(data, f"--notes {where}")
    try:
        raw = pl.read_csv(data, has_header=False, infer_schema=False, truncate_ragged_lines=True,
                          raise_if_empty=False)
    except pl.exceptions.PolarsError:
        raise csv_error(data.decode("utf-8", "replace"), ",", 0, f"--notes {where}") from None
    return [(None, raw, 1)]


def _header_map(row: tuple) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, cell in enumerate(row):
        name = HEADERS.get(normalise_header(str(cell))) if cell else None
        if name and name not in found:
            found[name] = i
    return found


def _header_at(raw: pl.DataFrame) -> int | None:
    """The first of the top rows naming a rule, a record and a note column."""
    for at, row in enumerate(raw.head(HEADER_SCAN_ROWS).iter_rows()):
        found = _header_map(row)
        if {"rule", "record_id"} <= found.keys() and found.keys() & {"action", "checked_by"}:
            return at
    return None


def _text(col: str, limit: int) -> pl.Expr:
    """A cell as one line of text, cut to `limit` characters; blank is null."""
    c = (pl.col(col).str.replace_all(UNSEEN, " ").str.replace_all(r"\s+", " ")
         .str.strip_chars())
    return pl.when(c == "").then(None).otherwise(c.str.slice(0, limit))


def _key(col: str) -> pl.Expr:
    """A key cell as sendcheck wrote it: the apostrophe its writer puts before text a
    spreadsheet would run as a formula is taken off again."""
    c = _text(col, 200)
    return pl.when(c.str.contains(r"^'[=+\-@]")).then(c.str.slice(1)).otherwise(c)


def _notes(raw: pl.DataFrame, at: int, first_row: int, where: str, sheet: str | None,
           filed: dt.date, as_of: dt.date) -> pl.DataFrame:
    found = _header_map(raw.row(at))
    body = raw.slice(at + 1)
    named = {name: body.columns[i] for name, i in found.items()}

    def cell(name: str) -> pl.Expr:
        return pl.col(named[name]) if name in named else pl.lit(None, pl.String)

    cols = body.select(
        *[cell(n).alias(n) for n in ("rule", "kind", "record_id", "cycle", "action",
                                     "checked_by", "date")],
        pl.int_range(first_row + at + 1, first_row + at + 1 + body.height, dtype=pl.Int64)
        .alias("row"))
    cols = cols.with_columns(
        pl.col("action").str.len_chars().fill_null(0).alias("_long"),
        _key("rule").str.to_uppercase().alias("rule"), _key("kind").alias("kind"),
        _key("record_id").alias("record_id"),
        _text("action", NOTE_CHARS).alias("action"),
        _text("checked_by", NAME_CHARS).alias("checked_by"),
        _text("date", 60).alias("date"))
    cols = cols.filter(pl.col("action").is_not_null() | pl.col("checked_by").is_not_null())
    # The Date checked cell: a date cell comes back as ISO text, a typed date day-first.
    parsed = parse_text(cols.get_column("date"), as_of.year + 1).get_column("date")
    cycle = pl.col("cycle").str.replace(r"\.0+$", "").cast(pl.Int64, strict=False)
    return cols.with_columns(parsed.alias("_date")).select(
        "rule", "kind", "record_id", cycle.alias("cycle"), "action", "checked_by",
        pl.coalesce("_date", pl.lit(filed)).alias("noted_on"),
        pl.when(pl.col("_date").is_not_null()).then(pl.lit("cell")).otherwise(pl.lit("file"))
        .alias("dated_by"),
        pl.lit(where).alias("source"), pl.lit(sheet, pl.String).alias("sheet"), "row",
        (pl.col("_long") > NOTE_CHARS).alias("_cut"),
        (pl.col("date").is_not_null() & pl.col("_date").is_null()).alias("_bad_date"),
    )


def _bounds_remarks(notes: pl.DataFrame) -> list[str]:
    """Notes cut to NOTE_CHARS, and Date checked cells that are not dates (counts only)."""
    cut, bad = notes.select(pl.col("_cut").sum(), pl.col("_bad_date").sum()).row(0)
    out = []
    if cut:
        out.append(f"notes: {cut:,} {'note' if cut == 1 else 'notes'} longer than "
                   f"{NOTE_CHARS:,} characters {'was' if cut == 1 else 'were'} cut to "
                   f"{NOTE_CHARS:,}")
    if bad:
        out.append(f"notes: {bad:,} Date checked {'cell' if bad == 1 else 'cells'} could not be "
                   f"read as {'a date' if bad == 1 else 'dates'} (expected dd/mm/yyyy); the "
                   f"file's date was used")
    return out
