"""The tornado: which inputs move ΔNPC most, one at a time and as learnt from a sampled run.

Each uncertain input is swung between two percentiles with every other input at its median (one at
a time), and beside it the honest variant from a sampled run: the expected ΔNPC, P(win) and median
breakeven among the futures where that input is low or high, every other input varying as it does
(correlations included). The comparison and the model's evaluation are
:mod:`ftrag_mc.analysis.question`'s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ftrag_mc.analysis.inputs import correlated_partners, correlated_with, input_label
from ftrag_mc.analysis.question import (
    Question, delta_usd, resolve_question, sample_breakeven, sample_delta, sampled_run,
)
from ftrag_mc.scenario import Scenario
from ftrag_mc.simulate import SimulationResult

__all__ = ["compute_tornado"]


def compute_tornado(scenario: Scenario, *, challenger: str | None = None, baseline: str | None = None,
                    low: float = 0.10, high: float = 0.90, horizon: int | None = None,
                    volume: float | None = None, result: SimulationResult | None = None) -> pd.DataFrame:
    """One row per uncertain input: ΔNPC with that input at its ``low`` and ``high`` percentiles.

    Two answers side by side. The swing (one at a time): the input at its P(low) and P(high),
    every other input at its median, through :func:`~ftrag_mc.model.evaluate.evaluate`. The
    conditional expectation (from ``result``'s samples): among the futures whose value of the input
    lies in its lowest band (at or below its P(2·low), i.e. below P20 for low = 0.10: a band whose
    probability centre is P(low)) or its highest band (at or above its P(2·high − 1)), the mean
    ΔNPC, P(win) and the median breakeven volume, while every other input varies as sampled
    (correlations included).
    Where the swing says "if this input alone moved", the conditional answer says "what we expect
    when we learn that this input is low (high)".

    Parameters
    ----------
    scenario
        The scenario.
    challenger, baseline
        The pair compared (ΔNPC = NPC(challenger) − NPC(baseline)). Default baseline: the
        scenario's; default challenger: the one with the highest P(win) against the baseline at
        ``volume`` and ``horizon`` in the sampled run (the strongest challenger). Any two
        different strategies work.
    low, high
        Percentiles of the swing, 0 < low < 0.5 < high < 1.
    horizon
        Month through which costs count, 0..H; default the scenario's horizon.
    volume
        Start volume, queries/month; default the scenario's.
    result
        A run of ``scenario`` from ``simulate(..., keep_samples=True)``; None simulates
        :data:`DEFAULT_SAMPLES` samples with the scenario's seed and sampler.

    Returns
    -------
    DataFrame, one row per uncertain input, largest ``swing_usd`` first, with columns
        strategy, strategy_label, baseline, baseline_label, horizon_months, queries_per_month: the comparison;
        input (the name in ``scenario.inputs``), label (short human name), description
        (the distribution, e.g. ``PERT(1500, 2200, 4000)``), percentile_low, percentile_high;
        value_low, value_high (the input at those percentiles, its own units), value_median;
        delta_low_usd, delta_high_usd (ΔNPC with the input there, others at medians),
        base_delta_usd (every input at its median), swing_usd = |delta_high − delta_low|,
        flips_answer (the swing crosses ΔNPC = 0: this input alone can change which is cheaper);
        band_low_percentile, band_high_percentile (2·low and 2·high − 1), band_low_max_value,
        band_high_min_value (the bands' edges, the input's units), band_low_samples,
        band_high_samples;
        cond_delta_low_usd, cond_delta_low_se_usd, cond_delta_high_usd, cond_delta_high_se_usd
        (E[ΔNPC | band] and its Monte Carlo standard error), cond_swing_usd, cond_swing_se_usd;
        p_win_band_low, p_win_band_low_se, p_win_band_high, p_win_band_high_se (P(ΔNPC < 0 | band));
        breakeven_p50_band_low_queries_per_month, breakeven_p50_band_low_se_queries_per_month
        and the same for the high band (0 = wins at the bottom of the sweep, inf = not at its top;
        the standard error from the distribution-free 95 % interval of the median, / 3.92);
        p_win, mean_delta_usd, samples (the whole sampled run); assumption_note.

    Raises
    ------
    ValueError
        Unknown or equal strategies, percentiles out of order, a horizon or volume out of range,
        or a ``result`` of another scenario or without per-sample arrays.

    Notes
    -----
    Standard errors treat the samples as independent: with Latin hypercube sampling they are
    conservative. Breakevens are the run's own where it computed them (the scenario's baseline
    at an analysis horizon); for other pairs or horizons they are found on the sweep grid, exact
    where costs are affine in volume and within a grid step otherwise.
    """
    if not 0 < low < 0.5 < high < 1:
        raise ValueError(f"need 0 < low < 0.5 < high < 1 (got low={low}, high={high})")
    result = sampled_run(scenario, result)
    q = resolve_question(scenario, result, challenger, baseline, horizon, volume)
    swings = _swings(scenario, q, low, high)
    y = sample_delta(scenario, result, q)
    breakeven = sample_breakeven(scenario, result, q)
    rows = [_row(scenario, q, swings, i, result, y, breakeven) for i in range(len(swings.names))]
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.sort_values("swing_usd", ascending=False, kind="mergesort").reset_index(drop=True)


@dataclass(frozen=True)
class _Swings:
    """Each uncertain input at its low and high percentile, the others at their medians: (d,) arrays."""

    names: list[str]
    low: float
    high: float
    medians: np.ndarray
    value_low: np.ndarray
    value_high: np.ndarray
    base: float  # ΔNPC with every input at its median
    delta_low: np.ndarray
    delta_high: np.ndarray


def _swings(scenario: Scenario, q: Question, low: float, high: float) -> _Swings:
    """One evaluation: column 0 all medians, then each input at its low, then at its high."""
    names = list(scenario.uncertain_inputs)
    dists = [scenario.inputs[name] for name in names]
    d = len(names)
    medians = np.array([dist.median for dist in dists])
    value_low = np.array([float(dist.ppf(np.array(low))) for dist in dists])
    value_high = np.array([float(dist.ppf(np.array(high))) for dist in dists])
    values = np.repeat(medians[:, None], 2 * d + 1, axis=1)
    at = np.arange(d)
    values[at, 1 + at] = value_low
    values[at, 1 + d + at] = value_high
    delta = delta_usd(scenario, dict(zip(names, values)), 2 * d + 1, q)
    return _Swings(names, low, high, medians, value_low, value_high, delta[0], delta[1:d + 1], delta[d + 1:])


def _row(scenario: Scenario, q: Question, sw: _Swings, i: int, result: SimulationResult, y: np.ndarray,
         breakeven: np.ndarray) -> dict:
    """Input ``i``'s row: its swing, and ΔNPC, P(win) and breakeven among the samples in its bands."""
    name = sw.names[i]
    dist = scenario.inputs[name]
    x = result.inputs[name]
    edge_low = float(dist.ppf(np.array(2 * sw.low)))
    edge_high = float(dist.ppf(np.array(2 * sw.high - 1)))
    lo, hi = _band(y, breakeven, x <= edge_low), _band(y, breakeven, x >= edge_high)
    partners = correlated_partners(scenario, [name])
    note = (f"correlated with {correlated_with(scenario, partners)}: the swing holds the partner at its median; "
            "the conditional expectation moves it with this input") if partners else ""
    delta_low, delta_high = sw.delta_low[i], sw.delta_high[i]
    return {
        **q.columns(scenario), "input": name, "label": input_label(scenario, name),
        "description": dist.describe(), "percentile_low": sw.low, "percentile_high": sw.high,
        "value_low": sw.value_low[i], "value_high": sw.value_high[i], "value_median": sw.medians[i],
        "delta_low_usd": delta_low, "delta_high_usd": delta_high, "base_delta_usd": sw.base,
        "swing_usd": abs(delta_high - delta_low),
        "flips_answer": bool(min(delta_low, delta_high) < 0 <= max(delta_low, delta_high)),
        "band_low_percentile": 2 * sw.low, "band_high_percentile": 2 * sw.high - 1,
        "band_low_max_value": edge_low, "band_high_min_value": edge_high,
        "band_low_samples": lo.n, "band_high_samples": hi.n,
        "cond_delta_low_usd": lo.mean, "cond_delta_low_se_usd": lo.mean_se,
        "cond_delta_high_usd": hi.mean, "cond_delta_high_se_usd": hi.mean_se,
        "cond_swing_usd": abs(hi.mean - lo.mean), "cond_swing_se_usd": math.hypot(lo.mean_se, hi.mean_se),
        "p_win_band_low": lo.p_win, "p_win_band_low_se": lo.p_win_se,
        "p_win_band_high": hi.p_win, "p_win_band_high_se": hi.p_win_se,
        "breakeven_p50_band_low_queries_per_month": lo.breakeven,
        "breakeven_p50_band_low_se_queries_per_month": lo.breakeven_se,
        "breakeven_p50_band_high_queries_per_month": hi.breakeven,
        "breakeven_p50_band_high_se_queries_per_month": hi.breakeven_se,
        "p_win": float(np.mean(y < 0)), "mean_delta_usd": float(np.mean(y)), "samples": result.n_samples,
        "assumption_note": note,
    }


