"""What an input let the rules check: the rules skipped where the export is half there (a renamed
header), and the families of rules wholly absent from it (contract section 7).

A family is the rules sharing a code's letters (AS, RV, TO, ...). Its own columns are those no
rule of another family needs (`ordered_final_plan_date` is shared by Tribunal orders, unopposed
appeals and mediation; `request_received_date` is the assessments' own). A family is in the
export when one of its own columns is; then each of its rules that could not run although the
export has some of the columns it needs (AS05 without `request_received_date`: the final plan
date is there) is *skipped* in the sense of `--fail-on skipped` (which counts those at error
severity, warnings only with --strict), as is any rule chosen with --select that could not run.
A family with none of its own columns, or a rule with none of its columns in a family that is
there (AS02 in an export that records no advice), is listed once as not in this export.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sendcheck.judge.engine import RuleRun
from sendcheck.judge.rulebook import Rule

FAMILIES = {"AS": "EHC needs assessments", "RV": "annual reviews", "PT": "phase transfers",
            "RA": "re-assessments", "TR": "plans transferred in", "TO": "Tribunal orders",
            "UA": "unopposed appeals", "ME": "mediation"}


def family(code: str) -> str:
    """The family a rule code belongs to: its leading letters ("TO08" -> "TO")."""
    return re.match(r"[A-Za-z]*", code).group() or code


def family_title(code: str) -> str:
    f = family(code)
    return FAMILIES.get(f, f)


def _needs(rule: Rule) -> set[str]:
    """Every column the rule reads to run (each advice kind's, and each alternative's)."""
    cols = {c for k in rule.kinds for c in rule.columns(k)} if rule.kinds else set(rule.columns())
    return cols | {c for group in rule.needs_any() for c in group}


def own_columns(rules: list[Rule]) -> dict[str, set[str]]:
    """Per family, the columns no rule of another family needs."""
    needs: dict[str, set[str]] = {}
    for rule in rules:
        needs.setdefault(family(rule.code), set()).update(_needs(rule))
    return {f: cols - set().union(*(c for g, c in needs.items() if g != f))
            for f, cols in needs.items()}


@dataclass(frozen=True)
class Coverage:
    """Which rules ran, which were skipped (each with the columns it lacked), and which
    families were not in the export at all."""

    ran: tuple[str, ...]
    skipped: dict[str, tuple[str, ...]]  # code -> missing columns, in the --fail-on sense
    absent: dict[str, tuple[str, ...]]  # family title (or a rule) -> the codes not in the export

    @property
    def nothing_ran(self) -> bool:
        return not self.ran

    def skipped_line(self) -> str | None:
        """"3 rules skipped (missing request_received_date): AS01, AS03, AS05", or None: said
        before any count of cases, so "0 cases overdue" never stands alone for rules that did
        not run."""
        if not self.skipped:
            return None
        missing = list(dict.fromkeys(c for cols in self.skipped.values() for c in cols))
        n = len(self.skipped)
        return (f"{n} rule{'' if n == 1 else 's'} skipped, not checked (missing "
                f"{', '.join(missing)}): {', '.join(self.skipped)}")

    def absent_line(self) -> str | None:
        """The families wholly absent, said once and quietly."""
        return ("not in this export: " + ", ".join(self.absent)) if self.absent else None


def coverage(runs: list[RuleRun], rulebook: list[Rule], columns: set[str],
             select: list[str] | None = None) -> Coverage:
    """The coverage of `runs` (the rules chosen, planned on the input's `columns`); `rulebook`
    is every rule known, which says which columns are each family's own."""
    own = own_columns(rulebook)
    present = {f for f, cols in own.items() if cols & columns}
    skipped: dict[str, tuple[str, ...]] = {}
    absent: dict[str, list[str]] = {}
    for run in runs:
        if run.skipped is None:
            continue
        code = run.rule.code
        if select is not None or (family(code) in present and _needs(run.rule) & columns):
            skipped[code] = run.skipped
        elif family(code) in present:
            absent.setdefault(f"{code} {run.rule.name}", []).append(code)
        else:
            absent.setdefault(family_title(code), []).append(code)
    return Coverage(tuple(r.rule.code for r in runs if r.skipped is None), skipped,
                    {f: tuple(codes) for f, codes in absent.items()})
