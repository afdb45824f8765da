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
# What Excel shows in an error cell (a formula that failed), in a workbook or a CSV saved from one.
EXCEL_ERROR = r"^#(?:N/A|VALUE!|REF!|DIV/0!|NAME\?|NUM!|NULL!|SPILL!|CALC!|GETTING_DATA|FIELD!|BLOCKED!|BUSY!|CONNECT!|EXTERNAL!|PYTHON!|UNKNOWN!)$"
# A number no date can be: an exponent, more digits than any serial, not finite.
_NUMBER = r"(?i)^[+-]?(?:\d+(?:\.\d*)?(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?|inf(?:inity)?|nan)$"


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


# The two forms nearly every cell takes: dd/mm/yyyy (English exports) and calamine's text for an
# Excel date cell. polars parses them directly; every other cell takes the full path below.
# Only exact-length cells are taken: `%Y` would read the `23` of `01/02/23` as the year 23.
_FAST = (("%d/%m/%Y", 10), ("%Y-%m-%d %H:%M:%S", 19))


def _fast_forms(c: str) -> pl.Expr:
    """The date of each cell written exactly in one of the _FAST forms with a plausible year
    (the first form that gives one); null elsewhere."""
    text = pl.col(c)
    (fmt1, width1), (fmt2, width2) = _FAST
    first = text.str.to_date(fmt1, strict=False)
    # The second form only for the cells of its width (the rest are null, which costs nothing).
    second = pl.when(text.str.len_bytes() == width2).then(text).str.to_datetime(
        fmt2, strict=False).dt.date()
    ok1 = (text.str.len_bytes() == width1) & first.dt.year().is_between(MIN_YEAR, MAX_YEAR)
    ok2 = second.dt.year().is_between(MIN_YEAR, MAX_YEAR)
    return pl.when(ok1).then(first).when(ok2).then(second).alias(c)


def parse_date_columns(frame: pl.DataFrame, columns: list[str], pivot_year: int) -> pl.DataFrame:
    """Parse text date columns: for each column `c`, `c` (Date) and `c__err` (why a non-blank
    cell is not a date; null where it is blank or a readable date), one row per input row.

    Nearly every cell is dd/mm/yyyy or an Excel date cell: polars parses those directly, every
    column in one query. The cells left (other forms, serial numbers, junk; a few in a thousand)
    of all the columns go through `_parse_distinct` together, once per distinct text, and are
    put back in their rows.
    """
    schema = {n: t for c in columns for n, t in ((c, pl.Date), (f"{c}__err", pl.String))}
    if not columns:
        return pl.DataFrame(schema=schema)
    fast = frame.lazy().select(_fast_forms(c) for c in columns).collect()
    # The cells left, and their rows, for every column at once (one row of lists).
    both = frame.select(columns).hstack([s.alias(f"{s.name}__date") for s in fast.get_columns()])
    left = both.select(e for c in columns for e in (
        pl.col(c).filter(pl.col(f"{c}__date").is_null() & pl.col(c).is_not_null())
        .implode().alias(c),
        pl.arg_where(pl.col(f"{c}__date").is_null() & pl.col(c).is_not_null())
        .cast(pl.UInt32).implode().alias(f"{c}__idx"))).row(0, named=True)
    rest = [t for c in columns for t in left[c]]
    out = []
    blank = pl.repeat(None, frame.height, dtype=pl.String, eager=True)  # shared, not copied
    looked: dict = {}
    if rest:
        distinct = pl.Series("text", rest, pl.String).unique()
        parsed = _parse_distinct(distinct, pivot_year)
        keys, text = distinct.to_list(), pl.col("text")
        # Every column's cells looked up in one query, then split by column.
        cells = pl.DataFrame({"col": [c for c in columns for _ in left[c]], "text": rest,
                              "idx": [i for c in columns for i in left[f"{c}__idx"]]},
                             schema={"col": pl.String, "text": pl.String, "idx": pl.UInt32})
        looked = cells.select(
            "col", "idx",
            text.replace_strict(keys, parsed.get_column("date"), default=None,
                                return_dtype=pl.Date).alias("date"),
            text.replace_strict(keys, parsed.get_column("error"), default=None,
                                return_dtype=pl.String).alias("error"),
        ).partition_by("col", as_dict=True, include_key=False)
    for c in columns:
        date = fast.get_column(c)
        error = blank.alias(f"{c}__err")
        if (c,) in looked:
            got = looked[(c,)]
            date = date.scatter(got.get_column("idx"), got.get_column("date"))
            error = error.scatter(got.get_column("idx"), got.get_column("error"))
        out += [date, error]
    return pl.DataFrame(out, schema=schema)


def parse_text(values: pl.Series, pivot_year: int) -> pl.DataFrame:
    """Parse text cells in any accepted form: a frame of `date` (Date) and `error` (why a
    non-blank cell is not a date; null where it is blank or a readable date), one row per value.

    Each distinct text is parsed once and the result joined back onto the rows.
    """
    text = values.cast(pl.String).rename("text")
    distinct = text.unique().to_frame()
    parsed = pl.concat([distinct, _parse_distinct(distinct.get_column("text"), pivot_year)],
                       how="horizontal")
    return text.to_frame().join(parsed, on="text", how="left", nulls_equal=True,
                                maintain_order="left").select("date", "error")


