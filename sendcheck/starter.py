"""`sendcheck init FILE`: a starter sendcheck.toml written from an export's headers.

What sendcheck recognises is listed (commented, for reference); each header it does not
recognise gets a commented-out `[columns]` line, with a guess at the canonical column where one
is close; values it does not know in coded columns get commented-out `[values]` lines. The
analyst removes the `#` from the lines that are right, and the export then maps.
"""

from __future__ import annotations

import csv
import difflib
import json
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

from sendcheck.columns import ADVICE_KINDS, BY_NAME, COLUMNS, PERSONAL, VALUES, normalise_header
from sendcheck.errors import SendcheckError
from sendcheck.views.files import display_name

WORD_CUTOFF = 0.5  # share of words in common with an alias for a guess
GUESS_CUTOFF = 0.85  # else a near spelling (difflib ratio), e.g. "Date Reqest Recieved"
TYPO_LETTERS = 2  # a near spelling differs in length by at most this many letters
# Words that say nothing about which column it is: a shared "date" alone is no evidence.
GENERIC_WORDS = {"date", "no", "id", "number", "of", "the", "to", "by", "for", "dt", "d"}
MAX_VALUES = 20  # unknown values listed per coded column
PREFIX_WEIGHT = 0.9  # "issued" for "issue": nearly, not quite, the same word
# Abbreviations in exports and in the SSD's field names, read as the word they stand for.
SYNONYMS = {"req": "request", "reqs": "requests", "recd": "received", "rcvd": "received",
            "asmt": "assessment", "assmt": "assessment", "ass": "assessment", "dt": "date",
            "decn": "decision", "yr": "year", "ehcna": "assessment"}


@dataclass
class Headers:
    where: str
    mapped: dict[str, str]  # canonical -> header as written
    unmapped: list[str]
    unknown_values: dict[str, list[str]]  # canonical coded column -> values not recognised


def _tokens(text: str) -> set[str]:
    """The words of a header or alias: SEN2's tags split at their capitals ("RequestOutcomeDate"),
    abbreviations read as the word (SYNONYMS)."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)
    return {SYNONYMS.get(t, t) for t in re.split(r"[^0-9a-z]+", spaced.lower()) if t}


def _same_word(a: str, b: str) -> bool:
    """"final" and "finalised", "request" and "requested": one word the start of the other."""
    return a == b or (min(len(a), len(b)) >= 4 and (a.startswith(b) or b.startswith(a)))


def _word_score(header: set[str], alias: set[str]) -> float:
    """Words in common over the header's words plus the alias's distinctive words it lacks:
    "Plan Finalised" is closer to "Final Plan Date" (only the generic "date" missing) than to
    "Reassessment Plan Finalised" (the telling word "reassessment" missing).

    A word in the header itself counts 1, a longer or shorter form of it 0.9: "Date Decision To
    Assess Issued" is "Date Decision to Assess" (four words as written) before "Date Decision to
    Issue" (three, and "issued" for "issue")."""
    weight = {a: max((1.0 if a == h else PREFIX_WEIGHT if _same_word(a, h) else 0.0)
                     for h in header) for a in alias} if header else {}
    shared = {a for a, w in weight.items() if w}
    if not shared - GENERIC_WORDS:
        return 0.0
    return sum(weight[a] for a in shared) / (len(header) + len(alias - shared - GENERIC_WORDS))


def guess_column(header: str, taken: set[str]) -> str | None:
    """The canonical column whose name or alias is closest to the header, if close enough:
    most words in common (a word and its longer form count as one), else a near spelling.

    Personal-data columns are never guessed: mapping one is a decision, not a convenience."""
    key = normalise_header(header)
    if not key:
        return None
    names = {alias: c.name for c in COLUMNS if c.name not in taken and c.name not in PERSONAL
             for alias in (c.name, *c.aliases)}
    words = _tokens(header)
    scored = sorted(((_word_score(words, _tokens(a)), a) for a in names), reverse=True)
    if scored and scored[0][0] >= WORD_CUTOFF:
        alias = scored[0][1]
        theirs = _tokens(alias)
        telling = words - GENERIC_WORDS
        unexplained = {w for w in telling if not any(_same_word(w, a) for a in theirs)}
        # Most of the header's telling words must be the column's: "Date Decision To Assess
        # Issued" is the decision to assess ("issued": one telling word in three unexplained);
        # "New start date" is not a plan's start date ("new": one in two).
        if len(unexplained) * 3 <= len(telling):
            return names[alias]
    # A near spelling is a typo ("Fnal Plan Isued"), a letter or two astray, never a word more or
    # less ("New start date" is not "Start Date").
    spelled = {a: col for a, col in ((normalise_header(a), col) for a, col in names.items())
               if abs(len(a) - len(key)) <= TYPO_LETTERS}
    best = difflib.get_close_matches(key, list(spelled), n=1, cutoff=GUESS_CUTOFF)
    return spelled[best[0]] if best else None


