"""Loading and strictly validating the declarative rule files (rules/*.toml).

A rule file states a statutory time limit as data: its code, legal source, start and end
events, limit, the exceptions it allows, when it applies, and worked examples. Nothing in a rule
file is evaluated as code: conditions use a fixed vocabulary (see CONDITION_KEYS).
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

from sendcheck.columns import ADVICE_KINDS, BY_NAME, VALUES
from sendcheck.errors import SendcheckError
from sendcheck.read.limits import SMALL_FILE_BYTES, read_input
from sendcheck.judge.anchors import ANCHORS, ENDINGS
from sendcheck.judge.durations import Duration, FixedDay, parse_limit

SEVERITIES = ("error", "warning")
# deadline: due = start + limit; earliest: the end no earlier than start + limit (a minimum gap);
# before: due = start - limit, the start being the event the duty must precede (reg 18(2): at
# least 5 months before a move between post-16 institutions).
MODES = ("deadline", "earliest", "before")
EXCEPTION_REASONS = tuple(sorted(set(VALUES["exception_reason"].values())))
# Conditions: {column = "...", in = [...]} (value in list), {column = "...", present = true|false},
# {column = "...", before = "..."} / {column = "...", on_or_after = "..."} (both dates recorded and
# in that order; either may be a derived date from sendcheck.anchors), {in_force = true} (the plan
# was issued by the due date; a plan that ceased is handled by `ends_with = ["plan_ceased"]`),
# {age_under = N} (birth_date less than N years before the start), {due_before = "..."} (the
# rule's own due date is before that recorded date: a duty of a plan transferred in that fell due
# before the transfer was the previous authority's, contract section 3).
# `undated_outcome` lists conditions saying the end event happened although its date is blank
# (an outcome recorded without its date): the pair is `invalid` with the condition's reason,
# never `overdue` (contract section 3).
# `ends_with` names events that end the duty before it is done (sendcheck.anchors.ENDINGS): a
# duty whose due date passed before it ended is `missed`, one due on or after it `not_applicable`.
CONDITION_KEYS = {"column", "in", "present", "reason", "before", "on_or_after", "in_force",
                  "age_under", "due_before"}
CONDITION_TESTS = ("in", "present", "before", "on_or_after", "in_force", "age_under",
                   "due_before")
PER = ("episode", "review")
LATER_OF_KEYS = {"start": str, "limit": str}

REQUIRED = {
    "code": str, "name": str, "title": str, "severity": str, "why": str, "action": str,
    "limit": str, "start": str, "end": str, "done_text": str, "missing_text": str,
    "source": dict, "examples": list,
}
OPTIONAL = {
    "mode": str, "exceptions": list, "flag_excepts": bool, "requires": list, "uses": list,
    "not_applicable": list, "applies": list, "kinds": list, "notes": str,
    "later_of": dict, "per": str, "ends_with": list, "undated_outcome": list,
}
SOURCE_KEYS = {"instrument": str, "provision": str, "url": str}
EXAMPLE_KEYS = {"title", "row", "as_of", "status", "due"}


@dataclass(frozen=True)
class Condition:
    column: str
    values: tuple[str, ...] | None = None
    present: bool | None = None
    reason: str = ""
    before: str | None = None
    on_or_after: str | None = None
    in_force: bool = False
    age_under: int | None = None
    due_before: bool = False  # the rule's due date is before `column` (a recorded date)

    def columns(self) -> tuple[str, ...]:
        """Columns the condition cannot be judged without (the rule is skipped when absent)."""
        if self.in_force:
            return ("final_plan_date",)
        if self.age_under is not None:
            return ("birth_date",)
        return ()


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    title: str
    severity: str
    why: str
    action: str
    limit: Duration | FixedDay
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
    later_of: tuple[str, Duration] | None = None  # due = the later of start + limit and this
    per: str = "episode"  # "review": with --reviews, judged once per review cycle
    ends_with: tuple[str, ...] = ()  # sendcheck.anchors.ENDINGS that end the duty undone
    undated_outcome: tuple[Condition, ...] = ()  # the end happened, its date is blank: invalid

    @property
    def limit_label(self) -> str:
        """The limit as messages name it: `20-week`, `14 February`, `later-of-3-month/12-month`."""
        if self.later_of:
            return f"later-of-{self.limit.label}/{self.later_of[1].label}"
        return self.limit.label

    def anchors(self, kind: str | None = None) -> list:
        """The derived dates (sendcheck.anchors) the rule's start, end and conditions name."""
        names = [*self.for_kind(kind), *(self.later_of[:1] if self.later_of else ())]
        for cond in (*self.not_applicable, *self.applies, *self.undated_outcome):
            names += [cond.column, cond.before, cond.on_or_after]
        return [ANCHORS[n] for n in dict.fromkeys(names) if n in ANCHORS]

    def needs_any(self, kind: str | None = None) -> list[tuple[str, ...]]:
        """Groups of columns of which at least one must be present."""
        return [a.needs_any for a in self.anchors(kind) if a.needs_any]

    def reads(self, kind: str | None = None) -> tuple[str, ...]:
        """Every column the rule may read, required or not."""
        extra = [c for a in self.anchors(kind) for c in a.columns()]
        conds = [c for cond in (*self.not_applicable, *self.applies, *self.undated_outcome)
                 for c in (cond.column, cond.before, cond.on_or_after) if c in BY_NAME]
        ends = [c for e in self.ends_with for c in ENDINGS[e].reads]
        return tuple(dict.fromkeys((*self.columns(kind), *self.uses, *extra, *conds, *ends)))

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
        dates = [*self.for_kind(kind), *(self.later_of[:1] if self.later_of else ())]
        own = [d for d in dates if d not in ANCHORS]
        derived = [c for a in self.anchors(kind) for c in a.needs]
        conds = [c for cond in (*self.not_applicable, *self.applies) for c in cond.columns()]
        return tuple(dict.fromkeys((*own, *derived, *self.requires, *conds)))


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


