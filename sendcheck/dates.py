"""Day-first date parsing of whole text columns, reporting every cell that is not a date.

Written by hand on polars expressions because no library reads English exports' mixture
(`31/01/2025`, `31/01/25`, `31 Jan 2025`, COLLECT's `2025-Jan-31 00:00:00`, Excel cells and
serial numbers) strictly day-first *and* says why a cell failed: `str.to_date(strict=False)`
reads `01/02/23` as the year 23 and dateutil guesses month-first; both lose the reason.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

# Plausible calendar years for any date in an EHC export (the Excel "zero date" 1900-01-00 and
# typos such as 2202 are reported instead of being believed).
MIN_YEAR, MAX_YEAR = 1901, 2099
EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel serial 1 = 1900-01-01 (ignoring Lotus' 29 Feb 1900)

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DMY = r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})" + _TIME + "$"
_ISO = r"^(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME + "$"
_D_MON_Y = r"^(\d{1,2})[ \-/]?([A-Za-z]{3,9})\.?[ \-/,]*(\d{4}|\d{2})" + _TIME + "$"
_Y_MON_D = r"^(\d{4})-([A-Za-z]{3,9})-(\d{1,2})" + _TIME + "$"
_SERIAL = r"^(-?\d{1,7})(?:\.\d+)?$"


def _year_expr(raw: pl.Expr, pivot_year: int) -> pl.Expr:
    """Two-digit years are 20yy when that is no later than pivot_year, else 19yy (contract 1.1)."""
    y = raw.cast(pl.Int32, strict=False)
    two = raw.str.len_chars() == 2
    pivot = pivot_year - 2000
    return pl.when(two & (y <= pivot)).then(y + 2000).when(two).then(y + 1900).otherwise(y)


def _month_expr(raw: pl.Expr) -> pl.Expr:
    return raw.str.to_lowercase().str.slice(0, 3).replace_strict(
        _MONTHS, default=None, return_dtype=pl.Int32)


def _ymd(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    """Build a date from parts; an impossible day (31/02) gives null rather than an error."""
    text = pl.format(
        "{}-{}-{}",
        y.cast(pl.String).str.zfill(4),
        m.cast(pl.String).str.zfill(2),
        d.cast(pl.String).str.zfill(2),
    )
    return text.str.to_date("%Y-%m-%d", strict=False)


def parse_dates(col: str, pivot_year: int) -> tuple[pl.Expr, pl.Expr]:
    """Return (date expression, error expression) for the text column `col`.

    The error expression is null where the cell is blank or a readable date, else a short reason.
    """
    s = pl.col(col).str.strip_chars()
    blank = s.is_null() | (s == "")
    dmy = s.str.extract_groups(_DMY)
    iso = s.str.extract_groups(_ISO)
    dmon = s.str.extract_groups(_D_MON_Y)
    ymon = s.str.extract_groups(_Y_MON_D)
    serial = s.str.extract(_SERIAL, 1).cast(pl.Int64, strict=False)

    matched = pl.coalesce(
        pl.when(dmy.struct.field("1").is_not_null()).then(pl.lit("dmy")),
        pl.when(iso.struct.field("1").is_not_null()).then(pl.lit("iso")),
        pl.when(dmon.struct.field("1").is_not_null()).then(pl.lit("dmon")),
        pl.when(ymon.struct.field("1").is_not_null()).then(pl.lit("ymon")),
        pl.when(serial.is_not_null()).then(pl.lit("serial")),
    )
    date = (
        pl.when(matched == "dmy").then(_ymd(
            _year_expr(dmy.struct.field("3"), pivot_year),
            dmy.struct.field("2").cast(pl.Int32), dmy.struct.field("1").cast(pl.Int32)))
        .when(matched == "iso").then(_ymd(
            iso.struct.field("1").cast(pl.Int32), iso.struct.field("2").cast(pl.Int32),
            iso.struct.field("3").cast(pl.Int32)))
        .when(matched == "dmon").then(_ymd(
            _year_expr(dmon.struct.field("3"), pivot_year), _month_expr(dmon.struct.field("2")),
            dmon.struct.field("1").cast(pl.Int32)))
        .when(matched == "ymon").then(_ymd(
            ymon.struct.field("1").cast(pl.Int32), _month_expr(ymon.struct.field("2")),
            ymon.struct.field("3").cast(pl.Int32)))
        .when((matched == "serial") & (serial >= 10000) & (serial < 2958466)).then(
            pl.lit(EXCEL_EPOCH) + pl.duration(days=serial))
        .otherwise(None)
    )
    year = date.dt.year()
    in_range = (year >= MIN_YEAR) & (year <= MAX_YEAR)
    error = (
        pl.when(blank).then(None)
        .when(matched.is_null()).then(pl.lit("not a date"))
        .when((matched == "serial") & (serial < 10000)).then(pl.lit("not a date (a number too small for an Excel date)"))
        .when(date.is_null()).then(pl.lit("no such calendar date"))
        .when(~in_range).then(pl.format("year {} is outside {}–{}", year, pl.lit(MIN_YEAR), pl.lit(MAX_YEAR)))
        .otherwise(None)
    )
    return pl.when(error.is_null() & ~blank).then(date).otherwise(None), error
