"""What a sensitivity study compares, and the model evaluated for it.

A study compares one challenger with a baseline at one start volume through one month
(:class:`Question`). ΔNPC is NPC(challenger) − NPC(baseline): negative is a saving. Every
deterministic what-if goes through :func:`ftrag_mc.model.evaluate.evaluate`, in chunks of
:data:`CHUNK_SAMPLES` samples at one volume and one month; a sampled run's own ΔNPC and breakeven
volumes come from its kept samples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from ftrag_mc.model.evaluate import evaluate
from ftrag_mc.scenario import Scenario
from ftrag_mc.simulate import SimulationResult, simulate, volume_grid

__all__ = ["CHUNK_SAMPLES", "DEFAULT_SAMPLES", "Question", "delta_usd", "npc_usd", "resolve_question",
           "sample_breakeven", "sample_delta", "sampled_run"]

DEFAULT_SAMPLES = 20_000
"""Samples simulated when a study needs a sampled run and none is given."""
CHUNK_SAMPLES = 16_384
"""Samples per :func:`evaluate` call: its temporaries are (months, samples) arrays."""


# --- what is compared --------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """One comparison: challenger against baseline at a start volume, through a month."""

    challenger: str
    baseline: str
    horizon: int
    volume: float

    def columns(self, scenario: Scenario) -> dict[str, object]:
        """The comparison's columns of a study's row: strategy and baseline with their labels,
        horizon_months, queries_per_month."""
        return {"strategy": self.challenger, "strategy_label": scenario.label(self.challenger),
                "baseline": self.baseline, "baseline_label": scenario.label(self.baseline),
                "horizon_months": self.horizon, "queries_per_month": self.volume}

    def delta(self, scenario: Scenario, npc: np.ndarray) -> np.ndarray:
        """ΔNPC (n,) from every strategy's NPC (n, S), strategies in scenario order."""
        order = list(scenario.strategies)
        return npc[:, order.index(self.challenger)] - npc[:, order.index(self.baseline)]


def resolve_question(scenario: Scenario, result: SimulationResult | None, challenger: str | None,
                     baseline: str | None, horizon: int | None, volume: float | None) -> Question:
    """The comparison a study makes, its defaults filled in and checked.

    Parameters
    ----------
    scenario
        The scenario.
    result
        A run of it with its samples, to find the strongest challenger; None simulates one when
        that is needed (several challengers and none given).
    challenger, baseline, horizon, volume
        None: the challenger with the highest P(win) against the baseline (the only one when there
        is one), the scenario's baseline, horizon and start volume.

    Raises
    ------
    ValueError
        Unknown or equal strategies, a horizon that is not a whole month in 0..H, or a volume
        that is not a positive number.
    """
    baseline = scenario.baseline if baseline is None else baseline
    if baseline not in scenario.strategies:
        raise ValueError(f"baseline {baseline!r} is not a strategy (strategies: {', '.join(scenario.strategies)})")
    horizon = scenario.horizon_months if horizon is None else horizon
    if int(horizon) != horizon or not 0 <= horizon <= scenario.horizon_months:
        raise ValueError(f"horizon must be a whole month in 0..{scenario.horizon_months} (got {horizon})")
    volume = float(scenario.volume.queries_per_month if volume is None else volume)
    if not (math.isfinite(volume) and volume > 0):
        raise ValueError(f"volume must be a positive number of queries/month (got {volume})")
    if challenger is None:
        others = [s for s in scenario.strategies if s != baseline]
        if len(others) == 1:
            challenger = others[0]
        else:
            if result is None:
                result = sampled_run(scenario, None)
            challenger = _strongest(scenario, result, others, baseline, int(horizon), volume)
    if challenger not in scenario.strategies:
        raise ValueError(f"challenger {challenger!r} is not a strategy (strategies: {', '.join(scenario.strategies)})")
    if challenger == baseline:
        raise ValueError(f"challenger and baseline are both {baseline!r}: compare two different strategies")
    return Question(challenger, baseline, int(horizon), volume)


def _strongest(scenario: Scenario, result: SimulationResult, candidates: Sequence[str], baseline: str,
               horizon: int, volume: float) -> str:
    """The candidate with the highest P(win) against ``baseline`` in ``result``'s samples."""
    npc = sample_npc(scenario, result, volume, horizon)
    order = list(scenario.strategies)
    b = npc[:, order.index(baseline)]
    # Highest P(win); among equals (e.g. several that always win) the larger mean saving.
    keys = [(float(np.mean(npc[:, order.index(c)] < b)), -float(np.mean(npc[:, order.index(c)] - b)), -i)
            for i, c in enumerate(candidates)]
    return candidates[max(range(len(candidates)), key=keys.__getitem__)]


