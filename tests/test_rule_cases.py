"""Per-rule fixture cases (tests/fixtures/rules/CODE.toml), hand-computed from the regulations.

One parametrised test; ids are CODE-case, so `pytest -k AS05` runs one rule's cases.
"""

from __future__ import annotations

import datetime as dt
import tomllib

import polars as pl
import pytest
from conftest import FIXTURES, audit_rows

from sendcheck.judge.rulebook import load_rules

CASES = []
for path in sorted((FIXTURES / "rules").glob("*.toml")):
    for case in tomllib.loads(path.read_text(encoding="utf-8"))["cases"]:
        CASES.append(pytest.param(path.stem, case, id=f"{path.stem}-{case['name']}"))


def _result(code: str, case: dict) -> dict:
    audit = audit_rows([case["row"]], case["as_of"], select=[code])
    res = audit.results.filter(pl.col("rule") == code)
    if "kind" in case:
        res = res.filter(pl.col("kind") == case["kind"])
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


def test_every_rule_has_fixture_cases_covering_the_basics():
    for rule in load_rules():
        path = FIXTURES / "rules" / f"{rule.code}.toml"
        assert path.exists(), f"{rule.code} has no fixture file"
        names = {c["name"] for c in tomllib.loads(path.read_text())["cases"]}
        assert "due-day" in names, rule.code
        assert any(n.startswith("invalid") for n in names), rule.code
        assert any(n.startswith("not-applicable") for n in names), rule.code


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
