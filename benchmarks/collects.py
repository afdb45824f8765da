"""Count the polars queries one `sendcheck` command runs (the fixed cost a small file pays).

Every polars query ends in `LazyFrame.collect` or `polars.collect_all` (the lazy ones the code
builds) or in `LazyFrame._collect_eager` (each eager DataFrame operation: filter, join,
with_columns, ..., which polars 2 runs as a one-step lazy query). All three are counted by
wrapping them; `collect_all` counts once per call (one run, however many frames it returns).

    python benchmarks/collects.py audit examples/export.xlsx --as-of 2025-03-31 --fail-on none
"""

from __future__ import annotations

import sys
from collections import Counter

import polars as pl

COUNT: Counter[str] = Counter()


def _wrap(owner: object, name: str) -> None:
    real = getattr(owner, name)

    def counted(*args: object, **kwargs: object) -> object:
        COUNT[name] += 1
        return real(*args, **kwargs)

    setattr(owner, name, counted)


def main() -> None:
    _wrap(pl.LazyFrame, "collect")
    _wrap(pl.LazyFrame, "_collect_eager")
    _wrap(pl, "collect_all")
    from sendcheck.cli import main as cli

    sys.argv = ["sendcheck", *sys.argv[1:]]
    try:
        cli()
    except SystemExit:
        pass
    finally:
        print(f"collects: {sum(COUNT.values())} ({dict(COUNT)})", file=sys.stderr)


if __name__ == "__main__":
    main()
