"""One block of samples: the plan a worker needs, what it runs and the statistics it returns.

Samples are cut into fixed blocks of :data:`BLOCK_SAMPLES`. Each block draws its inputs from
addressed streams (:mod:`ftrag_mc.sampling`), evaluates every strategy with
:class:`~ftrag_mc.model.evaluate.CostModel` (the same model :func:`~ftrag_mc.model.evaluate.evaluate`
exposes) and reduces the results to bounded statistics (:class:`BlockStats`): win and cheapest counts
over the volume grid, wins by month, moments and histograms of ΔNPC, breakeven volumes and payback
months. Counts and histograms merge exactly in any order; the few floating-point moments are folded
in block order. So :func:`run_block` gives the same bits for a block whatever process runs it, and
the engines (:mod:`ftrag_mc.engine.local`, :mod:`ftrag_mc.engine.dask`) differ only in where.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Iterable

import numpy as np

from ftrag_mc.accumulate import Bins, Histogram, LineMoments, Moments
from ftrag_mc.engine.decision import DecisionStats, block_decision, concat_grid, grid_delta_moments, line_delta_moments
from ftrag_mc.errors import ScenarioError
from ftrag_mc.model.components import is_affine
from ftrag_mc.model.evaluate import CostModel, payback_months
from ftrag_mc.sampling import InputSampler, draw_volume_steps
from ftrag_mc.scenario import Scenario

#: Samples per block: the unit of work and of reduction. Changing it changes no result but the
#: order of floating-point sums of means (the last bits of mean ΔNPC).
BLOCK_SAMPLES = 16_384
# Between GPU steps ΔNPC is linear in volume, and without them continuous and piecewise linear (a
# ceiling bends it): a few halvings, then a secant step between the bracket's ends, exact once the
# bracket lies on one linear piece and otherwise within the bracket.
# 10 halvings shrink a grid step of ratio 1.26 to 2.3e-4 (relative), five times finer than the
# breakeven histogram's bins.
_BISECTION_STEPS = 10
# Histogram resolutions: the error bound of every percentile a report reads from them.
BREAKEVEN_BINS_PER_DECADE = 2048  # 0.11 % relative
PAYBACK_BINS_PER_MONTH = 128  # 0.0078 months, about 6 hours
DELTA_BINS_PER_DECADE = 2000  # 0.12 % relative, for |ΔNPC| from 1 cent to 1e15 USD
DELTA_RANGE_USD = (1e-2, 1e15)
# Pairwise interval counting of the cheapest strategy beats the volume grid up to this many.
_PAIRWISE_MAX_STRATEGIES = 5
# The model runs on sub-blocks so that its (months x samples) temporaries, about strategies x
# (months + 1) x sub-block values each, stay near this many; larger sub-blocks cut Python's
# per-call overhead (8,192 samples: 10 % faster than 4,096 on bench-v1), smaller ones memory.
# Non-affine scenarios (GPU steps, a ceiling) make about twice as many temporaries. A P(win)-only
# run (no paths at the scenario's volume, no decision statistics) keeps fewer, so its sub-blocks
# are twice as large for about a full run's memory (200k samples, one worker: legal-docs 141 ->
# 172 MB, a full run 161 MB): bench-v1 then runs whole blocks, 5-10 % faster. (Doubling them for
# full runs too was 5-9 % faster, but raised legal-docs' peak at 1M samples by 35-50 MB.)
_SLICE_VALUES = 2 * 37 * 8192
_SLICE_MIN, _SLICE_MAX = 1024, 16384
# A P(win)-only task draws up to this many blocks' inputs at once, about this many values.
_SPAN_MAX_BLOCKS = 4
_SPAN_VALUES = 1 << 20
# Grid evaluation (strategies x volumes x horizons x samples) in batches of about this many values.
_GRID_ELEMENTS = 1_000_000


@dataclass
class BlockStats:
    """Bounded statistics of some consecutive blocks of samples; see the module docstring."""

    n: int
    blocks: tuple[int, int]  # first block, one past the last
    win_counts: np.ndarray  # (C, K, nh) int64
    cheapest_counts: np.ndarray  # (S, K, nh) int64
    wins_by_month: np.ndarray | None  # (C, H + 1) int64; None unless outputs="all" (so below)
    loss_counts: np.ndarray | None  # (C, nh) int64, ΔNPC > 0
    delta_hist: Histogram | None  # (C, nh) ΔNPC at the scenario's volume
    breakeven_hist: Histogram  # (C, nh) breakeven start volume
    payback_hist: Histogram | None  # (C,) payback month at the scenario's volume
    moments: list[tuple[Moments, Moments]]  # per block, in order: ΔNPC (C, nh), NPC (S, nh); or []
    samples: list[dict[str, np.ndarray]] | None = None
    decision: DecisionStats | None = None  # every strategy against every other (engine/decision.py)

    def absorb(self, later: BlockStats) -> BlockStats:
        """:meth:`merge` into these arrays (no copies): for the one running total of a run."""
        if later.blocks[0] != self.blocks[1]:
            raise ValueError(f"blocks {later.blocks} do not follow {self.blocks}")
        self.n += later.n
        self.blocks = (self.blocks[0], later.blocks[1])
        for name in ("win_counts", "cheapest_counts", "wins_by_month", "loss_counts"):
            mine = getattr(self, name)
            if mine is not None:
                mine += getattr(later, name)
        for name in ("delta_hist", "breakeven_hist", "payback_hist"):
            mine = getattr(self, name)
            if mine is not None:
                mine.absorb(getattr(later, name))
        self.moments.extend(later.moments)
        if self.samples is not None:
            self.samples.extend(later.samples)
        if self.decision is not None:
            self.decision.absorb(later.decision)
        return self

    def merge(self, later: BlockStats) -> BlockStats:
        """These blocks followed by ``later``'s (which must start where these end)."""
        if later.blocks[0] != self.blocks[1]:
            raise ValueError(f"blocks {later.blocks} do not follow {self.blocks}")
        def add(a, b):
            return None if a is None else a + b

        def merged(a, b):
            return None if a is None else a.merge(b)

        return BlockStats(
            n=self.n + later.n, blocks=(self.blocks[0], later.blocks[1]),
            win_counts=self.win_counts + later.win_counts,
            cheapest_counts=self.cheapest_counts + later.cheapest_counts,
            wins_by_month=add(self.wins_by_month, later.wins_by_month),
            loss_counts=add(self.loss_counts, later.loss_counts),
            delta_hist=merged(self.delta_hist, later.delta_hist),
            breakeven_hist=self.breakeven_hist.merge(later.breakeven_hist),
            payback_hist=merged(self.payback_hist, later.payback_hist),
            moments=self.moments + later.moments,
            samples=None if self.samples is None else self.samples + later.samples,
            decision=None if self.decision is None else self.decision.merge(later.decision))


