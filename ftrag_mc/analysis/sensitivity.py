"""Sensitivity studies: which assumptions decide the answer.

Three views of the same question, each a DataFrame:

- :func:`compute_tornado`: each uncertain input swung between two percentiles with every other input
  at its median (one at a time), and beside it the honest variant from a sampled run: the expected
  ΔNPC, P(win) and median breakeven among the futures where that input is low or high, every other
  input varying as it does (correlations included).
- :func:`compute_spider`: ΔNPC as each input walks through its percentiles, the others at medians.
- :func:`compute_global`: rank correlation (Spearman), partial rank correlation (PRCC) and Sobol
  indices with bootstrap intervals: how much of ΔNPC's variance each input explains, alone and
  with its interactions.

ΔNPC is NPC(challenger) − NPC(baseline) through the horizon at one start volume: negative is a
saving. Every deterministic what-if goes through :func:`ftrag_mc.model.evaluate.evaluate`, in
chunks of :data:`CHUNK_SAMPLES` samples at one volume and one month.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats import qmc

from ftrag_mc.distributions.evidence import joint_partner
from ftrag_mc.model.evaluate import evaluate
from ftrag_mc.sampling import U_MAX, U_MIN
from ftrag_mc.scenario import Scenario
from ftrag_mc.analysis.voi import describe_input
from ftrag_mc.simulate import SimulationResult, simulate, volume_grid

__all__ = ["compute_tornado", "compute_spider", "compute_global", "input_label",
           "DEFAULT_SAMPLES", "SOBOL_SAMPLES", "SPIDER_PERCENTILES"]

DEFAULT_SAMPLES = 20_000
"""Samples simulated when a study needs a sampled run and none is given."""
CHUNK_SAMPLES = 16_384
"""Samples per :func:`evaluate` call: its temporaries are (months, samples) arrays."""
SOBOL_SAMPLES = 2**12
"""Base samples of the Sobol design: n (d + 2) model evaluations for d inputs."""
SPIDER_PERCENTILES = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
CONFIDENCE = 0.95

_QMC_RNG_ARG = "rng" if "rng" in inspect.signature(qmc.Sobol).parameters else "seed"
_BOOTSTRAP_RNG_ARG = "rng" if "rng" in inspect.signature(stats.bootstrap).parameters else "random_state"


# --- what is compared --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Question:
    """One comparison: challenger against baseline at a start volume, through a month."""

    challenger: str
    baseline: str
    horizon: int
    volume: float

    def columns(self, scenario: Scenario) -> dict[str, object]:
        return {"strategy": self.challenger, "strategy_label": scenario.label(self.challenger),
                "baseline": self.baseline, "baseline_label": scenario.label(self.baseline),
                "horizon_months": self.horizon, "queries_per_month": self.volume}


def _question(scenario: Scenario, result: SimulationResult | None, challenger: str | None,
              baseline: str | None, horizon: int | None, volume: float | None) -> _Question:
    baseline = scenario.baseline if baseline is None else baseline
    if baseline not in scenario.strategies:
        raise ValueError(f"baseline {baseline!r} is not a strategy (strategies: {', '.join(scenario.strategies)})")
    horizon = scenario.horizon_months if horizon is None else horizon
    if int(horizon) != horizon or not 0 <= horizon <= scenario.horizon_months:
        raise ValueError(f"horizon must be a whole month in 0..{scenario.horizon_months} (got {horizon})")
    volume = float(scenario.volume.queries_per_month if volume is None else volume)
    if not (math.isfinite(volume) and volume > 0):
        raise ValueError(f"volume must be a positive number of queries/month (got {volume})")
    if challenger is None:
        others = [s for s in scenario.strategies if s != baseline]
        if len(others) == 1:
            challenger = others[0]
        else:
            if result is None:
                result = _sampled(scenario, None)
            challenger = _strongest(scenario, result, others, baseline, int(horizon), volume)
    if challenger not in scenario.strategies:
        raise ValueError(f"challenger {challenger!r} is not a strategy (strategies: {', '.join(scenario.strategies)})")
    if challenger == baseline:
        raise ValueError(f"challenger and baseline are both {baseline!r}: compare two different strategies")
    return _Question(challenger, baseline, int(horizon), volume)


def _strongest(scenario: Scenario, result: SimulationResult, candidates: Sequence[str], baseline: str,
               horizon: int, volume: float) -> str:
    """The candidate with the highest P(win) against ``baseline`` in ``result``'s samples."""
    npc = _sample_npc(scenario, result, volume, horizon)
    order = list(scenario.strategies)
    b = npc[:, order.index(baseline)]
    # Highest P(win); among equals (e.g. several that always win) the larger mean saving.
    keys = [(float(np.mean(npc[:, order.index(c)] < b)), -float(np.mean(npc[:, order.index(c)] - b)), -i)
            for i, c in enumerate(candidates)]
    return candidates[max(range(len(candidates)), key=keys.__getitem__)]


