"""Property tests (hypothesis, bounded): deadline arithmetic against python-dateutil, day-first
parsing, one status per (rule, episode), no row lost or invented, deterministic JSON."""

from __future__ import annotations

import datetime as dt

import polars as pl
from conftest import audit_rows
from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sendcheck.judge.durations import Duration
from sendcheck.judge.engine import STATUSES
from sendcheck.read.dates import parse_date_columns, parse_text
from sendcheck.views.findings import rows_account
from sendcheck.views.json import to_json

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31))
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _oracle(start: dt.date, d: Duration, sign: int) -> dt.date:
    """python-dateutil, independent of polars: weeks and days are calendar days; months are
    calendar months clamped at the month's end (relativedelta does exactly that)."""
    unit = {"w": "weeks", "d": "days", "mo": "months"}[d.unit]
    return start + relativedelta(**{unit: sign * d.n})


@FAST
@given(st.lists(dates, min_size=1, max_size=40), st.integers(1, 99),
       st.sampled_from(["w", "d", "mo"]))
def test_deadline_arithmetic_matches_dateutil(starts, n, unit):
    d = Duration.parse(f"{n}{unit}")
    frame = pl.DataFrame({"s": starts}, schema={"s": pl.Date})
    got = frame.select(d.add(pl.col("s")).alias("add"), d.sub(pl.col("s")).alias("sub"))
    assert got.get_column("add").to_list() == [_oracle(s, d, +1) for s in starts]
    assert got.get_column("sub").to_list() == [_oracle(s, d, -1) for s in starts]


def test_deadline_arithmetic_at_month_ends():
    """The contract's own cases, by hand: 31 Aug + 6 months = 28 Feb (29 in a leap year);
    29 Feb 2024 + 12 months = 28 Feb 2025; 31 Jan 2024 + 1 month = 29 Feb 2024; 20 weeks = 140
    days, so Mon 6 Jan 2025 + 20w = Mon 26 May 2025."""
    cases = [("6mo", dt.date(2024, 8, 31), dt.date(2025, 2, 28)),
             ("6mo", dt.date(2023, 8, 31), dt.date(2024, 2, 29)),
             ("12mo", dt.date(2024, 2, 29), dt.date(2025, 2, 28)),
             ("1mo", dt.date(2024, 1, 31), dt.date(2024, 2, 29)),
             ("20w", dt.date(2025, 1, 6), dt.date(2025, 5, 26)),
             ("15d", dt.date(2025, 5, 1), dt.date(2025, 5, 16))]
    for text, start, due in cases:
        got = pl.select(Duration.parse(text).add(pl.lit(start))).item()
        assert got == due, (text, start)


def _forms(d: dt.date) -> list[str]:
    return [f"{d.day:02d}/{d.month:02d}/{d.year}", f"{d.day}/{d.month}/{d.year}",
            f"{d.day:02d}-{d.month:02d}-{d.year}", f"{d.day:02d}.{d.month:02d}.{d.year}",
            f"{d.day}/{d.month}/{d.year % 100:02d}", f"{d.day} {MONTHS[d.month - 1]} {d.year}",
            f"{d.year}-{d.month:02d}-{d.day:02d}", f"{d.year}-{MONTHS[d.month - 1]}-{d.day:02d} 00:00:00",
            f"{d.year}-{d.month:02d}-{d.day:02d} 00:00:00", f" {d.day:02d}/{d.month:02d}/{d.year} "]


@FAST
@given(st.lists(st.dates(min_value=dt.date(2001, 1, 1), max_value=dt.date(2026, 12, 31)),
                min_size=1, max_size=30))
def test_day_first_never_month_first(days):
    """Every written form of a date reads back as that date, never with day and month swapped
    (dates up to 2026 so the two-digit year is 20yy with a 2027 pivot)."""
    texts = [t for d in days for t in _forms(d)]
    expect = [d for d in days for _ in _forms(d)]
    frame = pl.DataFrame({"c": texts})
    both = parse_date_columns(frame, ["c"], 2027)
    assert both.get_column("c").to_list() == expect
    assert both.get_column("c__err").null_count() == len(texts)
    assert parse_text(frame.get_column("c"), 2027).get_column("date").to_list() == expect


