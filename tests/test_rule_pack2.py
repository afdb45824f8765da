"""Rule pack 2's machinery: the `before` mode and its validation, the blank-rule short cut
(identical to the full evaluation), the new columns' aliases and exception reasons."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from sendcheck.columns import ALIASES, VALUES, normalise_header
from sendcheck.errors import SendcheckError
from sendcheck.judge.engine import evaluate_rule, plan_runs
from sendcheck.judge.statuses import Settings, judge
from sendcheck.judge.rulebook import load_rule, load_rules, rules_dir
from sendcheck.read.episodes import prepare
from sendcheck.read.sheets import table_from_rows


def test_blank_rule_short_cut_gives_what_the_full_evaluation_gives():
    rows = [{"Record ID": f"R{i}", "Tribunal Order Date": "", "Tribunal Order Type": "",
             "Date Notified Will Assess": "", "Date Request Received": "06/01/2025"}
            for i in range(3)]
    as_of = dt.date(2025, 3, 31)
    eps = prepare(table_from_rows(rows).frame, as_of)
    rules = [r for r in load_rules() if r.code == "TO01"]
    judged = judge(eps, plan_runs(rules, set(eps.columns)), Settings(as_of, 28))
    short = judged.findings()
    full = evaluate_rule(eps.lazy(), rules[0], None, as_of, 28).collect()
    assert short.equals(full)
    assert judged.parts[0].column("TO01").equals(full.get_column("status"), check_names=False)
    assert short.get_column("status").cast(pl.String).to_list() == ["not_applicable"] * 3
    assert short.get_column("reason").cast(pl.String).to_list() == ["no tribunal_order_date"] * 3


def test_before_mode_needs_a_recorded_start_and_calendar_units(tmp_path):
    text = tmp_path / "PT03.toml"
    src = (rules_dir() / "PT03.toml").read_text(encoding="utf-8")
    text.write_text(src.replace('limit = "5mo"', 'limit = "5wd"'))
    with pytest.raises(SendcheckError, match="'before' needs a recorded start date"):
        load_rule(text)


@pytest.mark.parametrize("header,column", [
    ("Tribunal Order Date", "tribunal_order_date"), ("Date LA Conceded", "concession_date"),
    ("Date of Mediation", "mediation_date"), ("Mediation Certificate Issued", "mediation_certificate_date"),
    ("RequestMediation", "request_mediation"), ("AssessmentTribunal", "assessment_tribunal"),
    ("OtherTribunal", "other_tribunal"), ("Post-16 Move Date", "post16_move_date"),
    ("Final Plan After Tribunal", "ordered_final_plan_date"),
])
def test_new_columns_are_found_by_their_usual_wording(header, column):
    assert ALIASES[normalise_header(header)] == column


@pytest.mark.parametrize("word,reason", [
    ("Absent 2 weeks", "absence_2w"), ("absence under 4 weeks", "absence_2w"),
    ("Tribunal directed", "tribunal_direction"), ("Timescale agreed in writing", "agreed_timescale"),
    ("Absent from area", "absence"),
])
def test_exception_reasons(word, reason):
    assert VALUES["exception_reason"][normalise_header(word)] == reason


@pytest.mark.parametrize("word,kind", [
    ("Refusal to assess", "assess"), ("Make and maintain", "plan"), ("Sections B F I", "amend"),
    ("Section I", "school"), ("Cessation upheld", "cease"), ("Not appealable", "other"),
])
def test_order_kinds(word, kind):
    assert VALUES["tribunal_order_kind"][normalise_header(word)] == kind


def test_an_order_with_no_kind_is_a_data_quality_finding():
    from conftest import audit_rows

    rows = [{"Record ID": "A", "Tribunal Order Date": "31/01/2025", "Tribunal Order Type": "",
             "Date Notified Will Assess": "10/02/2025"},
            {"Record ID": "B", "Tribunal Order Date": "31/01/2025", "Tribunal Order Type": "Assess",
             "Date Notified Will Assess": "10/02/2025"}]
    audit = audit_rows(rows, "2025-03-31")
    dq = audit.quality.filter(pl.col("check") == "DQ41")
    assert dq.rows() == [("DQ41", 0, "tribunal_order_kind",
                          ("tribunal_order_date 2025-01-31 recorded but tribunal_order_kind is "
                           "blank: no limit of reg 44, 45 or 42 can be applied"))]
    to01 = audit.results.filter(pl.col("rule") == "TO01").sort("_idx")
    assert to01.get_column("status").cast(pl.String).to_list() == ["not_applicable", "met"]
    # Without the columns the check does not run at all.
    plain = audit_rows([{"Record ID": "C", "Date Request Received": "06/01/2025",
                         "Final EHCP Issued": ""}], "2025-03-31")
    assert "DQ41" not in plain.quality_skipped


@pytest.mark.parametrize("code", ["TO01", "TR01", "ME03", "PT03"])
def test_sparse_rules_judged_on_their_started_rows_give_the_full_results(code):
    # One row in ten has the rule's start (below the 25% share): judged on that row alone,
    # the results are what judging every row gives, row for row.
    started = {"TO01": {"Tribunal Order Date": "31/01/2025", "Tribunal Order Type": "Assess",
                        "Date Notified Will Assess": "tbc"},
               "TR01": {"Transfer In Date": "03/02/2025", "Transfer Notice Date": "20/03/2025"},
               "ME03": {"Mediation Date": "17/04/2025", "Mediation Certificate Date": "25/04/2025"},
               "PT03": {"Post-16 Move Date": "01/09/2025", "Post-16 Move Plan Date": "02/04/2025"}}[code]
    rows = [{"Record ID": f"R{i}", **({k: "" for k in started} if i % 10 else started)}
            for i in range(30)]
    as_of = dt.date(2025, 6, 30)
    eps = prepare(table_from_rows(rows).frame, as_of)
    rules = [r for r in load_rules() if r.code == code]
    judged = judge(eps, plan_runs(rules, set(eps.columns)), Settings(as_of, 28))
    sparse = judged.findings()
    full = evaluate_rule(eps.lazy(), rules[0], None, as_of, 28).collect()
    assert sparse.equals(full)
    # The status column (judged on the started rows, the rest step 0) is the full judgement's.
    assert judged.parts[0].column(code).equals(full.get_column("status"), check_names=False)
    assert sparse.get_column("status").cast(pl.String).value_counts().height >= 2


def test_synth_appeals_at_plausible_shares_with_late_actions():
    from sendcheck.synth import export as synth

    frame = synth.generate(3500, 20250331, dt.date(2025, 3, 31)).frame
    share = {c: frame.get_column(c).is_not_null().mean() for c in (
        "tribunal_order_date", "concession_date", "mediation_date", "mediation_agreement_date")}
    # About one appealable decision in thirty appealed over 400 days, half conceded; mediation
    # a little less often, half of it agreed (a few per cent of episodes each, never most).
    assert all(0.005 < s < 0.04 for s in share.values()), share
    order, notice = frame.get_column("tribunal_order_date"), frame.get_column("ordered_assess_notice_date")
    late = ((notice - order).dt.total_days() > 14).sum()
    assert late > 0


def test_a_sen2_return_made_from_an_export_carries_its_tribunal_and_mediation_items():
    from sendcheck.synth.sen2_write import with_sen2_flags

    rows = [{"Record ID": "A", "Date Request Received": "06/01/2024", "Decision to Assess": "Refused",
             "Tribunal Order Date": "01/10/2024", "Tribunal Order Type": "Assess",
             "Decision to Issue": "", "Mediation Agreement Type": ""},
            {"Record ID": "B", "Date Request Received": "06/01/2024", "Decision to Assess": "Agreed",
             "Decision to Issue": "Yes", "Tribunal Order Type": "Placement only",
             "Mediation Agreement Type": "Contents"},
            {"Record ID": "C", "Date Request Received": "06/01/2024", "Decision to Assess": "Agreed",
             "Decision to Issue": "No", "Tribunal Order Type": "", "Mediation Agreement Type": ""}]
    eps = with_sen2_flags(prepare(table_from_rows(rows).frame, dt.date(2025, 3, 31)))
    got = eps.select("request_tribunal", "assessment_tribunal", "other_tribunal",
                     "request_mediation", "other_mediation").rows()
    # A: refused, appealed (RequestTribunal); no assessment, so no assessment items.
    # B: the school appealed (OtherTribunal), the contents mediated (OtherMediation).
    assert got == [("1", None, None, "0", None), ("0", "0", "1", "0", "1"), ("0", "0", "0", "0", "0")]
