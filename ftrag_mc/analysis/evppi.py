"""The expected value of partial perfect information (EVPPI): what learning one input (or a small
group) before choosing a strategy is worth.

EVPPI of an input X = E_X[max_d E[NB_d | X]] - max_d E[NB_d] (net benefit NB_d = -NPC_d, as in
:mod:`ftrag_mc.analysis.evpi`): the most it is worth paying to learn X alone (a pilot, a quote, a
benchmark) before deciding.

EVPPI estimators, all on the samples a run kept (``simulate(..., keep_samples=True)``):

- one input, ``method="sort"``: Sadatsafavi et al. (2013), *Need for speed: an efficient algorithm
  for calculation of single-parameter expected value of partial perfect information*, Value in
  Health 16(2). Sort the samples by X, cut them into ~sqrt(n) equal-count bins and take
  E[NB_d | X] as each bin's mean.
- a group of 2-3 inputs (and one input with ``method="regression"``): the regression estimator of
  Strong, Oakley & Brennan (2014), Med Decis Making 34(3), least squares in numpy in place of
  their GAM, on Legendre polynomials of total degree 4 in the members' ranks plus their
  standardised values, squares and pairwise products (so linear and multiplicative effects reach
  into long tails, where a polynomial of the ranks alone falls short). Each decision's net
  benefit over the first is regressed on the basis; the fitted values stand for
  E[NB_d - NB_0 | X].

Both are biased upwards at finite n: noise in a bin mean or a fitted value looks like information
(a mean of maxima exceeds the max of means). For the sorting method and an input that carries no
information the bias is sigma * (1/sqrt(2 pi m) - 1/sqrt(2 pi n)) at a tied decision (sigma: sd of
the net benefit difference, m = n / bins): ~8 % of the EVPI at n = 20,000, shrinking as n^(-1/4).
So each row carries what the same estimator gives pure noise with the input's distribution (its
samples shuffled against the net benefits): ``noise_floor_usd`` (mean: the bias when the input is
uninformative; an informative input's bias is smaller, so subtracting it over-corrects) and
``noise_p95_usd`` (an EVPPI at or below it is indistinguishable from no information). The
regression's bias is smaller (it grows with the number of terms, not the bins), but it can miss
sharp steps in E[NB | X] (e.g. the count of retrains jumping with the cadence), which biases it
downwards. Monte Carlo error: a bootstrap over samples, the same resamples for every row; its
percentile interval is moved to sit on the estimate, since resampling itself adds noise, hence
bias (see :func:`interval_on_estimate`). The bootstrap treats samples as independent; with Latin hypercube
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import product
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.polynomial import legendre
from scipy.stats import rankdata

from ftrag_mc.analysis.evpi import as_net_benefit, decision_net_benefit, evpi_from_net_benefit
from ftrag_mc.errors import did_you_mean
from ftrag_mc.scenario import describe_input

if TYPE_CHECKING:
    from ftrag_mc.simulate import SimulationResult

__all__ = [
    "EvppiEstimate", "MAX_GROUP", "ZERO_USD", "compute_evppi", "evppi_from_samples", "interval_on_estimate",
    "standardise",
]

CONFIDENCE = 0.95
POLYNOMIAL_DEGREE = 4
"""Total degree of the regression estimator's polynomial in the members' ranks."""
MAX_GROUP = 3
NOISE_REPLICATES = 20
"""Pure-noise inputs averaged into each noise floor."""
_CHUNK_ELEMENTS = 4_000_000  # bootstrap weights held at once (R x n float64: 32 MB)
ZERO_USD = 0.5
"""An EVPPI below half a currency unit is reported as worth nothing: it would not change the choice."""


# --- the estimators on arrays ------------------------------------------------------------------


@dataclass(frozen=True)
class EvppiEstimate:
    """One EVPPI estimate with its bootstrap interval and the estimator's noise floor.

    Attributes
    ----------
    evppi
        The estimate, currency.
    low, high
        95 % bootstrap interval: the percentile interval moved so its median sits on ``evppi``
        (see :func:`interval_on_estimate`); equal to ``evppi`` without bootstrap.
    noise_floor, noise_p95
        Mean and 95th percentile of the estimate for pure noise with the input's distribution
        (its samples shuffled against the net benefits): the estimator's upward bias when the
        input carries no information, and the level such an input stays below 95 % of the time.
    method
        What was computed, e.g. ``"sort, 141 bins"`` or ``"regression, 20-term basis of ranks and values"``.
    bootstrap
        Number of bootstrap resamples.
    """

    evppi: float
    low: float
    high: float
    noise_floor: float
    noise_p95: float
    method: str
    bootstrap: int


class _SortEstimator:
    """Sadatsafavi et al. (2013): equal-count bins of the sorted input, E[NB | bin] by bin means.

    The bins are fixed by the original sample (a partition of the input's range); a bootstrap
    resample reweights the samples inside them. An input with no more distinct values than bins
    (a ``choice``) gets one bin per value, which is exact.
    """

    def __init__(self, x: np.ndarray, inc: np.ndarray, bins: int):
        n = x.shape[0]
        order = np.argsort(x, kind="stable")
        xs = x[order]
        change = np.flatnonzero(xs[1:] != xs[:-1]) + 1
        if change.size + 1 <= bins:
            starts = np.concatenate([[0], change])
        else:
            starts = np.unique((np.arange(bins) * n) // bins)
        self.order = order
        self.starts = starts
        self.inc = inc
        self.label = f"sort, {starts.size} bins"

    def __call__(self, weights: np.ndarray | None = None, inc: np.ndarray | None = None) -> np.ndarray:
        """EVPPI for each row of ``weights`` (R, n) (sample weights, original order; None: all 1)
        with ``inc`` (n, D) incremental net benefit (original order; None: the estimator's)."""
        inc = (self.inc if inc is None else inc)[self.order]
        n = inc.shape[0]
        w = np.ones((1, n)) if weights is None else weights[:, self.order]
        total = w.sum(axis=1)
        best_in_bins = np.zeros((w.shape[0], self.starts.size))  # decision 0: incremental NB 0
        overall = np.zeros(w.shape[0])
        for j in range(1, inc.shape[1]):
            sums = np.add.reduceat(w * inc[:, j], self.starts, axis=1)
            np.maximum(best_in_bins, sums, out=best_in_bins)
            overall = np.maximum(overall, sums.sum(axis=1))
        # Exact arithmetic gives >= 0 (a max of means never exceeds the mean of maxima); clip the
        # rounding of equal strategies.
        return np.maximum((best_in_bins.sum(axis=1) - overall) / total, 0.0)


def standardise(v: np.ndarray) -> np.ndarray:
    """``v`` minus its mean over its standard deviation; zeros for a constant ``v``."""
    sd = v.std()
    return (v - v.mean()) / sd if sd > 0 else np.zeros_like(v)


def _basis(x: np.ndarray, degree: int = POLYNOMIAL_DEGREE) -> np.ndarray:
    """(n, p) regressors for E[NB | x]: Legendre polynomials of total degree <= ``degree`` in the
    columns' ranks (mapped to [-1, 1]), plus the standardised values, their squares and pairwise
    products, which follow linear and multiplicative effects into long tails (where a polynomial
    of the ranks cannot)."""
    n, g = x.shape
    u = [(rankdata(x[:, k]) - 0.5) / n * 2 - 1 for k in range(g)]
    vander = [legendre.legvander(uk, degree) for uk in u]
    columns = []
    for powers in product(range(degree + 1), repeat=g):
        if sum(powers) <= degree:
            col = np.ones(n)
            for k, p in enumerate(powers):
                if p:
                    col = col * vander[k][:, p]
            columns.append(col)
    z = [standardise(x[:, k]) for k in range(g)]
    for k in range(g):
        columns += [z[k], standardise(z[k] ** 2)]
        columns += [standardise(z[k] * z[m]) for m in range(k + 1, g)]
    return np.column_stack(columns)


class _RegressionEstimator:
    """Strong, Oakley & Brennan (2014), least squares on :func:`_basis` in place of their GAM."""

    def __init__(self, x: np.ndarray, inc: np.ndarray, degree: int = POLYNOMIAL_DEGREE):
        self.basis = _basis(x, degree)
        self.inc = inc
        self.label = f"regression, {self.basis.shape[1]}-term basis of ranks and values"

    def _value(self, w: np.ndarray, fitted: np.ndarray) -> np.ndarray:
        """EVPPI from fitted incremental net benefits ``fitted`` (n, D - 1, k) under weights ``w``."""
        best = np.maximum(fitted.max(axis=1), 0.0).T @ w
        overall = np.maximum(np.tensordot(w, fitted, axes=(0, 0)).max(axis=0), 0.0)
        return np.maximum((best - overall) / w.sum(), 0.0)  # rounding of equal strategies

    def __call__(self, weights: np.ndarray | None = None, inc: np.ndarray | None = None) -> np.ndarray:
        """As :meth:`_SortEstimator.__call__`; ``inc`` may also be (n, D, k) for k fits at once."""
        inc = self.inc if inc is None else inc
        y = inc[:, 1:] if inc.ndim == 3 else inc[:, 1:, None]
        n, d1, k = y.shape
        flat = y.reshape(n, d1 * k)
        if weights is None:
            weights = np.ones((1, n))
        out = np.empty((weights.shape[0], k))
        for r, w in enumerate(weights):
            xw = self.basis * w[:, None]
            coef = np.linalg.lstsq(xw.T @ self.basis, xw.T @ flat, rcond=None)[0]
            fitted = (self.basis @ coef).reshape(n, d1, k)
            out[r] = self._value(w, fitted)
        return out[:, 0] if inc.ndim == 2 else out[0]


def _incremental(nb: np.ndarray) -> np.ndarray:
    """Net benefit over decision 0: EVPPI is unchanged and the common noise cancels."""
    return nb - nb[:, :1]


def _bins(n: int, bins: int | None) -> int:
    """Bins of the sorting method: round(sqrt(n)) unless given (Sadatsafavi et al.'s choice)."""
    if bins is None:
        return max(2, int(round(math.sqrt(n))))
    if int(bins) < 2:
        raise ValueError(f"bins must be at least 2, not {bins}")
    return int(bins)


def _check_bootstrap(bootstrap: int) -> int:
    if isinstance(bootstrap, bool) or int(bootstrap) != bootstrap or bootstrap < 0:
        raise ValueError(f"bootstrap must be a whole number >= 0, not {bootstrap!r}")
    return int(bootstrap)


def _make_estimator(x: np.ndarray, inc: np.ndarray, method: str, bins: int):
    if x.shape[1] == 1 and method == "sort":
        return _SortEstimator(x[:, 0], inc, bins)
    return _RegressionEstimator(x, inc)


def _bootstrap_weights(n: int, reps: int, rng: np.random.Generator) -> Iterable[np.ndarray]:
    """Multinomial resample counts, (r, n) float64 per chunk, ``reps`` rows in all."""
    chunk = max(1, _CHUNK_ELEMENTS // n)
    done = 0
    while done < reps:
        r = min(chunk, reps - done)
        w = np.empty((r, n))
        for i in range(r):
            w[i] = np.bincount(rng.integers(0, n, size=n), minlength=n)
        done += r
        yield w


def _noise(estimator, inc: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    """Mean and 95th percentile of the EVPPI of pure noise with the input's distribution (the
    samples' net benefits shuffled against the input): the estimator's upward bias when the
    input carries no information, and a level an uninformative input stays below 95 % of the time."""
    n = inc.shape[0]
    perms = [rng.permutation(n) for _ in range(NOISE_REPLICATES)]
    if isinstance(estimator, _RegressionEstimator):
        values = estimator(None, np.stack([inc[p] for p in perms], axis=2))
    else:
        values = np.array([estimator(None, inc[p])[0] for p in perms])
    return float(values.mean()), float(np.quantile(values, 0.95))


def interval_on_estimate(value: float, boot: np.ndarray) -> tuple[float, float]:
    """The 95 % bootstrap percentile interval of ``boot``, moved so its median sits on ``value``
    (and clipped at 0 below): ``(value, value)`` without resamples.

    Resampling with replacement duplicates samples, which adds noise to every bin mean or fitted
    value and so lifts the resampled EVPPIs above the estimate (for an uninformative input by
    ~40 % of the noise floor); the spread of the resamples measures the Monte Carlo error, their
    location does not.
    """
    if boot.size == 0:
        return value, value
    lo, mid, hi = np.quantile(boot, [(1 - CONFIDENCE) / 2, 0.5, (1 + CONFIDENCE) / 2])
    return max(0.0, float(value - (mid - lo))), float(value + (hi - mid))


def _check_method(method: str) -> None:
    if method not in ("sort", "regression"):
        raise ValueError(f"method must be 'sort' or 'regression', not {method!r}")


def evppi_from_samples(x: np.ndarray, nb: np.ndarray, *, method: str = "sort", bins: int | None = None,
                       bootstrap: int = 200, seed: int = 0) -> EvppiEstimate:
    """EVPPI of one input (or a group of inputs) from paired samples.

    Parameters
    ----------
    x
        (n_samples,) draws of one input, or (n_samples, g) draws of a group of g inputs.
    nb
        (n_samples, n_decisions) net benefit, currency, sample i drawn with ``x[i]``.
    method
        ``"sort"``: one input by sorting into equal-count bins (a group always by regression,
        sorting needs one dimension); ``"regression"``: everything by regression.
    bins
        Bins of the sort method; default round(sqrt(n)).
    bootstrap
        Bootstrap resamples for the interval; 0 for none.
    seed
        Seeds the bootstrap and the noise-floor shuffles.

    Returns
    -------
    EvppiEstimate
    """
    _check_method(method)
    nb = as_net_benefit(nb)
    n = nb.shape[0]
    x = np.asarray(x, dtype=np.float64)
    x = x[:, None] if x.ndim == 1 else x
    if x.ndim != 2 or x.shape[0] != n:
        raise ValueError(f"x must be (n_samples,) or (n_samples, g) with n_samples = {n}, "
                         f"not shape {x.shape}")
    bins = _bins(n, bins)
    bootstrap = _check_bootstrap(bootstrap)
    rng = np.random.default_rng(seed)
    inc = _incremental(nb)
    estimator = _make_estimator(x, inc, method, bins)
    value = float(estimator()[0])
    boot = [estimator(w) for w in _bootstrap_weights(n, bootstrap, rng)]
    low, high = interval_on_estimate(value, np.concatenate(boot) if boot else np.empty(0))
    floor, noise_p95 = _noise(estimator, inc, rng)
    return EvppiEstimate(evppi=value, low=low, high=high, noise_floor=floor, noise_p95=noise_p95,
                         method=estimator.label, bootstrap=int(bootstrap))


# --- from a run ----------------------------------------------------------------------------------


def _resolve_input(name: str, known: Sequence[str]) -> str:
    if name in known:
        return name
    if f"inputs.{name}" in known:
        return f"inputs.{name}"
    raise ValueError(f"{name!r} is not an uncertain input of this run{did_you_mean(name, known)} "
                     f"(uncertain inputs: {', '.join(known)})")


def _members(known: Sequence[str], inputs: Sequence[str] | None, groups: Sequence[Sequence[str]]
             ) -> list[tuple[str, ...]]:
    """The rows asked for: each input alone (default: every uncertain input), then each group."""
    names = known if inputs is None else [_resolve_input(k, known) for k in inputs]
    rows: list[tuple[str, ...]] = [(k,) for k in dict.fromkeys(names)]
    for group in groups:
        members = tuple(dict.fromkeys(_resolve_input(k, known) for k in group))
        if not 2 <= len(members) <= MAX_GROUP:
            raise ValueError(f"a group holds 2 to {MAX_GROUP} distinct inputs, not {list(group)}")
        rows.append(members)
    if not rows:
        raise ValueError("nothing to estimate: give inputs or groups")
    return rows


def compute_evppi(result: SimulationResult, *, inputs: Sequence[str] | None = None,
                  groups: Sequence[Sequence[str]] = (), horizon: int | None = None,
                  strategies: Sequence[str] | None = None, method: str = "sort",
                  bins: int | None = None, bootstrap: int = 200, seed: int | None = None
                  ) -> pd.DataFrame:
    """EVPPI of each uncertain input, and of small groups learnt together, ranked.

    Parameters
    ----------
    result
        A run with ``keep_samples=True``.
    inputs
        Input names (the keys of ``scenario.inputs``; ``x`` stands for ``inputs.x``); default
        every uncertain input. ``[]`` for groups only.
    groups
        Groups of 2-3 inputs learnt together, e.g. ``[("few_shot_error_rate", "tuned_error_rate")]``.
    horizon, strategies
        As in :func:`~ftrag_mc.analysis.evpi.compute_evpi`.
    method
        ``"sort"`` (default): one input by the sorting method of Sadatsafavi et al. (2013), groups
        by regression; ``"regression"``: every row by regression (Strong et al. 2014; the basis is
        in the module docstring).
    bins
        Bins of the sorting method; default round(sqrt(samples)).
    bootstrap
        Bootstrap resamples for the intervals (the same resamples for every row); 0 for none.
    seed
        Seeds the bootstrap and the noise-floor inputs; default the run's seed.

    Returns
    -------
    DataFrame, one row per input or group, largest EVPPI first: input (the name, or ``"a + b"``),
    description (plain words), distribution, members (tuple of names), method, evppi_usd,
    evppi_low_usd and evppi_high_usd (95 % bootstrap interval of the Monte Carlo error),
    noise_floor_usd and noise_p95_usd (mean and 95th percentile of the estimate for pure noise with
    the input's distribution: the estimator's upward bias, and the level below which an estimate
    is indistinguishable from no information), share_of_evpi, evpi_usd, horizon_months, samples,
    bootstrap. Each row in words (and the partners of a correlated input, whose information the
    EVPPI includes) is the report's: :func:`ftrag_mc.report.voi_words.add_evppi_words`.
    """
    _check_method(method)
    bootstrap = _check_bootstrap(bootstrap)
    nb, _, h = decision_net_benefit(result, horizon, strategies)
    scenario = result.scenario
    rows = _members([k for k in scenario.inputs if k in result.inputs], inputs, groups)
    n = nb.shape[0]
    bins = _bins(n, bins)
    inc = _incremental(nb)
    evpi = evpi_from_net_benefit(nb).evpi
    rng = np.random.default_rng([result.seed if seed is None else int(seed), 0x701])
    estimators = [_make_estimator(np.column_stack([result.inputs[m] for m in members]), inc, method, bins)
                  for members in rows]
    boots: list[list[np.ndarray]] = [[] for _ in rows]
    for w in _bootstrap_weights(n, bootstrap, rng):  # the same resamples for every row
        for i, e in enumerate(estimators):
            boots[i].append(e(w))

    records = []
    for members, e, boot in zip(rows, estimators, boots):
        value = float(e()[0])
        low, high = interval_on_estimate(value, np.concatenate(boot) if boot else np.empty(0))
        floor, noise_p95 = _noise(e, inc, rng)
        description = _and([describe_input(scenario, m) for m in members])
        records.append({
            "input": " + ".join(members),
            "description": description + (" together" if len(members) > 1 else ""),
            "distribution": "; ".join(scenario.inputs[m].describe() for m in members),
            "members": members, "method": e.label, "evppi_usd": value, "evppi_low_usd": low,
            "evppi_high_usd": high, "noise_floor_usd": floor, "noise_p95_usd": noise_p95,
            "share_of_evpi": value / evpi if evpi > 0 else 0.0, "evpi_usd": evpi,
            "horizon_months": h, "samples": n, "bootstrap": int(bootstrap),
        })
    frame = pd.DataFrame(records)
    return frame.sort_values("evppi_usd", ascending=False, kind="stable").reset_index(drop=True)


def _and(items: Sequence[str]) -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"``: a group's members in one label."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
