"""Turning read tables into one typed episodes frame: dates parsed, codes made canonical.

Each date column `c` becomes a Date column `c` plus `c__err` (why the cell is not a date, or
null); each coded column holds canonical values, `"?"` for a value it does not know, and keeps
the text as written in `c__raw` so data-quality findings can quote it.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from sendcheck.columns import BY_NAME, PERSONAL, VALUES, canonical_value_expr
from sendcheck.read.dates import parse_date_columns
from sendcheck.read.sheets import Table

# The EHC duties began with the SEND reforms (CFA 2014 Part 3, in force 1 September 2014): a
# request, decision, plan or review dated earlier is no EHC event (often a two-digit year read as
# 19yy). Such a cell is unusable, like one that is not a date: it is blanked with its reason in
# `c__err`, so every rule reading it is invalid with that reason and no measure counts it, and
# DQ15 reports the cell (a date of birth is the only date that may be older).
REFORM_DATE = dt.date(2014, 9, 1)
BEFORE_REFORMS = "a date before the SEND reforms (1 September 2014)"


def _before_reforms(dates: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """The parsed dates with any before the reforms made unusable, their reason in `c__err`."""
    fix = []
    for c in (c for c in columns if c not in PERSONAL):
        early = (pl.col(c) < pl.lit(REFORM_DATE)).fill_null(False)
        fix += [pl.when(early).then(pl.format(BEFORE_REFORMS + ", read as {}", pl.col(c)))
                .otherwise(pl.col(f"{c}__err")).alias(f"{c}__err"),
                pl.when(early).then(None).otherwise(pl.col(c)).alias(c)]
    return dates.with_columns(fix) if fix else dates


def combine(tables: list[Table]) -> pl.DataFrame:
    """Stack several inputs; a column one file lacks is null in its rows."""
    frames = [t.frame for t in tables]
    return pl.concat(frames, how="diagonal") if len(frames) > 1 else frames[0]


def _canonical(raw: pl.DataFrame, extras: dict[str, dict[str, str] | None]
               ) -> dict[str, pl.Expr]:
    """canonical_value_expr of each coded column, worked out once per distinct text (a coded
    column has a handful in a million rows; its regular expressions over every row took 0.8 s
    per column) and mapped back onto the rows: every column's texts in one query, their
    canonical values in another."""
    names = list(extras)
    if not names:
        return {}
    distinct = raw.select(pl.col(n).unique().drop_nulls().implode() for n in names).row(0)
    longest = max(len(d) for d in distinct)
    texts = pl.DataFrame({n: [*d, *[None] * (longest - len(d))] for n, d in zip(names, distinct)},
                         schema={n: raw.schema[n] for n in names})
    canon = texts.select(canonical_value_expr(n, extras[n]).alias(n) for n in names)
    return {n: pl.col(n).replace_strict(d, canon.get_column(n).head(len(d)), default=None,
                                        return_dtype=pl.String)
            for n, d in zip(names, distinct)}


def prepare(raw: pl.DataFrame, as_of: dt.date, values: dict[str, dict[str, str]] | None = None
            ) -> pl.DataFrame:
    """Typed episodes: one row per input row, `_idx` its position."""
    pivot = as_of.year + 1
    exprs: list[pl.Expr] = []
    date_cols = [n for n in raw.columns if n in BY_NAME and BY_NAME[n].kind == "date"]
    coded = _canonical(raw, {n: (values or {}).get(n) for n in raw.columns
                             if n in BY_NAME and BY_NAME[n].kind != "date" and n in VALUES})
    for name in raw.columns:
        col = BY_NAME.get(name)
        if col is None:
            continue
        if col.kind == "date":
            exprs.append(pl.col(name).alias(f"{name}__raw"))
        elif name in VALUES:
            exprs += [coded[name].alias(name),
                      pl.col(name).str.strip_chars().alias(f"{name}__raw")]
        else:
            # A blank cell is a missing value, whatever the column (an empty string never counts
            # as "recorded").
            text = pl.col(name).str.strip_chars()
            exprs.append(pl.when(text != "").then(text).alias(name))
    dates = _before_reforms(parse_date_columns(raw, date_cols, pivot), date_cols)
    out = raw.with_columns(exprs).with_columns(dates.get_columns()).with_row_index("_idx")
    row_id = pl.col("_row").cast(pl.String)
    if "record_id" in out.columns:
        # A blank record id falls back to the spreadsheet row, so every episode can be named;
        # `record_id__given` says, per row, whether the id is the export's own (a row number
        # moves between exports, so nothing that must last, such as a suppression, keys on it).
        out = out.with_columns(
            pl.coalesce(pl.col("record_id").replace("", None), row_id).alias("record_id"),
            pl.col("record_id").replace("", None).is_not_null().alias("record_id__given"))
    else:
        out = out.with_columns(row_id.alias("record_id"))
    return out
