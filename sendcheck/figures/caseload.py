"""Caseworker load on the as-of date: per caseworker, plans in force, open assessments, reviews due
in the next N weeks, cases overdue and due soon, against the [caseload] benchmarks in
sendcheck.toml; unallocated cases as their own row; per-FTE loads from an optional staff file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from sendcheck.columns import normalise_header
from sendcheck.config import CaseloadLimits
from sendcheck.errors import SendcheckError, quoted
from sendcheck.judge.cases import (
    CASE_DEFINITION,
    EXPORT_REVIEWS,
    case_status,
    missing_columns,
    open_assessment,
    plan_in_force,
    reviews_due_within,
)

UNALLOCATED = "(unallocated)"
COUNTS = ("plans_in_force", "open_assessments", "reviews_due_next", "cases_overdue",
          "cases_due_soon")
STAFF_HEADERS = {"caseworker": ("caseworker", "name", "ehccoordinator", "coordinator",
                                "caseofficer", "officer", "staff"),
                 "fte": ("fte", "fulltimeequivalent", "hours fte"),
                 "role": ("role", "jobtitle", "title", "post")}


@dataclass
class Caseload:
    as_of: dt.date
    limits: CaseloadLimits
    rows: list[dict] = field(default_factory=list)  # one per caseworker, unallocated last
    total: dict = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    # Counts that need a column the export lacks: count -> the missing columns (null figures).
    unavailable: dict[str, tuple[str, ...]] = field(default_factory=dict)
    staff_file: str | None = None
    due_within: int = 28
    reviews_from: str = EXPORT_REVIEWS


MIN_FTE = 0.01


def read_staff(path: str | Path) -> pl.DataFrame:
    """caseworker, fte, role from a small CSV; a bad file stops the run (exit 2)."""
    from sendcheck.read.limits import SMALL_FILE_BYTES, read_input

    path = Path(path)
    data = read_input(path, "--staff: ", SMALL_FILE_BYTES)
    for enc in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise SendcheckError(f"--staff: {path.name}: the file is empty")
    index = {normalise_header(a): k for k, aliases in STAFF_HEADERS.items() for a in aliases}
    found = {index[normalise_header(h)]: i for i, h in enumerate(rows[0])
             if normalise_header(h) in index}
    if "caseworker" not in found or "fte" not in found:
        # The first row's cells are never quoted: a children's list given here by mistake would
        # put a name or a date of birth on stderr.
        raise SendcheckError(f"--staff: {path.name}: expected a header row naming the columns "
                             f"caseworker and FTE (and optionally role); its first row "
                             f"({len(rows[0])} cells) has no such header: is this a staff list?")
    out = []
    for n, row in enumerate(rows[1:], start=2):
        cells = row + [""] * (len(rows[0]) - len(row))
        name = cells[found["caseworker"]].strip()
        if not name:
            continue
        raw = cells[found["fte"]].strip()
        try:
            fte = float(raw)
        except ValueError:
            fte = -1.0
        # At least a hundredth of a post: a smaller FTE (1e-320) would make a per-FTE load
        # infinite, and no one works 0.001 of a week.
        if not MIN_FTE <= fte <= 2:
            raise SendcheckError(f"--staff: {path.name} row {n}: FTE {quoted(raw)} is not a "
                                 f"number from {MIN_FTE} to 2 (1 = full time)")
        role = cells[found["role"]].strip() if "role" in found else ""
        out.append({"caseworker": name, "fte": fte, "role": role or None})
    staff = pl.DataFrame(out, schema={"caseworker": pl.String, "fte": pl.Float64,
                                      "role": pl.String})
    dup = staff.filter(pl.col("caseworker").str.to_lowercase().is_duplicated())
    if dup.height:
        raise SendcheckError(f"--staff: {path.name}: {quoted(dup['caseworker'][0])} is listed twice")
    return staff


def compute_caseload(episodes: pl.DataFrame, results: pl.DataFrame, as_of: dt.date,
                     limits: CaseloadLimits, due_within: int = 28,
                     staff: pl.DataFrame | None = None, staff_file: str | None = None,
                     owners: pl.DataFrame | None = None,
                     reviews_from: str = EXPORT_REVIEWS,
                     cases: pl.DataFrame | None = None) -> Caseload:
    """Per caseworker. `results` are open findings (suppressions applied): the review rules'
    due-soon and pending ones at least, and the overdue and due-soon ones of every rule when
    `cases` (case_status of them: Audit.cases) is not given; `owners` maps review cycles to
    their episode when --reviews was given."""
    cols = set(episodes.columns)
    out = Caseload(as_of, limits, staff_file=staff_file, due_within=due_within,
                   reviews_from=reviews_from)
    out.missing = missing_columns(cols, ("caseworker",))
    if out.missing:
        return out
    # A count whose columns the export lacks is not available (null), never 0.
    needs = {"plans_in_force": ("final_plan_date",),
             "open_assessments": ("request_received_date", "final_plan_date")}
    out.unavailable = {k: gone for k, need in needs.items()
                       if (gone := missing_columns(cols, need))}
    unknown = pl.lit(None, pl.Boolean)
    in_force = unknown if "plans_in_force" in out.unavailable else plan_in_force(cols, as_of)
    assessing = (unknown if "open_assessments" in out.unavailable
                 else open_assessment(cols, as_of))
    # Cases overdue and due soon: the one definition (judge/cases.py); reviews due next: the
    # review rules' own due dates, so a review counted here is the one RV01 or TR02 judges.
    cases = (case_status(results, owners) if cases is None else cases).lazy().rename(
        {"_ep": "_idx"})
    upcoming = reviews_due_within(results, owners, as_of, 7 * limits.review_weeks).lazy().select(
        pl.col("_ep").alias("_idx"), pl.lit(True).alias("_next"))
    worker = pl.col("caseworker").str.strip_chars()
    # One query from the episodes to the sorted rows.
    frame = (episodes.lazy()
             .select("_idx", pl.when(worker.is_null() | (worker == ""))
                     .then(pl.lit(UNALLOCATED)).otherwise(worker).alias("caseworker"),
                     in_force.alias("_plan"), assessing.alias("_assess"))
             .join(cases, on="_idx", how="left").join(upcoming, on="_idx", how="left")
             .with_columns(pl.col("overdue", "due_soon", "_next").fill_null(False)))
    grouped = frame.group_by("caseworker").agg(
        plans_in_force=pl.col("_plan").sum(), open_assessments=pl.col("_assess").sum(),
        reviews_due_next=pl.col("_next").sum(), cases_overdue=pl.col("overdue").sum(),
        cases_due_soon=pl.col("due_soon").sum(),
    ).with_columns(pl.col(c).cast(pl.Int64) if c not in out.unavailable
                   else pl.lit(None, pl.Int64).alias(c) for c in COUNTS)
    if staff is not None:
        key = pl.col("caseworker").str.to_lowercase()
        grouped = (grouped.with_columns(key.alias("_key"))
                   .join(staff.lazy().with_columns(key.alias("_key"))
                         .rename({"caseworker": "_staff_name"}), on="_key", how="full",
                         coalesce=True)
                   .with_columns(pl.coalesce("caseworker", "_staff_name").alias("caseworker"),
                                 *[pl.col(c).fill_null(0) for c in COUNTS
                                   if c not in out.unavailable])
                   .drop("_key", "_staff_name"))
        per = {"plans_per_fte": "plans_in_force", "assessments_per_fte": "open_assessments"}
        grouped = grouped.with_columns(
            (pl.col(src) / pl.col("fte")).round(1).alias(name) for name, src in per.items())
        load_plans, load_assess = pl.col("plans_per_fte"), pl.col("assessments_per_fte")
    else:
        load_plans, load_assess = pl.col("plans_in_force"), pl.col("open_assessments")
    real = pl.col("caseworker") != UNALLOCATED
    grouped = grouped.with_columns(
        (real & (load_plans > limits.plans_per_caseworker)).fill_null(False).alias("over_plans"),
        (real & (load_assess > limits.assessments_per_caseworker)).fill_null(False)
        .alias("over_assessments"),
    ).sort([~real, pl.col("caseworker").str.to_lowercase()]).collect()
    out.rows = grouped.to_dicts()
    totals = {c: None if c in out.unavailable else int(grouped[c].sum()) for c in COUNTS}
    totals["caseworkers"] = int((grouped["caseworker"] != UNALLOCATED).sum())
    if staff is not None:
        fte = float(staff["fte"].sum())
        totals["fte"] = round(fte, 2)
        for name, src in per.items():
            totals[name] = round(totals[src] / fte, 1) if fte and totals[src] is not None else None
    out.total = totals
    return out


def caseload_json(c: Caseload) -> dict:
    return {
        "as_of": c.as_of.isoformat(),
        "reason": f"not available: missing {', '.join(c.missing)}" if c.missing else None,
        "not_available": {k: f"missing {', '.join(v)}" for k, v in c.unavailable.items()},
        "definition": (
            f"per caseworker on the as-of date: plans in force (final plan issued, not ceased); "
            f"open assessments (request received, no final plan, not refused, withdrawn or "
            f"decided not to issue); reviews due in the next {c.limits.review_weeks} weeks (RV01 "
            f"or TR02 not yet held, due date in that window; reviews from {c.reviews_from}); "
            f"cases overdue and due soon: {CASE_DEFINITION.format(days=c.due_within)}; blank "
            f"caseworker = {UNALLOCATED}"
            + (f"; per-FTE loads from {c.staff_file}" if c.staff_file else "")),
        "thresholds": {
            "plans_per_caseworker": c.limits.plans_per_caseworker,
            "assessments_per_caseworker": c.limits.assessments_per_caseworker,
            "review_weeks": c.limits.review_weeks,
            "source": ("sendcheck.toml [caseload]; defaults from one council's cabinet paper "
                       "(150-200 plans and 25 ongoing assessments per caseworker); there is "
                       "no official benchmark"),
            "compared": "per FTE" if c.staff_file else "per caseworker (no staff file)",
        },
        "caseworkers": c.rows,
        "total": c.total,
    }