def guess_value(column: str, value: str) -> str | None:
    table = VALUES[column]
    best = difflib.get_close_matches(normalise_header(value), list(table), n=1, cutoff=0.8)
    return table[best[0]] if best else None


def _raw_header(path: Path, sheet: str | None) -> list[str]:
    """The first non-blank row of the file, for an export whose header sendcheck cannot find."""
    from sendcheck.read.sheets import DELIMITERS, check_xlsx, decode_text, pick_sheet

    from sendcheck.read.limits import read_input

    data = read_input(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import fastexcel

        book = check_xlsx(path, data)
        index, _, _ = pick_sheet(book, sheet, path.name)
        reader = fastexcel.read_excel(book.data)
        frame = reader.load_sheet(index, header_row=None, dtypes="string", n_rows=30).to_polars()
        rows = [[c for c in r] for r in frame.iter_rows()]
    else:
        text, _ = decode_text(data, path.name)
        lines = [ln for ln in text.splitlines()[:30] if ln.strip()]
        delim = max(DELIMITERS, key=lambda d: len(next(csv.reader(lines[:1], delimiter=d), [])))
        rows = list(csv.reader(lines, delimiter=delim))
    for r in rows:
        cells = [str(c).strip() for c in r if c is not None and str(c).strip()]
        if cells:
            return cells
    raise SendcheckError(f"{path.name}: no header row found (the first rows are blank)")


def read_headers(path: Path, sheet: str | None = None) -> Headers:
    """Headers of an export with the built-in aliases only (no sendcheck.toml)."""
    from sendcheck.read.export import read_export

    try:
        table = read_export(path, sheet=sheet)
    except SendcheckError as exc:
        if "no recognisable column header" not in str(exc):
            raise
        return Headers(display_name(path.name), {}, _raw_header(path, sheet), {})
    unknown: dict[str, list[str]] = {}
    for column in VALUES:
        if column not in table.frame.columns:
            continue
        seen = table.frame.get_column(column).drop_nulls().str.strip_chars().unique(
            maintain_order=True).to_list()
        odd = [v for v in seen if v and normalise_header(v) not in VALUES[column]]
        if odd:
            unknown[column] = odd[:MAX_VALUES]
    where = display_name(path.name) + (f" (sheet {table.sheet!r})" if table.sheet else "")
    return Headers(where, table.mapping, table.unmapped, unknown)


def _q(text: str) -> str:
    """A TOML basic string (JSON's escapes are valid TOML; TOML also forbids a raw DEL)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def starter_toml(headers: Headers, needed: dict[str, list[str]]) -> str:
    """The file's text. `needed` maps canonical column -> rule codes that read it."""
    out = [
        (f"# sendcheck.toml: local settings for sendcheck, started by `sendcheck init` from "
        f"{headers.where}."),
        "# sendcheck uses the sendcheck.toml in the folder it runs in, or the nearest folder above,",
        "# or the one given with --config. Statutory time limits are not set here: they are the",
        "# law (`sendcheck rules` lists them). A local variation needs its own rule file.",
        "",
    ]
    if headers.mapped:
        out.append("# Headers sendcheck recognised without help (nothing to do):")
        out += [f"#   {_q(h)} -> {c}" for c, h in headers.mapped.items()]
        out.append("")
    out += ["[columns]"]
    taken = set(headers.mapped)
    if headers.unmapped:
        out += ["# Headers sendcheck did not recognise. For each one that holds a column below,",
                "# remove the '#' and check the name on the right (a guess where one is given).",
                "# Then run `sendcheck columns FILE` to see the result.",
                *textwrap.wrap("Columns: " + ", ".join(c.name for c in COLUMNS), 96,
                               initial_indent="# ", subsequent_indent="#   ")]
        width = max(len(_q(h)) for h in headers.unmapped)
        for header in headers.unmapped:
            guess = guess_column(header, taken)
            if guess:
                taken.add(guess)
            note = "# a guess: check it" if guess else "# no guess: name a column, or leave it"
            out.append(f"# {_q(header):<{width}} = {_q(guess or ''):<27} {note}")
    else:
        out.append("# Every header was recognised.")
    missing = {c: codes for c, codes in needed.items() if c not in taken}
    advice = [c for c in missing if c.startswith("advice_")]
    if len(advice) < 2 * len(ADVICE_KINDS):
        missing = {c: v for c, v in missing.items() if not c.startswith("advice_")}
    else:  # no advice column at all: one line, not ten
        missing = {c: v for c, v in missing.items() if not c.startswith("advice_")}
        missing["advice_<kind>_requested_date and advice_<kind>_received_date"] = needed[advice[0]]
    if missing:
        out += ["", "# No header provides these columns, so the rules that read them are skipped:"]
        out += [f"#   {c} ({', '.join(codes)})" for c, codes in missing.items()]
    for column, values in headers.unknown_values.items():
        allowed = sorted(set(VALUES[column].values()))
        out += ["", f"[values.{column}]",
                (f"# Values in {_q(headers.mapped[column])} that sendcheck does not know "
                f"(allowed: {', '.join(allowed)})."),
                ("# Remove the '#' from each line that is right; a value left unmapped is "
                "reported (DQ10).")]
        for value in values:
            guess = guess_value(column, value)
            out.append(f"# {_q(value)} = {_q(guess or '')}"
                       + ("  # a guess: check it" if guess else ""))
    out += [
        "",
        "[audit]",
        "# due_within = 28        # days ahead that count as due soon (--due-within)",
        "# select = [\"AS\"]        # only these rule codes; prefixes allowed (--select)",
        "# ignore = [\"AS04\"]      # skip these rule codes (--ignore)",
        "",
        "# Each run as a pseudonymised Parquet dataset, for a consortium's `sendcheck hub`",
        "# (needs [authority] code). Ids are replaced by keyed hashes; the key file (written by",
        "# `sendcheck init`) stays here and is never shared.",
        "# [export]",
        "# parquet = \"datasets\"",
        "# key_file = \"sendcheck.key\"",
        "",
        "# The council's school and early years closures (CSV: start, end, optional setting and",
        "# name): checks school-closure exceptions (DQ40) and marks cases due in a closure.",
        "# [term_dates]",
        "# file = \"term_dates.csv\"",
        "",
        "# The authority this export is about: DfE's old (three-digit) or new code, or its name.",
        "# Its published 20-week figure, region and statistical neighbours are shown beside yours.",
        "# [authority]",
        "# code = \"941\"          # e.g. West Northamptonshire (E06000062)",
        "",
        "# A finding the team has investigated: listed apart with the reason, and not counted",
        "# towards --fail-on or the final line. One [[suppress]] table per finding; the reason is",
        "# required. A suppression that matches nothing is reported, so stale ones can be removed.",
        "# [[suppress]]",
        "# record_id = \"R-1042\"",
        "# rule = \"AS05\"",
        "# reason = \"Final plan issued 03/02/2025 on paper; system corrected in the next export\"",
        "",
    ]
    return "\n".join(out)


def columns_needed() -> dict[str, list[str]]:
    """Canonical column -> the rules that need it (personal columns left out)."""
    from sendcheck.judge.rulebook import load_rules

    needed: dict[str, list[str]] = {}
    for rule in load_rules():
        for kind in rule.kinds or (None,):
            for col in rule.columns(kind):
                if col in BY_NAME and col not in PERSONAL:
                    codes = needed.setdefault(col, [])
                    if rule.code not in codes:
                        codes.append(rule.code)
    return needed


def write_starter(export: Path, target: Path, sheet: str | None = None, force: bool = False
                  ) -> tuple[Headers, str]:
    from sendcheck.views.files import write_atomic

    if target.exists() and not force:
        raise SendcheckError(f"{target} already exists; give --force to replace it")
    headers = read_headers(export, sheet)
    text = starter_toml(headers, columns_needed())
    write_atomic(target, text)
    return headers, text