@FAST
@given(st.integers(13, 31), st.integers(1, 12), st.integers(2001, 2030))
def test_impossible_day_first_is_an_error_not_a_swap(day, month, year):
    """31/02, or 13/13: reported as a bad cell, never read month-first as another date."""
    text = f"{month:02d}/{day:02d}/{year}" if day > 12 else f"{day:02d}/{month:02d}/{year}"
    try:
        dt.date(year, int(text[3:5]), int(text[:2]))
        real = True
    except ValueError:
        real = False
    got = parse_date_columns(pl.DataFrame({"c": [text]}), ["c"], 2031).row(0)
    if real:
        assert got[0] == dt.date(year, int(text[3:5]), int(text[:2])) and got[1] is None
    else:
        assert got[0] is None and got[1] is not None


CELL = st.one_of(
    st.none(), st.just(""),
    st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2025, 12, 31)).map(
        lambda d: d.strftime("%d/%m/%Y")),
    st.sampled_from(["TBC", "31/02/2024", "n/a", "45000", "2024-13-01", "  ", "=1+1"]))
ROW = st.fixed_dictionaries({
    "Case Ref": st.sampled_from(["A", "B", "C", "", None]),
    "Date Request Received": CELL, "Date of Decision to Assess": CELL,
    "Decision to Assess": st.sampled_from(["Agreed", "Refused", "Withdrawn", "Maybe", "", None]),
    "EP Advice Requested": CELL, "EP Advice Received": CELL,
    "Decision to Issue": st.sampled_from(["Yes", "No", "", None]),
    "Decision to Issue Date": CELL, "Draft EHCP Issued": CELL, "Final EHCP Issued": CELL,
    "20 Week Exception": st.sampled_from(["Yes", "No", "", None]),
    "Exception Reason": st.sampled_from(["School closure", "Missed appointment", "COVID-19",
                                         "Staff shortage", "", None]),
    "Annual Review Date": CELL, "Date Transferred In": CELL,
})
AS_OF = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2026, 1, 1))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ROW, min_size=1, max_size=25), AS_OF)
def test_one_status_per_rule_and_episode_and_no_row_lost(rows, as_of):
    audit = audit_rows(rows, as_of.isoformat())
    res = audit.results
    # Exactly one status per (rule, advice kind, episode), and a known status.
    per_pair = res.group_by("rule", "kind", "_idx").len()
    assert per_pair.get_column("len").max() == 1
    expected_pairs = sum(max(len(run.kinds), 1) for run in audit.runs if run.skipped is None)
    assert res.height == expected_pairs * audit.episodes.height
    assert set(res.get_column("status").unique()) <= set(STATUSES)
    # Rows in = rows accounted for: every non-blank row evaluated, blank rows counted apart.
    acc = rows_account(audit)
    assert acc["read"] == len(rows)
    assert acc["read"] == acc["evaluated"] + acc["rejected"]
    blank = sum(all(v is None or str(v).strip() == "" for v in r.values()) for r in rows)
    assert acc["rejected"] == blank


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ROW, min_size=1, max_size=20), AS_OF)
def test_same_input_same_json_bytes(rows, as_of):
    first = to_json(audit_rows(rows, as_of.isoformat()), all_statuses=True)
    again = to_json(audit_rows(rows, as_of.isoformat()), all_statuses=True)
    assert first.encode() == again.encode()


def test_property_tests_are_seeded_on_ci():
    """On CI (CI set) hypothesis draws the same examples every run (tests/conftest.py)."""
    from hypothesis import settings

    assert settings.get_profile("ci").derandomize is True
    assert settings.get_profile("ci").database is None
