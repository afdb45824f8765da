"""`sendcheck synth`: write a synthetic export (never real data): realistic timescales, faults
included."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from sendcheck.cli.options import EXIT_OK, AsOf, Output, check_output, parse_as_of
from sendcheck.errors import SendcheckError

EXAMPLE = """Examples:

\b
  sendcheck synth --episodes 3500 --seed 1 --output synth.xlsx --reviews-output synth-reviews.csv
"""


def synth(
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="The synthetic export to write: .csv or .xlsx.", show_default=False)] = None,
    episodes: Annotated[int, typer.Option("--episodes", min=1, help="Number of episodes (rows).")] = 3500,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives the same file.")] = 0,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="The date the synthetic cases are as of (default 31/03/2025, so a seed gives the same file on any day).", show_default=False)] = None,
    encoding: Annotated[str, typer.Option("--encoding", help="CSV encoding: cp1252 (as Windows writes) or utf-8.")] = "cp1252",
    reviews_output: Annotated[Optional[Path], typer.Option("--reviews-output", help="Also write the review history that goes with the export (.csv or .xlsx, one row per review meeting), for audit --reviews.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace files that already exist.")] = False,
) -> int:
    """Write a synthetic export (never real data): realistic timescales, faults included."""
    from sendcheck.synth import export as generator

    if encoding.lower().replace("-", "") not in ("cp1252", "utf8"):
        raise SendcheckError(f"--encoding: {encoding!r}: give cp1252 or utf-8")
    if output is None:
        raise SendcheckError("synth writes a file: give --output FILE.csv or FILE.xlsx")
    existing = [str(p) for p in (output, reviews_output) if p is not None and p.exists()]
    if existing and not force:
        raise SendcheckError(f"{', '.join(existing)} already exists: give --force to replace it")
    if reviews_output is not None:
        check_output(reviews_output, [output])
    when = parse_as_of(as_of) or generator.DEFAULT_AS_OF
    data = generator.generate(episodes, seed, when)
    generator.write(data, output, encoding)
    print(f"sendcheck: wrote {episodes:,} synthetic episodes to {output} (seed {seed}, as of {when})",
          file=sys.stderr)
    if reviews_output is not None:
        history = generator.review_history(data)
        generator.write(history, reviews_output, encoding)
        print(f"sendcheck: wrote {history.frame.height:,} review meetings to {reviews_output}",
              file=sys.stderr)
    return EXIT_OK
