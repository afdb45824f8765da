"""The audit as a library call: read inputs, evaluate rules and data-quality checks, keep it all.

The CLI only parses options and renders; tests and other commands call `run_audit` directly.
"""

from __future__ import annotations

import datetime as dt
import shlex
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from sendcheck.config import Config, Suppression
from sendcheck.errors import SendcheckError
from sendcheck.judge import sen2_checks  # noqa: F401 - registers the SEN2 return checks (DQ20-DQ39)
from sendcheck.judge.closures import NO_TERM_DATES, implausible_closure_exceptions
from sendcheck.judge.coverage import Coverage, coverage
from sendcheck.judge.engine import RuleRun, plan_runs
from sendcheck.judge.quality import RULE_GAPS, is_selected, rule_gaps, run_checks
from sendcheck.judge.reviews import ReviewHistory, build_history
from sendcheck.judge.rulebook import Rule, load_rules, select_rules
from sendcheck.judge.statuses import Judgement, Settings, judge
from sendcheck.judge.suppress import match
from sendcheck.read.episodes import combine, prepare
from sendcheck.read.export import read_export
from sendcheck.read.kind import seems_to_be
from sendcheck.read.sheets import Table
from sendcheck.read.term_dates import read_term_dates

if TYPE_CHECKING:  # the types only: figures and history compute them from an Audit
    from sendcheck.figures.sections import Headline
    from sendcheck.history.changes import Changes


@dataclass
class Options:
    # None: a SEN2 return's ReferenceDate, else today (contract section 4); see resolve_as_of.
    as_of: dt.date | None
    due_within: int = 28
    select: list[str] | None = None
    ignore: list[str] | None = None
    sheet: str | None = None
    strict: bool = False
    rules_dir: Path | None = None
    reviews: str | Path | None = None  # a review-history file: review rules judged per cycle
    term_dates: str | Path | None = None  # closures (sendcheck.read.term_dates): DQ40, due marks
    as_of_source: str = "--as-of"  # where the as-of date came from, said on every output


@dataclass
class Audit:
    options: Options
    config: Config
    tables: list[Table]
    episodes: pl.DataFrame
    runs: list[RuleRun]
    # Every rule's status per episode (and review cycle), compactly; findings on request
    # (sendcheck.judge.statuses: the shape and why).
    judgement: Judgement
    quality: pl.DataFrame  # one row per data-quality finding: quality.DQ_SCHEMA
    quality_skipped: dict[str, tuple[str, ...] | None] = field(default_factory=dict)
    # Findings set apart by [[suppress]] (sendcheck.suppress.SUPPRESSED_SCHEMA), and the entries
    # that matched nothing.
    suppressed: pl.DataFrame | None = None
    quality_suppressed: pl.DataFrame | None = None
    unmatched_suppressions: list[Suppression] = field(default_factory=list)
    # Headline measures, backlog and caseload (figures/headline.py), when the command computes them.
    headline: Headline | None = None
    # Review history (--reviews): every review cycle, judged by RV01-RV05 and TR02.
    reviews: ReviewHistory | None = None
    # What changed since the previous run in --history.
    changes: Changes | None = None
    # The term dates' closures (--term-dates, [term_dates]): read_term_dates' frame, or None.
    closures: pl.DataFrame | None = None
    # The team's notes (history/notes.py), when a history is kept: the latest note of each
    # finding (SHOWN_SCHEMA), the window "with a note in the last N days", --untouched N (the
    # lists show only findings with no note in the window), and what this run read (NotesKept).
    notes: pl.DataFrame | None = None
    note_days: int = 7
    untouched: bool = False
    notes_kept: object | None = None
    # --by: the breakdowns (sendcheck.figures.breakdowns.Breakdown), when asked for.
    breakdowns: list | None = None
    # Which rules ran, which were skipped, which families the export lacks (judge/coverage.py).
    coverage: Coverage | None = None

    @property
    def rules(self) -> dict[str, Rule]:
        return {run.rule.code: run.rule for run in self.runs}

    @property
    def results(self) -> pl.DataFrame:
        """Every finding of every status, long (engine.RESULT_SCHEMA): one row per rule, kind
        and episode. Large on a big export; views ask `judgement.findings` for what they list."""
        return self.judgement.findings()

    @property
    def owners(self) -> pl.DataFrame | None:
        """Review cycle -> episode (judge/cases.with_episode), when --reviews was given."""
        return self.reviews.owners if self.reviews is not None else None

    @cached_property
    def cases(self) -> pl.DataFrame:
        """The cases overdue and due soon (judge/cases.case_status: the one definition), once
        per audit for every view."""
        from sendcheck.judge.cases import LIVE, case_status
        from sendcheck.judge.suppress import open_results

        return case_status(open_results(self.judgement.findings(LIVE), self.suppressed),
                           self.owners)

    @property
    def rows_read(self) -> int:
        return sum(t.rows for t in self.tables)

    @property
    def rows_blank(self) -> int:
        return sum(t.blank_rows for t in self.tables)

    @property
    def rows_footer(self) -> int:
        return sum(t.footer_rows for t in self.tables)


def load_inputs(paths: list[str | Path], options: Options, config: Config) -> list[Table]:
    from sendcheck.read.sen2 import merge_modules  # SEN2 module CSVs given as separate files

    tables = [read_export(p, sheet=options.sheet, config_columns=config.columns) for p in paths]
    tables = merge_modules(tables, config.columns)
    return tables


