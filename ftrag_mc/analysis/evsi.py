"""Expected value of sample information: what a real eval or pilot of n items is worth, and its best size.

The decision is "which strategy", net benefit NB_d = -NPC_d, as in :mod:`ftrag_mc.analysis.evpi`.
A study of n items on an input θ returns data X; deciding after it is worth

    EVSI(n) = E_X[max_d E[NB_d | X]] - max_d E[NB_d],

0 at n = 0, rising in n, below EVPPI(θ) (perfect knowledge of θ) and tending to it as n grows.
The expected net benefit of sampling is ENBS(n) = EVSI(n) - cost(n), with
cost(n) = fixed + item · n for n > 0 and 0 at n = 0; the best size maximises it (n = 0, no study,
when no size pays).

Exact answers, for two decisions whose incremental net benefit is linear in θ,
ΔNB(θ) = a + b θ (:func:`evsi_normal_exact`, :func:`evsi_beta_binomial_exact`): the posterior mean
of ΔNB is then M = a + b E[θ | X], with E[M] = a + b E[θ] = μ, and EVSI = E[max(M, 0)] - max(μ, 0)
= E[max(-sign(μ) M, 0)] (sign(0) = +1), a mean of non-negative terms, computed in that form so it
never subtracts two nearly equal numbers.

The estimator on a run's samples (:func:`compute_evsi`) is the regression method of Strong,
Oakley, Brennan & Breeze (2015), *Estimating the expected value of sample information using the
probabilistic sensitivity analysis sample: a fast nonparametric regression-based method*, Med
Decis Making 35(5):570-583. For each sample i, simulate one dataset X_i ~ p(X | θ_i), reduce it to
a summary statistic T_i (the count of successes, or the sample mean, both sufficient for θ under
their data model), regress each decision's net benefit over the first on T and take the fitted
values for E[ΔNB_d | T]; EVSI = mean_i max_d fitted - max_d mean fitted. The smoother is least
squares in numpy on the basis :mod:`~ftrag_mc.analysis.evppi` uses for one input (Legendre
polynomials of degree 4 in T's ranks, plus T standardised and its square); a T with no more
distinct values than the basis has terms (a count of a few items) gets one mean per value
instead, which is exact. EVPPI, the ceiling, is the same estimator with T = θ on the same samples
and resamples.

Bias, as for the EVPPI estimators: noise in the fitted values looks like information (a mean of
maxima exceeds the max of means), so the estimate is biased upwards, by more with fewer samples
and more basis terms; each row carries the estimate for pure noise (T shuffled against the net
benefits: ``noise_floor_usd``, ``noise_p95_usd``). Two things bias it downwards: a smoother that
misses a sharp step in E[ΔNB | T], and, when the decisions tie on average, the second term: the
max over decisions of sample means exceeds the max of the true means by about 0.4 standard
errors of the mean ΔNB (sd(ΔNB) φ(0) / sqrt(n_samples)), which the estimate loses (the same
holds for the EVPPI and EVPI estimators). With ΔNB linear in θ and these data models
E[ΔNB | T] is smooth; the tests find the estimate within its interval of the exact value, and,
over 20 samples at a tie, a bias of -1.2 % (-10 ± 4 against 0.4 SE = 13).

Random numbers: one dataset per sample is drawn through common random numbers, the same noise for
every size (a standard normal z_i: T = θ_i + σ z_i / sqrt(n); a uniform u_i: T = the binomial
(n, θ_i) quantile at u_i), so the differences between sizes that choose the best n carry less
Monte Carlo error than each value. Streams are addressed, ``SeedSequence(seed, spawn_key=(purpose,))``
for the data, the bootstrap and the noise floors, never consumed in order: a size's row depends
on the seed and that size only, not on which other sizes are asked or in what order. Monte Carlo
error: a bootstrap over samples, the same resamples for every size and for the EVPPI, its
percentile interval moved to sit on the estimate as in :mod:`~ftrag_mc.analysis.evppi`; it treats
samples as independent, so with Latin hypercube or Sobol samples it is conservative.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

import numpy as np
import pandas as pd
from numpy.polynomial import legendre
from scipy import stats

from ftrag_mc.analysis.evpi import as_net_benefit
from ftrag_mc.analysis.evppi import interval_on_estimate, standardise

__all__ = [
    "BinomialData",
    "COLUMNS",
    "COST_COLUMNS",
    "DATA_MODELS",
    "DataModel",
    "NormalData",
    "compute_evsi",
    "evppi_beta_exact",
    "evppi_normal_exact",
    "evsi_beta_binomial_exact",
    "evsi_normal_exact",
    "preposterior_sd",
]

POLYNOMIAL_DEGREE = 4
"""Degree of the Legendre polynomial in T's ranks (as :mod:`~ftrag_mc.analysis.evppi`)."""
_BASIS_TERMS = POLYNOMIAL_DEGREE + 3  # the Legendre polynomials, the value and its square
_BASIS_TERMS_2D = (POLYNOMIAL_DEGREE + 1) * (POLYNOMIAL_DEGREE + 2) // 2 + 5  # for a pair of statistics
NOISE_REPLICATES = 20
"""Shuffles of T against the net benefits averaged into each noise floor."""
_STREAM_DATA, _STREAM_BOOTSTRAP, _STREAM_NOISE = 0xDA7A, 0xB007, 0x0715E
_PMF_CHUNK = 1_000_000  # beta-binomial outcomes summed at once (8 MB per array)


