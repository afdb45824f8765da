"""What changed since the previous run: new overdue, new due soon, new invalid, resolved, and still
overdue with the date of the first run that saw it overdue. Whole-frame polars joins.

A finding is the same finding across runs when its (rule, kind, record_id, cycle) agree: the
advice kind for AS02, the review cycle for rules judged per cycle from --reviews.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

KEY = ["rule", "kind", "record_id", "cycle"]
# What the history keeps of each finding: ids and dates only, never names, UPNs or birth dates.
FINDING_SCHEMA = {
    "rule": pl.String, "kind": pl.String, "record_id": pl.String, "cycle": pl.Int64,
    "person_id": pl.String, "caseworker": pl.String, "status": pl.String, "start": pl.Date,
    "due": pl.Date, "done": pl.Date, "days_over": pl.Int64,
}
STORED_SCHEMA = {**FINDING_SCHEMA, "overdue_since": pl.Date}
# Statuses the history keeps: a finding (contract section 5) is every status but these.
NOT_KEPT = ("met", "pending", "not_applicable")
LISTS = ("new_overdue", "new_due_soon", "new_invalid", "resolved", "still_overdue")


@dataclass
class Changes:
    """This run against the latest earlier run in the history (`compared_with`: its as-of date
    and when it ran), or against nothing on the first run (every list empty)."""

    as_of: dt.date
    compared_with: dt.date | None
    compared_run_at: str | None
    history_path: str
    new_overdue: pl.DataFrame
    new_due_soon: pl.DataFrame
    new_invalid: pl.DataFrame
    resolved: pl.DataFrame  # the previous run's overdue finding, with its status now (or null)
    still_overdue: pl.DataFrame  # with overdue_since
    notes: list[str] = field(default_factory=list)  # why a change may not be a change in a case
    # Rules that ran in the previous run and could not run now: code -> the columns missing.
    newly_skipped: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name).height for name in LISTS}

    def oldest_overdue_since(self) -> dt.date | None:
        return self.still_overdue.get_column("overdue_since").min()

    def to_dict(self) -> dict:
        """The JSON key `changes`: every list in full, dates as ISO text."""
        def rows(frame: pl.DataFrame) -> list[dict]:
            return frame.with_columns(pl.col(pl.Date).cast(pl.String)).to_dicts()

        return {
            "history": self.history_path,
            "compared_with": self.compared_with.isoformat() if self.compared_with else None,
            "compared_run_at": self.compared_run_at,
            "definition": (
                "this run against the latest earlier run in the history (by as-of date); a "
                "finding is the same across runs by rule, kind, record_id and review cycle; "
                "resolved = overdue in the previous run and not overdue now (status_now null: "
                "no longer a finding: done on time, no longer applicable or not in the export); "
                "overdue_since = the day after the due date; first_seen = the as-of date of the "
                "first run that saw it overdue, carried from run to run; newly_skipped = rules "
                "that ran in the previous run and could not run now, with the columns missing"),
            "counts": self.counts(),
            "notes": self.notes,
            "newly_skipped": {code: list(m) for code, m in self.newly_skipped.items()},
            **{name: rows(getattr(self, name)) for name in LISTS},
        }


def empty_stored() -> pl.DataFrame:
    return pl.DataFrame(schema=STORED_SCHEMA)


def kept_findings(found: pl.DataFrame) -> pl.DataFrame:
    """The findings the history keeps, in FINDING_SCHEMA, from the findings frame (built with
    `cycle=True`; it has more columns)."""
    frame = found.filter(~pl.col("status").is_in(NOT_KEPT))
    return frame.select([pl.col(c).cast(t) for c, t in FINDING_SCHEMA.items()])


def _keys(frame: pl.DataFrame, status: str) -> pl.DataFrame:
    return frame.filter(pl.col("status") == status).select(KEY).unique()


def dated(stored: pl.DataFrame) -> pl.DataFrame:
    """Stored overdue findings as people read them: `first_seen`, the as-of date of the first
    run that saw the finding overdue (what the history keeps as overdue_since), and
    `overdue_since`, the day after its due date (when the breach began, whatever the history)."""
    overdue = pl.col("status") == "overdue"
    return stored.with_columns(
        pl.when(overdue).then(pl.col("overdue_since")).alias("first_seen"),
        pl.when(overdue).then(pl.col("due") + pl.duration(days=1)).alias("overdue_since"))


def compare(current: pl.DataFrame, previous: pl.DataFrame | None, as_of: dt.date,
            compared_with: dt.date | None = None, compared_run_at: str | None = None,
            history_path: str = "") -> tuple[pl.DataFrame, Changes]:
    """This run's findings (FINDING_SCHEMA) against the previous run's (STORED_SCHEMA, or None on
    the first run): the findings to store (with overdue_since) and the changes."""
    prev = previous if previous is not None else empty_stored()
    # A key can occur twice (a duplicated record_id, two unreadable dates under one check):
    # compare key sets, and carry the earliest overdue_since, so no join multiplies rows.
    was_overdue = (prev.filter(pl.col("status") == "overdue").group_by(KEY)
                   .agg(pl.col("overdue_since").min().alias("_since")))
    overdue = pl.col("status") == "overdue"
    stored = (current.join(was_overdue, on=KEY, how="left", nulls_equal=True,
                           maintain_order="left")
              .with_columns(pl.when(overdue).then(pl.coalesce("_since", pl.lit(as_of)))
                            .otherwise(None).alias("overdue_since"))
              .drop("_since"))
    if previous is None:
        empty = stored.clear()
        return stored, Changes(as_of, None, None, history_path, empty, empty, empty,
                               prev.drop("overdue_since").with_columns(
                                   pl.lit(None, pl.String).alias("status_now"),
                                   pl.lit(None, pl.Date).alias("done_now")), empty)

    def new(status: str) -> pl.DataFrame:
        return stored.filter(pl.col("status") == status).join(
            _keys(prev, status), on=KEY, how="anti", nulls_equal=True, maintain_order="left")

    # Status now of a previously overdue finding: the most urgent of its key's current findings.
    rank = {"overdue": 0, "missed": 1, "late": 2, "invalid": 3, "due_soon": 4}
    now = (current.sort(pl.col("status").replace_strict(rank, default=9, return_dtype=pl.Int32))
           .unique(KEY, keep="first", maintain_order=True)
           .select(*KEY, pl.col("status").alias("status_now"), pl.col("done").alias("done_now")))
    resolved = (prev.filter(overdue)
                .join(_keys(current, "overdue"), on=KEY, how="anti", nulls_equal=True,
                      maintain_order="left")
                .join(now, on=KEY, how="left", nulls_equal=True, maintain_order="left")
                .drop("overdue_since"))
    still = dated(stored.filter(overdue).join(was_overdue.select(KEY), on=KEY, how="semi",
                                              nulls_equal=True, maintain_order="left"))
    changes = Changes(as_of, compared_with, compared_run_at, history_path,
                      new("overdue"), new("due_soon"), new("invalid"), resolved,
                      still.sort(["overdue_since", "days_over"], descending=[False, True],
                                 maintain_order=True))
    return stored, changes
