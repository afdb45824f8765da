"""Shared helpers: audit rows in memory, and run the CLI in-process with exact exit codes."""

from __future__ import annotations

import datetime as dt
import io
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests are bounded by count (each test's max_examples) and by seed on every machine,
# not only on CI: the same examples every run, so a red build is reproducible and never a roll
# of the dice.
settings.register_profile("fixed", derandomize=True, database=None, print_blob=True)
settings.load_profile("fixed")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def with_rule_columns(rows: list[dict], codes: list[str]) -> list[dict]:
    """Add, blank, the columns the selected rules read that the rows do not mention, so a case
    that leaves an event out tests "not yet done" rather than "column missing"."""
    from sendcheck.columns import ALIASES, normalise_header
    from sendcheck.judge.rulebook import load_rules

    have = {ALIASES.get(normalise_header(h)) for r in rows for h in r}
    extra = {}
    for rule in load_rules():
        if rule.code in codes:
            for kind in rule.kinds or (None,):
                for col in rule.reads(kind):
                    if col not in have:
                        extra[col] = ""
    return [{**r, **extra} for r in rows]


def audit_rows(rows: list[dict], as_of: str, reviews: list[dict] | None = None, **options):
    """Audit rows in memory; `reviews` are review-history rows (--reviews), when given."""
    from sendcheck.audit import Options, audit_tables
    from sendcheck.read.sheets import table_from_rows

    opts = Options(as_of=dt.date.fromisoformat(as_of), **options)
    if opts.select:
        rows = with_rule_columns(rows, opts.select)
    history = table_from_rows(reviews) if reviews else None
    return audit_tables([table_from_rows(rows)], opts, reviews=history)


class Run:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err


def run_cli(*args: str) -> Run:
    from sendcheck.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            # as the interpreter does: None is 0, an int is itself, anything else is 1
            code = 0 if exc.code is None else exc.code if isinstance(exc.code, int) else 1
        else:  # main always exits
            code = -1
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def root() -> Path:
    return ROOT


def pytest_configure(config):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
