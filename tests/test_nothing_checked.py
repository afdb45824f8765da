"""Nothing checked is never green (contract section 7): an export no rule can run on stops every
command with one line naming `sendcheck columns FILE`; a renamed header's rules are said to be
skipped before any count of cases, on the first screen (a real terminal), the cron line and the
reports; `--fail-on skipped` fails on them; a rule that ran last run and is skipped now is a
change; a figure that needs the missing column is "not available", never 0."""

from __future__ import annotations

import json
import re

import pytest
from conftest import ROOT, run_cli
from terminal import run_on_terminal

EXAMPLE = ROOT / "examples" / "export.xlsx"
AS_OF = "2025-03-31"
# What a system upgrade did to the request date's header: no alias matches it any more.
RENAMED = "Date of Request (New System)"
SKIPPED = ("3 rules skipped, not checked (missing request_received_date): AS01, AS03, AS05")


def renamed_export(folder):
    """The bundled example (title rows, date cells) with "Date Request Received" renamed."""
    import openpyxl

    book = openpyxl.load_workbook(EXAMPLE)
    sheet = book.active
    cells = [c for row in sheet.iter_rows(max_row=10) for c in row
             if c.value == "Date Request Received"]
    assert len(cells) == 1
    cells[0].value = RENAMED
    path = folder / "export.xlsx"
    book.save(path)
    return path


@pytest.fixture(scope="module")
def renamed(tmp_path_factory):
    return renamed_export(tmp_path_factory.mktemp("renamed"))


# ---------------------------------------------------------------- no rule can run: exit 2


@pytest.mark.parametrize("command", [
    ["audit"], ["audit", "--format", "json"], ["caseload"], ["trend"], ["explain", "{file}", "A1"],
    ["actions", "--output-dir", "{tmp}/lists"]])
def test_an_export_no_rule_can_run_on_stops_every_command_with_one_line(tmp_path, command):
    # Headers a reader recognises (the case reference, the coordinator, the UPN) but none a
    # timescale rule reads: every command goes through the one audit path, which stops.
    export = tmp_path / "contacts.csv"
    export.write_bytes("Case Ref,EHC Co-ordinator,UPN,Team,Primary Need\r\n"
                       "A1,B. Jones,A123456789012,East,ASD\r\n"
                       "A2,C. Khan,B123456789012,West,SLCN\r\n".encode("cp1252"))
    args = [a.format(file=export, tmp=tmp_path) for a in command]
    if "{file}" not in command:
        args.insert(1, str(export))
    run = run_cli(*args, "--as-of", AS_OF)
    assert run.code == 2
    assert run.out == ""
    lines = run.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        "Error: contacts.csv: nothing to check (columns found: caseworker, primary_need, "
        "record_id, team, upn): no timescale rule can run on it; it seems to be ")
    assert lines[0].endswith(f"`sendcheck columns {export}` shows what its headers map to and "
                             f"what each rule needs")
    assert "A123456789012" not in run.err  # a UPN is never in a message
    lists = tmp_path / "lists"  # actions checks its folder can be written before any work
    assert not lists.exists() or not any(lists.iterdir())


def test_an_export_with_no_recognisable_header_stops_with_one_line(tmp_path):
    export = tmp_path / "notes.csv"
    export.write_text("Field 1,Field 2\nx,y\n", encoding="utf-8")
    run = run_cli("audit", export, "--as-of", AS_OF)
    assert run.code == 2 and run.out == ""
    assert len(run.err.strip().splitlines()) == 1
    assert "no recognisable column header" in run.err


# ---------------------------------------------------------------- a renamed header


@pytest.fixture(scope="module")
def renamed_json(renamed):
    run = run_cli("audit", renamed, "--as-of", AS_OF, "--format", "json", "--fail-on", "none")
    assert run.code == 0, run.err
    return json.loads(run.out), run.err


def test_the_json_says_which_rules_were_skipped_and_why(renamed_json):
    data, _ = renamed_json
    assert data["coverage"]["skipped"] == {code: ["request_received_date"]
                                           for code in ("AS01", "AS03", "AS05")}
    assert {"AS01", "AS03", "AS05"}.isdisjoint(data["coverage"]["ran"])
    assert {"AS01", "AS03", "AS05"}.isdisjoint(data["summary"])
    skipped = {r["code"]: r["skipped"] for r in data["rules"] if r["skipped"]}
    assert skipped == data["coverage"]["skipped"]


