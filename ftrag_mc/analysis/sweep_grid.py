"""A sweep's grid: the swept keys and their values (from ``KEY=VALUES`` texts or given in code), the
sampler that keeps common random numbers, and the scale an axis is drawn and interpolated in."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from ftrag_mc.limits import MAX_SWEEP_VALUES
from ftrag_mc.overrides import OverrideError, parse_key, parse_value, split_override
from ftrag_mc.scenario import Scenario

__all__ = ["SWEEP_SAMPLERS", "SweepAxis", "is_number", "parse_axis", "parse_sweep_values", "sweep_sampler",
           "sweep_scale"]

SWEEP_SAMPLERS = ("mc", "lhs")
# From this ratio of largest to smallest value on, a positive axis is drawn and interpolated in log
# scale even when its values are not log-spaced (see sweep_scale).
_LOG_RATIO = 50.0
_RANGE = re.compile(r"\s*([^:]+):([^:]+):([^:]+?)(?::(lin|log))?\s*")

SweepAxis = tuple[str, Sequence[Any]]
"""A swept key and its values, e.g. ``("volume.queries_per_month", [1e4, 1e5, 1e6])``."""


def parse_sweep_values(text: str, *, option: str = "--x") -> SweepAxis:
    """A swept key and its values from the command line.

    Forms
    -----
    ``KEY=v1,v2,...``
        A list of TOML values (numbers, quoted strings, inline distribution tables; bare words
        are strings): ``strategies.ft.training.run_usd=2000,5000,{dist="uniform",min=1000,max=9000}``.
    ``KEY=lo:hi:n``
        ``n`` evenly spaced numbers from ``lo`` to ``hi`` (both included).
    ``KEY=lo:hi:n:log``
        ``n`` log-spaced numbers (``lo`` and ``hi`` > 0): ``volume.queries_per_month=1e4:1e6:9:log``.

    Where ``lo`` and ``hi`` are written as whole numbers and the step is whole, the values are
    integers (``scenario.horizon_months=12:36:3`` gives 12, 24, 36).

    Returns
    -------
    (key, values) : the dotted key as written and a list of values.

    Raises
    ------
    OverrideError
        One line naming ``option`` and what is wrong.
    """
    path, rest = split_override(text, option=option)
    key = ".".join(path)
    match = _RANGE.fullmatch(rest)
    if match and "{" not in rest and "[" not in rest and '"' not in rest:
        return key, _bounded(_range_values(match, key, option), key, option)
    values = _list_values(rest, key, option)
    if not values:
        raise OverrideError(f"{option} '{text}' gives no values", path=key, source=f"(from {option})")
    return key, _bounded(values, key, option)


def _bounded(values: list[Any], key: str, option: str) -> list[Any]:
    if len(values) > MAX_SWEEP_VALUES:
        raise OverrideError(f"{len(values):,} values; a swept key takes at most {MAX_SWEEP_VALUES}", path=key,
                            source=f"(from {option})")
    return values


def _range_values(match: re.Match, key: str, option: str) -> list[float | int]:
    lo_text, hi_text, n_text, scale = match.groups()
    try:
        lo, hi, n = parse_value(lo_text, key=key), parse_value(hi_text, key=key), parse_value(n_text, key=key)
    except OverrideError:
        lo = hi = n = None
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lo, hi))
    if numbers and isinstance(n, int) and not isinstance(n, bool) and n > MAX_SWEEP_VALUES:
        raise OverrideError(f"{n:,} values; a swept key takes at most {MAX_SWEEP_VALUES}", path=key,
                            source=f"(from {option})")
    if not numbers or not isinstance(n, int) or isinstance(n, bool) or n < 2:
        raise OverrideError(f"'{match.string.strip()}' is not lo:hi:n[:log] with numbers lo, hi and a whole "
                            "n >= 2", path=key, source=f"(from {option})")
    if scale == "log":
        if not (lo > 0 and hi > 0):
            raise OverrideError(f"a log range needs lo and hi above 0 (got {lo:g} and {hi:g})", path=key,
                                source=f"(from {option})")
        return [float(v) for v in np.geomspace(lo, hi, n)]
    step = (hi - lo) / (n - 1)
    if isinstance(lo, int) and isinstance(hi, int) and float(step).is_integer():
        return [lo + int(step) * i for i in range(n)]
    return [float(v) for v in np.linspace(lo, hi, n)]


def _list_values(rest: str, key: str, option: str) -> list[Any]:
    try:
        return list(parse_value(f"[{rest}]", key=key))
    except OverrideError:
        if any(c in rest for c in '{["'):
            raise OverrideError(f"'{rest.strip()}' is not a comma-separated list of TOML values", path=key,
                                source=f"(from {option})") from None
    # Bare words (strategy or input names) are strings.
    return [parse_value(part, key=key) for part in rest.split(",")]


def parse_axis(axis: SweepAxis | str, option: str) -> tuple[str, tuple[str, ...], list[Any]]:
    """An axis as ``(dotted key, key path, values)``, from ``(key, values)``, ``(key, "VALUES")`` or
    ``"KEY=VALUES"``; numpy scalars become Python numbers (they write as TOML and hash the same).

    Raises
    ------
    OverrideError
        For a key that is not a dotted key, no values, or a key under ``simulation``.
    """
    if isinstance(axis, str):
        axis = parse_sweep_values(axis, option=option)
    key, values = axis
    if isinstance(values, str):  # ("KEY", "1e3:1e6:9:log") or ("KEY", "2000,5000")
        key, values = parse_sweep_values(f"{key}={values}", option=option)
    path = parse_key(key) if isinstance(key, str) else tuple(key)
    if not path:
        raise OverrideError(f"{option}: '{key}' is not a dotted key (e.g. volume.queries_per_month)")
    values = list(values)
    if not values:
        raise OverrideError("no values to sweep", path=".".join(path), source=f"(from {option})")
    if path[0] == "simulation":
        raise OverrideError("the sweep sets samples, seed and sampler itself (one seed for every point); "
                            "sweep a model input instead", path=".".join(path), source=f"(from {option})")
    return ".".join(path), path, [_plain(v) for v in values]


def _plain(value: Any) -> Any:
    """numpy scalars as Python numbers, so they write as TOML and hash the same."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def sweep_sampler(scenario: Scenario, sampler: str | None = None) -> str:
    """The sampler a sweep uses: ``sampler``, else the scenario's; ``sobol`` becomes ``lhs``.

    Raises
    ------
    ValueError
        If ``sampler`` is given as ``sobol`` (it would not keep common random numbers).
    """
    if sampler is None:
        return "lhs" if scenario.simulation.sampler == "sobol" else scenario.simulation.sampler
    if sampler == "sobol":
        raise ValueError("sweeps use sampler mc or lhs, not 'sobol': a Sobol' sequence changes for every "
                         "input when a swept input turns constant, so grid points would not share their draws")
    if sampler not in SWEEP_SAMPLERS:
        raise ValueError(f"sweeps use sampler mc or lhs, not {sampler!r}")
    return sampler


def sweep_scale(values: Sequence[Any]) -> str:
    """``"log"`` for a positive numeric grid that is log-spaced or spans a factor of 50 or more,
    else ``"linear"``; ``"category"`` when a value is not a number. Axes and interpolation use it."""
    if not values or not all(is_number(v) for v in values):
        return "category"
    x = np.sort(np.asarray(values, dtype=float))
    if len(x) < 2 or x[0] <= 0:
        return "linear"
    if x[-1] / x[0] >= _LOG_RATIO:
        return "log"
    if len(x) >= 3:
        ratios, steps = x[1:] / x[:-1], np.diff(x)
        if np.allclose(ratios, ratios[0], rtol=1e-6) and not np.allclose(steps, steps[0], rtol=1e-6):
            return "log"
    return "linear"


def is_number(value: Any) -> bool:
    """A real number (not a bool): a value an axis can be numeric with."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
