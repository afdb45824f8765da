"""The local configuration file, sendcheck.toml: found in the working directory or its parents,
or given with --config. Validated strictly: an unknown key or a wrong type stops the run (exit 2)
with a message naming the key."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sendcheck.columns import ADVICE_KINDS, BY_NAME, VALUES
from sendcheck.errors import SendcheckError, quoted
from sendcheck.judge.anchors import DEFAULT_SCHOOL_TRANSFER_YEARS, SCHOOL_TRANSFER_YEARS

FILENAME = "sendcheck.toml"
SECTIONS = {"columns": dict, "values": dict, "phase_transfer": dict}
SECTIONS["caseload"] = dict
SECTIONS["term_dates"] = dict
SECTIONS["export"] = dict
SECTIONS["authority"] = dict


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
    # [audit]: defaults for the audit options; an option given on the command line replaces them.
    due_within: int | None = None
    select: list[str] | None = None
    ignore: list[str] | None = None
    # [[suppress]]: findings the team has investigated, reported apart (see sendcheck.suppress).
    suppress: list[Suppression] = field(default_factory=list)

    # [history]: the run history file (relative to the configuration file's folder) and how long
    # a run waits for another run holding it.
    history_path: str | None = None
    history_wait: int | None = None
    # [notes] paths: the team's edited lists to read notes back from (files, folders, globs;
    # relative to the configuration file's folder).
    notes_paths: list[str] | None = None

    # [phase_transfer] years: year groups whose children change school the next September (PT01).
    school_transfer_years: tuple[str, ...] = DEFAULT_SCHOOL_TRANSFER_YEARS
    # [forecast] target: the 20-week percentage the year's forecast measures against (default
    # England's latest published figure).
    forecast_target: float | None = None
    # [term_dates] file: the council's closures (sendcheck.read.term_dates), relative to this file.
    term_dates: str | None = None
    # [authority] code: the authority the export is about (its DfE old_la_code, e.g. "941"),
    # whose published figures and statistical neighbours are set beside its own.
    authority: str | None = None
    # [export]: the nightly Parquet dataset of each run (views/dataset.py) and the key that
    # pseudonymises its ids, both relative to this file. The key never leaves the authority.
    export_parquet: str | None = None
    export_key_file: str | None = None


@dataclass(frozen=True)
class Suppression:
    """One [[suppress]] entry: this record's finding under this rule was investigated."""

    record_id: str
    rule: str
    reason: str
    kind: str | None = None  # an advice kind (AS02); none suppresses every kind
    key: str = ""  # where it is in the file, e.g. "suppress[2]", for messages


def find_config(start: Path | None = None, inputs: list[Path] | None = None) -> Path | None:
    """The sendcheck.toml that applies when --config is not given: the one beside the first input
    file (it maps that export's headers), else the first in the working folder or its parents."""
    for first in (inputs or [])[:1]:
        beside = Path(first).resolve().parent / FILENAME
        if beside.is_file():
            return beside
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
            wanted = f"[[{key}]] tables" if SECTIONS[key] is list else "a table"
            raise _fail(path, key, f"expected {wanted}, found {type(value).__name__}")
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
            if not isinstance(canonical, str):
                raise _fail(path, f"values.{column}.{local}", f"expected text (one of "
                            f"{', '.join(sorted(allowed))}), found {type(canonical).__name__}")
            if canonical not in allowed:
                raise _fail(path, f"values.{column}.{local}",
                            f"{canonical!r} is not one of {', '.join(sorted(allowed))}")
        config.values[column] = dict(table)
    config.caseload = parse_caseload(data.get("caseload", {}), path)
    _parse_audit(data.get("audit", {}), path, config)
    _parse_history(data.get("history", {}), path, config)
    _parse_notes(data.get("notes", {}), path, config)
    config.suppress = _parse_suppress(data.get("suppress", []), path)
    _phase_transfer(data.get("phase_transfer", {}), path, config)
    config.forecast_target = _forecast_target(data.get("forecast", {}), path)
    _term_dates(data.get("term_dates", {}), path, config)
    _parse_export(data.get("export", {}), path, config)
    config.authority = _authority(data.get("authority", {}), path)
    return config


