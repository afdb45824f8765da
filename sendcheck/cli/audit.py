"""`sendcheck audit`: check export files and report breaches, cases due soon and data-quality
findings."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from sendcheck.cli.options import (
    EXIT_FINDINGS,
    EXIT_OK,
    AsOf,
    By,
    Cohort,
    ConfigFile,
    Debug,
    DueWithin,
    Files,
    Format,
    History,
    HistoryFile,
    Notes,
    Output,
    Personal,
    ReportFormat,
    Untouched,
    Reviews,
    Sheet,
    Staff,
    SuppressBelow,
    check_output,
    chosen_format,
    codes,
    due_within_days,
    emit,
    is_terminal,
    notes_lines,
    note,
    parse_as_of,
    plain_width,
    read_team_notes,
    to_stdout,
)
from sendcheck.errors import SendcheckError

STALE_DAYS = 31  # an export whose newest event is older than this is probably not today's

EXAMPLE = """Examples:

\b
  sendcheck audit export.xlsx --reviews reviews.csv --as-of 31/03/2025
  sendcheck audit export.xlsx --reviews reviews.csv --as-of 31/03/2025 --output board.md
  sendcheck audit export.csv --output report.json --fail-on overdue,invalid
  sendcheck audit export.csv --history history.sqlite --quiet --output report.xlsx --fail-on new
  sendcheck audit sen2/sen2.xml       (judged on the return's ReferenceDate)
"""


def audit(
    files: Files,
    as_of: AsOf = None,
    format: ReportFormat = None,
    output: Output = None,
    fail_on: Annotated[str, typer.Option("--fail-on", help="Exit 1 when any of these categories has a finding (comma-separated; they do not nest): overdue, due_soon, late, early, missed, invalid, breach (= late,early,overdue,missed), new (needs --history), skipped (a rule that could not run where the export has part of what it needs, or one named in --select), none.")] = "overdue",
    exit_zero: Annotated[bool, typer.Option("--exit-zero", help="Exit 0 even when findings match --fail-on (errors still exit 2).")] = False,
    select: Annotated[Optional[str], typer.Option("--select", help="Only these codes (comma-separated; prefixes allowed).")] = None,
    ignore: Annotated[Optional[str], typer.Option("--ignore", help="Skip these codes (comma-separated; prefixes allowed).")] = None,
    due_within: DueWithin = None,
    all_statuses: Annotated[bool, typer.Option("--all", help="List every status, including met, pending and not_applicable.")] = False,
    sheet: Sheet = None,
    config: ConfigFile = None,
    include_personal_data: Personal = False,
    strict: Annotated[bool, typer.Option("--strict", help="Warning-severity rules count towards --fail-on.")] = False,
    debug: Debug = False,
    rules_dir: Annotated[Optional[Path], typer.Option("--rules-dir", help="A folder of the council's own rule files, added to the built-in rules.")] = None,
    period: Annotated[Optional[str], typer.Option("--period", help="Period of the headline measures: 2024, FY2024, AY2024, 2024-Q3, 2024-09 or rolling-12m (default).")] = None,
    cohort: Annotated[Cohort, typer.Option("--cohort", help="Measure cases done (issued) in the period, or falling due in it.")] = Cohort.issued,
    staff: Staff = None,
    suppress_below: SuppressBelow = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors and the final one-line verdict; the report goes only to --output.")] = False,
    reviews: Reviews = None,
    history: HistoryFile = None,
    term_dates: Annotated[Optional[Path], typer.Option("--term-dates", help="The council's closures (CSV: start, end, optional setting, name): check school-closure exceptions (DQ40), mark cases due in a closure.")] = None,
    details: Annotated[bool, typer.Option("--details", help="Table view: a terminal shows the first screen; --details adds the lists of findings, every rule, every measure's figures (each advice kind, reviews, bands), the backlog bands, the longest waits and every caseworker (a pipe or a file gets all but the detailed figures without it).")] = False,
    by: By = None,
    notes: Notes = None,
    untouched: Untouched = None,
) -> int:
    """Check export files and report breaches, cases due soon and data-quality findings."""
    from sendcheck.audit import Options, audit_tables, latest_event, load_inputs, load_reviews
    from sendcheck.cli.progress import Progress
    from sendcheck.config import load_config
    from sendcheck.views.changes import summary_line
    from sendcheck.views.findings import cron_line, failing, parse_fail_on

    format = chosen_format(format, output, Format)
    if format is Format.parquet and output is None:
        raise SendcheckError("--format parquet writes the run's dataset: give --output FOLDER")
    if quiet and output is None:
        raise SendcheckError("--quiet prints no report: give --output FILE for it")
    categories = parse_fail_on(fail_on)
    from sendcheck.figures.breakdowns import parse_by

    dims = parse_by(by)
    cfg = load_config(config, list(files))
    dataset = output if format is Format.parquet else (
        Path(cfg.export_parquet) if cfg.export_parquet else None)
    keep = History.chosen(history, cfg)
    check_output(output, files, cfg.path, reviews=reviews, staff=staff, rules_dir=rules_dir,
                 history=keep.path if keep is not None else None,
                 term_dates=term_dates or cfg.term_dates)
    if untouched is not None and keep is None:
        raise SendcheckError("--untouched reads the team's notes from the history: give "
                             "--history FILE (or [history] path in sendcheck.toml)")
    if "new" in categories and keep is None:
        raise SendcheckError("--fail-on new compares with the previous run: give --history FILE "
                             "(or [history] path in sendcheck.toml)")
    # A command-line option replaces the configuration file's value; the file replaces the default.
    options = Options(as_of=parse_as_of(as_of),
                      due_within=due_within_days(due_within, cfg),
                      select=codes(select) or cfg.select, ignore=codes(ignore) or cfg.ignore,
                      sheet=sheet, strict=strict, rules_dir=rules_dir,
                      reviews=reviews, term_dates=term_dates or cfg.term_dates)
    with Progress.for_terminal(quiet) as progress:
        progress.stage("reading " + ", ".join(f.name for f in files))
        tables = load_inputs(list(files), options, cfg)
        reviews_table = load_reviews(options, cfg)
        progress.stage(f"checking {sum(t.rows for t in tables)} rows")
        result = audit_tables(tables, options, cfg, reviews_table)
        read = read_team_notes(notes, cfg, keep, result.options.as_of)
        if keep is not None:
            progress.stage(f"comparing with the history in {keep.path}")
            keep.notes(result, read, untouched)
            keep.compare(result)
        if format is not Format.csv or dataset is not None:  # CSV: the findings list only
            from sendcheck.figures.headline import compute_headline

            progress.stage("computing the measures")
            result.headline = compute_headline(result, period, cohort.value, staff, suppress_below)
            if dims:
                from sendcheck.figures.breakdowns import compute_breakdowns

                result.breakdowns = compute_breakdowns(result, dims)
        progress.stage("writing the report")
        if format is Format.table:
            progress.stop()  # the table is quick, and may be drawn on the same terminal
        _report(result, format, output, all_statuses, include_personal_data, quiet, keep,
                details)
        if dataset is not None:
            from sendcheck.views.dataset import dataset_authority, write_dataset

            progress.stage(f"writing the dataset to {dataset}")
            write_dataset(result, result.headline, dataset, dataset_authority(result))
        if keep is not None:  # only now: a run whose report was not written is not kept
            keep.record()
    if result.unmatched_suppressions and not quiet:
        from sendcheck.views.files import display_name

        if "record_id__given" not in result.episodes.columns:
            note(f"note: {display_name(Path(result.config.path or '').name)}: the export has no record id "
                 f"column, and suppressions match record ids, never row numbers (rows move "
                 f"between exports)")
        for s in result.unmatched_suppressions:
            note(f"note: {display_name(Path(result.config.path or '').name)} {s.key} ({s.rule} {s.record_id}) "
                 f"matches no finding; remove it if the case is resolved")
    for line in [] if quiet else notes_lines(result):
        note(line)
    if keep is not None and format is Format.csv and not quiet:
        note(summary_line(result))  # the CSV holds findings, not the summary
    latest = latest_event(result.episodes, result.options.as_of)
    if latest is not None and (result.options.as_of - latest).days > STALE_DAYS:
        note(f"warning: the newest event date in the export is {latest.isoformat()}, "
             f"{(result.options.as_of - latest).days} days before the as-of date "
             f"{result.options.as_of.isoformat()}: is this an old export?")
    note(cron_line(result))
    failed = failing(result, categories, strict)
    return EXIT_FINDINGS if failed and not exit_zero else EXIT_OK


def _report(result, format: Format, output: Path | None, all_statuses: bool,
            include_personal_data: bool, quiet: bool, keep: History | None = None,
            details: bool = False) -> None:
    """Write the report in the chosen format to --output, or to stdout unless --quiet."""
    if (quiet and output is None) or format is Format.parquet:  # the dataset is written already
        return
    if format is Format.json:
        from sendcheck.views.json import json_chunks

        emit(json_chunks(result, all_statuses, include_personal_data), output)
    elif format is Format.csv:
        from sendcheck.views.csv import csv_chunks

        emit(csv_chunks(result, all_statuses, include_personal_data), output)
    elif format is Format.markdown:
        from sendcheck.views.markdown import to_markdown

        emit(to_markdown(result, named=include_personal_data), output)
    elif format is Format.html:
        from sendcheck.views.html import to_html

        emit(to_html(result, include_personal_data, keep.runs() if keep is not None else None),
             output)
    elif format is Format.xlsx:
        from sendcheck.views.workbook import to_xlsx

        emit(to_xlsx(result, include_personal_data), output)
    else:
        from sendcheck.views.table import render_table

        # On a terminal the first screen, whole, and --details for the rest: the reader sees
        # the morning's figures after the run, on any system (no pager to quit, none missing on
        # Windows). A pipe or a file gets the whole report, as a log or an editor reads it.
        whole = details or not (to_stdout(output) and sys.stdout.isatty())
        if to_stdout(output) and is_terminal():
            render_table(result, rich=True, details=details, whole=whole)
        else:
            emit(render_table(result, rich=False, details=details, width=plain_width(output),
                              whole=whole), output)
