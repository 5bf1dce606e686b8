"""Simulate a scenario: a plan of blocks, an engine that runs them, and their statistics merged.

Samples are cut into fixed blocks of :data:`BLOCK_SAMPLES`; :mod:`ftrag_mc.engine.blocks` says what
one block draws, evaluates and keeps (bounded statistics: counts, moments, histograms), and an
engine (:mod:`ftrag_mc.engine.local` or :mod:`ftrag_mc.engine.dask`) runs the blocks and yields
their statistics in block order. This module checks the settings, folds the blocks into one total
(stopping early at a target standard error) and turns it into a :class:`SimulationResult`. Counts
and histograms merge exactly in any order; the few floating-point moments are folded in block order.
So the same seed gives the same bits whatever the chunk size, the number of workers or the engine,
and memory does not grow with the number of samples.

All strategies, volumes and horizons of one sample share that sample's draws (common random
numbers), so differences between strategies carry no sampling noise of their own.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Iterable

import numpy as np

from ftrag_mc.accumulate import Histogram, Moments
from ftrag_mc.engine.blocks import (
    BLOCK_SAMPLES, BREAKEVEN_BINS_PER_DECADE, DELTA_BINS_PER_DECADE, PAYBACK_BINS_PER_MONTH, BlockStats,
    NonFiniteError, Plan, run_block, volume_grid,
)
from ftrag_mc.engine.dask import dask_blocks
from ftrag_mc.engine.decision import DecisionSummary
from ftrag_mc.engine.local import (
    ResourceError, available_memory_bytes, default_workers, estimate_memory_bytes, local_blocks, release_memory,
    tune_allocator,
)
from ftrag_mc.sampling import normalize_seed
from ftrag_mc.scenario import Scenario
from ftrag_mc.targets import TargetSE, parse_target_se

DEFAULT_CHUNK_SIZE = 4 * BLOCK_SAMPLES
ENGINES = ("local", "dask")
OUTPUTS = ("all", "pwin")


@dataclass(frozen=True)
class SampleDetail:
    """Per-sample arrays, kept only on request (``keep_samples=True``): memory O(samples).

    cumulative_usd : (n, S, H + 1) discounted cumulative cost at the scenario's volume.
    breakeven_volume : (n, C, len(horizons)) breakeven start volume (0.0 below, +inf above the sweep).
    inputs : dict of str to (n,) draws of every uncertain input.
    volume_steps : (n, H) standard normal steps of each sample's volume path (noisy volume), else None;
        ``evaluate(..., volume_steps=...)`` reproduces the run's samples with them.
    """

    cumulative_usd: np.ndarray
    breakeven_volume: np.ndarray
    inputs: dict[str, np.ndarray]
    volume_steps: np.ndarray | None = None


@dataclass(frozen=True)
class SimulationResult:
    """Sufficient statistics of one run, bounded in size whatever the number of samples.

    Attributes
    ----------
    volumes : (K,) float64
        Start volumes of the sweep, queries/month, log-spaced.
    horizons : tuple of int
        Analysis horizons, months.
    win_counts : (C, K, len(horizons)) int64
        Samples in which challenger c's NPC is strictly below the baseline's.
    cheapest_counts : (S, K, len(horizons)) int64
        Samples in which strategy s has the lowest NPC of all (ties go to the earlier strategy).
    wins_by_month : (C, H + 1) int64
        At the scenario's volume: samples whose cumulative cost through month t is below the
        baseline's (index 0: the one-time costs alone).
    loss_counts : (C, len(horizons)) int64
        At the scenario's volume: samples with ΔNPC > 0.
    delta_moments, npc_moments : Moments
        Mean and spread of ΔNPC (C, len(horizons)) and of each strategy's NPC (S, len(horizons)).
    delta_hist, breakeven_hist, payback_hist : Histogram
        ΔNPC (C, len(horizons)); breakeven start volume (C, len(horizons)), 0.0 = wins at the bottom
        of the sweep ("below"), +inf = does not win at its top ("above"); payback month (C,) at the
        scenario's volume, 0.0 = cheaper from day one, +inf = not within the horizon.
    samples : SampleDetail or None
        Per-sample arrays, when the run kept them.
    stopped : str or None
        Why sampling stopped before ``samples`` (``target_se``), else None.
    target_se, target_of : float or None, str or None
        The target standard error and the estimate it was of (``pwin`` or ``saving``).
    outputs : str
        ``"all"``, or ``"pwin"``: then wins_by_month, loss_counts, the ΔNPC and NPC moments, the
        ΔNPC and payback histograms and ``decision`` are None.
    decision : DecisionSummary or None
        Every strategy against every other, for the decision among all of them
        (:mod:`ftrag_mc.engine.decision`): pair and cheapest counts and the pairwise moments at
        the scenario's volume, each strategy's NPC histogram, ΔNPC's moments on the sweep.
    """

    scenario: Scenario
    volumes: np.ndarray
    horizons: tuple[int, ...]
    n_samples: int
    seed: int
    sampler: str
    chunk_size: int
    win_counts: np.ndarray
    cheapest_counts: np.ndarray
    wins_by_month: np.ndarray
    loss_counts: np.ndarray
    delta_moments: Moments
    npc_moments: Moments
    delta_hist: Histogram
    breakeven_hist: Histogram
    payback_hist: Histogram
    samples: SampleDetail | None = None
    workers: int = 1
    engine: str = "local"
    requested_samples: int = 0
    target_se: float | None = None
    stopped: str | None = None
    outputs: str = "all"
    timings_s: dict[str, float] = field(default_factory=dict)
    decision: DecisionSummary | None = None
    target_of: str | None = None

    @property
    def strategies(self) -> tuple[str, ...]:
        return tuple(self.scenario.strategies)

    @property
    def challengers(self) -> tuple[str, ...]:
        return self.scenario.challengers

    @property
    def baseline(self) -> str:
        return self.scenario.baseline

    @property
    def scenario_volume(self) -> float:
        return self.scenario.volume.queries_per_month

    @property
    def horizon_months(self) -> int:
        return self.scenario.horizon_months

    def index(self, strategy: str) -> int:
        return self.strategies.index(strategy)

    def _detail(self) -> SampleDetail:
        if self.samples is None:
            raise AttributeError("this run kept no per-sample arrays; simulate(..., keep_samples=True) keeps them")
        return self.samples

    @property
    def cumulative_usd(self) -> np.ndarray:
        """(n, S, H + 1) per-sample cumulative cost (only with ``keep_samples=True``)."""
        return self._detail().cumulative_usd

    @property
    def breakeven_volume(self) -> np.ndarray:
        """(n, C, len(horizons)) per-sample breakeven volume (only with ``keep_samples=True``)."""
        return self._detail().breakeven_volume

    @property
    def inputs(self) -> dict[str, np.ndarray]:
        """Every uncertain input's draws (only with ``keep_samples=True``)."""
        return self._detail().inputs


