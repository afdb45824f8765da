"""Turning read tables into one typed episodes frame: dates parsed, codes made canonical.

Each date column `c` becomes a Date column `c` plus `c__err` (why the cell is not a date, or
null); each coded column holds canonical values, `"?"` for a value it does not know, and keeps
the text as written in `c__raw` so data-quality findings can quote it.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from sendcheck.columns import BY_NAME, VALUES, canonical_value_expr
from sendcheck.read.dates import parse_date_columns
from sendcheck.read.sheets import Table


def combine(tables: list[Table]) -> pl.DataFrame:
    """Stack several inputs; a column one file lacks is null in its rows."""
    frames = [t.frame for t in tables]
    return pl.concat(frames, how="diagonal") if len(frames) > 1 else frames[0]


def _canonical(raw: pl.DataFrame, name: str, extra: dict[str, str] | None) -> pl.Expr:
    """canonical_value_expr worked out once per distinct text (a coded column has a handful in
    a million rows; its regular expressions over every row took 0.8 s per column) and mapped
    back onto the rows."""
    distinct = raw.select(pl.col(name).unique().drop_nulls())
    canon = distinct.select(pl.col(name), canonical_value_expr(name, extra).alias("_canon"))
    return pl.col(name).replace_strict(canon.get_column(name), canon.get_column("_canon"),
                                       default=None, return_dtype=pl.String)


def prepare(raw: pl.DataFrame, as_of: dt.date, values: dict[str, dict[str, str]] | None = None
            ) -> pl.DataFrame:
    """Typed episodes: one row per input row, `_idx` its position."""
    pivot = as_of.year + 1
    exprs: list[pl.Expr] = []
    date_cols = [n for n in raw.columns if n in BY_NAME and BY_NAME[n].kind == "date"]
    for name in raw.columns:
        col = BY_NAME.get(name)
        if col is None:
            continue
        if col.kind == "date":
            exprs.append(pl.col(name).alias(f"{name}__raw"))
        elif name in VALUES:
            extra = (values or {}).get(name)
            exprs += [_canonical(raw, name, extra).alias(name),
                      pl.col(name).str.strip_chars().alias(f"{name}__raw")]
        else:
            # A blank cell is a missing value, whatever the column (an empty string never counts
            # as "recorded").
            exprs.append(pl.col(name).str.strip_chars().replace("", None).alias(name))
    dates = parse_date_columns(raw, date_cols, pivot)
    out = raw.with_columns(exprs).with_columns(dates.get_columns()).with_row_index("_idx")
    row_id = pl.col("_row").cast(pl.String)
    if "record_id" in out.columns:
        # A blank record id falls back to the spreadsheet row, so every episode can be named.
        out = out.with_columns(
            pl.coalesce(pl.col("record_id").replace("", None), row_id).alias("record_id"),
            pl.lit(True).alias("record_id__given"))
    else:
        out = out.with_columns(row_id.alias("record_id"))
    return out
