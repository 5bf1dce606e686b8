"""Every benchmark of ftrag-mc in one run: speed, agreement and memory, each target marked PASS/FAIL.

Sections (all figures are measured in this one run, on this machine):

1. bench-v1 (../shared/bench-v1.md) in-process: samples/s of ftrag-mc (``simulate`` then
   ``compute_pwin_vs_volume``), of the hand-specialised numpy script and of the plain-Python loop;
   the ratios ftrag-mc/numpy (target ≥ 1) and ftrag-mc/python (target ≥ 100); the worst |z| over the
   3 x 41 P(win) cells between ftrag-mc and each independent implementation, and against the 9
   reference cells of bench-v1.md.
2. bench-selfhosted (benchmarks/bench-selfhosted.toml): ftrag-mc samples/s (target ≥ 300k/s) and the
   worst |z| against the independent numpy implementation.
3. ``ftrag-mc run`` on a shipped scenario at 1M samples, charts and CSVs included, timed as a
   subprocess, against the whole process of ``bench_v1_numpy.py --samples 1000000`` (target ≤ 4x).
4. Peak RSS of ``ftrag-mc run`` for every ``scenarios/*.toml`` at 1M (target ≤ 300 MB) and, with
   ``--memory-10m``, at 10M samples (target ≤ 600 MB).

Agreement checks (|z| < 4) are not speed targets but catch a wrong model: with ~100 independent cells
a worst |z| above 4 happens by chance well under 1 % of the time.

Run: python benchmarks/run_all.py [--quick] [--samples N] [--seed S] [--skip-run] [--memory-10m]
Exit status 1 if any target fails or a section errors, else 0.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import bench_selfhosted_numpy
import bench_v1_numpy
import bench_v1_python
from bench_common import BENCH_DIR, HORIZONS, REPO_DIR, SWEEP_MAX, SWEEP_MIN, SWEEP_POINTS, worst_z, worst_z_reference

Z_LIMIT = 4.0
MB = 1024 * 1024


# --------------------------------------------------------------------------------------------
# Targets and printing
# --------------------------------------------------------------------------------------------


@dataclass
class Target:
    """One figure with a threshold; ``value`` None means the measurement failed.

    ``judged``, when given, is what the threshold applies to instead of ``value`` (the pooled z of
    an agreement check, while ``value`` is the unpooled z the brief defines).
    """

    name: str
    value: float | None
    op: str  # ">=", "<=" or "<"
    limit: float
    fmt: str = "{:,.2f}"
    note: str = ""
    judged: float | None = None

    @property
    def status(self) -> str:
        x = self.value if self.judged is None else self.judged
        if x is None or (isinstance(x, float) and math.isnan(x)):
            return "ERROR"
        ok = {">=": x >= self.limit, "<=": x <= self.limit, "<": x < self.limit}[self.op]
        return "PASS" if ok else "FAIL"

    def line(self) -> str:
        shown = "—" if self.value is None else self.fmt.format(self.value)
        limit = self.fmt.format(self.limit)
        note = f"  {self.note}" if self.note else ""
        return f"  {self.name:<56} {shown:>14}   target {self.op} {limit:<10} {self.status}{note}"


TARGETS: list[Target] = []


def target(name: str, value: float | None, op: str, limit: float, fmt: str = "{:,.2f}", note: str = "",
           judged: float | None = None) -> None:
    """Record a target and print its line at once (long runs show progress as they go).

    Parameters
    ----------
    name : str
        What is measured.
    value : float or None
        The measurement; None when it could not be made.
    op : {">=", "<=", "<"}
        How value must compare with limit.
    limit : float
        The threshold.
    fmt : str
        Format of value and limit.
    note : str
        Printed after the status (e.g. where the worst cell is).
    judged : float, optional
        What the threshold applies to, if not ``value``.
    """
    t = Target(name, value, op, limit, fmt, note, judged)
    TARGETS.append(t)
    print(t.line(), flush=True)


def row(label: str, samples: int, seconds: float, extra: str = "") -> None:
    """Print one implementation's timing line."""
    print(f"  {label:<34} {samples:>12,} {seconds:>10.3f} {samples / seconds:>14,.0f}  {extra}", flush=True)


