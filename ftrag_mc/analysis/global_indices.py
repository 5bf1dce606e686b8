"""Global sensitivity: how much each input drives ΔNPC over its whole range, by rank correlations
(Spearman, PRCC) on a sampled run and Sobol indices with bootstrap intervals on a design of their own.

The comparison and the model's evaluation are :mod:`ftrag_mc.analysis.question`'s.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats import qmc

from ftrag_mc.analysis.inputs import correlated_partners, correlated_with, input_label
from ftrag_mc.analysis.question import (
    CHUNK_SAMPLES, Question, delta_usd, resolve_question, sample_delta, sampled_run,
)
from ftrag_mc.sampling import U_MAX, U_MIN
from ftrag_mc.scenario import Scenario
from ftrag_mc.simulate import SimulationResult

__all__ = ["CONFIDENCE", "SOBOL_SAMPLES", "compute_global"]

SOBOL_SAMPLES = 2**12
"""Base samples of the Sobol design: n (d + 2) model evaluations for d inputs."""
CONFIDENCE = 0.95

_SOBOL_COLUMNS = ("sobol_first", "sobol_first_low", "sobol_first_high", "sobol_total", "sobol_total_low",
                  "sobol_total_high")
_QMC_RNG_ARG = "rng" if "rng" in inspect.signature(qmc.Sobol).parameters else "seed"
_BOOTSTRAP_RNG_ARG = "rng" if "rng" in inspect.signature(stats.bootstrap).parameters else "random_state"


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
        As in :func:`~ftrag_mc.analysis.tornado.compute_tornado` (default: the strongest challenger
        against the scenario's baseline, at the scenario's horizon and volume).
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
        :func:`~ftrag_mc.analysis.tornado.compute_tornado`.

    Notes
    -----
    Indices are estimates: a first-order index of an input without effect may come out slightly
    negative, and one near the total slightly above it; the intervals say how far to trust them.
    """
    n_sobol = _check_design(sobol, sobol_samples, confidence_level)
    scenario = result.scenario
    result = sampled_run(scenario, result)
    q = resolve_question(scenario, result, challenger, baseline, horizon, volume)
    names = list(scenario.uncertain_inputs)
    y = sample_delta(scenario, result, q)
    x = np.column_stack([result.inputs[name] for name in names]) if names else np.empty((len(y), 0))
    spearman, prcc = _rank_correlations(x, y)
    # Without Sobol (or inputs), NaN in those columns.
    measures = {"spearman": spearman, "prcc": prcc, **dict.fromkeys(_SOBOL_COLUMNS, np.full(len(names), math.nan))}
    if sobol and names:
        rng = np.random.default_rng(result.seed if seed is None else seed)
        measures.update(_sobol(scenario, names, q, n_sobol, rng, confidence_level, n_resamples))
    design = {"samples": result.n_samples, "sobol_base_samples": n_sobol if sobol else 0,
              "sobol_evaluations": n_sobol * (len(names) + 2) if sobol else 0, "confidence_level": confidence_level}
    rows = [{**q.columns(scenario), "input": name, "label": input_label(scenario, name),
             "description": scenario.inputs[name].describe(), **{k: v[i] for k, v in measures.items()}, **design,
             "assumption_note": _note(scenario, name)} for i, name in enumerate(names)]
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    key = frame["sobol_total"] if sobol else frame["spearman"].abs()
    order = np.argsort(-key.fillna(-np.inf).to_numpy(), kind="mergesort")
    return frame.iloc[order].reset_index(drop=True)


def _check_design(sobol: bool, sobol_samples: int, confidence_level: float) -> int:
    """The Sobol design's base samples, checked with the confidence level."""
    n_sobol = int(sobol_samples)
    if sobol and (n_sobol < 2 or n_sobol & (n_sobol - 1) or n_sobol != sobol_samples):
        raise ValueError(f"sobol_samples must be a power of two, at least 2 (got {sobol_samples})")
    if not 0 < confidence_level < 1:
        raise ValueError(f"confidence_level must lie between 0 and 1 (got {confidence_level})")
    return n_sobol


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


def _sobol(scenario: Scenario, names: list[str], q: Question, n: int, rng: np.random.Generator,
           confidence_level: float, n_resamples: int):
    """First and total Sobol indices of ``names`` on ΔNPC, with percentile-bootstrap intervals:
    :data:`_SOBOL_COLUMNS` -> (d,) arrays."""
    d = len(names)
    dists = [scenario.inputs[name] for name in names]
    u = qmc.Sobol(d=2 * d, scramble=True, **{_QMC_RNG_ARG: rng}).random(n)  # (n, 2d)
    np.clip(u, U_MIN, U_MAX, out=u)
    a = np.stack([dist.ppf(u[:, i]) for i, dist in enumerate(dists)])  # (d, n)
    b = np.stack([dist.ppf(u[:, d + i]) for i, dist in enumerate(dists)])
    f_a = delta_usd(scenario, dict(zip(names, a)), n, q)
    f_b = delta_usd(scenario, dict(zip(names, b)), n, q)
    # A with input i's column from B, for every i: d n evaluations, built chunk by chunk.
    f_ab = np.empty(d * n)
    for start in range(0, d * n, CHUNK_SAMPLES):
        j = np.arange(start, min(start + CHUNK_SAMPLES, d * n))
        which, k = j // n, j % n
        cols = a[:, k]
        cols[which, np.arange(len(j))] = b[which, k]
        f_ab[j] = delta_usd(scenario, dict(zip(names, cols)), len(j), q)
    f_ab = f_ab.reshape(d, 1, n)
    f_a, f_b = f_a[None], f_b[None]

    def indices(rows: np.ndarray) -> np.ndarray:
        res = stats.sobol_indices(func={"f_A": f_a[:, rows], "f_B": f_b[:, rows], "f_AB": f_ab[..., rows]}, n=n)
        return np.concatenate([np.atleast_1d(res.first_order), np.atleast_1d(res.total_order)])

    point = indices(np.arange(n))
    boot = stats.bootstrap((np.arange(n),), indices, n_resamples=n_resamples, confidence_level=confidence_level,
                           method="percentile", vectorized=False, **{_BOOTSTRAP_RNG_ARG: rng})
    lo, hi = boot.confidence_interval.low, boot.confidence_interval.high
    return dict(zip(_SOBOL_COLUMNS, (point[:d], lo[:d], hi[:d], point[d:], lo[d:], hi[d:])))


def _note(scenario: Scenario, name: str) -> str:
    """What an input's correlation does to each measure; "" for an input ``[correlation]`` leaves alone."""
    partners = correlated_partners(scenario, [name])
    if not partners:
        return ""
    return (f"correlated with {correlated_with(scenario, partners)}: Sobol indices assume independent "
            "inputs (computed with the inputs drawn independently); Spearman mixes in the "
            "partner's effect, PRCC holds the other inputs fixed and so largely removes it")
