"""Run the cost model over samples, volumes and horizons, in chunks.

Every strategy, volume and horizon of one sample sees the same draw of every input (common random
numbers), so differences between strategies carry no sampling noise of their own. Samples are
processed in chunks whose size changes memory, never results: inputs come from addressed streams
(:mod:`ftrag_mc.sampling`) and every formula is row-wise.

What the simulator keeps is what the analyses need and is O(samples), not O(samples x volumes):
win and cheapest counts over the volume grid, each sample's cumulative cost path at the scenario's
volume, its breakeven volume per horizon, and the sampled inputs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

from ftrag_mc.model import calendar
from ftrag_mc.model.costs import CostTerms, build_cost_terms
from ftrag_mc.sampling import InputSampler, normalize_seed
from ftrag_mc.scenario import Scenario

DEFAULT_CHUNK_SIZE = 4096
_BISECTION_STEPS = 40  # a grid step of ratio 1.26 shrinks below 1e-11 relative


@dataclass(frozen=True)
class SimulationResult:
    """Sufficient statistics of one run.

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
    cumulative_usd : (n, S, H + 1) float64
        Discounted cumulative cost at the scenario's volume; index 0 is the one-time cost at t = 0,
        index t the total through month t.
    breakeven_volume : (n, C, len(horizons)) float64
        Start volume above which challenger c beats the baseline, within the sweep range; 0.0 where
        it already wins at the bottom of the range, +inf where it does not win at the top.
    inputs : dict of str to (n,) float64
        Every uncertain input's draws, for sensitivity analyses.
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
    cumulative_usd: np.ndarray
    breakeven_volume: np.ndarray
    inputs: dict[str, np.ndarray]
    timings_s: dict[str, float] = field(default_factory=dict)

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


def volume_grid(scenario: Scenario) -> np.ndarray:
    """The log-spaced start volumes of the P(win) sweep, queries/month, shape (K,)."""
    v = scenario.volume
    return np.geomspace(v.sweep_min, v.sweep_max, v.sweep_points)


def simulate(scenario: Scenario, *, samples: int | None = None, seed: int | None = None,
             sampler: str | None = None, chunk_size: int = DEFAULT_CHUNK_SIZE,
             progress: Callable[[int], None] | None = None) -> SimulationResult:
    """Simulate ``scenario``; arguments left as None come from its [simulation] section.

    Parameters
    ----------
    samples, seed, sampler
        Override the scenario's settings. The same seed gives bit-identical results for any
        ``chunk_size``.
    chunk_size
        Samples per block of work; bounds memory (about chunk_size x volumes x months x 8 bytes
        for a scenario with GPU serving or a volume ceiling).
    progress
        Called with the number of samples finished after each chunk.
    """
    n_total = samples if samples is not None else scenario.simulation.samples
    seed = normalize_seed(seed if seed is not None else scenario.simulation.seed)
    sampler_name = sampler if sampler is not None else scenario.simulation.sampler
    if n_total < 2:
        raise ValueError(f"samples must be at least 2 (got {n_total})")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1 (got {chunk_size})")

    started = time.perf_counter()
    input_sampler = InputSampler(scenario.inputs, n_total, seed=seed, sampler=sampler_name,
                                 correlation=scenario.correlation)
    volumes = volume_grid(scenario)
    horizons = scenario.analysis_horizons
    strategies = tuple(scenario.strategies)
    challengers = scenario.challengers
    n_s, n_c, n_k, n_h = len(strategies), len(challengers), len(volumes), len(horizons)
    horizon = scenario.horizon_months

    win_counts = np.zeros((n_c, n_k, n_h), dtype=np.int64)
    cheapest_counts = np.zeros((n_s, n_k, n_h), dtype=np.int64)
    cumulative = np.empty((n_total, n_s, horizon + 1))
    breakeven = np.empty((n_total, n_c, n_h))
    uncertain = list(scenario.uncertain_inputs)
    inputs = {name: np.empty(n_total) for name in uncertain}
    timings = {"sampling": 0.0, "model": 0.0}

    for start in range(0, n_total, chunk_size):
        stop = min(start + chunk_size, n_total)
        t0 = time.perf_counter()
        values = input_sampler.draw(start, stop)
        t1 = time.perf_counter()
        chunk = _simulate_chunk(scenario, values, stop - start, volumes)
        win_counts += chunk.win_counts
        cheapest_counts += chunk.cheapest_counts
        cumulative[start:stop] = chunk.cumulative
        breakeven[start:stop] = chunk.breakeven
        for name in uncertain:
            inputs[name][start:stop] = values[name]
        timings["sampling"] += t1 - t0
        timings["model"] += time.perf_counter() - t1
        if progress is not None:
            progress(stop - start)
    timings["total"] = time.perf_counter() - started

    return SimulationResult(
        scenario=scenario, volumes=volumes, horizons=horizons, n_samples=n_total, seed=seed,
        sampler=sampler_name, chunk_size=chunk_size, win_counts=win_counts,
        cheapest_counts=cheapest_counts, cumulative_usd=cumulative, breakeven_volume=breakeven,
        inputs=inputs, timings_s=timings)


@dataclass(frozen=True)
class _Chunk:
    win_counts: np.ndarray
    cheapest_counts: np.ndarray
    cumulative: np.ndarray
    breakeven: np.ndarray


