"""Term dates in judgement: whether a school-closure exception is plausible (DQ40), and which
due dates fall inside a closure ("due in the summer closure").

Reg 5(4)(a)-(b) and 10(4)(a)-(b) (applied by 13(3) and 27(3)) excuse a limit only when the
authority asked a school (or early years provider) for advice "during a period beginning one
week before any date on which that school was closed for a continuous period of not less than
4 weeks from that date and ending one week before the date on which it re-opens". So a
school_closure exception needs a closure of at least 4 continuous weeks, and the request for
the school's advice made from a week before it to a week before reopening; without the advice
date (or with one outside the rule's window), the closure must at least fall in the rule's own
window (start to due date).
"""

from __future__ import annotations

import polars as pl

from sendcheck.judge.quality import BY_CODE, DQ_SCHEMA, Check

LONG_CLOSURE_DAYS = 28  # "a continuous period of not less than 4 weeks"
WEEK = pl.duration(days=7)
# Which closures can excuse which exception (a blank setting is every setting).
SETTINGS = {"school_closure": ("school", "post16"), "early_years_closure": ("early_years",)}
NO_TERM_DATES = ("term dates (give --term-dates FILE, or [term_dates] file in sendcheck.toml)",)
# The name a closure is shown by when the file gives none, by the month it starts in.
_SEASON = {1: "Christmas", 2: "February half-term", 3: "Easter", 4: "Easter", 5: "May half-term",
           6: "May half-term", 7: "summer", 8: "summer", 9: "summer", 10: "October half-term",
           11: "October half-term", 12: "Christmas"}

CHECK = Check(
    "DQ40", "closure-exception-implausible",
    "School or early years closure exception with no 4-week closure in the rule's window",
    "Check the exception: reg 10(4)(a)-(b) needs a closure of at least 4 continuous weeks, with "
    "the school's advice requested from a week before it to a week before it reopened. Record "
    "the right reason, or correct the term dates.",
    (), lambda df, as_of: pl.DataFrame(schema=DQ_SCHEMA))
BY_CODE[CHECK.code] = CHECK


def merged(closures: pl.DataFrame) -> pl.DataFrame:
    """The closures of each setting as disjoint periods: closures that overlap or touch (one ends
    the day before the next starts) are one continuous closure, named by its first. One sort and
    a running maximum, so a file of 100,000 overlapping closures costs a sort, never the pairs
    of them (every join below then meets at most one closure per setting for a date)."""
    day = pl.duration(days=1)
    prior_end = pl.col("end").cum_max().shift(1).over("setting")
    return (closures.sort("setting", "start", nulls_last=True)
            .with_columns((pl.col("start") > prior_end + day).fill_null(True).alias("_new"))
            .with_columns(pl.col("_new").cum_sum().over("setting").alias("_group"))
            .group_by("setting", "_group", maintain_order=True)
            .agg(pl.col("start").min(), pl.col("end").max(), pl.col("name").drop_nulls().first())
            .select(closures.columns).sort("start"))


def closure_names(closures: pl.DataFrame) -> pl.DataFrame:
    """The closures with a `label` for messages: the file's name, else the season's."""
    season = pl.col("start").dt.month().replace_strict(_SEASON, return_dtype=pl.String)
    return closures.with_columns(pl.coalesce(pl.col("name"), season).alias("label"))


