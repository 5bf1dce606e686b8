"""The progress a long command shows on stderr: samples done, rate and time left, then each
analysis and chart. On a terminal it is one line rewritten in place; elsewhere (CI logs, a pipe) a
line every few seconds, so a long run is never silent. A run that will take more than half a
minute says so once, as soon as its first samples give a rate. Part of the command line (it writes
to the terminal); the library only calls the callbacks it is given."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

#: Seconds between two progress lines when stderr is not a terminal.
LOG_EVERY_S = 5.0
#: A run projected to take longer than this says how long, once, when its first samples are done.
ESTIMATE_FROM_S = 30.0


class Progress:
    """Progress of a long run on stderr: samples done, rate and time left, then each analysis and
    chart.

    Parameters
    ----------
    total
        Samples the run will draw.
    enabled
        Show the progress line at all (False: ``--quiet``, or a short run on a terminal).
    terminal
        stderr is a terminal: one line rewritten in place; otherwise a line every
        :data:`LOG_EVERY_S` seconds.
    estimate
        Say once how long a run of more than :data:`ESTIMATE_FROM_S` seconds will take
        (False: ``--quiet``).

    A context manager: the line is cleared on exit, whatever happens.
    """

    def __init__(self, total: int, enabled: bool, terminal: bool = True, estimate: bool = False):
        self.total, self.enabled, self.terminal, self.estimate = total, enabled, terminal, estimate
        self.done = 0
        self.started = time.perf_counter()
        self.width = 0
        self.logged = self.started  # when the last line was written (not on a terminal)
        self.first: tuple[int, float] | None = None  # samples and time at the first callback

    def _show(self, text: str) -> None:
        if not self.enabled:
            return
        if self.terminal:
            pad = max(0, self.width - len(text))
            sys.stderr.write("\r" + text + " " * pad)
            self.width = len(text)
        else:
            now = time.perf_counter()
            if now - self.logged < LOG_EVERY_S:
                return
            self.logged = now
            sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def _say_how_long(self, rate: float) -> None:
        """Once, with the first rate: how long a long run will take, on a line of its own."""
        self.estimate = False
        seconds = time.perf_counter() - self.started + (self.total - self.done) / rate if rate > 0 else 0.0
        if seconds <= ESTIMATE_FROM_S or self.done >= self.total:
            return
        if self.terminal and self.width:  # above the progress line
            sys.stderr.write("\r" + " " * self.width + "\r")
            self.width = 0
        sys.stderr.write(f"This run of {self.total:,} samples will take about {_duration(seconds)} "
                         f"({rate:,.0f} samples/s); Ctrl-C stops it and writes nothing.\n")
        sys.stderr.flush()

    def samples(self, n: int) -> None:
        """``n`` more samples done (a simulation's ``progress`` callback)."""
        self.done += n
        elapsed = time.perf_counter() - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        if self.estimate:
            # The rate between the first two callbacks: the first block also pays for set-up
            # (sampler tables, worker start), which would double a long run's estimate.
            if self.first is None:
                self.first = (self.done, elapsed)
            elif elapsed > self.first[1]:
                self._say_how_long((self.done - self.first[0]) / (elapsed - self.first[1]))
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
        if self.enabled and self.terminal and self.width:
            sys.stderr.write("\r" + " " * self.width + "\r")
            sys.stderr.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def progress_line(total: int, *, quiet: bool, from_samples: int = 0) -> Progress:
    """The progress of a command simulating ``total`` samples, unless ``quiet``: on a terminal a
    line rewritten in place (for runs of at least ``from_samples``), elsewhere a line every few
    seconds (so a short run prints none); and, either way, how long a long run will take."""
    terminal = sys.stderr.isatty()
    return Progress(total, not quiet and (total >= from_samples or not terminal), terminal, estimate=not quiet)