class _Evaluator:
    """Discounted cumulative cost of every strategy for one block of samples, at any volumes."""

    def __init__(self, scenario: Scenario, values: Mapping[str, np.ndarray], n: int):
        horizon = scenario.horizon_months
        self.terms: dict[str, CostTerms] = build_cost_terms(scenario, values, n)
        self.growth = calendar.growth_factors(values[scenario.volume.growth_per_month.name], horizon)
        self.discount = calendar.discount_factors(values[scenario.meta.discount_rate_per_year.name], horizon)
        self.ceiling = scenario.volume.ceiling_queries_per_month
        self.is_affine = self.ceiling is None and all(t.is_affine for t in self.terms.values())
        if self.is_affine:
            # NPC through month h is a_h + b_h * Q0 per sample: cumulative sums solved once.
            self.fixed_cum = {s: np.cumsum(t.fixed_usd * self.discount, axis=1) for s, t in self.terms.items()}
            self.slope_cum = {s: np.cumsum(t.per_query_usd * self.growth * self.discount, axis=1)
                              for s, t in self.terms.items()}

    def _demand(self, start_volume: np.ndarray, growth: np.ndarray) -> np.ndarray:
        """Queries per month: start volume x growth, capped at the ceiling (shapes broadcast)."""
        q = start_volume * growth
        return q if self.ceiling is None else np.minimum(q, self.ceiling)

    def cumulative_at(self, strategy: str, start_volume: np.ndarray) -> np.ndarray:
        """Cumulative discounted cost through each month, per-sample start volumes (n,) -> (n, H)."""
        terms = self.terms[strategy]
        if self.is_affine:
            return terms.one_time_usd[:, None] + self.fixed_cum[strategy] + start_volume[:, None] * self.slope_cum[strategy]
        q = self._demand(start_volume[:, None], self.growth)
        return terms.one_time_usd[:, None] + np.cumsum(terms.monthly_usd(q) * self.discount, axis=1)

    def npc_on_grid(self, strategy: str, volumes: np.ndarray, months: np.ndarray) -> np.ndarray:
        """NPC through each of ``months`` (1-based) at every grid volume: (n, K, len(months))."""
        terms = self.terms[strategy]
        idx = months - 1
        if self.is_affine:
            a = terms.one_time_usd[:, None] + self.fixed_cum[strategy][:, idx]
            return a[:, None, :] + volumes[None, :, None] * self.slope_cum[strategy][:, None, idx]
        q = self._demand(volumes[None, :, None], self.growth[:, None, :])
        cum = np.cumsum(terms.monthly_usd(q) * self.discount[:, None, :], axis=2)
        return terms.one_time_usd[:, None, None] + cum[:, :, idx]


def _simulate_chunk(scenario: Scenario, values: Mapping[str, np.ndarray], n: int, volumes: np.ndarray) -> _Chunk:
    strategies = tuple(scenario.strategies)
    baseline = scenario.baseline
    months = np.asarray(scenario.analysis_horizons)
    ev = _Evaluator(scenario, values, n)

    q0 = np.full(n, scenario.volume.queries_per_month)
    cumulative = np.empty((n, len(strategies), scenario.horizon_months + 1))
    for i, s in enumerate(strategies):
        cumulative[:, i, 0] = ev.terms[s].one_time_usd
        cumulative[:, i, 1:] = ev.cumulative_at(s, q0)

    npc = np.stack([ev.npc_on_grid(s, volumes, months) for s in strategies], axis=1)  # (n, S, K, nh)
    base = npc[:, strategies.index(baseline)]
    challengers = [strategies.index(c) for c in scenario.challengers]
    wins = npc[:, challengers] < base[:, None]
    cheapest = np.argmin(npc, axis=1)  # (n, K, nh)
    cheapest_counts = np.stack([(cheapest == i).sum(axis=0) for i in range(len(strategies))])

    breakeven = np.empty((n, len(challengers), len(months)))
    for ci, c in enumerate(scenario.challengers):
        for hi, h in enumerate(months):
            breakeven[:, ci, hi] = _breakeven(ev, c, baseline, int(h), volumes,
                                              npc[:, strategies.index(c), :, hi] - base[:, :, hi])
    return _Chunk(win_counts=wins.sum(axis=0), cheapest_counts=cheapest_counts, cumulative=cumulative,
                  breakeven=breakeven)


def _breakeven(ev: _Evaluator, challenger: str, baseline: str, month: int, volumes: np.ndarray,
               delta_on_grid: np.ndarray) -> np.ndarray:
    """Lowest start volume in the sweep range from which ``challenger`` beats ``baseline``.

    0.0 where it wins already at the bottom of the range, +inf where it does not win at the top.
    Affine costs give the crossing in closed form; otherwise the first grid step where the sign
    turns is refined by bisection in log volume.
    """
    v_min, v_max = volumes[0], volumes[-1]
    win_low = delta_on_grid[:, 0] < 0
    win_high = delta_on_grid[:, -1] < 0
    result = np.where(win_high, np.where(win_low, 0.0, np.nan), np.inf)
    todo = np.isnan(result)
    if not todo.any():
        return result
    if ev.is_affine:
        i = month - 1
        c, b = challenger, baseline
        a = (ev.terms[c].one_time_usd + ev.fixed_cum[c][:, i]) - (ev.terms[b].one_time_usd + ev.fixed_cum[b][:, i])
        slope = ev.slope_cum[c][:, i] - ev.slope_cum[b][:, i]
        with np.errstate(divide="ignore", invalid="ignore"):
            crossing = np.clip(-a / slope, v_min, v_max)
        return np.where(todo, crossing, result)

    first_win = np.argmax(delta_on_grid < 0, axis=1)  # lose at index 0, so first_win >= 1 where todo
    lo = np.log(volumes[np.maximum(first_win - 1, 0)])
    hi = np.log(volumes[first_win])
    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        q = np.exp(mid)
        delta = ev.cumulative_at(challenger, q)[:, month - 1] - ev.cumulative_at(baseline, q)[:, month - 1]
        wins = delta < 0
        hi = np.where(wins, mid, hi)
        lo = np.where(wins, lo, mid)
    return np.where(todo, np.exp(hi), result)
