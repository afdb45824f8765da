"""The local configuration file, sendcheck.toml: found in the working directory or its parents,
or given with --config. Validated strictly: an unknown key or a wrong type stops the run (exit 2)
with a message naming the key."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sendcheck.columns import BY_NAME, VALUES
from sendcheck.errors import SendcheckError

FILENAME = "sendcheck.toml"
SECTIONS = {"columns": dict, "values": dict}
SECTIONS["caseload"] = dict


@dataclass
class CaseloadLimits:
    """[caseload]: benchmarks per full-time caseworker. There is no official benchmark; the
    defaults are one council's cabinet paper (150-200 plans, 25 ongoing assessments per
    caseworker: timescales.md section 4), taking the top of its plan range."""

    plans_per_caseworker: int = 200
    assessments_per_caseworker: int = 25
    review_weeks: int = 8  # "reviews due in the next N weeks"


@dataclass
class Config:
    path: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # header as written -> canonical
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # column -> {local: canonical}
    caseload: CaseloadLimits = field(default_factory=CaseloadLimits)


def find_config(start: Path | None = None) -> Path | None:
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / FILENAME
        if candidate.is_file():
            return candidate
    return None


def _fail(path: Path, key: str, problem: str) -> SendcheckError:
    return SendcheckError(f"{path.name}: {key}: {problem}")


def parse_config(data: dict, path: Path) -> Config:
    for key, value in data.items():
        if key not in SECTIONS:
            raise _fail(path, key, f"unknown key (allowed: {', '.join(SECTIONS)})")
        if not isinstance(value, SECTIONS[key]):
            raise _fail(path, key, f"expected a table, found {type(value).__name__}")
    config = Config(path=str(path))
    for header, canonical in data.get("columns", {}).items():
        if not isinstance(canonical, str):
            raise _fail(path, f"columns.{header}", "expected a column name (text)")
        if canonical not in BY_NAME:
            raise _fail(path, f"columns.{header}", f"unknown canonical column {canonical!r}")
        config.columns[header] = canonical
    for column, table in data.get("values", {}).items():
        if column not in VALUES:
            raise _fail(path, f"values.{column}",
                        f"not a coded column (coded: {', '.join(VALUES)})")
        if not isinstance(table, dict):
            raise _fail(path, f"values.{column}", "expected a table of local value = canonical value")
        allowed = set(VALUES[column].values())
        for local, canonical in table.items():
            if canonical not in allowed:
                raise _fail(path, f"values.{column}.{local}",
                            f"{canonical!r} is not one of {', '.join(sorted(allowed))}")
        config.values[column] = dict(table)
    config.caseload = parse_caseload(data.get("caseload", {}), path)
    return config


def parse_caseload(table: dict, path: Path) -> CaseloadLimits:
    known = CaseloadLimits.__dataclass_fields__
    for key, value in table.items():
        if key not in known:
            raise _fail(path, f"caseload.{key}", f"unknown key (allowed: {', '.join(known)})")
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise _fail(path, f"caseload.{key}", f"expected a whole number of 1 or more, "
                        f"found {value!r}")
    return CaseloadLimits(**table)


def load_config(explicit: str | Path | None = None) -> Config:
    path = Path(explicit) if explicit else find_config()
    if path is None:
        return Config()
    if not path.is_file():
        raise SendcheckError(f"{path}: no such configuration file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SendcheckError(f"{path.name}: not valid TOML ({exc})") from None
    return parse_config(data, path)