def header(title: str) -> None:
    print(f"\n{title}\n{'-' * len(title)}", flush=True)


def section_error(what: str) -> None:
    """Report a section that raised, with the last lines of the traceback, and go on."""
    lines = traceback.format_exc().strip().splitlines()
    print(f"  ERROR in {what}: {lines[-1]}", flush=True)
    for line in lines[-6:-1]:
        print(f"    {line}")


def where_cell(cell: tuple[int, int]) -> str:
    """'H=36, Q0=1e+06' for a (horizon index, volume index) cell."""
    volumes = np.geomspace(SWEEP_MIN, SWEEP_MAX, SWEEP_POINTS)
    return f"H={HORIZONS[cell[0]]}, Q0={volumes[cell[1]]:.3g}"


# --------------------------------------------------------------------------------------------
# ftrag-mc in-process
# --------------------------------------------------------------------------------------------


def ftrag_pwin(scenario_path: Path, samples: int, seed: int, sampler: str | None,
               outputs: str = "pwin") -> tuple[np.ndarray, float]:
    """P(win) (3, 41) of a one-challenger scenario from ftrag-mc, and the seconds it took.

    The time covers ``simulate`` and ``compute_pwin_vs_volume``, like the scripts' own timings
    (which also end at the P(win) table); loading the TOML is excluded. The library's defaults for
    chunking, workers or engine are used, whatever they are.

    Parameters
    ----------
    scenario_path : Path
    samples, seed : int
    sampler : str or None
        None keeps the scenario's own sampler.
    outputs : str
        ``"pwin"``: the same table the scripts compute (P(win) over the volume grid, and the
        breakeven distribution); ``"all"``: everything ``ftrag-mc run`` reports as well (paths by
        month at the scenario's volume, payback, ΔNPC histograms).

    Returns
    -------
    p_win : (len(HORIZONS), 41) float64
    seconds : float
    """
    import ftrag_mc as fm

    scenario = fm.load_scenario(scenario_path)
    kwargs = {"samples": samples, "seed": seed, "outputs": outputs}
    if sampler is not None:
        kwargs["sampler"] = sampler
    started = time.perf_counter()
    result = fm.simulate(scenario, **kwargs)
    curves = fm.compute_pwin_vs_volume(result)
    seconds = time.perf_counter() - started

    volumes = np.geomspace(SWEEP_MIN, SWEEP_MAX, SWEEP_POINTS)
    p_win = np.full((len(HORIZONS), SWEEP_POINTS), np.nan)
    for hi, horizon in enumerate(HORIZONS):
        g = curves[curves["horizon_months"] == horizon].sort_values("queries_per_month")
        got = g["queries_per_month"].to_numpy(dtype=float)
        if len(got) != SWEEP_POINTS or not np.allclose(got, volumes, rtol=1e-9):
            raise ValueError(f"unexpected volume grid for H={horizon}: {len(got)} points")
        p_win[hi] = g["p_win"].to_numpy(dtype=float)
    return p_win, seconds


def _agreement(p1: np.ndarray, n1: int, p2: np.ndarray, n2: int) -> tuple:
    """Arguments of :func:`target` for an agreement check between two (3, 41) P(win) tables.

    The figure is the worst unpooled |z| (se_i² = p_i(1 − p_i)/n_i); the check (< Z_LIMIT) is on
    the worst pooled |z|, which does not blow up in cells with a handful of wins.
    """
    z, cell = worst_z(p1, n1, p2, n2)
    z_pooled, cell_pooled = worst_z(p1, n1, p2, n2, pooled=True)
    note = f"at {where_cell(cell)}; checked: pooled |z| {z_pooled:.2f} at {where_cell(cell_pooled)}"
    return z, "<", Z_LIMIT, "{:,.2f}", note, z_pooled


