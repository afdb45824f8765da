"""`sendcheck caseload`: load per caseworker: plans, open assessments, reviews due, cases overdue
and due soon."""

from __future__ import annotations

from sendcheck.cli.options import (
    EXIT_OK,
    AsOf,
    ConfigFile,
    Debug,
    DueWithin,
    Files,
    Format,
    Output,
    TableFormat,
    Reviews,
    Sheet,
    Staff,
    SuppressBelow,
    ViewFormat,
    audit_for,
    chosen_format,
    emit,
    is_terminal,
    plain_width,
    to_stdout,
)

EXAMPLE = """Examples:

\b
  sendcheck caseload export.xlsx --reviews reviews.csv --staff staff.csv
  sendcheck caseload export.csv --format csv --output caseload.csv
"""


def caseload(
    files: Files,
    as_of: AsOf = None,
    format: TableFormat = None,
    output: Output = None,
    staff: Staff = None,
    due_within: DueWithin = None,
    reviews: Reviews = None,
    suppress_below: SuppressBelow = None,
    sheet: Sheet = None,
    config: ConfigFile = None,
    debug: Debug = False,
) -> int:
    """Load per caseworker: plans, open assessments, reviews due, cases overdue and due soon."""
    from sendcheck.figures.headline import compute_caseload_for, suppressed_caseload
    from sendcheck.views.csv import caseload_csv
    from sendcheck.views.json import caseload_report_json
    from sendcheck.views.table import caseload_table

    format = Format(chosen_format(format, output, ViewFormat).value)
    result = audit_for(files, as_of, config, sheet=sheet, reviews=reviews,
                       due_within=due_within, output=output, staff=staff)
    load = compute_caseload_for(result, staff)
    if format is Format.json:
        emit(caseload_report_json(result, load, suppress_below), output)
    elif format is Format.csv:
        emit(caseload_csv(load, suppress_below), output)
    elif format is Format.xlsx:
        from sendcheck.views.workbook import caseload_xlsx

        emit(caseload_xlsx(load.as_of, suppressed_caseload(load, suppress_below)), output)
    elif format is Format.markdown:
        from sendcheck.views.markdown import caseload_markdown

        emit(caseload_markdown(suppressed_caseload(load, suppress_below)), output)
    elif to_stdout(output) and is_terminal():
        caseload_table(load, suppress_below, rich=True)
    else:
        emit(caseload_table(load, suppress_below, rich=False, width=plain_width(output)), output)
    return EXIT_OK
