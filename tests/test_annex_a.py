"""The Ofsted/CQC area SEND inspection's Annex A, List 1 (children and young people with an EHC
plan), as an authority prepares it: title rows above the header, the template's own headings,
Excel date cells. It maps with no sendcheck.toml and RV01 judges it.

RV01: the review is due 12 months after the latest review ("Date EHC plan last reviewed"), else
after the plan ("Date initial EHC plan issued"), the same date a year on, clamped at the month
end. As of Mon 30 Jun 2025, 28-day look-ahead:
  row 6  plan 15 Mar 2024, never reviewed: due 15 Mar 2025, overdue 16 + 30 + 31 + 30 = 107 days
  row 7  reviewed 10 Jul 2024: due 10 Jul 2025, 10 days left: due_soon
  row 8  reviewed Thu 29 Feb 2024: due 28 Feb 2025 (no 29th), overdue 31 + 30 + 31 + 30 = 122 days
  row 9  plan 20 Nov 2024: due 20 Nov 2025, 31 + 31 + 30 + 31 + 20 = 143 days left: pending
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import run_cli

D = dt.datetime
HEADERS = ["Unique ID", "UPN", "ULN", "Date of birth", "Gender", "Ethnicity",
           "Date initial EHC plan issued", "Date updated EHC plan issued",
           "Date EHC plan last reviewed", "SEN primary need", "Main education establishment – URN",
           "Main education establishment – phase", "Elective home education"]
ROWS = [  # spreadsheet rows 6-9
    ["CYP-001", "A999000000001", None, D(2012, 5, 4), "a) Male", "a) WBRI", D(2024, 3, 15),
     None, None, "k) ASD", "100001", "b) Primary", "b) No"],
    ["CYP-002", "A999000000002", None, D(2010, 9, 1), "b) Female", "k) APKN", D(2020, 5, 1),
     D(2024, 8, 1), D(2024, 7, 10), "e) SEMH", "100002", "e) Secondary", "b) No"],
    ["CYP-003", "A999000000003", None, D(2015, 1, 20), "a) Male", "a) WBRI", D(2023, 1, 31),
     None, D(2024, 2, 29), "f) SLCN", "100003", "b) Primary", "b) No"],
    ["CYP-004", "A999000000004", "1234567890", D(2007, 11, 2), "b) Female", "u) UNKNOWN",
     D(2024, 11, 20), None, None, "b) MLD", "100004", "i) FE college", "b) No"],
]


@pytest.fixture(scope="module")
def list1(tmp_path_factory):
    import openpyxl

    path = tmp_path_factory.mktemp("annex_a") / "Annex A List 1.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "List 1"
    ws.append(["Annex A: List 1 - Children and young people with an EHC plan"])
    ws.append(["Local authority: Example (999)"])
    ws.append([("All children and young people with an EHC plan for whom your local authority "
               "is responsible")])
    ws.append([])
    ws.append(HEADERS)  # row 5
    for row in ROWS:
        ws.append(row)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "dd/mm/yyyy"
    wb.save(path)
    return path


def test_list_1_maps_without_config(list1, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no sendcheck.toml anywhere above
    run = run_cli("columns", list1)
    assert run.code == 0, run.err
    assert "header on row 5, 4 rows" in run.out
    for header, canonical in (("Unique ID", "person_id"), ("UPN", "upn"),
                              ("Date of birth", "birth_date"),
                              ("Date initial EHC plan issued", "final_plan_date"),
                              ("Date updated EHC plan issued", "amended_plan_date"),
                              ("Date EHC plan last reviewed", "review_meeting_date")):
        assert f"{header!r:45} -> {canonical}" in run.out, header
    assert "  RV01 annual-review-12m: runs" in run.out


def test_rv01_on_list_1(list1, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = run_cli("audit", list1, "--as-of", "2025-06-30", "--format", "json", "--all",
                  "--select", "RV01")
    assert run.code == 1, run.err  # overdue reviews
    doc = json.loads(run.out)
    rv01 = [(f["person_id"], f["row"], f["status"], f["due"], f["days_over"])
            for f in doc["findings"] if f["rule"] == "RV01"]
    assert sorted(rv01) == [
        ("CYP-001", 6, "overdue", "2025-03-15", 107),
        ("CYP-002", 7, "due_soon", "2025-07-10", -10),
        ("CYP-003", 8, "overdue", "2025-02-28", 122),
        ("CYP-004", 9, "pending", "2025-11-20", -143),
    ]
    assert doc["summary"]["RV01"]["overdue"] == 2
    # The UPN and date of birth are read but never written out.
    assert "A999000000001" not in run.out and "2012-05-04" not in run.out
