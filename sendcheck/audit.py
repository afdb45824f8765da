"""The audit as a library call: read inputs, evaluate rules and data-quality checks, keep it all.

The CLI only parses options and renders; tests and other commands call `run_audit` directly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from sendcheck.config import Config
from sendcheck.engine import RuleRun, evaluate, plan_runs
from sendcheck.episodes import combine, prepare
from sendcheck.quality import run_checks
from sendcheck.reader import Table, read_export
from sendcheck.rulebook import Rule, load_rules, select_rules


@dataclass
class Options:
    as_of: dt.date
    due_within: int = 28
    select: list[str] | None = None
    ignore: list[str] | None = None
    sheet: str | None = None
    strict: bool = False
    rules_dir: Path | None = None


@dataclass
class Audit:
    options: Options
    config: Config
    tables: list[Table]
    episodes: pl.DataFrame
    runs: list[RuleRun]
    results: pl.DataFrame  # one row per (rule, kind, episode): engine.RESULT_SCHEMA
    quality: pl.DataFrame  # one row per data-quality finding: quality.DQ_SCHEMA
    quality_skipped: dict[str, tuple[str, ...] | None] = field(default_factory=dict)

    @property
    def rules(self) -> dict[str, Rule]:
        return {run.rule.code: run.rule for run in self.runs}

    @property
    def rows_read(self) -> int:
        return sum(t.rows for t in self.tables)

    @property
    def rows_blank(self) -> int:
        return sum(t.blank_rows for t in self.tables)


def load_inputs(paths: list[str | Path], options: Options, config: Config) -> list[Table]:
    from sendcheck.sen2_read import merge_modules  # SEN2 module CSVs given as separate files

    tables = [read_export(p, sheet=options.sheet, config_columns=config.columns) for p in paths]
    return merge_modules(tables, config.columns)


def run_audit(paths: list[str | Path], options: Options, config: Config | None = None) -> Audit:
    config = config or Config()
    return audit_tables(load_inputs(paths, options, config), options, config)


def audit_tables(tables: list[Table], options: Options, config: Config | None = None) -> Audit:
    """The audit of tables already read (from files, or from rows in memory)."""
    config = config or Config()
    raw = combine(tables)
    episodes = prepare(raw, options.as_of, config.values)
    rules = select_rules(load_rules(options.rules_dir), options.select, options.ignore)
    runs = plan_runs(rules, set(raw.columns))
    results = evaluate(episodes, runs, options.as_of, options.due_within)
    quality, skipped = run_checks(episodes, options.as_of, options.select, options.ignore)
    return Audit(options, config, tables, episodes, runs, results, quality, skipped)
