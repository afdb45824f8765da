"""`sendcheck history`: the runs kept in a run history, with their counts, and overdue and due
soon over time."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from sendcheck.cli.options import EXIT_OK, Output, check_output, chosen_format, emit

EXAMPLE = """Examples:

\b
  sendcheck history history.sqlite
  sendcheck history history.sqlite --format csv --output runs.csv
"""


class HistoryFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


def history(
    path: Annotated[Path, typer.Argument(help="A history file written by `sendcheck audit --history`.")],
    format: Annotated[Optional[HistoryFormat], typer.Option("--format", help="Report format (default: from --output's suffix, .xlsx .json .csv, else table).", show_default=False)] = None,
    output: Output = None,
) -> int:
    """List the runs in a history with their counts, and chart overdue and due soon over time."""
    from sendcheck.history.store import history_errors, list_runs, open_history
    from sendcheck.views import history as view

    format = chosen_format(format, output, HistoryFormat)
    check_output(output, history=path)
    conn = open_history(path, create=False)
    try:
        with history_errors(path):
            runs = list_runs(conn)
    finally:
        conn.close()
    if format is HistoryFormat.json:
        emit(view.history_json(runs, str(path)), output)
    elif format is HistoryFormat.csv:
        emit(view.history_csv(runs), output)
    elif format is HistoryFormat.xlsx:
        emit(view.history_xlsx(runs), output)
    else:
        emit(view.history_text(runs, str(path)), output)
    return EXIT_OK