def simulate(scenario: Scenario, *, samples: int | None = None, seed: int | None = None,
             sampler: str | None = None, chunk_size: int = DEFAULT_CHUNK_SIZE, workers: int | None = None,
             engine: str = "local", scheduler: str | None = None, target_se: TargetSE | float | str | None = None,
             keep_samples: bool = False, outputs: str = "all", prefix_samples: int | None = None,
             progress: Callable[[int], None] | None = None) -> SimulationResult:
    """Simulate ``scenario``; arguments left as None come from its [simulation] section.

    Parameters
    ----------
    samples, seed, sampler
        Override the scenario's settings. With ``target_se``, ``samples`` is the most to draw.
    chunk_size
        Samples per task handed to a worker, rounded up to whole blocks of :data:`BLOCK_SAMPLES`;
        changes scheduling only, never results.
    workers
        Worker processes (local engine; threads where fork is missing) over blocks; default: every
        CPU this process may use. Results are bit-identical for any number.
    engine, scheduler
        ``"local"`` (worker processes) or ``"dask"`` (dask.distributed: a ``LocalCluster``, or the cluster at
        ``scheduler``, e.g. ``"tcp://10.0.0.5:8786"``). Both give the same bits.
    target_se
        Stop after the first block at which the watched estimate's standard error is below this:
        a number or ``"pwin=0.005"`` watches every P(win) at the scenario's volume (each
        challenger, each horizon); ``"saving=1000"`` the decision's expected saving (the strategy
        with the lowest expected NPC against the next, at the longest horizon), in currency.
        ``result.stopped`` says where it stopped and why.
    keep_samples
        Also keep per-sample cost paths, breakevens and inputs (memory O(samples)).
    outputs
        ``"all"`` (the report's statistics), or ``"pwin"``: only P(win) and P(cheapest) against
        volume and the breakeven distribution - no month-by-month paths at your volume, so no
        payback, P(win) by month or ΔNPC statistics - for sweeps and benchmarks, several times faster.
    prefix_samples
        Draw only the first this many samples of the ``samples``-point design (a whole number of
        blocks, or all): the same draws as a ``target_se`` run that stopped there, e.g. to run the
        same futures again against another baseline.
    progress
        Called with the number of samples finished after each block.

    Raises
    ------
    ValueError
        For settings out of range.
    ResourceError
        If the run cannot fit in the memory available (before any work starts), or a worker dies.
    """
    n_total = samples if samples is not None else scenario.simulation.samples
    seed = normalize_seed(seed if seed is not None else scenario.simulation.seed)
    sampler_name = sampler if sampler is not None else scenario.simulation.sampler
    workers = default_workers() if workers is None else int(workers)
    target = None if target_se is None else parse_target_se(target_se)
    _check_settings(scenario, n_total=n_total, chunk_size=chunk_size, workers=workers, engine=engine,
                    target_se=target, keep_samples=keep_samples, outputs=outputs, prefix_samples=prefix_samples)

    started = time.perf_counter()
    plan = Plan(scenario, n_total, seed, sampler_name, keep_samples=keep_samples, outputs=outputs)
    plan.input_sampler  # validates the sampler settings before any work
    blocks = range(plan.n_blocks if prefix_samples is None else -(-prefix_samples // BLOCK_SAMPLES))
    blocks_per_task = max(1, -(-chunk_size // BLOCK_SAMPLES))
    if engine == "dask":
        stream: Iterable[BlockStats] = dask_blocks(plan, blocks, blocks_per_task, scheduler)
    else:
        # With a target standard error every block is checked, so tasks are single blocks.
        stream = local_blocks(plan, blocks, workers, 1 if target is not None else blocks_per_task)

    total: BlockStats | None = None
    watch = _Watch(target, plan)
    for stats in stream:
        total = stats if total is None else total.absorb(stats)
        if progress is not None:
            progress(stats.n)
        if watch.reached(total, stats, n_total):
            break
    if hasattr(stream, "close"):
        stream.close()  # stop threads or tasks still running past the stopping block
    timings = {"total": time.perf_counter() - started}
    return _result(plan, total, chunk_size=chunk_size, workers=workers, engine=engine,
                   requested=n_total, target_se=None if target is None else target.value,
                   target_of=None if target is None else target.kind, stopped=watch.stopped(total, n_total),
                   timings=timings)


class _Watch:
    """The ``target_se`` rule, checked after every block (nothing without a target)."""

    def __init__(self, target: TargetSE | None, plan: Plan):
        self.target, self.horizons = target, plan.horizons
        self.pair = None  # the pairwise moments folded so far, in block order (for "saving")
        self.npc = None
        self.done: str | None = None

    def se(self, total: BlockStats, stats: BlockStats | None) -> float:
        """The watched estimate's standard error after ``stats`` joined ``total``."""
        if self.target.kind == "pwin":
            return _pwin_se(total, self.horizons)
        if stats is not None:
            for (_delta, npc), (pair, _sweep) in zip(stats.moments, stats.decision.moments):
                self.npc = npc if self.npc is None else self.npc.merge(npc)
                self.pair = pair if self.pair is None else self.pair.merge(pair)
        return saving_se(self.npc, self.pair)

    def reached(self, total: BlockStats, stats: BlockStats, n_total: int) -> bool:
        if self.target is None:
            return False
        se = self.se(total, stats)
        if total.n < n_total and se < self.target.value:
            self.done = (f"target standard error {self._of()}{self.target.value:g} reached after {total.n:,} "
                         f"samples ({self._now(se)})")
            return True
        return False

    def stopped(self, total: BlockStats, n_total: int) -> str | None:
        if self.target is None or self.done:
            return self.done
        return (f"sample cap {n_total:,} reached before the target standard error {self._of()}"
                f"{self.target.value:g} ({self._now(self.se(total, None))})")

    def _of(self) -> str:
        return "" if self.target.kind == "pwin" else "of the expected saving "

    def _now(self, se: float) -> str:
        return (f"largest P(win) standard error {se:.4f}" if self.target.kind == "pwin"
                else f"its standard error {se:,.4g}")


def saving_se(npc: Moments, pair: Moments) -> float:
    """Standard error of the expected saving of the strategy with the lowest mean NPC against the
    next lowest, at the longest horizon, from the NPC moments (S, nh) and the pairwise ones (S, S, nh)."""
    order = np.argsort(npc.mean[:, -1], kind="stable")
    return float(pair.se[order[1], order[0], -1])


def _check_settings(scenario: Scenario, *, n_total: int, chunk_size: int, workers: int, engine: str,
                    target_se: TargetSE | None, keep_samples: bool, outputs: str,
                    prefix_samples: int | None = None) -> None:
    """Refuse settings out of range (ValueError) or a run too large for memory (ResourceError)."""
    if n_total < 2:
        raise ValueError(f"samples must be at least 2 (got {n_total})")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1 (got {chunk_size})")
    if workers < 1:
        raise ValueError(f"workers must be at least 1 (got {workers})")
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)} (got {engine!r})")
    if outputs not in OUTPUTS:
        raise ValueError(f"outputs must be one of {', '.join(OUTPUTS)} (got {outputs!r})")
    if target_se is not None and outputs != "all":
        raise ValueError("target_se needs outputs='all' (it watches estimates at your volume)")
    if prefix_samples is not None and not (0 < prefix_samples <= n_total and (
            prefix_samples % BLOCK_SAMPLES == 0 or prefix_samples == n_total)):
        raise ValueError(f"prefix_samples must be a whole number of blocks of {BLOCK_SAMPLES:,} up to samples, "
                         f"or samples itself (got {prefix_samples})")
    need = estimate_memory_bytes(scenario, samples=n_total, workers=workers, keep_samples=keep_samples)
    have = available_memory_bytes()
    if have is not None and need > 0.8 * have:
        raise ResourceError(f"this run needs about {need / 2**20:,.0f} MB and {have / 2**20:,.0f} MB are "
                            f"available; use fewer samples{' (or drop keep_samples)' if keep_samples else ''} "
                            "or fewer workers")


def _pwin_se(total: BlockStats, horizons: tuple[int, ...]) -> float:
    """Largest standard error of P(win) at the scenario's volume, any challenger and horizon.

    The proportion is smoothed, (wins + 1) / (n + 2), so a run with no wins yet is not
    "certain" after one block.
    """
    n = total.n
    p = (total.wins_by_month[:, list(horizons)] + 1.0) / (n + 2.0)
    return float(np.sqrt(p * (1 - p) / n).max())


def _result(plan: Plan, total: BlockStats, **extra) -> SimulationResult:
    delta = npc = None
    if total.moments:
        delta, npc = total.moments[0]
        for d, c in total.moments[1:]:
            delta, npc = delta.merge(d), npc.merge(c)
    samples = None
    if total.samples is not None:
        parts = total.samples
        samples = SampleDetail(
            cumulative_usd=np.concatenate([p["cumulative"] for p in parts]),
            breakeven_volume=np.concatenate([p["breakeven"] for p in parts]),
            inputs={name: np.concatenate([p[f"input:{name}"] for p in parts]) for name in plan.input_sampler.uncertain},
            volume_steps=np.concatenate([p["volume_steps"] for p in parts]) if "volume_steps" in parts[0] else None)
    timings = extra.pop("timings")
    decision = total.decision.summary() if total.decision is not None else None
    return SimulationResult(
        scenario=plan.scenario, volumes=plan.volumes, horizons=plan.horizons, n_samples=total.n,
        seed=plan.seed, sampler=plan.sampler, win_counts=total.win_counts, cheapest_counts=total.cheapest_counts,
        wins_by_month=total.wins_by_month, loss_counts=total.loss_counts, delta_moments=delta, npc_moments=npc,
        delta_hist=total.delta_hist, breakeven_hist=total.breakeven_hist, payback_hist=total.payback_hist,
        samples=samples, requested_samples=extra.pop("requested"), timings_s=timings, outputs=plan.outputs,
        decision=decision, **extra)


# The engine's names were importable from here before the engine had its own package.
__all__ = ["BLOCK_SAMPLES", "BREAKEVEN_BINS_PER_DECADE", "DEFAULT_CHUNK_SIZE", "DELTA_BINS_PER_DECADE", "ENGINES",
           "OUTPUTS", "PAYBACK_BINS_PER_MONTH", "BlockStats", "NonFiniteError", "Plan", "ResourceError", "SampleDetail",
           "SimulationResult", "TargetSE", "available_memory_bytes", "default_workers", "estimate_memory_bytes", "release_memory",
           "run_block", "saving_se", "simulate", "tune_allocator", "volume_grid"]
