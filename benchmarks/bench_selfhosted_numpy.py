"""bench-selfhosted (benchmarks/bench-selfhosted.toml) re-implemented from its formulas with numpy.

An independent check of ftrag-mc's GPU-serving path: nothing here imports ftrag_mc. The numbers below
mirror bench-selfhosted.toml and must be changed together with it. The model, no discounting, no
launch delay, months t = 1..36, volume q_t = Q0·(1+g)^(t−1), hourly = engineer week / 40:

* RAG (baseline): one-time setup·week; monthly
  q_t·((800 + context + user)·3 + output·15)/1e6 + vector store + maintenance·week.
* Self-hosted tuned model: one-time run + curation·hourly + build·week; monthly
  replicas_t·gpu_usd_per_hour·730.5 + ops + maintenance·week + retrains_t·(run + 0.2·curation·hourly),
  replicas_t = max(1, ceil(q_t·tokens/capacity − 1e-9)), tokens = 300 + user + output,
  capacity = throughput·utilization·(365.25/12·86400) tokens per replica-month, and retrains_t the
  number of the events k, 2k, 3k, … (k continuous) falling in month t (an event at time j·k is in
  month ceil(j·k)).
* Output: P(self-hosted total < RAG total) at 41 log-spaced Q0 from 1e3 to 1e7, H = 12, 24, 36.

Inputs are drawn by plain Monte Carlo. The three token counts are rank-correlated by a Gaussian
copula: z = L·n with L the Cholesky factor of 2·sin(π·ρ/6) (the normal correlation whose Spearman
correlation is ρ), u = Φ(z), x = PERT⁻¹(u) via scipy.stats.beta.ppf. The other PERTs use
Generator.beta directly. Costs are accumulated month by month on (samples x volumes) arrays, blocks
of 8,192 samples (41 volumes x 8 bytes x 8,192 = 2.7 MB per array).

Run: python benchmarks/bench_selfhosted_numpy.py [--samples 200000] [--seed 1]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import special, stats

from bench_common import HORIZONS, SWEEP_MAX, SWEEP_MIN, SWEEP_POINTS, peak_rss_mb

BLOCK = 8192
HORIZON = 36
SECONDS_PER_MONTH = 365.25 / 12 * 86_400
HOURS_PER_MONTH = 365.25 / 12 * 24
EPS = 1e-9  # whole-month event times and exactly-full replicas must not round up by noise

# [inputs] and [correlation] of bench-selfhosted.toml: (min, mode, max) of the correlated PERTs.
USER_TOKENS = (100.0, 200.0, 500.0)
OUTPUT_TOKENS = (150.0, 250.0, 500.0)
CONTEXT_TOKENS = (1500.0, 2000.0, 3000.0)
RANK_CORRELATION = np.array([[1.0, 0.6, 0.4],
                             [0.6, 1.0, 0.2],
                             [0.4, 0.2, 1.0]])


def _pert_shape(low: float, mode: float, high: float) -> tuple[float, float]:
    """Beta shape parameters (α, β) of PERT(low, mode, high) with λ = 4."""
    span = high - low
    return 1.0 + 4.0 * (mode - low) / span, 1.0 + 4.0 * (high - mode) / span


def pert(rng: np.random.Generator, low: float, mode: float, high: float, n: int) -> np.ndarray:
    """n independent draws of PERT(low, mode, high) with Generator.beta.

    Returns
    -------
    (n,) float64
    """
    alpha, beta = _pert_shape(low, mode, high)
    return low + (high - low) * rng.beta(alpha, beta, n)


def pert_ppf(u: np.ndarray, low: float, mode: float, high: float) -> np.ndarray:
    """Inverse CDF of PERT(low, mode, high) at probabilities ``u``, via scipy.stats.beta.ppf.

    Returns
    -------
    float64 array shaped like ``u``
    """
    alpha, beta = _pert_shape(low, mode, high)
    return low + (high - low) * stats.beta.ppf(u, alpha, beta)


def correlated_tokens(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """User, output and context tokens with the scenario's Spearman rank correlations.

    Parameters
    ----------
    rng : numpy.random.Generator
    n : int
        Samples.

    Returns
    -------
    user, output, context : (n,) float64
    """
    # Spearman ρ of a bivariate normal with Pearson r is (6/π)·asin(r/2); invert it.
    factor = np.linalg.cholesky(2.0 * np.sin(np.pi * RANK_CORRELATION / 6.0))
    z = factor @ rng.standard_normal((3, n))
    u = special.ndtr(z)  # Φ
    return (pert_ppf(u[0], *USER_TOKENS), pert_ppf(u[1], *OUTPUT_TOKENS), pert_ppf(u[2], *CONTEXT_TOKENS))


def _win_counts_block(rng: np.random.Generator, n: int, volumes: np.ndarray) -> np.ndarray:
    """Win counts of the self-hosted strategy for one block of ``n`` samples.

    Parameters
    ----------
    rng : numpy.random.Generator
    n : int
        Samples in the block.
    volumes : (K,) float64
        Start volumes Q0.

    Returns
    -------
    (len(HORIZONS), K) int64
        Samples in which the self-hosted total through H is strictly below RAG's.
    """
    user, output, context = correlated_tokens(rng, n)
    growth = pert(rng, 0.0, 0.02, 0.06, n)
    week = pert(rng, 4000.0, 6000.0, 9000.0, n)
    hourly = week / 40.0

    # RAG
    vector_store = rng.uniform(50.0, 500.0, n)
    rag_setup = pert(rng, 0.5, 1.0, 2.0, n)
    rag_maint = pert(rng, 0.1, 0.25, 0.5, n)
    rag_per_query = ((800.0 + context + user) * 3.0 + output * 15.0) / 1e6
    rag_monthly = vector_store + rag_maint * week

    # Self-hosted tuned model
    sh_maint = pert(rng, 0.1, 0.25, 0.5, n)
    gpu_usd_per_hour = pert(rng, 2.0, 3.0, 4.5, n)
    throughput = pert(rng, 300.0, 600.0, 1000.0, n)
    utilization = pert(rng, 0.3, 0.5, 0.7, n)
    ops = pert(rng, 300.0, 1000.0, 3000.0, n)
    run = pert(rng, 200.0, 1500.0, 5000.0, n)
    curation = pert(rng, 40.0, 100.0, 200.0, n)
    build = pert(rng, 3.0, 4.0, 6.0, n)
    every = pert(rng, 1.0, 3.0, 6.0, n)

    tokens_per_query = 300.0 + user + output
    queries_per_replica = throughput * utilization * SECONDS_PER_MONTH / tokens_per_query
    replica_month_usd = gpu_usd_per_hour * HOURS_PER_MONTH
    sh_monthly = ops + sh_maint * week
    retrain_usd = run + 0.2 * curation * hourly

    # delta = self-hosted cumulative cost − RAG's, per sample (rows) and start volume (columns).
    delta = np.empty((n, len(volumes)))
    delta[:] = ((run + curation * hourly + build * week) - rag_setup * week)[:, None]
    counts = np.zeros((len(HORIZONS), len(volumes)), dtype=np.int64)
    queries = np.empty_like(delta)
    for month in range(1, HORIZON + 1):
        np.multiply(((1.0 + growth) ** (month - 1))[:, None], volumes[None, :], out=queries)
        replicas = np.maximum(1.0, np.ceil(queries / queries_per_replica[:, None] - EPS))
        retrains = np.floor(month / every + EPS) - np.floor((month - 1) / every + EPS)
        delta += replicas * replica_month_usd[:, None]
        delta -= queries * rag_per_query[:, None]
        delta += (sh_monthly + retrains * retrain_usd - rag_monthly)[:, None]
        if month in HORIZONS:
            counts[HORIZONS.index(month)] = np.count_nonzero(delta < 0.0, axis=0)
    return counts


def simulate(n: int, seed: int = 1) -> tuple[np.ndarray, float]:
    """P(self-hosted total < RAG total) for bench-selfhosted from ``n`` plain-MC samples.

    Parameters
    ----------
    n : int
        Samples.
    seed : int
        Seed of numpy's default generator.

    Returns
    -------
    p_win : (3, 41) float64
        Rows H = 12, 24, 36; columns the log-spaced start volumes 1e3..1e7.
    seconds : float
        Wall time of the simulation.
    """
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    volumes = np.geomspace(SWEEP_MIN, SWEEP_MAX, SWEEP_POINTS)
    wins = np.zeros((len(HORIZONS), SWEEP_POINTS), dtype=np.int64)
    for start in range(0, n, BLOCK):
        wins += _win_counts_block(rng, min(BLOCK, n - start), volumes)
    return wins / n, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description="bench-selfhosted re-implemented in numpy: P(win) and speed.")
    parser.add_argument("--samples", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    p_win, seconds = simulate(args.samples, args.seed)
    print(f"samples            {args.samples:,}")
    print(f"seconds            {seconds:.2f}")
    print(f"samples/s          {args.samples / seconds:,.0f}")
    print(f"peak RSS (MB)      {peak_rss_mb():,.0f}")
    volumes = np.geomspace(SWEEP_MIN, SWEEP_MAX, SWEEP_POINTS)
    print("Q0        " + "  ".join(f"H={h:<5}" for h in HORIZONS))
    for k in range(0, SWEEP_POINTS, 2):
        print(f"{volumes[k]:<9.3g} " + "  ".join(f"{p_win[i, k]:.5f}" for i in range(len(HORIZONS))))


if __name__ == "__main__":
    main()
