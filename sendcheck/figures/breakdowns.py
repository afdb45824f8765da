"""Breakdowns (`--by need|age|setting|sex|ethnicity|team`): the 20-week figure, the open
backlog and the cases overdue and due soon, per group, under DfE's category labels.

Every episode falls in exactly one group, so the groups add up to the whole: a blank or
unreadable value is "not recorded", never dropped; a value DfE has no label for is kept as
written. Each group's 20-week figure is the headline measure itself (measures.twenty_week_measure)
over that group's episodes; cases overdue and due soon are judge/cases.py's one definition
(Audit.cases). Small counts are suppressed as `--suppress-below` does everywhere else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from sendcheck.audit import Audit
from sendcheck.columns import normalise_header
from sendcheck.errors import SendcheckError
from sendcheck.figures import small_counts as suppression
from sendcheck.figures.measures import twenty_week_measure
from sendcheck.figures.periods import Period
from sendcheck.judge.cases import open_assessment
from sendcheck.judge.rulebook import Rule

NOT_RECORDED = "not recorded"
TOTAL = "Total"
GROUP = "_group"
# --by name -> (the column it reads, its title)
DIMENSIONS = {
    "need": ("primary_need", "Primary need"),
    "age": ("birth_date", "Age at the as-of date"),
    "setting": ("setting", "Setting"),
    "sex": ("sex", "Sex"),
    "ethnicity": ("ethnicity", "Ethnicity"),
    "team": ("team", "Team"),
}
# DfE's labels ("Education, health and care plans" and SEN2's SENtype codes, sen2.md section 2).
NEED_LABELS = {
    "Autistic spectrum disorder": ("ASD", "Autism", "Autistic spectrum condition", "ASC"),
    "Social, emotional and mental health": ("SEMH",),
    "Speech, language and communication needs": ("SLCN",),
    "Moderate learning difficulty": ("MLD",),
    "Specific learning difficulty": ("SPLD",),
    "Severe learning difficulty": ("SLD",),
    "Profound and multiple learning difficulty": ("PMLD",),
    "Physical disability": ("PD",),
    "Hearing impairment": ("HI",),
    "Visual impairment": ("VI",),
    "Multi-sensory impairment": ("MSI",),
    "Down syndrome": ("DS",),
    "Other difficulty or disability": ("OTH", "Other"),
}
SEX_LABELS = {"Male": ("M", "Boy"), "Female": ("F", "Girl")}
# SEN2 / school census ethnicity codes -> DfE's labels.
ETHNICITY_LABELS = {
    "White - White British": ("WBRI",), "White - Irish": ("WIRI",),
    "White - Traveller of Irish heritage": ("WIRT",), "White - Gypsy/Roma": ("WROM",),
    "White - Any other White background": ("WOTH",),
    "Mixed - White and Black Caribbean": ("MWBC",), "Mixed - White and Black African": ("MWBA",),
    "Mixed - White and Asian": ("MWAS",), "Mixed - Any other Mixed background": ("MOTH",),
    "Asian - Indian": ("AIND",), "Asian - Pakistani": ("APKN",), "Asian - Bangladeshi": ("ABAN",),
    "Asian - Chinese": ("CHNE",), "Asian - Any other Asian background": ("AOTH",),
    "Black - Black Caribbean": ("BCRB",), "Black - Black African": ("BAFR",),
    "Black - Any other Black background": ("BOTH",), "Any other ethnic group": ("OOTH",),
    "Unclassified": ("NOBT", "REFU", "Refused", "Information not yet obtained"),
}
LABELS = {"primary_need": NEED_LABELS, "sex": SEX_LABELS, "ethnicity": ETHNICITY_LABELS}
# DfE's age groups in the release's headline tables.
AGE_BANDS = ((5, "Under 5"), (11, "5 to 10"), (16, "11 to 15"), (20, "16 to 19"),
             (26, "20 to 25"))
NC_PHASES = {"Early years (N1 to R)": ("N1", "N2", "R"),
             "Primary (Years 1 to 6)": tuple(str(i) for i in range(1, 7)),
             "Secondary (Years 7 to 11)": tuple(str(i) for i in range(7, 12)),
             "Post-16 (Years 12 to 14)": ("12", "13", "14")}
COUNTS = ("plans_issued_den_ex", "plans_issued_20_weeks_ex", "pc_plans_issued_20_weeks_ex",
          "plans_issued_den", "plans_issued_within_20_weeks", "pc_plans_issued_within_20_weeks",
          "open_assessments", "open_past_20_weeks", "cases_overdue", "cases_due_soon")
RATIOS = {"pc_plans_issued_20_weeks_ex": ("plans_issued_20_weeks_ex", "plans_issued_den_ex"),
          "pc_plans_issued_within_20_weeks": ("plans_issued_within_20_weeks", "plans_issued_den")}


@dataclass
class Breakdown:
    by: str
    column: str
    title: str
    definition: str
    groups: list[dict] = field(default_factory=list)  # {"group": label, **COUNTS}, largest first
    total: dict = field(default_factory=dict)
    missing: tuple[str, ...] = ()

    def as_json(self, below: int | None) -> dict:
        return {"by": self.by, "column": self.column, "title": self.title,
                "definition": self.definition, "available": not self.missing,
                "reason": f"not available: the export has no {', '.join(self.missing)} column"
                if self.missing else None, "suppress_below": below,
                "groups": [suppression.values(g, below, RATIOS) for g in self.groups],
                "total": suppression.values(self.total, below, RATIOS) if self.total else None}


def parse_by(text: str | None) -> list[str]:
    """--by need,age: the dimensions, in the order given; a usage error names the choices."""
    if not text:
        return []
    out = [t.strip().lower() for t in text.split(",") if t.strip()]
    bad = [t for t in out if t not in DIMENSIONS]
    if bad:
        raise SendcheckError(f"--by: {', '.join(bad)} is not one of {', '.join(DIMENSIONS)}")
    return list(dict.fromkeys(out))


def _labelled(column: str) -> pl.Expr:
    """The column under DfE's labels: a known code or synonym becomes DfE's label; another
    value stays as written (trimmed); blank is "not recorded"."""
    text = pl.col(column).cast(pl.String).str.strip_chars()
    table = {normalise_header(w): label for label, words in LABELS.get(column, {}).items()
             for w in (label, *words)}
    key = text.str.to_lowercase().str.replace_all(r"[^0-9a-z]", "")
    named = key.replace_strict(table, default=None, return_dtype=pl.String) if table else None
    out = text if named is None else pl.coalesce(named, text)
    return pl.when(text.is_null() | (text == "")).then(pl.lit(NOT_RECORDED)).otherwise(out)


def _age(cols: set[str], as_of: dt.date) -> tuple[pl.Expr, str, tuple[str, ...]]:
    """DfE's age groups from the date of birth at the as-of date; else the NC year's phase."""
    if "birth_date" in cols:
        born = pl.col("birth_date")
        # Whole years: one fewer when the birthday is still to come in the as-of year.
        before = (as_of.month * 100 + as_of.day) < (born.dt.month().cast(pl.Int32) * 100
                                                    + born.dt.day().cast(pl.Int32))
        years = as_of.year - born.dt.year().cast(pl.Int32) - before.cast(pl.Int32)
        expr = pl.lit(NOT_RECORDED)
        for upper, label in reversed(AGE_BANDS):
            expr = pl.when(years < upper).then(pl.lit(label)).otherwise(expr)
        return (pl.when(pl.col("birth_date").is_null() | (years < 0) | (years > 25))
                .then(pl.lit(NOT_RECORDED)).otherwise(expr)), "birth_date", ()
    if "nc_year" in cols:
        expr = pl.lit(NOT_RECORDED)
        for label, years in NC_PHASES.items():
            expr = pl.when(pl.col("nc_year").is_in(years)).then(pl.lit(label)).otherwise(expr)
        return expr, "nc_year", ()
    return pl.lit(NOT_RECORDED), "birth_date", ("birth_date or nc_year",)


def _order(by: str) -> pl.Expr:
    """Groups in DfE's order for age (youngest first), else largest first; "not recorded" last."""
    if by == "age":
        labels = [label for _, label in AGE_BANDS] + list(NC_PHASES)
        return pl.col(GROUP).replace_strict(labels, list(range(len(labels))), default=len(labels),
                                            return_dtype=pl.Int32)
    return -pl.col("episodes").cast(pl.Int64)


