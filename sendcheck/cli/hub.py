"""`sendcheck hub`: many authorities' run datasets side by side (a consortium's view)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from sendcheck.cli.options import (
    EXIT_OK,
    Debug,
    Format,
    Output,
    SuppressBelow,
    check_output,
    chosen_format,
    emit,
    is_terminal,
    parse_as_of,
    to_stdout,
)


class HubFormat(str, Enum):
    """The hub's formats: no CSV (one table would not hold the months) and no dataset."""

    table = "table"
    json = "json"
    xlsx = "xlsx"
    html = "html"
    markdown = "markdown"

EXAMPLE = """Examples:

\b
  sendcheck hub datasets/
  sendcheck hub london/ south-east/ --as-of 2025-03-31 --format xlsx --output hub.xlsx
"""


def hub(
    folders: Annotated[list[Path], typer.Argument(help="Folders of run datasets (written by `sendcheck audit --format parquet`), one per authority or one for many.", metavar="FOLDER")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Each authority's latest run on or before this date, YYYY-MM-DD or dd/mm/yyyy (default: the newest run found); older ones are marked stale.")] = None,
    format: Annotated[HubFormat | None, typer.Option("--format", help="Report format (default: from --output's suffix, .xlsx .json .md .html, else table).", show_default=False)] = None,
    output: Output = None,
    suppress_below: SuppressBelow = None,
    debug: Debug = False,
) -> int:
    """Many authorities side by side from their run datasets: cases overdue and due soon per
    1,000 plans, the 20-week figure, reviews, phase transfers and Tribunal orders, each beside
    DfE's published figure."""
    from sendcheck.hub.compare import compare
    from sendcheck.hub.scan import find_partitions
    from sendcheck.views import hub as view

    format = Format(chosen_format(format, output, HubFormat).value)
    check_output(output, list(folders))
    parts = find_partitions(list(folders))
    result = compare(parts, parse_as_of(as_of), suppress_below)
    if format is Format.json:
        emit(view.to_json(result), output)
    elif format is Format.markdown:
        emit(view.to_markdown(result), output)
    elif format is Format.html:
        emit(view.to_html(result), output)
    elif format is Format.xlsx:
        emit(view.to_xlsx(result), output)
    elif to_stdout(output) and is_terminal():
        view.to_text(result, rich=True)
    else:
        emit(view.to_text(result), output)
    return EXIT_OK

