"""`sendcheck figures`: DfE's published figures shipped with sendcheck: show an authority's, or
refresh them from the next release's CSVs (validated, never edited by hand)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from sendcheck.cli.options import EXIT_OK

EXAMPLE = """Examples:

\b
  sendcheck figures show 941                 (West Northamptonshire's published figures)
  sendcheck figures update ~/Downloads/ehcp_2027/data
"""

app = typer.Typer(help="DfE's published figures shipped with sendcheck: show, update.",
                  no_args_is_help=True, rich_markup_mode=None)


@app.command("update", epilog=EXAMPLE)
def update(
    folder: Annotated[Path, typer.Argument(help="A folder with DfE's timeliness_20_week.csv and phase_transfers.csv (and, when they change, la_lookup.csv and statistical_neighbours.csv).")],
    into: Annotated[Optional[Path], typer.Option("--into", help="Write the files here instead of into the installed package.")] = None,
) -> int:
    """Install the next release's figures, after checking their columns, codes and symbols."""
    from sendcheck.errors import SendcheckError
    from sendcheck.figures.dfe_update import shipped_folder, update as install

    if not folder.is_dir():
        raise SendcheckError(f"{folder}: not a folder (give the folder holding DfE's CSVs)")
    lines = install(folder, into)
    sys.stdout.write(f"installed DfE's figures into {into or shipped_folder()}:\n"
                     + "".join(f"  {line}\n" for line in lines))
    return EXIT_OK


@app.command("show", epilog=EXAMPLE)
def show(
    authority: Annotated[str, typer.Argument(help="An authority's old or new code, or its name.")],
) -> int:
    """An authority's published 20-week figure and phase transfers beside its region, England and
    its statistical neighbours."""
    from sendcheck.errors import SendcheckError
    from sendcheck.figures.benchmark import compare
    from sendcheck.figures.published import UnknownAuthority
    from sendcheck.figures.published import authority as find
    from sendcheck.views.benchmark import benchmark_lines

    try:
        found = find(authority)
    except UnknownAuthority as exc:
        raise SendcheckError(str(exc)) from None
    sys.stdout.write("\n".join(benchmark_lines(compare(found, None, None))) + "\n")
    return EXIT_OK