@pytest.mark.parametrize("columns", [80, 120])
def test_the_first_screen_says_so_before_any_count_of_cases(renamed, columns):
    code, screen, _, err = run_on_terminal(["audit", str(renamed), "--as-of", AS_OF,
                                            "--fail-on", "skipped"], columns)
    assert code == 1  # --fail-on skipped: AS01, AS03 and AS05 (error severity) did not run
    text = " ".join(line.strip() for line in screen.splitlines())
    assert SKIPPED in text
    assert text.index(SKIPPED) < text.index("cases overdue now")
    assert text.index("Needs action on 2025-03-31") < text.index(SKIPPED)
    # The figure that needs the request date is not available, never 0, per caseworker.
    table = screen.split("Caseworkers with most cases overdue", 1)[1].split("Data quality", 1)[0]
    rows = [line for line in table.splitlines() if re.match(r"^[A-Z]\. \w+", line)]
    assert len(rows) == 5
    assert all("not available" in line for line in rows)
    cron = err.strip().splitlines()[-1]
    assert cron.index(SKIPPED) < cron.index("cases overdue")


def test_the_cron_line_and_the_reports_say_so_before_the_cases(renamed, renamed_json, tmp_path):
    data, err = renamed_json
    t = data["totals"]
    assert err.strip().splitlines()[-1] == (
        f"sendcheck: {AS_OF} export.xlsx 3500 rows read, 3500 evaluated, 0 rejected: {SKIPPED}; "
        f"{t['cases_overdue']} cases overdue, {t['cases_due_soon']} due soon; {t['overdue']} "
        f"findings overdue, {t['due_soon']} due soon; {t['data_quality']} data-quality findings")
    md = run_cli("audit", renamed, "--as-of", AS_OF, "--format", "markdown", "--fail-on", "none")
    assert md.out.index(f"- **{SKIPPED}**") < md.out.index("cases are overdue")
    page = tmp_path / "report.html"
    run_cli("audit", renamed, "--as-of", AS_OF, "--format", "html", "--output", page,
            "--fail-on", "none")
    html = page.read_text(encoding="utf-8")
    assert html.index('id="rules-skipped" data-value="3"') < html.index('id="overdue-cases"')
    assert SKIPPED in html
    import openpyxl

    book = tmp_path / "report.xlsx"
    run_cli("audit", renamed, "--as-of", AS_OF, "--format", "xlsx", "--output", book,
            "--fail-on", "none")
    wb = openpyxl.load_workbook(book, read_only=True)
    cells = [r[0] if r else None for r in wb["Summary"].iter_rows(values_only=True)]
    assert cells.index(SKIPPED) < cells.index("Cases overdue now (each case counted once)")
    caseload = list(wb["Caseload"].iter_rows(values_only=True))
    at = caseload[0].index("Open assessments")
    assert {r[at] for r in caseload[1:]} == {"not available"}


def test_caseload_open_assessments_are_not_available_never_zero(renamed, renamed_json):
    data, _ = renamed_json
    load = data["caseload"]
    assert load["not_available"] == {"open_assessments": "missing request_received_date"}
    assert {r["open_assessments"] for r in load["caseworkers"]} == {None}
    assert load["total"]["open_assessments"] is None
    assert all(isinstance(r["plans_in_force"], int) for r in load["caseworkers"])
    run = run_cli("caseload", renamed, "--as-of", AS_OF)
    rows = [line for line in run.out.splitlines() if re.match(r"^[A-Z]\. \w+", line)]
    assert rows and all("not available" in line for line in rows)


def test_fail_on_skipped_fails_only_when_rules_were_skipped(renamed):
    assert run_cli("audit", renamed, "--as-of", AS_OF, "--fail-on", "skipped",
                   "--format", "json").code == 1
    # The same export with its header as it was: every rule runs, nothing skipped.
    assert run_cli("audit", EXAMPLE, "--as-of", AS_OF, "--fail-on", "skipped",
                   "--format", "json").code == 0


# ---------------------------------------------------------------- small exports


