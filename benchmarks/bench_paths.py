"""Issue 18, "every path fast enough": the old code and the new, alternated in one run.

Every figure is a whole fresh process (the new code: this worktree; the old: ``git archive`` of
``--before``, default ``main``, run with its own files on ``PYTHONPATH``), rounds alternate the
variants in a rotating order, and each ratio is taken within a round, so a machine shared with
other work moves both sides of a ratio alike. Printed per figure: median, min-max over the rounds,
and the load average while measuring.

1. ``run``: wall time of ``ftrag-mc run SCENARIO -q`` at the scenario's default samples (charts,
   CSVs and the PDF written), old and new, against the whole process of
   ``bench_v1_numpy.py --samples 1000000``. Target: new / numpy <= 3.
2. ``library``: ``simulate()`` of bench-v1 (1M samples, everything ``run`` reports, default
   workers) in a fresh process, without ``tune_allocator()`` (a notebook) and with it (the
   command line). Target: the library within 5 % of the command line (ratio >= 0.95).
3. ``one-worker``: bench-v1's P(win) table on ONE worker against the single-core numpy script in
   the same process (1M samples). Target: numpy seconds / ftrag-mc seconds >= 1.0.
4. ``busy``: bench-v1 (1M, everything) with 1 worker, 2 workers and the default, while another
   process keeps a core busy (a numpy loop), and on the machine as it is. The default should be
   no slower than the better of 1 and 2.

Run: python benchmarks/bench_paths.py [--rounds 5] [--before main] [--only run,library] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench_common import BENCH_DIR, REPO_DIR

SECTIONS = ("run", "library", "one-worker", "busy")
BUSY_LOOP = ("import numpy as np\n"
             "a = np.random.default_rng(0).random(1 << 16); b = np.empty_like(a)\n"
             "while True:\n    np.exp(a, out=b)\n")


@dataclass
class Code:
    """One version of ftrag-mc: the folder its package and scenarios are read from."""

    name: str
    root: Path

    def env(self) -> dict[str, str]:
        return {**os.environ, "PYTHONPATH": str(self.root), "MPLBACKEND": "Agg"}


@dataclass
class Figure:
    """Seconds of one variant over the rounds, and the load average when each was taken."""

    label: str
    seconds: list[float] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)

    def line(self) -> str:
        s = self.seconds
        return (f"  {self.label:<52} median {statistics.median(s):7.3f} s   min {min(s):7.3f}   max {max(s):7.3f}"
                f"   (n={len(s)}, load {min(self.loads):.1f}-{max(self.loads):.1f})")


def ratio_line(label: str, ratios: list[float], op: str, limit: float) -> tuple[str, bool]:
    """A ratio's median and spread over the rounds, and whether its median meets ``op limit``."""
    mid = statistics.median(ratios)
    ok = mid <= limit if op == "<=" else mid >= limit
    return (f"  {label:<52} median {mid:7.3f}     min {min(ratios):7.3f}   max {max(ratios):7.3f}"
            f"   target {op} {limit:g}  {'PASS' if ok else 'FAIL'}"), ok


def load() -> float:
    return os.getloadavg()[0]


def timed(cmd: list[str], code: Code, cwd: Path | None = None) -> float:
    """Wall seconds of ``cmd`` as a fresh process (it must succeed)."""
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd or code.root, env=code.env(), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} ({code.name}) failed:\n{done.stderr[-2000:]}")
    return seconds


