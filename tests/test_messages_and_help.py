"""What a person reads: finding messages, `explain` by record or person, suppressions that key on
record ids only, and the configuration help (`init`'s guesses, `columns`' suggestions).

Hand-computed, as of Mon 30 Jun 2025:
  D1  draft plan Sun 1 Jun 2025, no final plan: AS04's earliest final plan is D + 15 = 16 Jun
      (the family's 15 days are 1-15 Jun). Not yet issued, 14 days past that date: pending, and
      the message names the earliest date, never "(-14 days left)".
  E1  EP advice requested Mon 3 Feb 2025, not received, exception "Personal circumstances"
      (reg 8(2)(a)): AS02 due 3 Feb + 42 = 17 Mar, excepted.
  R1  request Mon 6 Jan 2025 refused on 10 Feb (35 days: AS01 met, due 17 Feb); AS05 does not
      apply, so explain shows it no due date (its 20 weeks would have ended Mon 26 May 2025).
  P-7 two requests (E7a, E7b): explain by the person shows both.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import run_cli

HEADER = ["Record ID", "Child ID", "Case Officer", "Date Request Received",
          "Date of Decision to Assess", "Decision to Assess", "EP Advice Requested",
          "EP Advice Received", "Exception Reason", "Draft EHCP Issued", "Final EHCP Issued"]
ROWS = [
    ["D1", "P-1", "A. Khan", "", "", "", "", "", "", "01/06/2025", ""],
    ["E1", "P-2", "A. Khan", "06/01/2025", "20/01/2025", "Agreed", "03/02/2025", "",
     "Personal circumstances", "", ""],
    ["R1", "P-3", "B. Osei", "06/01/2025", "10/02/2025", "Refused", "", "", "", "", ""],
    ["E7a", "P-7", "B. Osei", "02/09/2024", "07/10/2024", "Refused", "", "", "", "", ""],
    ["E7b", "P-7", "B. Osei", "05/05/2025", "", "", "", "", "", "", ""],
]


def _write(path, header, rows) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    path.write_bytes(out.getvalue().encode("cp1252"))


@pytest.fixture
def export(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "cases.csv"
    _write(path, HEADER, ROWS)
    return path


def _findings(path, *extra) -> list[dict]:
    run = run_cli("audit", path, "--as-of", "2025-06-30", "--format", "json", "--all", *extra)
    assert run.code in (0, 1), run.err
    return json.loads(run.out)["findings"]


def test_no_negative_days_left_and_excepted_reads_as_a_sentence(export):
    found = _findings(export)
    (d1,) = [f for f in found if f["rule"] == "AS04" and f["record_id"] == "D1"]
    assert (d1["status"], d1["due"]) == ("pending", "2025-06-16")
    assert d1["message"] == ("final plan not yet issued; the earliest allowed date is 2025-06-16 "
                             "(the 15-day minimum)")
    assert not [f["message"] for f in found if "(-" in (f["message"] or "")]
    (e1,) = [f for f in found if f["rule"] == "AS02" and f["record_id"] == "E1"]
    assert (e1["status"], e1["due"], e1["exception"]) == (
        "excepted", "2025-03-17", "personal_circumstances")
    assert e1["message"] == ("EP advice: the 6-week limit does not apply (exception: "
                             "personal_circumstances)")


def test_explain_shows_no_due_date_on_a_rule_that_does_not_apply(export):
    run = run_cli("explain", export, "R1", "--as-of", "2025-06-30")
    assert run.code == 0, run.err
    as05 = next(x for x in run.out.splitlines() if x.strip().startswith("AS05 "))
    assert "not_applicable" in as05 and "26/05/2025" not in as05
    as01 = next(x for x in run.out.splitlines() if x.strip().startswith("AS01 "))
    assert "met" in as01 and "Mon 17/02/2025" in as01


def test_explain_finds_every_episode_of_a_person(export):
    run = run_cli("explain", export, "P-7", "--as-of", "2025-06-30")
    assert run.code == 0, run.err
    assert run.out.startswith("person 'P-7': 2 episodes (record E7a, E7b); each is shown\n")
    assert "Record E7a: cases.csv row 5" in run.out and "Record E7b: cases.csv row 6" in run.out
    # By record id, one episode.
    one = run_cli("explain", export, "E7b", "--as-of", "2025-06-30")
    assert one.out.startswith("Record E7b: cases.csv row 6") and "E7a" not in one.out


def test_suppressions_never_match_a_row_number(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # No record id column: record ids fall back to spreadsheet rows, which move between exports.
    path = tmp_path / "no_ids.csv"
    _write(path, HEADER[1:], [r[1:] for r in ROWS])
    config = tmp_path / "sendcheck.toml"
    config.write_text('[[suppress]]\nrecord_id = "3"\nrule = "AS02"\nreason = "chased"\n',
                      encoding="utf-8")
    run = run_cli("audit", path, "--as-of", "2025-06-30", "--format", "json")
    doc = json.loads(run.out)
    assert doc["suppressed"] == []
    assert [f["record_id"] for f in doc["findings"] if f["rule"] == "AS02"] == ["3"]
    assert doc["suppressions_unmatched"][0]["record_id"] == "3"
    assert ("the export has no record id column, and suppressions match record ids, never row "
            "numbers") in run.err
    # With record ids, a suppression keys on the id (here E1, on row 3).
    _write(path, HEADER, ROWS)
    config.write_text('[[suppress]]\nrecord_id = "E1"\nrule = "AS02"\nreason = "chased"\n',
                      encoding="utf-8")
    doc = json.loads(run_cli("audit", path, "--as-of", "2025-06-30", "--format", "json").out)
    assert [(s["rule"], s["record_id"]) for s in doc["suppressed"]] == [("AS02", "E1")]


def test_init_guesses_what_the_rules_need_and_columns_agrees(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "odd.csv"
    _write(path, ["Case Ref", "Date Request Received", "Date Decision To Assess Issued",
                  "Decision to Assess", "Fnal Plan Isued", "Funding Band"],
           [["C1", "06/01/2025", "17/02/2025", "Agreed", "26/05/2025", "C"]])
    # Before any config, `columns` suggests the same columns `init` will guess.
    run = run_cli("columns", path)
    assert "  'Date Decision To Assess Issued'  probably request_outcome_date" in run.out
    assert "  'Fnal Plan Isued'  probably final_plan_date" in run.out
    assert "  'Funding Band'  (no column near it)" in run.out
    assert "  AS01 decision-to-assess-6w: cannot run, missing request_outcome_date" in run.out
    assert run_cli("init", path).code == 0
    toml = (tmp_path / "sendcheck.toml").read_text(encoding="utf-8")
    guesses = [line for line in toml.splitlines() if line.startswith("# \"") and " = " in line]
    assert any(line.startswith('# "Date Decision To Assess Issued"')
               and '"request_outcome_date"' in line for line in guesses), guesses
    missing = toml.split("so the rules that read them are skipped:")[1].split("\n\n")[0]
    missing_columns = {line.split()[1] for line in missing.splitlines() if line.startswith("#   ")}
    assert missing_columns and not missing_columns & {"request_outcome_date", "final_plan_date"}
    # Accept the guesses (remove the '#'): the rules that needed them now run.
    accepted = "\n".join(line[2:].split("  #")[0] if line in guesses and "a guess" in line
                         else line for line in toml.splitlines())
    (tmp_path / "sendcheck.toml").write_text(accepted, encoding="utf-8")
    run = run_cli("columns", path)
    assert "  AS01 decision-to-assess-6w: runs" in run.out
    assert "  AS05 final-plan-20w: runs" in run.out
