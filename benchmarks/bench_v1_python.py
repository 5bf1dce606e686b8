"""bench-v1 as a plain-Python loop: one sample at a time, month by month, like a spreadsheet.

The workload is ../shared/bench-v1.md. For every sample the inputs are drawn with the standard
library's ``random`` module; then, for every start volume of the sweep, the months are walked one by
one, adding each month's RAG and fine-tune (FT) costs to running totals, and at months 12, 24 and 36
the totals are compared. No closed forms and no numpy: this is the baseline a user without a
vectorised tool would write, and the figure ftrag-mc is measured against (target: ≥ 100x faster).

Run: python benchmarks/bench_v1_python.py [--samples 20000] [--seed 1]
"""

from __future__ import annotations

import argparse
import math
import random
import time

from bench_common import HORIZONS, peak_rss_mb, print_reference_cells, sweep_volumes

RETRAIN_EPS = 1e-9  # as ftrag_mc.model.calendar: an event at 3 x 1.1 = 3.3000000000000003 is in month 4


def pert(rng: random.Random, low: float, mode: float, high: float) -> float:
    """One draw of PERT(low, mode, high), λ = 4, with ``random.betavariate``.

    Parameters
    ----------
    rng : random.Random
    low, mode, high : float

    Returns
    -------
    float
    """
    span = high - low
    return low + span * rng.betavariate(1.0 + 4.0 * (mode - low) / span, 1.0 + 4.0 * (high - mode) / span)


def simulate(n: int, seed: int = 1) -> tuple[list[list[float]], float]:
    """P(FT total < RAG total) for bench-v1 from ``n`` samples, by explicit loops.

    Parameters
    ----------
    n : int
        Samples.
    seed : int
        Seed of ``random.Random``.

    Returns
    -------
    p_win : list of 3 lists of 41 floats
        Rows H = 12, 24, 36; columns the log-spaced start volumes 1e3..1e7.
    seconds : float
        Wall time of the simulation.
    """
    started = time.perf_counter()
    rng = random.Random(seed)
    volumes = sweep_volumes()
    horizon = max(HORIZONS)
    wins = [[0] * len(volumes) for _ in HORIZONS]

    for _ in range(n):
        # Draw this sample's inputs (bench-v1.md's table, top to bottom).
        growth = pert(rng, 0.0, 0.02, 0.06)
        week = pert(rng, 4000.0, 6000.0, 9000.0)
        hourly = week / 40.0
        context = pert(rng, 1500.0, 2000.0, 3000.0)
        vector_store = rng.uniform(50.0, 500.0)
        rag_setup = pert(rng, 0.5, 1.0, 2.0)
        rag_maint = pert(rng, 0.1, 0.25, 0.5)
        premium_in = rng.uniform(0.2, 0.5)
        premium_out = rng.uniform(0.5, 1.0)
        run = pert(rng, 50.0, 2000.0, 10000.0)
        curation = pert(rng, 40.0, 100.0, 200.0)
        build = pert(rng, 3.0, 4.0, 6.0)
        every = pert(rng, 1.0, 3.0, 6.0)
        ft_maint = pert(rng, 0.05, 0.1, 0.3)

        # What does not depend on the month or the volume, as a spreadsheet's input cells would.
        rag_per_query = ((800.0 + context) * 3.0 + 200.0 * 15.0) / 1e6
        ft_per_query = (300.0 * 3.0 * (1.0 + premium_in) + 200.0 * 15.0 * (1.0 + premium_out)) / 1e6
        rag_monthly = vector_store + rag_maint * week
        ft_monthly = ft_maint * week
        retrain_usd = run + 0.2 * curation * hourly

        for vi, q0 in enumerate(volumes):
            rag_total = rag_setup * week
            ft_total = run + curation * hourly + build * week
            queries = q0
            hi = 0
            for month in range(1, horizon + 1):
                rag_total += queries * rag_per_query + rag_monthly
                ft_total += queries * ft_per_query + ft_monthly
                # Retrains at every, 2·every, ... fall in the month ceil(j·every): count this month's.
                retrains = math.floor(month / every + RETRAIN_EPS) - math.floor((month - 1) / every + RETRAIN_EPS)
                ft_total += retrains * retrain_usd
                if month == HORIZONS[hi]:
                    if ft_total < rag_total:
                        wins[hi][vi] += 1
                    hi += 1
                queries *= 1.0 + growth

    p_win = [[count / n for count in row] for row in wins]
    return p_win, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description="bench-v1, plain-Python loop: samples/s, peak RSS, P(win).")
    parser.add_argument("--samples", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    p_win, seconds = simulate(args.samples, args.seed)
    print(f"samples            {args.samples:,}")
    print(f"seconds            {seconds:.2f}")
    print(f"samples/s          {args.samples / seconds:,.0f}")
    print(f"peak RSS (MB)      {peak_rss_mb():,.0f}")
    print_reference_cells(p_win, args.samples)


if __name__ == "__main__":
    main()
