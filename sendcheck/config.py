"""The local configuration file, sendcheck.toml: found in the working directory or its parents,
or given with --config. Validated strictly: an unknown key or a wrong type stops the run (exit 2)
with a message naming the key."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sendcheck.anchors import DEFAULT_SCHOOL_TRANSFER_YEARS, SCHOOL_TRANSFER_YEARS
from sendcheck.columns import BY_NAME, VALUES
from sendcheck.errors import SendcheckError

FILENAME = "sendcheck.toml"
SECTIONS = {"columns": dict, "values": dict, "phase_transfer": dict}


@dataclass
class Config:
    path: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # header as written -> canonical
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # column -> {local: canonical}
    # [phase_transfer] years: year groups whose children change school the next September (PT01).
    school_transfer_years: tuple[str, ...] = DEFAULT_SCHOOL_TRANSFER_YEARS


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
    _phase_transfer(data.get("phase_transfer", {}), path, config)
    return config


def _phase_transfer(section: dict, path: Path, config: Config) -> None:
    """[phase_transfer] years = ["6"]: the default is primary to secondary (end of Year 6); add
    "N2" (nursery to Reception), "2" (infant to junior), "4" (first to middle) or "8" (middle to
    upper) where the authority's schools change there. Year 11 to post-16 is PT02's, always."""
    for key, value in section.items():
        if key != "years":
            raise _fail(path, f"phase_transfer.{key}", "unknown key (allowed: years)")
        if not isinstance(value, list) or not value:
            raise _fail(path, "phase_transfer.years", "expected a list of year groups, e.g. [\"6\"]")
        years = []
        for item in value:
            text = str(item).strip().upper() if isinstance(item, (str, int)) else None
            if text not in SCHOOL_TRANSFER_YEARS:
                raise _fail(path, "phase_transfer.years", f"{item!r} is not a school transfer "
                            f"point (allowed: {', '.join(SCHOOL_TRANSFER_YEARS)})")
            years.append(text)
        config.school_transfer_years = tuple(dict.fromkeys(years))


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
