"""From a scenario's distribution table to a validated distribution, with located errors.

Every mistake is one :class:`~ftrag_mc.errors.ScenarioError` whose ``path`` names the key: an
unknown family or key (with a "did you mean"), or what the family's own parameters reject.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping
from typing import Any

from ftrag_mc.distributions.base import Continuous, Distribution
from ftrag_mc.distributions.families import FAMILIES
from ftrag_mc.distributions.table import _join, _Table, _type_name
from ftrag_mc.errors import ScenarioError

__all__ = ["distribution_notes", "parse_distribution"]


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


def distribution_notes() -> list[str]:
    """The reference's table of families (``ftrag-mc format``), from :data:`FAMILIES`."""
    lines = ["#### Distributions", "",
             "Any quantity may be a distribution: an inline table whose `dist` names the family. Continuous",
             "families also take `truncate = [low, high]`.", "",
             "| `dist` | parameters |", "| --- | --- |"]
    lines += [f"| `{name}` | {family.params_doc.replace(' | ', ' *or* ')} |" for name, family in FAMILIES.items()]
    return [*lines, ""]