def _parse_distinct(values: pl.Series, pivot_year: int) -> pl.DataFrame:
    """Every accepted form, with the reason for each failure.

    Evaluated in stages on named columns, each stage referring to the last by name: written as
    one expression, the pattern matches were repeated in every branch that used them and polars
    ran the regular expressions hundreds of times per cell (3.4 s per column at 100,000 rows).
    """
    f = pl.DataFrame({"s": values.str.strip_chars()})
    f = f.with_columns(
        (pl.col("s").is_null() | (pl.col("s") == "")).alias("blank"),
        pl.col("s").str.extract_groups(_DMY).alias("dmy"),
        pl.col("s").str.extract_groups(_ISO).alias("iso"),
        pl.col("s").str.extract_groups(_D_MON_Y).alias("dmon"),
        pl.col("s").str.extract_groups(_Y_MON_D).alias("ymon"),
        pl.col("s").str.extract(_SERIAL, 1).cast(pl.Int64, strict=False).alias("serial"),
    )
    first = {k: pl.col(k).struct.field("1").is_not_null() for k in ("dmy", "iso", "dmon", "ymon")}
    f = f.with_columns(pl.coalesce(
        *(pl.when(hit).then(pl.lit(k)) for k, hit in first.items()),
        pl.when(pl.col("serial").is_not_null()).then(pl.lit("serial")),
    ).alias("matched"))
    kind = pl.col("matched")
    dmy, iso, dmon, ymon = (pl.col(k) for k in ("dmy", "iso", "dmon", "ymon"))
    f = f.with_columns(
        pl.when(kind == "dmy").then(_year_expr(dmy.struct.field("3"), pivot_year))
        .when(kind == "iso").then(iso.struct.field("1").cast(pl.Int32))
        .when(kind == "dmon").then(_year_expr(dmon.struct.field("3"), pivot_year))
        .when(kind == "ymon").then(ymon.struct.field("1").cast(pl.Int32)).alias("y"),
        pl.when(kind == "dmy").then(dmy.struct.field("2").cast(pl.Int32))
        .when(kind == "iso").then(iso.struct.field("2").cast(pl.Int32))
        .when(kind == "dmon").then(_month_expr(dmon.struct.field("2")))
        .when(kind == "ymon").then(_month_expr(ymon.struct.field("2"))).alias("m"),
        pl.when(kind == "dmy").then(dmy.struct.field("1").cast(pl.Int32))
        .when(kind == "iso").then(iso.struct.field("3").cast(pl.Int32))
        .when(kind == "dmon").then(dmon.struct.field("1").cast(pl.Int32))
        .when(kind == "ymon").then(ymon.struct.field("3").cast(pl.Int32)).alias("d"),
    )
    serial = pl.col("serial")
    f = f.with_columns(
        pl.when(kind.is_in(["dmy", "iso", "dmon", "ymon"])).then(
            _ymd(pl.col("y"), pl.col("m"), pl.col("d")))
        .when((kind == "serial") & (serial >= 10000) & (serial < 2958466)).then(
            pl.lit(EXCEL_EPOCH) + pl.duration(days=serial))
        .otherwise(None).alias("date"))
    year = pl.col("date").dt.year()
    in_range = (year >= MIN_YEAR) & (year <= MAX_YEAR)
    f = f.with_columns(
        pl.when(pl.col("blank")).then(None)
        .when(kind.is_null() & pl.col("s").str.contains(EXCEL_ERROR)).then(
            pl.lit("an Excel error cell, not a date"))
        .when(kind.is_null() & pl.col("s").str.contains(_NUMBER)).then(
            pl.lit("a number outside any Excel date"))
        .when(kind.is_null()).then(pl.lit("not a date"))
        .when((kind == "serial") & (serial >= 2958466)).then(
            pl.lit("a number outside any Excel date"))
        .when((kind == "serial") & (serial < 10000)).then(pl.lit("not a date (a number too small for an Excel date)"))
        .when(pl.col("date").is_null()).then(pl.lit("no such calendar date"))
        .when(~in_range).then(pl.format("year {} is outside {}–{}", year, pl.lit(MIN_YEAR), pl.lit(MAX_YEAR)))
        .otherwise(None).alias("error"))
    return f.select(
        pl.when(pl.col("error").is_null() & ~pl.col("blank")).then(pl.col("date")).alias("date"),
        pl.col("error"))


def parse_one_date(text: str, pivot_year: int | None = None) -> dt.date | None:
    """One date a person typed (an option's value) in any form an export cell may take, day
    first; None when it is not one. A bare number is never a date here (no Excel serials)."""
    import re

    if re.fullmatch(_SERIAL, text.strip()):
        return None
    pivot = pivot_year if pivot_year is not None else dt.date.today().year + 1
    return parse_text(pl.Series([text], dtype=pl.String), pivot).get_column("date")[0]