def _sampled(scenario: Scenario, result: SimulationResult | None) -> SimulationResult:
    """``result`` checked to be of ``scenario`` with per-sample arrays, or a fresh run of 20,000."""
    if result is None:
        return simulate(scenario, samples=DEFAULT_SAMPLES, seed=scenario.simulation.seed, keep_samples=True)
    if result.scenario.source_hash != scenario.source_hash:
        raise ValueError(f"result was simulated from scenario {result.scenario.name!r}, not from this one")
    if result.samples is None:
        raise ValueError("a sensitivity study needs the per-sample arrays: simulate(..., keep_samples=True)")
    return result


# --- the model, in chunks ---------------------------------------------------------------------


def _npc_usd(scenario: Scenario, inputs: Mapping[str, np.ndarray], n: int, volume: float,
             horizon: int) -> np.ndarray:
    """Every strategy's NPC for ``n`` samples of ``inputs`` at one volume and month: (n, S)."""
    out = np.empty((n, len(scenario.strategies)))
    for start in range(0, n, CHUNK_SAMPLES):
        stop = min(start + CHUNK_SAMPLES, n)
        chunk = {name: values[start:stop] for name, values in inputs.items()}
        out[start:stop] = evaluate(scenario, chunk, volumes=[volume], months=[horizon]).npc_usd[:, :, 0, 0]
    return out


def _delta_usd(scenario: Scenario, inputs: Mapping[str, np.ndarray], n: int, q: _Question) -> np.ndarray:
    """ΔNPC (n,) of ``q`` for ``n`` samples of ``inputs``."""
    npc = _npc_usd(scenario, inputs, n, q.volume, q.horizon)
    order = list(scenario.strategies)
    return npc[:, order.index(q.challenger)] - npc[:, order.index(q.baseline)]


def _sample_npc(scenario: Scenario, result: SimulationResult, volume: float, horizon: int) -> np.ndarray:
    """NPC of every strategy in every sample of ``result``: (n, S); kept paths at the run's volume."""
    if volume == scenario.volume.queries_per_month:
        return result.cumulative_usd[:, :, horizon]
    return _npc_usd(scenario, result.inputs, result.n_samples, volume, horizon)


def _sample_delta(scenario: Scenario, result: SimulationResult, q: _Question) -> np.ndarray:
    npc = _sample_npc(scenario, result, q.volume, q.horizon)
    order = list(scenario.strategies)
    return npc[:, order.index(q.challenger)] - npc[:, order.index(q.baseline)]


def _sample_breakeven(scenario: Scenario, result: SimulationResult, q: _Question) -> np.ndarray:
    """Per-sample breakeven start volume (n,): 0.0 = wins at the bottom of the sweep, inf = not at its top.

    The run's own (bisected) values when it has them (challenger against the scenario's baseline
    at an analysis horizon); otherwise from ΔNPC on the sweep grid, the crossing interpolated
    linearly in volume between the grid points around it: exact where costs are affine in volume
    (ΔNPC is then a line), within one grid step otherwise.
    """
    if q.baseline == scenario.baseline and q.horizon in result.horizons:
        return result.breakeven_volume[:, scenario.challengers.index(q.challenger), result.horizons.index(q.horizon)]
    grid = volume_grid(scenario)
    order = list(scenario.strategies)
    ci, bi = order.index(q.challenger), order.index(q.baseline)
    n = result.n_samples
    delta = np.empty((n, len(grid)))
    for start in range(0, n, CHUNK_SAMPLES):
        stop = min(start + CHUNK_SAMPLES, n)
        chunk = {name: values[start:stop] for name, values in result.inputs.items()}
        npc = evaluate(scenario, chunk, volumes=grid, months=[q.horizon]).npc_usd[:, :, :, 0]
        delta[start:stop] = npc[:, ci] - npc[:, bi]
    wins = delta < 0
    first = np.argmax(wins, axis=1)
    rows = np.arange(n)
    out = np.where(wins[:, -1], np.where(wins[:, 0], 0.0, np.nan), np.inf)
    inside = np.isnan(out)
    k = first[inside]
    d_lo, d_hi = delta[rows[inside], k - 1], delta[rows[inside], k]
    q_lo, q_hi = grid[k - 1], grid[k]
    out[inside] = q_lo + (q_hi - q_lo) * d_lo / (d_lo - d_hi)
    return out