def _from_sen2_lists(episodes: pl.DataFrame) -> pl.DataFrame:
    """A SEN2 return's primary need (the SENneed of lowest SENtypeRank) and setting (its first
    placement), from the lists read/sen2.py keeps, where the input has no such column."""
    cols = set(episodes.columns)
    out = []
    if "primary_need" not in cols and {"sen2_sentype", "sen2_sentype_rank"} <= cols:
        ranks = pl.col("sen2_sentype_rank").list.eval(pl.element().cast(pl.Int32, strict=False))
        out.append(pl.col("sen2_sentype").list.get(ranks.list.arg_min(), null_on_oob=True)
                   .alias("primary_need"))
    if "setting" not in cols and "sen2_setting" in cols:
        out.append(pl.col("sen2_setting").list.first().alias("setting"))
    return episodes.with_columns(out) if out else episodes


def grouped(episodes: pl.DataFrame, by: str, as_of: dt.date) -> tuple[pl.DataFrame, str,
                                                                        tuple[str, ...]]:
    """The episodes with their group (GROUP), the column read, and what is missing."""
    column = DIMENSIONS[by][0]
    episodes = _from_sen2_lists(episodes)
    cols = set(episodes.columns)
    if by == "age":
        expr, column, missing = _age(cols, as_of)
    elif column in cols:
        expr, missing = _labelled(column), ()
    else:
        expr, missing = pl.lit(NOT_RECORDED), (column,)
    return episodes.with_columns(expr.alias(GROUP)), column, missing


