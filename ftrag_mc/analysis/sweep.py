"""Sweeps: P(win) and mean ΔNPC as one or two scenario keys vary over a grid.

Each grid point is the scenario with the swept keys set through the override machinery
(:mod:`ftrag_mc.overrides`), so every point is validated like a scenario file (a value may be a
number or a distribution), then simulated with the *same seed*. Draws are addressed by input name,
so every input that is not swept gets the same draws at every point (common random numbers): the
differences between points carry no sampling noise of their own, and a sweep of a key the cost
rises with moves P(win) monotonically, sample for sample. That holds for the ``mc`` and ``lhs``
samplers; a Sobol' point set mixes all inputs in one sequence whose dimension changes when a swept
input turns constant, so sweeps refuse ``sobol``.

Grid points are independent simulations reduced to bounded statistics, so memory stays flat in the
number of points and of samples.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ftrag_mc.analysis.stats import wilson_interval
from ftrag_mc.analysis.sweep_crossings import (
    WIN_THRESHOLD, attach_sweep_crossings, compute_sweep_crossings, crossings_50, select_horizon,
)
from ftrag_mc.analysis.sweep_grid import (
    SWEEP_SAMPLERS, SweepAxis, is_number, parse_axis, parse_sweep_values, sweep_sampler, sweep_scale,
)
from ftrag_mc.errors import ScenarioError
from ftrag_mc.overrides import Override, OverrideError, apply_overrides, format_override, format_value
from ftrag_mc.sampling import normalize_seed
from ftrag_mc.scenario import (
    Meta, Scenario, Simulation, Strategy, Team, Volume, parse_scenario_with_overrides, read_scenario_table,
)
from ftrag_mc.schema import Quantity
from ftrag_mc.simulate import simulate

# The grid (sweep_grid.py) and reading it (sweep_crossings.py) are part of this module's interface.
__all__ = [
    "SWEEP_SAMPLERS", "SweepAxis", "WIN_THRESHOLD", "attach_sweep_crossings", "compute_sweep",
    "compute_sweep_crossings", "crossings_50", "parse_sweep_values", "select_horizon", "sweep_sampler",
    "sweep_scale",
]


# --- the scenario behind the sweep -------------------------------------------------------------


class _Source:
    """The table a sweep overrides, with what identifies it (file, name, bytes, earlier overrides)."""

    def __init__(self, scenario_or_path: Scenario | str | Path | Mapping[str, Any],
                 overrides: Sequence[str | Override]):
        self.file: str | None = None
        self.raw: bytes | None = None
        self.name = "scenario"
        base: list[str | Override] = []
        if isinstance(scenario_or_path, Scenario):
            if scenario_or_path.file is None:
                raise ValueError("this scenario was built in code and has no table to override: pass its table "
                                 "(the dict given to parse_scenario) or the scenario file instead")
            self.file = scenario_or_path.file
            base = list(scenario_or_path.overrides)
            self.table, self.raw = read_scenario_table(self.file)
            self.name = Path(self.file).stem
            reread = self.scenario(base)
            if reread.source_hash != scenario_or_path.source_hash:
                raise ScenarioError("the file changed since the scenario was loaded; load it again", file=self.file)
        elif isinstance(scenario_or_path, Mapping):
            self.table = dict(scenario_or_path)
        else:
            self.file = str(scenario_or_path)
            self.table, self.raw = read_scenario_table(scenario_or_path)
            self.name = Path(scenario_or_path).stem
        self.overrides = [*base, *overrides]

    def scenario(self, overrides: Sequence[str | Override]) -> Scenario:
        return parse_scenario_with_overrides(self.table, overrides, name=self.name, file=self.file,
                                             source_bytes=self.raw)


def _point(source: _Source, swept: list[tuple[str, tuple[str, ...], Any]]) -> Scenario:
    """The scenario at one grid point; an error about a swept key says it came from the sweep."""
    point = [(path, value) for _key, path, value in swept]
    try:
        return source.scenario([*source.overrides, *point])
    except OverrideError as error:
        for key, path, value in swept:
            if error.path and (error.path == key or error.path.startswith((key + ".", key + "["))):
                raise OverrideError(error.message, path=error.path, file=error.file,
                                    source=f"(swept: {format_override((path, value))})") from None
        raise


# --- the sweep ---------------------------------------------------------------------------------


def compute_sweep(scenario_or_path: Scenario | str | Path | Mapping[str, Any], x: SweepAxis | str,
                  y: SweepAxis | str | None = None, *, samples: int | None = None, seed: int | None = None,
                  sampler: str | None = None, challenger: str | None = None, overrides: Sequence[str | Override] = (),
                  workers: int | None = None, progress: Callable[[int], None] | None = None) -> pd.DataFrame:
    """P(win) and mean ΔNPC at every point of a one- or two-key grid, with common random numbers.

    Parameters
    ----------
    scenario_or_path
        A scenario file, a :class:`Scenario` loaded from one (its overrides are kept), or a
        scenario table (the dict :func:`~ftrag_mc.scenario.parse_scenario` takes).
    x, y
        ``(key, values)`` (or the text ``"KEY=v1,v2"`` / ``"KEY=lo:hi:n[:log]"``, see
        :func:`parse_sweep_values`): a dotted scenario key and the values it takes, numbers or
        distribution tables (``{"dist": "uniform", "min": 0.2, "max": 0.4}``); a key inside a
        distribution works too (``strategies.ft.training.run_usd.max``). With ``y`` the grid is
        every (x, y) pair. Keys under ``simulation`` are refused.
    samples, seed
        Per grid point; default the scenario's. One seed serves every point (resolved once, so a
        fresh seed is still shared).
    sampler
        ``"mc"`` or ``"lhs"``; default the scenario's (``lhs`` when the scenario asks for Sobol').
    challenger
        Only this challenger; default every challenger of each point.
    overrides
        ``--set`` overrides applied first, at every point.
    workers
        Passed to :func:`~ftrag_mc.simulate.simulate` (results do not depend on it).
    progress
        Called with the number of samples finished after each block, across the whole sweep
        (``samples`` x grid points in all).

    Returns
    -------
    DataFrame, one row per grid point, challenger and analysis horizon, in grid order (x fastest
    when ``y`` is given: rows for every x at the first y, then the next y):

    x_key, x_unit, x_value, (y_key, y_unit, y_value,) strategy, label, horizon_months,
    queries_per_month, p_win, p_win_low, p_win_high (95 % Wilson), wins, mean_delta_usd,
    mean_delta_se_usd, samples, x_scenario, x_scenario_value (, y_scenario, y_scenario_value).

    ``x_value`` is the number given, or the TOML text of each value when any is not a number.
    P(win) and ΔNPC are at the point's own volume (the swept one when the key is
    ``volume.queries_per_month``). ``x_scenario`` is the scenario's own setting as text and
    ``x_scenario_value`` its number (a distribution's median; NaN when not a number). ``frame.attrs``
    holds scenario, seed, sampler, samples and overrides.

    Raises
    ------
    ScenarioError
        If the scenario or any grid point is invalid (checked for every point before simulating);
        an error about a swept key says ``(swept: KEY=VALUE)``.
    ValueError
        For a Sobol' sampler, an unknown challenger, or a scenario built in code.
    """
    source = _Source(scenario_or_path, list(overrides))
    base = source.scenario(source.overrides)
    axes = _axes(base, x, y, challenger)
    n = samples if samples is not None else base.simulation.samples
    seed = normalize_seed(seed if seed is not None else base.simulation.seed)
    sampler = sweep_sampler(base, sampler)
    grid, points = _points(source, axes, challenger)
    table = apply_overrides(source.table, source.overrides)
    described = [_describe_axis(base, table, path, values) for _key, path, values in axes]
    rows = []
    for values, scenario in zip(grid, points):
        result = simulate(scenario, samples=n, seed=seed, sampler=sampler, workers=workers, progress=progress)
        rows += _point_rows(scenario, result, _coords(axes, described, values), challenger)
        del result  # bounded statistics only; nothing per sample outlives the point
    frame = pd.DataFrame(rows, columns=_columns(len(axes)))
    for prefix, info in zip("xy", described):
        frame[f"{prefix}_scenario"] = info["text"]
        frame[f"{prefix}_scenario_value"] = info["value"]
    frame.attrs.update({"scenario": base.name, "seed": seed, "sampler": sampler, "samples": n,
                        "overrides": [format_override(o) for o in source.overrides],
                        "x_scale": sweep_scale(axes[0][2]),
                        **({"y_scale": sweep_scale(axes[1][2])} if len(axes) == 2 else {})})
    return frame


_Axis = tuple[str, tuple[str, ...], list[Any]]  # dotted key, key path, values (parse_axis)


def _axes(base: Scenario, x: SweepAxis | str, y: SweepAxis | str | None, challenger: str | None) -> list[_Axis]:
    """The swept axes, parsed, and the challenger asked for, checked against the base scenario."""
    axes = [parse_axis(x, "--x")] + ([parse_axis(y, "--y")] if y is not None else [])
    if len(axes) == 2 and axes[0][0] == axes[1][0]:
        raise ValueError(f"x and y sweep the same key {axes[0][0]}")
    if challenger is not None and challenger not in base.challengers:
        raise ValueError(f"{challenger!r} is not a challenger of {base.name} (challengers: "
                         f"{', '.join(base.challengers)})")
    return axes


def _coords(axes: list[_Axis], described: list[dict[str, Any]], values: tuple[Any, Any]) -> dict[str, Any]:
    """A grid point's x (and y) columns: key, unit, value (TOML text when the axis is not numeric)."""
    coords: dict[str, Any] = {}
    for prefix, (key, _path, _values), info, value in zip("xy", axes, described, values):
        coords.update({f"{prefix}_key": key, f"{prefix}_unit": info["unit"],
                       f"{prefix}_value": value if info["numeric"] else format_value(value)})
    return coords


def _points(source: _Source, axes: list[_Axis], challenger: str | None
            ) -> tuple[list[tuple[Any, Any]], list[Scenario]]:
    """The grid's (x, y) values, x fastest (y None in 1-D), and the scenario at each, every one
    validated before any simulation starts."""
    y_values = axes[1][2] if len(axes) == 2 else [None]
    grid = [(xv, yv) for yv in y_values for xv in axes[0][2]]
    points = []
    for xv, yv in grid:
        swept = [(axes[0][0], axes[0][1], xv)] + ([(axes[1][0], axes[1][1], yv)] if len(axes) == 2 else [])
        scenario = _point(source, swept)
        if challenger is not None and challenger not in scenario.challengers:
            raise ValueError(f"at {', '.join(format_override((p, v)) for _k, p, v in swept)}, {challenger!r} is the "
                             "baseline, not a challenger")
        points.append(scenario)
    return grid, points


def _point_rows(scenario: Scenario, result, coords: dict[str, Any], challenger: str | None) -> list[dict]:
    """One grid point's rows: per challenger (or the one asked for) and analysis horizon."""
    rows = []
    for ci, strategy in enumerate(result.challengers):
        if challenger is not None and strategy != challenger:
            continue
        wins = result.wins_by_month[ci, list(result.horizons)]
        low, high = wilson_interval(wins, result.n_samples)
        for hi, horizon in enumerate(result.horizons):
            rows.append({**coords, "strategy": strategy, "label": scenario.label(strategy),
                         "horizon_months": horizon, "queries_per_month": scenario.volume.queries_per_month,
                         "p_win": wins[hi] / result.n_samples, "p_win_low": float(low[hi]),
                         "p_win_high": float(high[hi]), "wins": int(wins[hi]),
                         "mean_delta_usd": float(result.delta_moments.mean[ci, hi]),
                         "mean_delta_se_usd": float(result.delta_moments.se[ci, hi]),
                         "samples": result.n_samples})
    return rows


def _columns(n_axes: int) -> list[str]:
    coords = ["x_key", "x_unit", "x_value"] + (["y_key", "y_unit", "y_value"] if n_axes == 2 else [])
    return [*coords, "strategy", "label", "horizon_months", "queries_per_month", "p_win", "p_win_low",
            "p_win_high", "wins", "mean_delta_usd", "mean_delta_se_usd", "samples"]


def _describe_axis(base: Scenario, table: Mapping[str, Any], path: tuple[str, ...],
                   values: list[Any]) -> dict[str, Any]:
    """Unit, whether the values are numbers, and the scenario's own setting of a swept key."""
    written = _lookup(table, path)
    if is_number(written):  # as written, e.g. a distribution's parameter
        text, value = _number_text(written), float(written)
    else:  # parsed: a distribution, a shared input, or a default the file leaves out
        text, value = _scenario_setting(base, path)
    return {"unit": _unit(path), "numeric": all(is_number(v) for v in values), "text": text, "value": value}


_SECTIONS = {"scenario": Meta, "volume": Volume, "team": Team, "simulation": Simulation}
_SECTION_ATTR = {"scenario": "meta", "volume": "volume", "team": "team", "simulation": "simulation"}
_UNITLESS_PARAMETERS = {"sigma", "lambda", "alpha", "beta", "weights", "dist", "truncate", "mu"}


def _unit(path: tuple[str, ...]) -> str:
    """The schema's unit of a key (of the quantity a distribution parameter belongs to)."""
    if path[0] in _SECTIONS:
        cls, rest = _SECTIONS[path[0]], path[1:]
    elif path[0] == "strategies" and len(path) > 2:
        cls, rest = Strategy, path[2:]
    else:
        return ""
    for i, part in enumerate(rest):
        spec = next((f for f in fields(cls) if f.name == part and "kind" in f.metadata), None)
        if spec is None:
            return ""
        if spec.metadata["kind"] == "section":
            cls = spec.metadata["cls"]
            continue
        below = rest[i + 1:]
        if below and below[0] in _UNITLESS_PARAMETERS:
            return ""
        return spec.metadata.get("unit", "")
    return ""


def _lookup(table: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = table
    for part in path:
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _scenario_setting(base: Scenario, path: tuple[str, ...]) -> tuple[str, float]:
    """(text, number) of the scenario's own value at ``path``: a constant's value, a
    distribution's description and median; ("", NaN) when the key is not a quantity or number."""
    key = ".".join(path)
    node: Any = base.inputs.get(key)
    if node is None:
        node = getattr(base, _SECTION_ATTR[path[0]]) if path[0] in _SECTION_ATTR else (
            base.strategies if path[0] == "strategies" else None)
        for part in path[1:]:
            if node is None:
                break
            node = node.get(part) if isinstance(node, dict) else (
                getattr(node, part, None) if is_dataclass(node) else None)
    if isinstance(node, Quantity):
        node = node.distribution
    if node is not None and hasattr(node, "median") and hasattr(node, "describe"):
        if node.is_constant:
            return _number_text(node.median), float(node.median)
        return node.describe(), float(node.median)
    if is_number(node):
        return _number_text(node), float(node)
    if isinstance(node, str):
        return node, math.nan
    return "", math.nan


def _number_text(value: float) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
