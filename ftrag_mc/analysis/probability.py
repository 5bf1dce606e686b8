"""Probabilities of winning and of being cheapest, with Monte Carlo intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ftrag_mc.analysis.stats import needs_all_outputs, wilson_interval
from ftrag_mc.simulate import SimulationResult

WIN_THRESHOLD = 0.5


def _with_interval(frame: pd.DataFrame, successes: np.ndarray, trials: int, prefix: str) -> pd.DataFrame:
    low, high = wilson_interval(successes, trials)
    frame[prefix] = successes / trials
    frame[f"{prefix}_low"] = low
    frame[f"{prefix}_high"] = high
    return frame


def compute_pwin_vs_volume(result: SimulationResult) -> pd.DataFrame:
    """P(challenger's NPC < baseline's) at every sweep volume and analysis horizon.

    Returns
    -------
    DataFrame with columns strategy, label, horizon_months, queries_per_month, p_win, p_win_low,
    p_win_high (95 % Wilson interval), wins, samples.
    """
    scenario = result.scenario
    rows = []
    for ci, strategy in enumerate(result.challengers):
        for hi, horizon in enumerate(result.horizons):
            rows.append(pd.DataFrame({
                "strategy": strategy, "label": scenario.label(strategy), "horizon_months": horizon,
                "queries_per_month": result.volumes, "wins": result.win_counts[ci, :, hi]}))
    frame = pd.concat(rows, ignore_index=True)
    frame = _with_interval(frame, frame["wins"].to_numpy(), result.n_samples, "p_win")
    frame["samples"] = result.n_samples
    return frame[["strategy", "label", "horizon_months", "queries_per_month", "p_win", "p_win_low",
                  "p_win_high", "wins", "samples"]]


def crossing_volume(volumes: np.ndarray, p: np.ndarray, threshold: float = WIN_THRESHOLD) -> float:
    """First volume where ``p`` reaches ``threshold`` from below, interpolated in log volume.

    NaN when ``p`` starts at or above the threshold or never reaches it.
    """
    above = p >= threshold
    if above[0] or not above.any():
        return float("nan")
    j = int(np.argmax(above))
    x0, x1 = np.log(volumes[j - 1]), np.log(volumes[j])
    share = (threshold - p[j - 1]) / (p[j] - p[j - 1])
    return float(np.exp(x0 + share * (x1 - x0)))


CROSSING_EXACT = "median of the per-sample breakeven volumes"
CROSSING_INTERPOLATED = "interpolated between grid volumes (P(win) not monotone in volume)"


def compute_crossings(curves: pd.DataFrame, result: SimulationResult | None = None) -> pd.DataFrame:
    """Volume at which each P(win) curve first reaches 50 %.

    With ``result`` and a curve that never falls as volume grows, the crossing is exact: P(win at
    Q) is then the share of futures whose breakeven volume lies below Q, so it reaches 50 % at the
    median breakeven (read from the run's histogram, within its stated 0.11 %; exact for constant
    inputs). Otherwise (no ``result``, or a curve that falls somewhere, e.g. GPU steps) it is
    interpolated in log volume between the grid points around the first upward crossing; the
    ``method`` column says which.

    Returns
    -------
    DataFrame with columns strategy, label, horizon_months, volume_at_50pct (NaN when the curve
    does not cross upwards inside the sweep), method, p_win_at_min, p_win_at_max.
    """
    rows = []
    for (strategy, label, horizon), g in curves.groupby(["strategy", "label", "horizon_months"], sort=False):
        p = g["p_win"].to_numpy()
        volume = crossing_volume(g["queries_per_month"].to_numpy(), p)
        method = CROSSING_INTERPOLATED
        if result is not None and np.isfinite(volume):
            ci, hi = result.challengers.index(strategy), result.horizons.index(int(horizon))
            wins = result.win_counts[ci, :, hi]
            if np.all(np.diff(wins) >= 0):
                median = float(result.breakeven_hist[ci, hi].quantiles([0.5])[0])
                if volume_in_range(median, result.volumes):
                    volume, method = median, CROSSING_EXACT
        rows.append({"strategy": strategy, "label": label, "horizon_months": horizon,
                     "volume_at_50pct": volume, "method": method if np.isfinite(volume) else "",
                     "p_win_at_min": p[0], "p_win_at_max": p[-1]})
    return pd.DataFrame(rows)


def volume_in_range(volume: float, volumes: np.ndarray) -> bool:
    """Whether ``volume`` lies within the sweep ``volumes`` (sorted, queries/month), ends included."""
    return bool(volumes[0] <= volume <= volumes[-1])


def delta_paths(result: SimulationResult, strategy: str) -> np.ndarray:
    """Per-sample cumulative cost of ``strategy`` minus the baseline's, months 0..H: (n, H + 1).

    Needs a run with ``keep_samples=True``.
    """
    return (result.cumulative_usd[:, result.index(strategy)]
            - result.cumulative_usd[:, result.index(result.baseline)])


def compute_pwin_vs_month(result: SimulationResult) -> pd.DataFrame:
    """P(challenger's cumulative cost is below the baseline's by the end of month t), scenario volume.

    Returns
    -------
    DataFrame with columns strategy, label, month (0..H; 0 = after one-time costs), p_win,
    p_win_low, p_win_high, wins, samples.
    """
    needs_all_outputs(result, "compute_pwin_vs_month")
    months = np.arange(result.horizon_months + 1)
    rows = []
    for ci, strategy in enumerate(result.challengers):
        wins = result.wins_by_month[ci]
        frame = pd.DataFrame({"strategy": strategy, "label": result.scenario.label(strategy),
                              "month": months, "wins": wins})
        rows.append(_with_interval(frame, wins, result.n_samples, "p_win"))
    frame = pd.concat(rows, ignore_index=True)
    frame["samples"] = result.n_samples
    return frame[["strategy", "label", "month", "p_win", "p_win_low", "p_win_high", "wins", "samples"]]


def compute_cheapest_vs_volume(result: SimulationResult) -> pd.DataFrame:
    """P(each strategy, baseline included, has the lowest NPC) per sweep volume and horizon.

    Returns
    -------
    DataFrame with columns strategy, label, horizon_months, queries_per_month, p_cheapest,
    p_cheapest_low, p_cheapest_high, samples.
    """
    rows = []
    for si, strategy in enumerate(result.strategies):
        for hi, horizon in enumerate(result.horizons):
            counts = result.cheapest_counts[si, :, hi]
            frame = pd.DataFrame({"strategy": strategy, "label": result.scenario.label(strategy),
                                  "horizon_months": horizon, "queries_per_month": result.volumes})
            rows.append(_with_interval(frame, counts, result.n_samples, "p_cheapest"))
    frame = pd.concat(rows, ignore_index=True)
    frame["samples"] = result.n_samples
    return frame
