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
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ftrag_mc.analysis.stats import wilson_interval
from ftrag_mc.errors import ScenarioError
from ftrag_mc.limits import MAX_SWEEP_VALUES
from ftrag_mc.overrides import (
    Override, OverrideError, apply_overrides, format_override, format_value, parse_key, parse_value,
    split_override,
)
from ftrag_mc.sampling import normalize_seed
from ftrag_mc.scenario import (
    Meta, Scenario, Simulation, Strategy, Team, Volume, parse_scenario_with_overrides, read_scenario_table,
)
from ftrag_mc.schema import Quantity
from ftrag_mc.simulate import simulate

__all__ = [
    "SWEEP_SAMPLERS", "WIN_THRESHOLD", "compute_sweep", "compute_sweep_crossings", "parse_sweep_values",
    "select_horizon", "sweep_sampler", "sweep_scale",
]

SWEEP_SAMPLERS = ("mc", "lhs")
WIN_THRESHOLD = 0.5
# From this ratio of largest to smallest value on, a positive axis is drawn and interpolated in log
# scale even when its values are not log-spaced (see sweep_scale).
_LOG_RATIO = 50.0
_RANGE = re.compile(r"\s*([^:]+):([^:]+):([^:]+?)(?::(lin|log))?\s*")

SweepAxis = tuple[str, Sequence[Any]]
"""A swept key and its values, e.g. ``("volume.queries_per_month", [1e4, 1e5, 1e6])``."""


# --- the grid --------------------------------------------------------------------------------


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


def _axis(axis: SweepAxis | str, option: str) -> tuple[str, tuple[str, ...], list[Any]]:
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
    if not values or not all(_is_number(v) for v in values):
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


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


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