def implausible_closure_exceptions(results: pl.DataFrame, episodes: pl.DataFrame,
                                   closures: pl.DataFrame) -> pl.DataFrame:
    """DQ40 findings (quality.DQ_SCHEMA): one per (rule, episode) excepted for a closure that the
    term dates do not bear out."""
    hit = results.filter((pl.col("status") == "excepted")
                         & pl.col("exception").cast(pl.String).is_in(list(SETTINGS)))
    if hit.is_empty():
        return pl.DataFrame(schema=DQ_SCHEMA)
    advice = "advice_education_requested_date"
    asked = (episodes.select("_idx", pl.col(advice).alias("_asked")) if advice in episodes.columns
             else episodes.select("_idx", pl.lit(None, pl.Date).alias("_asked")))
    long = merged(closures).filter((pl.col("end") - pl.col("start")).dt.total_days() + 1 >= LONG_CLOSURE_DAYS)
    # The school's advice request counts only inside the rule's own window: for AS01 the export's
    # advice date is the assessment's advice, asked after the decision, not the information
    # the decision was made on.
    pairs = (hit.select("rule", "_idx", "start", "due", pl.col("exception").cast(pl.String))
             .join(asked, on="_idx", how="left")
             .with_columns(pl.when(pl.col("_asked").is_between(pl.col("start"), pl.col("due")))
                           .then(pl.col("_asked")).alias("_asked"))
             .with_row_index("_hit"))
    allowed = pl.DataFrame({"exception": [e for e, ss in SETTINGS.items() for _ in ss],
                            "setting": [s for ss in SETTINGS.values() for s in ss]})
    per = pl.concat([
        long.join(allowed, on="setting", how="inner"),
        long.filter(pl.col("setting").is_null()).join(allowed.select("exception").unique(),
                                                      how="cross"),
    ]).select("start", "end", "exception")
    reopen = pl.col("end") + pl.duration(days=1)
    fits = (pl.when(pl.col("_asked").is_not_null())
            .then(pl.col("_asked").is_between(pl.col("start_right") - WEEK, reopen - WEEK))
            .otherwise((pl.col("start_right") <= pl.col("due")) & (pl.col("end") >= pl.col("start"))))
    plausible = (pairs.join(per, on="exception", how="inner", suffix="_right")
                 .filter(fits).select("_hit").unique())
    bad = pairs.join(plausible, on="_hit", how="anti")
    where = (pl.when(pl.col("_asked").is_not_null())
             .then(pl.format("the school's advice was requested on {}, not from a week before a "
                             "closure of 4 weeks or more to a week before it reopened", pl.col("_asked")))
             .otherwise(pl.format("no closure of 4 weeks or more falls between {} and {}",
                                  pl.col("start"), pl.col("due"))))
    return bad.sort("_hit").select(
        pl.lit(CHECK.code).alias("check"), pl.col("_idx"), pl.lit("exception_reason").alias("column"),
        pl.format("{} excepted for {}, but {} in the term dates", pl.col("rule"),
                  pl.col("exception"), where).alias("message")).cast(DQ_SCHEMA)


def mark_due_in_closure(found: pl.DataFrame, closures: pl.DataFrame) -> pl.DataFrame:
    """Findings still to come (due soon, pending) whose due date falls inside a closure get
    "; due in the summer closure" added to their message: the team can act before it closes."""
    named = closure_names(merged(closures)).select(pl.col("start").alias("_c_start"),
                                           pl.col("end").alias("_c_end"), "label").sort("_c_start")
    open_ = pl.col("status").is_in(["due_soon", "pending"])
    keyed = found.with_row_index("_f").with_columns(
        pl.when(open_).then(pl.col("due")).alias("_due_key"))
    # An inequality join: a closure a due date falls in (start <= due <= end); the first by start.
    inside = (keyed.filter(pl.col("_due_key").is_not_null()).select("_f", "_due_key")
              .join_where(named, pl.col("_due_key") >= pl.col("_c_start"),
                          pl.col("_due_key") <= pl.col("_c_end"))
              .sort("_f", "_c_start").group_by("_f", maintain_order=True).first()
              .select("_f", pl.format("due in the {} closure", pl.col("label")).alias("_closure")))
    return (keyed.join(inside, on="_f", how="left", maintain_order="left")
            .with_columns(pl.when(pl.col("_closure").is_not_null())
                          .then(pl.format("{}; {}", pl.col("message"), pl.col("_closure")))
                          .otherwise(pl.col("message")).alias("message"))
            .drop("_f", "_due_key", "_closure"))
