"""`sendcheck init`: write a starter sendcheck.toml from an export's headers, to edit once and
keep."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from sendcheck.cli.options import EXIT_OK, Output, Sheet, check_output

EXAMPLE = """Examples:

\b
  sendcheck init export.xlsx                 (writes ./sendcheck.toml)
  sendcheck init export.csv --output team.toml --force
"""


def init(
    file: Annotated[Path, typer.Argument(help="An export file whose headers to map.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the starter configuration (its folder must exist).")] = Path("sendcheck.toml"),
    sheet: Sheet = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> int:
    """Write a starter sendcheck.toml from an export's headers, to edit once and keep."""
    from sendcheck.starter import write_starter

    check_output(output, [file])

    headers, text = write_starter(file, output, sheet, force)
    # One line to check per header not recognised and per unknown value of a coded column.
    to_map = len(headers.unmapped) + sum(len(v) for v in headers.unknown_values.values())
    sys.stdout.write(f"wrote {output}: {len(headers.mapped):,} headers recognised, "
                     f"{len(headers.unmapped):,} not recognised, {len(headers.unknown_values):,} "
                     f"coded columns with unknown values ({to_map:,} "
                     f"{'line' if to_map == 1 else 'lines'} to check). Edit it, then "
                     f"run `sendcheck columns {file}`.\n")
    from sendcheck.views.dataset import KEY_FILE, make_key

    key = output.parent / KEY_FILE
    if make_key(key):  # an existing key is kept: a new one would break the ids' linkage
        sys.stdout.write(f"wrote {key}: the key that pseudonymises ids in a run's dataset "
                         f"(audit --format parquet); keep it here, never share it.\n")
    return EXIT_OK
