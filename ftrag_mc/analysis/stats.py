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
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def quantiles(x: np.ndarray, q: np.ndarray | list[float], axis: int = 0) -> np.ndarray:
    """Linear-interpolation quantiles where ``x`` may hold +inf ("never"): such a quantile is +inf."""
    with np.errstate(invalid="ignore"):
        out = np.quantile(x, q, axis=axis)
    return np.where(np.isnan(out), np.inf, out)
