"""The workbooks as a team manager uses them: opened in LibreOffice and printed, and read back with
openpyxl beside the JSON of the same run.

- LibreOffice (`soffice --headless --convert-to pdf`) prints every sheet of the audit workbook one
  page wide, A4 landscape, with the header rows and a footer (as-of date, sheet, page) on every
  page. A small synthetic export keeps the conversion quick; the bundled example's figures are
  checked with openpyxl only.
- Every figure on the Summary, Caseload and Backlog sheets equals the JSON's; no cell holds a
  flattened JSON key; dates are date cells; booleans read Yes or No.
- `caseload` and `trend` write real workbooks (and markdown) whose figures equal their JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

openpyxl = pytest.importorskip("openpyxl")

EXAMPLE = ROOT / "examples" / "export.xlsx"
REVIEWS = ROOT / "examples" / "reviews.csv"
AS_OF = "2025-03-31"
DATE_HEADERS = {"Start", "Due", "Done", "From", "To", "Request received", "Review due", "Month",
                "Date of birth"}


def _audit(tmp: Path, export: Path, reviews: Path) -> tuple[openpyxl.Workbook, dict, Path]:
    out = tmp / "report.xlsx"
    args = ("audit", export, "--reviews", reviews, "--as-of", AS_OF)
    run = run_cli(*args, "--format", "xlsx", "-o", out)
    assert run.code == 1, run.err  # the example has overdue cases
    data = run_cli(*args, "--format", "json")
    assert data.code == 1, data.err
    return openpyxl.load_workbook(out), json.loads(data.out), out


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> tuple[openpyxl.Workbook, dict, Path]:
    """The bundled example with its review history, as a workbook and as JSON."""
    return _audit(tmp_path_factory.mktemp("example"), EXAMPLE, REVIEWS)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[openpyxl.Workbook, dict, Path]:
    """A 100-episode synthetic export (seed 11) with its review history."""
    tmp = tmp_path_factory.mktemp("small")
    run = run_cli("synth", "--episodes", "100", "--seed", "11", "--as-of", AS_OF, "--output",
                  tmp / "small.xlsx", "--reviews-output", tmp / "reviews.csv")
    assert run.code == 0, run.err
    return _audit(tmp, tmp / "small.xlsx", tmp / "reviews.csv")


def text_cells(wb) -> list[tuple[str, str, str]]:
    return [(ws.title, c.coordinate, c.value) for ws in wb.worksheets for row in ws.iter_rows()
            for c in row if isinstance(c.value, str)]


# ---------------------------------------------------------------- printed by LibreOffice


def _pdf_pages(xlsx: Path) -> list[str]:
    if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice (soffice) or poppler (pdftotext) is not installed")
    out = xlsx.parent / "pdf"
    # A profile of its own: with another LibreOffice running under the same profile, soffice
    # hands the file to that one and returns without converting anything.
    profile = (xlsx.parent / "lo-profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(out), str(xlsx)], check=True, capture_output=True,
                   timeout=300)
    pdf = out / (xlsx.stem + ".pdf")
    assert pdf.is_file(), "LibreOffice wrote no PDF"
    sizes = subprocess.run(["pdfinfo", "-f", "1", "-l", "9999", str(pdf)], check=True,
                           capture_output=True, text=True).stdout
    widths = [tuple(map(float, m)) for m in re.findall(r"size:\s+([\d.]+) x ([\d.]+) pts", sizes)]
    assert widths and all(w > h for w, h in widths), "every page is landscape"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    return [p for p in text.split("\f") if p.strip()]


def test_libreoffice_prints_every_sheet_one_page_wide(small):
    wb, data, path = small
    pages = _pdf_pages(path)
    by_sheet: dict[str, list[str]] = {}
    for page in pages:
        footer = [line for line in page.splitlines() if line.strip()][-1]
        # The footer: "As of 31/03/2025   <sheet>   Page n of N" (print_setup).
        left, sheet, number = re.split(r"\s{2,}", footer.strip())
        assert left == "As of 31/03/2025" and re.fullmatch(rf"Page \d+ of {len(pages)}", number)
        by_sheet.setdefault(sheet, []).append(page)
    assert list(by_sheet) == wb.sheetnames  # every sheet printed, in order
    for ws in wb.worksheets:
        # One page wide; as many long as the rows need, but the Summary is one page.
        assert ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == (1 if ws.title == "Summary" else 0)
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.orientation == "landscape"
        # One page wide: no page is a right-hand continuation. The repeated header row's first
        # and last cells print on every page of the sheet.
        header = [c.value for c in ws[1] if c.value is not None]
        first, last = str(header[0]), str(header[-1]).split()[0]
        for page in by_sheet[ws.title]:
            assert first in page and last in page, (ws.title, first, last)
    # The lists the manager prints whole: one page each for this export.
    assert len(by_sheet["Caseload"]) == 1 and len(by_sheet["Backlog"]) == 1
    assert len(by_sheet["Summary"]) == 1  # the manager's page


def test_the_example_prints_in_tens_of_pages_with_a_one_page_summary(example):
    """The manager prints the workbook: LibreOffice's PDF of the bundled example (329 A4 pages
    before, 234 of them the Late sheet) is under 100 pages; the Summary is one page holding the
    figures to act on first and the whole monthly chart; then the Measures sheet."""
    wb, data, path = example
    pages = _pdf_pages(path)
    assert len(pages) < 100
    sheets = [re.findall(r"\s{2,}([A-Z][a-z]+(?: [a-z]+)?)\s{2,}Page \d+ of", p)[-1]
              for p in pages]  # the footer's middle: the sheet's name
    assert sheets.count("Summary") == 1 and sheets[:2] == ["Summary", "Measures"]
    assert sheets.count("Late") <= 5 and sheets.count("Other findings") <= 5
    first = " ".join(pages[0].split())
    t = data["totals"]
    assert f"Cases overdue now (each case counted once) {t['cases_overdue']}" in first
    assert f"Cases due in the next 28 days {t['cases_due_soon']}" in first
    assert "England, plans issued in calendar year 2025 46.1%" in first
    # The chart's title and its last month's label print on the same page: the chart is whole.
    assert "New EHC plans within 20 weeks (excluding exceptions), by month of issue" in first
    assert "Inputs" in first


# ---------------------------------------------------------------- every sheet's conventions


def test_every_sheet_frozen_filtered_fitted_and_footed(example):
    from sendcheck.views.workbook import DEFINITION_WIDTH
    from sendcheck.views.xlsx import MAX_WIDTH

    wb, _, _ = example
    for ws in wb.worksheets:
        assert ws.freeze_panes in ("A2", "A3"), ws.title
        assert ws.auto_filter.ref, ws.title
        assert ws.print_title_rows in ("$1:$1", "$1:$2"), ws.title
        assert "As of 31/03/2025" in ws.oddFooter.left.text and "&P" in ws.oddFooter.right.text
        cap = (DEFINITION_WIDTH if ws.title == "Definitions" else MAX_WIDTH) + 2
        used = {c.column_letter for row in ws.iter_rows() for c in row if c.value is not None}
        for letter in used:
            width = ws.column_dimensions[letter].width
            assert 4 <= width <= cap, (ws.title, letter, width)
        # Text longer than its column wraps (titles and notes on the Summary and Measures may run into
        # the empty cells beside them).
        for row in ws.iter_rows(min_row=2):
            for c in row:
                if isinstance(c.value, str) and len(c.value) > cap and \
                        ws.title not in ("Summary", "Measures"):
                    assert c.alignment.wrap_text, (ws.title, c.coordinate)


def _key_paths(obj: object) -> set[str]:
    """Every "parent / child" pair of JSON keys, spelt as the old flattened labels were
    (`items / final plan 20w / values / pc plans i`): underscores as spaces."""
    out: set[str] = set()
    if isinstance(obj, dict):
        for key, value in obj.items():
            if isinstance(value, dict):
                out |= {f"{key} / {child}".replace("_", " ") for child in value}
            out |= _key_paths(value)
    elif isinstance(obj, list):
        for value in obj:
            out |= _key_paths(value)
    return out


def test_no_cell_holds_a_flattened_key(example):
    wb, data, _ = example
    pairs = set().union(*(_key_paths(data[k]) for k in ("measures", "backlog", "caseload")))
    assert "items / final plan 20w" in pairs and "values / pc plans issued 20 weeks ex" in pairs
    flattened = re.compile("|".join(re.escape(p) for p in sorted(pairs, key=len, reverse=True)))
    # Field names spelt as names (with an underscore; "pending" is also an English word).
    keys = {k for item in data["measures"]["items"].values() for k in item["values"] if "_" in k}
    # A field name appears only as itself (the DfE field column), never inside a label; the
    # definitions name the columns they count from, which are not measure fields.
    inside = re.compile("|".join(rf"(?<!\w){re.escape(k)}(?!\w)" for k in keys))
    cells = text_cells(wb)
    # One search over all the text (a search per cell took seconds).
    every = "\n".join(v.replace("\n", " ") for _, _, v in cells)
    labels = "\n".join(v.replace("\n", " ") for sheet, _, v in cells
                       if v not in keys and sheet != "Definitions")
    assert flattened.search(every) is None
    assert inside.search(labels) is None


def test_dates_are_date_cells_and_booleans_yes_no(example):
    wb, _, _ = example
    date_text = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{2,4}")
    seen = 0
    for ws in wb.worksheets:
        header_rows = [r for r in ws.iter_rows() if any(c.value in DATE_HEADERS for c in r)]
        for header in header_rows:
            for h in header:
                if h.value not in DATE_HEADERS:
                    continue
                below = ws.cell(row=h.row + 1, column=h.column)
                if below.value is not None:
                    assert below.is_date and below.number_format in ("dd/mm/yyyy", "mmm yyyy"), (
                        ws.title, below.coordinate, below.value)
                    seen += 1
        for row in ws.iter_rows():
            for c in row:
                assert not isinstance(c.value, bool), (ws.title, c.coordinate)
                if isinstance(c.value, str):
                    assert not date_text.fullmatch(c.value), (ws.title, c.coordinate, c.value)
    assert seen >= 8
    caseload = list(wb["Caseload"].iter_rows(values_only=True))
    flags = [i for i, h in enumerate(caseload[0]) if h.startswith("Above the")]
    assert len(flags) == 2
    assert {r[i] for r in caseload[1:-1] for i in flags} == {"Yes", "No"}
    assert wb["Summary"]["B2"].is_date


# ---------------------------------------------------------------- the same figures as the JSON


def _rows(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def _percent(value: object) -> object:
    return round(value * 100, 1) if isinstance(value, float) else value


def test_summary_measures_equal_the_json(example):
    wb, data, _ = example
    rows = _rows(wb["Measures"])
    start = rows.index(("Measure", "DfE field", "Value", "From", "To"))
    period = data["measures"]["period"]
    frm, to = dt.datetime.fromisoformat(period["start"]), dt.datetime.fromisoformat(period["end"])
    shown: dict[str, dict] = {}
    title = None
    for r in rows[start + 1:]:
        if r[0] is None:
            break
        if r[1] is None:  # a measure's title (or its flag or reason)
            title = r[0] if r[0] in {i["title"] for i in data["measures"]["items"].values()} \
                else title
            continue
        assert (r[3], r[4]) == (frm, to)
        value = _percent(r[2]) if r[1].startswith("pc_") else r[2]
        shown.setdefault(title, {})[r[1]] = value
    expected = {i["title"]: i["values"] for i in data["measures"]["items"].values()
                if i["available"]}
    assert shown == expected
    # The 20-week figure a manager looks for first: DfE's headline, in plain English.
    twenty = next(r for r in rows if r[1] == "pc_plans_issued_20_weeks_ex")
    assert twenty[0] == "% of new EHC plans issued within 20 weeks (excluding exceptions)"
    assert wb["Measures"].cell(row=rows.index(twenty) + 1, column=3).number_format == "0.0%"


def test_summary_action_quality_and_inputs_equal_the_json(example):
    wb, data, _ = example
    summary = _rows(wb["Summary"])
    rows = _rows(wb["Measures"])
    start = rows.index(("Rule", "Name", "Overdue", "Due soon", None))
    action = {}
    for r in rows[start + 1:]:
        if r[0] is None or r[1] is None:
            break
        action[r[0]] = (r[2], r[3])
    assert action == {code: (c["overdue"], c["due_soon"]) for code, c in data["summary"].items()
                      if c["overdue"] or c["due_soon"]}
    cases = next(r for r in rows if str(r[0]).startswith("Cases overdue and due soon"))
    total = data["caseload"]["total"]
    assert cases[2:4] == (total["cases_overdue"], total["cases_due_soon"])
    first = next(i for i, r in enumerate(summary) if r[:3] == ("Figure", "Value", "Details"))
    assert [r[1] for r in summary[first + 1:first + 3]] == [total["cases_overdue"],
                                                            total["cases_due_soon"]]
    v = data["measures"]["items"]["final_plan_20w"]["values"]
    assert _percent(summary[first + 3][1]) == v["pc_plans_issued_20_weeks_ex"]
    assert summary[first + 4][:2] == ("England, plans issued in calendar year 2025", 0.461)
    assert summary[first + 3][3] == summary[first + 4][3] == "pc_plans_issued_20_weeks_ex"
    f = data["measures"]["forecast_20w"]["excluding"]
    assert _percent(summary[first + 5][1]) == f["pc_likely"]
    dq_start = rows.index(("Check", "Code", "Findings", None, None))
    dq = {r[1]: r[2] for r in rows[dq_start + 1:dq_start + 1 + len(data["data_quality"])]}
    assert dq == {q["check"]: q["findings"] if not q["skipped"] else
                  "skipped: missing " + ", ".join(q["skipped"]) for q in data["data_quality"]}
    paths = {r[0]: r[2] for r in summary if r[0] in (data["inputs"][0]["path"],
                                                  data["reviews"]["path"])}
    assert paths == {data["inputs"][0]["path"]: data["inputs"][0]["rows"],
                     data["reviews"]["path"]: data["reviews"]["rows"]}
    assert data["inputs"][0]["rows"] == 3500
    listed = {r[1]: r[2] for r in summary[next(i for i, r in enumerate(summary)
                                               if r[:3] == ("Findings", "Sheet", "Rows")) + 1:]
              if r[1] in wb.sheetnames and r[2] is not None}
    for sheet, n in listed.items():
        assert wb[sheet].max_row - 1 == n
    statuses = {f["status"] for f in data["findings"]}
    assert listed["Overdue"] == sum(f["status"] == "overdue" for f in data["findings"])
    assert "overdue" in statuses


def test_monthly_figure_equals_the_trend_json(example):
    wb, _, _ = example
    run = run_cli("trend", EXAMPLE, "--as-of", AS_OF, "--format", "json")
    assert run.code == 0, run.err
    series = json.loads(run.out)["series"]
    rows = _rows(wb["Measures"])
    start = next(i for i, r in enumerate(rows) if r[0] == "Month")
    shown = [(r[0].date(), r[1], r[2], _percent(r[3]), r[4])
             for r in rows[start + 1:start + 1 + len(series)]]
    assert shown == [(dt.date.fromisoformat(s["start"]), s["plans_issued_den_ex"],
                      s["plans_issued_20_weeks_ex"], s["pc_plans_issued_20_weeks_ex"],
                      "Yes" if s["partial"] else "No") for s in series]
    line = wb["Summary"]._charts[0]  # on the Summary, from the Measures sheet's table
    assert "20 weeks" in str(line.title.tx.rich.p[0].r[0].t)
    assert line.series[0].val.numRef.f.replace("$", "") == (
        f"'Measures'!D{start + 2}:D{start + 1 + len(series)}")


def test_caseload_and_backlog_sheets_equal_the_json(example):
    wb, data, _ = example
    rows = _rows(wb["Caseload"])
    keys = ["caseworker", "plans_in_force", "open_assessments", "reviews_due_next",
            "cases_overdue", "cases_due_soon", "over_plans", "over_assessments"]
    expected = [tuple(("Yes" if r[k] else "No") if k.startswith("over_") else r[k] for k in keys)
                for r in data["caseload"]["caseworkers"]]
    assert rows[1:-1] == expected
    total = data["caseload"]["total"]
    assert rows[-1][1:6] == tuple(total[k] for k in keys[1:6])

    backlog = {r[1]: r[2:] for r in _rows(wb["Backlog"]) if r[1] and "_" in str(r[1])}
    a, rv = data["backlog"]["assessments"], data["backlog"]["reviews"]
    assert backlog["open_assessments"] == (a["open_assessments"], a["open_with_exception"],
                                           a["open_assessments"] - a["open_with_exception"])
    for w in (20, 30, 52):
        assert backlog[f"past_{w}_weeks"] == (a[f"past_{w}_weeks"],
                                              a[f"past_{w}_weeks_with_exception"],
                                              a[f"past_{w}_weeks_without_exception"])
    for key in ("reviews_overdue", "overdue_0_6_months", "overdue_24_plus_months"):
        assert backlog[key][0] == rv[key]
    longest = _rows(wb["Backlog"])
    at = longest.index(("Record", "Caseworker", "Request received", "Weeks waiting", "Exception"))
    first = data["backlog"]["longest_assessments"][0]
    assert longest[at + 1][:4] == (first["record_id"], first["caseworker"],
                                   dt.datetime.fromisoformat(first["request_received_date"]),
                                   first["weeks_waiting"])


# ---------------------------------------------------------------- caseload and trend commands


def _command(command: str, tmp_path: Path) -> tuple[tuple, openpyxl.Workbook, dict]:
    """A command's workbook and JSON for the example; without --output, xlsx is refused."""
    args = (command, EXAMPLE, "--as-of", AS_OF)
    out = tmp_path / f"{command}.xlsx"
    assert run_cli(*args, "--format", "xlsx", "-o", out).code == 0
    bare = run_cli(*args, "--format", "xlsx")
    assert bare.code == 2 and bare.err.count("\n") == 1 and "--output" in bare.err
    return args, openpyxl.load_workbook(out), json.loads(run_cli(*args, "--format", "json").out)


