"""bench-v1 (../shared/bench-v1.md): samples per second, peak memory, and P(win) against the reference.

Run: python benchmarks/bench_v1.py [--samples N] [--chunk-size C]
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import numpy as np

import ftrag_mc as fm
from ftrag_mc.simulate import DEFAULT_CHUNK_SIZE

REFERENCE = {  # ../shared/bench-v1.md, 1M samples, standard error <= 0.0004
    12: {1e4: 0.00003, 1e5: 0.0008, 1e6: 0.855},
    24: {1e4: 0.0065, 1e5: 0.048, 1e6: 0.983},
    36: {1e4: 0.027, 1e5: 0.155, 1e6: 0.995},
}
HAND_SPECIALISED_SAMPLES_PER_S = 1.7e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=200_000)
    parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    scenario = fm.load_scenario(Path(__file__).with_name("bench-v1.toml"))
    started = time.perf_counter()
    result = fm.simulate(scenario, samples=args.samples, seed=args.seed, sampler="mc", chunk_size=args.chunk_size)
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    rate = args.samples / elapsed
    print(f"samples            {args.samples:,}")
    print(f"seconds            {elapsed:.2f}  (sampling {result.timings_s['sampling']:.2f}, model {result.timings_s['model']:.2f})")
    print(f"samples/s          {rate:,.0f}  ({rate / HAND_SPECIALISED_SAMPLES_PER_S:.3f} x the hand-specialised script)")
    print(f"peak RSS (MB)      {peak_mb:,.0f}")
    curves = fm.compute_pwin_vs_volume(result)
    print("H   Q0     P(win)    ±2se     reference")
    for horizon, row in REFERENCE.items():
        for volume, expected in row.items():
            g = curves[(curves.horizon_months == horizon) & np.isclose(curves.queries_per_month, volume)].iloc[0]
            se = np.sqrt(g.p_win * (1 - g.p_win) / args.samples)
            print(f"{horizon:<3} {volume:<6.0e} {g.p_win:.5f}  {2 * se:.5f}  {expected}")


if __name__ == "__main__":
    main()
