"""Rule-file vocabulary for the plan-lifecycle rules (derived dates, fixed days, later-of,
conditions), strictly validated; [phase_transfer] config; RV05 as a warning; the rules list."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest
from conftest import ROOT, run_cli

from sendcheck.errors import SendcheckError
from sendcheck.judge.rulebook import load_rule

D = dt.date
BASE = (ROOT / "rules" / "TR02.toml").read_text(encoding="utf-8")


def _load(tmp_path: Path, text: str):
    path = tmp_path / "TR02.toml"
    path.write_text(text, encoding="utf-8")
    return load_rule(path)


@pytest.mark.parametrize("old,new,message", [
    ('start = "transfer_in_date"', 'start = "transfer_anchor"',
     "rule file TR02.toml: start: unknown column 'transfer_anchor'"),
    ('limit = "3mo"', 'limit = "31 Feb"', "rule file TR02.toml: limit: bad fixed day '31 Feb'"),
    ('later_of = { start = "review_anchor", limit = "12mo" }',
     'later_of = { start = "review_anchor", limit = "12mo", from = "x" }',
     "rule file TR02.toml: later_of.from: unknown key 'from'"),
    ('later_of = { start = "review_anchor", limit = "12mo" }',
     'later_of = { start = "review_anchor" }', "rule file TR02.toml: later_of.limit: missing"),
    ('per = "review"', 'per = "cycle"', "rule file TR02.toml: per: expected one of episode, review"),
    ('{ in_force = true,', '{ in_force = false,', "applies[1].in_force: expected true"),
    ('{ in_force = true,', '{ in_force = true, column = "final_plan_date",',
     "applies[1].column: not used with 'in_force'"),
    ('{ in_force = true,', '{ age_under = 30,', "applies[1].age_under: expected years, 1-25"),
    ('on_or_after = "review_anchor"', 'on_or_after = "review_anchor", in = ["x"]',
     "applies[0]: give exactly one of in, present, before, on_or_after, in_force, age_under"),
    ('before = "transfer_in_date"', 'before = "nc_year"', "'nc_year' is not a date"),
    ('before = "transfer_in_date"', 'before = "next_review"', "unknown column 'next_review'"),
])
def test_new_keys_are_strictly_validated(tmp_path, old, new, message):
    assert old in BASE
    with pytest.raises(SendcheckError, match=re.escape(message)):
        _load(tmp_path, BASE.replace(old, new, 1))


def test_a_fixed_day_cannot_be_a_minimum_gap(tmp_path):
    text = BASE.replace('limit = "3mo"', 'limit = "14 Feb"').replace(
        'later_of = { start = "review_anchor", limit = "12mo" }\n', 'mode = "earliest"\n')
    with pytest.raises(SendcheckError, match="a fixed day is a deadline"):
        _load(tmp_path, text)


def test_rule_columns_follow_derived_dates():
    from sendcheck.judge.rulebook import load_rules

    rules = {r.code: r for r in load_rules()}
    assert rules["RV01"].columns() == ("final_plan_date",)
    assert rules["TR02"].columns() == ("transfer_in_date", "final_plan_date")
    assert rules["PT01"].columns() == ("final_plan_date",)
    assert rules["PT01"].needs_any() == [("phase_transfer_due_date", "nc_year", "birth_date"),
                                         ("phase_transfer_final_date", "amended_plan_date")]
    assert rules["RV05"].columns() == ("final_plan_date", "birth_date")


def test_phase_transfer_rules_skip_without_a_year_source():
    from sendcheck.audit import Options, audit_tables
    from sendcheck.read.sheets import table_from_rows

    audit = audit_tables([table_from_rows([{"Final EHCP Issued": "01/01/2020",
                                            "Phase Transfer Final Date": "01/02/2026"}])],
                         Options(as_of=D(2026, 3, 31), select=["PT"]))
    assert {r.rule.code: r.skipped for r in audit.runs} == {
        "PT01": ("phase_transfer_due_date or nc_year or birth_date",),
        "PT02": ("phase_transfer_due_date or nc_year or birth_date",),
        "PT03": ("post16_move_date", "post16_move_plan_date")}
    assert audit.results.height == 0


def _pt01(rows, as_of, years=None):
    from sendcheck.audit import Options, audit_tables
    from sendcheck.config import Config
    from sendcheck.read.sheets import table_from_rows

    config = Config(school_transfer_years=years) if years else Config()
    rows = [{**r, "Phase Transfer Final Date": ""} for r in rows]  # the end column, blank
    audit = audit_tables([table_from_rows(rows)], Options(as_of=as_of, select=["PT01"]), config)
    return audit.results.sort("_idx").select("status", "due").rows()


def test_phase_transfer_points_are_switched_on_in_config(tmp_path):
    from sendcheck.config import load_config

    rows = [{"Final EHCP Issued": "01/09/2024", "NC Year": y} for y in ("N2", "2", "4", "6", "8")]
    na = ("not_applicable", None)
    feb = ("overdue", D(2026, 2, 14))
    assert _pt01(rows, D(2026, 3, 31)) == [na, na, na, feb, na]  # default: end of Year 6 only
    cfg = tmp_path / "sendcheck.toml"
    cfg.write_text('[phase_transfer]\nyears = ["N2", 4, "8"]\n', encoding="utf-8")
    years = load_config(cfg).school_transfer_years
    assert years == ("N2", "4", "8")  # a three-tier authority: first, middle, upper schools
    assert _pt01(rows, D(2026, 3, 31), years) == [feb, na, feb, na, feb]


def test_nursery_transfer_from_birth_date():
    # Born 1 Sep 2021 - 31 Aug 2022: Reception from September 2026 (cohort 2022 + 4), so in
    # 2025/26 the child is in N2 and the N2 -> Reception transfer is due by 14 February 2026.
    rows = [{"Final EHCP Issued": "01/09/2024", "Date of Birth": "01/09/2021"},
            {"Final EHCP Issued": "01/09/2024", "Date of Birth": "31/08/2022"},
            {"Final EHCP Issued": "01/09/2024", "Date of Birth": "01/09/2022"}]
    got = _pt01(rows, D(2026, 1, 20), ("N2",))
    # 20/01 -> 14/02/2026 = 11 + 14 = 25 days: due soon
    assert got == [("due_soon", D(2026, 2, 14)), ("due_soon", D(2026, 2, 14)),
                   ("not_applicable", None)]


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_rv05_overdue_alone_fails_only_with_strict(tmp_path):
    export = _write(tmp_path / "export.csv", [
        "Record ID,Case Officer,Final EHCP Issued,Date of Birth",
        "R1,A. Khan,31/08/2024,10/01/2022",
    ])
    args = ("audit", export, "--as-of", "2025-03-03", "--format", "json")
    run = run_cli(*args)
    import json

    data = json.loads(run.out)
    # 31/08/2024 + 6 months = 28/02/2025: RV05 overdue 3 days; RV01 due 31/08/2025, pending.
    assert [(f["rule"], f["status"], f["due"], f["days_over"]) for f in data["findings"]] == [
        ("RV05", "overdue", "2025-02-28", 3)]
    assert data["summary"]["RV01"]["pending"] == 1
    assert run.code == 0, run.err
    assert run_cli(*args, "--strict").code == 1
    assert run_cli(*args, "--strict", "--fail-on", "invalid").code == 0


def test_rules_lists_every_rule_with_its_source():
    run = run_cli("rules")
    assert run.code == 0
    rules_part = run.out.split("\n\n")[0]  # then the data-quality checks
    codes = [line.split()[0] for line in rules_part.splitlines()]
    assert codes == ["AS01", "AS02", "AS03", "AS04", "AS05",
                     *(f"ME{n:02d}" for n in range(1, 12)), "PT01", "PT02", "PT03", "RA01", "RA02",
                     "RV01", "RV02", "RV03", "RV04", "RV05", "RV06",
                     *(f"TO{n:02d}" for n in range(1, 9)), "TR01", "TR02",
                     *(f"UA{n:02d}" for n in range(1, 8))]
    assert "SEND Regulations 2014 (as amended by SI 2015/359) reg 44(2)(b)" in run.out
    assert "3 working days" in run.out and "at least 5 months before post16_move_date" in run.out
    assert "SEND Regulations 2014 reg 18(1)(b)" in run.out
    assert "by 14 February (the last compliant day)" in run.out
    explain = run_cli("rules", "PT01")
    assert explain.code == 0 and "--as-of" in explain.out and "school_transfer_window (" in explain.out


def test_readme_rules_table_is_current():
    from sendcheck.judge.rulebook import load_rules
    from sendcheck.views.rulehelp import readme_table

    assert readme_table(load_rules()) in (ROOT / "README.md").read_text(encoding="utf-8")


def test_phase_transfer_due_date_in_the_future_is_not_a_data_problem():
    from sendcheck.audit import Options, audit_tables
    from sendcheck.read.sheets import table_from_rows

    audit = audit_tables([table_from_rows([{"Record ID": "R1", "Final EHCP Issued": "01/01/2020",
                                            "Phase Transfer Due Date": "15/02/2026",
                                            "Amended Plan Date": ""}])],
                         Options(as_of=D(2025, 10, 1)))
    assert audit.quality.filter(pl.col("check") == "DQ03").height == 0
    pt01 = audit.results.filter(pl.col("rule") == "PT01").row(0, named=True)
    assert (pt01["status"], pt01["due"]) == ("pending", D(2026, 2, 14))
