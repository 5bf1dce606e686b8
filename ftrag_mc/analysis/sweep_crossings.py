"""Reading a sweep's grid: the rows of one horizon, and where P(win) crosses 50 % along x,
interpolated between grid points (in log x on a log axis)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ftrag_mc.analysis.sweep_grid import sweep_scale

__all__ = ["WIN_THRESHOLD", "attach_sweep_crossings", "compute_sweep_crossings", "crossings_50", "select_horizon"]

WIN_THRESHOLD = 0.5


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
