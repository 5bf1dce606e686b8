"""bench-v1 (../shared/bench-v1.md) on ftrag-mc alone: samples per second, peak memory, and P(win)
against the reference table. A quick loop for whoever is speeding up the library; run_all.py
measures the same against the numpy script and the plain-Python loop in one run.

Run: python benchmarks/bench_v1.py [--samples N] [--seed S] [--chunk-size C]
"""

from __future__ import annotations

import argparse
import inspect
import time

import numpy as np

import ftrag_mc as fm
from bench_common import BENCH_DIR, HORIZONS, REFERENCE, binomial_variance, peak_rss_mb

# What bench_v1_numpy.py reaches on the reference machine kind (bench-v1.md's table); run
# bench_v1_numpy.py for this machine's figure.
HAND_SPECIALISED_SAMPLES_PER_S = 1.7e6


def main() -> None:
    parser = argparse.ArgumentParser(description="bench-v1 on ftrag-mc: samples/s, peak RSS, P(win) vs the reference.")
    parser.add_argument("--samples", type=int, default=200_000)
    parser.add_argument("--chunk-size", type=int, default=None,
                        help="passed to simulate() only when given [default: the library's]")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    scenario = fm.load_scenario(BENCH_DIR / "bench-v1.toml")
    kwargs = {"samples": args.samples, "seed": args.seed, "sampler": "mc"}
    if args.chunk_size is not None:
        # The simulator is being rebuilt: pass chunk_size only when asked for and still accepted.
        if "chunk_size" not in inspect.signature(fm.simulate).parameters:
            parser.error("this version of ftrag_mc.simulate takes no chunk_size")
        kwargs["chunk_size"] = args.chunk_size
    started = time.perf_counter()
    result = fm.simulate(scenario, **kwargs)
    elapsed = time.perf_counter() - started
    curves = fm.compute_pwin_vs_volume(result)

    rate = args.samples / elapsed
    timings = getattr(result, "timings_s", {}) or {}
    parts = ", ".join(f"{k} {v:.2f}" for k, v in timings.items() if k != "total")
    print(f"samples            {args.samples:,}")
    print(f"seconds            {elapsed:.2f}" + (f"  ({parts})" if parts else ""))
    print(f"samples/s          {rate:,.0f}  ({rate / HAND_SPECIALISED_SAMPLES_PER_S:.3f} x the hand-specialised script)")
    print(f"peak RSS (MB)      {peak_rss_mb():,.0f}")
    print("H   Q0     P(win)    ±2se     reference")
    for horizon in HORIZONS:
        for volume, expected in REFERENCE[horizon].items():
            g = curves[(curves.horizon_months == horizon) & np.isclose(curves.queries_per_month, volume)].iloc[0]
            se = np.sqrt(binomial_variance(g.p_win, args.samples))
            print(f"{horizon:<3} {volume:<6.0e} {g.p_win:.5f}  {2 * se:.5f}  {expected}")


if __name__ == "__main__":
    main()
