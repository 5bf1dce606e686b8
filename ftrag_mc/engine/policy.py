"""A trigger search's blocks: per block of samples, every candidate policy's NPC, reduced to sums.

A policy starts on one strategy and switches to another when its trigger fires
(:mod:`ftrag_mc.model.staged`). For a block, :func:`run_policy_block` prices the switch at every
decision time once (:func:`~ftrag_mc.model.triggered.npc_by_decision_month`), then each candidate
trigger by picking, sample by sample, the decision time it fires at: every trigger sees the same
futures (common random numbers) and costs a gather, not a model evaluation. What a block keeps is
bounded whatever the number of samples (:class:`PolicyStats`): the means and co-moments of the
candidates' NPCs (so any paired difference has its standard error), counts of wins and switches,
and counts of decision times. The blocks are the simulator's (:class:`~ftrag_mc.engine.blocks.Plan`:
the same inputs and volume paths for the same seed) and merge in block order, so a search gives the
same bits for any chunk size or number of workers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ftrag_mc.engine.blocks import Plan
from ftrag_mc.model.evaluate import CostModel
from ftrag_mc.model.staged import Stages, first_month_above, running_min
from ftrag_mc.model.strategy import switch_months
from ftrag_mc.model.triggered import npc_by_decision_month
from ftrag_mc.sampling import draw_volume_steps

__all__ = ["CoMoments", "PolicyPlan", "PolicyStats", "run_policy_blocks"]

#: Samples the model prices at once: its temporaries are (months x samples) arrays.
_SLICE_SAMPLES = 8192


@dataclass
class CoMoments:
    """Count, means and co-moment matrix C = sum (x - mean)(x - mean)^T of rows of values.

    Merged by Chan et al.'s pairwise update, in block order; the sums run in a fixed order (no
    BLAS), so a block's numbers do not depend on the machine's threads.
    """

    count: int
    mean: np.ndarray  # (R,)
    comoment: np.ndarray  # (R, R)

    @classmethod
    def of(cls, x: np.ndarray) -> CoMoments:
        """Co-moments of the rows of ``x`` (R, n) over its columns."""
        mean = x.mean(axis=1)
        deviation = x - mean[:, None]
        comoment = np.empty((len(x), len(x)))
        for j in range(len(x)):
            comoment[j] = (deviation * deviation[j]).sum(axis=1)
        return cls(count=x.shape[1], mean=mean, comoment=comoment)

    def merge(self, other: CoMoments) -> CoMoments:
        n = self.count + other.count
        delta = other.mean - self.mean
        return CoMoments(count=n, mean=self.mean + delta * (other.count / n),
                         comoment=self.comoment + other.comoment
                         + np.outer(delta, delta) * (self.count * other.count / n))

    def se_of_difference(self, a: int, b: int) -> float:
        """Standard error of mean(row a) - mean(row b) (paired: the same samples)."""
        if a == b or self.count < 2:
            return 0.0
        c = self.comoment
        var = max(c[a, a] + c[b, b] - 2.0 * c[a, b], 0.0) / (self.count - 1)
        return float(np.sqrt(var / self.count))

    def se(self, a: int) -> float:
        """Standard error of mean(row a)."""
        return float(np.sqrt(max(self.comoment[a, a], 0.0) / max(self.count - 1, 1) / max(self.count, 1)))


@dataclass
class PolicyPlan(Plan):
    """A simulation plan (the same blocks and draws) and the candidate policies to price.

    Rows of every statistic: the candidate triggers in ``triggers`` order, then "commit now"
    (τ = 0), "never switch" (start throughout) and the baseline.
    """

    stages: Stages | None = None
    kind: str = "volume"  # "volume" (triggers are thresholds, queries/month) or "month" (triggers are months)
    triggers: np.ndarray = field(default_factory=lambda: np.empty(0))
    for_months: int = 1

    @property
    def rows(self) -> int:
        return len(self.triggers) + 3


@dataclass
class PolicyStats:
    """What a search keeps of some consecutive blocks (see the module docstring)."""

    n: int
    blocks: tuple[int, int]
    npc: CoMoments  # rows: triggers, now, never, baseline
    wins: np.ndarray  # (R,) NPC below the baseline's
    beats_now: np.ndarray  # (R,) below committing now
    beats_never: np.ndarray  # (R,) below never switching
    decision_counts: np.ndarray  # (R - 1, H + 1), no baseline row: samples deciding at τ = 0..H - 1, never (H)

    def absorb(self, later: PolicyStats) -> PolicyStats:
        if later.blocks[0] != self.blocks[1]:
            raise ValueError(f"blocks {later.blocks} do not follow {self.blocks}")
        self.n += later.n
        self.blocks = (self.blocks[0], later.blocks[1])
        self.npc = self.npc.merge(later.npc)
        for name in ("wins", "beats_now", "beats_never", "decision_counts"):
            getattr(self, name).__iadd__(getattr(later, name))
        return self


def _decision_months(plan: PolicyPlan, model: CostModel) -> np.ndarray:
    """τ of every candidate trigger in every sample, ``(T, n)``; H = no switch."""
    h, n = model.horizon, model.n
    if plan.kind == "month":
        tau = np.minimum(np.ceil(plan.triggers - 1e-9) - 1.0, h)[:, None]
        return np.broadcast_to(tau, (len(plan.triggers), n))
    level = plan.scenario.volume.queries_per_month * running_min(
        np.broadcast_to(model.growth, (h, n)), plan.for_months)
    return np.stack([first_month_above(level, x, h) for x in plan.triggers])


def _price_slice(plan: PolicyPlan, values: dict, n: int, steps: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Every row's NPC over the horizon at the scenario's volume, ``(R, n)``, and the decision
    times of every row but the baseline, ``(R - 1, n)`` (integers, H = no switch), for one slice."""
    scenario = plan.scenario
    h, q0 = scenario.horizon_months, scenario.volume.queries_per_month
    model = CostModel(scenario, values, n, components=False, volume_steps=steps)
    table = npc_by_decision_month(model, plan.stages, q0, h)  # (H + 1, n)
    tau = np.concatenate([_decision_months(plan, model), np.zeros((1, n)), np.full((1, n), float(h))])
    # A switch_to whose platform has closed by τ is not adopted: start's cost (table row H).
    rows = np.broadcast_to(switch_months(scenario, plan.stages, values, tau), tau.shape).astype(np.intp)
    npc = np.take_along_axis(table, rows, axis=0)
    baseline = model.cumulative(scenario.baseline, q0)[h]
    return np.vstack([npc, baseline[None]]), rows