def _known_column(path: Path, key: str, name: str, derived: bool = False) -> None:
    if derived and name in ANCHORS:
        return
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
        tests = [t for t in CONDITION_TESTS if t in item]
        if len(tests) != 1:
            raise SendcheckError(
                f"{_where(path, key)}[{i}]: give exactly one of {', '.join(CONDITION_TESTS)}")
        test = tests[0]
        if test == "due_before":
            if "column" in item:
                raise SendcheckError(f"{_where(path, where + 'column')}: not used with {test!r}")
            column = _typed(path, item, test, str, where)
            _known_column(path, where + test, column)
            if BY_NAME[column].kind != "date":
                raise SendcheckError(f"{_where(path, where + test)}: {column!r} is not a date")
        elif test in ("in_force", "age_under"):
            if "column" in item:
                raise SendcheckError(f"{_where(path, where + 'column')}: not used with {test!r}")
            if test == "in_force" and item["in_force"] is not True:
                raise SendcheckError(f"{_where(path, where + 'in_force')}: expected true")
            if test == "age_under" and (type(item["age_under"]) is not int
                                        or not 1 <= item["age_under"] <= 25):
                raise SendcheckError(f"{_where(path, where + 'age_under')}: expected years, 1-25")
            column = "final_plan_date" if test == "in_force" else "birth_date"
        else:
            if "column" not in item:
                raise SendcheckError(f"{_where(path, where + 'column')}: missing")
            column = item["column"]
            dated = test in ("before", "on_or_after")
            _known_column(path, where + "column", column, derived=dated)
            if test == "in" and not isinstance(item["in"], list):
                raise SendcheckError(f"{_where(path, where + 'in')}: expected a list")
            if test == "present" and not isinstance(item["present"], bool):
                raise SendcheckError(f"{_where(path, where + 'present')}: expected true or false")
            if dated:
                _typed(path, item, test, str, where)
                _known_column(path, where + test, item[test], derived=True)
                for name in (column, item[test]):
                    if name in BY_NAME and BY_NAME[name].kind != "date":
                        raise SendcheckError(f"{_where(path, where + test)}: {name!r} is not a date")
        values = tuple(item["in"]) if "in" in item else None
        out.append(Condition(column, values, item.get("present"), item.get("reason", ""),
                             item.get("before"), item.get("on_or_after"),
                             item.get("in_force", False), item.get("age_under"),
                             test == "due_before"))
    return tuple(out)


# Parsed rule files by (path, modification time, size): a rule file is parsed once per process
# however many audits run (the per-rule fixture tests run hundreds), and re-read when it changes.
_PARSED: dict[tuple[str, int, int], Rule] = {}


def load_rule(path: Path) -> Rule:
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _PARSED:
        _PARSED[key] = _parse_rule(path)
    return _PARSED[key]


