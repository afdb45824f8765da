"""Compliance with Tribunal orders, unopposed appeals and mediation: the measures, per kind.

Counted from the compact statuses (the rule files fix the limits and exceptions, so a figure
here is the count of the findings a person can open): actions done in the period on time (met)
or late (late, or early for the mediation notice), excepted, and the actions still open on the
as-of date (overdue, due soon, pending), whatever the period. SEN2's RequestTribunal,
AssessmentTribunal, OtherTribunal and *Mediation items are yes/no flags with no dates: they say
how many appeals and mediations there were, not whether the limits were kept, so they are
reported beside the measure and never counted as on time.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from sendcheck.columns import SEN2_APPEAL_STAGES
from sendcheck.figures.measures import COHORT_TEXT, Measure, pct
from sendcheck.figures.periods import Period
from sendcheck.judge.engine import RuleRun
from sendcheck.judge.statuses import Judgement

# (measure id, title, the rule codes it counts, the regulation, the SEN2 items it reports)
FAMILIES = (
    ("tribunal_orders", "Tribunal orders carried out within their limits",
     tuple(f"TO{n:02d}" for n in range(1, 9)), "reg 44(2)", "tribunal"),
    ("unopposed_appeals", "Conceded (unopposed) appeals carried out within their limits",
     tuple(f"UA{n:02d}" for n in range(1, 8)), "reg 45", None),
    ("mediation_agreements", "Mediation agreements carried out within their limits",
     tuple(f"ME{n:02d}" for n in range(4, 12)), "reg 42", None),
    ("mediation", "Mediation arranged, notified and certified within its limits",
     ("ME01", "ME02", "ME03"), "regs 37-39", "mediation"),
)
DONE = ("met", "late", "early")
OPEN = ("overdue", "due_soon", "pending")
FAMILY = pl.Enum([f[0] for f in FAMILIES])
# Rule code -> its family's measure id: the key of the one group-by each count is.
OF_FAMILY = {code: f[0] for f in FAMILIES for code in f[2]}


def _flag_columns(columns: list[str], what: str | None) -> list[str]:
    cols = [f"{stage}_{what}" for stage in SEN2_APPEAL_STAGES] if what else []
    return [c for c in cols if c in columns]


def _flagged(episodes: pl.DataFrame) -> dict[str, int]:
    """Cases with any SEN2 flag of each kind (tribunal, mediation) the export has: one query."""
    kinds = {what: cols for _, _, _, _, what in FAMILIES
             if (cols := _flag_columns(episodes.columns, what))}
    if not kinds:
        return {}
    return episodes.select(
        pl.any_horizontal([(pl.col(c) == "1").fill_null(False) for c in cols]).sum().alias(what)
        for what, cols in kinds.items()).row(0, named=True)


def _flag_note(columns: list[str], what: str | None, flagged: dict[str, int]) -> list[str]:
    cols = _flag_columns(columns, what)
    if not cols:
        return []
    n = flagged[what]
    items = ", ".join("".join(w.capitalize() for w in c.split("_")) for c in cols)
    noun = "appeals to the Tribunal" if what == "tribunal" else "mediations"
    cases = "case" if n == 1 else "cases"
    return [(f"the export flags {n} {cases} with {noun} ({items} = 1); those items carry no "
             f"dates, so whether their limits were kept is not judged from them")]


def _by_family(frame: pl.DataFrame | pl.LazyFrame, *aggs: pl.Expr) -> dict[str, dict]:
    """`aggs` per family of `frame`'s rules, in one group-by keyed by the FAMILY Enum."""
    family = pl.col("rule").replace_strict(OF_FAMILY, default=None, return_dtype=FAMILY)
    grouped = (frame.lazy().with_columns(family.alias("_family")).drop_nulls("_family")
               .group_by("_family").agg(*aggs).collect())
    return {r.pop("_family"): r for r in grouped.to_dicts()}


def appeal_measures(judgement: Judgement, runs: list[RuleRun], episodes: pl.DataFrame,
                    period: Period, cohort: str, as_of: dt.date) -> list[Measure]:
    """One measure per kind (order, concession, agreement, mediation) that the export has cases
    of, or SEN2 flags for (then not available, with the columns the rules lack)."""
    ran = {r.rule.code for r in runs if r.skipped is None}
    lacking = {r.rule.code: r.skipped for r in runs if r.skipped is not None}
    anchor = pl.col("done") if cohort == "issued" else pl.col("due")
    in_period = anchor.is_between(pl.lit(period.start), pl.lit(period.end)).fill_null(False)
    status = pl.col("status")
    # Every family's statuses by count, and (what a period counts needs the finding's dates)
    # its actions done and excepted in the period: one group-by each.
    opened = _by_family(judgement.counts(), *(
        pl.col("len").filter(status == s).sum().alias(s)
        for s in ("overdue", "due_soon", "pending", "invalid")),
        pl.col("len").filter(status != "not_applicable").sum().alias("applicable"))
    dated = _by_family(
        judgement.findings((*DONE, "excepted"), OF_FAMILY).lazy().filter(in_period),
        status.is_in(DONE).sum().alias("actions"), (status == "met").sum().alias("on_time"),
        status.is_in(["late", "early"]).sum().alias("late"),
        (status == "excepted").sum().alias("excepted"))
    flagged = _flagged(episodes)
    out = []
    for mid, title, codes, law, flags in FAMILIES:
        notes = _flag_note(episodes.columns, flags, flagged)
        if not ran & set(codes) and not notes:
            continue
        m = Measure(mid, title, "", period, cohort, "excepted cases counted apart (reg 44(3) "
                    "and the rule files' exceptions); not in on time or late",
                    notes=notes, ratios={"pc_on_time": ("on_time", "actions")})
        if not ran & set(codes):
            m.missing = tuple(dict.fromkeys(c for code in codes for c in lacking.get(code, ())))
            out.append(m)
            continue
        n = opened.get(mid, {})
        if not notes and not n.get("applicable"):
            continue  # the columns are there, but no case has an order (or a mediation)
        v = {"actions": 0, "on_time": 0, "late": 0, "excepted": 0} | dated.get(mid, {})
        m.values = {"actions": v["actions"], "on_time": v["on_time"], "late": v["late"],
                    "pc_on_time": pct(v["on_time"], v["actions"]), "excepted": v["excepted"],
                    "open_overdue": n.get("overdue", 0), "open_due_soon": n.get("due_soon", 0),
                    "open_pending": n.get("pending", 0), "invalid": n.get("invalid", 0)}
        judged = ", ".join(sorted(ran & set(codes)))
        m.definition = (
            f"Actions {law} requires ({judged}), "
            + COHORT_TEXT[cohort].format(end="the action's date", start="the start",
                                         limit="action's")
            + f", {period.start.isoformat()} to {period.end.isoformat()}: on time = done by the "
            f"due date; open = not done on {as_of.isoformat()} (any period).")
        if lacking.keys() & set(codes):
            m.notes.append("not judged for lack of columns: " + ", ".join(
                f"{c} ({', '.join(lacking[c])})" for c in codes if c in lacking))
        out.append(m)
    return out