# --- labels and notes ---------------------------------------------------------------------------


def input_label(scenario: Scenario, name: str) -> str:
    """An input's name in plain words, capitalised for a chart row or a list: ``strategies.ft.
    training.run_usd`` -> "Training run cost of <ft's label>" (the same words as the value-of-
    information sentences, :func:`ftrag_mc.analysis.voi.describe_input`)."""
    words = describe_input(scenario, name)
    words = words[4:] if words.startswith("the ") else words
    return words[:1].upper() + words[1:]


def _partners(scenario: Scenario) -> dict[str, list[tuple[str, float]]]:
    """Each correlated input's partners and their target rank correlations."""
    corr = scenario.correlation
    if corr is None:
        return {}
    out: dict[str, list[tuple[str, float]]] = {}
    for i, name in enumerate(corr.names):
        out[name] = [(other, float(corr.matrix[i, j])) for j, other in enumerate(corr.names)
                     if j != i and corr.matrix[i, j] != 0]
    return {k: v for k, v in out.items() if v}


def _with(scenario: Scenario, partners: list[tuple[str, float]]) -> str:
    return ", ".join(f"{input_label(scenario, p)} (rank ρ = {rho:+.2f})" for p, rho in partners)


# --- 1. tornado ---------------------------------------------------------------------------------


