"""Caseworker load on a hand-worked export (as of Mon 31 Mar 2025), with and without a staff
file; thresholds from sendcheck.toml [caseload]. Expected counts worked out by hand below."""

from __future__ import annotations

import json

import pytest
from conftest import audit_rows, run_cli

from sendcheck.config import CaseloadLimits
from sendcheck.errors import SendcheckError
from sendcheck.figures.caseload import UNALLOCATED, compute_caseload, read_staff

AS_OF = "2025-03-31"
H = {"id": "Record ID", "cw": "Caseworker", "req": "Date Request Received",
     "ro": "Decision to Assess", "rod": "Date of Decision to Assess", "final": "Final EHCP Issued",
     "review": "Annual Review Date", "cease": "Plan Cease Date"}


def row(**kw: str) -> dict:
    return {h: kw.get(k, "") for k, h in H.items()}


ROWS = [
    # Plans in force; next review = 12 months after the latest meeting (else the plan):
    # C1 plan 3 Jun 2024, review due 3 Jun 2025: 30 + 31 + 3 = 64 days away, beyond 8 weeks (56)
    row(id="C1", cw="A. Khan", final="03/06/2024"),
    # C2 review 15 Apr 2024 -> due 15 Apr 2025, 15 days away: within 8 weeks and due soon (28)
    row(id="C2", cw="A. Khan", final="01/05/2023", review="15/04/2024"),
    # C3 review 4 Dec 2023 -> due 4 Dec 2024: overdue
    row(id="C3", cw="A. Khan", final="10/01/2022", review="04/12/2023"),
    # C4 open: request 3 Feb 2025, decision 10 Mar (25 + 10 = 35 days: met); 20 weeks due
    # 23 Jun 2025 (25 + 31 + 30 + 31 + 23 = 140), 84 days away: pending
    row(id="C4", ro="Agreed", cw="A. Khan", req="03/02/2025", rod="10/03/2025"),
    # C5 open: request 7 Oct 2024, 20 weeks due 24 Feb 2025 (24 + 30 + 31 + 31 + 24): overdue
    row(id="C5", ro="Agreed", cw="B. Jones", req="07/10/2024", rod="11/11/2024"),
    # C6 plan ceased 1 Dec 2024: not in force, counts nowhere (issued in 133 days: met)
    row(id="C6", ro="Agreed", cw="B. Jones", req="04/09/2023", rod="09/10/2023", final="15/01/2024",
        cease="01/12/2024"),
    # C7 unallocated, open: request 6 Jan 2025, decision 10 Feb (35 days); 20 weeks due
    # 26 May 2025, 56 days away: pending
    row(id="C7", ro="Agreed", cw="", req="06/01/2025", rod="10/02/2025"),
    # C8 unallocated plan: 20 Nov 2023 -> 8 Apr 2024 (10 + 31 + 31 + 29 + 31 + 8 = 140: met);
    # review due 8 Apr 2025, 8 days away: within 8 weeks and due soon
    row(id="C8", ro="Agreed", cw=" ", req="20/11/2023", rod="18/12/2023", final="08/04/2024"),
    # C9 open: request 24 Feb 2025, no decision; 6 weeks due 7 Apr 2025 (4 + 31 + 7), 7 days
    # away: due soon
    row(id="C9", cw="B. Jones", req="24/02/2025"),
]
# Per caseworker:        plans  open  reviews next 8w  overdue  due soon
#   A. Khan              3      1     1 (C2)           1 (C3)   1 (C2)
#   B. Jones             0      2     0                1 (C5)   1 (C9)
#   (unallocated)        1      1     1 (C8)           0        1 (C8)
#   total                4      4     2                2        3
EXPECTED = {
    "A. Khan": (3, 1, 1, 1, 1),
    "B. Jones": (0, 2, 0, 1, 1),
    UNALLOCATED: (1, 1, 1, 0, 1),
}
COUNTS = ("plans_in_force", "open_assessments", "reviews_due_next", "cases_overdue",
          "cases_due_soon")


@pytest.fixture(scope="module")
def audit():
    return audit_rows(ROWS, AS_OF)


def _by_name(load) -> dict:
    return {r["caseworker"]: r for r in load.rows}


def test_counts_per_caseworker_and_unallocated(audit):
    load = compute_caseload(audit.episodes, audit.results, audit.options.as_of, CaseloadLimits())
    got = _by_name(load)
    assert {k: tuple(r[c] for c in COUNTS) for k, r in got.items()} == EXPECTED
    assert [r["caseworker"] for r in load.rows] == ["A. Khan", "B. Jones", UNALLOCATED]
    assert {c: load.total[c] for c in COUNTS} == dict(zip(COUNTS, (4, 4, 2, 2, 3)))
    assert load.total["caseworkers"] == 2
    # Defaults 200 plans / 25 assessments: nobody above
    assert not any(r["over_plans"] or r["over_assessments"] for r in load.rows)