def compute_sweep(
    scenario_or_path: Scenario | str | Path | Mapping[str, Any],
    x: SweepAxis | str,
    y: SweepAxis | str | None = None,
    *,
    samples: int | None = None,
    seed: int | None = None,
    sampler: str | None = None,
    challenger: str | None = None,
    overrides: Sequence[str | Override] = (),
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
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
    axes = [_axis(x, "--x")] + ([_axis(y, "--y")] if y is not None else [])
    if len(axes) == 2 and axes[0][0] == axes[1][0]:
        raise ValueError(f"x and y sweep the same key {axes[0][0]}")
    if challenger is not None and challenger not in base.challengers:
        raise ValueError(f"{challenger!r} is not a challenger of {base.name} (challengers: "
                         f"{', '.join(base.challengers)})")
    n = samples if samples is not None else base.simulation.samples
    seed = normalize_seed(seed if seed is not None else base.simulation.seed)
    sampler = sweep_sampler(base, sampler)

    y_values = axes[1][2] if len(axes) == 2 else [None]
    grid = [(xv, yv) for yv in y_values for xv in axes[0][2]]
    points = []  # every point validated before any simulation starts
    for xv, yv in grid:
        swept = [(axes[0][0], axes[0][1], xv)] + ([(axes[1][0], axes[1][1], yv)] if len(axes) == 2 else [])
        scenario = _point(source, swept)
        if challenger is not None and challenger not in scenario.challengers:
            raise ValueError(f"at {', '.join(format_override((p, v)) for _k, p, v in swept)}, {challenger!r} is the "
                             "baseline, not a challenger")
        points.append(scenario)

    table = apply_overrides(source.table, source.overrides)
    described = [_describe_axis(base, table, path, values) for _key, path, values in axes]
    rows = []
    for (xv, yv), scenario in zip(grid, points):
        result = simulate(scenario, samples=n, seed=seed, sampler=sampler, workers=workers, progress=progress)
        coords: dict[str, Any] = {}
        for prefix, (key, _path, _values), info, value in zip("xy", axes, described, (xv, yv)):
            coords.update({f"{prefix}_key": key, f"{prefix}_unit": info["unit"],
                           f"{prefix}_value": value if info["numeric"] else format_value(value)})
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


def _columns(n_axes: int) -> list[str]:
    coords = ["x_key", "x_unit", "x_value"] + (["y_key", "y_unit", "y_value"] if n_axes == 2 else [])
    return [*coords, "strategy", "label", "horizon_months", "queries_per_month", "p_win", "p_win_low",
            "p_win_high", "wins", "mean_delta_usd", "mean_delta_se_usd", "samples"]


def _describe_axis(base: Scenario, table: Mapping[str, Any], path: tuple[str, ...],
                   values: list[Any]) -> dict[str, Any]:
    """Unit, whether the values are numbers, and the scenario's own setting of a swept key."""
    written = _lookup(table, path)
    if _is_number(written):  # as written, e.g. a distribution's parameter
        text, value = _number_text(written), float(written)
    else:  # parsed: a distribution, a shared input, or a default the file leaves out
        text, value = _scenario_setting(base, path)
    return {"unit": _unit(path), "numeric": all(_is_number(v) for v in values), "text": text, "value": value}


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
    if _is_number(node):
        return _number_text(node), float(node)
    if isinstance(node, str):
        return node, math.nan
    return "", math.nan


def _number_text(value: float) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


# --- reading the grid --------------------------------------------------------------------------


def select_horizon(frame: pd.DataFrame, horizon: int | None = None) -> pd.DataFrame:
    """The rows of one analysis horizon; with None, each grid point's longest horizon (the same
    everywhere unless the sweep changes the horizon itself).

    Raises
    ------
    ValueError
        If ``horizon`` is not in the frame.
    """
    if horizon is not None:
        out = frame[frame["horizon_months"] == int(horizon)]
        if out.empty:
            raise ValueError(f"the sweep has no rows at {horizon} months (horizons: "
                             f"{sorted(frame['horizon_months'].unique().tolist())})")
        return out
    point = [c for c in ("x_value", "y_value", "strategy") if c in frame.columns]
    longest = frame.groupby(point, sort=False, dropna=False)["horizon_months"].transform("max")
    return frame[frame["horizon_months"] == longest]


def attach_sweep_crossings(frame: pd.DataFrame, crossings: pd.DataFrame | None = None, *,
                           horizon: int | None = None) -> pd.DataFrame:
    """A sweep chart's one frame: the rows of one horizon (:func:`select_horizon`) with the 50 %
    crossings it marks (:func:`compute_sweep_crossings` of that horizon, unless given) in
    ``attrs["crossings"]`` (as records, one per crossing), so the chart draws and never counts.

    Raises
    ------
    ValueError
        If ``horizon`` is not in the frame.
    """
    rows = select_horizon(frame, horizon).copy()
    if crossings is None:
        crossings = compute_sweep_crossings(frame, horizon=horizon)
    rows.attrs = {**frame.attrs, "crossings": crossings.to_dict("records"),
                  "crossing_columns": list(crossings.columns)}
    return rows


def compute_sweep_crossings(frame: pd.DataFrame, *, horizon: int | None = None) -> pd.DataFrame:
    """Where P(win) crosses 50 % along x: for each y (2-D sweeps), challenger and the horizon chosen.

    The crossing is interpolated linearly between the two grid points around it (in log x when
    :func:`sweep_scale` says ``log``); it is not simulated. A curve may cross more than once (one
    row each, lowest x first); one that does not cross gets one row with ``x_at_50pct`` NaN.

    Parameters
    ----------
    frame
        :func:`compute_sweep`'s frame.
    horizon
        Months; None: each grid point's longest horizon (see :func:`select_horizon`).

    Returns
    -------
    DataFrame with columns (y_key, y_value,) strategy, label, horizon_months (nullable: <NA> when
    the grid points' horizons differ, a sweep of the horizon itself), x_key, x_at_50pct,
    direction ("up": P(win) rises through 50 % as x grows; "down"; "none"), p_win_at_min_x,
    p_win_at_max_x, interpolation ("linear in x" or "linear in log x"). Empty when x is not numeric.
    """
    two_d = "y_value" in frame.columns
    columns = (["y_key", "y_value"] if two_d else []) + [
        "strategy", "label", "horizon_months", "x_key", "x_at_50pct", "direction", "p_win_at_min_x",
        "p_win_at_max_x", "interpolation"]
    scale = sweep_scale(list(frame["x_value"].unique()))
    if frame.empty or scale == "category":
        return pd.DataFrame(columns=columns)
    chosen = select_horizon(frame, horizon)
    log = scale == "log"
    rows = []
    groups = ["y_value", "strategy"] if two_d else ["strategy"]
    for _key, g in chosen.groupby(groups, sort=False):
        g = g.sort_values("x_value")
        x = g["x_value"].to_numpy(float)
        p = g["p_win"].to_numpy(float)
        horizons = g["horizon_months"].unique()
        head = {**({"y_key": g["y_key"].iloc[0], "y_value": g["y_value"].iloc[0]} if two_d else {}),
                "strategy": g["strategy"].iloc[0], "label": g["label"].iloc[0],
                "horizon_months": int(horizons[0]) if len(horizons) == 1 else pd.NA,
                "x_key": g["x_key"].iloc[0]}
        tail = {"p_win_at_min_x": p[0], "p_win_at_max_x": p[-1],
                "interpolation": "linear in log x" if log else "linear in x"}
        found = crossings_50(x, p, log=log)
        if not found:
            rows.append({**head, "x_at_50pct": math.nan, "direction": "none", **tail})
        for x50, direction in found:
            rows.append({**head, "x_at_50pct": x50, "direction": direction, **tail})
    out = pd.DataFrame(rows, columns=columns)
    out["horizon_months"] = out["horizon_months"].astype("Int64")
    return out


def crossings_50(x: np.ndarray, p: np.ndarray, *, log: bool = False,
                 threshold: float = WIN_THRESHOLD) -> list[tuple[float, str]]:
    """Every x where ``p`` (sorted by ``x``) crosses ``threshold``, interpolated between the two
    grid points around it: [(x, "up" | "down"), ...], lowest x first. ``p`` equal to the threshold
    counts as above it."""
    above = p >= threshold
    t_x = np.log(x) if log else x
    out = []
    for i in np.flatnonzero(above[1:] != above[:-1]):
        share = (threshold - p[i]) / (p[i + 1] - p[i])
        value = t_x[i] + share * (t_x[i + 1] - t_x[i])
        out.append((float(np.exp(value) if log else value), "up" if above[i + 1] else "down"))
    return out
