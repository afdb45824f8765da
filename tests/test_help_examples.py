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
            "history", "actions"]


def examples(command: str) -> list[str]:
    """The example lines of a command's --help, without their trailing (comment)."""
    text = run_cli(command, "--help").out
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


@pytest.mark.parametrize("line", [line for c in COMMANDS for line in examples(c)])
def test_the_example_runs_as_printed(folder, line):
    args = shlex.split(line)
    assert args[0] == "sendcheck"
    run = subprocess.run([sys.executable, "-m", "sendcheck", *args[1:]], cwd=folder,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode in (0, 1), f"{line}\n{run.stderr}"
    assert "Error" not in run.stderr, run.stderr
    named = re.search(r"--output[ =](\S+)", line)
    if named and named[1] != "-":  # the file it promised is there, not empty
        assert (folder / named[1]).stat().st_size > 0