def _ratio(a: float | None, b: float | None) -> float | None:
    """a / b, or None when either measurement is missing."""
    return None if a is None or b is None else a / b


def bench_v1(args: argparse.Namespace) -> None:
    """Section 1: bench-v1, ftrag-mc vs the numpy script vs the plain-Python loop."""
    n, n_py, seed = args.samples, args.python_samples, args.seed
    header(f"bench-v1 (../shared/bench-v1.md): seed {seed}")
    print(f"  {'implementation':<34} {'samples':>12} {'seconds':>10} {'samples/s':>14}")
    p_fm = p_np = p_py = None
    rate_fm = rate_np = rate_py = None
    # Each implementation first runs once on a few samples: imports, caches and first-call costs
    # are not what samples/s should measure.
    try:
        ftrag_pwin(BENCH_DIR / "bench-v1.toml", 2048, seed + 1, "mc")
        p_fm, s = ftrag_pwin(BENCH_DIR / "bench-v1.toml", n, seed, "mc")
        rate_fm = n / s
        row("ftrag-mc (the same table)", n, s, "sampler mc, outputs='pwin'")
        p_all, s = ftrag_pwin(BENCH_DIR / "bench-v1.toml", n, seed, "mc", outputs="all")
        row("ftrag-mc (everything run reports)", n, s, "outputs='all': + paths, payback, ΔNPC")
        if not np.array_equal(p_all, p_fm):
            raise AssertionError("outputs='all' and 'pwin' disagree on P(win)")
    except Exception:
        section_error("ftrag-mc on bench-v1")
    try:
        bench_v1_numpy.simulate(2048, seed + 1)
        p_np, s = bench_v1_numpy.simulate(n, seed)
        rate_np = n / s
        row("numpy, hand-specialised", n, s, "bench_v1_numpy.py")
    except Exception:
        section_error("bench_v1_numpy")
    try:
        bench_v1_python.simulate(20, seed + 1)
        p_py, s = bench_v1_python.simulate(n_py, seed)
        p_py = np.asarray(p_py)
        rate_py = n_py / s
        row("plain-Python loop", n_py, s, "bench_v1_python.py")
    except Exception:
        section_error("bench_v1_python")

    print()
    target("bench-v1: samples/s ratio ftrag-mc / numpy", _ratio(rate_fm, rate_np), ">=", 1.0, "{:,.3f}")
    target("bench-v1: samples/s ratio ftrag-mc / python", _ratio(rate_fm, rate_py), ">=", 100.0, "{:,.1f}")

    pairs = [("ftrag-mc vs numpy", p_fm, n, p_np, n), ("ftrag-mc vs python", p_fm, n, p_py, n_py),
             ("numpy vs python", p_np, n, p_py, n_py)]
    for label, p1, n1, p2, n2 in pairs:
        if p1 is None or p2 is None:
            target(f"bench-v1: worst |z|, 3x41 cells, {label}", None, "<", Z_LIMIT)
            continue
        target(f"bench-v1: worst |z|, 3x41 cells, {label}", *_agreement(p1, n1, p2, n2))
    for label, p, m in [("ftrag-mc", p_fm, n), ("numpy", p_np, n), ("python", p_py, n_py)]:
        if p is None:
            target(f"bench-v1: worst |z|, 9 reference cells, {label}", None, "<", Z_LIMIT)
            continue
        z, (h, q) = worst_z_reference(p, m)
        target(f"bench-v1: worst |z|, 9 reference cells, {label}", z, "<", Z_LIMIT, note=f"H={h}, Q0={q:.0e}")


