"""Shared constants and small helpers of the benchmark scripts (pure Python: no numpy import).

Kept free of numpy so that the plain-Python loop (:mod:`bench_v1_python`) stays plain, and so that
importing it costs nothing in the whole-process timings of :mod:`run_all`.
"""

from __future__ import annotations

import math
import resource
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent

#: bench-v1's analysis horizons (months) and volume sweep: 41 log-spaced start volumes 1e3..1e7.
HORIZONS = (12, 24, 36)
SWEEP_MIN, SWEEP_MAX, SWEEP_POINTS = 1e3, 1e7, 41

#: ../shared/bench-v1.md, 1M samples: P(FT total < RAG total) at (H, Q0).
REFERENCE = {
    12: {1e4: 0.00003, 1e5: 0.0008, 1e6: 0.855},
    24: {1e4: 0.0065, 1e5: 0.048, 1e6: 0.983},
    36: {1e4: 0.027, 1e5: 0.155, 1e6: 0.995},
}
#: The reference table's stated standard error (an upper bound; used as-is in z-scores).
REFERENCE_SE = 0.0004


def sweep_volumes() -> list[float]:
    """The sweep's start volumes, queries/month, as a list.

    Returns
    -------
    list of float
        ``SWEEP_POINTS`` volumes, log-spaced from ``SWEEP_MIN`` to ``SWEEP_MAX``. They agree with
        ``np.geomspace`` to a few ulps, which only matters for a breakeven exactly on a grid point.
    """
    ratio = math.log(SWEEP_MAX / SWEEP_MIN) / (SWEEP_POINTS - 1)
    return [SWEEP_MIN * math.exp(ratio * i) for i in range(SWEEP_POINTS)]


def volume_index(volume: float) -> int:
    """Index of the sweep point nearest (in log volume) to ``volume``.

    Parameters
    ----------
    volume : float
        A start volume inside the sweep, e.g. 1e5.

    Returns
    -------
    int
    """
    ratio = math.log(SWEEP_MAX / SWEEP_MIN) / (SWEEP_POINTS - 1)
    return round(math.log(volume / SWEEP_MIN) / ratio)


def binomial_variance(p: float, n: int) -> float:
    """Variance of a proportion p estimated from n samples, floored at 1/n².

    The floor keeps z-scores finite (no 0/0) when both estimates are exactly 0 or 1.

    Parameters
    ----------
    p : float
        Estimated probability.
    n : int
        Number of samples behind it.

    Returns
    -------
    float
    """
    return max(p * (1.0 - p) / n, 1.0 / (n * n))


def z_score(p1: float, n1: int, p2: float, n2: int, pooled: bool = False) -> float:
    """z = (p1 − p2) / sqrt(se1² + se2²) for two independent binomial estimates.

    Parameters
    ----------
    p1, p2 : float
        The two estimates.
    n1, n2 : int
        Their sample counts.
    pooled : bool
        False: se_i² = p_i(1 − p_i)/n_i (floored at 1/n_i²), the figure run_all reports.
        True: both variances from the pooled p = (n1·p1 + n2·p2)/(n1 + n2), the usual test of
        p1 = p2. In a cell with a handful of wins the unpooled z is inflated (one win against an
        expected ten gives |z| ≈ 8 unpooled, ≈ 3 pooled), so agreement is judged on the pooled one.

    Returns
    -------
    float
    """
    if pooled:
        p = (n1 * p1 + n2 * p2) / (n1 + n2)
        variance = max(p * (1.0 - p), 1.0 / (n1 + n2) ** 2) * (1.0 / n1 + 1.0 / n2)
        return (p1 - p2) / math.sqrt(variance)
    return (p1 - p2) / math.sqrt(binomial_variance(p1, n1) + binomial_variance(p2, n2))


def worst_z(p1, n1: int, p2, n2: int, pooled: bool = False) -> tuple[float, tuple[int, int]]:
    """Largest |z| over all cells of two (horizons x volumes) tables of probabilities.

    Parameters
    ----------
    p1, p2 : sequence of sequences (or 2-D arrays) of float
        Same shape, e.g. (3, 41).
    n1, n2 : int
        Sample counts behind each table.
    pooled : bool
        Which z (see :func:`z_score`).

    Returns
    -------
    (float, (int, int))
        The worst |z| and the (row, column) where it occurs.
    """
    worst, where = 0.0, (0, 0)
    for i, (row1, row2) in enumerate(zip(p1, p2)):
        for j, (a, b) in enumerate(zip(row1, row2)):
            z = abs(z_score(float(a), n1, float(b), n2, pooled))
            if z > worst:
                worst, where = z, (i, j)
    return worst, where


def worst_z_reference(p, n: int) -> tuple[float, tuple[int, float]]:
    """Largest |z| of a (3, 41) P(win) table against the 9 reference cells of bench-v1.md.

    Parameters
    ----------
    p : (3, 41) table of float
        P(win) per horizon (rows in ``HORIZONS`` order) and sweep volume.
    n : int
        Samples behind ``p``.

    Returns
    -------
    (float, (int, float))
        The worst |z| and its (horizon, volume).
    """
    worst, where = 0.0, (0, 0.0)
    for hi, horizon in enumerate(HORIZONS):
        for volume, expected in REFERENCE[horizon].items():
            got = float(p[hi][volume_index(volume)])
            z = abs(got - expected) / math.sqrt(binomial_variance(got, n) + REFERENCE_SE**2)
            if z > worst:
                worst, where = z, (horizon, volume)
    return worst, where


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, MB (ru_maxrss is KB on Linux, bytes on macOS)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024**2 if sys.platform == "darwin" else rss / 1024


def print_reference_cells(p, n: int) -> None:
    """Print the 9 reference cells of bench-v1.md next to ``p`` with ±2 standard errors.

    Parameters
    ----------
    p : (3, 41) table of float
        P(win) per horizon and sweep volume.
    n : int
        Samples behind ``p``.
    """
    print("H   Q0     P(win)    ±2se     reference  z")
    for hi, horizon in enumerate(HORIZONS):
        for volume, expected in REFERENCE[horizon].items():
            got = float(p[hi][volume_index(volume)])
            se = math.sqrt(binomial_variance(got, n))
            z = (got - expected) / math.sqrt(se**2 + REFERENCE_SE**2)
            print(f"{horizon:<3} {volume:<6.0e} {got:.5f}  {2 * se:.5f}  {expected:<9}  {z:+.2f}")
