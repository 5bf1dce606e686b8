"""The local engine: a run's blocks here, or on a pool of forked worker processes.

Also what a run on this machine needs around the pool: how many workers, an estimate of their
peak memory and the memory available, and glibc's allocator settings.
"""

from __future__ import annotations

import ctypes
import math
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Iterator

from ftrag_mc.engine.blocks import (
    BLOCK_SAMPLES, BREAKEVEN_BINS_PER_DECADE, DELTA_BINS_PER_DECADE, DELTA_RANGE_USD, PAYBACK_BINS_PER_MONTH,
    BlockStats, Plan, run_blocks,
)
from ftrag_mc.scenario import Scenario


def local_blocks(plan: Plan, blocks: range, workers: int, blocks_per_task: int = 1,
                 run: Callable[[Any, range], Any] = run_blocks) -> Iterator[BlockStats]:
    """Blocks in order: here, or on ``workers`` forked processes (threads where fork is missing).

    Processes, not threads, because the model's many mid-sized numpy calls and PINV's inverse CDF
    hold the GIL for a large share of the time (threads gained 1.0-1.5x on 2 cores, processes
    about 2x). Each worker gets the plan once and returns each task's consecutive blocks merged
    (fewer, larger results for the parent to merge); results come back in block order.

    Parameters
    ----------
    plan
        The run's settings; it is copied into each worker once, when the pool forks.
    blocks
        Block indices to run, consecutive.
    workers
        Worker processes; 1 runs every block here, in this process.
    blocks_per_task
        Consecutive blocks a worker runs and merges before returning them.
    run
        ``run(plan, blocks)``: what a task computes for consecutive blocks, merged in order (a
        module-level function); default the simulation's :func:`~ftrag_mc.engine.blocks.run_blocks`.

    Yields
    ------
    BlockStats
        The statistics of each task's blocks, in block order.
    """
    tune_allocator()  # once per process: a notebook's simulate() as fast as the command line's
    tasks = [blocks[i:i + blocks_per_task] for i in range(0, len(blocks), blocks_per_task)]
    if workers <= 1 or len(blocks) <= 1:
        for task in tasks:  # a task as a worker would run it (a P(win)-only one in spans: Plan.span_blocks)
            yield run(plan, task)
        return
    # Built once (and so validated) before the workers copy the plan, with its inverse-CDF tables
    # and their scipy modules: two workers importing and building them each cost more than the
    # blocks of a 20,000-sample run.
    plan.input_sampler.prepare()
    if "fork" in multiprocessing.get_all_start_methods():
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_set_worker_plan, initargs=(plan, run))
        yield from _stopping_safely(pool, tasks, window=2 * workers)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        yield from _in_order(lambda b: pool.submit(run, plan, range(b, b + 1)), blocks, 2 * workers,
                             lambda future: future.result(), [])


def _in_order(submit: Callable, items, window: int, get: Callable, pending: list) -> Iterator[BlockStats]:
    """``get(submit(item))`` for each item, in order, with at most ``window`` submitted and not yet
    yielded (bounds memory); ``pending`` holds those, for the caller to see on an early exit."""
    it = iter(items)
    for item in it:
        pending.append(submit(item))
        if len(pending) >= window:
            break
    while pending:
        stats = get(pending.pop(0))
        nxt = next(it, None)
        if nxt is not None:
            pending.append(submit(nxt))
        yield stats


class ResourceError(RuntimeError):
    """A run that cannot fit in this machine's memory, refused before any work starts; or a
    worker process that ended abruptly (killed by the system, usually for lack of memory)."""


def _stopping_safely(pool: ProcessPoolExecutor, tasks: list[range], window: int) -> Iterator[BlockStats]:
    """The tasks' results in order on forked workers (:func:`_in_order`), the pool shut down after.

    A ``concurrent.futures`` pool, not ``multiprocessing.Pool``: a worker that dies (killed by
    the system, out of memory) breaks the pool, an error, where ``Pool`` started another worker
    and waited for the lost task for ever (a run stuck at 76 %); and a run that stops early (a
    target standard error reached, a worker's error, the caller done) cancels the tasks not
    started and waits for those running, at most one per worker, where ``Pool.terminate`` could
    hang for ever on a worker still sending its result. Ctrl-C stops the workers at once.
    """
    interrupted = False
    # Ctrl-C held back while the workers fork (at the first task): one arriving before a worker's
    # initializer has set it to be ignored would give that worker a traceback.
    held = _hold_sigint()
    try:
        pending = [pool.submit(_run_worker_blocks, tasks[0])]
    finally:
        _release_sigint(held)
    try:
        yield from _in_order(lambda task: pool.submit(_run_worker_blocks, task), tasks[1:], window,
                             lambda future: future.result(), pending)
    except BrokenProcessPool:
        raise ResourceError("a worker process ended abruptly (killed by the system, usually for lack of "
                            "memory); try fewer --workers or a smaller --chunk-size") from None
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        if interrupted:
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.terminate()
        pool.shutdown(wait=not interrupted, cancel_futures=True)


