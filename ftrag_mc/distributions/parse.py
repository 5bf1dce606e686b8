"""From a scenario's distribution table to a validated distribution, with located errors.

Every mistake is one :class:`~ftrag_mc.errors.ScenarioError` whose ``path`` names the key: an
unknown family or key (with a "did you mean"), a missing key, a non-number, a violated constraint
or an ambiguous choice between a family's parameter forms.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from ftrag_mc.distributions.base import Continuous, Distribution
from ftrag_mc.distributions.families import FAMILIES
from ftrag_mc.errors import ScenarioError

__all__ = ["parse_distribution"]


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

    def build(self, factory: Callable[..., Distribution], *args: Any) -> Distribution:
        """Call a constructor, prefixing the table path to the key its validation names."""
        try:
            return factory(*args)
        except ScenarioError as exc:
            raise ScenarioError(exc.message, path=_join(self.path, exc.path or "")) from None


def parse_distribution(table: Mapping[str, Any], path: str) -> Distribution:
    """Build a distribution from its scenario table.

    Parameters
    ----------
    table
        The inline table, e.g. ``{"dist": "pert", "min": 40, "mode": 100, "max": 200}``. The
        ``dist`` key names a family in :data:`FAMILIES`; the other keys are its parameters, plus
        ``truncate = [lo, hi]`` for continuous families.
    path
        Dotted key path of the table in the scenario, used in error messages.

    Returns
    -------
    Distribution
        A frozen, validated distribution.

    Raises
    ------
    ScenarioError
        For an unknown family or key, a missing key, a non-number (booleans included), a
        non-finite number, a violated constraint, or an ambiguous parameterisation; ``path`` names
        the offending key.
    """
    if not isinstance(table, Mapping):
        raise ScenarioError(
            f"expected a distribution table with a 'dist' key (got {_type_name(table)})", path=path
        )
    known = ", ".join(FAMILIES)
    if "dist" not in table:
        raise ScenarioError(
            f"missing key 'dist'; known families: {known}", path=_join(path, "dist")
        )
    name = table["dist"]
    if not isinstance(name, str) or name not in FAMILIES:
        shown = f"'{name}'" if isinstance(name, str) else _type_name(name)
        raise ScenarioError(
            f"unknown distribution {shown}; known families: {known}", path=_join(path, "dist")
        )
    cls = FAMILIES[name]
    truncatable = issubclass(cls, Continuous)
    expected = (*cls.keys, "truncate") if truncatable else cls.keys
    for key in table:
        if key == "dist" or key in expected:
            continue
        if key == "truncate":
            message = f"truncate applies to continuous distributions, not to a {name} distribution"
        else:
            close = difflib.get_close_matches(str(key), expected, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            message = (
                f"unknown key '{key}' for a {name} distribution{hint}; "
                f"expected {', '.join(expected)}"
            )
        raise ScenarioError(message, path=_join(path, str(key)))

    p = _Table(table, path, name)
    dist = cls.from_params(p)
    if truncatable and p.has("truncate"):
        bounds = p.numbers("truncate")
        if len(bounds) != 2:
            raise p.error(
                "truncate", f"truncate must be a list [lo, hi] (got {len(bounds)} numbers)"
            )
        dist = p.build(lambda: dataclasses.replace(dist, truncate=tuple(bounds)))
    return dist
