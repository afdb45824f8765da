"""The headline sections an audit carries (measures, backlog, caseload, forecast), as one type.

Apart from figures/headline.py, which computes them from an `Audit`, so that `Audit` can name
the type without an import circle.
"""

from __future__ import annotations

from dataclasses import dataclass

from sendcheck.figures.backlog import Backlog
from sendcheck.figures.caseload import Caseload
from sendcheck.figures.forecast import Forecast
from sendcheck.figures.measures import Measure
from sendcheck.figures.periods import Period


@dataclass
class Headline:
    period: Period
    cohort: str
    measures: list[Measure]
    backlog: Backlog
    caseload: Caseload
    suppress_below: int | None = None
    forecast: Forecast | None = None  # where the as-of date's calendar year will land
