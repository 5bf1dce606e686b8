"""Value of information: what learning an input before choosing a strategy is worth.

The decision is "which strategy": the lowest net present cost (NPC) wins, so a strategy's net
benefit is NB_d = -NPC_d. Deciding now picks the strategy best on average, d* = argmax_d E[NB_d].

- **EVPI** (expected value of perfect information) = E[max_d NB_d] - max_d E[NB_d]: the most it is
  worth paying to learn everything before deciding. It is also the expected regret of d*, the
  mean over futures of max_d NB_d - NB_d*; its Monte Carlo standard error is that regret's
  sd / sqrt(n).
- **EVPPI** (partial EVPI) of an input X = E_X[max_d E[NB_d | X]] - max_d E[NB_d]: the most it is
  worth paying to learn X alone (a pilot, a quote, a benchmark) before deciding.

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
bias (see :func:`_interval`). The bootstrap treats samples as independent; with Latin hypercube
or Sobol samples its intervals are conservative.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import product

import numpy as np
import pandas as pd
from numpy.polynomial import legendre
from scipy.stats import rankdata

from ftrag_mc.scenario import describe_input
from ftrag_mc.schema import did_you_mean
from ftrag_mc.formats import format_share, format_usd
from ftrag_mc.simulate import SimulationResult

__all__ = [
    "EvpiEstimate",
    "EvppiEstimate",
    "evpi_from_net_benefit",
    "evppi_from_samples",
    "compute_evpi",
    "compute_evppi",
    "describe_voi",
    "describe_input",
    "ZERO_USD",
]

TAIL = 0.05
"""CVaR95 of regret: the mean over the worst 5 % of futures."""
CONFIDENCE = 0.95
_Z95 = 1.959963984540054  # normal quantile of the two-sided 95 % interval
POLYNOMIAL_DEGREE = 4
"""Total degree of the regression estimator's polynomial in the members' ranks."""
MAX_GROUP = 3
NOISE_REPLICATES = 20
"""Pure-noise inputs averaged into each noise floor."""
_CHUNK_ELEMENTS = 4_000_000  # bootstrap weights held at once (R x n float64: 32 MB)


# --- the estimators on arrays ------------------------------------------------------------------


@dataclass(frozen=True)
class EvpiEstimate:
    """EVPI and the regret of each decision, from per-sample net benefits.

    Attributes
    ----------
    evpi, evpi_se
        EVPI and its Monte Carlo standard error, currency.
    optimal
        Index of the decision best on average (the earliest on a tie).
    expected_net_benefit, expected_net_benefit_se
        (D,) mean net benefit of each decision and its standard error.
    p_best
        (D,) share of samples in which each decision has the highest net benefit (a tie goes to the
        earlier decision, so the shares sum to 1).
    expected_regret, expected_regret_se
        (D,) mean of max_d' NB_d' - NB_d and its standard error; ``expected_regret[optimal] == evpi``.
    cvar95_regret
        (D,) mean regret over the worst 5 % of samples.
    n_samples
        Number of samples.
    """

    evpi: float
    evpi_se: float
    optimal: int
    expected_net_benefit: np.ndarray
    expected_net_benefit_se: np.ndarray
    p_best: np.ndarray
    expected_regret: np.ndarray
    expected_regret_se: np.ndarray
    cvar95_regret: np.ndarray
    n_samples: int


@dataclass(frozen=True)
class EvppiEstimate:
    """One EVPPI estimate with its bootstrap interval and the estimator's noise floor.

    Attributes
    ----------
    evppi
        The estimate, currency.
    low, high
        95 % bootstrap interval: the percentile interval moved so its median sits on ``evppi``
        (see :func:`_interval`); equal to ``evppi`` without bootstrap.
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


def _as_net_benefit(nb: np.ndarray) -> np.ndarray:
    nb = np.asarray(nb, dtype=np.float64)
    if nb.ndim != 2 or nb.shape[1] < 2:
        raise ValueError(f"net benefit must be (n_samples, n_decisions >= 2), not shape {nb.shape}")
    if nb.shape[0] < 2:
        raise ValueError(f"need at least 2 samples, got {nb.shape[0]}")
    if not np.all(np.isfinite(nb)):
        raise ValueError("net benefit holds NaN or infinite values")
    return nb


