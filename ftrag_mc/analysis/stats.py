"""Small statistics shared by the analyses: Wilson intervals and quantiles that tolerate infinities."""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

CONFIDENCE = 0.95


def wilson_interval(successes: np.ndarray, trials: np.ndarray | int,
                    confidence: float = CONFIDENCE) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion, vectorised.

    scipy offers the same interval one proportion at a time
    (``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")``); the tests check this one
    against it. With Latin hypercube or Sobol samples the binomial interval is conservative.

    Returns
    -------
    low, high : arrays shaped like ``successes``
    """
    k = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    z = ndtri(0.5 + confidence / 2)
    p = k / n
    denominator = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denominator
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denominator
    # At k = 0 or k = n the bound is exactly 0 or 1; rounding must not push it inside.
    low = np.where(k == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
    high = np.where(k == n, 1.0, np.clip(centre + half, 0.0, 1.0))
    return low, high


def quantiles(x: np.ndarray, q: np.ndarray | list[float]) -> np.ndarray:
    """Linear-interpolation quantiles (numpy's default) of a 1-D array that may hold +inf ("never").

    numpy computes lower + (upper - lower) * fraction, which is NaN when upper is inf and the
    fraction is 0; here that quantile is the finite lower value, and inf whenever it reaches an inf.
    """
    s = np.sort(np.asarray(x, dtype=np.float64))
    position = np.asarray(q, dtype=np.float64) * (s.size - 1)
    i = np.floor(position).astype(np.intp)
    j = np.minimum(i + 1, s.size - 1)
    fraction = position - i
    lower, upper = s[i], s[j]
    with np.errstate(invalid="ignore"):
        linear = lower + (upper - lower) * fraction
    return np.where(fraction == 0, lower, np.where(np.isinf(upper), upper, linear))


def needs_all_outputs(result, what: str) -> None:
    """Raise a clear error when ``result`` was simulated with ``outputs="pwin"``."""
    if getattr(result, "outputs", "all") != "all":
        raise ValueError(f"{what} needs the statistics at your volume: simulate(..., outputs='all')")


# --- Monte Carlo error of estimates read from a run's histograms ---------------------------------


def z_score(confidence: float = CONFIDENCE) -> float:
    """The standard normal quantile of a two-sided ``confidence`` interval (1.96 for 95 %)."""
    return float(ndtri(0.5 + confidence / 2))

def quantile_interval(hist, p: float, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The 95 % order-statistic interval of the ``p``-quantile of the values in ``hist`` (one
    :class:`~ftrag_mc.accumulate.Histogram`, no leading axes).

    With n values, the p-quantile's interval is [Q(p − z·√(p(1−p)/n)), Q(p + z·√(p(1−p)/n))]
    (the normal approximation to the binomial count of values below the true quantile), each end
    read from the histogram by its own rule (:meth:`~ftrag_mc.accumulate.Histogram.quantiles`),
    so within the histogram's stated bound. Sentinels stay sentinels (a median payback of "never"
    has "never" as an end).
    """
    n = hist.total
    half = z_score(confidence) * np.sqrt(p * (1.0 - p) / n)
    low, high = hist.quantiles([max(0.0, p - half), min(1.0, p + half)])
    return float(low), float(high)


def tail_mean_se(hist, share: float) -> float:
    """Standard error of the mean of the largest ``share`` of the values in ``hist`` (CVaR), from
    the tail's own spread: √((Var(tail) + (1 − share)·(CVaR − VaR)²) / (n·share)), the asymptotic
    variance of the CVaR estimator (VaR the (1 − share)-quantile). NaN where the tail holds a
    sentinel (an infinite value)."""
    n = hist.total
    mean, var = hist.upper_tail_moments(share)
    var_at = float(hist.quantiles([1.0 - share])[0])
    if not (np.isfinite(mean) and np.isfinite(var_at)):
        return float("nan")
    return float(np.sqrt((var + (1.0 - share) * (mean - var_at) ** 2) / (n * share)))


def mean_interval(mean: float, se: float, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The normal interval of a mean: mean ± z·se."""
    z = z_score(confidence)
    return mean - z * se, mean + z * se