def load_reviews(options: Options, config: Config) -> Table | None:
    """The --reviews file, read like an export (first sheet), or None."""
    if not options.reviews:
        return None
    return read_export(options.reviews, config_columns=config.columns)


def run_audit(paths: list[str | Path], options: Options, config: Config | None = None) -> Audit:
    config = config or Config()
    return audit_tables(load_inputs(paths, options, config), options, config,
                        load_reviews(options, config))


def resolve_as_of(tables: list[Table], options: Options) -> Options:
    """Options with the as-of date settled: --as-of when given; else a SEN2 return's own
    ReferenceDate, the census date DfE computes from; else today."""
    if options.as_of is not None:
        return options
    from sendcheck.read.sen2 import reference_date

    census = reference_date(tables)
    if census is not None:
        return replace(options, as_of=census, as_of_source="the return's ReferenceDate")
    return replace(options, as_of=dt.date.today(), as_of_source="today")


# Dates that record something that happened (not deadlines, not birth dates): the newest of them
# says how old an export is.
NOT_EVENTS = ("birth_date", "phase_transfer_due_date")


def latest_event(episodes: pl.DataFrame, as_of: dt.date) -> dt.date | None:
    """The newest event date on or before the as-of date, across every event-date column."""
    cols = [c for c, t in episodes.schema.items() if t == pl.Date and c not in NOT_EVENTS
            and not c.startswith("_")]
    if not cols or episodes.height == 0:
        return None
    day = pl.lit(as_of)
    return episodes.select(pl.max_horizontal(
        [pl.col(c).filter(pl.col(c) <= day).max() for c in cols])).item()


def audit_tables(tables: list[Table], options: Options, config: Config | None = None,
                 reviews: Table | None = None) -> Audit:
    """The audit of tables already read (from files, or from rows in memory); `reviews` is a
    review-history table (sendcheck.reviews)."""
    config = config or Config()
    options = resolve_as_of(tables, options)
    raw = combine(tables)
    episodes = prepare(raw, options.as_of, config.values)
    rulebook = load_rules(options.rules_dir)
    columns = set(raw.columns) | (set(reviews.frame.columns) if reviews is not None else set())
    if not any(run.skipped is None for run in plan_runs(rulebook, columns)):
        raise SendcheckError(nothing_to_check(tables))
    rules = select_rules(rulebook, options.select, options.ignore)
    runs = plan_runs(rules, set(raw.columns))
    history = None
    if reviews is not None:
        history = build_history(reviews, episodes, options.as_of, config.values,
                                options.select, options.ignore)
        runs = history.replan(rules, runs)
    per_cycle = [r for r in runs if history is not None and r.rule.per == "review"]
    judgement = judge(episodes, [r for r in runs if r not in per_cycle],
                      Settings(options.as_of, options.due_within, config.school_transfer_years),
                      history.cycles if history is not None else None, per_cycle)
    quality, skipped = run_checks(episodes, options.as_of, options.select, options.ignore)
    closures = None
    term_dates = options.term_dates or config.term_dates
    if term_dates:
        closures = read_term_dates(term_dates, options.as_of.year + 1)
    if is_selected("DQ40", options.select, options.ignore):
        # Without term dates the check cannot run: reported as skipped, never as passed.
        need = (NO_TERM_DATES if closures is None else
                ("exception_reason",) if "exception_reason" not in episodes.columns else None)
        skipped["DQ40"] = need
        if need is None:
            quality = pl.concat([quality, implausible_closure_exceptions(
                judgement.findings(("excepted",)), episodes, closures)])
    if history is not None:
        quality = pl.concat([quality, history.quality])
        skipped = {**skipped, **history.quality_ran}
    if is_selected(RULE_GAPS.code, options.select, options.ignore):
        quality = pl.concat([quality, rule_gaps(judgement.findings(("invalid",)), quality)])
        skipped[RULE_GAPS.code] = None
    suppressed, quality, quality_suppressed, unmatched = match(
        episodes, judgement, quality, config.suppress)
    return Audit(options, config, tables, episodes, runs, judgement, quality, skipped,
                 suppressed, quality_suppressed, unmatched, reviews=history, closures=closures,
                 coverage=coverage(runs, rulebook, columns, options.select))


def nothing_to_check(tables: list[Table]) -> str:
    """The one line a run stops with (exit 2) when no timescale rule can run on its input (no
    header maps to the columns any rule needs), whatever --select says: never a green "0 cases
    overdue" (contract section 7). It names what the file seems to be (read/kind.py) and the
    command that shows how its headers map."""
    from sendcheck.views.files import display_name

    headers = [h for t in tables for h in (*t.mapping.values(), *t.unmapped)]
    names = ", ".join(display_name(Path(t.path).name) for t in tables)
    found = ", ".join(sorted(c for t in tables for c in t.mapping)) or "none"
    target = shlex.quote(tables[0].path) if tables else "FILE"
    return (f"{names}: nothing to check (columns found: {found}): no timescale rule can run on "
            f"it; it seems to be {seems_to_be(headers)}. `sendcheck columns {target}` shows what "
            f"its headers map to and what each rule needs")
