"""England's published figures (DfE's SEN2 release), shipped as package data (national.json),
to set beside a council's own 20-week figure."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def national() -> dict:
    """The whole national.json: source, URL, the 20-week figures per calendar year, context."""
    return json.loads(resources.files("sendcheck.figures").joinpath("national.json").read_text(
        encoding="utf-8"))


def latest_twenty_weeks() -> dict:
    """The latest published calendar year's 20-week figures for England."""
    return max(national()["twenty_weeks"]["years"], key=lambda y: y["year"])


def england_sentence() -> str:
    """One line of context: England's headline 20-week figure, its year and release."""
    y = latest_twenty_weeks()
    counts = (f" ({y['plans_issued_20_weeks_ex']:,} of {y['plans_issued_den_ex']:,})"
              if "plans_issued_den_ex" in y else "")
    return (f"England {y['year']}: {y['pc_plans_issued_20_weeks_ex']}% excluding exceptions"
            f"{counts}, {y['pc_plans_issued_within_20_weeks']}% including (DfE, Education, "
            f"health and care plans, {y['release']})")
