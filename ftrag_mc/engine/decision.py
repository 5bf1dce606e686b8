"""What the decision among all strategies needs from a block of samples, bounded and merged in order.

The run's other statistics compare each challenger with the file's baseline. A decision compares
every strategy with every other, so a block also keeps:

- at the scenario's volume, per analysis horizon: ``pair_counts`` (S, S, nh), the samples in which
  strategy i's NPC is strictly below strategy j's; ``cheapest_counts`` (S, nh), the samples in
  which each strategy is the cheapest of all (ties go to the earlier strategy); the moments of
  every pairwise difference NPC_i − NPC_j (S, S, nh), for an expected saving's standard error;
  and a histogram of each strategy's NPC at the longest horizon (S,), for CVaR95 of NPC;
- on the volume sweep, ΔNPC against the run's baseline per challenger and horizon: where every
  cost is affine in volume, the moments of its line a + b·volume (:class:`LineMoments`: the mean
  and its standard error at any volume, exactly); otherwise its moments at each grid volume
  (C, K, nh), from the grid the win counts already evaluate. The expected-NPC flip volume of a
  pair and its interval are read from these.

Counts and the histogram add exactly; the floating-point moments are kept per block and folded in
block order (sub-blocks in their fixed order within a block), so a run gives the same bits for any
chunk size, worker count or engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ftrag_mc.accumulate import Bins, Histogram, LineMoments, Moments

__all__ = ["DecisionStats", "DecisionSummary", "block_decision", "grid_delta_moments", "line_delta_moments"]


@dataclass(frozen=True)
class DecisionSummary:
    """A run's decision statistics, merged (see the module docstring for each).

    pair_counts : (S, S, nh) int64; cheapest_counts : (S, nh) int64; pair_moments : Moments
    (S, S, nh) of NPC_i − NPC_j; npc_hist : Histogram (S,) of NPC at the longest horizon; and
    the sweep's ΔNPC against the run's baseline: ``sweep_line`` (LineMoments (C, nh), affine
    costs) or ``sweep_grid`` (Moments (C, K, nh)), the other None.
    """

    pair_counts: np.ndarray
    cheapest_counts: np.ndarray
    pair_moments: Moments
    npc_hist: Histogram
    sweep_line: LineMoments | None
    sweep_grid: Moments | None


@dataclass
class DecisionStats:
    """The decision statistics of some consecutive blocks: counts and a histogram merged as they
    come, floating-point moments one entry per block (folded in order by :meth:`summary`)."""

    pair_counts: np.ndarray
    cheapest_counts: np.ndarray
    npc_hist: Histogram
    moments: list[tuple[Moments, LineMoments | Moments]] = field(default_factory=list)

    def absorb(self, later: DecisionStats) -> DecisionStats:
        """Add ``later`` (the blocks that follow) into these arrays, in place."""
        self.pair_counts += later.pair_counts
        self.cheapest_counts += later.cheapest_counts
        self.npc_hist.absorb(later.npc_hist)
        self.moments.extend(later.moments)
        return self

    def merge(self, later: DecisionStats) -> DecisionStats:
        """These blocks followed by ``later``'s, as new arrays."""
        return DecisionStats(pair_counts=self.pair_counts + later.pair_counts,
                             cheapest_counts=self.cheapest_counts + later.cheapest_counts,
                             npc_hist=self.npc_hist.merge(later.npc_hist), moments=self.moments + later.moments)

    def summary(self) -> DecisionSummary:
        """The merged statistics, moments folded in block order."""
        pair, sweep = self.moments[0]
        for p, s in self.moments[1:]:
            pair, sweep = pair.merge(p), sweep.merge(s)
        line = isinstance(sweep, LineMoments)
        return DecisionSummary(pair_counts=self.pair_counts, cheapest_counts=self.cheapest_counts,
                               pair_moments=pair, npc_hist=self.npc_hist,
                               sweep_line=sweep if line else None, sweep_grid=None if line else sweep)


def block_decision(npc_h: np.ndarray, bins: Bins, sweep: list[LineMoments | Moments]) -> DecisionStats:
    """One block's decision statistics from every strategy's NPC at the scenario's volume
    ``npc_h`` (S, nh, n) and its sub-blocks' sweep moments, in order."""
    n_s = npc_h.shape[0]
    pair_counts = np.zeros((n_s, n_s) + npc_h.shape[1:2], dtype=np.int64)
    for i in range(n_s):
        pair_counts[i] = (npc_h[i][None] < npc_h).sum(axis=2)
    cheapest = np.argmin(npc_h, axis=0)  # (nh, n); ties go to the earlier strategy
    cheapest_counts = np.stack([(cheapest == s).sum(axis=1) for s in range(n_s)])
    pair_moments = _pair_moments(npc_h)
    folded = sweep[0]
    for later in sweep[1:]:
        folded = folded.merge(later)
    return DecisionStats(pair_counts=pair_counts, cheapest_counts=cheapest_counts,
                         npc_hist=Histogram.of(bins, npc_h[:, -1]), moments=[(pair_moments, folded)])


def _pair_moments(npc_h: np.ndarray) -> Moments:
    """Moments of NPC_i − NPC_j (S, S, nh): each pair i < j computed once, j > i by its sign
    (negation is exact, so the two stay each other's negative through every merge)."""
    n_s, n_h, n = npc_h.shape
    mean = np.zeros((n_s, n_s, n_h))
    m2 = np.zeros((n_s, n_s, n_h))
    for i in range(n_s - 1):
        m = Moments.of(npc_h[i][None] - npc_h[i + 1:])  # (S - i - 1, nh)
        mean[i, i + 1:], mean[i + 1:, i] = m.mean, -m.mean
        m2[i, i + 1:], m2[i + 1:, i] = m.m2, m.m2
    return Moments(count=n, mean=mean, m2=m2)


def line_delta_moments(fixed: dict[str, np.ndarray], slope: dict[str, np.ndarray], challengers: tuple[str, ...],
                       baseline: str, n: int) -> LineMoments:
    """Moments (C, nh) of each challenger's ΔNPC line against ``baseline``, a + b·volume, from the
    strategies' NPC at each horizon = fixed + slope·volume (``(nh, n or 1)`` each)."""
    a = np.stack([np.broadcast_to(fixed[c] - fixed[baseline], (fixed[c].shape[0], n)) for c in challengers])
    b = np.stack([np.broadcast_to(slope[c] - slope[baseline], (slope[c].shape[0], n)) for c in challengers])
    return LineMoments.of(a, b)


def grid_delta_moments(npc: np.ndarray, strategies: tuple[str, ...], challengers: tuple[str, ...],
                       baseline: str) -> Moments:
    """Moments (C, k, nh) of each challenger's ΔNPC against ``baseline`` at a batch of grid volumes,
    from every strategy's NPC there, ``npc`` (S, k, nh, n)."""
    b = strategies.index(baseline)
    return Moments.of(np.stack([npc[strategies.index(c)] - npc[b] for c in challengers]))


def concat_grid(parts: list[Moments]) -> Moments:
    """Batches of grid volumes (C, k, nh), in grid order, as one (C, K, nh)."""
    return Moments(count=parts[0].count, mean=np.concatenate([p.mean for p in parts], axis=1),
                   m2=np.concatenate([p.m2 for p in parts], axis=1))
