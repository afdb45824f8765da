"""The bundled example exports: current with their script, every status of every rule occurs,
and the CSV and the workbook give the same findings."""

from __future__ import annotations

import datetime as dt
import re
import sys
import tomllib
from pathlib import Path

import pytest

from sendcheck.audit import Options, run_audit
from sendcheck.durations import Duration
from sendcheck.engine import STATUSES
from sendcheck.report import to_json_dict

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
AS_OF = dt.date(2025, 3, 31)
DUE_WITHIN = 28
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")


@pytest.fixture(scope="module")
def audits():
    # With the review history: without it only each plan's open review cycle is judged, so
    # RV01, RV05 and TR02 could never be met or late.
    opts = Options(as_of=AS_OF, due_within=DUE_WITHIN, reviews=EXAMPLES / "reviews.csv")
    return {fmt: run_audit([EXAMPLES / f"export.{fmt}"], opts) for fmt in ("xlsx", "csv")}


def _fixed_deadline(rule) -> dt.date | None:
    """For a rule whose limit is a fixed calendar date (phase transfer), that date in the year of
    the transfer it checks (the next September after the as-of date); None for a duration."""
    if isinstance(rule.limit, Duration):
        return None
    raw = tomllib.loads(Path(rule.path).read_text(encoding="utf-8"))["limit"]
    text = str(raw).lower()
    year = AS_OF.year if AS_OF < dt.date(AS_OF.year, 9, 1) else AS_OF.year + 1
    m = re.search(r"(\d{1,2})\s*(" + "|".join(m[:3] for m in _MONTHS) + r")", text)
    if m:
        return dt.date(year, [x[:3] for x in _MONTHS].index(m.group(2)) + 1, int(m.group(1)))
    m = re.search(r"(\d{2})-(\d{2})", text)
    return dt.date(year, int(m.group(1)), int(m.group(2))) if m else None


def possible_statuses(rule) -> set[str]:
    """The statuses a rule can give at all, from its rule file.

    - `early` only in the minimum-gap mode (AS04); that mode has no late/overdue/due_soon.
    - `excepted` only for a rule that allows exceptions.
    - `pending` (not done, not due within the window) cannot happen when the whole limit fits in
      the window: a start after the as-of date is `invalid`, so the due date is at most
      limit days away (RA01's 15 days, RV02's 4 weeks against a 28-day window).
    - For a fixed calendar deadline already past on the as-of date, nothing is still to come.
    """
    out = set(STATUSES)
    if rule.mode == "earliest":
        out -= {"late", "overdue", "due_soon"}
    else:
        out.discard("early")
    if not (rule.exceptions or rule.flag_excepts):
        out.discard("excepted")
    days = rule.limit.days if isinstance(rule.limit, Duration) else None
    if days is not None and days <= DUE_WITHIN and rule.mode != "earliest":
        out.discard("pending")
    deadline = _fixed_deadline(rule)
    if deadline is not None and deadline < AS_OF:
        out -= {"due_soon", "pending"}
    return out


def test_examples_are_current(tmp_path, monkeypatch):
    """examples/ is exactly what make_examples.py writes (the CSV byte for byte; the workbook
    cell for cell, as its zip carries a save time)."""
    from sendcheck.reader import read_export

    sys.path.insert(0, str(EXAMPLES))
    try:
        import make_examples
    finally:
        sys.path.remove(str(EXAMPLES))
    monkeypatch.setattr(make_examples, "HERE", tmp_path)
    make_examples.main()
    assert (tmp_path / "export.csv").read_bytes() == (EXAMPLES / "export.csv").read_bytes()
    fresh, bundled = read_export(tmp_path / "export.xlsx"), read_export(EXAMPLES / "export.xlsx")
    assert fresh.frame.drop("_source").equals(bundled.frame.drop("_source"))


def test_example_is_a_mid_size_authority(audits):
    audit = audits["xlsx"]
    assert audit.rows_read == 3500
    assert audit.tables[0].header_row == 4
    assert audit.episodes.get_column("caseworker").drop_nulls().n_unique() == 14


def test_every_status_of_every_rule_occurs(audits):
    audit = audits["xlsx"]
    seen: dict[str, set[str]] = {}
    for rule, status in audit.results.select("rule", "status").unique().iter_rows():
        seen.setdefault(rule, set()).add(status)
    missing = {}
    for run in audit.runs:
        assert run.skipped is None, f"{run.rule.code} skipped: missing {run.skipped}"
        lack = possible_statuses(run.rule) - seen.get(run.rule.code, set())
        if lack:
            missing[run.rule.code] = sorted(lack)
    assert missing == {}


def test_every_data_quality_check_fires(audits):
    audit = audits["xlsx"]
    fired = set(audit.quality.get_column("check").unique())
    ran = {code for code, skipped in audit.quality_skipped.items() if not skipped}
    # DQ08 (an implausibly high exception share) must stay silent on a plausible authority.
    assert fired == ran - {"DQ08"}


def test_csv_and_xlsx_give_the_same_findings(audits):
    def strip(audit):
        d = to_json_dict(audit, all_statuses=True)
        for f in d["findings"]:
            del f["source"]
        return d["rows"], d["summary"], d["data_quality"], d["findings"]

    xlsx, csv = strip(audits["xlsx"]), strip(audits["csv"])
    assert len(xlsx[3]) > 3500
    assert xlsx == csv
