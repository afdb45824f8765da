"""The `sendcheck` command line: options in, report out, exit 0 / 1 / 2 (contract section 7).

Heavy modules (polars, openpyxl) are imported inside the commands so `--help` stays fast.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from sendcheck.errors import SendcheckError

app = typer.Typer(
    name="sendcheck",
    help="Check a SEND case-management export against the statutory EHC timescales.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"
    markdown = "markdown"


class Cohort(str, Enum):
    issued = "issued"
    due = "due"


class FailOn(str, Enum):
    none = "none"
    invalid = "invalid"
    overdue = "overdue"
    breach = "breach"
    due_soon = "due_soon"


# Options shared by several commands, defined once so they read the same everywhere.
Files = Annotated[list[Path], typer.Argument(help="Export files: .csv, .xlsx or .xlsm, a SEN2 return (.xml), or a folder of SEN2 module CSVs.")]
Debug = Annotated[bool, typer.Option("--debug", help="Show a full traceback on an internal error.")]
Sheet = Annotated[Optional[str], typer.Option("--sheet", help="Worksheet to read (default the first).")]
Output = Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the report here (atomically).")]
ConfigFile = Annotated[Optional[Path], typer.Option("--config", help="sendcheck.toml to use (default: found in this folder or above).")]
ReportFormat = Annotated[Format, typer.Option("--format", help="Report format.")]
Personal = Annotated[bool, typer.Option("--include-personal-data", help="Show names, UPNs and dates of birth.")]
AsOf = Annotated[Optional[str], typer.Option("--as-of", help="Judge as of this date (default today).")]
SuppressBelow = Annotated[Optional[int], typer.Option("--suppress-below", min=1, help="Show counts under N as <N in measures, backlog and caseload.")]
Staff = Annotated[Optional[Path], typer.Option("--staff", help="staff.csv (caseworker, FTE, role) for per-FTE loads.")]


def parse_as_of(text: str | None) -> dt.date:
    if not text:
        return dt.date.today()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise SendcheckError(f"--as-of: {text!r} is not a date (expected YYYY-MM-DD or dd/mm/yyyy)")


def _codes(text: str | None) -> list[str] | None:
    return [c.strip() for c in text.split(",") if c.strip()] if text else None


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        from sendcheck.views.files import write_atomic

        write_atomic(output, text)


def _is_terminal() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


@app.command()
def audit(
    files: Files,
    as_of: AsOf = None,
    format: ReportFormat = Format.table,
    output: Output = None,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="Exit 1 at or above this level.")] = FailOn.breach,
    select: Annotated[Optional[str], typer.Option("--select", help="Only these codes (comma-separated; prefixes allowed).")] = None,
    ignore: Annotated[Optional[str], typer.Option("--ignore", help="Skip these codes (comma-separated; prefixes allowed).")] = None,
    due_within: Annotated[Optional[int], typer.Option("--due-within", min=0, help="Look-ahead window in days for due_soon (default 28, or sendcheck.toml).")] = None,
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
    reviews: Annotated[Optional[Path], typer.Option("--reviews", help="Review history (CSV or Excel, one row per review meeting): judge every review cycle.")] = None,
) -> int:
    """Check export files and report breaches, cases due soon and data-quality findings."""
    from sendcheck.audit import Options, audit_tables, load_inputs, load_reviews
    from sendcheck.cli.progress import Progress
    from sendcheck.config import load_config
    from sendcheck.views.findings import cron_line, verdict

    if format is Format.xlsx and output is None:
        raise SendcheckError("--format xlsx writes a workbook: give --output FILE.xlsx")
    cfg = load_config(config)
    # A command-line option replaces the configuration file's value; the file replaces the default.
    options = Options(as_of=parse_as_of(as_of),
                      due_within=next(d for d in (due_within, cfg.due_within, 28) if d is not None),
                      select=_codes(select) or cfg.select, ignore=_codes(ignore) or cfg.ignore,
                      sheet=sheet, strict=strict, rules_dir=rules_dir,
                      reviews=reviews)
    with Progress.for_terminal(quiet) as progress:
        progress.stage("reading " + ", ".join(f.name for f in files))
        tables = load_inputs(list(files), options, cfg)
        history = load_reviews(options, cfg)
        progress.stage(f"checking {sum(t.rows for t in tables)} rows")
        result = audit_tables(tables, options, cfg, history)
        if format is not Format.csv:  # CSV is the findings list; the others carry the measures
            from sendcheck.figures.headline import compute_headline

            progress.stage("computing the measures")
            result.headline = compute_headline(result, period, cohort.value, staff, suppress_below)
        progress.stage("writing the report")
        if format is Format.table:
            progress.stop()  # the table is quick, and may be drawn on the same terminal
        _report(result, format, output, all_statuses, include_personal_data, quiet)
    if result.unmatched_suppressions and not quiet:
        for s in result.unmatched_suppressions:
            print(f"note: {Path(result.config.path or '').name} {s.key} ({s.rule} {s.record_id}) "
                  f"matches no finding; remove it if the case is resolved", file=sys.stderr)
    print(cron_line(result), file=sys.stderr)
    return EXIT_FINDINGS if verdict(result, fail_on.value, strict) else EXIT_OK


def _report(result, format: Format, output: Path | None, all_statuses: bool,
            include_personal_data: bool, quiet: bool) -> None:
    """Write the report in the chosen format to --output, or to stdout unless --quiet."""
    from sendcheck.views.json import to_json

    if quiet and output is None:
        return
    if format is Format.json:
        _emit(to_json(result, all_statuses, include_personal_data), output)
    elif format is Format.csv:
        from sendcheck.views.csv import to_csv

        _emit(to_csv(result, all_statuses, include_personal_data), output)
    elif format is Format.markdown:
        from sendcheck.views.markdown import to_markdown

        _emit(to_markdown(result), output)
    elif format is Format.xlsx:
        from sendcheck.views.files import write_atomic
        from sendcheck.views.workbook import to_xlsx

        write_atomic(output, to_xlsx(result, include_personal_data))
    else:
        from sendcheck.views.table import headline_table, render_table

        if output is None and _is_terminal():
            render_table(result, rich=True)
            headline_table(result.headline, rich=True)
        else:
            _emit(render_table(result, rich=False) + headline_table(result.headline, rich=False),
                  output)


@app.command()
def rules(
    code: Annotated[Optional[str], typer.Argument(help="Explain one rule, e.g. AS05.")] = None,
) -> int:
    """List the rules, or explain one: its law, time limit, exceptions and worked examples."""
    from sendcheck.judge.rulebook import load_rules
    from sendcheck.views.rulehelp import explain_rule, list_rules

    all_rules = load_rules()
    if code is None:
        sys.stdout.write(list_rules(all_rules))
        return EXIT_OK
    if code.upper().startswith("DQ"):
        import sendcheck.judge.sen2_checks  # noqa: F401 - registers the SEN2 return checks
        from sendcheck.judge.quality import BY_CODE

        check = BY_CODE.get(code.upper())
        if check is None:
            raise SendcheckError(f"no data-quality check {code!r} (known: {', '.join(sorted(BY_CODE))})")
        sys.stdout.write(f"{check.code} {check.name}: {check.title}\n\nStatus: invalid (a data-quality "
                         f"finding)\nWhat to do: {check.action}\n")
        return EXIT_OK
    match = [r for r in all_rules if r.code == code.upper() or r.name == code.lower()]
    if not match:
        raise SendcheckError(f"no rule {code!r}; `sendcheck rules` lists them")
    sys.stdout.write(explain_rule(match[0]))
    return EXIT_OK


@app.command()
def columns(
    file: Annotated[Path, typer.Argument(help="An export file.")],
    sheet: Sheet = None,
    config: ConfigFile = None,
) -> int:
    """Show which headers map to which columns, and which rules can run."""
    from sendcheck.config import load_config
    from sendcheck.judge.engine import plan_runs
    from sendcheck.judge.rulebook import load_rules
    from sendcheck.read.export import read_export

    cfg = load_config(config)
    table = read_export(file, sheet=sheet, config_columns=cfg.columns)
    out = [f"{table.path}: header on row {table.header_row}, {table.rows} rows"
           + (f", sheet {table.sheet!r}" if table.sheet else "")
           + (f", {table.encoding}, delimiter {table.delimiter!r}" if table.encoding else ""), "",
           "Mapped columns:"]
    out += [f"  {header!r:45} -> {canonical}" for canonical, header in table.mapping.items()]
    out += ["", "Headers not used:"] + [f"  {h!r}" for h in table.unmapped] or ["  (none)"]
    out += ["", "Rules:"]
    for run in plan_runs(load_rules(), set(table.frame.columns)):
        if run.skipped:
            out.append(f"  {run.rule.code} {run.rule.name}: cannot run, missing "
                       + ", ".join(run.skipped))
        else:
            extra = (f" (advice kinds: {', '.join(run.kinds)}; no columns for "
                     f"{', '.join(run.missing_kinds)})" if run.missing_kinds else "")
            out.append(f"  {run.rule.code} {run.rule.name}: runs{extra}")
    sys.stdout.write("\n".join(out) + "\n")
    return EXIT_OK


@app.command()
def caseload(
    files: Files,
    as_of: AsOf = None,
    format: ReportFormat = Format.table,
    output: Output = None,
    staff: Staff = None,
    due_within: Annotated[int, typer.Option("--due-within", min=0, help="Look-ahead window in days for due soon.")] = 28,
    suppress_below: SuppressBelow = None,
    sheet: Sheet = None,
    config: ConfigFile = None,
    debug: Debug = False,
) -> int:
    """Load per caseworker: plans, open assessments, reviews due, cases overdue and due soon."""
    from sendcheck.audit import Options, run_audit
    from sendcheck.config import load_config
    from sendcheck.figures.headline import compute_caseload_for
    from sendcheck.views.csv import caseload_csv
    from sendcheck.views.json import caseload_report_json
    from sendcheck.views.table import caseload_table

    result = run_audit(list(files), Options(as_of=parse_as_of(as_of), due_within=due_within,
                                            sheet=sheet), load_config(config))
    load = compute_caseload_for(result, staff)
    if format is Format.json:
        _emit(caseload_report_json(result, load, suppress_below), output)
    elif format is Format.csv:
        _emit(caseload_csv(load, suppress_below), output)
    elif output is None and _is_terminal():
        caseload_table(load, suppress_below, rich=True)
    else:
        _emit(caseload_table(load, suppress_below, rich=False), output)
    return EXIT_OK


@app.command()
def init(
    file: Annotated[Path, typer.Argument(help="An export file whose headers to map.")],
    output: Output = Path("sendcheck.toml"),
    sheet: Sheet = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> int:
    """Write a starter sendcheck.toml from an export's headers, to edit once and keep."""
    from sendcheck.starter import write_starter

    headers, text = write_starter(file, output, sheet, force)
    to_map = text.count("# a guess: check it") + text.count("# no guess:")
    sys.stdout.write(f"wrote {output}: {len(headers.mapped)} headers recognised, "
                     f"{len(headers.unmapped)} not recognised, {len(headers.unknown_values)} "
                     f"coded columns with unknown values ({to_map} lines to check). Edit it, then "
                     f"run `sendcheck columns {file}`.\n")
    return EXIT_OK


