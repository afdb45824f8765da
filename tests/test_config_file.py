"""sendcheck.toml: [audit] defaults, [[suppress]], strict validation, discovery, and `init`.

Dates and statuses are those of tests/test_workbook.py's export (as of Mon 31 Mar 2025):
R2 AS05 overdue 70 days (due Mon 20/01/2025); R3 AS05 due soon (due 13/04/2025, 13 days left);
R5 AS01 late 7 days; R4 DQ01.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from test_workbook import write_export


@pytest.fixture
def export(tmp_path: Path) -> Path:
    return write_export(tmp_path / "export.csv")


def audit_json(cli, export: Path, config: Path | None, *extra: str):
    args = ["audit", export, "--as-of", "2025-03-31", "--format", "json", *extra]
    if config:
        args += ["--config", config]
    run = cli(*args)
    return run, (json.loads(run.out) if run.out else None)


def statuses(data: dict, rule: str) -> dict[str, str]:
    return {f["record_id"]: f["status"] for f in data["findings"] if f["rule"] == rule}


@pytest.mark.parametrize("text, key", [
    ("[colums]\n", "colums"),
    ("[audit]\ndue_witin = 10\n", "audit.due_witin"),
    ("[audit]\ndue_within = \"28\"\n", "audit.due_within"),
    ("[audit]\ndue_within = true\n", "audit.due_within"),
    ("[audit]\nselect = \"AS05\"\n", "audit.select"),
    ("[[suppress]]\nrecord_id = \"R2\"\nrule = \"AS05\"\n", "suppress[1].reason"),
    ("[[suppress]]\nrecord_id = \"R2\"\nrule = \"AS05\"\nreason = \"x\"\nresaon = \"y\"\n",
     "suppress[1].resaon"),
    ("[[suppress]]\nrecord_id = \"R2\"\nrule = \"AS02\"\nreason = \"x\"\nkind = \"eps\"\n",
     "suppress[1].kind"),
])
def test_bad_key_or_type_is_exit_2_naming_the_key(cli, export, tmp_path, text, key):
    config = tmp_path / "sendcheck.toml"
    config.write_text(text, encoding="utf-8")
    run, _ = audit_json(cli, export, config)
    assert run.code == 2
    assert run.err.startswith(f"Error: sendcheck.toml: {key}: ")
    assert run.err.count("\n") == 1


def test_audit_defaults_from_the_file_and_the_command_line_wins(cli, export, tmp_path):
    config = tmp_path / "sendcheck.toml"
    config.write_text("[audit]\ndue_within = 5\nselect = [\"AS05\"]\n", encoding="utf-8")
    _, data = audit_json(cli, export, config)
    assert [r["code"] for r in data["rules"]] == ["AS05"]
    assert data["summary"]["AS05"]["due_soon"] == 0  # R3 has 13 days left; the window is 5
    assert statuses(data, "AS05") == {"R2": "overdue", "R4": "invalid"}
    _, data = audit_json(cli, export, config, "--due-within", "20", "--select", "AS")
    assert statuses(data, "AS05") == {"R2": "overdue", "R3": "due_soon", "R4": "invalid"}
    assert [r["code"] for r in data["rules"]][:2] == ["AS01", "AS02"]


def test_config_is_found_in_a_parent_folder(cli, export, tmp_path, monkeypatch):
    (tmp_path / "sendcheck.toml").write_text("[audit]\nselect = [\"AS01\"]\n", encoding="utf-8")
    work = tmp_path / "reports" / "2025"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    _, data = audit_json(cli, export, None)
    assert [r["code"] for r in data["rules"]] == ["AS01"]


def test_suppressed_findings_are_set_apart_and_stale_ones_reported(cli, export, tmp_path):
    config = tmp_path / "sendcheck.toml"
    config.write_text(
        '[[suppress]]\nrecord_id = "R2"\nrule = "AS05"\nreason = "Plan issued on paper 14/01/2025"\n'
        '[[suppress]]\nrecord_id = "R4"\nrule = "DQ01"\nreason = "Request date being traced"\n'
        '[[suppress]]\nrecord_id = "R9"\nrule = "AS05"\nreason = "Closed case"\n',
        encoding="utf-8")
    run, data = audit_json(cli, export, config, "--fail-on", "overdue")
    # R2's overdue AS05 was the only overdue finding, and it is suppressed: nothing overdue.
    assert run.code == 0
    # R4's rules are still invalid: asked for, invalid fails the run, on R4 alone.
    assert audit_json(cli, export, config, "--fail-on", "overdue,invalid")[0].code == 1
    assert "R2" not in statuses(data, "AS05")
    assert not [f for f in data["findings"] if f["rule"] == "DQ01"]
    assert [(s["rule"], s["record_id"], s["status"], s["days_over"], s["suppression_reason"])
            for s in data["suppressed"]] == [
        ("AS05", "R2", "overdue", 70, "Plan issued on paper 14/01/2025"),
        ("DQ01", "R4", "invalid", None, "Request date being traced")]
    assert data["summary"]["AS05"]["overdue"] == 1  # the law's count is unchanged
    assert data["suppressions_unmatched"] == [
        {"entry": "suppress[3]", "record_id": "R9", "rule": "AS05", "kind": None,
         "reason": "Closed case"}]
    assert "suppress[3] (AS05 R9) matches no finding" in run.err
    # The cron line counts open findings only: R2 suppressed, R4's DQ01 suppressed.
    assert run.err.splitlines()[-1].endswith(
        "AS03; 0 cases overdue, 1 due soon; 0 findings overdue, 1 due soon; 0 data-quality findings")


ODD_HEADERS = ["Ref No", "Worker", "EHCNA Logged", "Panel Outcome", "Panel Date",
               "Plan Finalised", "Notes"]
ODD_ROWS = [
    # Request Mon 06/01/2025, decision 10/02/2025 (6-week due 17/02/2025: met), final plan
    # 27/05/2025: 20-week due 06/01 + 140 = Mon 26/05/2025, so 1 day late (as of 30/06/2025).
    ["X1", "A. Khan", "06/01/2025", "Agreed", "10/02/2025", "27/05/2025", "n"],
    # Request Mon 03/02/2025, refused 24/03/2025: 6-week due 17/03/2025, 7 days late.
    ["X2", "B. Jones", "03/02/2025", "Refused", "24/03/2025", "", ""],
]


def test_init_then_one_edit_makes_an_unusual_export_work(cli, tmp_path):
    export = write_export(tmp_path / "odd.csv", ODD_ROWS, ODD_HEADERS)
    target = tmp_path / "sendcheck.toml"
    run = cli("init", export, "--output", target)
    assert run.code == 0, run.err
    assert run.out.startswith(f"wrote {target}: 0 headers recognised, 7 not recognised")
    text = target.read_text(encoding="utf-8")
    tomllib.loads(text)  # valid as written
    assert '# "Ref No"         = "record_id"' in text
    assert '# "Worker"         = "caseworker"' in text
    assert '# "Plan Finalised" = "final_plan_date"' in text
    assert '# "EHCNA Logged"   = ""' in text  # no guess offered
    assert "#   request_received_date (AS01, AS03, AS05)" in text

    # Before the edit, the export has no recognisable header at all.
    assert cli("audit", export, "--config", target).code == 2

    # The one edit: uncomment the guessed lines, fill in the three left blank.
    fill = {"EHCNA Logged": "request_received_date", "Panel Outcome": "request_outcome",
            "Panel Date": "request_outcome_date"}
    lines = []
    for line in text.splitlines():
        for header in ("Ref No", "Worker", "Plan Finalised", *fill):
            if line.startswith(f'# "{header}"'):
                line = line[2:].split("#")[0].rstrip()
                if header in fill:
                    line = line.replace('""', f'"{fill[header]}"')
        lines.append(line)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")

    run = cli("audit", export, "--config", target, "--as-of", "2025-06-30", "--format", "json",
              "--select", "AS01,AS05", "--fail-on", "breach")
    assert run.code == 1, run.err
    data = json.loads(run.out)
    found = {(f["rule"], f["record_id"]): (f["status"], f["due"], f["days_over"])
             for f in data["findings"]}
    assert found == {("AS01", "X2"): ("late", "2025-03-17", 7),
                     ("AS05", "X1"): ("late", "2025-05-26", 1)}


def test_init_refuses_to_overwrite(cli, tmp_path):
    export = write_export(tmp_path / "odd.csv", ODD_ROWS, ODD_HEADERS)
    target = tmp_path / "sendcheck.toml"
    target.write_text("# mine\n", encoding="utf-8")
    run = cli("init", export, "--output", target)
    assert run.code == 2 and "already exists; give --force" in run.err
    assert target.read_text(encoding="utf-8") == "# mine\n"
    assert cli("init", export, "--output", target, "--force").code == 0
    assert target.read_text(encoding="utf-8").startswith("# sendcheck.toml")


def test_init_lists_unknown_coded_values(cli, tmp_path):
    rows = [["R1", "06/01/2025", "Proceed to EHCNA"], ["R2", "06/01/2025", "Agreed"]]
    export = write_export(tmp_path / "e.csv", rows, ["Case Ref", "Date Request Received",
                                                     "Decision to Assess"])
    target = tmp_path / "sendcheck.toml"
    assert cli("init", export, "--output", target).code == 0
    text = target.read_text(encoding="utf-8")
    assert "[values.request_outcome]" in text
    assert '# "Proceed to EHCNA" = ' in text and '"Agreed"' not in text.split("[values")[1]
    assert tomllib.loads(text)["values"]["request_outcome"] == {}
