"""England's figures shipped as package data agree with DfE's table (the domain note
timescales.md section 4) and with their own counts."""

from __future__ import annotations

import pytest

from sendcheck.figures.national import latest_twenty_weeks, national

# year: (new plans, % within 20 weeks incl. exceptions, % excl.), as DfE publishes them.
DFE = {2019: (53327, 58.7, 60.4), 2021: (61269, 57.9, 59.9), 2022: (65512, 47.7, 49.2),
       2023: (80945, 49.1, 50.3), 2024: (90392, 45.9, 46.4), 2025: (102203, 45.5, 46.1)}


def test_every_published_year_is_shipped():
    years = {y["year"]: y for y in national()["twenty_weeks"]["years"]}
    assert {y: (v["plans_issued_den"], v["pc_plans_issued_within_20_weeks"],
                v["pc_plans_issued_20_weeks_ex"]) for y, v in years.items()} == DFE
    assert latest_twenty_weeks()["year"] == 2025
    assert national()["source"].startswith("Department for Education")


@pytest.mark.parametrize("year", [2023, 2024, 2025])
def test_percentages_follow_from_the_counts(year):
    y = next(v for v in national()["twenty_weeks"]["years"] if v["year"] == year)
    # e.g. 2025: 43,997 / 95,411 = 46.11% -> 46.1; 46,498 / 102,203 = 45.50% -> 45.5
    assert round(100 * y["plans_issued_20_weeks_ex"] / y["plans_issued_den_ex"], 1) \
        == y["pc_plans_issued_20_weeks_ex"]
    assert round(100 * y["plans_issued_within_20_weeks"] / y["plans_issued_den"], 1) \
        == y["pc_plans_issued_within_20_weeks"]