def run_policy_block(plan: PolicyPlan, block: int) -> PolicyStats:
    """One block's statistics (any process, any order: the same bits)."""
    scenario = plan.scenario
    start, stop = plan.block_range(block)
    n, h = stop - start, scenario.horizon_months
    drawn = plan.input_sampler.draw(start, stop)
    steps = draw_volume_steps(plan.seed, h, start, stop) if scenario.volume.noisy else None
    constants = {name: float(d.median) for name, d in scenario.inputs.items() if d.is_constant}
    npc, rows = np.empty((plan.rows, n)), np.empty((plan.rows - 1, n), dtype=np.intp)
    for lo in range(0, n, _SLICE_SAMPLES):
        hi = min(lo + _SLICE_SAMPLES, n)
        values = {k: constants[k] if k in constants else drawn[k][lo:hi] for k in scenario.inputs}
        npc[:, lo:hi], rows[:, lo:hi] = _price_slice(plan, values, hi - lo, None if steps is None else steps[:, lo:hi])
    if not np.isfinite(npc).all():
        raise ValueError("a policy's cost came out inf or nan: some inputs are too large for the model together")
    now, never, base = npc[-3], npc[-2], npc[-1]
    counts = np.stack([np.bincount(r, minlength=h + 1) for r in rows])
    return PolicyStats(n=n, blocks=(block, block + 1), npc=CoMoments.of(npc),
                       wins=(npc < base).sum(axis=1), beats_now=(npc < now).sum(axis=1),
                       beats_never=(npc < never).sum(axis=1), decision_counts=counts)


def run_policy_blocks(plan: PolicyPlan, blocks: range) -> PolicyStats:
    """The statistics of consecutive ``blocks``, merged in order: one worker's task."""
    total = None
    for b in blocks:
        stats = run_policy_block(plan, b)
        total = stats if total is None else total.absorb(stats)
    return total
