"""Ctrl-C and SIGTERM as one exception, so every run they stop exits 2 with one line.

typer turns a KeyboardInterrupt into `Exit(130)` before the entry point sees it, and SIGTERM's
default kills the process without removing a half-written temporary file; an exception of our
own passes through typer and click, runs every `finally` and `except BaseException` cleanup on
its way out, and reaches `main`."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """The run was stopped by Ctrl-C (SIGINT) or SIGTERM."""


def _raise(signum: int, frame: object) -> None:
    raise Interrupted(signal.Signals(signum).name)


@contextmanager
def interruptible() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM raise Interrupted; the old handlers come back after
    (tests call the entry point in-process). Signals can be handled only in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {s: signal.signal(s, _raise) for s in SIGNALS}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
