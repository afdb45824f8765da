"""Time limits as written in rule files (`6w`, `20w`, `15d`, `12mo`) and the arithmetic on them.

One implementation for every rule: weeks and days are calendar days; months are calendar
months clamped to the month's last day (31 Aug + 6 months = 28/29 Feb; 29 Feb 2024 +
12 months = 28 Feb 2025), which is what polars' `offset_by("Nmo")` does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

_PATTERN = re.compile(r"^(\d{1,3})(w|d|mo)$")
_LABEL = {"w": "week", "d": "day", "mo": "month"}


@dataclass(frozen=True)
class Duration:
    n: int
    unit: str  # "w", "d" or "mo"

    @classmethod
    def parse(cls, text: str) -> "Duration":
        m = _PATTERN.match(text.strip()) if isinstance(text, str) else None
        if not m or int(m.group(1)) == 0:
            raise ValueError(
                f"bad duration {text!r}: expected a whole number and a unit, like 6w, 15d or 12mo")
        return cls(int(m.group(1)), m.group(2))

    def __str__(self) -> str:
        return f"{self.n}{self.unit}"

    @property
    def label(self) -> str:
        """`20-week`, `15-day`, `12-month`: used in messages."""
        return f"{self.n}-{_LABEL[self.unit]}"

    @property
    def days(self) -> int | None:
        return {"w": 7 * self.n, "d": self.n}.get(self.unit)

    def add(self, start: pl.Expr) -> pl.Expr:
        """start + this duration, on a Date expression."""
        if self.unit == "mo":
            return start.dt.offset_by(f"{self.n}mo")
        return start + pl.duration(days=self.days)

    def sub(self, end: pl.Expr) -> pl.Expr:
        """end - this duration (used to look back, e.g. 'in the twelve months before')."""
        if self.unit == "mo":
            return end.dt.offset_by(f"-{self.n}mo")
        return end - pl.duration(days=self.days)
