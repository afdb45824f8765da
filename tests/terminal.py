"""Run the sendcheck CLI on a real pseudo-terminal of a given width, as a person sees it.

The child's stdin and stdout are the pty's slave side, with the window size set by
TIOCSWINSZ, TERM set and NO_COLOR unset: rich then draws its terminal view in colour at that
width, exactly as on a user's screen. The screen text comes back with the colour codes removed.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-B]")


def run_on_terminal(args: list[str], columns: int, lines: int = 50, timeout: float = 120,
                    colour: bool = True, stderr_too: bool = False) -> tuple[int, str, str, str]:
    """(exit code, screen text without colour codes, raw stdout, stderr) of `sendcheck ARGS`.

    With `colour` False, NO_COLOR is set (sendcheck then prints plain text). Standard error goes
    to a pipe (the cron line and progress are not part of the screen the
    figures are read from) unless `stderr_too` (as a person's terminal shows both); stdin and
    stdout are the terminal, as rich sizes itself from them."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
    env = {k: v for k, v in os.environ.items()
           if k not in ("NO_COLOR", "COLUMNS", "LINES", "TERM", "FORCE_COLOR")}
    env["TERM"] = "xterm-256color"
    if not colour:  # NO_COLOR: plain text, still fitted to the terminal
        env["NO_COLOR"] = "1"
    proc = subprocess.Popen([sys.executable, "-m", "sendcheck", *args], stdin=slave,
                            stdout=slave, stderr=slave if stderr_too else subprocess.PIPE,
                            cwd=ROOT, env=env, close_fds=True)
    os.close(slave)
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([master], [], [], timeout)
            if not ready:
                proc.kill()
                raise TimeoutError(f"sendcheck {' '.join(args)} gave no output for {timeout} s")
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
        code = proc.wait(timeout)
        err = "" if stderr_too else proc.stderr.read().decode("utf-8", "replace")
        if not stderr_too:
            proc.stderr.close()
    raw = b"".join(chunks).decode("utf-8", "replace")
    # A carriage return goes back to the line's start, and the progress line is cleared so:
    # the terminal then shows what follows the last one.
    screen = "\n".join(line.rsplit("\r", 1)[-1]
                       for line in ANSI.sub("", raw).replace("\r\n", "\n").split("\n"))
    return code, screen, raw, err


README_ARGS = ["audit", "examples/export.xlsx", "--reviews", "examples/reviews.csv",
               "--as-of", "2025-03-31"]
README_START, README_END = "<!-- first-screen:start -->", "<!-- first-screen:end -->"


def visible(screen: str, columns: int, lines: int) -> list[str]:
    """What a terminal of that size shows once the run has ended: the last `lines` - 1 rows of
    output (long lines take several rows), the shell's prompt below them."""
    rows: list[str] = []
    for line in screen.rstrip("\n").split("\n"):
        rows += [line[i:i + columns] for i in range(0, max(len(line), 1), columns)]
    return rows[-(lines - 1):]


def first_screen(screen: str | None = None, columns: int = 120) -> str:
    """The audit's first screen of the bundled example as a terminal shows it after the run
    (run now, or from `screen`): stdout and the cron line, trailing spaces removed."""
    if screen is None:
        screen = run_on_terminal(README_ARGS, columns, stderr_too=True)[1]
    lines = [line.rstrip() for line in screen.splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("sendcheck "))
    return "\n".join(lines[start:]).rstrip() + "\n"


def readme_block(screen: str) -> str:
    return f"{README_START}\n```text\n$ sendcheck {' '.join(README_ARGS)}\n{screen}```\n{README_END}"


if __name__ == "__main__":  # python tests/terminal.py: refresh the README's sample screen
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    head, rest = text.split(README_START, 1)
    tail = rest.split(README_END, 1)[1]
    readme.write_text(head + readme_block(first_screen()) + tail, encoding="utf-8")
