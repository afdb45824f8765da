"""The history file: SQLite through the standard library, one transaction per run.

WAL mode (a reader never blocks the nightly writer), a busy timeout (two runs at once wait in
turn), PRAGMA application_id to tell a sendcheck history from any other SQLite file, and PRAGMA
user_version as the schema version, raised by the migrations below. A file that is not a
sendcheck history, or is from a newer sendcheck, is refused before anything is written to it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from sendcheck.errors import SendcheckError
from sendcheck.history.changes import STORED_SCHEMA, Changes, compare
from sendcheck.read.limits import open_input, read_input

APPLICATION_ID = 0x53444348  # "SDCH": sendcheck history
SCHEMA_VERSION = 3
DEFAULT_WAIT_SECONDS = 30
SQLITE_HEADER = b"SQLite format 3\x00"
COUNT_COLUMNS = ("findings", "overdue", "due_soon", "invalid", "late", "early", "missed",
                 "excepted", "cases_overdue", "cases_due_soon", "new_overdue", "new_due_soon",
                 "new_invalid", "resolved", "still_overdue")

# MIGRATIONS[n] takes a history from schema version n - 1 to n. Never edit a shipped step: add one.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        f"""CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            as_of TEXT NOT NULL UNIQUE,          -- the date judged; one run per as-of date
            run_at TEXT NOT NULL,                -- wall clock (UTC), kept, never compared
            sendcheck_version TEXT NOT NULL,
            config_path TEXT, config_sha256 TEXT,
            due_within INTEGER NOT NULL,
            rows_read INTEGER NOT NULL,
            compared_with TEXT,                  -- as-of date of the run this one compared with
            {", ".join(f"{c} INTEGER NOT NULL" for c in COUNT_COLUMNS)})""",
        """CREATE TABLE inputs (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            position INTEGER NOT NULL, path TEXT NOT NULL, sheet TEXT,
            rows INTEGER NOT NULL, sha256 TEXT NOT NULL,
            PRIMARY KEY (run_id, position))""",
        # Dates as days since 1970-01-01 (polars' own Date): a quarter smaller than ISO text
        # and no conversion per value; the view findings_dated shows them as dates.
        # Clustered by run (WITHOUT ROWID, keyed by run and position): a run's findings are one
        # range of the file, read and deleted together, with no separate index to keep.
        """CREATE TABLE findings (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            position INTEGER NOT NULL, rule TEXT NOT NULL, kind TEXT, record_id TEXT, cycle INTEGER,
            person_id TEXT, caseworker TEXT, status TEXT NOT NULL,
            start INTEGER, due INTEGER, done INTEGER, days_over INTEGER,
            overdue_since INTEGER, PRIMARY KEY (run_id, position)) WITHOUT ROWID""",
        """CREATE VIEW findings_dated AS SELECT runs.as_of, rule, kind, record_id, cycle,
            person_id, caseworker, status, date(start * 86400, 'unixepoch') AS start,
            date(due * 86400, 'unixepoch') AS due, date(done * 86400, 'unixepoch') AS done,
            days_over, date(overdue_since * 86400, 'unixepoch') AS overdue_since
            FROM findings JOIN runs ON runs.id = findings.run_id""",
    ),
    # The data-quality findings apart from the rules' invalid ones (null for runs kept before),
    # and the rules that ran (comma-separated codes): a rule that ran then and is skipped now
    # is a change.
    2: ("ALTER TABLE runs ADD COLUMN data_quality INTEGER",
        "ALTER TABLE runs ADD COLUMN rules_ran TEXT"),
    # The team's notes, read back from the lists sendcheck wrote (history/notes.py): keyed like a
    # finding, never deleted with a run (a note outlives the finding it was written on).
    3: (
        """CREATE TABLE notes (
            id INTEGER PRIMARY KEY,
            rule TEXT NOT NULL, kind TEXT, record_id TEXT NOT NULL, cycle INTEGER,
            action TEXT, checked_by TEXT,
            noted_on INTEGER NOT NULL,           -- days since 1970-01-01
            dated_by TEXT NOT NULL,              -- 'cell' (the Date checked cell) or 'file'
            source TEXT NOT NULL, sheet TEXT, row INTEGER,
            read_on TEXT NOT NULL,               -- as-of date of the run that read it
            matched INTEGER NOT NULL)            -- 1: its key named a finding when read""",
        # The same note read twice is kept once: same finding, text and author, and the same
        # Date checked (a note dated by its file's date is the same note whenever it is read).
        """CREATE UNIQUE INDEX notes_once ON notes (record_id, rule, coalesce(kind, ''),
            coalesce(cycle, -1), coalesce(action, ''), coalesce(checked_by, ''),
            CASE WHEN dated_by = 'cell' THEN noted_on ELSE -1 END)""",
        """CREATE VIEW notes_dated AS SELECT rule, kind, record_id, cycle, action, checked_by,
            date(noted_on * 86400, 'unixepoch') AS noted_on, dated_by, source, sheet, row,
            read_on, matched FROM notes""",
    ),
}
FINDING_COLUMNS = tuple(STORED_SCHEMA)


@dataclass
class RunRecord:
    """What the history keeps of one run, besides its findings."""

    as_of: dt.date
    sendcheck_version: str
    due_within: int
    rows_read: int
    inputs: list[dict]  # path, sheet, rows, sha256
    counts: dict[str, int] = field(default_factory=dict)  # COUNT_COLUMNS except the changes
    rules_ran: list[str] = field(default_factory=list)
    rules_skipped: dict[str, tuple[str, ...]] = field(default_factory=dict)  # code -> missing
    config_path: str | None = None
    config_sha256: str | None = None
    run_at: str = ""


def _refuse(path: Path, problem: str, fix: str) -> SendcheckError:
    return SendcheckError(f"--history {path}: {problem}; {fix}")


def _locked(path: Path, wait: float) -> SendcheckError:
    return _refuse(path, f"locked by another run for more than {wait:g} s",
                   "try again when it has finished (or raise [history] wait_seconds)")


# What SQLite says, and what it means for the person running sendcheck (sqlite3's error codes
# would be exact, but sqlite_errorname needs Python 3.11.4+ builds; the messages are stable).
_PROBLEMS = (
    (("readonly", "read-only"), "cannot be written (read-only: the file, its folder or the disk)",
     "give a history you can write, or check its permissions"),
    (("disk is full", "disk i/o"), "cannot be written (the disk is full, or failed)",
     "free some space; the history is as the last complete run left it"),
    (("malformed", "not a database", "corrupt"), "is damaged (SQLite reports it malformed)",
     "restore it from a backup, or move it away to start a new history"),
    (("locked", "busy"), "locked by another run",
     "try again when it has finished (or raise [history] wait_seconds)"),
    (("unable to open",), "cannot be opened", "check the path and its folder's permissions"),
)


def sqlite_problem(path: str | Path, exc: sqlite3.Error) -> SendcheckError:
    """An SQLite error as one line naming the problem with the history file and its fix."""
    text = str(exc).lower()
    for words, problem, fix in _PROBLEMS:
        if any(w in text for w in words):
            return _refuse(Path(path), problem, fix)
    return _refuse(Path(path), f"cannot be used ({type(exc).__name__}: {exc})", "check the file")


@contextmanager
def history_errors(path: str | Path) -> Iterator[None]:
    """Any SQLite error inside becomes sqlite_problem's one line (exit 2), never an internal
    error."""
    try:
        yield
    except sqlite3.Error as exc:
        raise sqlite_problem(path, exc) from None


def open_history(path: str | Path, wait: float = DEFAULT_WAIT_SECONDS,
                 create: bool = True) -> sqlite3.Connection:
    """An open, checked, up-to-date history (created when missing and `create`)."""
    path = Path(path)
    if path.is_dir():
        raise _refuse(path, "is a folder", "give a file name, e.g. history.sqlite")
    exists = path.exists()
    if not exists and not create:
        raise _refuse(path, "no such file", "check the path (audit --history creates it)")
    if not exists and not path.parent.is_dir():
        raise _refuse(path, f"the folder {path.parent} does not exist", "create it first")
    if exists:
        # A regular file only: a FIFO would block the read, /dev/null would be "opened" and
        # leave a /dev/null-journal beside it.
        with open_input(path, "--history ") as fh:
            head = fh.read(len(SQLITE_HEADER))
        if head and head != SQLITE_HEADER:
            raise _refuse(path, "not a sendcheck history (not an SQLite file)",
                          "give another path, or move the file away")
    try:
        conn = sqlite3.connect(path, timeout=wait, isolation_level=None)
    except sqlite3.Error as exc:
        raise sqlite_problem(path, exc) from None
    try:
        _check(conn, path)
        if conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
            _migrate(conn, path)
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL never corrupts and never loses a run to a killed process; only a
        # power cut can lose the last run (it is then simply not there).
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
    except sqlite3.Error as exc:
        conn.close()
        if "locked" in str(exc) or "busy" in str(exc):
            raise _locked(path, wait) from None
        raise sqlite_problem(path, exc) from None
    except SendcheckError:
        conn.close()
        raise
    return conn


def check_history(path: str | Path, wait: float = DEFAULT_WAIT_SECONDS,
                  create: bool = True) -> None:
    """Refuse a bad history before any work (exit 2), without creating a missing one: a run
    that then fails on its export leaves no empty history behind."""
    path = Path(path)
    if path.exists() or not create:
        open_history(path, wait, create).close()
    elif not path.parent.is_dir():
        raise _refuse(path, f"the folder {path.parent} does not exist", "create it first")


def _check(conn: sqlite3.Connection, path: Path) -> None:
    app = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0]
    if app != APPLICATION_ID and not (app == 0 and version == 0 and tables == 0):
        raise _refuse(path, "not a sendcheck history (an SQLite file of another application)",
                      "give another path")
    if version > SCHEMA_VERSION:
        raise _refuse(path, f"written by a newer sendcheck (history schema {version}, this "
                      f"sendcheck reads up to {SCHEMA_VERSION})", "upgrade sendcheck")


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        _check(conn, path)  # another run may have migrated it while this one waited
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for step in range(version + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[step]:
                conn.execute(statement)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def file_sha256(path: str | Path | None) -> str | None:
    return hashlib.sha256(read_input(path)).hexdigest() if path else None


def record_run(conn: sqlite3.Connection, run: RunRecord, findings: pl.DataFrame,
               path: str | Path = "", wait: float = DEFAULT_WAIT_SECONDS) -> Changes:
    """Compare this run with the latest earlier one and store it, in one transaction: a run
    stopped half-way leaves the history as it was. A run for an as-of date already kept
    replaces it (a retried cron job counts once)."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        raise _locked(Path(path), wait) from None
    try:
        prev, stored, changes = compare_with_latest(conn, run.as_of, findings, run.due_within,
                                                    path, run.rules_skipped)
        conn.execute("DELETE FROM runs WHERE as_of = ?", (run.as_of.isoformat(),))
        counts = {**run.counts, **changes.counts(), "findings": stored.height}
        names = ("as_of", "run_at", "sendcheck_version", "config_path", "config_sha256",
                 "due_within", "rows_read", "compared_with", "data_quality",
                 "rules_ran") + COUNT_COLUMNS
        values = (run.as_of.isoformat(), run.run_at, run.sendcheck_version, run.config_path,
                  run.config_sha256, run.due_within, run.rows_read,
                  prev[1] if prev else None, run.counts.get("data_quality"),
                  ",".join(run.rules_ran)) + tuple(int(counts.get(c, 0)) for c in COUNT_COLUMNS)
        run_id = conn.execute(f"INSERT INTO runs ({', '.join(names)}) VALUES "
                              f"({', '.join('?' * len(names))})", values).lastrowid
        conn.executemany("INSERT INTO inputs VALUES (?, ?, ?, ?, ?, ?)",
                         [(run_id, i, t["path"], t.get("sheet"), t["rows"], t["sha256"])
                          for i, t in enumerate(run.inputs)])
        insert_findings(conn, run_id, stored)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return changes


