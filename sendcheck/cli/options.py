"""Options shared by several commands, defined once so they read the same everywhere, and the small
helpers every command uses (the as-of date, writing the report)."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import sys
from collections.abc import Iterable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from sendcheck.errors import SendcheckError

if TYPE_CHECKING:
    from sendcheck.audit import Audit

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2  # contract section 7


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"
    markdown = "markdown"
    html = "html"
    parquet = "parquet"  # audit only: the run as a pseudonymised dataset (views/dataset.py)


class ViewFormat(str, Enum):
    """The formats of a command with no HTML view (caseload, trend)."""
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"
    markdown = "markdown"


SUFFIX_FORMATS = {".xlsx": "xlsx", ".json": "json", ".csv": "csv", ".md": "markdown",
                  ".markdown": "markdown", ".html": "html", ".htm": "html", ".txt": "table"}


def chosen_format(given: Enum | None, output: Path | None, formats: type[Enum]) -> Enum:
    """The report's format: --format, else the --output file's suffix, else the table (contract
    section 4). A --format the suffix contradicts, or a suffix this command cannot write, is a
    usage error (exit 2), never a text table in a file named .xlsx; a workbook needs a file."""
    by_suffix = None if to_stdout(output) else SUFFIX_FORMATS.get(Path(output).suffix.lower())
    choices = [f.value for f in formats]
    if given is not None and by_suffix is not None and given.value != by_suffix:
        raise SendcheckError(f"--format {given.value} contradicts --output {Path(output).name} "
                             f"(its name says {by_suffix}): give one, or make them agree")
    if given is None and by_suffix is not None and by_suffix not in choices:
        raise SendcheckError(f"--output {Path(output).name}: this command writes "
                             f"{', '.join(choices)}, not {by_suffix}")
    chosen = given if given is not None else formats(by_suffix or "table")
    if chosen.value == "xlsx" and to_stdout(output):
        raise SendcheckError("--format xlsx writes a workbook: give --output FILE.xlsx")
    return chosen


class Cohort(str, Enum):
    issued = "issued"
    due = "due"




# Options shared by several commands, defined once so they read the same everywhere.
Files = Annotated[list[Path], typer.Argument(metavar="FILE", show_default=False, help="Export files: .csv, .xlsx or .xlsm, a SEN2 return (.xml), or a folder of SEN2 module CSVs.")]


Debug = Annotated[bool, typer.Option("--debug", help="Show a full traceback on an internal error.")]


Sheet = Annotated[Optional[str], typer.Option("--sheet", help="Worksheet to read (default the first).")]


Output = Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the report here (atomically; - for standard output). Never an input file.")]


ConfigFile = Annotated[Optional[Path], typer.Option("--config", help="sendcheck.toml to use (default: found in this folder or above).")]


ReportFormat = Annotated[Optional[Format], typer.Option("--format", help="Report format (default: from --output's suffix, .xlsx .json .csv .md .html, else table).", show_default=False)]


TableFormat = Annotated[Optional[ViewFormat], typer.Option("--format", help="Report format (default: from --output's suffix, .xlsx .json .csv .md, else table).", show_default=False)]


Personal = Annotated[bool, typer.Option("--include-personal-data", help="Show names, UPNs and dates of birth.")]


AsOf = Annotated[Optional[str], typer.Option("--as-of", metavar="DATE", help="Judge as of this date, day first as exports write it: 31/03/2025, 31-03-2025, 31 March 2025 or 2025-03-31 (default today; a SEN2 return: its ReferenceDate).")]


SuppressBelow = Annotated[Optional[int], typer.Option("--suppress-below", min=1, help="Show counts under N as <N in measures, backlog and caseload.")]


By = Annotated[Optional[str], typer.Option("--by", help="Break the 20-week figure, the open backlog and the cases overdue down by need, age, setting, sex, ethnicity or team (comma-separated for several).")]


Staff = Annotated[Optional[Path], typer.Option("--staff", help="staff.csv (caseworker, FTE, role) for per-FTE loads.")]


Reviews = Annotated[Optional[Path], typer.Option("--reviews", help="Review history (CSV or Excel, one row per review meeting): judge every review cycle.")]


DueWithin = Annotated[Optional[int], typer.Option("--due-within", min=0, max=3660, help="Look-ahead window in days for due_soon (default 28, or sendcheck.toml).")]


def due_within_days(given: int | None, config) -> int:
    """--due-within, else sendcheck.toml's due_within, else 28 days."""
    return next(d for d in (given, config.due_within, 28) if d is not None)