def test_per_fte_loads_and_thresholds(audit, tmp_path):
    staff = tmp_path / "staff.csv"
    staff.write_text("Caseworker,FTE,Role\nA. Khan,0.5,EHC coordinator\nb. jones,1,Senior\n"
                     "C. Patel,0.8,EHC coordinator\n", encoding="utf-8")
    limits = CaseloadLimits(plans_per_caseworker=5, assessments_per_caseworker=1)
    load = compute_caseload(audit.episodes, audit.results, audit.options.as_of, limits,
                            staff=read_staff(staff), staff_file=str(staff))
    got = _by_name(load)
    # Khan 3 plans / 0.5 FTE = 6.0 (> 5), 1 / 0.5 = 2.0 assessments (> 1)
    assert (got["A. Khan"]["plans_per_fte"], got["A. Khan"]["assessments_per_fte"]) == (6.0, 2.0)
    assert (got["A. Khan"]["over_plans"], got["A. Khan"]["over_assessments"]) == (True, True)
    # Jones (matched ignoring case) 0 / 1 = 0.0 plans, 2 / 1 = 2.0 assessments (> 1)
    assert (got["B. Jones"]["plans_per_fte"], got["B. Jones"]["assessments_per_fte"]) == (0.0, 2.0)
    assert (got["B. Jones"]["over_plans"], got["B. Jones"]["over_assessments"]) == (False, True)
    # Patel is on the staff list with no cases: a row of zeros
    assert tuple(got["C. Patel"][c] for c in COUNTS) == (0, 0, 0, 0, 0)
    assert got["C. Patel"]["fte"] == 0.8
    # Team: 0.5 + 1 + 0.8 = 2.3 FTE; 4 plans / 2.3 = 1.74 -> 1.7; 4 assessments -> 1.7
    assert (load.total["fte"], load.total["plans_per_fte"], load.total["assessments_per_fte"]) \
        == (2.3, 1.7, 1.7)
    # Unallocated work has no FTE and is never "above benchmark"
    assert got[UNALLOCATED]["fte"] is None and not got[UNALLOCATED]["over_plans"]


def test_bad_staff_file_is_refused(tmp_path):
    staff = tmp_path / "staff.csv"
    staff.write_text("Caseworker,FTE\nA. Khan,half\n", encoding="utf-8")
    with pytest.raises(SendcheckError, match="row 2: FTE 'half'"):
        read_staff(staff)


def _export(tmp_path):
    path = tmp_path / "export.csv"
    headers = list(H.values())
    lines = [",".join(headers)] + [",".join(r[h] for h in headers) for r in ROWS]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="cp1252")
    return path


def test_caseload_command_json_and_config_thresholds(tmp_path):
    cfg = tmp_path / "sendcheck.toml"
    cfg.write_text("[caseload]\nplans_per_caseworker = 2\nreview_weeks = 2\n", encoding="utf-8")
    r = run_cli("caseload", _export(tmp_path), "--as-of", AS_OF, "--format", "json",
                "--config", cfg)
    assert r.code == 0, r.err
    data = json.loads(r.out)["caseload"]
    got = {x["caseworker"]: x for x in data["caseworkers"]}
    # 2 weeks = 14 days: C2 (15 days) drops out, C8 (8 days) stays
    assert got["A. Khan"]["reviews_due_next"] == 0 and got[UNALLOCATED]["reviews_due_next"] == 1
    assert got["A. Khan"]["over_plans"] is True  # 3 > 2
    assert data["thresholds"]["plans_per_caseworker"] == 2
    assert data["thresholds"]["assessments_per_caseworker"] == 25  # default kept


def test_caseload_config_rejects_unknown_key(tmp_path):
    cfg = tmp_path / "sendcheck.toml"
    cfg.write_text("[caseload]\nplans = 2\n", encoding="utf-8")
    r = run_cli("caseload", _export(tmp_path), "--as-of", AS_OF, "--config", cfg)
    assert r.code == 2
    assert "caseload.plans: unknown key" in r.err


def test_caseload_table_and_suppressed_csv(tmp_path):
    r = run_cli("caseload", _export(tmp_path), "--as-of", AS_OF)
    assert r.code == 0, r.err
    assert "(unallocated)" in r.out and "benchmark 200 plans and 25 open assessments" in r.out
    r = run_cli("caseload", _export(tmp_path), "--as-of", AS_OF, "--format", "csv",
                "--suppress-below", "3")
    lines = r.out.splitlines()
    assert lines[0].startswith("caseworker,plans_in_force,open_assessments,reviews_due_next")
    # Khan: 3 plans shown, 1 open -> <3, 1 review next -> <3, 1 overdue, 1 due soon -> <3
    assert lines[1].startswith("A. Khan,3,<3,<3,<3,<3,")
    # Jones: 0 plans (zero is shown), 2 open -> <3
    assert lines[2].startswith("B. Jones,0,<3,0,<3,<3,")
