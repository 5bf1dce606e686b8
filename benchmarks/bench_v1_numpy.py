"""bench-v1 as a hand-specialised numpy script: the speed a careful numpy user reaches.

The workload is ../shared/bench-v1.md: fine-tune (FT) vs RAG, no discounting, P(FT total < RAG total)
at 41 log-spaced start volumes Q0 for H = 12, 24, 36 months. Everything that can be done once is:

* Both totals are affine in Q0, so per sample and horizon the difference is FT − RAG = a_H + b_H·Q0
  with a_H the volume-free part and b_H = S_H·(FT per-query cost − RAG per-query cost), where
  S_H = Σ_{t=1..H} (1+g)^{t−1} = ((1+g)^H − 1)/g (→ H as g → 0).
* Retrains every k months (continuous k) fall at k, 2k, … ≤ H: floor(H/k + 1e-9) events, the same
  count as ftrag_mc.model.calendar.event_counts summed over months 1..H.
* FT wins at Q0 iff a_H + b_H·Q0 < 0. With b_H < 0 (FT is cheaper per query) that is Q0 > Q* = −a_H/b_H,
  so the win count at each volume is a cumulative histogram of the breakevens Q*: searchsorted into
  the 41 volumes, bincount, cumsum. No (samples x volumes) array is ever built.

Samples are drawn in blocks of 65,536 so memory stays flat whatever the sample count.

Run: python benchmarks/bench_v1_numpy.py [--samples 1000000] [--seed 1]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from bench_common import HORIZONS, SWEEP_MAX, SWEEP_MIN, SWEEP_POINTS, peak_rss_mb, print_reference_cells

BLOCK = 65_536
RETRAIN_EPS = 1e-9  # as calendar._EPS: 3 x 1.1 = 3.3000000000000003 is still "month 3.3"
G_FLOOR = 1e-12  # growth floor: keeps ((1+g)^H − 1)/g away from 0/0


def _pert(rng: np.random.Generator, low: float, mode: float, high: float, n: int) -> np.ndarray:
    """n draws of PERT(low, mode, high), λ = 4, via numpy's own beta sampler.

    Parameters
    ----------
    rng : numpy.random.Generator
    low, mode, high : float
        Support and mode.
    n : int
        Number of draws.

    Returns
    -------
    (n,) float64
    """
    span = high - low
    alpha = 1.0 + 4.0 * (mode - low) / span
    beta = 1.0 + 4.0 * (high - mode) / span
    draws = rng.beta(alpha, beta, n)
    draws *= span  # in place: one temporary fewer per input
    draws += low
    return draws


def _win_counts_block(rng: np.random.Generator, n: int, volumes: np.ndarray) -> np.ndarray:
    """Win counts of one block of ``n`` samples at every volume and horizon.

    Parameters
    ----------
    rng : numpy.random.Generator
    n : int
        Samples in the block.
    volumes : (K,) float64
        Sorted sweep volumes.

    Returns
    -------
    (len(HORIZONS), K) int64
        Samples in which FT's total is strictly below RAG's.
    """
    # Inputs are drawn and folded into a few per-sample coefficients straight away, so that few
    # 512 KB arrays are alive at once: the block then mostly stays in cache, which is worth ~10 %.
    # hourly = week / 40 throughout.

    # Per query, FT − RAG, in USD per million queries:
    # FT 300·3·(1+pin) + 200·15·(1+pout); RAG (800+ctx)·3 + 200·15.
    premium_in = rng.uniform(0.2, 0.5, n)
    premium_out = rng.uniform(0.5, 1.0, n)
    context = _pert(rng, 1500.0, 2000.0, 3000.0, n)
    per_mquery = 900.0 * premium_in + 3000.0 * premium_out - 3.0 * context - 1500.0
    del premium_in, premium_out, context

    week = _pert(rng, 4000.0, 6000.0, 9000.0, n)
    run = _pert(rng, 50.0, 2000.0, 10000.0, n)
    curation = _pert(rng, 40.0, 100.0, 200.0, n)
    build = _pert(rng, 3.0, 4.0, 6.0, n)
    rag_setup = _pert(rng, 0.5, 1.0, 2.0, n)
    # One-time: FT run + curation·hourly + build·week; RAG setup·week.
    one_time = run + week * (curation * (1.0 / 40.0) + build - rag_setup)
    # Each retrain: run + 0.2·curation·hourly.
    retrain = run + week * curation * (0.2 / 40.0)
    del run, curation, build, rag_setup

    ft_maint = _pert(rng, 0.05, 0.1, 0.3, n)
    rag_maint = _pert(rng, 0.1, 0.25, 0.5, n)
    vector_store = rng.uniform(50.0, 500.0, n)
    # Monthly fixed: FT maintenance·week; RAG vector store + maintenance·week.
    monthly = week * (ft_maint - rag_maint) - vector_store
    del week, ft_maint, rag_maint, vector_store

    inv_every = 1.0 / _pert(rng, 1.0, 3.0, 6.0, n)
    # A zero growth would make the closed form 0/0; flooring it at 1e-12 changes S_H by ~H²·1e-12.
    g = np.maximum(_pert(rng, 0.0, 0.02, 0.06, n), G_FLOOR)

    # (1+g)^H − 1 for H = 12, 24, 36 from one log1p and one expm1 (accurate for small g), using
    # (1+e24) = (1+e12)², (1+e36) = (1+e12)(1+e24).
    log_growth = np.log1p(g)
    growth_m1 = {12: np.expm1(12.0 * log_growth)}
    growth_m1[24] = growth_m1[12] * (growth_m1[12] + 2.0)
    growth_m1[36] = growth_m1[12] + growth_m1[24] + growth_m1[12] * growth_m1[24]

    # FT − RAG at horizon H is a_H + b_H·Q0 with b_H = S_H·per_query, S_H = ((1+g)^H − 1)/g.
    # When FT is cheaper per query in every sample (always, in bench-v1), FT wins iff
    # Q0 > Q* = −a_H/b_H = a_H · scale / ((1+g)^H − 1), scale = −1e6·g/per_mquery.
    fast = bool((per_mquery < 0.0).all())
    scale = g * (-1e6) / per_mquery

    counts = np.empty((len(HORIZONS), len(volumes)), dtype=np.int64)
    for hi, horizon in enumerate(HORIZONS):
        if horizon not in growth_m1:
            growth_m1[horizon] = np.expm1(horizon * log_growth)
        # Retrains at k, 2k, ... <= H: floor(H/k + eps) events.
        a = one_time + horizon * monthly + np.floor(horizon * inv_every + RETRAIN_EPS) * retrain
        if fast:
            breakeven = a * scale
            breakeven /= growth_m1[horizon]
            # Sorting 65k doubles is cheaper than searchsorting them into the grid; then the win
            # count at volume V is #{Q* < V} (strict: a tie is not a win), 41 binary searches.
            breakeven.sort()
            counts[hi] = np.searchsorted(breakeven, volumes, side="left")
        else:
            counts[hi] = _count_wins(a, growth_m1[horizon] / g * per_mquery * 1e-6, volumes)
    return counts


def _count_wins(a: np.ndarray, b: np.ndarray, volumes: np.ndarray) -> np.ndarray:
    """Number of samples with a + b·Q < 0 at each volume Q, for slopes of any sign.

    Not reached with bench-v1's inputs (FT is always cheaper per query); kept so that changed
    inputs give right answers rather than wrong ones. Uses searchsorted into the grid, bincount
    and a cumulative sum: no (samples x volumes) array.

    Parameters
    ----------
    a, b : (n,) float64
        Intercept and slope of FT − RAG in the start volume.
    volumes : (K,) float64
        Sorted volumes.

    Returns
    -------
    (K,) int64
    """
    k = len(volumes)
    counts = np.zeros(k, dtype=np.int64)
    negative = b < 0.0
    if negative.any():
        # Win iff Q > Q*: idx = #volumes <= Q*, and the sample wins at every index >= idx.
        idx = np.searchsorted(volumes, -a[negative] / b[negative], side="right")
        counts += np.cumsum(np.bincount(idx, minlength=k + 1)[:k])
    positive = b > 0.0
    if positive.any():
        # Win iff Q < Q*: idx = #volumes < Q*, and the sample wins at every index < idx.
        idx = np.searchsorted(volumes, -a[positive] / b[positive], side="left")
        counts += np.cumsum(np.bincount(idx, minlength=k + 1)[::-1])[::-1][1:]
    counts += int(np.count_nonzero((b == 0.0) & (a < 0.0)))
    return counts


def simulate(n: int, seed: int = 1) -> tuple[np.ndarray, float]:
    """P(FT total < RAG total) for bench-v1 from ``n`` samples.

    Parameters
    ----------
    n : int
        Samples.
    seed : int
        Seed of the (SFC64, numpy's fastest) bit generator.

    Returns
    -------
    p_win : (3, 41) float64
        Rows H = 12, 24, 36; columns the log-spaced start volumes 1e3..1e7.
    seconds : float
        Wall time of the simulation (imports excluded).
    """
    started = time.perf_counter()
    rng = np.random.Generator(np.random.SFC64(seed))
    volumes = np.geomspace(SWEEP_MIN, SWEEP_MAX, SWEEP_POINTS)  # the same grid as ftrag_mc.volume_grid
    wins = np.zeros((len(HORIZONS), SWEEP_POINTS), dtype=np.int64)
    for start in range(0, n, BLOCK):
        wins += _win_counts_block(rng, min(BLOCK, n - start), volumes)
    return wins / n, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description="bench-v1, hand-specialised numpy: samples/s, peak RSS, P(win).")
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--table", action="store_true", help="also print the whole (3, 41) P(win) table")
    args = parser.parse_args()

    p_win, seconds = simulate(args.samples, args.seed)
    print(f"samples            {args.samples:,}")
    print(f"seconds            {seconds:.3f}")
    print(f"samples/s          {args.samples / seconds:,.0f}")
    print(f"peak RSS (MB)      {peak_rss_mb():,.0f}")
    print_reference_cells(p_win, args.samples)
    if args.table:
        np.set_printoptions(linewidth=160, precision=5, suppress=True)
        print(p_win)


if __name__ == "__main__":
    main()
