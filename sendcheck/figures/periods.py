"""Reporting periods (`--period`): calendar, financial and academic years, quarters, months and
rolling windows, each with exact first and last days (both inclusive).

Councils report the same measure over different periods (see the domain note sen2.md section 4):
DfE by calendar year, FOI answers by financial year (April-March), SEND boards by academic year
(September-August), dashboards by month or a rolling 12 months. Every measure prints the period
it used, so two figures can be laid side by side without guessing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from sendcheck.errors import SendcheckError

DEFAULT_PERIOD = "rolling-12m"
PERIOD_HELP = ("2024 (calendar year), FY2024 (Apr 2024-Mar 2025), AY2024 (Sep 2024-Aug 2025), "
               "2024-Q3 (Jul-Sep 2024), 2024-09 (a month) or rolling-12m (the 12 months ending "
               "on the as-of date; rolling-Nm for other lengths)")


@dataclass(frozen=True)
class Period:
    label: str  # as given, e.g. "FY2024"
    kind: str  # "calendar year", "financial year", "academic year", "quarter", "month", "rolling"
    start: dt.date  # first day, inclusive
    end: dt.date  # last day, inclusive (never after the as-of date: see `parse_period`)
    partial: bool = False  # the period runs past the as-of date and was cut short there

    @property
    def text(self) -> str:
        cut = " (cut at the as-of date)" if self.partial else ""
        return f"{self.label}: {self.start.isoformat()} to {self.end.isoformat()}{cut}"

    def as_json(self) -> dict:
        return {"label": self.label, "kind": self.kind, "start": self.start.isoformat(),
                "end": self.end.isoformat(), "partial": self.partial}


def _month_end(day: dt.date) -> dt.date:
    return day + relativedelta(day=31)


def _bounds(text: str, as_of: dt.date) -> tuple[str, dt.date, dt.date]:
    t = text.strip().upper()
    if m := re.fullmatch(r"(\d{4})", t):
        y = int(m.group(1))
        return "calendar year", dt.date(y, 1, 1), dt.date(y, 12, 31)
    if m := re.fullmatch(r"FY(\d{4})", t):
        y = int(m.group(1))
        return "financial year", dt.date(y, 4, 1), dt.date(y + 1, 3, 31)
    if m := re.fullmatch(r"AY(\d{4})", t):
        y = int(m.group(1))
        return "academic year", dt.date(y, 9, 1), dt.date(y + 1, 8, 31)
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", t):
        # Calendar quarters (Q1 = Jan-Mar), as the label reads; a financial quarter would be
        # written as a month range, which `--period` does not offer.
        y, q = int(m.group(1)), int(m.group(2))
        start = dt.date(y, 3 * q - 2, 1)
        return "quarter", start, _month_end(start + relativedelta(months=2))
    if m := re.fullmatch(r"(\d{4})-(\d{2})", t):
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            raise SendcheckError(f"--period: {text!r}: month {mo} is not 01-12")
        start = dt.date(y, mo, 1)
        return "month", start, _month_end(start)
    if m := re.fullmatch(r"ROLLING-(\d{1,3})M", t):
        n = int(m.group(1))
        if n == 0:
            raise SendcheckError(f"--period: {text!r}: a rolling period needs at least 1 month")
        # The N months ending on the as-of date: as of 31 Mar 2025, rolling-12m is
        # 1 Apr 2024 - 31 Mar 2025 (day after the same date N months earlier).
        return "rolling", as_of - relativedelta(months=n) + dt.timedelta(days=1), as_of
    raise SendcheckError(f"--period: {text!r} is not a period; expected {PERIOD_HELP}")


def parse_period(text: str | None, as_of: dt.date) -> Period:
    """The period named by `text` (default rolling-12m), cut at the as-of date.

    Events after the as-of date are not known yet (and a date after it is a DQ03 finding), so a
    period running past the as-of date is measured up to the as-of date and says so.
    """
    label = (text or DEFAULT_PERIOD).strip()
    kind, start, end = _bounds(label, as_of)
    if start > as_of:
        raise SendcheckError(f"--period: {label} starts on {start}, after the as-of date {as_of}")
    if label.lower().startswith("rolling"):
        label = label.lower()
    else:
        label = label.upper()
    return Period(label, kind, start, min(end, as_of), partial=end > as_of)


def month_periods(as_of: dt.date, months: int) -> list[Period]:
    """The last `months` calendar months, oldest first, the last being the as-of date's month
    (cut at the as-of date when the month is not over)."""
    if months < 1:
        raise SendcheckError("--months: give at least 1")
    first = as_of.replace(day=1) - relativedelta(months=months - 1)
    out = []
    for i in range(months):
        start = first + relativedelta(months=i)
        end = _month_end(start)
        out.append(Period(start.strftime("%Y-%m"), "month", start, min(end, as_of),
                          partial=end > as_of))
    return out
