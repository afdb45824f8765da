"""`sendcheck actions`: each caseworker's own list of cases to act on, one file each, an index."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from sendcheck.cli.options import (
    EXIT_OK,
    AsOf,
    ConfigFile,
    Debug,
    Files,
    History,
    Notes,
    Personal,
    Sheet,
    Untouched,
    note,
    notes_lines,
    parse_as_of,
    read_team_notes,
)

EXAMPLE = """Examples:

\b
  sendcheck actions export.xlsx --reviews reviews.csv --output-dir lists
  sendcheck actions export.csv --history history.sqlite --output-dir lists --format csv
"""


class ListFormat(str, Enum):
    xlsx = "xlsx"
    csv = "csv"
    markdown = "markdown"
    html = "html"


def actions(
    files: Files,
    output_dir: Annotated[Path, typer.Option("--output-dir", help="Folder for the files (created when its parent exists). Only files this command wrote there before are replaced or removed.")],
    format: Annotated[ListFormat, typer.Option("--format", help="File format of each list.")] = ListFormat.xlsx,
    as_of: AsOf = None,
    due_within: Annotated[Optional[int], typer.Option("--due-within", min=0, max=3660, help="Due soon: due in the next N days (default 28, or sendcheck.toml).")] = None,
    history: Annotated[Optional[Path], typer.Option("--history", help="A run history (audit --history; default [history] path in sendcheck.toml): each overdue case says since when, and the latest note beside each finding; no run is written to it (--notes adds the notes read).")] = None,
    reviews: Annotated[Optional[Path], typer.Option("--reviews", help="Review history (CSV or Excel, one row per review meeting): judge every review cycle.")] = None,
    sheet: Sheet = None,
    config: ConfigFile = None,
    include_personal_data: Personal = False,
    debug: Debug = False,
    notes: Notes = None,
    untouched: Untouched = None,
) -> int:
    """Write one file per caseworker with only their cases: overdue (most overdue first), due
    soon (by due date) and the data to fix; a file for unallocated cases; an index."""
    from sendcheck import __version__
    from sendcheck.audit import Options, run_audit
    from sendcheck.config import load_config
    from sendcheck.views import actions as view
    from sendcheck.views.findings import findings_frame
    from sendcheck.views.folder import check_writable, write_folder

    cfg = load_config(config, list(files))
    check_writable(output_dir)  # before any work: a folder that cannot be written is exit 2
    # Notes are kept in the history, so with notes a missing history is created.
    keep = History.chosen(history, cfg, create=bool(notes or cfg.notes_paths))
    if untouched is not None and keep is None:
        from sendcheck.errors import SendcheckError

        raise SendcheckError("--untouched reads the team's notes from the history: give "
                             "--history FILE (or [history] path in sendcheck.toml)")
    options = Options(as_of=parse_as_of(as_of),
                      due_within=next(d for d in (due_within, cfg.due_within, 28) if d is not None),
                      select=cfg.select, ignore=cfg.ignore, sheet=sheet, reviews=reviews)
    result = run_audit(list(files), options, cfg)
    # Read before the folder is written: the lists read are the ones about to be replaced.
    read = read_team_notes(notes, cfg, keep, result.options.as_of)
    since = None
    if keep is not None:
        keep.notes(result, read, untouched)
        from sendcheck.history.run import overdue_since

        since = overdue_since(result, findings_frame(result, cycle=True), keep.path, keep.wait)
    ext = view.EXTENSIONS[format.value]
    lists = view.worklists(result, ext, since, include_personal_data)
    out = {w.file: view.worklist_file(w, result, format.value, include_personal_data)
           for w in lists}
    out[f"index.{ext}"] = view.index_file(lists, result, format.value)
    removed = write_folder(output_dir, out, {"written_by": "sendcheck actions",
                                             "sendcheck_version": __version__,
                                             "as_of": result.options.as_of.isoformat()})
    for line in notes_lines(result):
        note(line)
    # A removed file whose name comes back in another format was replaced, not a caseworker
    # with nothing to do (`--format csv` after an xlsx run).
    stems = {Path(name).stem for name in out}
    replaced = [r for r in removed if Path(r).stem in stems]
    gone = [r for r in removed if Path(r).stem not in stems]
    kinds = sorted({Path(r).suffix for r in replaced})
    note(f"sendcheck: {result.options.as_of} wrote {len(lists):,} "
         f"{'list' if len(lists) == 1 else 'lists'} and index.{ext} to {output_dir}"
         + (f"; replaced {len(replaced):,} {'file' if len(replaced) == 1 else 'files'} of "
            f"the previous format ({', '.join(kinds)})" if replaced else "")
         + (f"; removed {len(gone):,} {'list' if len(gone) == 1 else 'lists'} of caseworkers "
            f"with nothing to do now" if gone else ""))
    return EXIT_OK
