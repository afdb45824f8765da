"""Tribunal-order, unopposed-appeal and mediation compliance in the measures (figures.appeals):
counts a person can check against the findings, in JSON and on the first screen."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
from conftest import run_cli

from sendcheck.audit import Options, audit_tables
from sendcheck.figures.headline import compute_headline
from sendcheck.read.sheets import table_from_rows
from sendcheck.views.json import to_json_dict

# Orders Fri 31 Jan 2025 to assess: notice due Fri 14 Feb (31/01 + 14).
ROWS = [
    {"Record ID": "A", "Tribunal Order Date": "31/01/2025", "Tribunal Order Type": "Assess",
     "Date Notified Will Assess": "14/02/2025", "RequestTribunal": "1"},      # on time
    {"Record ID": "B", "Tribunal Order Date": "31/01/2025", "Tribunal Order Type": "Assess",
     "Date Notified Will Assess": "15/02/2025", "RequestTribunal": "0"},      # a day late
    {"Record ID": "C", "Tribunal Order Date": "10/03/2025", "Tribunal Order Type": "Assess",
     "Date Notified Will Assess": "", "RequestTribunal": "1"},                # due 24/03: overdue
    {"Record ID": "D", "Tribunal Order Date": "24/03/2025", "Tribunal Order Type": "Assess",
     "Date Notified Will Assess": "", "RequestTribunal": ""},                 # due 07/04: due soon
    {"Record ID": "E", "Tribunal Order Date": "31/01/2025", "Tribunal Order Type": "Assess",
     "Date Notified Will Assess": "", "Exception Reason": "Absent 2 weeks"},  # excepted
    {"Record ID": "F", "Date Conceded": "03/02/2025", "Concession Type": "Placement only",
     "Amended Plan After Tribunal": "17/02/2025"},                            # UA07: 03/02 + 14
]


def _measures(rows, as_of=dt.date(2025, 3, 31), period="2025"):
    audit = audit_tables([table_from_rows(rows)], Options(as_of=as_of))
    audit.headline = compute_headline(audit, period)
    return audit, to_json_dict(audit)["measures"]["items"]


def test_order_compliance_counts_on_time_late_and_open():
    _, items = _measures(ROWS)
    to = items["tribunal_orders"]
    assert to["available"] is True
    assert to["values"] == {"actions": 2, "on_time": 1, "late": 1, "pc_on_time": 50.0,
                            "excepted": 0, "open_overdue": 1, "open_due_soon": 1,
                            "open_pending": 0, "invalid": 0}
    # E is excepted but has no done date, so is not in the period's cohort of done actions.
    assert "the export flags 2 cases with appeals to the Tribunal (RequestTribunal = 1)" in to["notes"][0]
    ua = items["unopposed_appeals"]["values"]
    assert (ua["actions"], ua["on_time"], ua["late"]) == (1, 1, 0)


def test_the_measures_agree_with_the_findings():
    audit, items = _measures(ROWS)
    res = audit.results.filter(audit.results["rule"].cast(str).str.starts_with("TO"))
    counts = dict(res.group_by("status").len().with_columns(pl.col("status").cast(pl.String)).rows())
    v = items["tribunal_orders"]["values"]
    assert v["on_time"] == counts["met"] and v["late"] == counts["late"]
    assert v["open_overdue"] == counts["overdue"] and v["open_due_soon"] == counts["due_soon"]


def test_no_appeal_columns_no_measure():
    # (The final plan column lets AS05 run: an export no rule can run on stops with exit 2.)
    _, items = _measures([{"Record ID": "X", "Date Request Received": "06/01/2025",
                           "Final EHCP Issued": ""}])
    assert not {"tribunal_orders", "unopposed_appeals", "mediation", "mediation_agreements"} & set(items)


def test_sen2_flags_alone_make_the_measure_unavailable_with_the_reason():
    _, items = _measures([{"Record ID": "X", "ReceivedDate": "06/01/2025",
                           "RequestOutcomeDate": "", "RequestMediation": "1",
                           "RequestTribunal": "1"}])
    me = items["mediation"]
    assert me["available"] is False and me["values"] is None
    assert me["reason"].startswith("not available: missing mediation_request_date")
    assert "flags 1 case with mediations (RequestMediation = 1)" in me["notes"][0]


def test_the_first_screen_shows_the_order_measure(tmp_path):
    export = tmp_path / "e.csv"
    keys = list(dict.fromkeys(k for r in ROWS for k in r))
    export.write_text(",".join(keys) + "\n" + "\n".join(
        ",".join(r.get(k, "") for k in keys) for r in ROWS) + "\n")
    run = run_cli("audit", export, "--as-of", "2025-03-31", "--period", "2025")
    assert run.code == 1, run.err  # overdue actions
    # One line per measure on the table view; every figure with --details.
    assert re.search(r"^Tribunal orders carried out within their limits\s+pc_on_time\s", run.out,
                     re.M)
    run = run_cli("audit", export, "--as-of", "2025-03-31", "--period", "2025", "--details")
    assert "Tribunal orders carried out within their limits [tribunal_orders]" in run.out


def test_columns_without_cases_show_no_measure():
    _, items = _measures([{"Record ID": "X", "Date Request Received": "06/01/2025",
                           "Tribunal Order Date": "", "Tribunal Order Type": "",
                           "Date Notified Will Assess": ""}])
    assert "tribunal_orders" not in items