@app.command()
def trend(
    files: Files,
    as_of: AsOf = None,
    months: Annotated[int, typer.Option("--months", min=1, max=120, help="How many months to show.")] = 12,
    format: ReportFormat = Format.table,
    output: Output = None,
    suppress_below: SuppressBelow = None,
    sheet: Sheet = None,
    config: ConfigFile = None,
    debug: Debug = False,
) -> int:
    """The main measures month by month, with a bar chart (table) or as a series (JSON, CSV)."""
    from sendcheck.audit import Options, run_audit
    from sendcheck.config import load_config
    from sendcheck.figures.trend import compute_trend
    from sendcheck.views.trend import trend_csv, trend_json, trend_table

    result = run_audit(list(files), Options(as_of=parse_as_of(as_of), sheet=sheet),
                       load_config(config))
    rows = compute_trend(result, months)
    if format is Format.json:
        _emit(trend_json(result, rows, suppress_below), output)
    elif format is Format.csv:
        _emit(trend_csv(rows, suppress_below), output)
    elif output is None and _is_terminal():
        trend_table(result, rows, suppress_below, rich=True)
    else:
        _emit(trend_table(result, rows, suppress_below, rich=False), output)
    return EXIT_OK


@app.command()
def explain(
    file: Annotated[Path, typer.Argument(help="An export file.")],
    record_id: Annotated[str, typer.Argument(help="The case's record id (or spreadsheet row when the export has none).")],
    as_of: AsOf = None,
    due_within: Annotated[Optional[int], typer.Option("--due-within", min=0, help="Look-ahead window in days for due_soon.")] = None,
    sheet: Sheet = None,
    config: ConfigFile = None,
    include_personal_data: Personal = False,
) -> int:
    """Show one case's timeline: every event date, and each rule's start, due date and status."""
    from sendcheck.audit import Options, run_audit
    from sendcheck.config import load_config
    from sendcheck.views.explain import explain as explain_case

    cfg = load_config(config)
    options = Options(as_of=parse_as_of(as_of),
                      due_within=next(d for d in (due_within, cfg.due_within, 28) if d is not None),
                      sheet=sheet)
    result = run_audit([file], options, cfg)
    sys.stdout.write(explain_case(result, record_id, include_personal_data))
    return EXIT_OK