def bench_selfhosted(args: argparse.Namespace) -> None:
    """Section 2: bench-selfhosted, ftrag-mc (the scenario's own sampler) vs the numpy check."""
    n, n_check, seed = args.selfhosted_samples, args.check_samples, args.seed
    header(f"bench-selfhosted (benchmarks/bench-selfhosted.toml): seed {seed}")
    print(f"  {'implementation':<34} {'samples':>12} {'seconds':>10} {'samples/s':>14}")
    p_fm = p_np = None
    rate_fm = None
    try:
        # A small first run keeps one-time costs (imports, first LHS design) out of the timing.
        ftrag_pwin(BENCH_DIR / "bench-selfhosted.toml", 2048, seed + 1, None)
        p_fm, s = ftrag_pwin(BENCH_DIR / "bench-selfhosted.toml", n, seed, None)
        _, s_all = ftrag_pwin(BENCH_DIR / "bench-selfhosted.toml", n, seed, None, outputs="all")
        row("ftrag-mc (everything run reports)", n, s_all, "outputs='all'")
        rate_fm = n / s
        row("ftrag-mc (simulate + P(win))", n, s, "scenario's sampler (lhs), library defaults")
    except Exception:
        section_error("ftrag-mc on bench-selfhosted")
    try:
        p_np, s = bench_selfhosted_numpy.simulate(n_check, seed + 1)
        row("numpy re-implementation (mc)", n_check, s, "bench_selfhosted_numpy.py")
    except Exception:
        section_error("bench_selfhosted_numpy")
    print()
    target("selfhosted: ftrag-mc samples/s", rate_fm, ">=", 300_000, "{:,.0f}")
    if p_fm is None or p_np is None:
        target("selfhosted: worst |z|, 3x41 cells, ftrag-mc vs numpy", None, "<", Z_LIMIT)
    else:
        # Binomial standard errors overstate an LHS estimate's: the test is conservative.
        target("selfhosted: worst |z|, 3x41 cells, ftrag-mc vs numpy", *_agreement(p_fm, n, p_np, n_check))


# --------------------------------------------------------------------------------------------
# Subprocesses: wall time and peak memory
# --------------------------------------------------------------------------------------------


def _descendants_rss(pid: int) -> int:
    """Total proportional memory (PSS, bytes) of the descendants of ``pid`` (not ``pid`` itself).

    PSS splits each shared page between the processes that map it, so forked workers sharing the
    parent's pages are not counted twice (a sum of RSS would be); /proc/PID/smaps_rollup, with
    RSS from statm where that file is missing."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
            # The command name (field 2) may hold spaces; the parent pid is the 2nd field after ')'.
            ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, list(children.get(pid, []))
    page = os.sysconf("SC_PAGE_SIZE")
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                total += next(int(line.split()[1]) * 1024 for line in f if line.startswith("Pss:"))
            continue
        except (OSError, ValueError, IndexError, StopIteration):
            pass
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * page
        except (OSError, ValueError, IndexError):
            pass
    return total


@dataclass
class ChildRun:
    """Outcome of one timed subprocess."""

    wall_s: float
    peak_rss_mb: float  # the command's process (wait4's ru_maxrss)
    tree_rss_mb: float  # the largest sampled PSS sum over the command's process tree (workers, if any)
    returncode: int
    stdout: str
    stderr: str

    @property
    def peak_mb(self) -> float:
        """Peak memory that counts: the larger of the process's peak and the sampled tree total."""
        return max(self.peak_rss_mb, self.tree_rss_mb)


