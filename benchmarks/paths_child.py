"""One measurement of bench_paths.py, in a fresh interpreter: prints one JSON line of figures.

Run by :mod:`bench_paths` with whichever ftrag-mc is first on ``PYTHONPATH`` (this worktree's, or
an archive of an earlier commit), so the same measurement runs on the old and the new code. Only
public calls are used (``load_scenario``, ``simulate``, ``tune_allocator``,
``compute_pwin_vs_volume``), so it runs on either.

Tasks (``--task``):

``simulate``
    Times ``simulate(scenario, samples, seed, sampler, outputs, workers)`` once after a small
    warm-up run of the same scenario (``--warmup`` samples; 0 for none: the first call of a fresh
    notebook process). ``--tune`` calls ``tune_allocator()`` first, as the command line does.
``one-worker``
    bench-v1's P(win) table on one worker (``outputs="pwin"``, ``workers=1``, sampler mc) and the
    hand-specialised numpy script, alternated ``--repeats`` times in this process after a warm-up
    of each; both are timed to the end of their P(win) table.

Output: ``{"seconds": [...], "numpy_seconds": [...], "cpu_s": ..., "load": ...}``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))


def _simulate(args: argparse.Namespace) -> dict:
    import ftrag_mc as fm

    if args.tune:
        fm.tune_allocator()
    scenario = fm.load_scenario(args.scenario)
    kwargs = {"seed": args.seed, "outputs": args.outputs}
    if args.sampler:
        kwargs["sampler"] = args.sampler
    if args.workers:
        kwargs["workers"] = args.workers
    if args.warmup:
        fm.simulate(scenario, samples=args.warmup, **{**kwargs, "seed": args.seed + 1})
    cpu = time.process_time()
    started = time.perf_counter()
    result = fm.simulate(scenario, samples=args.samples, **kwargs)
    if args.outputs == "pwin":
        fm.compute_pwin_vs_volume(result)
    seconds = time.perf_counter() - started
    return {"seconds": [seconds], "cpu_s": time.process_time() - cpu, "workers": getattr(result, "workers", None)}


def _one_worker(args: argparse.Namespace) -> dict:
    import ftrag_mc as fm
    import bench_v1_numpy

    scenario = fm.load_scenario(args.scenario)
    kwargs = {"sampler": "mc", "outputs": "pwin", "workers": 1}
    fm.compute_pwin_vs_volume(fm.simulate(scenario, samples=20_000, seed=args.seed + 1, **kwargs))
    bench_v1_numpy.simulate(20_000, args.seed + 1)
    ours, theirs = [], []
    for _ in range(args.repeats):
        started = time.perf_counter()
        fm.compute_pwin_vs_volume(fm.simulate(scenario, samples=args.samples, seed=args.seed, **kwargs))
        ours.append(time.perf_counter() - started)
        theirs.append(bench_v1_numpy.simulate(args.samples, args.seed)[1])
    return {"seconds": ours, "numpy_seconds": theirs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--task", choices=("simulate", "one-worker"), required=True)
    parser.add_argument("--scenario", required=True)
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sampler", default=None)
    parser.add_argument("--outputs", default="all")
    parser.add_argument("--workers", type=int, default=0, help="0: the library's default")
    parser.add_argument("--warmup", type=int, default=0)
    parser.add_argument("--tune", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    figures = _simulate(args) if args.task == "simulate" else _one_worker(args)
    figures["load"] = os.getloadavg()[0]
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