def _upper_tail_mean(x: np.ndarray, tail: float = TAIL) -> np.ndarray:
    """Mean of the largest ``tail`` share of each column (fractional sample at the edge)."""
    n = x.shape[0]
    k = tail * n
    whole = int(math.floor(k))
    s = -np.sort(-x, axis=0)
    total = s[:whole].sum(axis=0)
    if whole < n and k > whole:
        total = total + (k - whole) * s[whole]
    return total / k


def evpi_from_net_benefit(nb: np.ndarray) -> EvpiEstimate:
    """EVPI and per-decision regret from per-sample net benefits.

    Parameters
    ----------
    nb
        (n_samples, n_decisions) float64 net benefit, currency (for costs: minus the NPC).

    Returns
    -------
    EvpiEstimate

    Raises
    ------
    ValueError
        If ``nb`` is not 2-D with at least two decisions and two samples, or is not finite.
    """
    nb = _as_net_benefit(nb)
    n, d = nb.shape
    mean = nb.mean(axis=0)
    optimal = int(np.argmax(mean))
    best = nb.max(axis=1)
    regret = best[:, None] - nb
    regret_se = regret.std(axis=0, ddof=1) / math.sqrt(n)
    p_best = np.bincount(np.argmax(nb, axis=1), minlength=d) / n
    expected_regret = regret.mean(axis=0)
    return EvpiEstimate(
        evpi=float(expected_regret[optimal]), evpi_se=float(regret_se[optimal]), optimal=optimal,
        expected_net_benefit=mean, expected_net_benefit_se=nb.std(axis=0, ddof=1) / math.sqrt(n),
        p_best=p_best, expected_regret=expected_regret, expected_regret_se=regret_se,
        cvar95_regret=_upper_tail_mean(regret), n_samples=n)


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


def _standardise(v: np.ndarray) -> np.ndarray:
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
    z = [_standardise(x[:, k]) for k in range(g)]
    for k in range(g):
        columns += [z[k], _standardise(z[k] ** 2)]
        columns += [_standardise(z[k] * z[m]) for m in range(k + 1, g)]
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


