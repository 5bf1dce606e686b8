"""The progress line a long command shows on stderr: samples done, rate and time left, then each
analysis and chart. Part of the command line (it writes to the terminal); the library only calls
the callbacks it is given."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable


class Progress:
    """One status line on stderr for a long run: samples done, rate and time left, then each
    analysis and chart; nothing when stderr is not a terminal or the run is short.

    A context manager: the line is cleared on exit, whatever happens.
    """

    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled = total, enabled
        self.done = 0
        self.started = time.perf_counter()
        self.width = 0

    def _show(self, text: str) -> None:
        if self.enabled:
            pad = max(0, self.width - len(text))
            sys.stderr.write("\r" + text + " " * pad)
            sys.stderr.flush()
            self.width = len(text)

    def samples(self, n: int) -> None:
        """``n`` more samples done (a simulation's ``progress`` callback)."""
        self.done += n
        elapsed = time.perf_counter() - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        self._show(f"Simulating {100 * self.done / self.total:3.0f} %  {self.done:,}/{self.total:,} samples  "
                   f"{rate:,.0f}/s  {left:.0f} s left")

    def stage(self, text: str) -> None:
        """Show what is being done now, with the time since the start."""
        self._show(f"{text} ({time.perf_counter() - self.started:.0f} s)")

    def stages(self, prefix: str) -> Callable[[str], None]:
        """A report builder's ``on_item``: each item shown as "PREFIX: NAME"."""
        return lambda name: self.stage(f"{prefix}: {name}")

    def close(self) -> None:
        """Clear the line (the terminal is left as it was)."""
        if self.enabled and self.width:
            sys.stderr.write("\r" + " " * self.width + "\r")
            sys.stderr.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def progress_line(total: int, *, quiet: bool, from_samples: int = 0) -> Progress:
    """The progress line of a command simulating ``total`` samples: shown on a terminal, unless
    ``quiet`` or the run is shorter than ``from_samples``."""
    return Progress(total, not quiet and total >= from_samples and sys.stderr.isatty())