def _authority(section: dict, path: Path) -> str | None:
    """[authority] code = "941": DfE's old (three-digit) or new code, or the authority's name;
    kept as the old code, which every published file shares."""
    _check_table(section, {"code": str}, path, "authority")
    if "code" not in section:
        return None
    from sendcheck.figures.published import UnknownAuthority, authority

    try:
        return authority(section["code"]).old_la_code
    except UnknownAuthority as exc:
        raise _fail(path, "authority.code", str(exc)) from None


def _term_dates(section: dict, path: Path, config: Config) -> None:
    """[term_dates] file = "term_dates.csv": the closures a school_closure exception is checked
    against (DQ40); a relative path is read from the configuration file's folder."""
    for key, value in section.items():
        if key != "file":
            raise _fail(path, f"term_dates.{key}", "unknown key (allowed: file)")
        if not isinstance(value, str) or not value.strip():
            raise _fail(path, "term_dates.file", "expected the path of a CSV of closures (text)")
        config.term_dates = str((path.parent / value.strip()).resolve())


def parse_caseload(table: dict, path: Path) -> CaseloadLimits:
    known = CaseloadLimits.__dataclass_fields__
    for key, value in table.items():
        if key not in known:
            raise _fail(path, f"caseload.{key}", f"unknown key (allowed: {', '.join(known)})")
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_WHOLE:
            raise _fail(path, f"caseload.{key}", f"expected a whole number from 1 to "
                        f"{MAX_WHOLE:,}, found {quoted(value)}")
    return CaseloadLimits(**table)


# Sections added after [columns] and [values]; each parser names the bad key in its errors.
SECTIONS.update({"audit": dict, "suppress": list, "forecast": dict, "history": dict,
                 "notes": dict})
AUDIT_KEYS = {"due_within": int, "select": list, "ignore": list}
HISTORY_KEYS = {"path": str, "wait_seconds": int}
NOTES_KEYS = {"paths": list}
EXPORT_KEYS = {"parquet": str, "key_file": str}
SUPPRESS_KEYS = {"record_id": str, "rule": str, "reason": str, "kind": str}


# The largest whole number any key takes: the due-soon window and the history's wait are far
# below it; a larger one (a pasted 10**30) would overflow a date or a timer deep in the run.
MAX_WHOLE = 100_000
MAX_DUE_WITHIN = 3660  # days: ten years ahead


def _type_name(kind: type) -> str:
    return {int: "a whole number", str: "text", list: "a list", dict: "a table"}[kind]


def _check_table(table: dict, allowed: dict[str, type], path: Path, prefix: str) -> None:
    for key, value in table.items():
        if key not in allowed:
            raise _fail(path, f"{prefix}.{key}", f"unknown key (allowed: {', '.join(allowed)})")
        kind = allowed[key]
        # TOML booleans are Python ints; a flag where a number belongs is still a wrong type.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise _fail(path, f"{prefix}.{key}",
                        f"expected {_type_name(kind)}, found {type(value).__name__}")
        if kind is int and not -MAX_WHOLE <= value <= MAX_WHOLE:
            raise _fail(path, f"{prefix}.{key}", f"expected a whole number up to {MAX_WHOLE:,}, "
                        f"found one of {len(str(abs(value)))} digits")


def _parse_audit(table: dict, path: Path, config: Config) -> None:
    _check_table(table, AUDIT_KEYS, path, "audit")
    if "due_within" in table:
        if not 0 <= table["due_within"] <= MAX_DUE_WITHIN:
            raise _fail(path, "audit.due_within", f"expected a number of days from 0 to "
                        f"{MAX_DUE_WITHIN}")
        config.due_within = table["due_within"]
    for key in ("select", "ignore"):
        if key in table:
            codes = table[key]
            if not all(isinstance(c, str) and c.strip() for c in codes):
                raise _fail(path, f"audit.{key}", "expected a list of rule codes, like [\"AS05\"]")
            setattr(config, key, [c.strip() for c in codes])


def _parse_history(table: dict, path: Path, config: Config) -> None:
    _check_table(table, HISTORY_KEYS, path, "history")
    if "path" in table:
        if not table["path"].strip():
            raise _fail(path, "history.path", "expected a file name, e.g. \"history.sqlite\"")
        # Relative to the configuration file, not to wherever cron starts the job.
        config.history_path = str(path.parent / table["path"].strip())
    if "wait_seconds" in table:
        if table["wait_seconds"] < 0:
            raise _fail(path, "history.wait_seconds", "expected a number of seconds, 0 or more")
        config.history_wait = table["wait_seconds"]


