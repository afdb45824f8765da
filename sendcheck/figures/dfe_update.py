"""Refresh the shipped DfE figures (figures/dfe/) from the next release's CSVs, validated first:
columns, codes and symbols, so the package data is never edited by hand.

`sendcheck figures update DIR` reads DfE's `timeliness_20_week.csv` (the whole file; only its
"All EHC plans" totals rows are kept) and `phase_transfers.csv` from DIR, with the lookup
(`la_lookup.csv` or LAIT's `la-lookup.csv`) and the neighbours (`statistical_neighbours.csv`)
when DIR has them; a file DIR lacks keeps the shipped copy. Nothing is written unless every file
passes.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from importlib import resources
from pathlib import Path

from sendcheck.errors import SendcheckError
from sendcheck.figures import published as pub

GEO = ["time_period", "time_identifier", "geographic_level", "country_code", "country_name",
       "region_code", "region_name", "new_la_code", "old_la_code", "la_name"]
TIMELINESS_COLUMNS = [*GEO, "breakdown_topic", "breakdown", *pub.TIMELINESS_MEASURES]
PHASE_FIXED = [*GEO, "number_plans"]
LOOKUP_COLUMNS = ["la_code", "old_la_code", "la_name", "region_code", "region_name"]
NEIGHBOUR_COLUMNS = ["la_code", "old_la_code", "la_name", "neighbour_rank", "neighbour_la_code",
                     "neighbour_old_la_code", "neighbour_la_name", "proximity"]
TOTALS = "All EHC plans"
# Our file name -> the names DfE (or LAIT) gives it, ours first.
SOURCES = {
    pub.TIMELINESS: ("timeliness_20_week.csv", pub.TIMELINESS),
    pub.PHASE_TRANSFERS: ("phase_transfers.csv", pub.PHASE_TRANSFERS),
    pub.LOOKUP: (pub.LOOKUP, "la-lookup.csv"),
    pub.NEIGHBOURS: (pub.NEIGHBOURS,),
}
REQUIRED = (pub.TIMELINESS, pub.PHASE_TRANSFERS)
OLD_CODE, NEW_CODE, REGION = r"\d{3}", r"E\d{8}", r"E12\d{6}"
NUMBER = re.compile(r"-?\d+(\.\d+)?")
MAX_PROBLEMS = 5


class Problems:
    """Validation problems, each with its file, line and column."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, name: str, line: int, column: str, text: str) -> None:
        self.items.append(f"{name} line {line}, {column}: {text}")

    def check_columns(self, name: str, found: list[str], wanted: list[str]) -> bool:
        missing = [c for c in wanted if c not in found]
        if missing:
            self.items.append(f"{name}: missing column(s) {', '.join(missing)}")
        return not missing

    def code(self, name: str, line: int, column: str, value: str, pattern: str) -> None:
        if not re.fullmatch(pattern, value):
            self.add(name, line, column, f"{value!r} is not a code of the form {pattern}")

    def cells(self, name: str, line: int, row: dict[str, str], columns) -> None:
        """Each figure a number or DfE's x / z, never a blank or another symbol."""
        for c in columns:
            v = row[c].strip()
            if v not in pub.SYMBOLS and not NUMBER.fullmatch(v):
                self.add(name, line, c, f"{v!r} is neither a number nor DfE's x or z")

    def raise_if_any(self) -> None:
        if self.items:
            more = len(self.items) - MAX_PROBLEMS
            raise SendcheckError("the DfE files were not installed: " + "; ".join(
                self.items[:MAX_PROBLEMS]) + (f"; and {more} more" if more > 0 else ""))


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    # A short line's missing cells are blank (then reported), never None.
    rows = [{k: v or "" for k, v in r.items() if k is not None} for r in reader]
    return list(reader.fieldnames or []), rows


def _find(folder: Path, ours: str) -> Path | None:
    return next((folder / n for n in SOURCES[ours] if (folder / n).is_file()), None)