def compute_tornado(scenario: Scenario, *, challenger: str | None = None, baseline: str | None = None,
                    low: float = 0.10, high: float = 0.90, horizon: int | None = None,
                    volume: float | None = None, result: SimulationResult | None = None) -> pd.DataFrame:
    """One row per uncertain input: ΔNPC with that input at its ``low`` and ``high`` percentiles.

    Two answers side by side. The swing (one at a time): the input at its P(low) and P(high),
    every other input at its median, through :func:`evaluate`. The conditional expectation (from
    ``result``'s samples): among the futures whose value of the input lies in its lowest band
    (at or below its P(2·low), i.e. below P20 for low = 0.10: a band whose probability centre is
    P(low)) or its highest band (at or above its P(2·high − 1)), the mean ΔNPC, P(win) and the
    median breakeven volume, while every other input varies as sampled (correlations included).
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
    result = _sampled(scenario, result)
    q = _question(scenario, result, challenger, baseline, horizon, volume)
    names = list(scenario.uncertain_inputs)
    dists = [scenario.inputs[name] for name in names]
    d = len(names)

    # One evaluation: column 0 all medians, then each input at its low, then at its high.
    medians = np.array([dist.median for dist in dists])
    value_low = np.array([float(dist.ppf(np.array(low))) for dist in dists])
    value_high = np.array([float(dist.ppf(np.array(high))) for dist in dists])
    values = np.repeat(medians[:, None], 2 * d + 1, axis=1)
    at = np.arange(d)
    values[at, 1 + at] = value_low
    values[at, 1 + d + at] = value_high
    delta = _delta_usd(scenario, dict(zip(names, values)), 2 * d + 1, q)
    base, delta_low, delta_high = delta[0], delta[1:d + 1], delta[d + 1:]

    y = _sample_delta(scenario, result, q)
    breakeven = _sample_breakeven(scenario, result, q)
    partners = _partners(scenario)
    rows = []
    for i, (name, dist) in enumerate(zip(names, dists)):
        x = result.inputs[name]
        edge_low = float(dist.ppf(np.array(2 * low)))
        edge_high = float(dist.ppf(np.array(2 * high - 1)))
        lo, hi = _band(y, breakeven, x <= edge_low), _band(y, breakeven, x >= edge_high)
        note = ""
        if name in partners:
            note = (f"correlated with {_with(scenario, partners[name])}: the swing holds the partner at its "
                    "median; the conditional expectation moves it with this input")
        rows.append({
            **q.columns(scenario), "input": name, "label": input_label(scenario, name),
            "description": dist.describe(), "percentile_low": low, "percentile_high": high,
            "value_low": value_low[i], "value_high": value_high[i], "value_median": medians[i],
            "delta_low_usd": delta_low[i], "delta_high_usd": delta_high[i], "base_delta_usd": base,
            "swing_usd": abs(delta_high[i] - delta_low[i]),
            "flips_answer": bool(min(delta_low[i], delta_high[i]) < 0 <= max(delta_low[i], delta_high[i])),
            "band_low_percentile": 2 * low, "band_high_percentile": 2 * high - 1,
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
        })
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.sort_values("swing_usd", ascending=False, kind="mergesort").reset_index(drop=True)


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


# --- 2. spider ----------------------------------------------------------------------------------


def compute_spider(scenario: Scenario, *, challenger: str | None = None, baseline: str | None = None,
                   percentiles: Sequence[float] = SPIDER_PERCENTILES, inputs: Sequence[str] | None = None,
                   horizon: int | None = None, volume: float | None = None,
                   result: SimulationResult | None = None) -> pd.DataFrame:
    """ΔNPC as each input walks through its percentiles, every other input at its median.

    Parameters
    ----------
    scenario
        The scenario.
    challenger, baseline, horizon, volume
        As in :func:`compute_tornado`. The default challenger needs a sampled run only when the
        scenario has more than one challenger.
    percentiles
        Probabilities strictly inside (0, 1) at which each input is set.
    inputs
        Names of uncertain inputs to walk; default all of them.
    result
        A run of ``scenario`` (``keep_samples=True``) used to pick the default challenger.

    Returns
    -------
    DataFrame in long format, inputs with the widest range first, each by increasing percentile:
        strategy, strategy_label, baseline, baseline_label, horizon_months, queries_per_month, input, label,
        description, percentile, value (the input there, its units), delta_usd (ΔNPC),
        base_delta_usd (every input at its median), range_usd (max − min of delta_usd over the
        percentiles, for that input).

    Raises
    ------
    ValueError
        A percentile outside (0, 1), an input that is not an uncertain input of the scenario, or
        as :func:`compute_tornado`.
    """
    p = np.asarray(percentiles, dtype=np.float64)
    if p.ndim != 1 or p.size == 0 or not np.all((p > 0) & (p < 1)):
        raise ValueError(f"percentiles must lie strictly between 0 and 1 (got {list(percentiles)})")
    uncertain = scenario.uncertain_inputs
    names = list(uncertain) if inputs is None else list(inputs)
    unknown = [name for name in names if name not in uncertain]
    if unknown:
        raise ValueError(f"not uncertain inputs of the scenario: {', '.join(unknown)}")
    if result is not None:
        result = _sampled(scenario, result)
    q = _question(scenario, result, challenger, baseline, horizon, volume)
    all_names = list(uncertain)
    medians = np.array([uncertain[name].median for name in all_names])
    k, d = len(p), len(names)
    # Column 0: medians; then input j at each percentile.
    values = np.repeat(medians[:, None], 1 + d * k, axis=1)
    walked = []
    for j, name in enumerate(names):
        x = uncertain[name].ppf(p)
        values[all_names.index(name), 1 + j * k:1 + (j + 1) * k] = x
        walked.append(x)
    delta = _delta_usd(scenario, dict(zip(all_names, values)), 1 + d * k, q)
    base = delta[0]
    blocks = []
    order = np.argsort(p, kind="mergesort")
    for j, name in enumerate(names):
        dj = delta[1 + j * k:1 + (j + 1) * k]
        blocks.append(pd.DataFrame({
            **q.columns(scenario), "input": name, "label": input_label(scenario, name),
            "description": uncertain[name].describe(), "percentile": p[order], "value": walked[j][order],
            "delta_usd": dj[order], "base_delta_usd": base, "range_usd": float(np.ptp(dj))}))
    if not blocks:
        return pd.DataFrame(columns=["strategy", "strategy_label", "baseline", "baseline_label", "horizon_months",
                                     "queries_per_month", "input", "label", "description", "percentile",
                                     "value", "delta_usd", "base_delta_usd", "range_usd"])
    frame = pd.concat(blocks, ignore_index=True)
    rank = frame.groupby("input", sort=False)["range_usd"].first().sort_values(ascending=False, kind="mergesort")
    frame["_rank"] = frame["input"].map({name: i for i, name in enumerate(rank.index)})
    return frame.sort_values(["_rank", "percentile"], kind="mergesort").drop(columns="_rank").reset_index(drop=True)


# --- 3. global: rank correlations and Sobol indices -----------------------------------------


def compute_top_inputs(scenario: Scenario, *, challenger: str, top: int = 3, low: float = 0.10,
                       high: float = 0.90) -> pd.DataFrame:
    """The ``top`` uncertain inputs whose swing from P(low) to P(high) moves ΔNPC most (others at
    their medians, deterministic through :func:`evaluate`): the run's "what matters most".

    Returns
    -------
    DataFrame, largest swing first: rank (1, 2, ...), strategy, strategy_label, baseline,
    baseline_label, horizon_months, queries_per_month, input, label, delta_low_usd (ΔNPC with the
    input at P(low)), delta_high_usd (at P(high)), base_delta_usd (every input at its median),
    swing_usd (|delta_high_usd − delta_low_usd|). Empty when every input is a constant.
    """
    spider = compute_spider(scenario, challenger=challenger, percentiles=(low, high))
    columns = ["rank", "strategy", "strategy_label", "baseline", "baseline_label", "horizon_months",
               "queries_per_month", "input", "label", "delta_low_usd", "delta_high_usd", "base_delta_usd",
               "swing_usd"]
    if spider.empty:
        return pd.DataFrame(columns=columns)
    keys = ["strategy", "strategy_label", "baseline", "baseline_label", "horizon_months", "queries_per_month",
            "input", "label", "base_delta_usd"]
    ends = spider.groupby("input", sort=False).agg(
        **{k: (k, "first") for k in keys if k != "input"},
        delta_low_usd=("delta_usd", "first"), delta_high_usd=("delta_usd", "last")).reset_index()
    ends["swing_usd"] = (ends["delta_high_usd"] - ends["delta_low_usd"]).abs()
    ends = ends.sort_values("swing_usd", ascending=False, kind="mergesort").head(top).reset_index(drop=True)
    ends["rank"] = np.arange(1, len(ends) + 1)
    return ends[columns]


def compute_global(result: SimulationResult, *, challenger: str | None = None, baseline: str | None = None,
                   horizon: int | None = None, volume: float | None = None, sobol: bool = True,
                   sobol_samples: int = SOBOL_SAMPLES, seed: int | None = None,
                   confidence_level: float = CONFIDENCE, n_resamples: int = 999) -> pd.DataFrame:
    """How much each input drives ΔNPC over its whole range: rank correlations and Sobol indices.

    Spearman's rank correlation and the partial rank correlation coefficient (PRCC) come from the
    run's samples (inputs drawn as the scenario says, correlations included). PRCC correlates the
    residuals of the input's ranks and of ΔNPC's ranks after a least-squares regression on the
    other inputs' ranks: the monotone effect of this input with the others held fixed.

    Sobol indices come from a separate design (Saltelli 2010, as in
    :func:`scipy.stats.sobol_indices`): two independent matrices A and B of ``sobol_samples``
    scrambled-Sobol points mapped through each input's inverse CDF, and for each input i the
    matrix A with column i from B; n (d + 2) evaluations of the model. The first-order index is
    the share of Var(ΔNPC) explained by the input alone, the total index the share it takes part
    in (alone or through interactions). Confidence intervals: percentile bootstrap over the
    design's rows (:func:`scipy.stats.bootstrap`, seeded).

    Parameters
    ----------
    result
        A run from ``simulate(..., keep_samples=True)``; its scenario is the one studied.
    challenger, baseline, horizon, volume
        As in :func:`compute_tornado` (default: the strongest challenger against the scenario's
        baseline, at the scenario's horizon and volume).
    sobol
        Compute Sobol indices (False: NaN in those columns).
    sobol_samples
        Base samples n of the Sobol design, a power of two (2**12 or 2**13 are typical).
    seed
        Seed of the Sobol design and the bootstrap; default the run's seed.
    confidence_level, n_resamples
        Of the bootstrap intervals.

    Returns
    -------
    DataFrame, one row per uncertain input, the largest total Sobol index first (largest
    |spearman| without Sobol), with columns
        strategy, strategy_label, baseline, baseline_label, horizon_months, queries_per_month, input, label,
        description, spearman, prcc, sobol_first, sobol_first_low, sobol_first_high, sobol_total,
        sobol_total_low, sobol_total_high, samples (of the run), sobol_base_samples,
        sobol_evaluations, confidence_level, assumption_note (non-empty for an input that
        ``[correlation]`` correlates: Sobol indices then assume independent inputs).

    Raises
    ------
    ValueError
        ``sobol_samples`` not a power of two, a result without per-sample arrays, or as
        :func:`compute_tornado`.

    Notes
    -----
    Indices are estimates: a first-order index of an input without effect may come out slightly
    negative, and one near the total slightly above it; the intervals say how far to trust them.
    """
    n_sobol = int(sobol_samples)
    if sobol and (n_sobol < 2 or n_sobol & (n_sobol - 1) or n_sobol != sobol_samples):
        raise ValueError(f"sobol_samples must be a power of two, at least 2 (got {sobol_samples})")
    if not 0 < confidence_level < 1:
        raise ValueError(f"confidence_level must lie between 0 and 1 (got {confidence_level})")
    scenario = result.scenario
    result = _sampled(scenario, result)
    q = _question(scenario, result, challenger, baseline, horizon, volume)
    names = list(scenario.uncertain_inputs)
    y = _sample_delta(scenario, result, q)
    x = np.column_stack([result.inputs[name] for name in names]) if names else np.empty((len(y), 0))
    spearman, prcc = _rank_correlations(x, y)

    nan = np.full(len(names), math.nan)
    first = first_low = first_high = total = total_low = total_high = nan
    if sobol and names:
        rng = np.random.default_rng(result.seed if seed is None else seed)
        first, total, (first_low, first_high), (total_low, total_high) = _sobol(
            scenario, names, q, n_sobol, rng, confidence_level, n_resamples)

    partners = _partners(scenario)
    rows = []
    for i, name in enumerate(names):
        note = ""
        if name in partners:
            note = (f"correlated with {_with(scenario, partners[name])}: Sobol indices assume independent "
                    "inputs (computed with the inputs drawn independently); Spearman mixes in the "
                    "partner's effect, PRCC holds the other inputs fixed and so largely removes it")
        elif (paired := joint_partner(scenario.inputs, name)) is not None:
            note = (f"drawn jointly with {input_label(scenario, paired[0])} from a paired eval (correlation "
                    f"{paired[1]:+.2f}): Sobol indices assume independent inputs (computed with the two drawn "
                    "independently); Spearman mixes in the partner's effect, PRCC largely removes it")
        rows.append({
            **q.columns(scenario), "input": name, "label": input_label(scenario, name),
            "description": scenario.inputs[name].describe(), "spearman": spearman[i], "prcc": prcc[i],
            "sobol_first": first[i], "sobol_first_low": first_low[i], "sobol_first_high": first_high[i],
            "sobol_total": total[i], "sobol_total_low": total_low[i], "sobol_total_high": total_high[i],
            "samples": result.n_samples, "sobol_base_samples": n_sobol if sobol else 0,
            "sobol_evaluations": n_sobol * (len(names) + 2) if sobol else 0,
            "confidence_level": confidence_level, "assumption_note": note})
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    key = frame["sobol_total"] if sobol else frame["spearman"].abs()
    order = np.argsort(-key.fillna(-np.inf).to_numpy(), kind="mergesort")
    return frame.iloc[order].reset_index(drop=True)


def _rank_correlations(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spearman and partial rank correlation of each column of ``x`` (n, d) with ``y`` (n,).

    PRCC of input i: regress its ranks and ΔNPC's ranks on the other inputs' ranks (least squares,
    with an intercept) and correlate the two residuals. The residuals' sums of squares and cross
    products come from the normal equations on the Gram matrix of the centred ranks, computed
    once: the same numbers as d separate regressions, in O(d^3) each instead of O(n d^2).
    """
    n, d = x.shape
    spearman, prcc = np.full(d, math.nan), np.full(d, math.nan)
    if n < 3 or np.ptp(y) == 0:
        return spearman, prcc
    for i in range(d):
        spearman[i] = stats.spearmanr(x[:, i], y).statistic
    ranks = np.column_stack([stats.rankdata(x, axis=0), stats.rankdata(y)])
    ranks -= ranks.mean(axis=0)  # centring is the intercept
    gram = ranks.T @ ranks  # (d + 1, d + 1); index d is ΔNPC
    for i in range(d):
        pair = [i, d]
        others = [j for j in range(d) if j != i]
        cross = gram[np.ix_(pair, pair)]
        if others:
            g_op = gram[np.ix_(others, pair)]
            try:
                coef = np.linalg.solve(gram[np.ix_(others, others)], g_op)
            except np.linalg.LinAlgError:
                coef = np.linalg.lstsq(gram[np.ix_(others, others)], g_op, rcond=None)[0]
            cross = cross - g_op.T @ coef
        # A residual that is round-off only (the others explain it exactly): no partial correlation.
        if cross[0, 0] > 1e-10 * gram[i, i] and cross[1, 1] > 1e-10 * gram[d, d]:
            prcc[i] = float(np.clip(cross[0, 1] / math.sqrt(cross[0, 0] * cross[1, 1]), -1.0, 1.0))
    return spearman, prcc


def _sobol(scenario: Scenario, names: list[str], q: _Question, n: int, rng: np.random.Generator,
           confidence_level: float, n_resamples: int):
    """First and total Sobol indices of ``names`` on ΔNPC, with percentile-bootstrap intervals."""
    d = len(names)
    dists = [scenario.inputs[name] for name in names]
    u = qmc.Sobol(d=2 * d, scramble=True, **{_QMC_RNG_ARG: rng}).random(n)  # (n, 2d)
    np.clip(u, U_MIN, U_MAX, out=u)
    a = np.stack([dist.ppf(u[:, i]) for i, dist in enumerate(dists)])  # (d, n)
    b = np.stack([dist.ppf(u[:, d + i]) for i, dist in enumerate(dists)])
    f_a = _delta_usd(scenario, dict(zip(names, a)), n, q)
    f_b = _delta_usd(scenario, dict(zip(names, b)), n, q)
    # A with input i's column from B, for every i: d n evaluations, built chunk by chunk.
    f_ab = np.empty(d * n)
    for start in range(0, d * n, CHUNK_SAMPLES):
        j = np.arange(start, min(start + CHUNK_SAMPLES, d * n))
        which, k = j // n, j % n
        cols = a[:, k]
        cols[which, np.arange(len(j))] = b[which, k]
        f_ab[j] = _delta_usd(scenario, dict(zip(names, cols)), len(j), q)
    f_ab = f_ab.reshape(d, 1, n)
    f_a, f_b = f_a[None], f_b[None]

    def indices(rows: np.ndarray) -> np.ndarray:
        res = stats.sobol_indices(func={"f_A": f_a[:, rows], "f_B": f_b[:, rows], "f_AB": f_ab[..., rows]}, n=n)
        return np.concatenate([np.atleast_1d(res.first_order), np.atleast_1d(res.total_order)])

    point = indices(np.arange(n))
    boot = stats.bootstrap((np.arange(n),), indices, n_resamples=n_resamples, confidence_level=confidence_level,
                           method="percentile", vectorized=False, **{_BOOTSTRAP_RNG_ARG: rng})
    lo, hi = boot.confidence_interval.low, boot.confidence_interval.high
    return point[:d], point[d:], (lo[:d], hi[:d]), (lo[d:], hi[d:])
