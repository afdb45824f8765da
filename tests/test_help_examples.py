"""Every example in every command's --help runs as printed, pasted into a shell in a folder
holding the bundled examples (examples/), in the order --help lists the commands: none exits 2.

A command that finds breaches exits 1 (that is its job); an example that names a missing file,
a folder that does not exist or an option the command refuses exits 2 and fails here."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, run_cli

COMMANDS = ["audit", "rules", "columns", "caseload", "init", "trend", "explain", "synth",
            "history", "actions", "hub", "figures"]
# Run on the bundled examples as printed. `hub` reads the run datasets of authorities whose
# sendcheck.toml names them (test_hub_examples_run_as_printed writes those first); `figures` is a
# group whose examples are its subcommands' (`figures show`'s runs; `figures update` needs a
# DfE release downloaded).
RUN_ON_EXAMPLES = COMMANDS[:-2] + ["figures show"]


def examples(command: str) -> list[str]:
    """The example lines of a command's --help, without their trailing (comment)."""
    text = run_cli(*command.split(), "--help").out
    assert "Examples:" in text, f"`sendcheck {command} --help` has no examples"
    lines = text.split("Examples:", 1)[1].splitlines()
    return [re.sub(r"\s+\(.*\)\s*$", "", line.strip()) for line in lines
            if line.strip().startswith("sendcheck ")]


def test_every_command_lists_the_commands_with_examples():
    listed = re.findall(r"^  (\w+)\s", run_cli("--help").out.split("Commands:", 1)[1], re.M)
    assert listed == COMMANDS


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    where = tmp_path_factory.mktemp("examples")
    shutil.copytree(ROOT / "examples", where, dirs_exist_ok=True)
    return where


def run_as_printed(folder, line: str) -> None:
    args = shlex.split(line)
    assert args[0] == "sendcheck"
    run = subprocess.run([sys.executable, "-m", "sendcheck", *args[1:]], cwd=folder,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode in (0, 1), f"{line}\n{run.stderr}"
    assert "Error" not in run.stderr, run.stderr
    named = re.search(r"--output[ =](\S+)", line)
    if named and named[1] != "-":  # the file it promised is there, not empty
        assert (folder / named[1]).stat().st_size > 0


@pytest.mark.parametrize("line", [line for c in RUN_ON_EXAMPLES for line in examples(c)
                                  if "figures update" not in line])
def test_the_example_runs_as_printed(folder, line):
    run_as_printed(folder, line)


def test_hub_examples_run_as_printed(tmp_path):
    """Each folder the hub's examples name holds one authority's run dataset, written by
    `sendcheck audit --format parquet` with the authority's code and key (sendcheck.toml)."""
    from test_hub import spoke

    lines = examples("hub")
    folders = sorted({a for line in lines for a in shlex.split(line)[2:]
                      if a.endswith("/")})
    assert folders == ["datasets/", "london/", "south-east/"]
    for seed, (code, name) in enumerate(zip(("941", "929", "826"), folders), start=1):
        source = spoke(tmp_path, code, seed, episodes=200)
        r = run_cli("audit", source / "export.csv", "--as-of", "2025-03-31", "--config",
                    source / "sendcheck.toml", "--format", "parquet", "--output",
                    tmp_path / name, "--fail-on", "none")
        assert r.code == 0, r.err
    for line in lines:
        run_as_printed(tmp_path, line)
