"""`sendcheck columns`: show which headers map to which columns, and which rules can run."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from sendcheck.cli.options import EXIT_OK, ConfigFile, Sheet

EXAMPLE = """Examples:

\b
  sendcheck columns export.xlsx --sheet "EHC Tracker"
"""


def columns(
    file: Annotated[Path, typer.Argument(help="An export file.")],
    sheet: Sheet = None,
    config: ConfigFile = None,
) -> int:
    """Show which headers map to which columns, and which rules can run."""
    from sendcheck.config import load_config
    from sendcheck.judge.engine import plan_runs
    from sendcheck.judge.rulebook import load_rules
    from sendcheck.read.export import read_export
    from sendcheck.read.kind import seems_to_be, why_unread
    from sendcheck.read.sen2 import ModuleTable
    from sendcheck.starter import guess_column
    from sendcheck.views.files import display_name, one_line

    cfg = load_config(config, [file])
    table = read_export(file, sheet=sheet, config_columns=cfg.columns)
    out = [f"{display_name(table.path)}: header on row {table.header_row}, {table.rows} rows"
           + (f", sheet {table.sheet!r}" if table.sheet else "")
           + (f", {table.encoding}, delimiter {table.delimiter!r}" if table.encoding else ""),
           *(one_line(f"note: {note}") for note in table.notes), "", "Mapped columns:"]
    out += [f"  {header!r:45} -> {canonical}" for canonical, header in table.mapping.items()]
    out += ["", "Headers not used (map one in sendcheck.toml [columns] if it holds a column):"]
    taken = set(table.mapping)
    for header in table.unmapped:
        # The same guess `sendcheck init` writes, so the two never disagree.
        # Only a guess the words support; never used without the user's word.
        column = guess_column(header, taken)
        known = why_unread(header)
        hint = (f"  probably {column}" if column else f"  ({known})" if known
                else "  (no column near it)")
        out.append(f"  {header!r}{hint}")
    if not table.unmapped:
        out.append("  (none)")
    out += ["", "Rules:"]
    # A module file alone names its fields by SEN2's items: its mapping says what it holds.
    runs = plan_runs(load_rules(), set(table.frame.columns) | set(table.mapping))
    for run in runs:
        if run.skipped:
            out.append(f"  {run.rule.code} {run.rule.name}: cannot run, missing "
                       + ", ".join(run.skipped))
        else:
            extra = (f" (advice kinds: {', '.join(run.kinds)}; no columns for "
                     f"{', '.join(run.missing_kinds)})" if run.missing_kinds else "")
            out.append(f"  {run.rule.code} {run.rule.name}: runs{extra}")
    # As `audit` says when it stops (exit 2); a module file alone is one of a set (its note).
    if all(run.skipped for run in runs) and not isinstance(table, ModuleTable):
        seems = seems_to_be([*table.mapping.values(), *table.unmapped])
        out += ["", f"No timescale rule can run on this file: it seems to be {seems}."]
    sys.stdout.write("\n".join(out) + "\n")
    return EXIT_OK
