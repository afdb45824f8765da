"""The authorities side by side: each one's latest run beside the others and the total.

Counts are added up across authorities and every percentage is worked out again from the summed
numerator and denominator (never an average of percentages), so the total row is exactly what one
run over all the authorities' cases would give. The cases overdue and due soon are counted from
the episodes (streaming) and checked against the figure each run stored: a disagreement means a
damaged or hand-edited dataset and stops the hub.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from sendcheck.errors import SendcheckError
from sendcheck.figures.measures import pct
from sendcheck.hub.scan import Partition, latest, scan_episodes, scan_figures

# (key, the run's measure id, numerator field, denominator field, title)
MEASURES = (
    ("twenty_weeks", "final_plan_20w", "plans_issued_20_weeks_ex", "plans_issued_den_ex",
     "new EHC plans issued within 20 weeks, excluding exceptions"),
    ("reviews", "annual_reviews", "reviews_held_within_12_months", "reviews_expected",
     "plans due a review reviewed within 12 months"),
    ("phase_transfers", "phase_transfers", "phase_transfers_by_deadline", "phase_transfers_due",
     "phase transfers done by the deadline"),
    ("tribunal_orders", "tribunal_orders", "on_time", "actions",
     "Tribunal orders carried out within their limits"),
)
CASES = ("plans_in_force", "open_assessments", "cases_overdue", "cases_due_soon")
MONTH_NUM, MONTH_DEN = "plans_issued_20_weeks_ex", "plans_issued_den_ex"


@dataclass
class HubView:
    as_of: dt.date
    as_of_source: str
    authorities: list[dict]  # one row per authority, in code order
    total: dict
    months: list[dict]  # authority, month, numerator, denominator, pc (and the total's rows)
    stale: list[str] = field(default_factory=list)
    episodes: int = 0
    suppress_below: int | None = None


def _per_thousand(count: int | None, plans: int | None) -> float | None:
    if count is None or not plans:
        return None
    return round(1000 * count / plans, 1)


def _derived(row: dict) -> dict:
    """Percentages and rates from a row's counts."""
    out = dict(row)
    for key, *_ in MEASURES:
        out[f"{key}_pc"] = pct(row.get(f"{key}_num"), row.get(f"{key}_den"))
    out["overdue_per_1000_plans"] = _per_thousand(row.get("cases_overdue"),
                                                  row.get("plans_in_force"))
    out["due_soon_per_1000_plans"] = _per_thousand(row.get("cases_due_soon"),
                                                   row.get("plans_in_force"))
    return out


def _int(value: float | None) -> int | None:
    return None if value is None else int(round(value))


def _measure_counts(figures: pl.DataFrame) -> dict[str, dict]:
    """authority -> {key_num, key_den} from the runs' stored measures (None: not available)."""
    out: dict[str, dict] = {}
    wanted = {(m, f): (key, part) for key, m, num, den, _ in MEASURES
              for f, part in ((num, "num"), (den, "den"))}
    rows = figures.filter(pl.col("section") == "measures")
    for r in rows.iter_rows(named=True):
        hit = wanted.get((r["measure"], r["field"]))
        if hit is not None:
            out.setdefault(r["authority"], {})[f"{hit[0]}_{hit[1]}"] = _int(r["value"])
    return out


def _stored_cases(figures: pl.DataFrame) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for r in figures.filter(pl.col("section") == "cases").iter_rows(named=True):
        out.setdefault(r["authority"], {})[r["field"]] = _int(r["value"])
    return out


def _episode_counts(parts: list[Partition]) -> pl.DataFrame:
    """Per authority, from the episodes (streaming): episodes, plans in force, open
    assessments, cases overdue and due soon."""
    lazy = scan_episodes(parts).select("authority", "case", "plan_in_force", "open_assessment")
    return (lazy.group_by("authority").agg(
        pl.len().alias("episodes"),
        pl.col("plan_in_force").sum().alias("plans_in_force"),
        pl.col("open_assessment").sum().alias("open_assessments"),
        (pl.col("case") == "overdue").sum().alias("cases_overdue"),
        (pl.col("case") == "due_soon").sum().alias("cases_due_soon"))
        .collect(engine="streaming").sort("authority"))