def compare_with_latest(conn: sqlite3.Connection, as_of: dt.date, findings: pl.DataFrame,
                        due_within: int, path: str | Path = "",
                        skipped: dict[str, tuple[str, ...]] | None = None
                        ) -> tuple[tuple | None, pl.DataFrame, Changes]:
    """This run's findings against the latest run kept for an earlier as-of date, without
    writing: (that run's id, as-of and run_at, or None), the findings to store, the changes.
    `skipped`: this run's rules that could not run (code -> missing columns)."""
    prev = conn.execute("SELECT id, as_of, run_at, due_within, rules_ran FROM runs WHERE as_of "
                        "< ? ORDER BY as_of DESC LIMIT 1", (as_of.isoformat(),)).fetchone()
    previous = load_findings(conn, prev[0]) if prev else None
    stored, changes = compare(findings, previous, as_of,
                              dt.date.fromisoformat(prev[1]) if prev else None,
                              prev[2] if prev else None, str(path))
    if prev and prev[4] and skipped:  # runs kept before schema 2 did not record their rules
        ran = set(prev[4].split(","))
        changes.newly_skipped = {c: m for c, m in skipped.items() if c in ran}
    if prev and prev[3] != due_within:
        changes.notes.append(f"the run of {prev[1]} looked {prev[3]} days ahead for due soon, "
                             f"this one {due_within}: some due-soon changes are the window's")
    return prev, stored, changes


