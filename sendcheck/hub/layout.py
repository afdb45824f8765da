"""The layout of a run's dataset, shared by the writer (views/dataset.py) and the hub's reader.

One run is one hive partition, `authority=CODE/as_of=YYYY-MM-DD/`, holding two Parquet files:

- `episodes.parquet`: one row per episode, pseudonymised. `record_key` and `person_key` are
  keyed BLAKE2b hashes of the record and person ids (the key stays with the authority); `case` is
  the one definition of a case overdue or due soon (judge/cases.py); `age_band` replaces the birth
  date; the dimensions the breakdowns use (need, sex, ethnicity, setting, NC year, team) where the
  export has them; the dates the rules used; and one small-integer status per rule (and advice
  kind), its codes the engine's STATUSES in order (the file's metadata names them).
- `figures.parquet`: the run's figures in long form, one row per (section, measure, field,
  team, month) with the value and, for a percentage or an average, the fields it is made of, so
  that a hub can add authorities up and work the percentages out again rather than average them.

The file metadata carries the schema version, the sendcheck version and the run's inputs'
hashes. A reader refuses a schema version it does not know rather than misread it.
"""

from __future__ import annotations

import re

import polars as pl

SCHEMA_VERSION = "1"
KNOWN_VERSIONS = ("1",)
EPISODES, FIGURES = "episodes.parquet", "figures.parquet"
# Metadata keys (Parquet key-value metadata: text only).
META_SCHEMA, META_VERSION, META_INPUTS = "sendcheck.schema", "sendcheck.version", "sendcheck.inputs"
META_STATUSES, META_AUTHORITY = "sendcheck.statuses", "sendcheck.authority"

HIVE_SCHEMA = {"authority": pl.String, "as_of": pl.Date}
CASES = ("overdue", "due_soon", "none")
FIGURES_SCHEMA = {
    "section": pl.String,  # measures, cases, backlog, caseload, trend
    "measure": pl.String,  # e.g. final_plan_20w; the section's name for a single figure
    "field": pl.String,  # e.g. plans_issued_20_weeks_ex
    "team": pl.String,  # caseload rows: the team (null: every caseworker)
    "month": pl.String,  # trend rows: YYYY-MM
    "value": pl.Float64,  # null: not available (a missing column), never 0
    "numerator": pl.String,  # a percentage's fields (null for a count)
    "denominator": pl.String,
    "weight": pl.String,  # an average's count field
}
# An authority code as the partition names it: the three-digit code DfE's files join on, or a
# local name made safe for a folder (letters, digits, hyphen).
_CODE = re.compile(r"^[A-Za-z0-9-]{1,40}$")


def partition(authority: str, as_of: str) -> str:
    """The partition's relative folder, `authority=941/as_of=2025-03-31`."""
    return f"authority={authority}/as_of={as_of}"


def safe_code(code: str) -> bool:
    return bool(_CODE.match(code))
