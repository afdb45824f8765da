"""DfE's published figures for every English authority (package data in figures/dfe/): who an
authority is, its 20-week timeliness and phase transfers, its region's, England's and its ten
statistical neighbours'.

The CSVs are DfE's own extracts, copied as published and refreshed only by `sendcheck figures
update DIR` (figures/dfe_update.py); `x` (unavailable) and `z` (not applicable) are read as None,
never 0, and kept in each row's `symbols`. Files are read once, and only when a caller asks.
Every lookup joins on the three-digit `old_la_code`: DfE's timeliness file carries old county
codes in `new_la_code` for North Yorkshire, Buckinghamshire and Somerset.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

PACKAGE = "sendcheck.figures"
FOLDER = "dfe"
TIMELINESS = "timeliness_20_week_la.csv"
PHASE_TRANSFERS = "phase_transfers_la.csv"
LOOKUP = "la_lookup.csv"
NEIGHBOURS = "statistical_neighbours.csv"
SYMBOLS = ("x", "z")
LEVELS = {"National": "England", "Regional": "region", "Local authority": "authority"}
# The 16 published measure columns of the timeliness file (DfE's names).
TIMELINESS_MEASURES = (
    "plans_issued_den", "plans_issued_den_ex", "plans_issued_within_20_weeks",
    "plans_issued_20_weeks_ex", "pc_plans_issued_within_20_weeks", "pc_plans_issued_20_weeks_ex",
    "plans_issued_gt20weeks_ltyear", "plans_issued_gt20weeks_ltyear_ex",
    "pc_plans_issued_gt20weeks_ltyear", "pc_plans_issued_gt20weeks_ltyear_ex",
    "plans_issued_gt_1_year", "plans_issued_gt_1_year_ex", "pc_plans_issued_gt_1_year",
    "pc_plans_issued_gt_1_year_ex", "avg_weeks_issue_plan", "avg_weeks_issue_plan_exc")
Number = int | float | None


class UnknownAuthority(LookupError):
    """A code or name that is not an English local authority in DfE's lookup."""


@dataclass(frozen=True)
class Authority:
    old_la_code: str  # three digits, e.g. "941"
    new_la_code: str  # e.g. "E06000062"
    name: str
    region_code: str
    region_name: str


@dataclass(frozen=True)
class Timeliness:
    """One published year of the 20-week figures for England, a region or an authority."""

    year: int
    level: str  # "England", "region" or "authority"
    name: str
    values: dict[str, Number]  # every TIMELINESS_MEASURES column; None where DfE wrote x or z
    symbols: dict[str, str] = field(default_factory=dict)  # column -> "x" / "z" where written

    @property
    def pc_ex(self) -> float | None:
        """The headline: % within 20 weeks excluding exceptions (pc_plans_issued_20_weeks_ex)."""
        return self.values["pc_plans_issued_20_weeks_ex"]

    @property
    def pc(self) -> float | None:
        """% within 20 weeks including exceptions (pc_plans_issued_within_20_weeks)."""
        return self.values["pc_plans_issued_within_20_weeks"]


@dataclass(frozen=True)
class PhaseTransfers:
    """The published phase transfers: plans, and reviews due / final plans issued per year."""

    year: int
    level: str
    name: str
    number_plans: int | None
    due: dict[int, int | None]  # calendar year -> plans whose phase-transfer review was due
    final: dict[int, int | None]  # calendar year -> final plans issued after such a review
    symbols: dict[str, str] = field(default_factory=dict)

    @property
    def pc_finalised(self) -> float | None:
        """Final plans issued after a phase-transfer review per 100 reviews due, over the years
        the file gives: derived by sendcheck from DfE's counts (DfE publishes no percentage).
        None when a count is unavailable or nothing was due."""
        due, final = list(self.due.values()), list(self.final.values())
        if None in due or None in final or not sum(due):
            return None
        return round(100 * sum(final) / sum(due), 1)


@dataclass(frozen=True)
class Area:
    """England or a region: its published timeliness per year and its phase transfers."""

    level: str
    code: str
    name: str
    timeliness: dict[int, Timeliness]
    phase_transfers: PhaseTransfers | None


@dataclass(frozen=True)
class Neighbour:
    rank: int  # 1 = closest
    authority: Authority
    proximity: str


def _text(name: str) -> str:
    return resources.files(PACKAGE).joinpath(FOLDER, name).read_text(encoding="utf-8")


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(_text(name).splitlines()))


@lru_cache(maxsize=1)
def about() -> dict:
    """Title, publisher, release, URL, licence and attribution of the shipped figures."""
    return json.loads(_text("about.json"))


def attribution() -> str:
    """The Open Government Licence's attribution line, with the release it is for."""
    a = about()
    return (f"{a['publisher']}, '{a['title']}', reporting year {a['reporting_year']}. "
            f"{a['attribution']}")


def number(cell: str) -> Number:
    """A published cell: a whole number, a one-decimal figure, or None for a symbol or blank."""
    cell = cell.strip()
    if cell in SYMBOLS or cell == "":
        return None
    return float(cell) if "." in cell else int(cell)


def _symbols(row: dict[str, str], columns) -> dict[str, str]:
    return {c: row[c].strip() for c in columns if row[c].strip() in SYMBOLS}


def _key(text: str) -> str:
    """A name as matched: case, punctuation and 'and'/'&' ignored ("St. Helens" = "St Helens")."""
    return re.sub(r"[^a-z0-9]", "", text.lower().replace("&", "and"))