def run_child(cmd: list[str], sample_tree: bool = True) -> ChildRun:
    """Run ``cmd`` from the repository root through measure_child.py; wall time and peak RSS.

    Peak RSS is ``os.wait4``'s per-child ru_maxrss, taken by the small launcher measure_child.py:
    measured from this (large) process, a child's ru_maxrss would start at ours, since Linux keeps
    the peak across fork and exec. ru_maxrss is the largest single process, so if the library ever
    runs worker processes their sum is also sampled from /proc every 0.2 s (an under-estimate of
    the true peak, but it shows memory spread over processes).

    Parameters
    ----------
    cmd : list of str
    sample_tree : bool
        Whether to sample the process tree's RSS (skipped where /proc is missing).

    Returns
    -------
    ChildRun
    """
    sample_tree = sample_tree and os.path.isdir("/proc")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".rusage") as figures:
        launcher = [sys.executable, str(BENCH_DIR / "measure_child.py"), figures.name, "--", *cmd]
        proc = subprocess.Popen(launcher, cwd=REPO_DIR, stdout=out, stderr=err)
        tree_peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.2):
                tree_peak[0] = max(tree_peak[0], _descendants_rss(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True) if sample_tree else None
        if sampler:
            sampler.start()
        proc.wait()
        done.set()
        if sampler:
            sampler.join()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
        try:
            rss_kb, wall, code = figures.read().split()
        except ValueError:  # the launcher itself failed
            return ChildRun(wall_s=float("nan"), peak_rss_mb=float("nan"), tree_rss_mb=0.0,
                            returncode=proc.returncode or 1, stdout=stdout, stderr=stderr)
        return ChildRun(wall_s=float(wall), peak_rss_mb=int(rss_kb) / 1024, tree_rss_mb=tree_peak[0] / MB,
                        returncode=int(code), stdout=stdout, stderr=stderr)


def ftrag_run_cmd(scenario: Path, samples: int, out_dir: str) -> list[str]:
    """``ftrag-mc run SCENARIO --samples N --out DIR -q`` with this interpreter (``python -m ftrag_mc``
    is the same program as the ``ftrag-mc`` entry point, and surely from the same environment)."""
    return [sys.executable, "-m", "ftrag_mc", "run", str(scenario), "--samples", str(samples), "--out", out_dir, "-q"]


def report_child(label: str, run: ChildRun) -> bool:
    """Print one subprocess's wall time and memory; False (and its stderr) if it failed."""
    tree = f" (process tree {run.tree_rss_mb:,.0f} MB)" if run.tree_rss_mb > run.peak_rss_mb * 1.05 else ""
    print(f"  {label:<60} {run.wall_s:>8.2f} s  peak RSS {run.peak_rss_mb:>7,.1f} MB{tree}"
          f"{'' if run.returncode == 0 else f'  exit status {run.returncode}'}", flush=True)
    if run.returncode != 0:
        for line in run.stderr.strip().splitlines()[-5:]:
            print(f"    {line}")
    return run.returncode == 0


def _shown(path: Path) -> str:
    """``path`` relative to the repository when inside it (shorter lines), else as given."""
    try:
        return path.resolve().relative_to(REPO_DIR).as_posix()
    except ValueError:
        return str(path)


def cli_runs(args: argparse.Namespace) -> None:
    """Sections 3 and 4: ``ftrag-mc run`` wall time vs the numpy script; peak RSS per scenario."""
    n = args.run_samples
    scenario = Path(args.scenario)
    header(f"ftrag-mc run vs the hand-specialised script, whole processes, {n:,} samples")
    peaks: dict[tuple[str, int], ChildRun] = {}
    with tempfile.TemporaryDirectory(prefix="ftrag-bench-") as tmp:
        numpy_run = run_child([sys.executable, str(BENCH_DIR / "bench_v1_numpy.py"), "--samples", str(n),
                               "--seed", str(args.seed)])
        ok_numpy = report_child(f"python benchmarks/bench_v1_numpy.py --samples {n:,}", numpy_run)
        cli = run_child(ftrag_run_cmd(scenario, n, tmp))
        ok_cli = report_child(f"ftrag-mc run {_shown(scenario)} --samples {n:,}", cli)
        if ok_cli:
            peaks[(scenario.resolve().as_posix(), n)] = cli
        ratio = cli.wall_s / numpy_run.wall_s if ok_cli and ok_numpy else None
        print()
        target("run: wall-time ratio ftrag-mc run / numpy script", ratio, "<=", 4.0, "{:,.2f}")

        header("Peak RSS of ftrag-mc run, every shipped scenario")
        counts = [(args.memory_samples, 300)]
        if args.memory_10m:
            counts.append((args.memory_10m_samples, 600))
        for samples, limit_mb in counts:
            for path in sorted((REPO_DIR / "scenarios").glob("*.toml")):
                key = (path.resolve().as_posix(), samples)
                run = peaks.get(key)
                if run is None:  # the timed run above doubles as its scenario's memory run
                    run = run_child(ftrag_run_cmd(path, samples, tmp))
                    report_child(f"{_shown(path)} at {samples:,}", run)
                else:
                    report_child(f"{_shown(path)} at {samples:,} (the timed run)", run)
                value = run.peak_mb if run.returncode == 0 else None
                target(f"memory: peak RSS (MB), {path.stem}, {samples:,}", value, "<=", limit_mb, "{:,.1f}")


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="Example: python benchmarks/run_all.py --quick")
    parser.add_argument("--samples", type=int, help="bench-v1 samples for ftrag-mc and the numpy script "
                        "[default 1,000,000; --quick 50,000]")
    parser.add_argument("--seed", type=int, default=1, help="seed of every implementation [default 1]")
    parser.add_argument("--quick", action="store_true", help="small counts everywhere: a smoke run of the "
                        "driver (the targets are only indicative then)")
    parser.add_argument("--skip-run", action="store_true", help="skip the ftrag-mc run subprocesses "
                        "(wall time and memory)")
    parser.add_argument("--memory-10m", action="store_true", help="also measure peak RSS at 10M samples "
                        "(long: one run per shipped scenario)")
    parser.add_argument("--python-samples", type=int, help="plain-Python loop samples [default 20,000; --quick 2,000]")
    parser.add_argument("--selfhosted-samples", type=int, help="ftrag-mc samples on bench-selfhosted "
                        "[default: --samples; --quick 20,000]")
    parser.add_argument("--check-samples", type=int, help="samples of the numpy bench-selfhosted check "
                        "[default 500,000; --quick 50,000]")
    parser.add_argument("--scenario", default="scenarios/support-classifier.toml",
                        help="scenario of the timed ftrag-mc run [default scenarios/support-classifier.toml]")
    args = parser.parse_args(argv)

    quick = args.quick
    if args.samples is None:
        args.samples = 50_000 if quick else 1_000_000
    if args.python_samples is None:
        args.python_samples = 2_000 if quick else 20_000
    if args.selfhosted_samples is None:
        args.selfhosted_samples = 20_000 if quick else args.samples
    if args.check_samples is None:
        args.check_samples = 50_000 if quick else 500_000
    # The CLI runs are at 1M and 10M by definition of their targets; --quick shrinks them.
    args.run_samples = 10_000 if quick else 1_000_000
    args.memory_samples = args.run_samples
    args.memory_10m_samples = 100_000 if quick else 10_000_000
    if not Path(args.scenario).is_absolute():
        args.scenario = str(REPO_DIR / args.scenario)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import ftrag_mc
        version = ftrag_mc.__version__
        ftrag_mc.tune_allocator()  # as the ftrag-mc command does at start
    except Exception:  # the library may be mid-rebuild; the numpy and python parts still run
        version = "not importable"
    print(f"ftrag-mc benchmarks: ftrag-mc {version}, numpy {np.__version__}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs{', QUICK (small counts; targets indicative only)' if args.quick else ''}")

    bench_v1(args)
    bench_selfhosted(args)
    if not args.skip_run:
        cli_runs(args)

    header("Summary")
    for t in TARGETS:
        print(t.line())
    failed = [t for t in TARGETS if t.status != "PASS"]
    print(f"\n{len(TARGETS) - len(failed)} of {len(TARGETS)} targets pass"
          f"{' (quick run: counts are small, figures indicative only)' if args.quick else ''}.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
