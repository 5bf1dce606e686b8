"""Typed access to one distribution's scenario table, with errors that name the key.

A family's ``from_params`` reads its parameters through a :class:`_Table`, so every mistake is one
:class:`~ftrag_mc.errors.ScenarioError` whose ``path`` is the key's: a missing key, a non-number
(booleans included), a number beyond float range, or an ambiguous choice between a family's
parameter forms.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np

from ftrag_mc.errors import ScenarioError

_T = TypeVar("_T")

def _fits_float(value: Any) -> bool:
    """TOML integers are unbounded; one beyond float range must be an error, not an OverflowError."""
    try:
        float(value)
    except OverflowError:
        return False
    return True


def _join(path: str, key: str) -> str:
    if not path:
        return key
    return path + key if key.startswith("[") else f"{path}.{key}"


def _type_name(value: Any) -> str:
    return {bool: "a boolean", str: "a string", list: "a list", dict: "a table"}.get(
        type(value), type(value).__name__
    )


def _is_number(value: Any) -> bool:
    # bool is an int subclass in Python, but `true` is never a sensible cost.
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


_MISSING = object()


class _Table:
    """A distribution's scenario table with its key path, for typed access with located errors."""

    def __init__(self, table: Mapping[str, Any], path: str, family: str):
        self.table, self.path, self.family = table, path, family

    def error(self, key: str | None, message: str) -> ScenarioError:
        return ScenarioError(message, path=self.path if key is None else _join(self.path, key))

    def has(self, key: str) -> bool:
        return key in self.table

    def _number_at(self, value: Any, key: str, what: str) -> float:
        if not _is_number(value):
            raise self.error(key, f"{what} must be a number (got {_type_name(value)})")
        if not _fits_float(value):
            raise self.error(key, f"{what} must be finite (got a number too large for a float)")
        if not math.isfinite(value):
            raise self.error(key, f"{what} must be finite (got {value})")
        return float(value)

    def number(self, key: str, default: Any = _MISSING) -> float:
        if key not in self.table:
            if default is _MISSING:
                raise self.error(key, f"missing key '{key}' for a {self.family} distribution")
            return default
        return self._number_at(self.table[key], key, key)

    def numbers(self, key: str) -> list[float]:
        if key not in self.table:
            raise self.error(key, f"missing key '{key}' for a {self.family} distribution")
        value = self.table[key]
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
            raise self.error(key, f"{key} must be a list of numbers (got {_type_name(value)})")
        return [self._number_at(v, f"{key}[{i}]", f"{key}[{i}]") for i, v in enumerate(value)]

    def choose(self, *sets: tuple[str, ...]) -> tuple[str, ...]:
        """The one parameter set fully given among alternatives; error on none, partial or mixed."""
        keys = {k for s in sets for k in s}
        given = {k for k in self.table if k in keys}
        alternatives = " or ".join(", ".join(s) for s in sets)
        complete = [s for s in sets if set(s) <= given]
        if len(complete) == 1 and given == set(complete[0]):
            return complete[0]
        if complete:
            return self._conflict(given, alternatives)
        candidates = [s for s in sets if given <= set(s)]
        if given and len(candidates) == 1:
            missing = next(k for k in candidates[0] if k not in given)
            raise self.error(
                missing, f"missing key '{missing}' for a {self.family} distribution given by "
                + ", ".join(candidates[0])
            )
        if not given:
            raise self.error(None, f"a {self.family} distribution needs {alternatives}")
        return self._conflict(given, alternatives)

    def _conflict(self, given: set[str], alternatives: str) -> tuple[str, ...]:
        listed = ", ".join(k for k in self.table if k in given)
        raise self.error(None, f"give exactly one of {alternatives} (got {listed})")

    def build(self, factory: Callable[..., _T], *args: Any) -> _T:
        """Call a constructor, prefixing the table path to the key its validation names."""
        try:
            return factory(*args)
        except ScenarioError as exc:
            raise ScenarioError(exc.message, path=_join(self.path, exc.path or "")) from None