HistoryFile = Annotated[Optional[Path], typer.Option("--history", help="Keep this run in a history file (SQLite, created when missing; default [history] path in sendcheck.toml) and say what changed since the previous run.")]


class History:
    """The run history a command keeps: --history, else [history] path; checked before the
    audit starts (a file that is not a history stops the run before any work)."""

    def __init__(self, path: Path, wait: float, create: bool = True):
        from sendcheck.history.store import check_history

        self.path, self.wait = path, wait
        check_history(path, wait, create)

    @classmethod
    def chosen(cls, option: Path | None, config, create: bool = True) -> "History | None":
        from sendcheck.history.store import DEFAULT_WAIT_SECONDS

        path = option or (Path(config.history_path) if config.history_path else None)
        if path is None:
            return None
        wait = config.history_wait if config.history_wait is not None else DEFAULT_WAIT_SECONDS
        return cls(path, wait, create)

    def compare(self, audit) -> None:
        """Set `audit.changes` (what changed since the previous run); nothing is written yet."""
        from sendcheck.history.run import changes_since
        from sendcheck.views.findings import findings_frame

        self.audit, self.findings = audit, findings_frame(audit, cycle=True)
        audit.changes = changes_since(audit, self.findings, self.path, self.wait)

    def record(self) -> None:
        """Store the compared run, in one transaction: called only once its report is written,
        so a run that fails (a missing --output folder, SIGTERM mid-workbook) is not kept."""
        from sendcheck.history.run import record_audit

        self.audit.changes = record_audit(self.audit, self.findings, self.path, self.wait)

    def notes(self, audit, read, untouched: int | None) -> None:
        """Keep the notes read from the team's files (a NotesRead, or None) in the history and
        give the audit the latest note of each finding; `untouched`: --untouched DAYS."""
        import polars as pl

        from sendcheck.history.notes import (
            NOTE_WINDOW,
            SHOWN_SCHEMA,
            finding_keys,
            keep_notes,
            latest_notes,
        )
        from sendcheck.history.store import open_history

        if read is None and not Path(self.path).exists():  # no notes yet: nothing to create
            audit.notes = pl.DataFrame(schema=SHOWN_SCHEMA)
        else:
            conn = open_history(self.path, self.wait, create=True)
            try:
                if read is not None:
                    audit.notes_kept = keep_notes(conn, read, finding_keys(audit),
                                                  audit.options.as_of)
                audit.notes = latest_notes(conn)
            finally:
                conn.close()
        audit.note_days = untouched or NOTE_WINDOW
        audit.untouched = untouched is not None

    def runs(self) -> list[dict]:
        """Every run in the history with the compared one in its place, oldest first, with
        their counts: for the HTML report's history chart."""
        from sendcheck.history.run import runs_with

        return runs_with(self.audit, self.findings, self.path, self.wait)


def note(text: str) -> None:
    """One line on stderr (a note, a warning, the cron line): any text from a file in it (a
    record id, a caseworker, a file name) sanitised, so it cannot act on a terminal or forge a
    log line."""
    from sendcheck.views.files import one_line

    print(one_line(text), file=sys.stderr)


Notes = Annotated[Optional[list[str]], typer.Option("--notes", help="Read the team's notes back (Action taken, Checked by, Date checked) from lists sendcheck wrote and people edited: a file, a folder or a quoted pattern like 'lists/*.xlsx'; repeat for more (default [notes] paths in sendcheck.toml). Kept in the history, shown beside each finding.")]
Untouched = Annotated[Optional[int], typer.Option("--untouched", min=1, help="List only findings with no note in the last DAYS days (counts and --fail-on are unchanged).")]


def read_team_notes(given: list[str] | None, config, keep: "History | None", as_of: dt.date):
    """--notes, else [notes] paths: the notes read (history/notes_read.NotesRead), or None when
    none are asked for. Notes are kept in the history, so they need one."""
    from sendcheck.history.notes_read import expand, read_notes

    paths = (expand(given) if given else
             expand(config.notes_paths, Path(config.path).parent) if config.notes_paths else None)
    if paths is None:
        return None
    if keep is None:
        raise SendcheckError("--notes keeps the team's notes in the history: give --history FILE "
                             "(or [history] path in sendcheck.toml)")
    return read_notes(paths, as_of)