_worker_plan: Plan | None = None
_worker_run: Callable[[Any, range], Any] = run_blocks


def _set_worker_plan(plan: Plan, run: Callable[[Any, range], Any] = run_blocks) -> None:
    global _worker_plan, _worker_run
    _worker_plan, _worker_run = plan, run
    # Ctrl-C reaches every process of the terminal's group: the parent alone handles it (it stops
    # the pool and exits 130); a worker that took it too would print its own traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):  # held back by the parent while it forked: ignored from now on
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _hold_sigint():
    """Block SIGINT in this thread (where the platform can); what :func:`_release_sigint` restores."""
    if not hasattr(signal, "pthread_sigmask"):
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def _release_sigint(held) -> None:
    """Restore the signal mask :func:`_hold_sigint` returned; a Ctrl-C held meanwhile arrives now."""
    if held is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _run_worker_blocks(blocks: range) -> BlockStats:
    """One task on a forked worker, with the plan (and what to run) :func:`_set_worker_plan` left there."""
    return _worker_run(_worker_plan, blocks)


def release_memory() -> None:
    """Hand memory glibc keeps for reuse back to the system (between a run's simulation and its
    report, so the two peaks do not stack). Does nothing without glibc."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


_TUNED: list[bool] = []  # tune_allocator's answer, once per process


def tune_allocator() -> bool:
    """Let glibc keep freed memory for reuse instead of returning it to the system at once.

    The simulator allocates and frees arrays of a few MB per block; with glibc's defaults each
    one is a fresh mmap, or trimmed heap, whose pages fault in again: runs about 1.6-2x slower
    (measured: bench-v1 at 1M samples on one worker, 5.3 s against 3.0 s). This raises the mmap
    and trim thresholds to 256 and 512 MB, once per process; the engine calls it before it runs
    blocks (a notebook needs no call of its own, and worker processes inherit it). Process-wide:
    up to 512 MB freed at the top of the heap stays with the process for reuse. Returns False
    where there is no glibc.
    """
    if not _TUNED:
        try:
            libc = ctypes.CDLL("libc.so.6")
            m_trim_threshold, m_mmap_threshold = -1, -3
            _TUNED.append(bool(libc.mallopt(m_mmap_threshold, 256 * 2**20)
                               and libc.mallopt(m_trim_threshold, 512 * 2**20)))
        except (OSError, AttributeError):
            _TUNED.append(False)
    return _TUNED[0]


def usable_cpus() -> int:
    """The CPUs this process may use (its affinity where the platform has one), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def default_workers() -> int:
    """Worker processes: the CPUs this process may use. Measured on 2 CPUs with another process
    keeping one busy (benchmarks/bench_paths.py, section 4): 2 workers 2.0 s, 1 worker 2.6 s
    (bench-v1, 1M samples), so a busy core is still worth a worker: the scheduler shares it."""
    return usable_cpus()


def estimate_memory_bytes(scenario: Scenario, *, samples: int, workers: int, keep_samples: bool = False) -> int:
    """A generous estimate of a run's peak memory beyond the interpreter and libraries."""
    h1 = scenario.horizon_months + 1
    n_s = len(scenario.strategies)
    n_c, n_h, n_k = n_s - 1, len(scenario.analysis_horizons), scenario.volume.sweep_points
    per_sample = 8 * (h1 * (6 * n_s + 3 * n_c) + 4 * n_s * n_k * n_h + 4 * len(scenario.inputs) + 40)
    nonaffine = 4 * 8 * 2_000_000  # batched (volume, month, sample) temporaries
    block = BLOCK_SAMPLES * per_sample + nonaffine
    delta_bins = 2 * math.ceil(math.log10(DELTA_RANGE_USD[1] / DELTA_RANGE_USD[0]) * DELTA_BINS_PER_DECADE)
    stats = 8 * (n_c * n_h * (delta_bins + 4 * BREAKEVEN_BINS_PER_DECADE * 8) + n_c * h1 * PAYBACK_BINS_PER_MONTH
                 + n_s * delta_bins + 4 * n_s * n_s * n_h + 2 * n_c * n_k * n_h)  # the decision's (engine/decision.py)
    kept = samples * 8 * (n_s * h1 + n_c * n_h + len(scenario.inputs) + h1 * scenario.volume.noisy) if keep_samples else 0
    lhs_or_blocks = 8 * len(scenario.inputs) * BLOCK_SAMPLES * 4
    return (2 * workers + 1) * (block + 3 * stats) + kept + lhs_or_blocks


def available_memory_bytes() -> int | None:
    """MemAvailable from /proc/meminfo (Linux), else None."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


__all__ = ["available_memory_bytes", "default_workers", "estimate_memory_bytes", "local_blocks",
           "release_memory", "usable_cpus",
           "tune_allocator"]
