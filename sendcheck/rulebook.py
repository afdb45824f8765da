"""Loading and strictly validating the declarative rule files (rules/*.toml).

A rule file states a statutory time limit as data: its code, legal source, start and end
events, limit, the exceptions it allows, when it applies, and worked examples. Nothing in a rule
file is evaluated as code: conditions use a fixed vocabulary (see CONDITION_KEYS).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sendcheck.columns import ADVICE_KINDS, BY_NAME, VALUES
from sendcheck.durations import Duration
from sendcheck.errors import SendcheckError

SEVERITIES = ("error", "warning")
MODES = ("deadline", "earliest")
EXCEPTION_REASONS = tuple(sorted(set(VALUES["exception_reason"].values())))
# Conditions: {column = "...", in = [...]} (value in list), {column = "...", present = true|false}.
CONDITION_KEYS = {"column", "in", "present", "reason"}

REQUIRED = {
    "code": str, "name": str, "title": str, "severity": str, "why": str, "action": str,
    "limit": str, "start": str, "end": str, "done_text": str, "missing_text": str,
    "source": dict, "examples": list,
}
OPTIONAL = {
    "mode": str, "exceptions": list, "flag_excepts": bool, "requires": list, "uses": list,
    "not_applicable": list, "applies": list, "kinds": list, "notes": str,
}
SOURCE_KEYS = {"instrument": str, "provision": str, "url": str}
EXAMPLE_KEYS = {"title", "row", "as_of", "status", "due"}


@dataclass(frozen=True)
class Condition:
    column: str
    values: tuple[str, ...] | None = None
    present: bool | None = None
    reason: str = ""


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    title: str
    severity: str
    why: str
    action: str
    limit: Duration
    start: str
    end: str
    done_text: str
    missing_text: str
    instrument: str
    provision: str
    url: str
    examples: tuple[dict, ...]
    mode: str = "deadline"
    exceptions: tuple[str, ...] = ()
    flag_excepts: bool = False
    requires: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    not_applicable: tuple[Condition, ...] = ()
    applies: tuple[Condition, ...] = ()
    kinds: tuple[str, ...] = ()
    notes: str = ""
    path: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def source(self) -> str:
        return f"{self.instrument} {self.provision}"

    def for_kind(self, kind: str | None) -> tuple[str, str]:
        """Start and end column for one advice kind (or the rule's own when it has no kinds)."""
        if kind is None:
            return self.start, self.end
        return self.start.format(kind=kind), self.end.format(kind=kind)

    def columns(self, kind: str | None = None) -> tuple[str, ...]:
        """Columns that must be present for the rule (or one of its kinds) to run."""
        start, end = self.for_kind(kind)
        return tuple(dict.fromkeys((start, end, *self.requires)))


def _where(path: Path, key: str) -> str:
    return f"rule file {path.name}: {key}"


def _check_keys(path: Path, table: dict, allowed: dict | set, prefix: str = "") -> None:
    for key in table:
        if key not in allowed:
            names = ", ".join(sorted(allowed))
            raise SendcheckError(
                f"{_where(path, prefix + key)}: unknown key {key!r} (allowed: {names})")


def _typed(path: Path, table: dict, key: str, kind: type, prefix: str = ""):
    value = table[key]
    if not isinstance(value, kind):
        raise SendcheckError(
            f"{_where(path, prefix + key)}: expected {kind.__name__}, found {type(value).__name__}")
    return value


def _known_column(path: Path, key: str, name: str) -> None:
    resolved = [name.format(kind=k) for k in ADVICE_KINDS] if "{kind}" in name else [name]
    for col in resolved:
        if col not in BY_NAME:
            raise SendcheckError(f"{_where(path, key)}: unknown column {col!r}")


def _conditions(path: Path, items: list, key: str) -> tuple[Condition, ...]:
    out = []
    for i, item in enumerate(items):
        where = f"{key}[{i}]."
        if not isinstance(item, dict):
            raise SendcheckError(f"{_where(path, key)}[{i}]: expected a table")
        _check_keys(path, item, CONDITION_KEYS, where)
        if "column" not in item:
            raise SendcheckError(f"{_where(path, where + 'column')}: missing")
        _known_column(path, where + "column", item["column"])
        if ("in" in item) == ("present" in item):
            raise SendcheckError(f"{_where(path, key)}[{i}]: give exactly one of 'in' or 'present'")
        values = tuple(item["in"]) if "in" in item else None
        out.append(Condition(item["column"], values, item.get("present"), item.get("reason", "")))
    return tuple(out)


def load_rule(path: Path) -> Rule:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SendcheckError(f"rule file {path.name}: not valid TOML ({exc})") from None
    _check_keys(path, data, REQUIRED | OPTIONAL)
    for key, kind in REQUIRED.items():
        if key not in data:
            raise SendcheckError(f"{_where(path, key)}: missing (every rule file needs it)")
        _typed(path, data, key, kind)
    for key, kind in OPTIONAL.items():
        if key in data:
            _typed(path, data, key, kind)
    source = data["source"]
    _check_keys(path, source, SOURCE_KEYS, "source.")
    for key in SOURCE_KEYS:
        if key not in source:
            raise SendcheckError(f"{_where(path, 'source.' + key)}: missing (the legal source)")
        _typed(path, source, key, str, "source.")
    if not source["url"].startswith("https://"):
        raise SendcheckError(f"{_where(path, 'source.url')}: expected an https:// link")
    code = data["code"]
    if path.stem != code:
        raise SendcheckError(f"{_where(path, 'code')}: {code!r} does not match the file name")
    if data["severity"] not in SEVERITIES:
        raise SendcheckError(f"{_where(path, 'severity')}: expected one of {', '.join(SEVERITIES)}")
    mode = data.get("mode", "deadline")
    if mode not in MODES:
        raise SendcheckError(f"{_where(path, 'mode')}: expected one of {', '.join(MODES)}")
    try:
        limit = Duration.parse(data["limit"])
    except ValueError as exc:
        raise SendcheckError(f"{_where(path, 'limit')}: {exc}") from None
    for key in ("start", "end"):
        _known_column(path, key, data[key])
    for key in ("requires", "uses"):
        for col in data.get(key, []):
            _known_column(path, key, col)
    for reason in data.get("exceptions", []):
        if reason not in EXCEPTION_REASONS:
            raise SendcheckError(
                f"{_where(path, 'exceptions')}: unknown reason {reason!r} "
                f"(known: {', '.join(EXCEPTION_REASONS)})")
    kinds = tuple(data.get("kinds", []))
    for kind in kinds:
        if kind not in ADVICE_KINDS:
            raise SendcheckError(f"{_where(path, 'kinds')}: unknown kind {kind!r}")
    if bool(kinds) != ("{kind}" in data["start"]):
        raise SendcheckError(f"{_where(path, 'kinds')}: kinds and a {{kind}} start go together")
    examples = data["examples"]
    if not examples:
        raise SendcheckError(f"{_where(path, 'examples')}: give at least one worked example")
    for i, ex in enumerate(examples):
        _check_keys(path, ex, EXAMPLE_KEYS, f"examples[{i}].")
        for key in ("title", "row", "as_of", "status"):
            if key not in ex:
                raise SendcheckError(f"{_where(path, f'examples[{i}].{key}')}: missing")
    return Rule(
        code=code, name=data["name"], title=data["title"], severity=data["severity"],
        why=data["why"], action=data["action"], limit=limit, start=data["start"],
        end=data["end"], done_text=data["done_text"], missing_text=data["missing_text"],
        instrument=source["instrument"], provision=source["provision"], url=source["url"],
        examples=tuple(examples), mode=mode, exceptions=tuple(data.get("exceptions", [])),
        flag_excepts=data.get("flag_excepts", False), requires=tuple(data.get("requires", [])),
        uses=tuple(data.get("uses", [])),
        not_applicable=_conditions(path, data.get("not_applicable", []), "not_applicable"),
        applies=_conditions(path, data.get("applies", []), "applies"),
        kinds=kinds, notes=data.get("notes", ""), path=str(path),
    )


def rules_dir() -> Path:
    """rules/ inside the installed package, else the repository's top-level rules/."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "rules", here.parent / "rules"):
        if candidate.is_dir():
            return candidate
    raise SendcheckError("no rules/ folder found beside the sendcheck package (broken install?)")


def load_rules(extra: Path | None = None) -> list[Rule]:
    """The built-in rules, plus a council's own rule files (local variations) from `extra`."""
    folders = [rules_dir()] + ([extra] if extra else [])
    rules = []
    for folder in folders:
        if not folder.is_dir():
            raise SendcheckError(f"{folder}: no such rules folder")
        found = [load_rule(p) for p in sorted(folder.glob("*.toml"))]
        if not found:
            raise SendcheckError(f"no rule files (*.toml) in {folder}")
        rules += found
    codes: dict[str, str] = {}
    names: dict[str, str] = {}
    for rule in rules:
        if rule.code in codes:  # codes are never reused: a local rule needs a code of its own
            raise SendcheckError(f"rule file {rule.path}: code {rule.code} is already used by {codes[rule.code]}")
        if rule.name in names:
            raise SendcheckError(f"rule file {rule.path}: name {rule.name!r} is also {names[rule.name]}")
        codes[rule.code], names[rule.name] = rule.path, rule.code
    return rules


def select_rules(rules: list[Rule], select: list[str] | None, ignore: list[str] | None) -> list[Rule]:
    """--select / --ignore by code or prefix (`AS` selects AS01–AS05)."""
    known = {r.code for r in rules}

    def matches(rule: Rule, patterns: list[str]) -> bool:
        return any(rule.code.startswith(p.upper()) for p in patterns)

    for pattern in (select or []) + (ignore or []):
        if not any(code.startswith(pattern.upper()) for code in known) and not pattern.upper().startswith("DQ"):
            raise SendcheckError(f"--select/--ignore: no rule code starts with {pattern!r}")
    out = [r for r in rules if not select or matches(r, select)]
    return [r for r in out if not ignore or not matches(r, ignore)]
