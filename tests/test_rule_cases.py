"""Per-rule fixture cases (tests/fixtures/rules/CODE.toml), hand-computed from the regulations.

One parametrised test; ids are CODE-case, so `pytest -k AS05` runs one rule's cases.
"""

from __future__ import annotations

import datetime as dt
import tomllib

import polars as pl
import pytest
from conftest import FIXTURES, audit_rows

from sendcheck.judge.durations import FixedDay
from sendcheck.judge.rulebook import load_rules

CASES = []
for path in sorted((FIXTURES / "rules").glob("*.toml")):
    for case in tomllib.loads(path.read_text(encoding="utf-8"))["cases"]:
        CASES.append(pytest.param(path.stem, case, id=f"{path.stem}-{case['name']}"))


def _result(code: str, case: dict) -> dict:
    audit = audit_rows([case["row"]], case["as_of"], reviews=case.get("reviews"), select=[code])
    res = audit.results.filter(pl.col("rule") == code)
    if "kind" in case:
        res = res.filter(pl.col("kind") == case["kind"])
    if "cycle" in case:  # a review cycle judged from the case's review history
        res = res.filter(pl.col("cycle") == case["cycle"])
    assert res.height == 1, f"expected one result for {code}, got {res.height}"
    return res.row(0, named=True)


@pytest.mark.parametrize("code,case", CASES)
def test_rule_case(code, case):
    got = _result(code, case)
    assert got["status"] == case["status"], got["reason"]
    if "due" in case:
        assert got["due"] == dt.date.fromisoformat(case["due"])
    if "days_over" in case:
        assert got["days_over"] == case["days_over"]
    if "reason" in case:
        assert got["reason"] == case["reason"]


def _missing_kinds(rule) -> list[str]:
    """The kinds of fixture case a rule's file lacks (empty when it covers them all)."""
    path = FIXTURES / "rules" / f"{rule.code}.toml"
    if not path.exists():
        return ["a fixture file"]
    names = {c["name"] for c in tomllib.loads(path.read_text())["cases"]}
    has = lambda test: any(test(n) for n in names)  # noqa: E731
    want = {
        "due-day": "due-day" in names,
        "invalid-*": has(lambda n: n.startswith("invalid")),
        "not-applicable-*": has(lambda n: n.startswith("not-applicable")),
        # the boundary on the other side of the due day: a day late, or (a minimum gap) early
        "day-after / day-before": "day-before" in names if rule.mode == "earliest"
        else "day-after" in names,
        # a limit that can run across 29 February (a fixed day, 14 February or 30 March, cannot)
        "a 29 February case": isinstance(rule.limit, FixedDay)
        or has(lambda n: "leap" in n or "29-february" in n),
        # a reason the rule's law does not allow changes nothing
        "exception-not-allowed": has(lambda n: "not-allowed" in n or "not-an-exception" in n
                                     or n == "no-exceptions"),
    }
    if rule.exceptions or rule.flag_excepts:
        want["an allowed exception (excepted)"] = has(
            lambda n: n.startswith("exception-allowed") or n.endswith("-excepted"))
        # done on the due day with an allowed exception recorded: met, not excepted (end <= due)
        want["exception-on-due-day"] = "exception-on-due-day" in names
    if rule.ends_with:
        want["missed-*"] = has(lambda n: n.startswith("missed"))
    if rule.undated_outcome:  # contract section 3: an outcome recorded without its date
        want["invalid-outcome-without-date*"] = has(
            lambda n: n.startswith("invalid-outcome-without-date"))
    if any(c.due_before for c in rule.not_applicable):  # contract 3: the previous authority's
        want["not-applicable-transferred-in-after-due"] = \
            "not-applicable-transferred-in-after-due" in names
    if rule.code in ("RV01", "RV05", "TR02"):  # cycles judged from a review history
        want["met-with-reviews"] = "met-with-reviews" in names
        want["late-with-reviews"] = "late-with-reviews" in names
    return [kind for kind, ok in want.items() if not ok]


def test_every_rule_has_fixture_cases_covering_the_basics():
    gaps = {rule.code: missing for rule in load_rules() if (missing := _missing_kinds(rule))}
    assert gaps == {}


EXAMPLES = [pytest.param(r, ex, id=f"{r.code}-example-{i}")
            for r in load_rules() for i, ex in enumerate(r.examples)]


@pytest.mark.parametrize("rule,example", EXAMPLES)
def test_rule_file_worked_examples(rule, example):
    audit = audit_rows([example["row"]], example["as_of"], select=[rule.code])
    res = audit.results.filter(pl.col("rule") == rule.code)
    if rule.kinds:
        res = res.filter(pl.col("status") != "not_applicable")
    assert res.height == 1
    got = res.row(0, named=True)
    assert got["status"] == example["status"], got["reason"]
    if "due" in example:
        assert got["due"] == dt.date.fromisoformat(example["due"])