HEADER = ("Case Ref,EHC Co-ordinator,Date Request Received,Decision to Assess,"
          "Date of Decision to Assess,Decision to Issue,Decision to Issue Date,Draft EHCP Issued,"
          "Final EHCP Issued\r\n")
# Request Mon 6 Jan 2025; decided 10 Feb (35 days: AS01 met, due 17 Feb); draft 5 May, final
# Mon 26 May 2025 (6 Jan + 140 days: AS05 met on the due day; AS04: 5 May + 15 = 20 May, met).
# RV01 due 26 May 2026: pending on both days below. Nothing crosses a due date between them.
ROW = "R1,A. Khan,06/01/2025,Agreed,10/02/2025,Yes,05/05/2025,05/05/2025,26/05/2025\r\n"


def _export(folder, header: str):
    path = folder / "export.csv"
    path.write_text(header + ROW, encoding="utf-8")
    return path


def test_a_rule_chosen_with_select_that_cannot_run_counts(tmp_path):
    # Tribunal orders are not in this export: quietly absent, unless chosen with --select.
    export = _export(tmp_path, HEADER)
    run = run_cli("audit", export, "--as-of", "2025-06-30", "--format", "json",
                  "--fail-on", "skipped")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert data["coverage"]["skipped"] == {}
    assert "Tribunal orders" in data["coverage"]["not_in_export"]
    assert "not in this export: " in run_cli("audit", export, "--as-of", "2025-06-30").out
    chosen = run_cli("audit", export, "--as-of", "2025-06-30", "--select", "TO08",
                     "--fail-on", "skipped")
    assert chosen.code == 1
    assert "1 rule skipped, not checked (missing tribunal_order_date, tribunal_order_kind, " \
           "ordered_cease_date or plan_cease_date): TO08" in chosen.err


def test_a_rule_that_ran_last_time_and_is_skipped_now_is_a_change(tmp_path):
    history = tmp_path / "history.sqlite"
    day1, day2 = tmp_path / "day1", tmp_path / "day2"
    day1.mkdir()
    day2.mkdir()
    before = _export(day1, HEADER)
    after = _export(day2, HEADER.replace("Date Request Received", RENAMED))
    first = run_cli("audit", before, "--as-of", "2025-06-30", "--history", history,
                    "--fail-on", "new")
    assert first.code == 0, first.err
    # The same export the next day: nothing new, --fail-on new passes.
    same = run_cli("audit", before, "--as-of", "2025-07-01", "--history", history,
                   "--fail-on", "new")
    assert same.code == 0, same.err
    # The renamed header the day after: AS01, AS03 and AS05 ran, and cannot run now.
    run = run_cli("audit", after, "--as-of", "2025-07-02", "--history", history,
                  "--fail-on", "new", "--format", "json")
    assert run.code == 1, run.err
    changes = json.loads(run.out)["changes"]
    assert changes["newly_skipped"] == {code: ["request_received_date"]
                                        for code in ("AS01", "AS03", "AS05")}
    assert changes["counts"]["new_overdue"] == changes["counts"]["new_due_soon"] == 0
    # Without --fail-on new the run is green (nothing overdue) but the screen says it.
    shown = run_cli("audit", after, "--as-of", "2025-07-02", "--history", history)
    assert shown.code == 0
    text = " ".join(shown.out.split())
    assert "3 rules ran then and could not run now: AS01, AS03, AS05" in text


def test_the_nothing_to_check_line_comes_from_one_function(tmp_path):
    """Other helpers extend the message (what the file seems to be) in one place."""
    from sendcheck.audit import nothing_to_check
    from sendcheck.read.sheets import table_from_rows

    table = table_from_rows([{"Case Ref": "A1", "EHC Co-ordinator": "B. Jones"}])
    text = nothing_to_check([table])
    assert "nothing to check" in text and "sendcheck columns" in text
    assert "columns found: caseworker, record_id" in text


def test_columns_names_what_the_renamed_header_costs(tmp_path):
    export = _export(tmp_path, HEADER.replace("Date Request Received", RENAMED))
    run = run_cli("columns", export)
    assert run.code == 0
    assert "AS05 final-plan-20w: cannot run, missing request_received_date" in run.out
