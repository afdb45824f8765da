"""Review history (--reviews): one finding per review cycle, hand-computed; the export alone
still works; unusable review rows are findings, never silently dropped."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
from conftest import run_cli

D = dt.date


def _write_export(path):
    # A Windows CSV as a council system writes it: cp1252 (the caseworker's name), CRLF,
    # dd/mm/yyyy. The export's own latest-review columns are what RV01 uses without --reviews.
    rows = [
        "Record ID,Child ID,EHC Co-ordinator,Final EHCP Issued,Annual Review Date,Cease Date,Transfer In Date",
        "R-1,P-1,Zoë Officer,10/06/2021,01/06/2024,,",
        "R-2,P-2,Zoë Officer,29/02/2024,,,",
        "R-3,P-3,B. Lee,10/01/2023,01/05/2024,,01/03/2024",
        "R-4,P-4,B. Lee,01/09/2022,31/08/2023,01/12/2024,",
    ]
    path.write_bytes("\r\n".join(rows).encode("cp1252") + b"\r\n")


def _write_reviews(path):
    # An Excel review list with title rows above the header and real date cells, rows not in
    # date order; R-9 matches no episode.
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Reviews"
    ws.append(["Annual reviews export"])
    ws.append(["Run 31/03/2025"])
    ws.append([])
    ws.append(["Record ID", "Annual review meeting date", "Annual review decision date",
               "Review Outcome", "ReviewDraft", "Final Amended Plan Issued"])
    ws.append(["R-1", D(2023, 6, 15), D(2023, 7, 20), "A", D(2023, 8, 1), D(2023, 10, 20)])  # row 5
    ws.append(["R-3", D(2024, 5, 1), D(2024, 5, 10), "M", None, None])                        # row 6
    ws.append(["R-1", D(2022, 6, 1), D(2022, 6, 20), "M", None, None])                        # row 7
    ws.append(["R-9", D(2024, 5, 1), None, None, None, None])                                 # row 8
    ws.append(["R-1", D(2024, 6, 1), D(2024, 6, 25), "M", None, None])                        # row 9
    ws.append(["R-4", D(2023, 8, 31), D(2023, 9, 28), "Maintain", None, None])                # row 10
    wb.save(path)


@pytest.fixture
def files(tmp_path):
    export, reviews = tmp_path / "export.csv", tmp_path / "reviews.xlsx"
    _write_export(export)
    _write_reviews(reviews)
    return export, reviews


def _findings(run, rule):
    data = json.loads(run.out)
    return {(f["record_id"], f["source"], f["row"]): f for f in data["findings"] if f["rule"] == rule}


def test_a_finding_per_review_cycle(files):
    export, reviews = files
    run = run_cli("audit", export, "--reviews", reviews, "--as-of", "2025-03-31",
                  "--format", "json", "--all")
    assert run.code == 1, run.err  # late reviews are breaches
    rv01 = {k: (f["status"], f["due"], f["done"], f["days_over"]) for k, f in _findings(run, "RV01").items()}
    assert rv01 == {
        # R-1 cycle 1: plan 10/06/2021 + 12mo = 10/06/2022; first meeting 01/06/2022
        ("R-1", "export.csv", 2): ("met", "2022-06-10", "2022-06-01", -9),
        # cycle 2: 01/06/2022 + 12mo = 01/06/2023; next meeting 15/06/2023, 14 days late
        ("R-1", "reviews.xlsx", 7): ("late", "2023-06-01", "2023-06-15", 14),
        # cycle 3: 15/06/2023 + 12mo = 15/06/2024; met on 01/06/2024
        ("R-1", "reviews.xlsx", 5): ("met", "2024-06-15", "2024-06-01", -14),
        # cycle 4: 01/06/2024 + 12mo = 01/06/2025; open, 31/03 -> 01/06/2025 = 30+31+1 = 62 days
        ("R-1", "reviews.xlsx", 9): ("pending", "2025-06-01", None, -62),
        # R-2, no history: 29/02/2024 + 12mo = 28/02/2025; 31 days overdue on 31/03/2025
        ("R-2", "export.csv", 3): ("overdue", "2025-02-28", None, 31),
        # R-3 transferred in on 01/03/2024: TR02 judges cycle 1
        ("R-3", "export.csv", 4): ("not_applicable", "2024-01-10", "2024-05-01", None),
        ("R-3", "reviews.xlsx", 6): ("pending", "2025-05-01", None, -31),
        # 01/09/2022 + 12mo = 01/09/2023, met 31/08/2023; then ceased 01/12/2024
        ("R-4", "export.csv", 5): ("met", "2023-09-01", "2023-08-31", -1),
        # cycle 2: 31/08/2023 + 12mo = 31/08/2024, never held; the plan ceased 01/12/2024:
        # missed (contract s.3), 30 + 31 + 30 + 1 = 92 days after the limit
        ("R-4", "reviews.xlsx", 10): ("missed", "2024-08-31", None, 92),
    }
    messages = {k: f["message"] for k, f in _findings(run, "RV01").items()}
    assert messages[("R-1", "reviews.xlsx", 7)] == (
        "review cycle 2: review meeting held on 2023-06-15, 14 days after the 12-month limit")

    tr02 = _findings(run, "TR02")[("R-3", "export.csv", 4)]
    # later of 01/03/2024 + 3mo = 01/06/2024 and 10/01/2023 + 12mo = 10/01/2024
    assert (tr02["status"], tr02["due"], tr02["done"]) == ("met", "2024-06-01", "2024-05-01")

    rv02 = {k: (f["status"], f["due"]) for k, f in _findings(run, "RV02").items()
            if f["status"] != "not_applicable"}
    assert rv02 == {
        ("R-1", "reviews.xlsx", 7): ("met", "2022-06-29"),    # 01/06/2022 + 28
        ("R-1", "reviews.xlsx", 5): ("late", "2023-07-13"),   # 15/06/2023 + 28; decided 20/07
        ("R-1", "reviews.xlsx", 9): ("met", "2024-06-29"),
        ("R-3", "reviews.xlsx", 6): ("met", "2024-05-29"),
        ("R-4", "reviews.xlsx", 10): ("met", "2023-09-28"),   # the due day
    }
    rv03 = _findings(run, "RV03")[("R-1", "reviews.xlsx", 5)]
    assert (rv03["status"], rv03["due"], rv03["days_over"]) == ("late", "2023-09-26", 24)  # 01/08 + 56
    rv04 = _findings(run, "RV04")[("R-1", "reviews.xlsx", 5)]
    assert (rv04["status"], rv04["due"], rv04["days_over"]) == ("late", "2023-09-07", 43)  # 15/06 + 84

    data = json.loads(run.out)
    assert data["reviews"] == {
        "path": str(reviews), "sheet": "Reviews", "rows": 6, "sha256": data["reviews"]["sha256"],
        "joined_on": "record_id", "matched": 5, "unmatched": 1, "ignored": 0}
    dq12 = [f for f in data["findings"] if f["rule"] == "DQ12"]
    assert [(f["source"], f["row"], f["record_id"]) for f in dq12] == [("reviews.xlsx", 8, "R-9")]
    # a cycle from the review file carries its episode's caseworker (read from cp1252)
    assert _findings(run, "RV01")[("R-1", "reviews.xlsx", 7)]["caseworker"] == "Zoë Officer"
    assert set(data["summary"]) >= {"RV01", "RV02", "RV03", "RV04", "TR02"}
    skipped = {r["code"]: r["skipped"] for r in data["rules"]}
    assert skipped["RV05"] == ["birth_date"] and skipped["PT01"] is not None


def test_reviews_output_is_byte_identical_on_rerun(files):
    export, reviews = files
    args = ("audit", export, "--reviews", reviews, "--as-of", "2025-03-31", "--format", "json", "--all")
    assert run_cli(*args).out == run_cli(*args).out


def test_the_same_export_without_reviews_judges_the_current_cycle(files):
    export, _ = files
    run = run_cli("audit", export, "--as-of", "2025-03-31", "--format", "json", "--all")
    assert run.code == 1, run.err  # R-2 overdue
    rv01 = {k: (f["status"], f["due"]) for k, f in _findings(run, "RV01").items()}
    assert rv01 == {
        ("R-1", "export.csv", 2): ("pending", "2025-06-01"),   # latest meeting 01/06/2024
        ("R-2", "export.csv", 3): ("overdue", "2025-02-28"),
        ("R-3", "export.csv", 4): ("pending", "2025-05-01"),   # reviewed after the transfer
        # due 31/08/2024, never held, ceased 01/12/2024: missed (contract s.3)
        ("R-4", "export.csv", 5): ("missed", "2024-08-31"),
    }
    assert "reviews" not in json.loads(run.out)
    assert _findings(run, "TR02")[("R-3", "export.csv", 4)]["status"] == "not_applicable"


def test_unusable_review_rows_are_findings(tmp_path):
    from sendcheck.audit import Options, audit_tables
    from sendcheck.read.sheets import table_from_rows

    export = table_from_rows([
        {"Record ID": "A", "Final EHCP Issued": "01/01/2023", "Case Officer": "X"},
        {"Record ID": "B", "Final EHCP Issued": "01/01/2023", "Case Officer": "X"},
    ], name="export.csv")
    reviews = table_from_rows([
        {"Record ID": "A", "Review Meeting Date": "TBC"},        # row 2: unreadable
        {"Record ID": "A", "Review Meeting Date": "20/12/2023"},  # row 3
        {"Record ID": "B", "Review Meeting Date": ""},            # row 4: no date
        {"Record ID": "", "Review Meeting Date": "01/01/2024"},  # row 5: no id
    ], name="reviews.csv")
    audit = audit_tables([export], Options(as_of=D(2024, 6, 30)), reviews=reviews)
    dq = {(r["check"], r["_idx"]) for r in audit.quality.to_dicts()}
    offset = 2  # review rows are numbered after the export's episodes
    assert dq == {("DQ01", offset + 0), ("DQ13", offset + 2), ("DQ12", offset + 3)}
    rv01 = audit.results.filter(pl.col("rule") == "RV01").sort("_idx")
    # A: its history has an unreadable meeting, so where each cycle ends is unknown: invalid.
    assert rv01.select("_idx", "status", "cycle").rows() == [
        (0, "invalid", 1), (1, "overdue", 1), (offset + 1, "invalid", 2)]
    # B: the dateless row is not a review: cycle 1 open from the plan, due 01/01/2024.
    assert rv01.row(1, named=True)["due"] == D(2024, 1, 1)
    assert audit.reviews.summary()["ignored"] == 2  # blank and unreadable meeting dates


def test_join_on_person_id_when_there_is_no_record_id():
    from sendcheck.audit import Options, audit_tables
    from sendcheck.read.sheets import table_from_rows

    export = table_from_rows([
        {"Child ID": "P1", "Final EHCP Issued": "", "Date Request Received": "01/01/2020"},
        {"Child ID": "P1", "Final EHCP Issued": "15/03/2023"},  # the plan episode
    ])
    reviews = table_from_rows([{"Child ID": "P1", "ReviewMeeting": "10/03/2024"}])
    audit = audit_tables([export], Options(as_of=D(2024, 6, 30), select=["RV01"]), reviews=reviews)
    assert audit.reviews.key == "person_id"
    got = audit.results.sort("_idx").select("_idx", "status", "due").rows()
    # plan 15/03/2023 + 12mo = 15/03/2024, met 10/03/2024; next due 10/03/2025
    assert got == [(0, "not_applicable", None), (1, "met", D(2024, 3, 15)), (2, "pending", D(2025, 3, 10))]


def test_a_rule_the_review_file_cannot_feed_is_skipped_not_passed():
    from sendcheck.audit import Options, audit_tables
    from sendcheck.read.sheets import table_from_rows

    export = table_from_rows([{"Record ID": "A", "Final EHCP Issued": "01/01/2023",
                               "Review Outcome": "A", "Amended Plan Date": "01/02/2024"}])
    reviews = table_from_rows([{"Record ID": "A", "Review Meeting Date": "20/12/2023"}])
    audit = audit_tables([export], Options(as_of=D(2024, 6, 30)), reviews=reviews)
    skipped = {r.rule.code: r.skipped for r in audit.runs}
    assert skipped["RV04"] == ("amended_plan_date", "review_outcome")
    assert skipped["RV02"] == ("review_decision_date",)
    assert skipped["RV01"] is None


def test_reviews_without_a_join_key_is_exit_2(tmp_path, files):
    export, _ = files
    bad = tmp_path / "bad.csv"
    bad.write_text("Review Meeting Date\n01/01/2024\n", encoding="utf-8")
    run = run_cli("audit", export, "--reviews", bad, "--as-of", "2025-03-31")
    assert run.code == 2
    assert run.err.startswith("Error: reviews file bad.csv: cannot join the reviews to the export")
    none = tmp_path / "none.csv"
    none.write_text("Record ID,Case Officer\nR-1,X\n", encoding="utf-8")
    run = run_cli("audit", export, "--reviews", none, "--as-of", "2025-03-31")
    assert run.code == 2 and "no review meeting date column" in run.err