def _parse_notes(table: dict, path: Path, config: Config) -> None:
    _check_table(table, NOTES_KEYS, path, "notes")
    if "paths" in table:
        paths = table["paths"]
        if not paths or not all(isinstance(p, str) and p.strip() for p in paths):
            raise _fail(path, "notes.paths", "expected a list of files, folders or patterns, "
                        "like [\"lists/*.xlsx\"]")
        config.notes_paths = [p.strip() for p in paths]


def _parse_export(table: dict, path: Path, config: Config) -> None:
    """[export] parquet = "datasets" (the folder each run's dataset goes to) and key_file =
    "sendcheck.key" (the pseudonymisation key), both relative to the configuration file."""
    _check_table(table, EXPORT_KEYS, path, "export")
    for key in EXPORT_KEYS:
        if key in table:
            if not table[key].strip():
                raise _fail(path, f"export.{key}", "expected a path, e.g. \"datasets\"")
            setattr(config, f"export_{key}", str(path.parent / table[key].strip()))


def _parse_suppress(items: list, path: Path) -> list[Suppression]:
    out = []
    for i, item in enumerate(items):
        where = f"suppress[{i + 1}]"
        if not isinstance(item, dict):
            raise _fail(path, where, "expected a [[suppress]] table")
        _check_table(item, SUPPRESS_KEYS, path, where)
        for key in ("record_id", "rule", "reason"):
            if not str(item.get(key, "")).strip():
                raise _fail(path, f"{where}.{key}",
                            "required: each suppression names the record, the rule and the reason")
        kind = item.get("kind")
        if kind is not None and kind not in ADVICE_KINDS:
            raise _fail(path, f"{where}.kind", f"{kind!r} is not one of {', '.join(ADVICE_KINDS)}")
        out.append(Suppression(item["record_id"].strip(), item["rule"].strip().upper(),
                               item["reason"].strip(), kind, where))
    return out


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
            ok = isinstance(item, (str, int)) and not isinstance(item, bool)
            text = str(item).strip().upper() if ok else None
            if not ok:
                raise _fail(path, "phase_transfer.years", f"expected year groups as text or whole "
                            f"numbers, found {type(item).__name__}")
            if text not in SCHOOL_TRANSFER_YEARS:
                raise _fail(path, "phase_transfer.years", f"{item!r} is not a school transfer "
                            f"point (allowed: {', '.join(SCHOOL_TRANSFER_YEARS)})")
            years.append(text)
        config.school_transfer_years = tuple(dict.fromkeys(years))


def _forecast_target(section: dict, path: Path) -> float | None:
    """[forecast] target = 60: a percentage from 1 to 100 (a share such as 0.6 is refused rather
    than read as 0.6%)."""
    for key in section:
        if key != "target":
            raise _fail(path, f"forecast.{key}", "unknown key (allowed: target)")
    if "target" not in section:
        return None
    value = section["target"]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(path, "forecast.target", f"expected a percentage (a number such as 60 or "
                    f"46.1), found {type(value).__name__} {value!r}")
    if not 1 <= value <= 100:
        raise _fail(path, "forecast.target", f"expected a percentage from 1 to 100, found "
                    f"{value!r}" + (" (give 60 for 60%, not 0.6)" if 0 < value < 1 else ""))
    return float(value)


def load_config(explicit: str | Path | None = None, inputs: list[Path] | None = None) -> Config:
    """--config when given, else the file find_config finds, else the defaults (Config.path None)."""
    path = Path(explicit) if explicit else find_config(inputs=inputs)
    if path is None:
        return Config()
    from sendcheck.read.limits import SMALL_FILE_BYTES, read_input

    text = read_input(path, "configuration ", SMALL_FILE_BYTES)
    try:
        data = tomllib.loads(text.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SendcheckError(f"{path.name}: not valid TOML ({exc})") from None
    except ValueError:  # an integer of over 4,300 digits: Python refuses to convert it
        raise SendcheckError(f"{path.name}: a number too long to read (thousands of digits); "
                             f"check the values in the file") from None
    return parse_config(data, path)