@dataclass(frozen=True)
class _BandStats:
    n: int
    mean: float
    mean_se: float
    p_win: float
    p_win_se: float
    breakeven: float
    breakeven_se: float


def _band(delta: np.ndarray, breakeven: np.ndarray, mask: np.ndarray) -> _BandStats:
    """Mean ΔNPC, P(win) and median breakeven over the samples in ``mask``, with standard errors."""
    y, b = delta[mask], np.sort(breakeven[mask])
    m = len(y)
    if m == 0:
        return _BandStats(0, *([math.nan] * 6))
    p = float(np.mean(y < 0))
    se = float(np.std(y, ddof=1) / math.sqrt(m)) if m > 1 else math.nan
    median = float(np.quantile(b, 0.5, method="inverted_cdf"))
    # Distribution-free 95 % interval of a median: order statistics m/2 ± 1.96 √m / 2.
    half = 1.959964 * math.sqrt(m) / 2
    j, k = max(int(math.floor(m / 2 - half)), 0), min(int(math.ceil(m / 2 + half)), m - 1)
    with np.errstate(invalid="ignore"):
        breakeven_se = float((b[k] - b[j]) / (2 * 1.959964)) if b[k] > b[j] else 0.0
    return _BandStats(m, float(np.mean(y)), se, p, math.sqrt(p * (1 - p) / m), median, breakeven_se)
