"""Nothing lost: the input is never modified, reports are written atomically, and every output
format states rows read, evaluated and rejected, which add up."""

from __future__ import annotations

import hashlib
import json
import os
import re

import pytest
from conftest import run_cli

from sendcheck.views import files as outputs


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """A small export with two blank rows in the middle, as CSV and as a workbook."""
    from sendcheck.synth import export as synth

    folder = tmp_path_factory.mktemp("exports")
    data = synth.generate(200, seed=3)
    synth.write(data, folder / "e.xlsx")
    synth.write(data, folder / "e.csv")
    lines = (folder / "e.csv").read_bytes().split(b"\r\n")
    width = lines[3].count(b",")
    blank = b"," * width
    (folder / "e.csv").write_bytes(b"\r\n".join(lines[:50] + [blank, blank] + lines[50:]))
    return folder


@pytest.mark.parametrize("name", ["e.csv", "e.xlsx"])
def test_input_never_modified(exports, tmp_path, name):
    path = exports / name
    before, mtime = _sha(path), path.stat().st_mtime_ns
    for fmt in ("table", "json", "csv"):
        run = run_cli("audit", path, "--as-of", "2025-03-31", "--fail-on", "none", "--format",
                      fmt, "--output", tmp_path / f"r.{fmt}")
        assert run.code == 0, run.err
    run_cli("columns", path)
    assert _sha(path) == before and path.stat().st_mtime_ns == mtime


def _account(fmt: str, text: str) -> tuple[int, int, int]:
    if fmt == "json":
        rows = json.loads(text)["rows"]
        return rows["read"], rows["evaluated"], rows["rejected"]
    m = re.search(r"(\d+) (?:rows )?read, (\d+) evaluated, (\d+) rejected", text)
    assert m, f"{fmt} output does not state the rows account"
    return tuple(int(g) for g in m.groups())


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_every_format_states_the_rows_account(exports, fmt):
    """200 episodes and two blank rows: 202 read = 200 evaluated + 2 rejected (blank)."""
    run = run_cli("audit", exports / "e.csv", "--as-of", "2025-03-31", "--fail-on", "none",
                  "--format", fmt)
    assert run.code == 0, run.err
    # The CSV is a plain table from line 1 (its account is on stderr, in the cron line).
    assert _account(fmt, run.err if fmt == "csv" else run.out) == (202, 200, 2)
    assert "202 rows read, 200 evaluated, 2 rejected" in run.err  # the cron line


def test_csv_report_with_no_findings_still_states_the_account(tmp_path):
    path = tmp_path / "ok.csv"
    path.write_text("Case Ref,Date Request Received,Decision to Assess,Date of Decision to Assess\r\n"
                    "R1,06/01/2025,Agreed,17/02/2025\r\n", encoding="utf-8")
    run = run_cli("audit", path, "--as-of", "2025-03-31", "--format", "csv", "--select", "AS01")
    assert run.code == 0, run.err
    assert run.out.splitlines()[0].startswith("rule,kind,status")
    assert len(run.out.splitlines()) == 1  # the header alone: no findings
    assert _account("csv", run.err) == (1, 1, 0)


def test_report_written_atomically(tmp_path, monkeypatch):
    """An interrupted write leaves the previous report whole and no temporary file behind."""
    target = tmp_path / "report.json"
    target.write_text("yesterday's report\n", encoding="utf-8")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        outputs.write_atomic(target, "x" * 1_000_000)
    assert target.read_text(encoding="utf-8") == "yesterday's report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
    monkeypatch.undo()
    outputs.write_atomic(target, "today's report\n")
    assert target.read_text(encoding="utf-8") == "today's report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_cli_output_goes_through_the_atomic_writer(exports, tmp_path, monkeypatch):
    seen = []
    real = outputs.write_atomic
    monkeypatch.setattr(outputs, "write_atomic", lambda p, d: (seen.append(p), real(p, d)))
    out = tmp_path / "r.csv"
    run = run_cli("audit", exports / "e.csv", "--as-of", "2025-03-31", "--fail-on", "none",
                  "--format", "csv", "--output", out)
    assert run.code == 0 and seen == [out]
    assert out.read_text(encoding="utf-8").startswith("rule,kind,status,record_id")


def test_report_file_gets_the_umask_permissions_not_private(tmp_path):
    import os
    import stat

    from sendcheck.views import files as outputs

    old = os.umask(0o022)
    try:
        outputs.write_atomic(tmp_path / "r.json", "{}\n")
    finally:
        os.umask(old)
    # 0666 less the umask 022: readable by the team, like any report the user writes
    assert stat.S_IMODE((tmp_path / "r.json").stat().st_mode) == 0o644