def volume_grid(scenario: Scenario) -> np.ndarray:
    """The log-spaced start volumes of the P(win) sweep, queries/month, shape (K,)."""
    v = scenario.volume
    return np.geomspace(v.sweep_min, v.sweep_max, v.sweep_points)


# --------------------------------------------------------------------------------------------
# The plan: everything a worker needs to run any block, picklable
# --------------------------------------------------------------------------------------------


@dataclass
class Plan:
    """A run's fixed settings; ``run_block(plan, b)`` gives block b's statistics anywhere."""

    scenario: Scenario
    n_total: int
    seed: int
    sampler: str
    keep_samples: bool = False
    outputs: str = "all"
    _input_sampler: InputSampler | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        scenario = self.scenario
        self.volumes = volume_grid(scenario)
        self.horizons = scenario.analysis_horizons
        self.breakeven_bins = Bins.log(self.volumes[0], self.volumes[-1], BREAKEVEN_BINS_PER_DECADE)
        self.payback_bins = Bins.linear(0.0, float(scenario.horizon_months),
                                        scenario.horizon_months * PAYBACK_BINS_PER_MONTH)
        self.delta_bins = Bins.signed_log(*DELTA_RANGE_USD, DELTA_BINS_PER_DECADE)
        # Affine in volume (no GPU pool, no ceiling) for every strategy: decided by the scenario.
        self.is_affine = scenario.volume.ceiling_queries_per_month is None and all(
            is_affine(s) for s in scenario.strategies.values())
        width = len(scenario.strategies) * (scenario.horizon_months + 1) * (1 if self.is_affine else 2)
        values = _SLICE_VALUES * (2 if self.outputs == "pwin" and not self.keep_samples else 1)
        # A power of two between the bounds: 8,192 for bench-v1 (16,384 P(win) only), 4,096 for
        # three strategies.
        self.slice_samples = int(min(_SLICE_MAX, max(_SLICE_MIN, 2 ** math.floor(math.log2(values / width)))))
        # Blocks a task runs as one (:func:`run_blocks`): where a block's statistics are only
        # counts, minima and maxima (a P(win)-only run keeping no samples; a full run's moments
        # are summed block by block), as many as keep the inputs drawn at once near
        # _SPAN_VALUES. bench-v1 on one worker: 4 blocks, ~10 % faster than one at a time.
        uncertain = max(1, sum(not d.is_constant for d in scenario.inputs.values()))
        self.span_blocks = 1
        if self.outputs == "pwin" and not self.keep_samples:
            self.span_blocks = max(1, min(_SPAN_MAX_BLOCKS, _SPAN_VALUES // (uncertain * BLOCK_SAMPLES)))

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_input_sampler"] = None  # rebuilt where the plan lands
        return state

    @property
    def input_sampler(self) -> InputSampler:
        if self._input_sampler is None:
            self._input_sampler = InputSampler(self.scenario.inputs, self.n_total, seed=self.seed,
                                               sampler=self.sampler, correlation=self.scenario.correlation)
        return self._input_sampler

    @property
    def n_blocks(self) -> int:
        return -(-self.n_total // BLOCK_SAMPLES)

    def block_range(self, block: int) -> tuple[int, int]:
        start = block * BLOCK_SAMPLES
        return start, min(start + BLOCK_SAMPLES, self.n_total)


class _Grid:
    """Counts of grid volumes below a value, exact against the grid's own numbers."""

    def __init__(self, volumes: np.ndarray):
        self.v = volumes
        self.k = len(volumes)
        self.log0 = math.log(volumes[0])
        self.dlog = (math.log(volumes[-1]) - self.log0) / max(self.k - 1, 1)
        self.padded = np.concatenate([[-np.inf], volumes, [np.inf]])

    def _estimate(self, x: np.ndarray) -> np.ndarray:
        """Grid values below x, estimated from logs (0..K); :meth:`_fix` makes it exact."""
        with np.errstate(divide="ignore", invalid="ignore"):
            j = (np.log(x) - self.log0) * (1.0 / self.dlog)
        # NaN (x <= 0 or NaN) and -inf count nothing below; +inf counts every grid value.
        j = np.floor(np.clip(j, -1.0, self.k - 1.0), out=j)
        j[np.isnan(j)] = -1.0
        return j.astype(np.intp) + 1

    def _fix(self, j: np.ndarray, x: np.ndarray, strict: bool) -> np.ndarray:
        before, at = self.padded[j], self.padded[j + 1]  # v[j - 1], v[j]
        if strict:
            j = j - (before >= x) + (at < x)  # count of v < x
        else:
            j = j - (before > x) + (at <= x)  # count of v <= x
        return np.clip(j, 0, self.k)

    def counts(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """How many samples have grid index k in [lo, hi), for every k: (K,) int64."""
        if np.ndim(hi) == 0 and hi == self.k:  # [lo, K): no upper bounds to take off
            return np.cumsum(np.bincount(lo, minlength=self.k + 1)[: self.k])
        lo = np.minimum(lo, hi)
        diff = np.bincount(lo, minlength=self.k + 1) - np.bincount(hi, minlength=self.k + 1)
        return np.cumsum(diff[: self.k])

    def winning_range(self, a: np.ndarray, b: np.ndarray, *, strict: bool = True,
                      x: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Grid indices [lo, hi) where a + b v < 0 (``strict``) or <= 0; ``x`` is -a / b if known.

        ``hi`` is the int ``K`` (not an array) where every b < 0: those samples win above x.
        """
        if x is None:
            with np.errstate(divide="ignore", invalid="ignore"):
                x = -a / b
        k = self.k
        j = self._estimate(x)  # shared by both counts
        if (b < 0).all():  # the usual case, a challenger cheaper per query: one bound to find
            return self._fix(j, x, strict=not strict), k
        # b < 0: wins above x; b > 0: wins below x; b == 0: everywhere or nowhere.
        lo = np.where(b < 0, self._fix(j, x, strict=not strict), 0)
        hi = np.where(b > 0, self._fix(j, x, strict=strict), k)
        flat_wins = (a < 0) if strict else (a <= 0)
        hi = np.where((b == 0) & ~flat_wins, 0, hi)
        return lo, hi


@dataclass
class _Slice:
    """What one sub-block of samples contributes: counts, and small per-sample arrays."""

    win_counts: np.ndarray
    cheapest: np.ndarray
    wins_by_month: np.ndarray
    delta_h: np.ndarray  # (C, nh, m)
    npc_h: np.ndarray  # (S, nh, m)
    payback: np.ndarray  # (C, m)
    breakeven: np.ndarray  # (C, nh, m)
    paths: np.ndarray | None  # (m, S, H + 1) when samples are kept
    sweep: LineMoments | Moments | None = None  # ΔNPC on the sweep (engine/decision.py)


def run_block(plan: Plan, block: int) -> BlockStats:
    """Statistics of one block of samples (any process, any order: the result is the same).

    The model runs on sub-blocks of 1,024 to 16,384 samples (its temporaries are months x samples
    arrays, so this bounds memory and keeps them near the cache); counts add up, and the
    per-sample values the histograms and moments need are gathered for the whole block.
    """
    return _run_span(plan, block, block + 1)


def _run_span(plan: Plan, first: int, stop_block: int) -> BlockStats:
    """Statistics of the consecutive blocks ``first .. stop_block - 1`` as one: inputs drawn for
    all of them at once (a value depends only on its sample's index), evaluated by sub-blocks.

    Only where the statistics are exact counts, minima and maxima (:attr:`Plan.span_blocks`), so
    that they are the same bits as the blocks' merged one by one."""
    scenario = plan.scenario
    start, stop = plan.block_range(first)[0], plan.block_range(stop_block - 1)[1]
    n = stop - start
    drawn = plan.input_sampler.draw(start, stop, constants=False)
    # A noisy volume path's steps, from their own addressed stream (nothing drawn without noise).
    steps = draw_volume_steps(plan.seed, scenario.horizon_months, start, stop) if scenario.volume.noisy else None
    constants = {name: float(dist.median) for name, dist in scenario.inputs.items() if dist.is_constant}
    slices = []
    step = plan.slice_samples
    for lo in range(0, n, step):
        hi = min(lo + step, n)
        values = {name: constants[name] if name in constants else drawn[name][lo:hi] for name in scenario.inputs}
        slices.append(_evaluate_slice(plan, values, hi - lo, None if steps is None else steps[:, lo:hi]))

    def joined(name: str) -> np.ndarray:
        return np.concatenate([getattr(x, name) for x in slices], axis=-1)

    breakeven = joined("breakeven")
    samples = None
    if plan.keep_samples:
        samples = [{"cumulative": np.concatenate([x.paths for x in slices]),
                    "breakeven": breakeven.transpose(2, 0, 1).copy(),
                    **{f"input:{name}": drawn[name] for name in plan.input_sampler.uncertain}}]
        if steps is not None:
            samples[0]["volume_steps"] = steps.T.copy()
    stats = BlockStats(
        n=n, blocks=(first, stop_block), win_counts=sum(x.win_counts for x in slices),
        cheapest_counts=sum(x.cheapest for x in slices), wins_by_month=None, loss_counts=None,
        delta_hist=None, breakeven_hist=Histogram.of(plan.breakeven_bins, breakeven, below_value=0.0),
        payback_hist=None, moments=[], samples=samples)
    if plan.outputs == "all":
        delta_h, npc_h = joined("delta_h"), joined("npc_h")
        stats.wins_by_month = sum(x.wins_by_month for x in slices)
        stats.loss_counts = (delta_h > 0).sum(axis=2)
        stats.delta_hist = Histogram.of(plan.delta_bins, delta_h)
        stats.payback_hist = Histogram.of(plan.payback_bins, joined("payback"), below_value=0.0)
        stats.moments = [(Moments.of(delta_h), Moments.of(npc_h))]
        stats.decision = block_decision(npc_h, plan.delta_bins, [x.sweep for x in slices])
    return stats


def run_blocks(plan: Plan, blocks: Iterable[int]) -> BlockStats:
    """The statistics of consecutive ``blocks``, merged in order: one worker's task.

    Where :attr:`Plan.span_blocks` allows, a few blocks run as one (fewer, larger numpy calls)."""
    blocks = list(blocks)
    total = None
    for i in range(0, len(blocks), plan.span_blocks):
        span = blocks[i:i + plan.span_blocks]
        stats = _run_span(plan, span[0], span[-1] + 1)
        total = stats if total is None else total.absorb(stats)
    return total


def _evaluate_slice(plan: Plan, values: dict, n: int, steps: np.ndarray | None) -> _Slice:
    scenario = plan.scenario
    model = CostModel(scenario, values, n, components=False, volume_steps=steps)
    strategies = tuple(scenario.strategies)
    challengers = scenario.challengers
    baseline = scenario.baseline
    months = np.asarray(plan.horizons)
    n_k, n_h, n_c, n_s = len(plan.volumes), len(months), len(challengers), len(strategies)

    wins_by_month = payback = delta_h = npc_h = kept_paths = None
    if plan.outputs == "all" or plan.keep_samples:
        wins_by_month, payback, delta_h, npc_h, kept_paths = _at_scenario_volume(plan, model, values, n)

    win_counts = np.zeros((n_c, n_k, n_h), dtype=np.int64)
    cheapest = np.zeros((n_s, n_k, n_h), dtype=np.int64)
    breakeven = np.empty((n_c, n_h, n))
    sweep = None
    if model.is_affine:
        fixed, slope = _count_affine(plan, model, values, n, win_counts, cheapest, breakeven)
        if plan.outputs == "all":
            sweep = line_delta_moments(fixed, slope, challengers, baseline, n)
    else:
        batches: list[Moments] = []
        on_batch = None if plan.outputs != "all" else \
            lambda npc: batches.append(grid_delta_moments(npc, strategies, challengers, baseline))
        first_win, win_low, win_high = _count_on_grid(model, plan.volumes, months, strategies, challengers,
                                                      baseline, win_counts, cheapest,
                                                      check=lambda a, s: _check_finite(a, plan, values, n, s,
                                                                                       "net present cost on the volume sweep"),
                                                      on_batch=on_batch)
        sweep = concat_grid(batches) if batches else None
        for ci, c in enumerate(challengers):
            for hi, h in enumerate(months):
                breakeven[ci, hi] = _bisect_breakeven(model, c, baseline, int(h), plan.volumes,
                                                      first_win[ci, hi], win_low[ci, hi], win_high[ci, hi])
    return _Slice(win_counts=win_counts, cheapest=cheapest, wins_by_month=wins_by_month, delta_h=delta_h,
                  npc_h=npc_h, payback=payback, breakeven=breakeven, paths=kept_paths, sweep=sweep)


def _at_scenario_volume(plan: Plan, model: CostModel, values: dict, n: int) -> tuple[np.ndarray, ...]:
    """At the scenario's volume: wins by month (C, H + 1), payback (C, n), ΔNPC (C, nh, n) and NPC
    (S, nh, n) at each horizon, and the cumulative paths (n, S, H + 1) if samples are kept, else None."""
    scenario = plan.scenario
    strategies, challengers, baseline = tuple(scenario.strategies), scenario.challengers, scenario.baseline
    months = np.asarray(plan.horizons)
    q0 = scenario.volume.queries_per_month
    paths = {s: model.cumulative(s, q0) for s in strategies}  # (H + 1, n)
    for s in strategies:  # inf and nan carry through a cumulative sum: its last month shows them
        _check_finite(paths[s][-1], plan, values, n, s, f"cumulative cost at {q0:,.0f} queries/month")
    deltas = np.stack([paths[c] - paths[baseline] for c in challengers])  # (C, H + 1, n)
    wins_by_month = (deltas < 0).sum(axis=2)
    payback = np.stack([payback_months(d) for d in deltas])  # (C, n)
    delta_h = deltas[:, months]  # (C, nh, n)
    npc_h = np.stack([paths[s][months] for s in strategies])  # (S, nh, n)
    kept_paths = None
    if plan.keep_samples:
        kept_paths = np.stack([paths[s] for s in strategies]).transpose(2, 0, 1).copy()
    return wins_by_month, payback, delta_h, npc_h, kept_paths


def _count_affine(plan: Plan, model: CostModel, values: dict, n: int, win_counts: np.ndarray,
                  cheapest: np.ndarray, breakeven: np.ndarray) -> tuple[dict, dict]:
    """Fill ``win_counts``, ``cheapest`` and ``breakeven`` where every NPC is affine in volume.

    Each strategy's NPC at a horizon is a + b·volume, so where one beats another is an interval
    of the grid, counted without evaluating the grid, and a breakeven is -a / b. Returns each
    strategy's a and b at the horizons (``(nh, n or 1)``), by strategy.
    """
    scenario = plan.scenario
    strategies, challengers, baseline = tuple(scenario.strategies), scenario.challengers, scenario.baseline
    months = np.asarray(plan.horizons)
    grid = _Grid(plan.volumes)
    n_k, n_h, n_s = len(plan.volumes), len(months), len(strategies)
    fixed = {s: model.fixed_at(s, months) for s in strategies}  # (nh, n or 1)
    slope = {s: model.slope_at(s, months) for s in strategies}
    for s in strategies:
        _check_finite(fixed[s], plan, values, n, s, "one-time and fixed costs")
        _check_finite(slope[s], plan, values, n, s, "cost per query")
    for ci, c in enumerate(challengers):
        a = np.broadcast_to(fixed[c] - fixed[baseline], (n_h, n))
        b = np.broadcast_to(slope[c] - slope[baseline], (n_h, n))
        for hi in range(n_h):
            with np.errstate(divide="ignore", invalid="ignore"):
                x = -a[hi] / b[hi]
            lo, up = grid.winning_range(a[hi], b[hi], x=x)
            win_counts[ci, :, hi] = grid.counts(lo, up)
            # The breakeven: 0 where the challenger wins on the whole grid, inf where it does not
            # win at the grid's top, else the crossing -a / b (clipped to the grid).
            wins_high = (lo <= n_k - 1) & (up >= n_k)
            crossing = np.clip(x, plan.volumes[0], plan.volumes[-1], out=x)
            crossing[(lo == 0) & (up > 0)] = 0.0
            crossing[~wins_high] = np.inf
            breakeven[ci, hi] = crossing
    if n_s == 2:  # the challenger is cheapest where it wins, or ties and comes first
        ci, bi = strategies.index(challengers[0]), strategies.index(baseline)
        if ci < bi:
            a = np.broadcast_to(fixed[challengers[0]] - fixed[baseline], (n_h, n))
            b = np.broadcast_to(slope[challengers[0]] - slope[baseline], (n_h, n))
            for hi in range(n_h):
                cheapest[ci, :, hi] = grid.counts(*grid.winning_range(a[hi], b[hi], strict=False))
        else:
            cheapest[ci] = win_counts[0]
        cheapest[bi] = n - cheapest[ci]
    elif n_s <= _PAIRWISE_MAX_STRATEGIES:
        for si, s in enumerate(strategies):
            for hi in range(n_h):
                lo, up = np.zeros(n, dtype=np.intp), np.full(n, n_k, dtype=np.intp)
                for oi, other in enumerate(strategies):
                    if oi == si:
                        continue
                    a = np.broadcast_to(fixed[s][hi] - fixed[other][hi], (n,))
                    b = np.broadcast_to(slope[s][hi] - slope[other][hi], (n,))
                    # Ties go to the earlier strategy: strictly cheaper than those before.
                    l2, u2 = grid.winning_range(a, b, strict=oi < si)
                    lo, up = np.maximum(lo, l2), np.minimum(up, u2)
                cheapest[si, :, hi] = grid.counts(lo, up)
    else:
        _count_on_grid(model, plan.volumes, months, strategies, (), baseline, win_counts, cheapest)
    return fixed, slope


class NonFiniteError(ScenarioError):
    """A cost came out inf or nan: inputs the limits let through still overflow the model."""


def _check_finite(array, plan: Plan, values: dict, n: int, strategy: str, what: str) -> None:
    """Refuse a non-finite cost before it reaches an analysis (a `$infB` in a summary fools no one
    only if it never prints): name the scenario, the strategy, the quantity and the component."""
    if np.isfinite(array).all():
        return
    scenario = plan.scenario
    component = _non_finite_component(scenario, values, n, strategy)
    where = f"its {component} costs" if component else "its volume growth or discounting"
    raise NonFiniteError(
        f"the simulation met a non-finite value (inf or nan) in strategy '{strategy}' "
        f"({scenario.label(strategy)}): its {what}, from {where}; some inputs are too large or too small "
        "for the model together (ftrag-mc format lists each key's limits)",
        file=scenario.file or scenario.name)


def _non_finite_component(scenario: Scenario, values: dict, n: int, strategy: str) -> str | None:
    """The first cost component of ``strategy`` whose terms are not finite (the error path only)."""
    from ftrag_mc.model.strategy import build_cost_terms

    with np.errstate(all="ignore"):
        terms = build_cost_terms(scenario, values, n, components=True)[strategy]
        for name, part in terms.parts.items():
            arrays = [part.one_time_usd, part.fixed_usd, part.per_query_usd]
            for pool in part.gpu_pools:
                arrays += [pool.tokens_per_query / pool.capacity_tokens_per_month, pool.usd_per_replica_month]
            if any(a is not None and not np.isfinite(a).all() for a in arrays):
                return name
    return None


def _count_on_grid(model: CostModel, volumes: np.ndarray, months: np.ndarray, strategies: tuple[str, ...],
                   challengers: tuple[str, ...], baseline: str, win_counts: np.ndarray,
                   cheapest_counts: np.ndarray, check: Callable | None = None,
                   on_batch: Callable | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Wins and cheapest strategies by evaluating every grid volume, a few volumes at a time
    (``on_batch`` is given each batch's NPC (S, k, nh, n), in grid order).

    Returns, per challenger and horizon and sample, the first grid index where the challenger wins
    (K if none) and whether it wins at the first and at the last grid volume.
    """
    n, n_k = model.n, len(volumes)
    b = strategies.index(baseline)
    shape = (len(challengers), len(months), n)
    first_win = np.full(shape, n_k, dtype=np.intp)
    win_low, win_high = np.zeros(shape, dtype=bool), np.zeros(shape, dtype=bool)
    batch = max(1, _GRID_ELEMENTS // max(1, len(strategies) * len(months) * n))
    for k0 in range(0, n_k, batch):
        vols = volumes[k0:k0 + batch]
        npc = np.stack([model.npc_grid(s, vols, months) for s in strategies])  # (S, k, nh, n)
        if check is not None:
            for si, s in enumerate(strategies):
                check(npc[si, :, -1], s)  # the longest horizon: inf and nan carry through the months
        if on_batch is not None:
            on_batch(npc)
        if len(strategies) == 2 and len(challengers) == 1:
            # The challenger is cheapest where it wins, or ties and comes first (ties go to the
            # earlier strategy); the baseline everywhere else.
            c = strategies.index(challengers[0])
            first = npc[c] <= npc[b] if c < b else npc[c] < npc[b]
            cheapest_counts[c, k0:k0 + batch] = first.sum(axis=2)
            cheapest_counts[b, k0:k0 + batch] = n - cheapest_counts[c, k0:k0 + batch]
        else:
            _count_cheapest(npc, cheapest_counts[:, k0:k0 + batch])
        for ci, c in enumerate(challengers):
            wins = npc[strategies.index(c)] < npc[b]  # (k, nh, n)
            win_counts[ci, k0:k0 + batch] = wins.sum(axis=2)
            first = np.where(wins.any(axis=0), k0 + np.argmax(wins, axis=0), n_k)
            first_win[ci] = np.minimum(first_win[ci], first)
            if k0 == 0:
                win_low[ci] = wins[0]
            if k0 + len(vols) == n_k:
                win_high[ci] = wins[-1]
    return first_win, win_low, win_high


def _count_cheapest(npc: np.ndarray, out: np.ndarray) -> None:
    """Count, per grid volume and horizon, the samples in which each strategy is cheapest."""
    cheapest = np.argmin(npc, axis=0)  # (K, nh, n); ties go to the earlier strategy
    for si in range(npc.shape[0]):
        out[si] = (cheapest == si).sum(axis=2)


def _bisect_breakeven(model: CostModel, challenger: str, baseline: str, month: int, volumes: np.ndarray,
                      first_win: np.ndarray, win_low: np.ndarray, win_high: np.ndarray) -> np.ndarray:
    """Lowest start volume in the sweep from which ``challenger`` beats ``baseline`` (non-affine costs).

    0.0 where it wins already at the bottom of the range, +inf where it does not win at the top;
    otherwise the first grid step where the sign turns is halved in log volume 10 times (to 2.3e-4
    relative), evaluating only the samples inside; a secant step between the bracket's ends then
    gives the crossing exactly where the bracket lies on one linear piece of ΔNPC (between GPU
    steps and ceiling bends), and a point inside the bracket otherwise.
    """
    result = np.where(win_high, np.where(win_low, 0.0, np.nan), np.inf)
    rows = np.flatnonzero(np.isnan(result))
    if not rows.size:
        return result
    first_win = first_win[rows]  # >= 1: it loses at index 0
    lo, hi = np.log(volumes[first_win - 1]), np.log(volumes[first_win])
    delta = model.npc_function(challenger, month, rows, minus=baseline)

    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        wins = delta(np.exp(mid)) < 0
        hi = np.where(wins, mid, hi)
        lo = np.where(wins, lo, mid)
    q_lo, q_hi = np.exp(lo), np.exp(hi)
    d_lo, d_hi = delta(q_lo), delta(q_hi)  # d_lo >= 0 > d_hi
    with np.errstate(divide="ignore", invalid="ignore"):
        secant = q_lo + (q_hi - q_lo) * d_lo / (d_lo - d_hi)
    q_hi = np.where(np.isfinite(secant) & (secant >= q_lo) & (secant <= q_hi), secant, q_hi)
    result[rows] = q_hi
    return result


__all__ = ["BLOCK_SAMPLES", "BREAKEVEN_BINS_PER_DECADE", "DELTA_BINS_PER_DECADE", "DELTA_RANGE_USD",
           "PAYBACK_BINS_PER_MONTH", "BlockStats", "NonFiniteError", "Plan", "run_block", "run_blocks", "volume_grid"]