def test_caseload_command_writes_a_real_workbook_and_markdown(tmp_path):
    args, wb, data = _command("caseload", tmp_path)
    section = data["caseload"]
    assert wb.sheetnames == ["Caseload", "Definitions"]
    rows = _rows(wb["Caseload"])
    assert [r[0] for r in rows[1:-1]] == [r["caseworker"] for r in section["caseworkers"]]
    assert [r[4] for r in rows[1:-1]] == [r["cases_overdue"] for r in section["caseworkers"]]
    assert rows[-1][0] == f"All caseworkers ({section['total']['caseworkers']})"
    assert wb["Caseload"].page_setup.fitToWidth == 1

    md = run_cli(*args, "--format", "markdown")
    assert md.code == 0 and md.out.startswith("# Caseload per caseworker at 31/03/2025\n")
    greaves = next(r for r in section["caseworkers"] if r["caseworker"] == "G. Greaves")
    assert (f"| G. Greaves | {greaves['plans_in_force']} | {greaves['open_assessments']} | "
            f"{greaves['reviews_due_next']} | {greaves['cases_overdue']} | "
            f"{greaves['cases_due_soon']} | plans, assessments |") in md.out


def test_trend_command_writes_a_real_workbook_and_markdown(tmp_path):
    args, wb, data = _command("trend", tmp_path)
    series = data["series"]
    assert wb.sheetnames == ["Trend", "Definitions"]
    ws = wb["Trend"]
    rows = _rows(ws)
    head = rows[0]
    col = head.index("% of new EHC plans issued within 20 weeks (excluding exceptions)")
    assert [(r[0].date(), _percent(r[col])) for r in rows[1:1 + len(series)]] == [
        (dt.date.fromisoformat(s["start"]), s["pc_plans_issued_20_weeks_ex"]) for s in series]
    assert ws.cell(row=2, column=1).number_format == "mmm yyyy"
    assert {r[1] for r in rows[1:1 + len(series)]} == {"No"}
    assert len(ws._charts) == 1

    md = run_cli(*args, "--format", "markdown")
    assert md.code == 0 and md.out.startswith("# Month by month to 31/03/2025\n")
    last = series[-1]
    assert f"| {last['month']} | {last['plans_issued_den']} | " in md.out
    assert f"| {last['pc_plans_issued_20_weeks_ex']}% |" in md.out
    assert "`pc_plans_issued_20_weeks_ex`" in md.out  # the definitions, once, as notes