# --- exact answers: two decisions, ΔNB(θ) = a + b θ --------------------------------------------


def _normal_gain(mu: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """E[max(M, 0)] - max(μ, 0) for M ~ N(μ, spread²): spread φ(z) - |μ| Φ(-z), z = |μ| / spread.

    Both terms are accurate to a relative rounding error, so the difference is too, up to a
    factor z² (1e-13 at z = 38, beyond which φ underflows and the value is 0)."""
    mu, spread = np.broadcast_arrays(np.asarray(mu, float), np.asarray(spread, float))
    out = np.zeros(mu.shape)
    pos = spread > 0
    z = np.abs(mu[pos]) / spread[pos]
    out[pos] = spread[pos] * (stats.norm.pdf(z) - z * stats.norm.sf(z))
    return np.maximum(out, 0.0)


def _scalar_or_array(x: np.ndarray, like) -> float | np.ndarray:
    return float(x) if np.ndim(like) == 0 else x


def _check_sizes_exact(n) -> np.ndarray:
    n_arr = np.asarray(n, dtype=float)
    if np.any(np.isnan(n_arr)) or np.any(n_arr < 0):
        raise ValueError(f"n must be >= 0 items, not {n}")
    return n_arr


def preposterior_sd(*, prior_sd: float, item_sd: float, n) -> float | np.ndarray:
    """Sd of the posterior mean E[θ | data] before the data are seen (normal prior, normal data).

    s² = σ0⁴ / (σ0² + σ² / n): 0 at n = 0, σ0 as n -> inf (``n = np.inf`` is allowed).

    Parameters
    ----------
    prior_sd
        σ0, the prior sd of θ, in θ's units (> 0).
    item_sd
        σ, the known sd of one item's measurement, in θ's units (> 0).
    n
        Items in the study: a number >= 0 or an array of them.

    Returns
    -------
    float or ndarray
        s in θ's units, shaped like ``n``.
    """
    if not (prior_sd > 0 and item_sd > 0 and math.isfinite(prior_sd) and math.isfinite(item_sd)):
        raise ValueError(f"prior_sd and item_sd must be positive and finite, not {prior_sd}, {item_sd}")
    n_arr = _check_sizes_exact(n)
    with np.errstate(divide="ignore"):  # n = 0: s = 0; n = inf: s = σ0
        s2 = prior_sd**2 / (1.0 + item_sd**2 / (n_arr * prior_sd**2))
    return _scalar_or_array(np.sqrt(s2), n)


def evsi_normal_exact(*, intercept_usd: float, slope_usd: float, prior_mean: float, prior_sd: float,
                      item_sd: float, n) -> float | np.ndarray:
    """Exact EVSI: normal prior N(μ0, σ0²) on θ, the mean of n items each with known sd σ.

    With M = a + b E[θ | data] ~ N(μ, S²), μ = a + b μ0, S = |b| s (:func:`preposterior_sd`):
    EVSI = S φ(μ / S) - |μ| Φ(-|μ| / S).

    Parameters
    ----------
    intercept_usd, slope_usd
        a (currency) and b (currency per unit of θ) of ΔNB(θ) = a + b θ, decision 1 over decision 0.
    prior_mean, prior_sd
        μ0 and σ0 of θ's normal prior, in θ's units.
    item_sd
        σ, the sd of one item's measurement of θ, in θ's units.
    n
        Items: a number >= 0 (``np.inf``: perfect information, the EVPPI) or an array of them.

    Returns
    -------
    float or ndarray
        EVSI in currency, shaped like ``n``.
    """
    s = preposterior_sd(prior_sd=prior_sd, item_sd=item_sd, n=n)
    mu = intercept_usd + slope_usd * prior_mean
    return _scalar_or_array(_normal_gain(np.full(np.shape(s), mu), abs(slope_usd) * np.asarray(s)), n)


def evppi_normal_exact(*, intercept_usd: float, slope_usd: float, prior_mean: float,
                       prior_sd: float) -> float:
    """Exact EVPPI of θ ~ N(μ0, σ0²) with ΔNB = a + b θ: |b| σ0 φ(μ / (|b| σ0)) - |μ| Φ(...)."""
    mu = intercept_usd + slope_usd * prior_mean
    return float(_normal_gain(np.asarray(mu), np.asarray(abs(slope_usd) * prior_sd)))


def _check_beta(alpha: float, beta: float) -> None:
    if not (alpha > 0 and beta > 0 and math.isfinite(alpha) and math.isfinite(beta)):
        raise ValueError(f"alpha and beta must be positive and finite, not {alpha}, {beta}")


def _beta_binomial_one(a: float, b: float, alpha: float, beta: float, n: int) -> float:
    """Σ_x BetaBinom(x; n, α, β) max(0, -sign(μ) (a + b (α + x) / (α + β + n))), in chunks of x."""
    sign = 1.0 if a + b * alpha / (alpha + beta) >= 0 else -1.0
    total = 0.0
    for start in range(0, n + 1, _PMF_CHUNK):
        x = np.arange(start, min(n + 1, start + _PMF_CHUNK), dtype=float)
        loss = np.maximum(-sign * (a + b * (alpha + x) / (alpha + beta + n)), 0.0)
        hit = loss > 0
        if hit.any():
            total += float(stats.betabinom.pmf(x[hit], n, alpha, beta) @ loss[hit])
    return total


def evsi_beta_binomial_exact(*, intercept_usd: float, slope_usd: float, alpha: float, beta: float,
                             n) -> float | np.ndarray:
    """Exact EVSI: Beta(α, β) prior on a rate θ, the count of successes in n items.

    EVSI = Σ_x BetaBinom(x; n, α, β) max(0, a + b (α + x) / (α + β + n)) - max(0, a + b α / (α + β)),
    summed as the equal mean of non-negative terms (module docstring) over the outcomes x where
    the decision changes, in chunks: O(n) time, constant memory, exact to rounding for any n.

    Parameters
    ----------
    intercept_usd, slope_usd
        a (currency) and b (currency per unit of rate) of ΔNB(θ) = a + b θ.
    alpha, beta
        The prior's shapes (> 0).
    n
        Items: a whole number >= 0 or an array of them.

    Returns
    -------
    float or ndarray
        EVSI in currency, shaped like ``n``.
    """
    _check_beta(alpha, beta)
    n_arr = _check_sizes_exact(n)
    if np.any(~np.isfinite(n_arr)) or np.any(n_arr != np.round(n_arr)):
        raise ValueError(f"n must be whole numbers of items, not {n}")
    out = np.array([_beta_binomial_one(float(intercept_usd), float(slope_usd), float(alpha),
                                       float(beta), int(k)) for k in n_arr.ravel()])
    return _scalar_or_array(out.reshape(n_arr.shape), n)


def evppi_beta_exact(*, intercept_usd: float, slope_usd: float, alpha: float, beta: float) -> float:
    """Exact EVPPI of a rate θ ~ Beta(α, β) with ΔNB = a + b θ.

    E[max(0, -sign(μ) b (θ - t))] with t = -a / b, from E[θ; θ < t] = α / (α + β) F_{α+1, β}(t).
    """
    _check_beta(alpha, beta)
    a, b = float(intercept_usd), float(slope_usd)
    if b == 0:
        return 0.0
    mean = alpha / (alpha + beta)
    c = -(1.0 if a + b * mean >= 0 else -1.0) * b  # loss = max(0, c (θ - t))
    t = -a / b
    if c > 0:  # θ above t
        gain = mean * stats.beta.sf(t, alpha + 1, beta) - t * stats.beta.sf(t, alpha, beta)
    else:
        gain = t * stats.beta.cdf(t, alpha, beta) - mean * stats.beta.cdf(t, alpha + 1, beta)
    return max(0.0, abs(c) * float(gain))


# --- data models: what a study of n items reports about θ -------------------------------------


class DataModel(Protocol):
    """A study's data model: the sufficient summary T of n items given θ, by common random numbers."""

    statistic: ClassVar[str]

    def check(self, theta: np.ndarray) -> None:
        """Raise ValueError if θ's draws are impossible under this model."""

    def draw_noise(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """(size,) float64 noise, one per sample (or (size, k)), shared by every study size."""

    def summary(self, theta: np.ndarray, n: int, noise: np.ndarray) -> np.ndarray:
        """(n_samples,) float64 draws of T for n >= 1 items, sample i from p(T | θ_i); (n_samples, 2)
        for a study of two inputs."""

    def describe(self) -> str:
        """Short text, e.g. ``"binomial count of n items"``."""


@dataclass(frozen=True)
class BinomialData:
    """n items, each a success with probability θ (a rate in [0, 1]); T is the count of successes."""

    statistic: ClassVar[str] = "count"

    def check(self, theta: np.ndarray) -> None:
        if np.any((theta < 0) | (theta > 1)):
            raise ValueError("a binomial study needs θ in [0, 1] (a rate); "
                             f"got draws from {theta.min():.6g} to {theta.max():.6g}")

    def draw_noise(self, rng: np.random.Generator, size: int) -> np.ndarray:
        # Uniforms strictly inside (0, 1): scipy's binomial quantile at u = 1 is n even for θ = 0.
        return (rng.integers(0, 2**52, size=size) + 0.5) / 2**52

    def summary(self, theta: np.ndarray, n: int, noise: np.ndarray) -> np.ndarray:
        return stats.binom.ppf(noise, n, theta)

    def describe(self) -> str:
        return "binomial count of n items"


@dataclass(frozen=True)
class NormalData:
    """n items, each measuring θ with normal error of known sd ``item_sd`` (θ's units); T is their mean."""

    item_sd: float
    statistic: ClassVar[str] = "mean"

    def __post_init__(self) -> None:
        if not (math.isfinite(self.item_sd) and self.item_sd > 0):
            raise ValueError(f"item_sd must be positive and finite, not {self.item_sd}")

    def check(self, theta: np.ndarray) -> None:
        """Any finite θ is possible."""

    def draw_noise(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.standard_normal(size)

    def summary(self, theta: np.ndarray, n: int, noise: np.ndarray) -> np.ndarray:
        return theta + (self.item_sd / math.sqrt(n)) * noise

    def describe(self) -> str:
        return f"mean of n items, sd {self.item_sd:.6g} each"


DATA_MODELS: dict[str, type] = {"binomial": BinomialData, "normal": NormalData}
"""Data models by name, for the CLI: ``DATA_MODELS["normal"](item_sd=...)``."""


# --- the regression estimator -------------------------------------------------------------------


def _basis(t: np.ndarray) -> np.ndarray:
    """(n, 7) regressors for E[ΔNB | t]: Legendre polynomials of degree <= 4 in t's ranks mapped
    to [-1, 1], plus t standardised and its square (linear effects reach into long tails)."""
    if t.ndim == 2:
        return _basis_2d(t)
    u = (stats.rankdata(t) - 0.5) / t.size * 2 - 1
    z = standardise(t)
    return np.column_stack([legendre.legvander(u, POLYNOMIAL_DEGREE), z, standardise(z**2)])


def _basis_2d(t: np.ndarray) -> np.ndarray:
    """(n, 20) regressors for a two-column T, as :mod:`~ftrag_mc.analysis.evppi` does for a pair:
    Legendre polynomials of total degree <= 4 in the columns' ranks, plus each column
    standardised, its square, and their product."""
    u = [legendre.legvander((stats.rankdata(c) - 0.5) / c.size * 2 - 1, POLYNOMIAL_DEGREE) for c in t.T]
    columns = [u[0][:, i] * u[1][:, j] for i in range(POLYNOMIAL_DEGREE + 1)
               for j in range(POLYNOMIAL_DEGREE + 1 - i)]
    z = [standardise(c) for c in t.T]
    columns += [z[0], standardise(z[0] ** 2), z[1], standardise(z[1] ** 2), standardise(z[0] * z[1])]
    return np.column_stack(columns)


class _Smoother:
    """E[ΔNB_d | T] by least squares on :func:`_basis`, or by group means for a T of few values.

    Parameters: ``t`` (n,) summary statistic, or (n, 2) a pair; ``inc`` (n, D - 1) net benefit of
    each decision over decision 0, currency."""

    def __init__(self, t: np.ndarray, inc: np.ndarray, statistic: str):
        self.inc = inc
        if t.ndim == 2:  # a pair of statistics: one group per distinct pair
            values, self.codes = np.unique(t, axis=0, return_inverse=True)
            self.codes = self.codes.ravel()
        else:
            values, self.codes = np.unique(t, return_inverse=True)
        self.groups = len(values)
        terms = _BASIS_TERMS if t.ndim == 1 else _BASIS_TERMS_2D
        self.basis = None if self.groups <= terms else _basis(t)
        self.label = (f"group means of the {self.groups} values of the {statistic}" if self.basis is None
                      else f"regression on the {statistic}, {self.basis.shape[1]}-term basis of ranks and values")

    def fitted(self, w: np.ndarray, y: np.ndarray) -> np.ndarray:
        """(n, k) fitted values of the k columns of ``y`` (n, k) under sample weights ``w`` (n,)."""
        if self.basis is None:
            counts = np.bincount(self.codes, weights=w, minlength=self.groups)
            sums = np.stack([np.bincount(self.codes, weights=w * y[:, j], minlength=self.groups)
                             for j in range(y.shape[1])], axis=1)
            means = sums / np.where(counts > 0, counts, 1.0)[:, None]
            return means[self.codes]
        xw = self.basis * w[:, None]  # normal equations, as evppi: a (terms x terms) solve per fit
        coef = np.linalg.lstsq(xw.T @ self.basis, xw.T @ y, rcond=None)[0]
        return self.basis @ coef

    def value(self, w: np.ndarray | None = None, inc: np.ndarray | None = None) -> float:
        """mean_i max(0, max_d fitted_id) - max(0, max_d mean_i fitted_id), weighted by ``w``."""
        inc = self.inc if inc is None else inc
        w = np.ones(inc.shape[0]) if w is None else w
        fitted = self.fitted(w, inc)
        total = w.sum()
        best = float(w @ np.maximum(fitted.max(axis=1), 0.0)) / total
        overall = max(0.0, float((w @ fitted).max()) / total)
        return max(best - overall, 0.0)  # exact arithmetic gives >= 0; clip the rounding of ties

    def noise(self, perms: Sequence[np.ndarray]) -> tuple[float, float]:
        """Mean and 95th percentile of the estimate with the net benefits shuffled against T."""
        values = np.array([self.value(None, self.inc[p]) for p in perms])
        return float(values.mean()), float(np.quantile(values, 0.95))


def _stream(seed: int, purpose: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(purpose,)))


def _resamples(n: int, reps: int, seed: int) -> Iterator[np.ndarray]:
    """Multinomial resample counts, (n,) float64 each; the same ``reps`` for every caller."""
    rng = _stream(seed, _STREAM_BOOTSTRAP)
    for _ in range(reps):
        yield np.bincount(rng.integers(0, n, size=n), minlength=n).astype(np.float64)


_NO_STUDY = {"evsi_usd": 0.0, "evsi_low_usd": 0.0, "evsi_high_usd": 0.0, "noise_floor_usd": 0.0,
             "noise_p95_usd": 0.0, "method": "no study"}
COLUMNS = ("n", "evsi_usd", "evsi_low_usd", "evsi_high_usd", "noise_floor_usd", "noise_p95_usd",
           "evppi_usd", "evppi_low_usd", "evppi_high_usd", "share_of_evppi", "method")
"""Columns of :func:`compute_evsi` always present; with costs, also :data:`COST_COLUMNS`."""
COST_COLUMNS = ("cost_usd", "enbs_usd", "enbs_low_usd", "enbs_high_usd", "best")


def _estimate(t: np.ndarray, inc: np.ndarray, bootstrap: int, seed: int, perms: Sequence[np.ndarray],
              statistic: str, what: str = "evsi") -> dict[str, float | str]:
    """The columns of one estimate (``what``: "evsi" or "evppi") on summary statistic ``t``."""
    smoother = _Smoother(t, inc, statistic)
    value = smoother.value()
    boot = np.array([smoother.value(w) for w in _resamples(t.shape[0], bootstrap, seed)])
    low, high = interval_on_estimate(value, boot)
    floor, p95 = smoother.noise(perms)
    return {f"{what}_usd": value, f"{what}_low_usd": low, f"{what}_high_usd": high,
            "noise_floor_usd": floor, "noise_p95_usd": p95, "method": smoother.label}


# --- the entry point ----------------------------------------------------------------------------


def _as_incremental(nb) -> np.ndarray:
    """(n, D - 1) net benefit over decision 0 from (n, D) net benefits or (n,) ΔNB of 1 over 0."""
    nb = np.asarray(nb, dtype=np.float64)
    if nb.ndim == 1:
        nb = np.column_stack([np.zeros_like(nb), nb])
    nb = as_net_benefit(nb, min_samples=10, name="nb", shape="(n_samples, n_decisions >= 2) or (n_samples,)")
    return nb[:, 1:] - nb[:, :1]


def _check_whole(name: str, value, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not float(value).is_integer() or value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, not {value!r}")
    return int(value)


def _costs(sizes: np.ndarray, item_usd: float | None, fixed_usd: float | None) -> np.ndarray | None:
    if item_usd is None and fixed_usd is None:
        return None
    item, fixed = float(item_usd or 0.0), float(fixed_usd or 0.0)
    if not (math.isfinite(item) and math.isfinite(fixed) and item >= 0 and fixed >= 0):
        raise ValueError(f"item_usd and fixed_usd must be finite and >= 0, not {item_usd}, {fixed_usd}")
    return np.where(sizes > 0, fixed + item * sizes, 0.0)


def compute_evsi(nb, theta, *, data: DataModel, sizes: Sequence[int], item_usd: float | None = None,
                 fixed_usd: float | None = None, bootstrap: int = 200, seed: int = 0) -> pd.DataFrame:
    """EVSI of a study of n items on one input, for each size n, by regression on the run's samples.

    Parameters
    ----------
    nb
        (n_samples, n_decisions) float64 net benefit of each decision, currency (for costs: minus
        the NPC at the horizon), or (n_samples,) the net benefit of decision 1 over decision 0.
    theta
        (n_samples,) float64 draws of the input the study measures, sample i drawn with ``nb[i]``;
        or (n_samples, 2), two inputs one study measures together (a paired eval's two error
        rates, :class:`~ftrag_mc.analysis.pilot.PairedData`), whose summary is then two columns
        too, regressed on a 20-term basis (:func:`_basis_2d`).
    data
        What the study reports: :class:`BinomialData` (θ a rate) or :class:`NormalData`.
    sizes
        Items per study, whole numbers >= 0; a row for n = 0 (EVSI 0, no study) is always included.
    item_usd, fixed_usd
        Cost per item and fixed cost of a study, currency; if either is given the frame has the
        cost and ENBS columns (the other counts as 0).
    bootstrap
        Bootstrap resamples for the intervals (the same for every size); 0 for none.
    seed
        Root of the addressed streams (data, bootstrap, noise floors); one seed, the same bits.

    Returns
    -------
    DataFrame, one row per size, ascending from n = 0: n; evsi_usd; evsi_low_usd, evsi_high_usd
    (95 % bootstrap interval of the Monte Carlo error); noise_floor_usd, noise_p95_usd (mean and
    95th percentile of the estimate for pure noise: its upward bias, and the level below which
    the study is indistinguishable from no information); evppi_usd, evppi_low_usd, evppi_high_usd
    (the ceiling, same estimator with T = θ, same samples, the same on every row); share_of_evppi;
    method; and with costs: cost_usd, enbs_usd, enbs_low_usd, enbs_high_usd, best (True on the
    one row of the highest ENBS, the smallest n on a tie, n = 0 when no study pays). ``attrs``:
    best_n (with costs), seed, samples, bootstrap, data (the data model in words).

    Raises
    ------
    ValueError
        For shapes that do not match, non-finite values, fewer than 10 samples, sizes that are
        not whole numbers >= 0, negative costs, or θ impossible under ``data``.
    """
    inc = _as_incremental(nb)
    theta = np.asarray(theta, dtype=np.float64)
    if theta.shape not in ((inc.shape[0],), (inc.shape[0], 2)) or not np.all(np.isfinite(theta)):
        raise ValueError(f"theta must be (n_samples,) = ({inc.shape[0]},) finite values (or two columns), "
                         f"not shape {theta.shape}")
    data.check(theta)
    bootstrap = _check_whole("bootstrap", bootstrap, 0)
    seed = _check_whole("seed", seed, 0)
    n_items = np.array(sorted({0, *(_check_whole("a size", s, 0) for s in sizes)}))
    costs = _costs(n_items, item_usd, fixed_usd)

    n = inc.shape[0]
    noise = data.draw_noise(_stream(seed, _STREAM_DATA), n)
    noise_rng = _stream(seed, _STREAM_NOISE)
    perms = [noise_rng.permutation(n) for _ in range(NOISE_REPLICATES)]
    rows = [{"n": int(k), **(_NO_STUDY if k == 0 else  # no data: nothing to learn or regress on
                             _estimate(data.summary(theta, int(k), noise), inc, bootstrap, seed, perms,
                                       data.statistic))}
            for k in n_items]
    frame = pd.DataFrame(rows)
    ceiling = _estimate(theta, inc, bootstrap, seed, perms, "input", "evppi")
    for column in ("evppi_usd", "evppi_low_usd", "evppi_high_usd"):
        frame[column] = ceiling[column]
    evppi = ceiling["evppi_usd"]
    frame["share_of_evppi"] = frame["evsi_usd"] / evppi if evppi > 0 else 0.0
    frame = frame[list(COLUMNS)]
    frame.attrs.update(seed=seed, samples=n, bootstrap=bootstrap, data=data.describe())
    return frame if costs is None else _with_costs(frame, costs)


def _with_costs(frame: pd.DataFrame, costs: np.ndarray) -> pd.DataFrame:
    """Add cost_usd, enbs_usd, enbs_low_usd, enbs_high_usd, best and ``attrs["best_n"]``."""
    frame["cost_usd"] = costs
    for part in ("", "_low", "_high"):
        frame[f"enbs{part}_usd"] = frame[f"evsi{part}_usd"] - costs
    best = int(np.argmax(frame["enbs_usd"].to_numpy()))  # the first maximum: the smallest n
    frame["best"] = np.arange(len(frame)) == best
    frame.attrs["best_n"] = int(frame["n"].iloc[best])
    return frame
