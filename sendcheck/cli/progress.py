"""Progress for long runs: one line on stderr, only on a terminal, only after a moment.

A nightly job's log must hold nothing but errors and the final line, so progress is shown only
when stderr is a terminal, and only once a stage has taken longer than DELAY seconds (a small
export finishes without any flicker). The line is cleared before anything else is printed.
"""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import Self, TextIO

DELAY = 1.0  # seconds before the first progress line
TICK = 0.25


class Progress:
    def __init__(self, enabled: bool, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.text = ""
        self.started = time.monotonic()
        self.shown = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def for_terminal(cls, quiet: bool) -> Progress:
        return cls(enabled=not quiet and sys.stderr.isatty())

    def stage(self, text: str) -> None:
        from sendcheck.views.files import one_line

        self.text = one_line(text)  # it names files: sanitised as any text from outside

    def _run(self) -> None:
        while not self._stop.wait(TICK):
            elapsed = time.monotonic() - self.started
            if elapsed >= DELAY and self.text:
                self.stream.write(f"\r{self.text}... {elapsed:.0f}s\033[K")
                self.stream.flush()
                self.shown = True

    def __enter__(self) -> Self:
        if self.enabled:
            self._thread = threading.Thread(target=self._run, name="sendcheck-progress", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop and clear the line (safe to call twice)."""
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
            if self.shown:
                self.stream.write("\r\033[K")
                self.stream.flush()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