def sampled_run(scenario: Scenario, result: SimulationResult | None) -> SimulationResult:
    """``result`` checked to be of ``scenario`` with per-sample arrays, or a fresh run of 20,000."""
    if result is None:
        return simulate(scenario, samples=DEFAULT_SAMPLES, seed=scenario.simulation.seed, keep_samples=True)
    if result.scenario.source_hash != scenario.source_hash:
        raise ValueError(f"result was simulated from scenario {result.scenario.name!r}, not from this one")
    if result.samples is None:
        raise ValueError("a sensitivity study needs the per-sample arrays: simulate(..., keep_samples=True)")
    return result


# --- the model, in chunks ---------------------------------------------------------------------


def npc_usd(scenario: Scenario, inputs: Mapping[str, np.ndarray], n: int, volume: float,
            horizon: int, steps: np.ndarray | None = None) -> np.ndarray:
    """Every strategy's NPC for ``n`` samples of ``inputs`` at one volume and month: (n, S); with a
    noisy volume, ``steps`` (n, H) are a run's own (None: each month at its median volume)."""
    out = np.empty((n, len(scenario.strategies)))
    for start in range(0, n, CHUNK_SAMPLES):
        stop = min(start + CHUNK_SAMPLES, n)
        chunk = {name: values[start:stop] for name, values in inputs.items()}
        out[start:stop] = evaluate(scenario, chunk, volumes=[volume], months=[horizon],
                                   volume_steps=None if steps is None else steps[start:stop]).npc_usd[:, :, 0, 0]
    return out


def delta_usd(scenario: Scenario, inputs: Mapping[str, np.ndarray], n: int, q: Question) -> np.ndarray:
    """ΔNPC (n,) of ``q`` for ``n`` samples of ``inputs``."""
    return q.delta(scenario, npc_usd(scenario, inputs, n, q.volume, q.horizon))


def sample_npc(scenario: Scenario, result: SimulationResult, volume: float, horizon: int) -> np.ndarray:
    """NPC of every strategy in every sample of ``result``: (n, S); kept paths at the run's volume."""
    if volume == scenario.volume.queries_per_month:
        return result.cumulative_usd[:, :, horizon]
    return npc_usd(scenario, result.inputs, result.n_samples, volume, horizon, result.samples.volume_steps)


def sample_delta(scenario: Scenario, result: SimulationResult, q: Question) -> np.ndarray:
    """ΔNPC (n,) of ``q`` in every sample of ``result``."""
    return q.delta(scenario, sample_npc(scenario, result, q.volume, q.horizon))


def sample_breakeven(scenario: Scenario, result: SimulationResult, q: Question) -> np.ndarray:
    """Per-sample breakeven start volume (n,): 0.0 = wins at the bottom of the sweep, inf = not at its top.

    The run's own (bisected) values when it has them (challenger against the scenario's baseline
    at an analysis horizon); otherwise from ΔNPC on the sweep grid, the crossing interpolated
    linearly in volume between the grid points around it: exact where costs are affine in volume
    (ΔNPC is then a line), within one grid step otherwise.
    """
    if q.baseline == scenario.baseline and q.horizon in result.horizons:
        return result.breakeven_volume[:, scenario.challengers.index(q.challenger), result.horizons.index(q.horizon)]
    grid = volume_grid(scenario)
    order = list(scenario.strategies)
    ci, bi = order.index(q.challenger), order.index(q.baseline)
    n = result.n_samples
    delta = np.empty((n, len(grid)))
    for start in range(0, n, CHUNK_SAMPLES):
        stop = min(start + CHUNK_SAMPLES, n)
        chunk = {name: values[start:stop] for name, values in result.inputs.items()}
        steps = result.samples.volume_steps
        npc = evaluate(scenario, chunk, volumes=grid, months=[q.horizon],
                       volume_steps=None if steps is None else steps[start:stop]).npc_usd[:, :, :, 0]
        delta[start:stop] = npc[:, ci] - npc[:, bi]
    wins = delta < 0
    first = np.argmax(wins, axis=1)
    rows = np.arange(n)
    out = np.where(wins[:, -1], np.where(wins[:, 0], 0.0, np.nan), np.inf)
    inside = np.isnan(out)
    k = first[inside]
    d_lo, d_hi = delta[rows[inside], k - 1], delta[rows[inside], k]
    q_lo, q_hi = grid[k - 1], grid[k]
    out[inside] = q_lo + (q_hi - q_lo) * d_lo / (d_lo - d_hi)
    return out