def _lines(columns: list[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    w = csv.DictWriter(out, columns, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)
    return out.getvalue()


def _geo(p: Problems, name: str, line: int, r: dict[str, str], known: set[str]) -> None:
    level = r["geographic_level"]
    if level not in pub.LEVELS:
        p.add(name, line, "geographic_level", f"{level!r} is not one of {', '.join(pub.LEVELS)}")
        return
    if not re.fullmatch(r"\d{4}", r["time_period"]):
        p.add(name, line, "time_period", f"{r['time_period']!r} is not a calendar year")
    if level != "National":
        p.code(name, line, "region_code", r["region_code"], REGION)
    if level == "Local authority":
        p.code(name, line, "new_la_code", r["new_la_code"], NEW_CODE)
        if r["old_la_code"] not in known:
            p.add(name, line, "old_la_code", f"{r['old_la_code']!r} is not in the lookup")


def validate_lookup(p: Problems, name: str, columns: list[str],
                    rows: list[dict[str, str]]) -> set[str]:
    if not p.check_columns(name, columns, LOOKUP_COLUMNS):
        return set()
    for i, r in enumerate(rows, start=2):
        p.code(name, i, "old_la_code", r["old_la_code"], OLD_CODE)
        p.code(name, i, "la_code", r["la_code"], NEW_CODE)
        p.code(name, i, "region_code", r["region_code"], REGION)
    for code, n in Counter(r["old_la_code"] for r in rows).items():
        if n > 1:
            p.items.append(f"{name}: old_la_code {code} appears {n} times")
    return {r["old_la_code"] for r in rows}


def validate_neighbours(p: Problems, name: str, columns: list[str], rows: list[dict[str, str]],
                        known: set[str]) -> None:
    if not p.check_columns(name, columns, NEIGHBOUR_COLUMNS):
        return
    for i, r in enumerate(rows, start=2):
        for c in ("old_la_code", "neighbour_old_la_code"):
            if r[c] not in known:
                p.add(name, i, c, f"{r[c]!r} is not in the lookup")
        if not r["neighbour_rank"].isdigit():
            p.add(name, i, "neighbour_rank", f"{r['neighbour_rank']!r} is not a rank")
    for code, n in Counter(r["old_la_code"] for r in rows).items():
        if n != 10:
            p.items.append(f"{name}: {code} has {n} neighbours, not 10")


def validate_timeliness(p: Problems, name: str, columns: list[str], rows: list[dict[str, str]],
                        known: set[str]) -> list[dict[str, str]]:
    """The totals rows, checked; DfE's breakdown rows (age, need, ...) are left out."""
    if not p.check_columns(name, columns, TIMELINESS_COLUMNS):
        return []
    kept = []
    for i, r in enumerate(rows, start=2):
        if r["breakdown_topic"] != TOTALS or r["breakdown"] != TOTALS:
            continue
        _geo(p, name, i, r, known)
        p.cells(name, i, r, pub.TIMELINESS_MEASURES)
        kept.append(r)
    if not any(r["geographic_level"] == "National" for r in kept):
        p.items.append(f"{name}: no National '{TOTALS}' row")
    return kept


def validate_phase_transfers(p: Problems, name: str, columns: list[str], rows: list[dict[str, str]],
                             known: set[str]) -> list[str]:
    counts = list(pub.due_final_years(columns))
    if not p.check_columns(name, columns, PHASE_FIXED) or not counts:
        if not counts:
            p.items.append(f"{name}: no due_YY / final_YY columns")
        return []
    for i, r in enumerate(rows, start=2):
        _geo(p, name, i, r, known)
        p.cells(name, i, r, ["number_plans", *counts])
    return [*PHASE_FIXED, *counts]


def shipped_folder() -> Path:
    return Path(str(resources.files(pub.PACKAGE).joinpath(pub.FOLDER)))


def update(source: Path, target: Path | None = None) -> list[str]:
    """Validate DIR's files and write them into `target` (default: the package's own folder).
    Returns one line per file written; raises SendcheckError, writing nothing, on any problem."""
    target = target or shipped_folder()
    found = {ours: _find(source, ours) for ours in SOURCES}
    for ours in REQUIRED:
        if found[ours] is None:
            raise SendcheckError(f"{source}: no {' or '.join(SOURCES[ours])} (DfE's release file)")
    paths = {ours: found[ours] or shipped_folder() / ours for ours in SOURCES}
    read = {ours: _read(path) for ours, path in paths.items()}
    p = Problems()
    known = validate_lookup(p, paths[pub.LOOKUP].name, *read[pub.LOOKUP])
    validate_neighbours(p, paths[pub.NEIGHBOURS].name, *read[pub.NEIGHBOURS], known)
    totals = validate_timeliness(p, paths[pub.TIMELINESS].name, *read[pub.TIMELINESS], known)
    phase_columns = validate_phase_transfers(p, paths[pub.PHASE_TRANSFERS].name,
                                             *read[pub.PHASE_TRANSFERS], known)
    p.raise_if_any()
    out = {
        pub.TIMELINESS: _lines(TIMELINESS_COLUMNS, totals),
        pub.PHASE_TRANSFERS: _lines(phase_columns, read[pub.PHASE_TRANSFERS][1]),
        pub.LOOKUP: _lines(LOOKUP_COLUMNS, read[pub.LOOKUP][1]),
        pub.NEIGHBOURS: _lines(NEIGHBOUR_COLUMNS, read[pub.NEIGHBOURS][1]),
    }
    latest = max(int(r["time_period"]) for r in totals)
    about = json.loads((shipped_folder() / "about.json").read_text(encoding="utf-8"))
    about |= {"latest_calendar_year": latest, "reporting_year": latest + 1}
    target.mkdir(parents=True, exist_ok=True)
    for name, text in [*out.items(), ("about.json", json.dumps(about, indent=2) + "\n")]:
        (target / (name + ".tmp")).write_text(text, encoding="utf-8")
    for name in [*out, "about.json"]:
        (target / (name + ".tmp")).replace(target / name)
    pub.forget()
    return [f"{name}: {text.count(chr(10)) - 1} rows" + ("" if found[name] else " (kept)")
            for name, text in out.items()]

