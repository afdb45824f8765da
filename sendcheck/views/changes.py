"""What changed since the previous run, for people: the first screen's short block, the markdown
section and the CSV report's note. Every view reads `audit.changes` (history.changes.Changes),
or nothing when the run had no --history; JSON, workbook and HTML take `changes_section`."""

from __future__ import annotations

import textwrap

import polars as pl

from sendcheck.audit import Audit
from sendcheck.history.changes import KEY, LISTS, dated

SHOWN = 3  # new overdue findings named on the first screen
WIDTH = 78  # the block wraps to fit an 80-column terminal


def changes_section(audit: Audit) -> dict:
    """The JSON key `changes` (present only with --history)."""
    changes = audit.changes
    return {"changes": changes.to_dict()} if changes is not None else {}


def summary_line(audit: Audit) -> str | None:
    """One sentence: since when, and how many of each change (None without --history)."""
    c = audit.changes
    if c is None:
        return None
    if c.compared_with is None:
        return (f"Since the last run: first run in {c.history_path}; nothing to compare with "
                f"(the next run will say what changed)")
    n = c.counts()
    oldest = c.oldest_overdue_since()
    return (f"Since the last run ({c.compared_with.isoformat()}, in {c.history_path}): "
            f"{n['new_overdue']} new overdue, {n['new_due_soon']} new due soon, "
            f"{n['new_invalid']} new invalid, {n['resolved']} resolved, "
            f"{n['still_overdue']} still overdue"
            + (f" (the longest overdue since {oldest.isoformat()})" if oldest else "")
            + (f"; {len(c.newly_skipped)} rule{'' if len(c.newly_skipped) == 1 else 's'} ran "
               f"then and could not run now: {', '.join(c.newly_skipped)}"
               if c.newly_skipped else "")
            + "".join(f"; note: {note}" for note in c.notes))


def new_since(audit: Audit) -> str:
    """The cron line's account of what is new since the previous run: counts by kind, then the
    new overdue by rule, most first ("; new since 2025-03-28: 3 overdue, 1 due soon, 0 invalid;
    new overdue: AS05 2, RV01 1"), so a `--fail-on new` failure says why; empty without a
    history or on its first run."""
    c = audit.changes
    if c is None or c.compared_with is None:
        return ""
    n = c.counts()
    by_rule = (c.new_overdue.group_by("rule").len().sort(["len", "rule"], descending=[True, False])
               .rows() if c.new_overdue.height else [])
    return (f"; new since {c.compared_with.isoformat()}: {n['new_overdue']} overdue, "
            f"{n['new_due_soon']} due soon, {n['new_invalid']} invalid"
            + (f"; new overdue: {', '.join(f'{r} {k}' for r, k in by_rule)}" if by_rule else ""))


def screen_lines(audit: Audit) -> list[str]:
    """The first screen's block: the summary line and the first new overdue findings."""
    line = summary_line(audit)
    if line is None:
        return []
    out = textwrap.wrap(line, WIDTH, subsequent_indent="  ", break_on_hyphens=False,
                        break_long_words=False)  # a path or a date is never cut
    new = audit.changes.new_overdue.sort("days_over", descending=True, nulls_last=True)
    for r in new.head(SHOWN).iter_rows(named=True):
        rule = r["rule"] + (f"/{r['kind']}" if r["kind"] else "")
        out.append(f"  new overdue: {rule} {r['record_id']} ({r['caseworker'] or 'unallocated'}, "
                   f"due {r['due']}, {r['days_over']} day{'' if r['days_over'] == 1 else 's'} over)")
    if new.height > SHOWN:
        out.append(f"  ... and {new.height - SHOWN} more new overdue (see --format json)")
    return out


def markdown_lines(audit: Audit) -> list[str]:
    """A board paper names no case: counts only."""
    line = summary_line(audit)
    return ["", "## What changed", "", line + "."] if line else []


def annotate(audit: Audit, found: pl.DataFrame) -> pl.DataFrame:
    """The findings with `change` (new_overdue, new_due_soon, new_invalid, still_overdue or
    null), `overdue_since` (the day after the due date) and `first_seen` (the first run that saw
    it overdue), when the run has a history (the CSV report's extra columns)."""
    c = audit.changes
    if c is None:
        return found
    marks = pl.concat([
        (frame if "first_seen" in frame.columns else dated(frame))
        .select(*KEY, pl.lit(name).alias("change"), "overdue_since", "first_seen")
        for name, frame in (("new_overdue", c.new_overdue), ("new_due_soon", c.new_due_soon),
                            ("new_invalid", c.new_invalid), ("still_overdue", c.still_overdue))
    ]).unique([*KEY, "change"])
    status_of = {"new_overdue": "overdue", "new_due_soon": "due_soon", "new_invalid": "invalid",
                 "still_overdue": "overdue"}
    marks = marks.with_columns(pl.col("change").replace_strict(status_of).alias("status"))
    return found.join(
        marks.cast({"kind": found.schema["kind"], "cycle": found.schema["cycle"],
                    "status": found.schema["status"]}),
        on=[*KEY, "status"], how="left", nulls_equal=True, maintain_order="left")


def changes_frame(audit: Audit) -> pl.DataFrame | None:
    """Every change in one frame, `change` naming its list (new first, then resolved, then still
    overdue), for the workbook's Changes sheet and the HTML report; None without --history."""
    c = audit.changes
    if c is None:
        return None
    return pl.concat([getattr(c, name).with_columns(pl.lit(name).alias("change"))
                      for name in LISTS], how="diagonal_relaxed")
