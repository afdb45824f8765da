"""Time limits as written in rule files (`6w`, `20w`, `15d`, `12mo`, `3wd`) and their arithmetic.

One implementation for every rule: weeks and days are calendar days; months are calendar
months clamped to the month's last day (31 Aug + 6 months = 28/29 Feb; 29 Feb 2024 +
12 months = 28 Feb 2025), which is what polars' `offset_by("Nmo")` does. Working days (`wd`,
the mediation limits) are Monday to Friday less England's bank holidays, from the `holidays`
package (subdiv ENG: Easter Monday and the August bank holiday are England's, not the UK's).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

import polars as pl

_PATTERN = re.compile(r"^(\d{1,3})(w|d|mo|wd)$")
_LABEL = {"w": "week", "d": "day", "mo": "month", "wd": "working-day"}
# Bank holidays are listed for these years; a date outside them is still counted, without them.
HOLIDAY_YEARS = range(1990, 2061)


@cache
def bank_holidays(years: range = HOLIDAY_YEARS) -> tuple[dt.date, ...]:
    """England's bank holidays (Good Friday, Easter Monday, the May and August bank holidays,
    Christmas, New Year and the one-off days such as 8 May 2020 and 19 September 2022) in those
    of `years` that HOLIDAY_YEARS lists."""
    import holidays

    listed = range(max(years.start, HOLIDAY_YEARS.start), min(years.stop, HOLIDAY_YEARS.stop))
    return tuple(sorted(holidays.country_holidays("GB", subdiv="ENG", years=listed)))


def add_working_days(start: pl.Expr, n: int, years: range = HOLIDAY_YEARS) -> pl.Expr:
    """start + n working days (n < 0: before), whole-column. A start on a weekend or bank
    holiday first rolls away from the direction counted, so the first working day counted is the
    next one after it (mediation on Saturday 19 April 2025 + 3 working days: Tue 22, Wed 23,
    Thu 24 April, Good Friday and Easter Monday skipped).

    `years`: the years every start falls in. Only their holidays, and those of the years n
    working days can reach beyond them, are listed: the same result, without working out
    seventy years of holidays for a file that spans a few (200 working days are under a year).
    """
    reach = abs(n) // 200 + 1
    listed = bank_holidays(range(years.start - reach, years.stop + reach))
    return start.dt.add_business_days(n, holidays=list(listed),
                                      roll="backward" if n >= 0 else "forward")


@dataclass(frozen=True)
class Duration:
    n: int
    unit: str  # "w", "d" or "mo"

    @classmethod
    def parse(cls, text: str) -> "Duration":
        m = _PATTERN.match(text.strip()) if isinstance(text, str) else None
        # `0d` is "immediately" (reg 44(2)(a)): due on the start day itself.
        if not m or (int(m.group(1)) == 0 and m.group(2) != "d"):
            raise ValueError(f"bad duration {text!r}: expected a whole number and a unit, "
                             f"like 6w, 15d, 12mo or 3wd")
        return cls(int(m.group(1)), m.group(2))

    def __str__(self) -> str:
        return f"{self.n}{self.unit}"

    @property
    def label(self) -> str:
        """`20-week`, `15-day`, `12-month`, `3-working-day`, `immediate`: used in messages."""
        if self.n == 0:
            return "immediate"
        return f"{self.n}-{_LABEL[self.unit]}"

    @property
    def days(self) -> int | None:
        return {"w": 7 * self.n, "d": self.n}.get(self.unit)

    def add(self, start: pl.Expr, years: range = HOLIDAY_YEARS) -> pl.Expr:
        """start + this duration, on a Date expression (`years`: see add_working_days)."""
        if self.unit == "mo":
            return start.dt.offset_by(f"{self.n}mo")
        if self.unit == "wd":
            return add_working_days(start, self.n, years)
        return start + pl.duration(days=self.days)

    def sub(self, end: pl.Expr, years: range = HOLIDAY_YEARS) -> pl.Expr:
        """end - this duration (used to look back, e.g. 'in the twelve months before')."""
        if self.unit == "mo":
            return end.dt.offset_by(f"-{self.n}mo")
        if self.unit == "wd":
            return add_working_days(end, -self.n, years)
        return end - pl.duration(days=self.days)


_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")
_FIXED = re.compile(r"^(\d{1,2}) ([A-Za-z]{3})$")


@dataclass(frozen=True)
class FixedDay:
    """A limit that is a fixed day of the year (`14 Feb`): due on the first such day on or after
    the start. Phase transfers (reg 18(1)) are due "before 15 February" of the year of transfer,
    so a rule whose start is 1 September of the year before says `14 Feb`."""

    month: int
    day: int

    @classmethod
    def parse(cls, text: str) -> FixedDay:
        m = _FIXED.match(text.strip()) if isinstance(text, str) else None
        months = [n[:3].lower() for n in _MONTH_NAMES]
        if not m or m.group(2).lower() not in months:
            raise ValueError(f"bad fixed day {text!r}: expected a day and month, like 14 Feb")
        month, day = months.index(m.group(2).lower()) + 1, int(m.group(1))
        if not 1 <= day <= (28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31):
            raise ValueError(f"bad fixed day {text!r}: no such day in every year")
        return cls(month, day)

    def __str__(self) -> str:
        return f"{self.day} {_MONTH_NAMES[self.month - 1][:3]}"

    @property
    def label(self) -> str:
        """`14 February`: used in messages ("3 days after the 14 February limit")."""
        return f"{self.day} {_MONTH_NAMES[self.month - 1]}"

    @property
    def days(self) -> None:
        return None

    def add(self, start: pl.Expr, years: range = HOLIDAY_YEARS) -> pl.Expr:
        """The first `day month` on or after start (`years` as Duration.add takes it: a fixed
        day counts no working days)."""
        same_year = pl.date(start.dt.year(), self.month, self.day)
        return pl.when(same_year >= start).then(same_year).otherwise(
            pl.date(start.dt.year() + 1, self.month, self.day))


def parse_limit(text: str) -> Duration | FixedDay:
    """A rule file's `limit`: a duration (`6w`, `15d`, `12mo`) or a fixed day (`14 Feb`)."""
    if isinstance(text, str) and _FIXED.match(text.strip()):
        return FixedDay.parse(text)
    return Duration.parse(text)
