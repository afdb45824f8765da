"""An audit as the history keeps it: the run's record and its findings, stored and compared."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from sendcheck import __version__
from sendcheck.audit import Audit
from sendcheck.history.changes import KEY, Changes, compare, dated, kept_findings
from sendcheck.history.store import (
    DEFAULT_WAIT_SECONDS,
    RunRecord,
    compare_with_latest,
    file_sha256,
    history_errors,
    list_runs,
    open_history,
    record_run,
)
from sendcheck.judge.cases import case_counts


def run_counts(audit: Audit, found: pl.DataFrame) -> dict[str, int]:
    """Findings per status (`invalid` counts the rules' invalid findings and the data-quality
    findings, as --fail-on invalid does; `data_quality` the latter alone), and the cases overdue and due soon as every view counts them
    (judge/cases.py's one definition: a review cycle counts for its plan's episode, a case
    overdue on one rule and due soon on another is overdue only)."""
    status = pl.col("status")
    row = found.select(*[(status == s).sum().alias(s) for s in (
        "overdue", "due_soon", "invalid", "late", "early", "missed", "excepted")],
        pl.col("rule").str.starts_with("DQ").sum().alias("data_quality")).row(0, named=True)
    return {**{k: int(v) for k, v in row.items()}, **case_counts(audit.cases)}


def skipped_rules(audit: Audit) -> dict[str, tuple[str, ...]]:
    """The rules that could not run, with the columns each lacked: a rule that ran in the
    previous run and is here is a change."""
    return {r.rule.code: r.skipped for r in audit.runs if r.skipped is not None}


def record_audit(audit: Audit, findings: pl.DataFrame, path: str | Path,
                 wait: float = DEFAULT_WAIT_SECONDS, now: dt.datetime | None = None) -> Changes:
    """Store this audit and its findings (views.findings.findings_frame) in the history at
    `path` (created when missing) and return what changed since the latest earlier run."""
    found = kept_findings(findings)
    cfg = audit.config.path
    run = RunRecord(
        as_of=audit.options.as_of, sendcheck_version=__version__,
        due_within=audit.options.due_within, rows_read=audit.rows_read,
        inputs=[{"path": t.path, "sheet": t.sheet, "rows": t.rows, "sha256": t.sha256}
                for t in audit.tables + ([audit.reviews.table] if audit.reviews else [])],
        counts=run_counts(audit, found), config_path=cfg, config_sha256=file_sha256(cfg),
        rules_ran=[r.rule.code for r in audit.runs if r.skipped is None],
        rules_skipped=skipped_rules(audit),
        run_at=(now or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds"))
    conn = open_history(path, wait)
    try:
        with history_errors(path):
            return record_run(conn, run, found, path, wait)
    finally:
        conn.close()


def changes_since(audit: Audit, findings: pl.DataFrame, path: str | Path,
                  wait: float = DEFAULT_WAIT_SECONDS) -> Changes:
    """What changed since the latest earlier run in the history at `path`, without writing it
    (a missing history has no earlier run): the report says it, and record_audit stores the run
    only once the report is written."""
    found = kept_findings(findings)
    if not Path(path).exists():
        return compare(found, None, audit.options.as_of, None, None, str(path))[1]
    conn = open_history(path, wait, create=False)
    try:
        with history_errors(path):
            return compare_with_latest(conn, audit.options.as_of, found,
                                       audit.options.due_within, path, skipped_rules(audit))[2]
    finally:
        conn.close()


def runs_with(audit: Audit, findings: pl.DataFrame, path: str | Path,
              wait: float = DEFAULT_WAIT_SECONDS) -> list[dict]:
    """(as_of, overdue, due_soon) of every run kept, with this audit's in its place (it is
    stored after the report that shows them), oldest first."""
    this = {"as_of": audit.options.as_of.isoformat(),
            **{k: v for k, v in run_counts(audit, kept_findings(findings)).items()
               if k in ("overdue", "due_soon")}}
    kept: list[dict] = []
    if Path(path).exists():
        conn = open_history(path, wait, create=False)
        try:
            with history_errors(path):
                kept = list_runs(conn).select("as_of", "overdue", "due_soon").to_dicts()
        finally:
            conn.close()
    return sorted([r for r in kept if r["as_of"] != this["as_of"]] + [this],
                  key=lambda r: r["as_of"])


def overdue_since(audit: Audit, findings: pl.DataFrame, path: str | Path,
                  wait: float = DEFAULT_WAIT_SECONDS) -> pl.DataFrame:
    """(rule, kind, record_id, cycle, overdue_since, first_seen) of this audit's overdue
    findings, from the history at `path`, which is read, never written (`actions --history`):
    overdue since the day after the due date, first seen by the history's first run that saw it."""
    conn = open_history(path, wait, create=False)
    try:
        with history_errors(path):
                _, stored, _ = compare_with_latest(conn, audit.options.as_of,
                                               kept_findings(findings),
                                               audit.options.due_within, path)
    finally:
        conn.close()
    return dated(stored.filter(pl.col("status") == "overdue")).select(*KEY, "overdue_since",
                                                                         "first_seen")
