"""What changed since the previous run, for people: the first screen's short block, the markdown
section and the CSV report's note. Every view reads `audit.changes` (history.changes.Changes),
or nothing when the run had no --history; JSON, workbook and HTML take `changes_section`."""

from __future__ import annotations

from sendcheck.audit import Audit

SHOWN = 5  # new overdue cases named on the first screen


def changes_section(audit: Audit) -> dict:
    """The JSON key `changes` (present only with --history)."""
    changes = getattr(audit, "changes", None)
    return {"changes": changes.to_dict()} if changes is not None else {}


def summary_line(audit: Audit) -> str | None:
    """One sentence: since when, and how many of each change (None without --history)."""
    c = getattr(audit, "changes", None)
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
            + (f" (the longest overdue since {oldest.isoformat()})" if oldest else ""))


def screen_lines(audit: Audit) -> list[str]:
    """The first screen's block: the summary line and the first new overdue findings."""
    line = summary_line(audit)
    if line is None:
        return []
    out = [line]
    new = audit.changes.new_overdue.sort("days_over", descending=True, nulls_last=True)
    for r in new.head(SHOWN).iter_rows(named=True):
        rule = r["rule"] + (f"/{r['kind']}" if r["kind"] else "")
        out.append(f"  new overdue: {rule} {r['record_id']} ({r['caseworker'] or 'unallocated'}, "
                   f"due {r['due']}, {r['days_over']} days over)")
    if new.height > SHOWN:
        out.append(f"  ... and {new.height - SHOWN} more new overdue (see --format json)")
    return out


def markdown_lines(audit: Audit) -> list[str]:
    """A board paper names no case: counts only."""
    line = summary_line(audit)
    return ["", "## What changed", "", line + "."] if line else []