def test_suppressed_counts_stay_suppressed_in_the_workbook(small, tmp_path):
    _, data, path = small
    out = tmp_path / "suppressed.xlsx"
    folder = path.parent
    run = run_cli("audit", folder / "small.xlsx", "--reviews", folder / "reviews.csv", "--as-of",
                  AS_OF, "--suppress-below", "10000", "--format", "xlsx", "-o", out,
                  "--fail-on", "none")
    assert run.code == 0, run.err
    wb = openpyxl.load_workbook(out)
    rows = _rows(wb["Measures"])
    start = rows.index(("Measure", "DfE field", "Value", "From", "To"))
    end = rows.index((None,) * 5, start)
    values = [r[2] for r in rows[start + 1:end] if r[1] and r[3]]
    # Every count under 10,000 is "<10000" (zero is shown); a percentage of one is withheld.
    assert values and set(values) <= {"<10000", 0}
    backlog = _rows(wb["Backlog"])
    assert backlog[1][2:] == ("<10000", "<10000" if data["backlog"]["assessments"][
        "open_with_exception"] else 0, "<10000")
    assert ("withheld: --suppress-below is set and these lists name cases",) == tuple(
        v for v in backlog[backlog.index(("Longest waits: open assessments", None, None, None,
                                          None)) + 1] if v)
