"""Breakeven volume and payback month as distributions; samples that never break even are counted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ftrag_mc.analysis.stats import needs_all_outputs
from ftrag_mc.model.evaluate import payback_months
from ftrag_mc.accumulate import Histogram
from ftrag_mc.simulate import SimulationResult

PERCENTILES = (5, 10, 25, 50, 75, 90, 95)


def compute_payback_months(delta: np.ndarray) -> np.ndarray:
    """Payback month of each row of ``delta`` (n, H + 1), sample-major; 0.0 = from day one, +inf =
    not within H months. See :func:`ftrag_mc.model.evaluate.payback_months` (month-major)."""
    return payback_months(np.asarray(delta, dtype=np.float64).T)


DISPLAY_BINS_PER_DECADE = 8  # breakeven chart bins: whole numbers of the simulator's fine bins
DISPLAY_BINS_PER_MONTH = 1  # payback chart bins: one month


def _percentile_row(hist: Histogram) -> dict:
    q = hist.quantiles(np.array(PERCENTILES) / 100)
    median = float(q[PERCENTILES.index(50)])
    return {**{f"p{p}": v for p, v in zip(PERCENTILES, q)}, "share_at_median": hist.share_equal(median)}


def breakeven_tables(hist: Histogram, challengers: Sequence[str], labels: Mapping[str, str],
                     horizons: Sequence[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(percentiles, chart histogram) of breakeven volumes held in ``hist`` (C, len(horizons)).

    ``hist`` counts 0.0 ("below the sweep") as below and +inf ("above") as above; see
    :func:`compute_breakeven` and :func:`compute_breakeven_histogram` for the columns.
    """
    edges, counts = hist.coarsened(max(1, round(1 / (hist.bins.step * DISPLAY_BINS_PER_DECADE))))
    rows, frames = [], []
    lo, hi = float(hist.bins.edges[0]), float(hist.bins.edges[-1])
    for ci, strategy in enumerate(challengers):
        for k, horizon in enumerate(horizons):
            h = hist[ci, k]
            n = h.total
            below, above = int(h.below) / n, int(h.above) / n
            rows.append({"strategy": strategy, "label": labels[strategy], "horizon_months": horizon,
                         **_percentile_row(h), "share_below_range": below, "share_in_range": 1 - below - above,
                         "share_above_range": above, "sweep_min": lo, "sweep_max": hi,
                         "percentile_rel_error": h.bins.rel_error, "samples": n})
            frames.append(pd.DataFrame({
                "strategy": strategy, "label": labels[strategy], "horizon_months": horizon,
                "bin_low": edges[:-1], "bin_high": edges[1:], "futures": counts[ci, k],
                "share": counts[ci, k] / n}))
    return pd.DataFrame(rows), pd.concat(frames, ignore_index=True)


def payback_tables(hist: Histogram, challengers: Sequence[str], labels: Mapping[str, str], *,
                   volume: float, horizon_months: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(percentiles, chart histogram) of payback months held in ``hist`` (C,): 0.0 = cheaper from
    day one (below), +inf = not within the horizon (above); see :func:`compute_payback`."""
    edges, counts = hist.coarsened(max(1, round(1 / (hist.bins.step * DISPLAY_BINS_PER_MONTH))))
    rows, frames = [], []
    for ci, s in enumerate(challengers):
        h = hist[ci]
        n = h.total
        rows.append({"strategy": s, "label": labels[s], "queries_per_month": volume, **_percentile_row(h),
                     "share_immediate": int(h.below) / n, "share_never": int(h.above) / n,
                     "horizon_months": horizon_months, "percentile_abs_error_months": h.bins.abs_error,
                     "samples": n})
        frames.append(pd.DataFrame({"strategy": s, "label": labels[s], "bin_low": edges[:-1],
                                    "bin_high": edges[1:], "futures": counts[ci], "share": counts[ci] / n}))
    return pd.DataFrame(rows), pd.concat(frames, ignore_index=True)


def _labels(result: SimulationResult) -> dict[str, str]:
    return {s: result.scenario.label(s) for s in result.strategies}


def compute_breakeven(result: SimulationResult) -> pd.DataFrame:
    """Breakeven volume percentiles per challenger and horizon, with the shares outside the range.

    A percentile of 0 means "below the sweep range" (the challenger already wins at its bottom);
    inf means "above the range" (it does not win at the top). Percentiles are read from the run's
    fine histogram; ``percentile_rel_error`` bounds their relative error (exact for constant inputs).

    Returns
    -------
    DataFrame with columns strategy, label, horizon_months, p5 .. p95 (queries/month),
    share_at_median, share_below_range, share_in_range, share_above_range, sweep_min, sweep_max,
    percentile_rel_error, samples.
    """
    return breakeven_tables(result.breakeven_hist, result.challengers, _labels(result), result.horizons)[0]


def compute_breakeven_histogram(result: SimulationResult) -> pd.DataFrame:
    """Share of all futures whose breakeven volume falls in each chart bin (8 per decade).

    Returns
    -------
    DataFrame with columns strategy, label, horizon_months, bin_low, bin_high (queries/month),
    futures, share (of all futures; the bars of one horizon add up to its share_in_range).
    """
    return breakeven_tables(result.breakeven_hist, result.challengers, _labels(result), result.horizons)[1]


def compute_payback(result: SimulationResult) -> pd.DataFrame:
    """Payback-month percentiles per challenger at the scenario's volume.

    Payback is the first (fractional) month at which the challenger's cumulative cost falls below
    the baseline's. ``percentile_abs_error_months`` bounds the error of the percentiles.

    Returns
    -------
    DataFrame with columns strategy, label, queries_per_month, p5 .. p95 (months; inf = not within
    the horizon), share_at_median, share_immediate, share_never, horizon_months,
    percentile_abs_error_months, samples.
    """
    needs_all_outputs(result, "compute_payback")
    return payback_tables(result.payback_hist, result.challengers, _labels(result),
                          volume=result.scenario_volume, horizon_months=result.horizon_months)[0]


def compute_payback_histogram(result: SimulationResult) -> pd.DataFrame:
    """Share of all futures whose payback month falls in each one-month bin, scenario volume.

    Futures cheaper from day one (payback 0) and never within the horizon are not in the bars
    (see share_immediate and share_never in :func:`compute_payback`).

    Returns
    -------
    DataFrame with columns strategy, label, bin_low, bin_high (months), futures, share.
    """
    needs_all_outputs(result, "compute_payback_histogram")
    return payback_tables(result.payback_hist, result.challengers, _labels(result),
                          volume=result.scenario_volume, horizon_months=result.horizon_months)[1]
