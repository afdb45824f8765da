"""Command-line conventions (issue 11 item 6; contract sections 4 and 7): --version, completion,
an example in every command's help, the config file found beside the input and said in JSON, a
SEN2 return judged on its ReferenceDate, the stale-export warning, synth refusing to overwrite,
and `rules` listing the data-quality checks."""

from __future__ import annotations

import json

import pytest

from sendcheck import __version__
from sendcheck.cli import app

COMMANDS = [c.name for c in app.registered_commands]
HEADER = "Case Ref,Date Request Received,Decision to Assess,Date of Decision to Assess\r\n"


def test_version(cli):
    run = cli("--version")
    assert (run.code, run.out, run.err) == (0, f"sendcheck {__version__}\n", "")


def test_completion_is_offered(cli):
    assert "--install-completion" in cli("--help").out


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_has_an_example(cli, command):
    run = cli(command, "--help")
    assert run.code == 0
    example = run.out.split("Examples:", 1)[1]
    assert f"sendcheck {command} " in example


def _export(folder, request="06/01/2025", decision="17/02/2025"):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "cases.csv"
    path.write_text(HEADER + f"R1,{request},Agreed,{decision}\r\n", encoding="utf-8")
    return path


def test_config_beside_the_input_is_found_and_said(cli, tmp_path, monkeypatch):
    data = tmp_path / "share"
    path = _export(data)
    # The export calls its id column "Ref No": only the config beside it maps that.
    path.write_text(path.read_text(encoding="utf-8").replace("Case Ref", "Ref No"),
                    encoding="utf-8")
    (data / "sendcheck.toml").write_text('[columns]\n"Ref No" = "record_id"\n', encoding="utf-8")
    elsewhere = tmp_path / "home"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    run = cli("audit", path, "--as-of", "2025-03-01", "--format", "json", "--select", "AS01")
    doc = json.loads(run.out)
    assert doc["config"] == str(data / "sendcheck.toml")
    assert [f["record_id"] for f in json.loads(
        cli("audit", path, "--as-of", "2025-03-01", "--format", "json", "--all",
            "--select", "AS01").out)["findings"]] == ["R1"]


def test_no_config_is_said_as_null(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = _export(tmp_path / "data")
    doc = json.loads(cli("audit", path, "--as-of", "2025-03-01", "--format", "json").out)
    assert doc["config"] is None and doc["as_of_source"] == "--as-of"


def test_sen2_return_is_judged_on_its_reference_date(cli, root):
    # examples/sen2/sen2.xml: <ReferenceDate>2025-03-31</ReferenceDate>, no --as-of given.
    run = cli("audit", root / "examples/sen2/sen2.xml", "--format", "json", "--fail-on", "none")
    doc = json.loads(run.out)
    assert (doc["as_of"], doc["as_of_source"]) == ("2025-03-31", "the return's ReferenceDate")
    given = json.loads(cli("audit", root / "examples/sen2/sen2.xml", "--format", "json",
                           "--fail-on", "none", "--as-of", "2025-04-30").out)
    assert (given["as_of"], given["as_of_source"]) == ("2025-04-30", "--as-of")


def test_an_old_export_warns_on_stderr(cli, tmp_path):
    # Newest event 17/02/2025 (the decision); as of 20/03/2025 is 31 days later: no warning.
    # As of 21/03/2025 it is 32 days: the export looks old.
    path = _export(tmp_path)
    assert "warning" not in cli("audit", path, "--as-of", "2025-03-20").err
    err = cli("audit", path, "--as-of", "2025-03-21").err.splitlines()
    assert err[0] == ("warning: the newest event date in the export is 2025-02-17, 32 days "
                      "before the as-of date 2025-03-21: is this an old export?")


def test_synth_does_not_overwrite_without_force(cli, tmp_path):
    out = tmp_path / "s.csv"
    out.write_text("keep me\n", encoding="utf-8")
    run = cli("synth", "--episodes", "5", "--output", out)
    assert run.code == 2 and run.err == f"Error: {out} already exists: give --force to replace it\n"
    assert out.read_text(encoding="utf-8") == "keep me\n"
    assert cli("synth", "--episodes", "5", "--output", out, "--force").code == 0
    # Two title rows and a blank line above the header (as council reports have), 5 episodes.
    assert out.read_text(encoding="cp1252").count("\n") == 9


def test_rules_lists_the_data_quality_checks(cli):
    out = cli("rules").out
    checks = out.split("Data-quality checks (status invalid):\n", 1)[1].splitlines()
    assert checks[0].startswith("DQ01 ") and any(c.startswith("DQ20 ") for c in checks)
