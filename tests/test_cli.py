"""The command line as scripts see it: exact exit codes, JSON shape, determinism, privacy."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from conftest import ROOT, run_cli
from test_reader import HEADERS, ROWS, write_csv, write_xlsx

AS_OF = "2025-06-30"


@pytest.fixture
def export(tmp_path):
    return write_xlsx(tmp_path / "export.xlsx")


def csv_file(tmp_path, rows, name="e.csv"):
    return write_csv(tmp_path / name, rows)


# A case met on the due day: nothing at breach level (request Mon 6 Jan 2025 + 140 days = Mon 26 May).
CLEAN = [["R-1", "P-1", "A. Khan", "06/01/2025", "Agreed", "17/02/2025", "26/05/2025", "0", ""]]
# Decision 1 day late (due Mon 17 Feb), plan on time.
LATE = [["R-1", "P-1", "A. Khan", "06/01/2025", "Agreed", "18/02/2025", "26/05/2025", "0", ""]]
# Still open 35 days past the 20-week limit on 30 Jun 2025.
OVERDUE = [["R-1", "P-1", "A. Khan", "06/01/2025", "Agreed", "17/02/2025", "", "0", ""]]
# Open, due Mon 26 May 2025, judged on 1 May 2025: 25 days left, inside the 28-day window.
DUE_SOON = [["R-1", "P-1", "A. Khan", "06/01/2025", "Agreed", "17/02/2025", "", "0", ""]]
# An unreadable decision date.
INVALID = [["R-1", "P-1", "A. Khan", "06/01/2025", "Agreed", "TBC", "26/05/2025", "0", ""]]


def test_clean_export_exits_0(tmp_path):
    run = run_cli("audit", csv_file(tmp_path, CLEAN), "--as-of", AS_OF)
    assert run.code == 0, run.err
    assert "as of 2025-06-30" in run.out


def test_default_fails_on_overdue_only(tmp_path):
    # The default is `overdue` (contract section 7): a late decision is a breach that has
    # happened, not a running one, so a nightly job on it is green by default.
    late = csv_file(tmp_path, LATE)
    assert run_cli("audit", late, "--as-of", AS_OF).code == 0
    assert run_cli("audit", late, "--as-of", AS_OF, "--fail-on", "breach").code == 1
    assert run_cli("audit", late, "--as-of", AS_OF, "--fail-on", "breach", "--exit-zero").code == 0
    overdue = csv_file(tmp_path, OVERDUE, name="o.csv")
    assert run_cli("audit", overdue, "--as-of", AS_OF).code == 1
    assert run_cli("audit", overdue, "--as-of", AS_OF, "--fail-on", "none").code == 0


CATEGORIES = ("invalid", "overdue", "breach", "due_soon", "late", "overdue,due_soon")


@pytest.mark.parametrize("rows,as_of,expected", [
    # fail-on:        invalid overdue breach due_soon late overdue,due_soon
    (CLEAN, AS_OF, (0, 0, 0, 0, 0, 0)),
    (INVALID, AS_OF, (1, 0, 0, 0, 0, 0)),
    (OVERDUE, AS_OF, (0, 1, 1, 0, 0, 1)),
    (LATE, AS_OF, (0, 0, 1, 0, 1, 0)),
    (DUE_SOON, "2025-05-01", (0, 0, 0, 1, 0, 1)),
])
def test_fail_on_categories_do_not_nest(tmp_path, rows, as_of, expected):
    path = csv_file(tmp_path, rows)
    got = tuple(run_cli("audit", path, "--as-of", as_of, "--fail-on", chosen).code
                for chosen in CATEGORIES)
    assert got == expected


@pytest.mark.parametrize("value", ["overdu", "none,overdue", "", "new"])
def test_fail_on_refuses_unknown_or_impossible_categories(tmp_path, value):
    run = run_cli("audit", csv_file(tmp_path, CLEAN), "--as-of", AS_OF, "--fail-on", value)
    assert run.code == 2
    assert len(run.err.strip().splitlines()) == 1 and run.err.startswith("Error: --fail-on")


def test_json_shape(export):
    run = run_cli("audit", export, "--as-of", AS_OF, "--format", "json")
    assert run.code == 0  # late findings and data-quality ones, nothing overdue: the default passes
    doc = json.loads(run.out)
    assert list(doc)[:6] == ["sendcheck_version", "as_of", "inputs", "rows", "rules", "summary"]
    assert doc["as_of"] == AS_OF and doc["as_of_source"] == "--as-of"
    assert doc["config"] is None
    assert doc["inputs"][0]["rows"] == 4 and doc["inputs"][0]["sheet"] == "Cases"
    assert len(doc["inputs"][0]["sha256"]) == 64
    assert doc["rows"] == {"read": 4, "evaluated": 4, "rejected": 0}
    rules = {r["code"]: r for r in doc["rules"]}
    assert rules["AS05"]["skipped"] is None
    assert rules["AS04"]["skipped"] == ["draft_plan_date"]
    assert rules["AS02"]["skipped"][0] == "advice_ep_requested_date"
    # AS03 and AS04 lack a column but the export has some of what they need (the request and
    # plan dates): skipped, counted by --fail-on skipped. No advice column at all: AS02 is not
    # in this export, said once and quietly; so are the families with none of their columns.
    cover = doc["coverage"]
    assert cover["skipped"] == {"AS03": ["assessment_outcome_date", "assessment_outcome"],
                                "AS04": ["draft_plan_date"]}
    assert cover["not_in_export"]["AS02 advice-6w"] == ["AS02"]
    assert cover["not_in_export"]["Tribunal orders"] == [f"TO0{i}" for i in range(1, 9)]
    assert cover["ran"] == ["AS01", "AS05", "RV01"]
    # RV01 can run from the plan date alone (first review due 12 months after the plan)
    assert set(doc["summary"]) == {"AS01", "AS05", "RV01"}
    late = [f for f in doc["findings"] if f["rule"] == "AS05" and f["status"] == "late"]
    assert late == [{
        "rule": "AS05", "kind": None, "status": "late", "record_id": "R-2", "person_id": "P-2",
        "caseworker": "A. Khan", "source": "export.xlsx", "row": 6, "start": "2025-01-06",
        "due": "2025-05-26", "done": "2025-05-27", "days_over": 1, "exception": None,
        "message": "final plan issued on 2025-05-27, 1 day after the 20-week limit"}]
    statuses = {f["status"] for f in doc["findings"]}
    assert not statuses & {"met", "pending", "not_applicable"}


def test_json_all_lists_every_status(export):
    doc = json.loads(run_cli("audit", export, "--as-of", AS_OF, "--format", "json", "--all").out)
    met = [f["record_id"] for f in doc["findings"] if f["rule"] == "AS05" and f["status"] == "met"]
    assert met == ["R-1"]


def test_json_is_byte_identical(export):
    a = run_cli("audit", export, "--as-of", AS_OF, "--format", "json", "--all")
    b = run_cli("audit", export, "--as-of", AS_OF, "--format", "json", "--all")
    assert a.out == b.out and a.out


def test_output_file_written(export, tmp_path):
    out = tmp_path / "report.json"
    run = run_cli("audit", export, "--as-of", AS_OF, "--format", "json", "--output", out)
    assert run.out == ""
    assert json.loads(out.read_text())["as_of"] == AS_OF
    # R-1 met, R-2 late, R-3 unreadable request date (DQ01), R-4 flagged exception with no
    # reason (AS05 excepted; DQ06) and no caseworker on an open case (DQ05): nothing overdue.
    assert run.err.strip().splitlines()[-1] == (
        "sendcheck: 2025-06-30 export.xlsx 4 rows read, 4 evaluated, 0 rejected: 2 rules skipped, "
        "not checked (missing assessment_outcome_date, assessment_outcome, draft_plan_date): "
        "AS03, AS04; 0 cases overdue, 0 due soon; 0 findings overdue, 0 due soon; "
        "3 data-quality findings")


def test_csv_neutralises_formulas(tmp_path):
    rows = [["=HYPERLINK(\"http://x\")", "P-1", "+A. Khan", "06/01/2025", "Agreed", "18/02/2025",
             "26/05/2025", "0", ""]]
    run = run_cli("audit", csv_file(tmp_path, rows), "--as-of", AS_OF, "--format", "csv")
    line = [ln for ln in run.out.splitlines() if ln.startswith("AS01")][0]
    assert "'=HYPERLINK" in line and ",'+A. Khan," in line


def test_select_and_ignore(export):
    doc = json.loads(run_cli("audit", export, "--as-of", AS_OF, "--format", "json",
                             "--select", "AS05").out)
    assert [r["code"] for r in doc["rules"]] == ["AS05"]
    doc = json.loads(run_cli("audit", export, "--as-of", AS_OF, "--format", "json",
                             "--ignore", "AS05,DQ").out)
    assert "AS05" not in [r["code"] for r in doc["rules"]]
    assert not [f for f in doc["findings"] if f["rule"].startswith("DQ")]
    bad = run_cli("audit", export, "--select", "ZZ9")
    assert bad.code == 2 and "no rule code starts with 'ZZ9'" in bad.err


def test_usage_errors_exit_2_with_one_line(export):
    for args in (("audit", export, "--format", "pdf"), ("audit", export, "--as-of", "31st March"),
                 ("audit",), ("audit", export.with_name("missing.xlsx")),
                 ("audit", export, "--due-within", "-5"), ("audit", export, "--bogus")):
        run = run_cli(*args)
        assert run.code == 2, args
        assert len(run.err.strip().splitlines()) == 1 and run.err.startswith("Error: "), run.err
    run = run_cli("audit", export, "--format", "pdf")
    assert "'pdf' is not one of" in run.err and "(see `sendcheck audit --help`)" in run.err


def test_output_into_a_missing_folder_exits_2(export, tmp_path):
    run = run_cli("audit", export, "--format", "json", "--output", tmp_path / "no" / "r.json")
    assert run.code == 2
    assert run.err.strip().splitlines() == [
        f"Error: --output {tmp_path / 'no' / 'r.json'}: the folder {tmp_path / 'no'} does not exist"]


def test_crash_exits_2_with_one_line(export, monkeypatch):
    import sendcheck.audit

    def boom(*args, **kwargs):
        raise ZeroDivisionError("simulated")

    monkeypatch.setattr(sendcheck.audit, "audit_tables", boom)
    run = run_cli("audit", export)
    assert run.code == 2
    # The kind and where in sendcheck, never the message (a library's can quote a cell).
    assert re.fullmatch(r"Error: internal error \(ZeroDivisionError at sendcheck/cli/audit\.py:"
                        r"\d+\); rerun with --debug for the traceback\n", run.err), run.err


BAD_RULE = '''code = "LC01"
name = "local-rule"
title = "x"
severity = "error"
why = "x"
action = "x"
limit = "{limit}"
start = "request_received_date"
end = "final_plan_date"
done_text = "x"
missing_text = "x"
{extra}
[source]
instrument = "Local policy"
provision = "para 1"
url = "https://example.org/policy"

[[examples]]
title = "x"
row = {{ "Date Request Received" = "06/01/2025" }}
as_of = "2025-03-31"
status = "pending"
'''


@pytest.mark.parametrize("limit,extra,message", [
    ("20 weeks", "", "rule file LC01.toml: limit: bad duration '20 weeks'"),
    ("18w", "colour = 'red'", "rule file LC01.toml: colour: unknown key 'colour'"),
    ("18w", "exceptions = ['staff_shortage']", "unknown reason 'staff_shortage'"),
])
def test_bad_rule_file_exits_2(export, tmp_path, limit, extra, message):
    folder = tmp_path / "local"
    folder.mkdir()
    (folder / "LC01.toml").write_text(BAD_RULE.format(limit=limit, extra=extra))
    run = run_cli("audit", export, "--rules-dir", folder)
    assert run.code == 2
    assert message in run.err and run.err.count("\n") == 1


def test_rule_file_without_legal_source_exits_2(export, tmp_path):
    folder = tmp_path / "local"
    folder.mkdir()
    text = BAD_RULE.format(limit="18w", extra="").replace('url = "https://example.org/policy"\n', "")
    (folder / "LC01.toml").write_text(text)
    run = run_cli("audit", export, "--rules-dir", folder)
    assert run.code == 2 and "source.url: missing" in run.err


def test_local_rule_file_runs(export, tmp_path):
    folder = tmp_path / "local"
    folder.mkdir()
    (folder / "LC01.toml").write_text(BAD_RULE.format(limit="18w", extra=""))
    doc = json.loads(run_cli("audit", export, "--rules-dir", folder, "--as-of", AS_OF,
                             "--format", "json", "--select", "LC01", "--all").out)
    # request 6 Jan 2025 + 126 days = Mon 12 May 2025; plan 26 May: late by 14 days
    r1 = [f for f in doc["findings"] if f["record_id"] == "R-1"][0]
    assert (r1["status"], r1["due"], r1["days_over"]) == ("late", "2025-05-12", 14)


def test_reused_rule_code_exits_2(export, tmp_path):
    folder = tmp_path / "local"
    folder.mkdir()
    shutil.copy(ROOT / "rules" / "AS05.toml", folder / "AS05.toml")
    run = run_cli("audit", export, "--rules-dir", folder)
    assert run.code == 2 and "code AS05 is already used" in run.err


def test_rules_command_lists_and_explains():
    listing = run_cli("rules")
    assert listing.code == 0
    assert "AS05  final-plan-20w" in listing.out and "reg 13(2)" in listing.out
    one = run_cli("rules", "AS05")
    assert one.code == 0
    assert "https://www.legislation.gov.uk/uksi/2014/1530/regulation/13" in one.out
    assert "Worked examples:" in one.out and "2025-05-26" in one.out
    assert run_cli("rules", "XX01").code == 2


def test_columns_command(export):
    run = run_cli("columns", export)
    assert run.code == 0
    assert "'Date Request Received'" in run.out and "-> request_received_date" in run.out
    assert "AS04 draft-representations-15d: cannot run, missing draft_plan_date" in run.out
    assert "AS05 final-plan-20w: runs" in run.out


# ---------------------------------------------------------------- personal data

SENTINELS = {"forename": "Zebedee", "surname": "Quixotic", "upn": "Z123456789012",
             "dob": "29/02/2012"}


@pytest.fixture
def personal_export(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADERS + ["Forename", "Surname", "UPN", "Date of Birth"])
    for r in ROWS:
        ws.append(r + [SENTINELS["forename"], SENTINELS["surname"], SENTINELS["upn"], SENTINELS["dob"]])
    ws.append(["R-9", "P-9", "A. Khan", "06/01/2025", "Agreed", "", "", "", "",
               SENTINELS["forename"], SENTINELS["surname"], SENTINELS["upn"], "31/02/2012"])
    path = tmp_path / "personal.xlsx"
    wb.save(path)
    return path


def _leaks(text: str) -> list[str]:
    return [k for k, v in SENTINELS.items() if v in text or "2012-02-29" in text]


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "markdown"])
def test_no_personal_data_unless_asked(personal_export, fmt):
    run = run_cli("audit", personal_export, "--as-of", AS_OF, "--format", fmt, "--all")
    assert run.code in (0, 1)
    assert _leaks(run.out + run.err) == []


@pytest.mark.parametrize("args", [
    ("caseload", "{f}", "--format", "json"), ("caseload", "{f}", "--format", "csv"),
    ("trend", "{f}", "--format", "json"), ("explain", "{f}", "R-9"), ("explain", "{f}", "R-1"),
])
def test_no_personal_data_in_other_commands(personal_export, args):
    run = run_cli(*[a.format(f=personal_export) for a in args], "--as-of", AS_OF)
    assert run.code == 0, run.err
    assert _leaks(run.out + run.err) == []


def test_no_personal_data_in_the_workbook(personal_export, tmp_path):
    import zipfile

    out = tmp_path / "r.xlsx"
    assert run_cli("audit", personal_export, "--as-of", AS_OF, "--format", "xlsx", "-o", out).code == 1
    with zipfile.ZipFile(out) as zf:
        text = " ".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())
    assert _leaks(text) == []
    assert ">40968<" not in text  # nor the date of birth as an Excel date cell (serial 40968)


def test_personal_data_when_asked(personal_export):
    run = run_cli("audit", personal_export, "--as-of", AS_OF, "--format", "json",
                  "--include-personal-data")
    doc = json.loads(run.out)
    f = doc["findings"][0]
    assert (f["forename"], f["surname"], f["upn"]) == ("Zebedee", "Quixotic", "Z123456789012")


def test_readme_rules_table_is_current():
    from sendcheck.judge.rulebook import load_rules
    from sendcheck.views.rulehelp import readme_table

    assert readme_table(load_rules()) in (ROOT / "README.md").read_text(encoding="utf-8")


def test_help_lists_every_command_documented_in_readme():
    run = run_cli("--help")
    assert run.code == 0
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("audit", "rules", "columns"):
        assert command in run.out
        assert f"sendcheck {command}" in readme


def test_as05_runs_from_the_two_dates_alone(tmp_path):
    path = tmp_path / "two.csv"
    path.write_text("Case Ref,Date Request Received,Final EHCP Issued\r\n"
                    "R-1,06/01/2025,27/05/2025\r\n", encoding="utf-8")
    doc = json.loads(run_cli("audit", path, "--as-of", AS_OF, "--format", "json").out)
    assert {r["code"]: r["skipped"] for r in doc["rules"]}["AS05"] is None
    # 6 Jan 2025 + 140 days = Mon 26 May 2025; issued 27 May: late by 1 day
    late = [f for f in doc["findings"] if f["rule"] == "AS05"]
    assert [(f["status"], f["due"], f["days_over"]) for f in late] == [("late", "2025-05-26", 1)]


def test_a_panic_in_a_native_library_exits_2(export, monkeypatch):
    import sendcheck.audit

    class PanicException(BaseException):  # pyo3's panics derive from BaseException
        pass

    def panic(*args, **kwargs):
        raise PanicException("assertion failed: i < self.len()")

    monkeypatch.setattr(sendcheck.audit, "audit_tables", panic)
    run = run_cli("audit", export)
    assert run.code == 2
    assert re.fullmatch(r"Error: internal error \(PanicException at sendcheck/cli/audit\.py:"
                        r"\d+\); rerun with --debug for the traceback\n", run.err), run.err


def test_rules_explains_a_data_quality_check():
    run = run_cli("rules", "DQ06")
    assert run.code == 0
    assert run.out.startswith("DQ06 exception-without-reason: ")
    assert "What to do: Record which exception applies" in run.out
    assert run_cli("rules", "DQ99").code == 2


def test_the_format_follows_the_output_suffix(tmp_path):
    """Contract section 4: without --format the file's suffix chooses; a contradiction is exit 2."""
    export = str(ROOT / "examples" / "export.csv")
    run = run_cli("audit", export, "--as-of", "2025-03-31", "--output", tmp_path / "r.xlsx")
    assert run.code == 1 and (tmp_path / "r.xlsx").read_bytes()[:2] == b"PK"  # a workbook
    run = run_cli("audit", export, "--as-of", "2025-03-31", "--output", tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text())["as_of"] == "2025-03-31"
    run = run_cli("audit", export, "--format", "csv", "--output", tmp_path / "x.xlsx")
    assert run.code == 2 and "--format csv contradicts --output x.xlsx" in run.err
    assert not (tmp_path / "x.xlsx").exists()
    run = run_cli("caseload", export, "--output", tmp_path / "c.html")
    assert run.code == 2 and "not html" in run.err


@pytest.mark.parametrize("spelling", ["31-03-2025", "31 March 2025", "31 Mar 2025", "31/03/2025",
                                      "2025-03-31", "31/03/25"])
def test_as_of_takes_the_readers_spellings(spelling):
    run = run_cli("audit", ROOT / "examples" / "export.csv", "--as-of", spelling,
                  "--format", "json", "--fail-on", "none")
    assert run.code == 0 and json.loads(run.out)["as_of"] == "2025-03-31"


@pytest.mark.parametrize("value", ["45747", "31/02/2025", "yesterday"])
def test_as_of_refuses_what_is_not_a_date(value):
    run = run_cli("audit", ROOT / "examples" / "export.csv", "--as-of", value)
    assert run.code == 2 and f"--as-of: {value!r} is not a date" in run.err


def test_a_choice_error_in_plain_words():
    run = run_cli("audit", ROOT / "examples" / "export.csv", "--format", "pdf")
    assert run.code == 2
    assert ("--format: 'pdf' is not one of the choices (table, json, csv, xlsx, markdown, html, parquet)"
            in run.err) and "Value error" not in run.err