def _interval(value: float, boot: np.ndarray) -> tuple[float, float]:
    """The bootstrap percentile interval, moved so its median sits on the estimate.

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
    nb = _as_net_benefit(nb)
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
    low, high = _interval(value, np.concatenate(boot) if boot else np.empty(0))
    floor, noise_p95 = _noise(estimator, inc, rng)
    return EvppiEstimate(evppi=value, low=low, high=high, noise_floor=floor, noise_p95=noise_p95,
                         method=estimator.label, bootstrap=int(bootstrap))


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# --- money in words --------------------------------------------------------------------------


def _money(amount: float, currency: str = "USD") -> str:
    return format_usd(amount, currency) if math.isfinite(float(amount)) else "n/a"


# --- result-level analyses ---------------------------------------------------------------------


def _decision(result: SimulationResult, horizon: int | None, strategies: Sequence[str] | None
              ) -> tuple[np.ndarray, list[str], int]:
    """Net benefit (n, D) = -NPC at ``horizon`` months for the chosen strategies."""
    h = result.horizon_months if horizon is None else int(horizon)
    if not 1 <= h <= result.horizon_months:
        raise ValueError(f"horizon must be between 1 and {result.horizon_months} months, not {horizon}")
    chosen = list(result.strategies) if strategies is None else list(dict.fromkeys(strategies))
    for s in chosen:
        if s not in result.strategies:
            raise ValueError(f"unknown strategy {s!r}{did_you_mean(s, result.strategies)} "
                             f"(strategies: {', '.join(result.strategies)})")
    if len(chosen) < 2:
        raise ValueError(f"a decision needs at least two strategies, got {chosen}")
    if result.samples is None:
        raise ValueError("value of information needs the per-sample costs: "
                         "simulate(..., keep_samples=True)")
    npc = result.cumulative_usd[:, [result.index(s) for s in chosen], h]
    return -npc, chosen, h


def compute_evpi(result: SimulationResult, *, horizon: int | None = None,
                 strategies: Sequence[str] | None = None) -> pd.DataFrame:
    """EVPI of choosing the cheapest strategy, and each strategy's regret.

    Parameters
    ----------
    result
        A run with ``keep_samples=True``.
    horizon
        Months over which the net present cost is counted; default the scenario's horizon.
    strategies
        The options compared (at least two); default all. A pair (e.g. baseline vs a challenger)
        gives that pair's EVPI.

    Returns
    -------
    DataFrame, one row per strategy in the order given: strategy, label, expected_npc_usd,
    expected_npc_se_usd, p_best (share of futures in which it is cheapest; ties go to the earlier),
    expected_regret_usd and expected_regret_se_usd (mean extra cost over the cheapest option in each
    future), expected_regret_low_usd and expected_regret_high_usd (its 95 % interval, normal
    approximation), cvar95_regret_usd (that extra cost averaged over the worst 5 % of futures), is_optimal
    (cheapest on average: the choice made without more information), evpi_usd and evpi_se_usd (the
    same on every row: the optimal strategy's expected regret), horizon_months, samples.
    """
    nb, chosen, h = _decision(result, horizon, strategies)
    est = evpi_from_net_benefit(nb)
    return pd.DataFrame({
        "strategy": chosen,
        "label": [result.scenario.label(s) for s in chosen],
        "expected_npc_usd": -est.expected_net_benefit,
        "expected_npc_se_usd": est.expected_net_benefit_se,
        "p_best": est.p_best,
        "expected_regret_usd": est.expected_regret,
        "expected_regret_se_usd": est.expected_regret_se,
        "expected_regret_low_usd": np.maximum(est.expected_regret - _Z95 * est.expected_regret_se, 0.0),
        "expected_regret_high_usd": est.expected_regret + _Z95 * est.expected_regret_se,
        "cvar95_regret_usd": est.cvar95_regret,
        "is_optimal": np.arange(len(chosen)) == est.optimal,
        "evpi_usd": est.evpi,
        "evpi_se_usd": est.evpi_se,
        "horizon_months": h,
        "samples": est.n_samples,
    })


def _resolve_input(name: str, known: Sequence[str]) -> str:
    if name in known:
        return name
    if f"inputs.{name}" in known:
        return f"inputs.{name}"
    raise ValueError(f"{name!r} is not an uncertain input of this run{did_you_mean(name, known)} "
                     f"(uncertain inputs: {', '.join(known)})")


def _correlation_note(scenario, members: Sequence[str]) -> str:
    corr = scenario.correlation
    if corr is None:
        return ""
    partners = []
    for m in members:
        if m not in corr.names:
            continue
        i = corr.names.index(m)
        for j, other in enumerate(corr.names):
            rho = float(corr.matrix[i, j])
            if other not in members and rho != 0 and other not in [p for p, _ in partners]:
                partners.append((other, rho))
    if not partners:
        return ""
    said = _and([f"{describe_input(scenario, p)} (rank correlation {rho:+.2f})" for p, rho in partners])
    return (f"correlated with {said}: this value includes what learning it reveals about "
            f"{'that input' if len(partners) == 1 else 'those inputs'}")


ZERO_USD = 0.5
"""An EVPPI below half a currency unit is reported as worth nothing: it would not change the choice."""


def _sentence(description: str, evppi: float, low: float, high: float, noise_p95: float, h: int,
              currency: str) -> str:
    subject = f"Knowing {description} before deciding"
    if evppi < ZERO_USD:
        return (f"{subject} is worth nothing over {h} months: whatever it turns out to be, the same "
                f"strategy stays best on average")
    if evppi <= noise_p95:
        return (f"{subject} is worth next to nothing over {h} months ({_money(evppi, currency)}, "
                f"within the estimator's noise: pure noise scores up to {_money(noise_p95, currency)})")
    return (f"{subject} is worth up to {_money(evppi, currency)} over {h} months "
            f"(95 % interval {_money(low, currency)}-{_money(high, currency)})")


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
        As in :func:`compute_evpi`.
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
    is indistinguishable from no information), share_of_evpi, evpi_usd, sentence, note (correlated
    partners, whose information the EVPPI includes), horizon_months, samples, bootstrap.
    """
    _check_method(method)
    bootstrap = _check_bootstrap(bootstrap)
    nb, _, h = _decision(result, horizon, strategies)
    scenario = result.scenario
    known = [k for k in scenario.inputs if k in result.inputs]
    names = known if inputs is None else [_resolve_input(k, known) for k in inputs]
    rows: list[tuple[str, ...]] = [(k,) for k in dict.fromkeys(names)]
    for group in groups:
        members = tuple(dict.fromkeys(_resolve_input(k, known) for k in group))
        if not 2 <= len(members) <= MAX_GROUP:
            raise ValueError(f"a group holds 2 to {MAX_GROUP} distinct inputs, not {list(group)}")
        rows.append(members)
    if not rows:
        raise ValueError("nothing to estimate: give inputs or groups")

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

    currency = scenario.meta.currency
    records = []
    for members, e, boot in zip(rows, estimators, boots):
        value = float(e()[0])
        low, high = _interval(value, np.concatenate(boot) if boot else np.empty(0))
        floor, noise_p95 = _noise(e, inc, rng)
        description = _and([describe_input(scenario, m) for m in members])
        if len(members) > 1:
            description += " together"
        records.append({
            "input": " + ".join(members),
            "description": description,
            "distribution": "; ".join(scenario.inputs[m].describe() for m in members),
            "members": members,
            "method": e.label,
            "evppi_usd": value,
            "evppi_low_usd": low,
            "evppi_high_usd": high,
            "noise_floor_usd": floor,
            "noise_p95_usd": noise_p95,
            "share_of_evpi": value / evpi if evpi > 0 else 0.0,
            "evpi_usd": evpi,
            "sentence": _sentence(description, value, low, high, noise_p95, h, currency),
            "note": _correlation_note(scenario, members),
            "horizon_months": h,
            "samples": n,
            "bootstrap": int(bootstrap),
        })
    frame = pd.DataFrame(records)
    return frame.sort_values("evppi_usd", ascending=False, kind="stable").reset_index(drop=True)


def describe_voi(evpi_frame: pd.DataFrame, evppi_frame: pd.DataFrame | None = None, *, top: int = 3,
                 currency: str = "USD") -> list[str]:
    """Plain sentences for the terminal and the report: EVPI, then the inputs most worth learning.

    Parameters
    ----------
    evpi_frame
        From :func:`compute_evpi`.
    evppi_frame
        From :func:`compute_evppi`, or None.
    top
        How many inputs to name.
    currency
        ISO code for the amounts (``scenario.meta.currency``).
    """
    optimal = evpi_frame[evpi_frame["is_optimal"]].iloc[0]
    h = int(optimal["horizon_months"])
    evpi, se = float(optimal["evpi_usd"]), float(optimal["evpi_se_usd"])
    lines = [
        f"Deciding now, {optimal['label']} is the best choice on average (cheapest in "
        f"{format_share(optimal['p_best'])} of futures, over {h} months).",
        f"Perfect information before deciding would be worth {_money(evpi, currency)} "
        f"(± {_money(se, currency)}): the expected regret of that choice against hindsight; in the "
        f"worst 5 % of futures the regret averages {_money(optimal['cvar95_regret_usd'], currency)}.",
    ]
    if evppi_frame is None or not len(evppi_frame) or top <= 0:
        return lines
    informative = evppi_frame[(evppi_frame["evppi_usd"] >= ZERO_USD)
                              & (evppi_frame["evppi_usd"] > evppi_frame["noise_p95_usd"])]
    shown = informative.head(top)
    for row in shown.itertuples():
        lines.append(f"{row.sentence}{'; ' + row.note if row.note else ''}.")
    rest = evppi_frame.drop(index=shown.index)
    if not len(rest):
        return lines
    what = "input or group" if len(rest) == 1 else "inputs and groups"
    if not (rest["members"].map(len) > 1).any():
        what = "input" if len(rest) == 1 else "inputs"
    if float(rest["evppi_usd"].max()) < ZERO_USD:
        lines.append(f"Learning any one of the {'other ' if len(shown) else ''}{len(rest)} {what} "
                     f"before deciding would not change the choice.")
    else:
        lines.append(f"Each of the {'other ' if len(shown) else ''}{len(rest)} {what} is worth at most "
                     f"{_money(float(rest['evppi_usd'].max()), currency)} to learn first (pure noise "
                     f"scores up to {_money(float(rest['noise_p95_usd'].max()), currency)}).")
    return lines
