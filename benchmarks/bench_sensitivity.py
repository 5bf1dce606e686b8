"""How long a full sensitivity study takes: tornado, spider, global indices (Sobol for every input),
EVPI and EVPPI for every input, on each shipped scenario; and Sobol indices for 20 inputs.

Run: python benchmarks/bench_sensitivity.py [--samples 20000] [--sobol-samples 4096]
Targets (issue: sensitivity and value of information): a full study of a shipped scenario under
30 s on a 2-core machine; Sobol indices for 20 inputs under 30 s.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import ftrag_mc as fm
from ftrag_mc.analysis import sensitivity, voi

ROOT = Path(__file__).resolve().parents[1]


def timed(f, *args, **kwargs):
    started = time.perf_counter()
    out = f(*args, **kwargs)
    return out, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=20_000)
    parser.add_argument("--sobol-samples", type=int, default=4096)
    args = parser.parse_args()
    fm.tune_allocator()
    print(f"{'scenario':<22} {'inputs':>6} {'simulate':>9} {'tornado':>8} {'spider':>7} {'global':>7} "
          f"{'EVPI':>6} {'EVPPI':>6} {'total':>7}  target < 30 s")
    worst = 0.0
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        scenario = fm.load_scenario(path)
        result, t_sim = timed(fm.simulate, scenario, samples=args.samples, keep_samples=True)
        evpi, t_evpi = timed(voi.compute_evpi, result)
        best = evpi.loc[evpi["is_optimal"], "strategy"].iloc[0]
        challenger = best if best != result.baseline else None
        _, t_tornado = timed(sensitivity.compute_tornado, scenario, challenger=challenger, result=result)
        _, t_spider = timed(sensitivity.compute_spider, scenario, challenger=challenger, result=result)
        _, t_global = timed(sensitivity.compute_global, result, challenger=challenger,
                            sobol_samples=args.sobol_samples)
        _, t_evppi = timed(voi.compute_evppi, result)
        total = t_sim + t_evpi + t_tornado + t_spider + t_global + t_evppi
        worst = max(worst, total)
        print(f"{path.stem:<22} {len(scenario.uncertain_inputs):>6} {t_sim:>8.2f}s {t_tornado:>7.2f}s "
              f"{t_spider:>6.2f}s {t_global:>6.2f}s {t_evpi:>5.2f}s {t_evppi:>5.2f}s {total:>6.2f}s")
    print(f"worst full study: {worst:.1f} s  {'PASS' if worst < 30 else 'FAIL'} (target < 30 s)")

    # Sobol indices for exactly 20 inputs: the support-classifier's first 20 uncertain inputs.
    scenario = fm.load_scenario(ROOT / "scenarios" / "support-classifier.toml")
    names = list(scenario.uncertain_inputs)
    result = fm.simulate(scenario, samples=2000, keep_samples=True)
    keep = names[:20]
    frame, seconds = timed(sensitivity.compute_global, result, sobol_samples=args.sobol_samples)
    rows = frame[frame["input"].isin(keep)]
    print(f"Sobol indices, {len(names)} inputs (>= 20), {args.sobol_samples} base samples: {seconds:.1f} s  "
          f"{'PASS' if seconds < 30 else 'FAIL'} (target < 30 s); {len(rows)} of the first 20 reported")


if __name__ == "__main__":
    main()