@lru_cache(maxsize=1)
def _lookup() -> dict[str, Authority]:
    return {r["old_la_code"]: Authority(r["old_la_code"], r["la_code"], r["la_name"],
                                        r["region_code"], r["region_name"])
            for r in _rows(LOOKUP)}


def authorities() -> list[Authority]:
    """Every authority in DfE's lookup, by old code."""
    return sorted(_lookup().values(), key=lambda a: a.old_la_code)


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    """Old code, new code (both vintages) and name -> old_la_code."""
    out: dict[str, str] = {}
    for a in _lookup().values():
        out[a.old_la_code] = out[a.new_la_code.upper()] = out[_key(a.name)] = a.old_la_code
    # The timeliness file's older codes and spellings (E10000023 North Yorkshire, St. Helens).
    for r in _rows(TIMELINESS):
        if r["old_la_code"] in _lookup():
            out.setdefault(r["new_la_code"].upper(), r["old_la_code"])
            out.setdefault(_key(r["la_name"]), r["old_la_code"])
    return out


def authority(code_or_name: str | int) -> Authority:
    """The authority for an old code ("941", 941), a new code ("E06000062") or a name
    ("West Northamptonshire"); UnknownAuthority otherwise."""
    text = str(code_or_name).strip()
    found = _index().get(text.upper()) or _index().get(_key(text))
    if found is None or not text:
        raise UnknownAuthority(f"{text!r} is not an English local authority's code or name in "
                               f"DfE's lookup (e.g. \"941\", \"E06000062\" or "
                               f"\"West Northamptonshire\")")
    return _lookup()[found]


def _timeliness_row(r: dict[str, str]) -> Timeliness:
    level = LEVELS[r["geographic_level"]]
    name = {"England": r["country_name"], "region": r["region_name"]}.get(level, r["la_name"])
    return Timeliness(int(r["time_period"]), level, name,
                      {c: number(r[c]) for c in TIMELINESS_MEASURES},
                      _symbols(r, TIMELINESS_MEASURES))


def _area_key(r: dict[str, str]) -> str:
    level = LEVELS[r["geographic_level"]]
    return {"England": "England", "region": r["region_code"]}.get(level, r["old_la_code"])


@lru_cache(maxsize=1)
def _timeliness() -> dict[str, dict[int, Timeliness]]:
    out: dict[str, dict[int, Timeliness]] = {}
    for r in _rows(TIMELINESS):
        t = _timeliness_row(r)
        out.setdefault(_area_key(r), {})[t.year] = t
    return {k: dict(sorted(v.items())) for k, v in out.items()}


def due_final_years(columns) -> dict[str, int]:
    """The phase-transfer count columns and their calendar years: due_25 -> 2025."""
    return {c: 2000 + int(c.split("_")[1]) for c in columns if re.fullmatch(r"(due|final)_\d\d", c)}


@lru_cache(maxsize=1)
def _phase_transfers() -> dict[str, PhaseTransfers]:
    rows = _rows(PHASE_TRANSFERS)
    years = due_final_years(rows[0].keys()) if rows else {}
    out = {}
    for r in rows:
        level = LEVELS[r["geographic_level"]]
        name = {"England": r["country_name"], "region": r["region_name"]}.get(level, r["la_name"])
        out[_area_key(r)] = PhaseTransfers(
            int(r["time_period"]), level, name, number(r["number_plans"]),
            {y: number(r[c]) for c, y in years.items() if c.startswith("due")},
            {y: number(r[c]) for c, y in years.items() if c.startswith("final")},
            _symbols(r, ["number_plans", *years]))
    return out


def timeliness(old_la_code: str) -> dict[int, Timeliness]:
    """An authority's published 20-week figures per calendar year (values None where DfE wrote
    x); empty when DfE published no row for it (Leicester 2025)."""
    return _timeliness().get(old_la_code, {})


def phase_transfers(old_la_code: str) -> PhaseTransfers | None:
    """An authority's published phase transfers, or None when the file has no row for it."""
    return _phase_transfers().get(old_la_code)


@lru_cache(maxsize=1)
def _neighbours() -> dict[str, list[Neighbour]]:
    out: dict[str, list[Neighbour]] = {}
    for r in _rows(NEIGHBOURS):
        out.setdefault(r["old_la_code"], []).append(Neighbour(
            int(r["neighbour_rank"]), _lookup()[r["neighbour_old_la_code"]], r["proximity"]))
    return {k: sorted(v, key=lambda n: n.rank) for k, v in out.items()}


def neighbours(old_la_code: str) -> list[Neighbour]:
    """DfE's ten statistical neighbours of an authority, closest first."""
    return _neighbours().get(old_la_code, [])


def region(region_code: str) -> Area:
    """A region's published figures (region_code as E12000004; an Authority's region_code)."""
    t = _timeliness().get(region_code, {})
    name = next(iter(t.values())).name if t else region_code
    return Area("region", region_code, name, t, _phase_transfers().get(region_code))


def england() -> Area:
    return Area("England", "E92000001", "England", _timeliness().get("England", {}),
                _phase_transfers().get("England"))


def latest_year() -> int:
    """The latest calendar year in the shipped timeliness figures."""
    return max(england().timeliness)


def forget() -> None:
    """Drop the cached reads (after `sendcheck figures update` wrote new files)."""
    for cached in (about, _lookup, _index, _timeliness, _phase_transfers, _neighbours):
        cached.cache_clear()
