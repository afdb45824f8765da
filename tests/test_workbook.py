"""The workbook (--format xlsx) and Markdown reports, read back and checked cell by cell.

The export is a Windows CSV (CRLF, dd/mm/yyyy) written here. As of Mon 31 Mar 2025:
  R2  request Mon 02/09/2024, decision 07/10/2024 (agreed), no final plan:
      AS05 due 02/09/2024 + 140 days = Mon 20/01/2025; 31/03/2025 - 20/01/2025 = 70 days overdue.
      AS01 due 02/09/2024 + 42 days = 14/10/2024; decided 07/10/2024: met.
      Caseworker cell is `=HYPERLINK("http://x")`: must arrive as text.
  R3  request Sun 24/11/2024, decision 16/12/2024 (agreed), no final plan:
      AS05 due 24/11/2024 + 140 = 13/04/2025: 13 days left, inside 28: due_soon.
  R5  request Mon 06/01/2025, decision Mon 24/02/2025: AS01 due 06/01 + 42 = Mon 17/02/2025,
      7 days late. No final plan: AS05 due 26/05/2025, 56 days left: pending (not listed).
  R4  request "TBC": DQ01, and the rules needing it are invalid.
Sentinel names, UPN and date of birth must appear nowhere unless --include-personal-data.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

openpyxl = pytest.importorskip("openpyxl")

HEADERS = ["Case Ref", "Child ID", "Forename", "Surname", "UPN", "DOB", "EHC Co-ordinator",
           "Date Request Received", "Decision to Assess", "Date of Decision to Assess",
           "Decision to Issue", "Draft Plan Date", "Final EHCP Issued"]
ROWS = [
    ["R2", "P2", "Zebedeeforename", "Quixotesurname", "A123456789012", "03/04/2015",
     '=HYPERLINK("http://x")', "02/09/2024", "Agreed", "07/10/2024", "", "", ""],
    ["R3", "P3", "Zebedeeforename", "Quixotesurname", "A123456789012", "03/04/2015",
     "B. Jones", "24/11/2024", "Agreed", "16/12/2024", "", "", ""],
    ["R5", "P5", "Zebedeeforename", "Quixotesurname", "A123456789012", "03/04/2015",
     "B. Jones", "06/01/2025", "Agreed", "24/02/2025", "", "", ""],
    ["R4", "P4", "Zebedeeforename", "Quixotesurname", "A123456789012", "03/04/2015",
     "B. Jones", "TBC", "Agreed", "16/12/2024", "", "", ""],
]
SENTINELS = ("Zebedeeforename", "Quixotesurname", "A123456789012")


def write_export(path: Path, rows: list[list[str]] = ROWS, headers: list[str] = HEADERS) -> Path:
    lines = [",".join(f'"{c}"' if "," in c or '"' in c else c for c in
                      [h.replace('"', '""') for h in headers])]
    for r in rows:
        lines.append(",".join('"' + c.replace('"', '""') + '"' for c in r))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


@pytest.fixture
def export(tmp_path: Path) -> Path:
    return write_export(tmp_path / "export.csv")


def build(cli, export: Path, *extra: str) -> openpyxl.Workbook:
    out = export.parent / "report.xlsx"
    run = cli("audit", export, "--as-of", "2025-03-31", "--format", "xlsx", "--output", out, *extra)
    assert run.code == 1, run.err  # overdue AS05 is a breach
    assert run.out == ""
    return openpyxl.load_workbook(out)


def all_cells(wb) -> list[object]:
    return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.value is not None]


def test_sheets_headers_and_known_row(cli, export):
    wb = build(cli, export)
    assert wb.sheetnames == ["Summary", "Measures", "Overdue", "Due soon", "Late", "Caseload", "Data quality",
                             "Other findings", "Backlog", "Forecast", "Counts", "Rules",
                             "Definitions"]
    ws = wb["Overdue"]
    header = [c.value for c in ws[1]]
    assert header == ["Duty", "Rule", "Advice kind", "Record", "Person", "Caseworker", "File",
                      "Row", "Start", "Due", "Days over", "What the finding is", "Action taken",
                      "Checked by", "Date checked"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:O2"
    row = {h: c for h, c in zip(header, ws[2])}
    assert row["Duty"].value == "Statutory"
    assert row["Rule"].value == "AS05" and row["Record"].value == "R2"
    assert row["Row"].value == 2 and row["Days over"].value == 70
    assert row["Due"].value == dt.datetime(2025, 1, 20)
    assert row["Due"].is_date and row["Due"].number_format == "dd/mm/yyyy"
    assert row["Start"].value == dt.datetime(2024, 9, 2)
    # The formula arrives as neutralised text, never as a formula.
    assert row["Caseworker"].value == "'=HYPERLINK(\"http://x\")"
    assert row["Caseworker"].data_type == "s"
    assert ws.max_row == 2  # R2 is the only overdue finding

    soon = wb["Due soon"]
    assert [c.value for c in soon[2]][:3] == ["AS05", None, "R3"]
    assert soon["I2"].value == dt.datetime(2025, 4, 13) and soon["J2"].value == 13

    late = wb["Late"]
    assert [c.value for c in late[1]][2] == "Status"
    assert [(r[0], r[2], r[3], r[11]) for r in late.iter_rows(min_row=2, values_only=True)] == [
        ("AS01", "late", "R5", 7)]


def test_data_quality_sheet_has_team_columns(cli, export):
    ws = build(cli, export)["Data quality"]
    header = [c.value for c in ws[1]]
    assert header[-3:] == ["Action taken", "Checked by", "Date checked"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2], r[6]) for r in rows] == [("DQ01", "R4", 5)]
    assert rows[0][header.index("Finding")] == "request_received_date: 'TBC' is not a date"
    assert rows[0][header.index("What to do")].startswith("Correct the cell")
    assert rows[0][-3:] == (None, None, None)


def test_summary_counts_and_charts(cli, export):
    wb = build(cli, export)
    ws = wb["Summary"]
    rows = list(ws.iter_rows(values_only=True))
    cells = {r[0]: r for r in rows if r[0] is not None}
    assert ws["B2"].value == dt.datetime(2025, 3, 31) and ws["B2"].number_format == "dd/mm/yyyy"
    # The manager's figures first: R2 overdue, R3 due soon, each case once.
    figures = next(i for i, r in enumerate(rows) if r[:3] == ("Figure", "Value", "Details"))
    assert [r[:2] for r in rows[figures + 1:figures + 3]] == [
        ("Cases overdue now (each case counted once)", 1), ("Cases due in the next 28 days", 1)]
    assert ws.cell(row=figures + 1, column=2).alignment.horizontal == "right"  # over its figures
    assert any(str(k).startswith("Problems only are listed") for k in cells)
    at = [r[0] for r in rows].index(str(export))  # the path as given
    assert rows[at][1:3] == (None, 4)  # no sheet; 4 rows
    assert rows[at + 1][0] == "SHA-256" and len(rows[at + 1][1]) == 64
    # What needs action: AS05 has R2 overdue and R3 due soon; AS01 has neither (R5 is late,
    # R2 and R3 met), so it is not in the table.
    ws = wb["Measures"]
    rows = list(ws.iter_rows(values_only=True))
    header = rows.index(("Rule", "Name", "Overdue", "Due soon", None))
    action = {r[0]: r[1:4] for r in rows[header + 1:header + 3]}
    assert action == {"AS05": ("final-plan-20w", 1, 1),
                      "Cases overdue and due soon, each case counted once": (None, 1, 1)}
    chart = ws._charts[0]
    assert [s.tx.strRef.f.replace("$", "") for s in chart.series] == [
        f"'Measures'!C{header + 1}", f"'Measures'!D{header + 1}"]  # Overdue, Due soon headers
    assert ws.cell(row=header + 1, column=3).alignment.horizontal == "right"
    counts = {r[0]: r for r in wb["Counts"].iter_rows(values_only=True)}
    head = counts["Rule"]
    as05 = dict(zip(head, counts["AS05"]))
    # AS05: R2 overdue, R3 due soon, R5 pending, R4 invalid (unreadable request date).
    assert (as05["Overdue"], as05["Due soon"], as05["Pending"], as05["Invalid"], as05["Met"]) == (
        1, 1, 1, 1, 0)


def test_rules_sheet_links_to_the_law(cli, export):
    ws = build(cli, export)["Rules"]
    assert [c.value for c in ws[1]][:6] == ["Code", "Name", "Title", "Severity", "Limit",
                                            "Legal source"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    assert rows["AS05"][4].value == "20 weeks"
    assert rows["AS05"][5].value == "SEND Regulations 2014 reg 13(2)"
    assert rows["AS05"][6].hyperlink.target == "https://www.legislation.gov.uk/uksi/2014/1530/regulation/13"


def test_caseload_without_measures_counts_findings_per_caseworker(export):
    import datetime as dt
    import io

    from sendcheck.audit import Options, run_audit
    from sendcheck.views.workbook import to_xlsx

    audit = run_audit([export], Options(as_of=dt.date(2025, 3, 31)))  # no measures computed
    ws = openpyxl.load_workbook(io.BytesIO(to_xlsx(audit)))["Caseload"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    # R2's caseworker (overdue AS05) first; B. Jones has R3 due soon, R5 late, R4's DQ01.
    assert rows == [("'=HYPERLINK(\"http://x\")", 1, 1, 0, 0, 0), ("B. Jones", 0, 0, 1, 1, 1)]


def test_caseload_sheet_from_measures(cli, export):
    rows = list(build(cli, export)["Caseload"].iter_rows(values_only=True))
    assert rows[0] == ("Caseworker", "Plans in force", "Open assessments",
                       "Reviews due in the next 8 weeks", "Cases overdue", "Cases due soon",
                       "Above the plans benchmark", "Above the assessments benchmark")
    # R2 (requested 2 Sep 2024, no plan): open, and past 20 weeks (due 20 Jan 2025). B. Jones:
    # R3 and R5 open (R4's request date is unreadable, so it is not counted as open); R3 is
    # due 13 Apr 2025, 13 days after the as-of date: due soon.
    assert rows[1:] == [
        ("'=HYPERLINK(\"http://x\")", 0, 1, 0, 1, 0, "No", "No"),
        ("B. Jones", 0, 2, 0, 0, 1, "No", "No"),
        ("All caseworkers (2)", 0, 3, 0, 1, 1, None, None)]


def test_no_personal_data_unless_asked(cli, export):
    text = " ".join(str(v) for v in all_cells(build(cli, export)))
    for s in SENTINELS:
        assert s not in text
    assert "2015-04-03" not in text and "03/04/2015" not in text
    wb = build(cli, export, "--include-personal-data")
    header = [c.value for c in wb["Overdue"][1]]
    assert {"Forename", "Surname", "UPN", "Date of birth"} <= set(header)
    row = dict(zip(header, [c.value for c in wb["Overdue"][2]]))
    assert row["Surname"] == "Quixotesurname" and row["Date of birth"] == dt.datetime(2015, 4, 3)


def test_xlsx_needs_output(cli, export):
    run = cli("audit", export, "--as-of", "2025-03-31", "--format", "xlsx")
    assert run.code == 2
    assert "--output" in run.err


def test_body_xml_escapes_and_neutralises():
    import polars as pl

    from sendcheck.views.xlsx import Col, _body_xml

    frame = pl.DataFrame({"t": ["a<b&c>", "@SUM(1)", None, "x\x01y"], "n": [1, None, 3, 4],
                          "b": [True, False, None, True]})
    styles = {"text": 1, "wrap": 2, "int": 3}
    xml = _body_xml(frame, [Col("t", "T"), Col("n", "N", "int"), Col("b", "B", "bool")], styles)
    assert '<t xml:space="preserve">a&lt;b&amp;c&gt;</t>' in xml
    assert "'@SUM(1)" in xml and "\x01" not in xml and "xy" in xml
    # A null text cell is left out; a boolean reads Yes or No.
    assert '<row r="4"><c r="B4" s="3"><v>3</v></c></row>' in xml
    assert '<c r="C2" s="1" t="inlineStr"><is><t xml:space="preserve">Yes</t>' in xml
    assert '<c r="C3" s="1" t="inlineStr"><is><t xml:space="preserve">No</t>' in xml


def test_suppressed_sheet_and_a_clean_export(cli, export, tmp_path):
    config = tmp_path / "sendcheck.toml"
    config.write_text('[[suppress]]\nrecord_id = "R2"\nrule = "AS05"\nreason = "Issued on paper"\n',
                      encoding="utf-8")
    wb = build(cli, export, "--config", config, "--fail-on", "breach")
    assert "Suppressed" in wb.sheetnames and wb["Overdue"].max_row == 1  # header only
    rows = list(wb["Suppressed"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2], r[3], r[-1]) for r in rows] == [("AS05", "overdue", "R2", "Issued on paper")]

    # Nothing to report: every sheet still opens with its header and no rows.
    clean = write_export(tmp_path / "clean.csv", [["R1", "P1", "", "", "", "", "A. Khan",
                                                   "06/01/2025", "Agreed", "10/02/2025", "",
                                                   "", ""]])
    out = tmp_path / "clean.xlsx"
    assert cli("audit", clean, "--as-of", "2025-02-20", "--format", "xlsx", "-o", out).code == 0
    wb = openpyxl.load_workbook(out)
    assert [wb[s].max_row for s in ("Overdue", "Due soon", "Late", "Data quality")] == [1, 1, 1, 1]