def _parse_rule(path: Path) -> Rule:
    try:
        data = tomllib.loads(read_input(path, "rule file ", SMALL_FILE_BYTES).decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SendcheckError(f"rule file {path.name}: not valid TOML ({exc})") from None
    except ValueError:  # an integer of over 4,300 digits
        raise SendcheckError(f"rule file {path.name}: a number too long to read") from None
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
        limit = parse_limit(data["limit"])
    except ValueError as exc:
        raise SendcheckError(f"{_where(path, 'limit')}: {exc}") from None
    if isinstance(limit, FixedDay) and mode != "deadline":
        raise SendcheckError(f"{_where(path, 'limit')}: a fixed day is a deadline, not a minimum")
    if mode == "before" and (limit.unit == "wd" or data["start"] in ANCHORS):
        raise SendcheckError(f"{_where(path, 'mode')}: 'before' needs a recorded start date and "
                             f"a limit in weeks, days or months")
    for key in ("start", "end"):
        _known_column(path, key, data[key], derived=True)
    later_of = None
    if "later_of" in data:
        later = data["later_of"]
        _check_keys(path, later, LATER_OF_KEYS, "later_of.")
        for key in LATER_OF_KEYS:
            if key not in later:
                raise SendcheckError(f"{_where(path, 'later_of.' + key)}: missing")
            _typed(path, later, key, str, "later_of.")
        _known_column(path, "later_of.start", later["start"], derived=True)
        try:
            later_limit = Duration.parse(later["limit"])
        except ValueError as exc:
            raise SendcheckError(f"{_where(path, 'later_of.limit')}: {exc}") from None
        if mode != "deadline" or not isinstance(limit, Duration):
            raise SendcheckError(f"{_where(path, 'later_of')}: only for a deadline in weeks, "
                                 f"days or months")
        later_of = (later["start"], later_limit)
    per = data.get("per", "episode")
    if per not in PER:
        raise SendcheckError(f"{_where(path, 'per')}: expected one of {', '.join(PER)}")
    for key in ("requires", "uses"):
        for col in data.get(key, []):
            _known_column(path, key, col)
    for reason in data.get("exceptions", []):
        if reason not in EXCEPTION_REASONS:
            raise SendcheckError(
                f"{_where(path, 'exceptions')}: unknown reason {reason!r} "
                f"(known: {', '.join(EXCEPTION_REASONS)})")
    for name in data.get("ends_with", []):
        if name not in ENDINGS:
            raise SendcheckError(f"{_where(path, 'ends_with')}: unknown ending {name!r} "
                                 f"(known: {', '.join(ENDINGS)})")
    if data.get("ends_with") and mode == "earliest":
        raise SendcheckError(f"{_where(path, 'ends_with')}: not for a minimum gap (it is never "
                             f"missed)")
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
        kinds=kinds, notes=data.get("notes", ""), path=str(path), later_of=later_of, per=per,
        ends_with=tuple(data.get("ends_with", [])),
        undated_outcome=_conditions(path, data.get("undated_outcome", []), "undated_outcome"),
    )


def rules_dir() -> Path:
    """rules/ inside the installed package, else the repository's top-level rules/."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "rules", package.parent / "rules"):
        if candidate.is_dir():
            return candidate
    raise SendcheckError("no rules/ folder found beside the sendcheck package (broken install?)")


@functools.lru_cache(maxsize=8)
def _load_files(files: tuple[tuple[Path, int, int], ...]) -> tuple[Rule, ...]:
    """Rule files, read once per process while they are unchanged (path, mtime, size): an audit
    asks for the rulebook several times (the engine, the measures, DQ06)."""
    return tuple(load_rule(path) for path, _, _ in files)


def load_rules(extra: Path | None = None) -> list[Rule]:
    """The built-in rules, plus a council's own rule files (local variations) from `extra`."""
    folders = [rules_dir()] + ([extra] if extra else [])
    rules = []
    for folder in folders:
        if not folder.is_dir():
            raise SendcheckError(f"{folder}: no such rules folder")
        paths = sorted(folder.glob("*.toml"))
        found = list(_load_files(tuple((p, p.stat().st_mtime_ns, p.stat().st_size)
                                       for p in paths)))
        if not found:
            raise SendcheckError(f"no rule files (*.toml) in {folder}")
        if folder is extra:
            for rule in found:  # DQnn are the data-quality checks' codes (--select DQ, rules DQnn)
                if rule.code.upper().startswith("DQ"):
                    raise SendcheckError(f"rule file {rule.path}: code {rule.code}: DQ codes "
                                         f"are the data-quality checks'; give the rule another "
                                         f"prefix (e.g. LC01)")
        rules += found
    codes: dict[str, str] = {}
    names: dict[str, str] = {}
    for rule in rules:
        # Codes are never reused, in any letter case (--select matches them case-blind): a
        # local rule needs a code of its own.
        if rule.code.upper() in codes:
            raise SendcheckError(f"rule file {rule.path}: code {rule.code} is already used by "
                                 f"{codes[rule.code.upper()]}")
        if rule.name in names:
            raise SendcheckError(f"rule file {rule.path}: name {rule.name!r} is also {names[rule.name]}")
        codes[rule.code.upper()], names[rule.name] = rule.path, rule.code
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
