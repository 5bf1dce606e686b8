"""Breakeven volume and payback month as distributions; samples that never break even are counted."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ftrag_mc.analysis.probability import delta_paths
from ftrag_mc.analysis.stats import quantiles
from ftrag_mc.simulate import SimulationResult

PERCENTILES = (5, 10, 25, 50, 75, 90, 95)


def compute_payback_months(delta: np.ndarray) -> np.ndarray:
    """First (fractional) month at which a cumulative cost difference turns negative.

    Parameters
    ----------
    delta : (n, H + 1) float64
        Cumulative cost of a challenger minus the baseline's; column 0 is t = 0.

    Returns
    -------
    (n,) float64
        0.0 where the challenger is cheaper from t = 0; +inf where it never is within H months;
        otherwise t - 1 + d[t-1] / (d[t-1] - d[t]) for the first month t with d[t] < 0 (linear
        within the month: $2,200 repaid at $350/month gives 6.29 months).
    """
    negative = delta < 0
    any_negative = negative.any(axis=1)
    t = np.argmax(negative, axis=1)
    rows = np.arange(delta.shape[0])
    before = delta[rows, np.maximum(t - 1, 0)]
    after = delta[rows, t]
    with np.errstate(divide="ignore", invalid="ignore"):
        fractional = t - 1 + before / (before - after)
    return np.where(~any_negative, np.inf, np.where(t == 0, 0.0, fractional))


def breakeven_samples(result: SimulationResult) -> pd.DataFrame:
    """Every sample's breakeven start volume, long format.

    Returns
    -------
    DataFrame with columns strategy, label, horizon_months, queries_per_month (0.0 = wins at the
    bottom of the sweep range, +inf = does not win at its top).
    """
    frames = []
    for ci, strategy in enumerate(result.challengers):
        for hi, horizon in enumerate(result.horizons):
            frames.append(pd.DataFrame({"strategy": strategy, "label": result.scenario.label(strategy),
                                        "horizon_months": horizon,
                                        "queries_per_month": result.breakeven_volume[:, ci, hi]}))
    return pd.concat(frames, ignore_index=True)


def compute_breakeven(result: SimulationResult) -> pd.DataFrame:
    """Breakeven volume percentiles per challenger and horizon, with the shares outside the range.

    A percentile of 0 means "below the sweep range" (the challenger already wins at its bottom);
    inf means "above the range" (it does not win at the top).

    Returns
    -------
    DataFrame with columns strategy, label, horizon_months, p5 .. p95 (queries/month),
    share_below_range, share_in_range, share_above_range, sweep_min, sweep_max, samples.
    """
    rows = []
    for ci, strategy in enumerate(result.challengers):
        for hi, horizon in enumerate(result.horizons):
            x = result.breakeven_volume[:, ci, hi]
            q = quantiles(x, np.array(PERCENTILES) / 100)
            below, above = float(np.mean(x == 0)), float(np.mean(np.isinf(x)))
            rows.append({"strategy": strategy, "label": result.scenario.label(strategy),
                         "horizon_months": horizon,
                         **{f"p{p}": v for p, v in zip(PERCENTILES, q)},
                         "share_below_range": below, "share_in_range": 1 - below - above,
                         "share_above_range": above, "sweep_min": result.volumes[0],
                         "sweep_max": result.volumes[-1], "samples": result.n_samples})
    return pd.DataFrame(rows)


def payback_samples(result: SimulationResult) -> pd.DataFrame:
    """Every sample's payback month at the scenario's volume (+inf = not within the horizon)."""
    frames = [pd.DataFrame({"strategy": s, "label": result.scenario.label(s),
                            "payback_months": compute_payback_months(delta_paths(result, s))})
              for s in result.challengers]
    return pd.concat(frames, ignore_index=True)


def compute_payback(result: SimulationResult) -> pd.DataFrame:
    """Payback-month percentiles per challenger at the scenario's volume.

    Returns
    -------
    DataFrame with columns strategy, label, queries_per_month, p5 .. p95 (months; inf = not within
    the horizon), share_immediate, share_never, horizon_months, samples.
    """
    rows = []
    for s in result.challengers:
        x = compute_payback_months(delta_paths(result, s))
        q = quantiles(x, np.array(PERCENTILES) / 100)
        rows.append({"strategy": s, "label": result.scenario.label(s),
                     "queries_per_month": result.scenario_volume,
                     **{f"p{p}": v for p, v in zip(PERCENTILES, q)},
                     "share_immediate": float(np.mean(x == 0)), "share_never": float(np.mean(np.isinf(x))),
                     "horizon_months": result.horizon_months, "samples": result.n_samples})
    return pd.DataFrame(rows)