def notes_lines(audit) -> list[str]:
    """What reading the notes did, for stderr: counts and places, never a note's text."""
    return audit.notes_kept.lines() if audit.notes_kept is not None else []


def parse_as_of(text: str | None) -> dt.date | None:
    """--as-of as a date, in any spelling the export reader accepts (31/03/2025, 31-03-2025,
    2025-03-31, 31 March 2025, 31 Mar 2025); None when not given (the audit then takes a SEN2
    return's ReferenceDate, else today: sendcheck.audit.resolve_as_of)."""
    if not text:
        return None
    from sendcheck.read.dates import parse_one_date

    day = parse_one_date(text.strip())
    if day is None:
        raise SendcheckError(f"--as-of: {text!r} is not a date (expected a day-first date such "
                             f"as 31/03/2025, 31 March 2025 or 2025-03-31)")
    return day


def codes(text: str | None) -> list[str] | None:
    return [c.strip() for c in text.split(",") if c.strip()] if text else None


def to_stdout(output: Path | None) -> bool:
    """No --output, or `-`: the report goes to standard output."""
    return output is None or str(output) == "-"


def emit(text: str | bytes | Iterable[str], output: Path | None) -> None:
    """The report (one string, its pieces in order, or a workbook's bytes) to --output
    (atomically), or to standard output."""
    if not to_stdout(output):
        from sendcheck.views.files import write_atomic

        write_atomic(output, text)
    elif isinstance(text, bytes):  # a workbook to `-`
        sys.stdout.flush()
        sys.stdout.buffer.write(text)
        sys.stdout.buffer.flush()
    else:
        pieces = iter([text] if isinstance(text, str) else text)
        first = next(pieces, "")
        json_text = first.startswith("{")  # JSON keeps \u escapes where the stream cannot encode
        for piece in itertools.chain([first], pieces):
            sys.stdout.write(_encodable(piece, json_text))
        sys.stdout.flush()


def _encodable(text: str, json_text: bool) -> str:
    """JSON for a stdout that cannot encode every character (PYTHONIOENCODING=ascii) has them
    as \\u escapes, so it stays valid JSON; other text is escaped by the stream itself."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    if not json_text or encoding.lower().replace("-", "") in ("utf8", "utf16", "utf32"):
        return text
    try:
        text.encode(encoding)
        return text
    except (UnicodeEncodeError, LookupError):
        import re

        return re.sub(r"[^\x00-\x7f]",
                      lambda m: "".join(f"\\u{u:04x}" for u in _utf16(m.group())), text)


def _utf16(ch: str) -> list[int]:
    data = ch.encode("utf-16-be")
    return [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2)]


def check_output(output: Path | None, files: list[Path] = (), config: str | Path | None = None,
                 **named: Path | None) -> None:
    """Refuse an --output that is one of the run's inputs (exit 2) before anything is read."""
    from sendcheck.views.files import refuse_overwrite

    if to_stdout(output):
        return
    inputs = [("export", f) for f in files] + [("configuration", config)]
    inputs += [(f"--{k.replace('_', '-')} file", v) for k, v in named.items()]
    # The files in a folder given as an input (SEN2 module CSVs, --rules-dir) are inputs too.
    inputs += [(what, p) for what, f in list(inputs) if f is not None and Path(f).is_dir()
               for p in Path(f).iterdir() if p.is_file()]
    refuse_overwrite(output, inputs)


def is_terminal() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def plain_width(output: Path | None) -> int | None:
    """The width plain text must fit: a terminal's (NO_COLOR set, so no rich view), or None for
    a pipe or a file (every column kept)."""
    if not to_stdout(output) or not sys.stdout.isatty():
        return None
    import shutil

    return shutil.get_terminal_size().columns


def audit_for(files: list[Path], as_of: str | None, config: Path | None, *,
              sheet: str | None = None, reviews: Path | None = None,
              due_within: int | None = None, output: Path | None = None,
              **named: Path | None) -> Audit:
    """The set-up `caseload`, `trend` and `explain` share: the config read, --output checked
    against the inputs, the audit run. Returns the Audit (the report's format is the command's
    `chosen_format`, checked first)."""
    from sendcheck.audit import Options, run_audit
    from sendcheck.config import load_config

    cfg = load_config(config, list(files))
    check_output(output, files, cfg.path, reviews=reviews, **named)
    return run_audit(list(files), Options(as_of=parse_as_of(as_of), sheet=sheet,
                                          due_within=due_within_days(due_within, cfg),
                                          reviews=reviews), cfg)
