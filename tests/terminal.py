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
                    colour: bool = True) -> tuple[int, str, str, str]:
    """(exit code, screen text without colour codes, raw stdout, stderr) of `sendcheck ARGS`.

    With `colour` False, NO_COLOR is set (sendcheck then prints plain text). Standard error goes
    to a pipe (the cron line and progress are not part of the screen the
    figures are read from); stdin and stdout are the terminal, as rich sizes itself from them."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
    env = {k: v for k, v in os.environ.items()
           if k not in ("NO_COLOR", "COLUMNS", "LINES", "TERM", "FORCE_COLOR")}
    env["TERM"] = "xterm-256color"
    if not colour:  # NO_COLOR: plain text, still fitted to the terminal
        env["NO_COLOR"] = "1"
    proc = subprocess.Popen([sys.executable, "-m", "sendcheck", *args], stdin=slave,
                            stdout=slave, stderr=subprocess.PIPE, cwd=ROOT, env=env, close_fds=True)
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
        err = proc.stderr.read().decode("utf-8", "replace")
        proc.stderr.close()
    raw = b"".join(chunks).decode("utf-8", "replace")
    screen = ANSI.sub("", raw).replace("\r\n", "\n").replace("\r", "")
    return code, screen, raw, err


README_ARGS = ["audit", "examples/export.xlsx", "--reviews", "examples/reviews.csv",
               "--as-of", "2025-03-31"]
README_START, README_END = "<!-- first-screen:start -->", "<!-- first-screen:end -->"


def first_screen(screen: str | None = None, columns: int = 120) -> str:
    """The audit's first screen of the bundled example as a terminal shows it (run now, or cut
    from `screen`): from the title to the line before the overdue list, trailing spaces
    removed."""
    if screen is None:
        screen = run_on_terminal(README_ARGS, columns)[1]
    lines = [line.rstrip() for line in screen.splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("sendcheck "))
    end = next(i for i, line in enumerate(lines) if line.startswith("Overdue: not done"))
    return "\n".join(lines[start:end]).rstrip() + "\n"


def readme_block(screen: str) -> str:
    return f"{README_START}\n```text\n$ sendcheck {' '.join(README_ARGS)}\n{screen}```\n{README_END}"


if __name__ == "__main__":  # python tests/terminal.py: refresh the README's sample screen
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    head, rest = text.split(README_START, 1)
    tail = rest.split(README_END, 1)[1]
    readme.write_text(head + readme_block(first_screen()) + tail, encoding="utf-8")
