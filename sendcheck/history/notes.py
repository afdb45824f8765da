"""The team's notes in the history: kept once each, keyed like a finding, the latest shown.

A note is keyed by (rule, kind, record_id, cycle), the key a finding keeps from run to run
(history/changes.py), so a note written beside Monday's finding is beside the same finding on
Tuesday, whatever its row. A note whose key names no finding, in this run or any run kept, is
unmatched: kept all the same and reported by its place (file, sheet, row), never by its text. A
note never changes a finding, a count or --fail-on: setting a finding aside is [[suppress]]'s.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field

import polars as pl

from sendcheck.history.changes import KEY
from sendcheck.history.notes_read import NotesRead
from sendcheck.judge.cases import with_episode
from sendcheck.judge.suppress import open_results

NOTE_WINDOW = 7  # "with a note in the last 7 days"; --untouched DAYS sets it
EPOCH = dt.date(1970, 1, 1)
KEY_SCHEMA = {"rule": pl.String, "kind": pl.String, "record_id": pl.String, "cycle": pl.Int64}
# The latest note of each finding, as the views show it beside the finding.
SHOWN_SCHEMA = {**KEY_SCHEMA, "note": pl.String, "note_by": pl.String, "note_date": pl.Date}
UNMATCHED_SHOWN = 20  # unmatched notes named one by one on stderr; the rest counted
CASE_DEFINITION = (
    "a case overdue has a note when a note dated in the last {days} days (the as-of date and the "
    "{before} days before it) is kept in the history for one of its overdue findings (same rule, "
    "advice kind, record and review cycle); untouched = every other case overdue. A note is read "
    "back from the Action taken, Checked by and Date checked columns of the lists sendcheck "
    "wrote (audit --notes, actions --notes); it never removes a finding from a count or from "
    "--fail-on")


@dataclass
class NotesKept:
    """What this run read: notes found, added to the history (the rest were kept already), and
    those whose key names no finding (source, sheet, row, rule)."""

    read: int
    added: int
    unmatched: pl.DataFrame
    files: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """One-line remarks for stderr: counts and places only, never a note's text."""
        out = list(self.remarks)
        files = len(self.files)
        out.append(f"notes: {self.read:,} read from {files:,} {'file' if files == 1 else 'files'}, "
                   f"{self.added:,} new, {self.read - self.added:,} kept already")
        for source, sheet, row, rule in self.unmatched.head(UNMATCHED_SHOWN).iter_rows():
            where = f"{source}" + (f" sheet {sheet!r}" if sheet else "") + f" row {row}"
            out.append(f"notes: {where}: a note on {rule or 'no rule'} matches no finding in "
                       f"this export or the history (check its Record, Rule and Advice kind "
                       f"cells); kept in the history")
        if self.unmatched.height > UNMATCHED_SHOWN:
            out.append(f"notes: ... and {self.unmatched.height - UNMATCHED_SHOWN} more notes "
                       f"that match no finding")
        return out

    def to_dict(self) -> dict:
        return {"files": self.files, "read": self.read, "added": self.added,
                "unmatched": self.unmatched.to_dicts()}


def _known(conn: sqlite3.Connection, notes: pl.DataFrame, current: pl.DataFrame) -> pl.DataFrame:
    """The notes' keys that name a finding of this run or of any run kept."""
    ids = notes.get_column("record_id").drop_nulls().unique().to_list()
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS note_ids (record_id TEXT PRIMARY KEY)")
    conn.execute("DELETE FROM temp.note_ids")
    conn.executemany("INSERT OR IGNORE INTO temp.note_ids VALUES (?)", [(i,) for i in ids])
    kept = conn.execute("SELECT DISTINCT rule, kind, record_id, cycle FROM findings "
                        "WHERE record_id IN (SELECT record_id FROM temp.note_ids)").fetchall()
    past = pl.DataFrame(kept, schema=KEY_SCHEMA, orient="row")
    return pl.concat([past, current.select(KEY).cast(KEY_SCHEMA)]).unique()


