"""Reading a council's term-dates file: the closures of its schools and early years settings.

A CSV with one row per closure: `start` (the first day closed), `end` (the last day closed),
and optionally `setting` (school, post16 or early_years; blank for all) and `name` (summer,
Christmas, ...). Dates as in exports (31/07/2025 or 2025-07-31). The closures decide whether a
school_closure or early_years_closure exception is plausible (reg 5(4)(a)-(b), 10(4)(a)-(b)).
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from sendcheck.columns import normalise_header
from sendcheck.errors import SendcheckError, quoted
from sendcheck.read.dates import parse_text
from sendcheck.read.limits import SMALL_FILE_BYTES, check_text, read_input

CLOSURE_SCHEMA = {"start": pl.Date, "end": pl.Date, "setting": pl.String, "name": pl.String}
HEADERS = {
    "start": ("start", "closure start", "closes", "first day closed", "from", "start date"),
    "end": ("end", "closure end", "last day closed", "to", "end date"),
    "setting": ("setting", "settings", "type", "setting type", "applies to"),
    "name": ("name", "closure", "holiday", "description"),
}
SETTINGS = {"school": ("school", "schools", "school and college"),
            "post16": ("post16", "post 16", "college", "colleges", "sixth form"),
            "early_years": ("early years", "early_years", "nursery", "nurseries", "ey")}
_HEADER_INDEX = {normalise_header(a): name for name, aliases in HEADERS.items() for a in aliases}
_SETTING_INDEX = {normalise_header(a): name for name, aliases in SETTINGS.items() for a in aliases}


def _decode(path: Path) -> str:
    data = read_input(path, "term-dates file ", SMALL_FILE_BYTES)
    check_text(data, f"term-dates file {path.name}")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SendcheckError(f"{path}: not a text file (expected a CSV of closures)")


def read_term_dates(path: str | Path, pivot_year: int = 2069) -> pl.DataFrame:
    """The closures in the file (CLOSURE_SCHEMA), sorted by start; any unreadable row is an error
    naming its row and column (the file is small and a council's own: fix it and rerun)."""
    path = Path(path)
    try:
        raw = pl.read_csv(io.StringIO(_decode(path)), infer_schema=False)
    except pl.exceptions.PolarsError:  # its message quotes the row: never passed on
        raise SendcheckError(f"{path}: not a readable CSV (a quote left open, or rows of "
                             f"different widths); expected columns start, end") from None
    names = {c: _HEADER_INDEX.get(normalise_header(c)) for c in raw.columns}
    raw = raw.rename({c: n for c, n in names.items() if n}).select(
        [n for n in HEADERS if n in names.values()])
    for need in ("start", "end"):
        if need not in raw.columns:
            # The first row is never quoted: a children's list given here by mistake would put
            # a name or a date of birth on stderr.
            raise SendcheckError(f"{path}: no {need!r} column (expected a header row naming "
                                 f"start, end and optionally setting, name; the first row's "
                                 f"{len(names)} cells name no {need!r}): is this a term-dates "
                                 f"file?")
    raw = raw.filter(pl.any_horizontal(pl.all().is_not_null() & (pl.all().str.strip_chars() != "")))
    out = {}
    for col in ("start", "end"):
        parsed = parse_text(raw.get_column(col).str.strip_chars(), pivot_year)
        bad = parsed.with_row_index("i").filter(
            pl.col("error").is_not_null() | pl.col("date").is_null())
        if bad.height:
            i, err = bad.row(0, named=True)["i"], bad.row(0, named=True)["error"] or "blank"
            raise SendcheckError(f"{path}: row {i + 2}, column {col}: "
                                 f"{quoted(raw.get_column(col)[i])} is {err} (expected a date "
                                 f"like 31/07/2025)")
        out[col] = parsed.get_column("date")
    setting = (raw.get_column("setting") if "setting" in raw.columns
               else pl.Series([None] * raw.height, dtype=pl.String))
    key = setting.str.to_lowercase().str.replace_all(r"[^0-9a-z]", "").replace("", None)
    canon = key.replace_strict(_SETTING_INDEX, default="?", return_dtype=pl.String)
    canon = pl.select(pl.when(key.is_null()).then(None).otherwise(canon)).to_series()
    frame = pl.DataFrame({**out, "setting": canon,
                          "name": raw.get_column("name").str.strip_chars().replace("", None)
                          if "name" in raw.columns else pl.Series([None] * raw.height, dtype=pl.String)},
                         schema=CLOSURE_SCHEMA).with_row_index("i")
    wrong = frame.filter((pl.col("end") < pl.col("start")) | (pl.col("setting") == "?"))
    if wrong.height:
        r = wrong.row(0, named=True)
        problem = (f"end {r['end']} is before start {r['start']}" if r["end"] < r["start"] else
                   f"setting {quoted(setting[r['i']])} is not one of school, post16, early_years (or blank)")
        raise SendcheckError(f"{path}: row {r['i'] + 2}: {problem}")
    return frame.drop("i").sort("start")
