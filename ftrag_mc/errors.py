"""Errors a user can act on.

Every problem with a scenario is a :class:`ScenarioError` that names the file, the key path and
what is wrong, so the CLI can print it on one line and exit with status 2.
"""

from __future__ import annotations

import difflib
from typing import Any


class ScenarioError(ValueError):
    """A scenario (or a value in it) is invalid.

    Parameters
    ----------
    message
        What is wrong, as a sentence fragment without a trailing full stop.
    path
        Dotted key path inside the scenario, e.g. ``strategies.ft.training.run_usd``.
    file
        The scenario file, when the scenario came from one.
    """

    def __init__(self, message: str, *, path: str | None = None, file: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.file = file

    def __reduce__(self):
        # Raised in a forked worker, it crosses back by pickle: keep the path and the file.
        return _rebuild, (type(self), self.message, self.path, self.file)

    def with_file(self, file: str) -> "ScenarioError":
        return ScenarioError(self.message, path=self.path, file=file)

    def __str__(self) -> str:
        parts = [p for p in (self.file, self.path) if p]
        return ": ".join([*parts, self.message])


def _rebuild(cls: type, message: str, path: str | None, file: str | None) -> ScenarioError:
    return cls(message, path=path, file=file)


def did_you_mean(key: str, known: Any) -> str:
    """"; did you mean 'x'?" for the known name closest to a mistyped ``key``, or ""."""
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""