@app.command()
def synth(
    output: Output,
    episodes: Annotated[int, typer.Option("--episodes", min=1, help="Number of episodes (rows).")] = 3500,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives the same file.")] = 0,
    as_of: AsOf = None,
    encoding: Annotated[str, typer.Option("--encoding", help="CSV encoding: cp1252 (as Windows writes) or utf-8.")] = "cp1252",
    reviews_output: Annotated[Optional[Path], typer.Option("--reviews-output", help="Also write the review history that goes with the export (.csv or .xlsx, one row per review meeting), for audit --reviews.")] = None,
) -> int:
    """Write a synthetic export (never real data): realistic timescales, faults included."""
    from sendcheck.synth import export as generator

    if encoding.lower().replace("-", "") not in ("cp1252", "utf8"):
        raise SendcheckError(f"--encoding: {encoding!r}: give cp1252 or utf-8")
    when = parse_as_of(as_of) if as_of else generator.DEFAULT_AS_OF
    data = generator.generate(episodes, seed, when)
    generator.write(data, output, encoding)
    print(f"sendcheck: wrote {episodes} synthetic episodes to {output} (seed {seed}, as of {when})",
          file=sys.stderr)
    if reviews_output is not None:
        history = generator.review_history(data)
        generator.write(history, reviews_output, encoding)
        print(f"sendcheck: wrote {history.frame.height} review meetings to {reviews_output}",
              file=sys.stderr)
    return EXIT_OK


