"""Month arithmetic and fixed-day limits (sendcheck.durations), the one implementation every
rule uses. Expected dates are calendar facts worked by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sendcheck.judge.durations import Duration, FixedDay, parse_limit

D = dt.date


def _add(limit, start: dt.date) -> dt.date:
    return pl.select(limit.add(pl.lit(start))).item()


@pytest.mark.parametrize("start,limit,expected", [
    (D(2024, 2, 29), "12mo", D(2025, 2, 28)),   # no 29 February in 2025: clamped
    (D(2024, 2, 29), "48mo", D(2028, 2, 29)),   # a leap year again
    (D(2024, 8, 31), "6mo", D(2025, 2, 28)),    # 31 Aug + 6 months = end of February
    (D(2023, 8, 31), "6mo", D(2024, 2, 29)),    # ... 29th in a leap year
    (D(2024, 1, 31), "1mo", D(2024, 2, 29)),
    (D(2024, 3, 31), "3mo", D(2024, 6, 30)),    # June has 30 days
    (D(2024, 11, 30), "3mo", D(2025, 2, 28)),
    (D(2024, 12, 31), "12mo", D(2025, 12, 31)),
    (D(2025, 1, 6), "20w", D(2025, 5, 26)),     # the contract's example
    (D(2024, 2, 14), "15d", D(2024, 2, 29)),
    (D(2023, 11, 22), "14w", D(2024, 2, 28)),
])
def test_duration_add(start, limit, expected):
    assert _add(Duration.parse(limit), start) == expected


def test_duration_sub_mirrors_add_at_month_end():
    assert pl.select(Duration.parse("12mo").sub(pl.lit(D(2025, 2, 28)))).item() == D(2024, 2, 28)
    assert pl.select(Duration.parse("6mo").sub(pl.lit(D(2024, 8, 31)))).item() == D(2024, 2, 29)


@pytest.mark.parametrize("start,limit,expected", [
    (D(2025, 9, 1), "14 Feb", D(2026, 2, 14)),   # PT01: start 1 Sep, due the next 14 February
    (D(2025, 9, 1), "30 Mar", D(2026, 3, 30)),   # PT02
    (D(2026, 2, 14), "14 Feb", D(2026, 2, 14)),  # on the day itself
    (D(2026, 2, 15), "14 Feb", D(2027, 2, 14)),
    (D(2023, 9, 1), "14 Feb", D(2024, 2, 14)),   # a leap year changes nothing here
])
def test_fixed_day(start, limit, expected):
    assert _add(parse_limit(limit), start) == expected


def test_working_days_looking_back_into_the_year_before_the_data():
    # 5 working days before Fri 2 Jan 2026, the data's dates all in 2026: Wed 31, Tue 30,
    # Mon 29 Dec, then (Boxing Day Fri 26 and Christmas Thu 25 skipped) Wed 24, Tue 23 Dec 2025.
    back = Duration(5, "wd").sub(pl.lit(D(2026, 1, 2)), range(2026, 2027))
    assert pl.select(back).item() == D(2025, 12, 23)


def test_limit_labels():
    assert parse_limit("14 Feb").label == "14 February"
    assert str(parse_limit("30 mar")) == "30 Mar"
    assert parse_limit("12mo").label == "12-month"
    assert isinstance(parse_limit("6w"), Duration) and isinstance(parse_limit("14 Feb"), FixedDay)


@pytest.mark.parametrize("bad", ["29 Feb", "31 Apr", "0 Jan", "14 Fbr", "14 February", "0w", "12y"])
def test_bad_limits_are_refused(bad):
    with pytest.raises(ValueError):
        parse_limit(bad)


@given(st.dates(min_value=D(1990, 1, 1), max_value=D(2090, 12, 31)), st.integers(1, 60))
def test_months_are_the_anniversary_clamped_to_month_end(start, n):
    got = _add(Duration(n, "mo"), start)
    months = start.year * 12 + start.month - 1 + n
    year, month = divmod(months, 12)
    last = (D(year + (month == 11), (month + 1) % 12 + 1, 1) - dt.timedelta(days=1)).day
    assert got == D(year, month + 1, min(start.day, last))


# Working days: Monday-Friday less England's bank holidays (calendars read by hand).
@pytest.mark.parametrize("start,limit,expected", [
    # Easter 2025: Good Friday 18 Apr, Easter Monday 21 Apr. Thu 17 + 3: Tue 22, Wed 23, Thu 24.
    (D(2025, 4, 17), "3wd", D(2025, 4, 24)),
    (D(2025, 4, 19), "3wd", D(2025, 4, 24)),    # from a Saturday: the same three days
    (D(2025, 4, 21), "3wd", D(2025, 4, 24)),    # from Easter Monday itself
    # August bank holiday Mon 25 Aug 2025. Fri 22 + 5: Tue 26 .. Fri 29, Mon 1 Sep.
    (D(2025, 8, 22), "5wd", D(2025, 9, 1)),
    # No holiday: Mon 3 Mar 2025 + 5 = Mon 10 Mar.
    (D(2025, 3, 3), "5wd", D(2025, 3, 10)),
    # Christmas 2026: Fri 25 Dec, Boxing Day Sat 26 -> substitute Mon 28 Dec. Thu 24 + 3:
    # Tue 29, Wed 30, Thu 31 Dec.
    (D(2026, 12, 24), "3wd", D(2026, 12, 31)),
    # The late May bank holiday moved to Fri 3 Jun 2022 (Jubilee), Thu 2 Jun was added: Wed 1 + 1
    # is Mon 6 Jun.
    (D(2022, 6, 1), "1wd", D(2022, 6, 6)),
])
def test_working_days(start, limit, expected):
    assert _add(parse_limit(limit), start) == expected


def test_working_days_looking_back_into_the_year_before_the_data():
    # 5 working days before Fri 2 Jan 2026, the data's dates all in 2026: Wed 31, Tue 30,
    # Mon 29 Dec, then (Boxing Day Fri 26 and Christmas Thu 25 skipped) Wed 24, Tue 23 Dec 2025.
    back = Duration(5, "wd").sub(pl.lit(D(2026, 1, 2)), range(2026, 2027))
    assert pl.select(back).item() == D(2025, 12, 23)


def test_working_days_look_back_and_labels():
    # 3 working days before Tue 22 Apr 2025: Thu 17 (Mon 21 and Fri 18 are holidays), Wed 16, Tue 15.
    assert pl.select(Duration(3, "wd").sub(pl.lit(D(2025, 4, 22)))).item() == D(2025, 4, 15)
    assert Duration.parse("3wd").label == "3-working-day"
    assert Duration.parse("0d").label == "immediate"
    with pytest.raises(ValueError):
        Duration.parse("0w")


@pytest.mark.parametrize("start,limit,expected", [
    # The data's dates all in 2025. Fri 19 Dec 2025 + 5 counts past Christmas
    # (Thu 25), Boxing Day (Fri 26) and New Year's Day 2026 (Thu 1 Jan): Mon 22, Tue 23, Wed 24,
    # Mon 29, Tue 30 Dec.
    (D(2025, 12, 19), "5wd", D(2025, 12, 30)),
    # Mon 29 Dec 2025 + 3: Tue 30, Wed 31, then Fri 2 Jan 2026 (New Year's Day skipped).
    (D(2025, 12, 29), "3wd", D(2026, 1, 2)),
])
def test_working_days_with_the_years_of_the_data(start, limit, expected):
    # The holidays listed are the data's years' (plus what the limit can reach): the same dates.
    assert pl.select(parse_limit(limit).add(pl.lit(start), range(2025, 2026))).item() == expected
    assert _add(parse_limit(limit), start) == expected


def test_working_days_looking_back_into_the_year_before_the_data():
    # 5 working days before Fri 2 Jan 2026, the data's dates all in 2026: Wed 31, Tue 30,
    # Mon 29 Dec, then (Boxing Day Fri 26 and Christmas Thu 25 skipped) Wed 24, Tue 23 Dec 2025.
    back = Duration(5, "wd").sub(pl.lit(D(2026, 1, 2)), range(2026, 2027))
    assert pl.select(back).item() == D(2025, 12, 23)
