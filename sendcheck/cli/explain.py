"""`sendcheck explain`: show one case's timeline: every event date, and each rule's start, due date
and status."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from sendcheck.cli.options import (
    EXIT_OK,
    AsOf,
    ConfigFile,
    DueWithin,
    Personal,
    Reviews,
    Sheet,
    audit_for,
    is_terminal,
    plain_width,
)

EXAMPLE = """Examples:

\b
  sendcheck explain export.xlsx EHC-0001042 --as-of 2025-03-31
"""


def explain(
    file: Annotated[Path, typer.Argument(help="An export file.")],
    record_id: Annotated[str, typer.Argument(help="The case's record id (or spreadsheet row when the export has none), or a person id: every episode of that person is shown.")],
    as_of: AsOf = None,
    due_within: DueWithin = None,
    sheet: Sheet = None,
    reviews: Reviews = None,
    config: ConfigFile = None,
    include_personal_data: Personal = False,
) -> int:
    """Show one case's timeline: every event date, and each rule's start, due date and status."""
    from sendcheck.views.explain import explain as explain_case

    result = audit_for([file], as_of, config, sheet=sheet, reviews=reviews,
                       due_within=due_within)
    if is_terminal():
        explain_case(result, record_id, include_personal_data, rich=True)
    else:
        sys.stdout.write(explain_case(result, record_id, include_personal_data,
                                      width=plain_width(None)))
    return EXIT_OK
