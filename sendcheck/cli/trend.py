"""`sendcheck trend`: the main measures month by month, with a bar chart (table) or as a series
(JSON, CSV)."""

from __future__ import annotations

from typing import Annotated

import typer

from sendcheck.cli.options import (
    EXIT_OK,
    AsOf,
    ConfigFile,
    Debug,
    Files,
    Format,
    Output,
    ReportFormat,
    Reviews,
    Sheet,
    SuppressBelow,
    check_output,
    emit,
    is_terminal,
    need_output,
    parse_as_of,
    plain_width,
    refuse_html,
    to_stdout,
)

EXAMPLE = """Examples:

\b
  sendcheck trend export.xlsx --months 24
  sendcheck trend export.csv --format csv --output trend.csv
"""


def trend(
    files: Files,
    as_of: AsOf = None,
    months: Annotated[int, typer.Option("--months", min=1, max=120, help="How many months to show.")] = 12,
    format: ReportFormat = Format.table,
    output: Output = None,
    suppress_below: SuppressBelow = None,
    sheet: Sheet = None,
    reviews: Reviews = None,
    config: ConfigFile = None,
    debug: Debug = False,
) -> int:
    """The main measures month by month, with a bar chart (table) or as a series (JSON, CSV)."""
    from sendcheck.audit import Options, run_audit
    from sendcheck.config import load_config
    from sendcheck.figures.trend import compute_trend
    from sendcheck.views.trend import trend_csv, trend_json, trend_table

    refuse_html(format, "trend")
    need_output(format, output)
    cfg = load_config(config, list(files))
    check_output(output, files, cfg.path, reviews=reviews)
    result = run_audit(list(files), Options(as_of=parse_as_of(as_of), sheet=sheet,
                                            reviews=reviews), cfg)
    rows = compute_trend(result, months)
    if format is Format.json:
        emit(trend_json(result, rows, suppress_below), output)
    elif format is Format.csv:
        emit(trend_csv(rows, suppress_below), output)
    elif format in (Format.xlsx, Format.markdown):
        from sendcheck.figures.trend import FIELDS
        from sendcheck.views.trend import series_shown

        shown = series_shown(rows, suppress_below)
        if format is Format.xlsx:
            from sendcheck.views.workbook import trend_xlsx

            emit(trend_xlsx(result.options.as_of, shown, FIELDS), output)
        else:
            from sendcheck.views.markdown import trend_markdown

            emit(trend_markdown(result.options.as_of, shown, FIELDS), output)
    elif to_stdout(output) and is_terminal():
        trend_table(result, rows, suppress_below, rich=True)
    else:
        emit(trend_table(result, rows, suppress_below, rich=False, width=plain_width(output)),
             output)
    return EXIT_OK