def child(code: Code, **options) -> dict:
    """Run paths_child.py with ``code`` on the path; its JSON figures."""
    cmd = [sys.executable, str(BENCH_DIR / "paths_child.py")]
    for key, value in options.items():
        if value is True:
            cmd.append(f"--{key.replace('_', '-')}")
        elif value not in (None, False):
            cmd += [f"--{key.replace('_', '-')}", str(value)]
    done = subprocess.run(cmd, cwd=code.root, env=code.env(), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"paths_child {options} ({code.name}) failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def rotated(items: list, round_index: int) -> list:
    k = round_index % len(items)
    return items[k:] + items[:k]


def archive(ref: str, into: Path) -> Code:
    """The tree of ``ref`` (package, scenarios, benchmarks) extracted into ``into``."""
    tar = subprocess.run(["git", "archive", ref], cwd=REPO_DIR, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=tar, check=True)
    rev = subprocess.run(["git", "rev-parse", "--short", ref], cwd=REPO_DIR, capture_output=True, text=True).stdout
    return Code(f"old ({ref} {rev.strip()})", into)


# --- the sections ---------------------------------------------------------------------------


def section_run(new: Code, old: Code, args: argparse.Namespace) -> list[bool]:
    """``ftrag-mc run`` at the scenario's default samples vs the numpy script's process at 1M."""
    print(f"\n1. ftrag-mc run {args.scenario} (default samples) vs bench_v1_numpy.py --samples 1000000, "
          "whole processes")
    numpy_cmd = [sys.executable, str(BENCH_DIR / "bench_v1_numpy.py"), "--samples", str(args.numpy_samples)]
    figures = {k: Figure(label) for k, label in (("numpy", "numpy script, 1M samples"),
                                                  ("new", f"ftrag-mc run, {new.name}"),
                                                  ("old", f"ftrag-mc run, {old.name}"))}
    ratios: dict[str, list[float]] = {"new": [], "old": [], "speedup": []}
    for r in range(args.rounds):
        got = {}
        for which in rotated(["numpy", "new", "old"], r):
            code = {"numpy": new, "new": new, "old": old}[which]
            with tempfile.TemporaryDirectory(prefix="ftrag-paths-") as out:
                cmd = numpy_cmd if which == "numpy" else \
                    [sys.executable, "-m", "ftrag_mc", "run", args.scenario, "--out", out, "-q"]
                figures[which].loads.append(load())
                got[which] = timed(cmd, code)
            figures[which].seconds.append(got[which])
        ratios["new"].append(got["new"] / got["numpy"])
        ratios["old"].append(got["old"] / got["numpy"])
        ratios["speedup"].append(got["old"] / got["new"])
    for f in figures.values():
        print(f.line())
    line, ok = ratio_line("ratio new run / numpy process", ratios["new"], "<=", 3.0)
    print(line)
    print(ratio_line("ratio old run / numpy process", ratios["old"], "<=", 3.0)[0].rsplit("target", 1)[0])
    print(ratio_line("speed-up old / new", ratios["speedup"], ">=", 1.0)[0].rsplit("target", 1)[0])
    return [ok]


def section_library(new: Code, old: Code, args: argparse.Namespace) -> list[bool]:
    """simulate() in a fresh process, without tune_allocator (a notebook) and with it (the CLI)."""
    print(f"\n2. simulate(bench-v1, {args.samples:,} samples, outputs='all', default workers) in a fresh "
          "process: without tune_allocator() (library) vs with it (command line); "
          f"after a {args.warmup:,}-sample warm-up")
    spec = {"task": "simulate", "scenario": "benchmarks/bench-v1.toml", "samples": args.samples,
            "sampler": "mc", "warmup": args.warmup}
    variants = [(code, tune) for code in (new, old) for tune in (False, True)]
    figures = {(c.name, t): Figure(f"{c.name}, {'tune_allocator (CLI)' if t else 'no tune_allocator (library)'}")
               for c, t in variants}
    for r in range(args.rounds):
        for code, tune in rotated(variants, r):
            figures[(code.name, tune)].loads.append(load())
            figures[(code.name, tune)].seconds += child(code, **spec, tune=tune)["seconds"]
    for f in figures.values():
        print(f.line())
    oks = []
    for code in (new, old):
        ratios = [a / b for a, b in zip(figures[(code.name, True)].seconds, figures[(code.name, False)].seconds)]
        line, ok = ratio_line(f"library / CLI speed, {code.name}", ratios, ">=", 0.95)
        print(line if code is new else line.rsplit("target", 1)[0])
        oks.append(ok) if code is new else None
    return oks


def section_one_worker(new: Code, old: Code, args: argparse.Namespace) -> list[bool]:
    """bench-v1's P(win) table on one worker vs the numpy script, in the same process."""
    print(f"\n3. bench-v1 P(win) table, ONE worker, vs the single-core numpy script ({args.samples:,} samples, "
          "alternated in one process)")
    ratios = {new.name: [], old.name: []}
    figures = {c.name: Figure(f"ftrag-mc workers=1, {c.name}") for c in (new, old)}
    numpy_fig = Figure("numpy script (same processes)")
    for r in range(args.rounds):
        for code in rotated([new, old], r):
            figures[code.name].loads.append(load())
            got = child(code, task="one-worker", scenario="benchmarks/bench-v1.toml", samples=args.samples,
                        repeats=2)
            figures[code.name].seconds += got["seconds"]
            numpy_fig.seconds += got["numpy_seconds"]
            numpy_fig.loads.append(load())
            ratios[code.name] += [b / a for a, b in zip(got["seconds"], got["numpy_seconds"])]
    for f in (*figures.values(), numpy_fig):
        print(f.line())
    line, ok = ratio_line(f"numpy s / ftrag-mc s, {new.name}", ratios[new.name], ">=", 1.0)
    print(line)
    print(ratio_line(f"numpy s / ftrag-mc s, {old.name}", ratios[old.name], ">=", 1.0)[0].rsplit("target", 1)[0])
    return [ok]


def section_busy(new: Code, old: Code, args: argparse.Namespace) -> list[bool]:
    """1 vs 2 workers vs the default, with another process keeping a core busy, and without."""
    print(f"\n4. simulate(bench-v1, {args.samples:,}, outputs='all') by worker count, another core busy "
          f"(a numpy loop in its own process), then as the machine is; {os.cpu_count()} CPUs")
    spec = {"task": "simulate", "scenario": "benchmarks/bench-v1.toml", "samples": args.samples, "sampler": "mc",
            "warmup": args.warmup}
    oks = []
    for busy in (True, False):
        hog = subprocess.Popen([sys.executable, "-c", BUSY_LOOP]) if busy else None
        try:
            time.sleep(1.0 if busy else 0.0)  # the load average and the scheduler see it
            variants = [("1 worker", 1), ("2 workers", 2), ("default workers", 0)]
            figures = {name: Figure(f"{'busy core' if busy else 'as is'}: {name} ({new.name})")
                       for name, _ in variants}
            picked = set()
            for r in range(args.rounds):
                for name, workers in rotated(variants, r):
                    figures[name].loads.append(load())
                    got = child(new, **spec, workers=workers)
                    figures[name].seconds += got["seconds"]
                    if workers == 0:
                        picked.add(got.get("workers"))
        finally:
            if hog is not None:
                hog.kill()
                hog.wait()
        for f in figures.values():
            print(f.line())
        best = min(statistics.median(figures[n].seconds) for n in ("1 worker", "2 workers"))
        ratios = [best / s for s in figures["default workers"].seconds]
        line, ok = ratio_line(f"{'busy' if busy else 'as is'}: best of 1|2 / default (picked {sorted(picked)})",
                              ratios, ">=", 0.9)
        print(line)
        oks.append(ok)
    return oks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", default="main", help="git ref of the old code [default main]")
    parser.add_argument("--rounds", type=int, default=5, help="alternated rounds per figure [default 5]")
    parser.add_argument("--samples", type=int, default=1_000_000, help="bench-v1 samples [default 1M]")
    parser.add_argument("--numpy-samples", type=int, default=1_000_000)
    parser.add_argument("--warmup", type=int, default=2048)
    parser.add_argument("--scenario", default="scenarios/support-classifier.toml")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"sections, of {','.join(SECTIONS)}")
    parser.add_argument("--quick", action="store_true", help="2 rounds, 200k samples: a smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.samples = 2, 200_000
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    tmp = Path(tempfile.mkdtemp(prefix="ftrag-before-"))
    try:
        old = archive(args.before, tmp)
        new = Code("new (this worktree)", REPO_DIR)
        print(f"bench_paths: {os.cpu_count()} CPUs, affinity {len(os.sched_getaffinity(0))}, "
              f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {args.rounds} rounds; "
              f"old = {old.name}")
        oks = []
        for name, run in (("run", section_run), ("library", section_library),
                          ("one-worker", section_one_worker), ("busy", section_busy)):
            if name in only:
                oks += run(new, old, args)
        print(f"\nload average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
              f"{sum(oks)} of {len(oks)} targets pass")
        return 0 if all(oks) else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