def main(argv: list[str] | None = None) -> None:
    """Entry point: map every outcome to 0, 1 or 2; a crash is one line and exit 2, never 1."""
    from typer.exceptions import Abort, Exit, TyperException

    args = sys.argv[1:] if argv is None else argv
    try:
        code = app(args=args, standalone_mode=False, prog_name="sendcheck")
    except Exit as exc:
        code = exc.exit_code
    except TyperException as exc:  # usage errors (click's would exit 1 for some); always 2 here
        if type(exc).__name__ == "NoArgsIsHelpError":  # bare `sendcheck`: the help is the answer
            print(exc.format_message(), file=sys.stderr)
            sys.exit(EXIT_ERROR)
        # One line, as every other error (click's own show() prints usage and a hint too).
        ctx = getattr(exc, "ctx", None)
        hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
        print(f"Error: {exc.format_message()}{hint}", file=sys.stderr)
        code = EXIT_ERROR
    except Abort:
        print("Error: interrupted", file=sys.stderr)
        code = EXIT_ERROR
    except SendcheckError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        code = EXIT_ERROR
    except KeyboardInterrupt:
        print("Error: interrupted", file=sys.stderr)
        code = EXIT_ERROR
    except BaseException as exc:  # noqa: BLE001 - the contract: a crash exits 2 with one line
        # BaseException, not Exception: a panic inside polars or fastexcel arrives as pyo3's
        # PanicException, which derives from BaseException (SystemExit and KeyboardInterrupt
        # are handled above or re-raised below).
        if isinstance(exc, (SystemExit, GeneratorExit)):
            raise
        if "--debug" in args:
            import traceback

            traceback.print_exc()
        first = (str(exc).strip().splitlines() or [""])[0]
        print(f"Error: internal error ({type(exc).__name__}: {first}); rerun with --debug "
              f"for the traceback", file=sys.stderr)
        code = EXIT_ERROR
    sys.exit(code if isinstance(code, int) else EXIT_OK)