def _months(figures: pl.DataFrame) -> list[dict]:
    trend = figures.filter((pl.col("section") == "trend")
                           & pl.col("field").is_in([MONTH_NUM, MONTH_DEN]))
    wide = (trend.select("authority", "month", "field", "value")
            .pivot(on="field", index=["authority", "month"], values="value")
            .sort("authority", "month"))
    rows = []
    for r in wide.iter_rows(named=True):
        num, den = _int(r.get(MONTH_NUM)), _int(r.get(MONTH_DEN))
        rows.append({"authority": r["authority"], "month": r["month"], "num": num, "den": den,
                     "pc": pct(num, den)})
    return rows


def _month_totals(months: list[dict]) -> list[dict]:
    by: dict[str, list[int]] = {}
    for r in months:
        t = by.setdefault(r["month"], [0, 0])
        if r["num"] is not None and r["den"] is not None:  # else not available for that one
            t[0], t[1] = t[0] + r["num"], t[1] + r["den"]
    return [{"authority": "total", "month": m, "num": n, "den": d, "pc": pct(n, d)}
            for m, (n, d) in sorted(by.items())]


def published_figure(code: str) -> dict:
    """DfE's latest published 20-week figure for an authority (excluding exceptions, as the
    hub's own column): {"pc", "year", "name"}; pc None where DfE has none or wrote `x`."""
    from sendcheck.figures import published

    try:
        authority = published.authority(code)
    except published.UnknownAuthority:
        return {"pc": None, "year": None, "name": None}
    years = published.timeliness(authority.old_la_code)
    year = max(years, default=None)
    return {"pc": years[year].pc_ex if year is not None else None, "year": year,
            "name": authority.name}


def compare(partitions: list[Partition], as_of: dt.date | None,
            suppress_below: int | None = None) -> HubView:
    """The side-by-side view of each authority's latest run on or before the as-of date
    (default: the newest run found), each beside DfE's published figure for it."""
    source = "--as-of"
    if as_of is None:
        as_of, source = max(p.as_of for p in partitions), "the newest run found"
    parts = latest(partitions, as_of)
    if not parts:
        raise SendcheckError(f"no run on or before {as_of.isoformat()}")
    figures = scan_figures(parts).collect()
    counts = _episode_counts(parts)
    stored = _stored_cases(figures)
    measures = _measure_counts(figures)
    rows = []
    for r in counts.iter_rows(named=True):
        code = r["authority"]
        for k in CASES:
            if stored.get(code, {}).get(k) != r[k]:
                raise SendcheckError(
                    f"authority {code}: the dataset's episodes give {k} {r[k]}, its run stored "
                    f"{stored.get(code, {}).get(k)}: the dataset is damaged or was edited")
        part = next(p for p in parts if p.authority == code)
        row = {"authority": code, "as_of": part.as_of.isoformat(),
               "stale": part.as_of < as_of, "sendcheck_version": part.version,
               "episodes": r["episodes"], **{k: r[k] for k in CASES}}
        for key, *_ in MEASURES:
            for side in ("num", "den"):
                row[f"{key}_{side}"] = measures.get(code, {}).get(f"{key}_{side}")
        row["published"] = published_figure(code)
        rows.append(_derived(row))
    total: dict = {"authority": "total", "episodes": sum(r["episodes"] for r in rows)}
    for k in CASES:
        total[k] = sum(r[k] for r in rows)
    for key, *_ in MEASURES:
        # A measure an authority's export cannot give is left out of the total, which says over
        # how many authorities it is.
        have = [r for r in rows if r[f"{key}_num"] is not None and r[f"{key}_den"] is not None]
        total[f"{key}_authorities"] = len(have)
        for side in ("num", "den"):
            total[f"{key}_{side}"] = sum(r[f"{key}_{side}"] for r in have) if have else None
    months = _months(figures)
    return HubView(as_of, source, rows, _derived(total), months + _month_totals(months),
                   [r["authority"] for r in rows if r["stale"]], total["episodes"],
                   suppress_below)