def keep_notes(conn: sqlite3.Connection, read: NotesRead, current: pl.DataFrame,
               read_on: dt.date) -> NotesKept:
    """Add the notes read to the history, in one transaction; a note kept already (the same
    file read twice) adds nothing. `current`: this run's findings (with KEY)."""
    notes = read.notes
    matched = notes.join(_known(conn, notes, current).with_columns(pl.lit(True).alias("_hit")),
                         on=KEY, how="left", nulls_equal=True, maintain_order="left"
                         ).with_columns(pl.col("_hit").fill_null(False))
    rows = matched.select(
        *KEY, "action", "checked_by",
        (pl.col("noted_on") - pl.lit(EPOCH)).dt.total_days().alias("noted_on"),
        "dated_by", "source", "sheet", "row", pl.lit(read_on.isoformat()).alias("read_on"),
        pl.col("_hit").cast(pl.Int8).alias("matched")).iter_rows()
    conn.execute("BEGIN IMMEDIATE")
    try:
        before = conn.total_changes
        conn.executemany(
            "INSERT OR IGNORE INTO notes (rule, kind, record_id, cycle, action, checked_by, "
            "noted_on, dated_by, source, sheet, row, read_on, matched) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        added = conn.total_changes - before
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    unmatched = matched.filter(~pl.col("_hit")).select("source", "sheet", "row", "rule")
    return NotesKept(notes.height, added, unmatched, read.files, read.remarks)


def latest_notes(conn: sqlite3.Connection) -> pl.DataFrame:
    """The latest note of every key in the history (SHOWN_SCHEMA): by its date, then the order
    it was read in."""
    rows = conn.execute("SELECT rule, kind, record_id, cycle, action, checked_by, noted_on "
                        "FROM notes ORDER BY noted_on, id").fetchall()
    frame = pl.DataFrame(rows, schema={**KEY_SCHEMA, "note": pl.String, "note_by": pl.String,
                                       "days": pl.Int64}, orient="row")
    return (frame.group_by(KEY, maintain_order=True).last()
            .with_columns((pl.lit(EPOCH) + pl.duration(days=pl.col("days"))).cast(pl.Date)
                          .alias("note_date"))
            .select(list(SHOWN_SCHEMA)))


def identified(audit, results: pl.DataFrame) -> pl.DataFrame:
    """Results with their finding's KEY (the record id from the export row or review row)."""
    ident = audit.episodes.select("_idx", "record_id")
    if audit.reviews is not None:
        ident = pl.concat([ident, audit.reviews.identity.select("_idx", "record_id")],
                          how="vertical_relaxed")
    return (results.select(pl.col("rule", "kind").cast(pl.String), pl.col("cycle").cast(pl.Int64),
                           "_idx").join(ident, on="_idx", how="left"))


def finding_keys(audit) -> pl.DataFrame:
    """The KEY of every finding of this audit (rule findings but met, pending and not
    applicable; data-quality findings), suppressed ones included: a note may be on any."""
    from sendcheck.history.changes import NOT_KEPT

    rules = identified(audit, audit.results.filter(~pl.col("status").is_in(NOT_KEPT)))
    quality = pl.concat([q for q in (audit.quality, audit.quality_suppressed) if q is not None])
    dq = identified(audit, quality.select(
        pl.col("check").alias("rule"), pl.lit(None, pl.String).alias("kind"),
        pl.lit(None, pl.Int64).alias("cycle"), "_idx"))
    return pl.concat([rules, dq]).select(KEY).unique()


def noted_cases(audit, days: int) -> pl.DataFrame:
    """One row per case overdue (judge/cases.py's definition): `_ep`, `caseworker` (as the
    caseload names it) and `noted`, a note dated in the last `days` days on one of its overdue
    findings."""
    from sendcheck.figures.caseload import UNALLOCATED

    found = with_episode(identified(audit, open_results(audit.results, audit.suppressed)
                                    .filter(pl.col("status") == "overdue")), audit.owners)
    recent = (audit.notes if audit.notes is not None else pl.DataFrame(schema=SHOWN_SCHEMA)
              ).filter(pl.col("note_date") > pl.lit(audit.options.as_of - dt.timedelta(days=days)))
    found = found.join(recent.select(*KEY, pl.lit(True).alias("noted")), on=KEY, how="left",
                       nulls_equal=True)
    cases = found.group_by("_ep").agg(pl.col("noted").fill_null(False).any())
    who = (audit.episodes.select(pl.col("_idx").alias("_ep"), pl.col("caseworker").str
                                 .strip_chars().alias("caseworker"))
           if "caseworker" in audit.episodes.columns
           else audit.episodes.select(pl.col("_idx").alias("_ep"),
                                      pl.lit(None, pl.String).alias("caseworker")))
    return cases.join(who, on="_ep", how="left").with_columns(
        pl.when(pl.col("caseworker").is_null() | (pl.col("caseworker") == ""))
        .then(pl.lit(UNALLOCATED)).otherwise(pl.col("caseworker")).alias("caseworker"))


def note_counts(audit) -> dict | None:
    """Cases overdue, those with a note in the window, and the untouched rest (None without a
    history to keep notes in)."""
    if audit.notes is None:
        return None
    days = audit.note_days
    cases = noted_cases(audit, days)
    noted = int(cases.get_column("noted").sum())
    return {"days": days, "cases_overdue": cases.height, "with_note": noted,
            "untouched": cases.height - noted,
            "definition": CASE_DEFINITION.format(days=days, before=days - 1)}


def counts_line(counts: dict) -> str:
    """"574 cases overdue, 212 with a note in the last 7 days, 362 untouched": every view."""
    return (f"{counts['cases_overdue']} cases overdue, {counts['with_note']} with a note in the "
            f"last {counts['days']} days, {counts['untouched']} untouched")


def untouched_only(frame: pl.DataFrame, as_of: dt.date, days: int) -> pl.DataFrame:
    """The findings (with `note_date`) with no note in the last `days` days: --untouched."""
    day = pl.col("note_date")
    if frame.schema["note_date"] == pl.String:  # the JSON's frame: ISO dates as text
        day = day.str.to_date("%Y-%m-%d")
    recent = day > pl.lit(as_of - dt.timedelta(days=days))
    return frame.filter(~recent.fill_null(False))