def compute_breakdown(audit: Audit, by: str, period: Period, rule: Rule) -> Breakdown:
    """One dimension's groups, largest first ("not recorded" last), and the whole."""
    as_of = audit.options.as_of
    frame, column, missing = grouped(audit.episodes, by, as_of)
    b = Breakdown(by, column, DIMENSIONS[by][1], (
        f"per {DIMENSIONS[by][1].lower()} ({column}; blank = {NOT_RECORDED}): the 20-week "
        f"measure over {period.start} to {period.end} ({period.label}, new plans issued), open "
        f"assessments on {as_of} (and those past 20 weeks), and cases overdue and due soon "
        f"(each case once)"), missing=missing)
    if missing:
        return b
    cols = set(frame.columns)
    cases = audit.cases.select(pl.col("_ep").alias("_idx"), "overdue", "due_soon")
    aggs = {"episodes": pl.len(), "cases_overdue": pl.col("overdue").fill_null(False).sum(),
            "cases_due_soon": pl.col("due_soon").fill_null(False).sum()}
    if {"request_received_date", "final_plan_date"} <= cols:
        open_ = open_assessment(cols, as_of)
        waiting = (pl.lit(as_of) - pl.col("request_received_date")).dt.total_days()
        aggs |= {"open_assessments": open_.sum(),
                 "open_past_20_weeks": (open_ & (waiting > rule.limit.days)).fill_null(False)
                 .sum()}
    frame = frame.join(cases, on="_idx", how="left")
    per = frame.group_by(GROUP).agg(**aggs).sort(
        [pl.col(GROUP) == NOT_RECORDED, _order(by), GROUP])
    for row in per.iter_rows(named=True):  # one per group (a handful), never per episode
        m = twenty_week_measure(frame.filter(pl.col(GROUP) == row[GROUP]), rule, period,
                                "issued", as_of)
        b.groups.append(_row(row[GROUP], row, m.values if m.available else {}))
    # The whole, computed apart from the groups (the groups must add up to it).
    whole = twenty_week_measure(frame, rule, period, "issued", as_of)
    b.total = _row(TOTAL, frame.select(**aggs).row(0, named=True),
                   whole.values if whole.available else {})
    return b


def _row(label: str, counts: dict, twenty: dict) -> dict:
    """A group's figures: the 20-week measure's (None where not available) and the counts."""
    out: dict = {"group": label}
    for k in COUNTS:
        v = twenty.get(k) if k.startswith(("plans_", "pc_")) else counts.get(k)
        out[k] = int(v) if isinstance(v, int) else v
    return out


def compute_breakdowns(audit: Audit, dims: list[str]) -> list[Breakdown]:
    """Each --by dimension over the headline's period (the audit's measures must be computed)."""
    from sendcheck.figures.measures import measure_rules

    rule = measure_rules(audit.options.rules_dir)["AS05"]
    return [compute_breakdown(audit, by, audit.headline.period, rule) for by in dims]


def trend_by(audit: Audit, by: str, months: int) -> dict:
    """`trend --by`: the month-by-month series of each group, and of the whole (TOTAL), or the
    reason the export cannot be broken down so."""
    from sendcheck.figures.trend import compute_trend

    frame, column, missing = grouped(audit.episodes, by, audit.options.as_of)
    out = {"by": by, "column": column, "title": DIMENSIONS[by][1], "available": not missing,
           "reason": f"not available: the export has no {', '.join(missing)} column"
           if missing else None, "groups": {}}
    if missing:
        return out
    sizes = frame.group_by(GROUP).agg(episodes=pl.len()).sort(
        [pl.col(GROUP) == NOT_RECORDED, _order(by), GROUP])
    for group in sizes[GROUP]:  # one per group (a handful), never per episode
        out["groups"][group] = compute_trend(audit, months, frame.filter(pl.col(GROUP) == group))
    out["groups"][TOTAL] = compute_trend(audit, months)
    return out
