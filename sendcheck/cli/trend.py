"""`sendcheck trend`: the main measures month by month, with a bar chart (table) or as a series
(JSON, CSV)."""

from __future__ import annotations

from typing import Annotated

import typer

from sendcheck.cli.options import (
    EXIT_OK,
    AsOf,
    By,
    ConfigFile,
    Debug,
    Files,
    Format,
    Output,
    TableFormat,
    Reviews,
    Sheet,
    SuppressBelow,
    ViewFormat,
    audit_for,
    chosen_format,
    emit,
    is_terminal,
    plain_width,
    to_stdout,
)

from sendcheck.errors import SendcheckError

EXAMPLE = """Examples:

\b
  sendcheck trend export.xlsx --months 24
  sendcheck trend export.csv --format csv --output trend.csv
"""


def trend(
    files: Files,
    as_of: AsOf = None,
    months: Annotated[int, typer.Option("--months", min=1, max=120, help="How many months to show.")] = 12,
    format: TableFormat = None,
    output: Output = None,
    suppress_below: SuppressBelow = None,
    sheet: Sheet = None,
    reviews: Reviews = None,
    config: ConfigFile = None,
    debug: Debug = False,
    by: By = None,
) -> int:
    """The main measures month by month, with a bar chart (table) or as a series (JSON, CSV)."""
    from sendcheck.figures.trend import compute_trend
    from sendcheck.views.trend import trend_csv, trend_json, trend_table

    from sendcheck.figures.breakdowns import parse_by

    format = Format(chosen_format(format, output, ViewFormat).value)
    dims = parse_by(by)
    if dims and format in (Format.xlsx, Format.markdown):
        raise SendcheckError("trend --by: give --format table, json or csv (the audit's "
                             "workbook and markdown carry the breakdowns: audit --by)")
    result = audit_for(files, as_of, config, sheet=sheet, reviews=reviews, output=output)
    rows = compute_trend(result, months)
    by_data = None
    if dims:
        from sendcheck.figures.breakdowns import trend_by
        from sendcheck.views.trend import series_shown

        by_data = [trend_by(result, d, months) for d in dims]
        for b in by_data:
            b["groups"] = {g: series_shown(r, suppress_below) for g, r in b["groups"].items()}
    if format is Format.json:
        emit(trend_json(result, rows, suppress_below, by_data), output)
    elif format is Format.csv:
        from sendcheck.views.breakdowns import trend_by_rows

        emit(trend_csv(trend_by_rows(by_data) if by_data else rows, suppress_below), output)
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
        trend_table(result, rows, suppress_below, rich=True, by=by_data)
    else:
        emit(trend_table(result, rows, suppress_below, rich=False, width=plain_width(output),
                         by=by_data), output)
    return EXIT_OK
