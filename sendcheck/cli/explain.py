"""`sendcheck explain`: show one case's timeline: every event date, and each rule's start, due date
and status."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from sendcheck.cli.options import EXIT_OK, AsOf, ConfigFile, Personal, Sheet, parse_as_of

EXAMPLE = """Examples:

\b
  sendcheck explain export.xlsx EHC-0001042 --as-of 2025-03-31
"""


def explain(
    file: Annotated[Path, typer.Argument(help="An export file.")],
    record_id: Annotated[str, typer.Argument(help="The case's record id (or spreadsheet row when the export has none), or a person id: every episode of that person is shown.")],
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

    cfg = load_config(config, [file])
    options = Options(as_of=parse_as_of(as_of),
                      due_within=next(d for d in (due_within, cfg.due_within, 28) if d is not None),
                      sheet=sheet)
    result = run_audit([file], options, cfg)
    sys.stdout.write(explain_case(result, record_id, include_personal_data))
    return EXIT_OK