def insert_findings(conn: sqlite3.Connection, run_id: int, stored: pl.DataFrame) -> None:
    """One executemany over the frame's rows (dates as day numbers, cast by polars)."""
    rows = stored.select(pl.lit(run_id).alias("run_id"), pl.int_range(pl.len()).alias("pos"), *[
        pl.col(c).cast(pl.Int32) if t == pl.Date else pl.col(c)
        for c, t in STORED_SCHEMA.items()]).iter_rows()
    conn.executemany(f"INSERT INTO findings (run_id, position, {', '.join(FINDING_COLUMNS)}) "
                     f"VALUES ({', '.join('?' * (len(FINDING_COLUMNS) + 2))})", rows)


def load_findings(conn: sqlite3.Connection, run_id: int) -> pl.DataFrame:
    rows = conn.execute(f"SELECT {', '.join(FINDING_COLUMNS)} FROM findings WHERE run_id = ? "
                        "ORDER BY position", (run_id,)).fetchall()
    days = {c: (pl.Int32 if t == pl.Date else t) for c, t in STORED_SCHEMA.items()}
    return pl.DataFrame(rows, schema=days, orient="row").cast(STORED_SCHEMA)


def list_runs(conn: sqlite3.Connection) -> pl.DataFrame:
    """Every run, oldest first, with its counts and its inputs' names."""
    cur = conn.execute(
        "SELECT runs.*, (SELECT group_concat(path, ', ') FROM (SELECT path FROM inputs WHERE "
        "run_id = runs.id ORDER BY position)) AS input_files FROM runs ORDER BY as_of")
    names = [d[0] for d in cur.description]
    schema = {n: (pl.Int64 if n in COUNT_COLUMNS or n in ("id", "due_within", "rows_read",
                                                         "data_quality")
                  else pl.String) for n in names}
    return pl.DataFrame(cur.fetchall(), schema=schema, orient="row").drop("id")
