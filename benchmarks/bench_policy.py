"""How long a trigger search takes, and that its memory does not grow with the samples.

Run: python benchmarks/bench_policy.py [--samples 20000] [--points 40] [--scenario scenarios/staged-support.toml]
Target (issue 16): a 40-point trigger search at 20,000 samples on a shipped scenario in at most
10 s on a 2-core machine. Printed: the search alone (``compute_policy``, every worker and with one),
the month search, ``ftrag-mc policy`` end to end (a subprocess: imports, chart, files), and the
peak traced memory (tracemalloc, one worker) at 1x, 5x and 20x the samples: flat, because a
block of 16,384 samples is reduced to per-trigger sums and counts before the next starts.
Figures vary with the machine and with what else runs on it: compare ratios from one run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import ftrag_mc as fm
from ftrag_mc.analysis.policy import compute_policy

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 10.0


def timed(f, *args, **kwargs):
    started = time.perf_counter()
    out = f(*args, **kwargs)
    return out, time.perf_counter() - started


def peak_traced_mb(scenario, samples: int, points: int) -> float:
    tracemalloc.start()
    compute_policy(scenario, samples=samples, points=points, workers=1)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=20_000)
    parser.add_argument("--points", type=int, default=40)
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "staged-support.toml"))
    parser.add_argument("--skip-memory", action="store_true", help="skip the tracemalloc runs (slower)")
    args = parser.parse_args()
    fm.tune_allocator()
    scenario = fm.load_scenario(args.scenario)
    compute_policy(scenario, samples=2_000, points=4, workers=1)  # warm-up: imports, PINV tables

    result, seconds = timed(compute_policy, scenario, samples=args.samples, points=args.points)
    _, one = timed(compute_policy, scenario, samples=args.samples, points=args.points, workers=1)
    _, months = timed(compute_policy, scenario, samples=args.samples, trigger="month")
    print(f"scenario {Path(args.scenario).name}: {args.samples:,} samples, horizon {scenario.horizon_months} months")
    print(f"  {args.points}-point volume search, all workers: {seconds:6.2f} s ({args.samples / seconds:,.0f} samples/s)"
          f"  {'PASS' if seconds <= TARGET_S else 'FAIL'} (target <= {TARGET_S:g} s)")
    print(f"  {args.points}-point volume search, one worker:  {one:6.2f} s")
    print(f"  {scenario.horizon_months}-month search, all workers:       {months:6.2f} s")
    best = result.best_row
    print(f"  best: {best['policy']} {best['volume_above_queries_per_month']:,.0f}/month, value of flexibility "
          f"{result.flexibility_usd:,.0f} ± {result.flexibility_se_usd:,.0f} USD")

    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "ftrag_mc", "policy", args.scenario, "-n", str(args.samples),
                   "--points", str(args.points), "-o", out, "-q"]
        started = time.perf_counter()
        subprocess.run(command, check=True, cwd=ROOT)
        print(f"  ftrag-mc policy end to end (imports, search, chart, files): {time.perf_counter() - started:6.2f} s")

    if not args.skip_memory:
        for factor in (1, 5, 20):
            n = args.samples * factor
            print(f"  peak traced memory at {n:>9,} samples (one worker): {peak_traced_mb(scenario, n, args.points):7.1f} MB")


if __name__ == "__main__":
    main()
