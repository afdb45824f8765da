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
    from sendcheck.starter import suggest_column
    from sendcheck.views.files import display_name

    cfg = load_config(config, [file])
    table = read_export(file, sheet=sheet, config_columns=cfg.columns)
    out = [f"{display_name(table.path)}: header on row {table.header_row}, {table.rows} rows"
           + (f", sheet {table.sheet!r}" if table.sheet else "")
           + (f", {table.encoding}, delimiter {table.delimiter!r}" if table.encoding else ""), "",
           "Mapped columns:"]
    out += [f"  {header!r:45} -> {canonical}" for canonical, header in table.mapping.items()]
    out += ["", "Headers not used (map one in sendcheck.toml [columns] if it holds a column):"]
    taken = set(table.mapping)
    for header in table.unmapped:
        # The same guess `sendcheck init` writes, so the two never disagree.
        column, close = suggest_column(header, taken)
        hint = ("  (no column near it)" if column is None else
                f"  probably {column}" if close else f"  nearest: {column}?")
        out.append(f"  {header!r}{hint}")
    if not table.unmapped:
        out.append("  (none)")
    out += ["", "Rules:"]
    for run in plan_runs(load_rules(), set(table.frame.columns)):
        if run.skipped:
            out.append(f"  {run.rule.code} {run.rule.name}: cannot run, missing "
                       + ", ".join(run.skipped))
        else:
            extra = (f" (advice kinds: {', '.join(run.kinds)}; no columns for "
                     f"{', '.join(run.missing_kinds)})" if run.missing_kinds else "")
            out.append(f"  {run.rule.code} {run.rule.name}: runs{extra}")
    sys.stdout.write("\n".join(out) + "\n")
    return EXIT_OK
