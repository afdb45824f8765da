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
    due_within_days,
    is_terminal,
    parse_as_of,
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
    from sendcheck.audit import Options, run_audit
    from sendcheck.config import load_config
    from sendcheck.views.explain import explain as explain_case

    cfg = load_config(config, [file])
    options = Options(as_of=parse_as_of(as_of), due_within=due_within_days(due_within, cfg),
                      sheet=sheet, reviews=reviews)
    result = run_audit([file], options, cfg)
    if is_terminal():
        explain_case(result, record_id, include_personal_data, rich=True)
    else:
        sys.stdout.write(explain_case(result, record_id, include_personal_data,
                                      width=plain_width(None)))
    return EXIT_OK
