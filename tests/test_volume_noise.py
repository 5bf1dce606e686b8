"""Noisy volume paths (``volume.volatility_per_month``, MODEL.md §5b) against an independent month-by-month loop.

q_t = Q0 (1 + g)^(t - 1) exp(σ W_t - σ² t / 2), W_t = Z_1 + ... + Z_t. The model keeps costs affine in
Q0 (demand = Q0 x path) but may no longer use any geometric sum: every closed form that did
(``growth_sum``, the per-query slope, the capped months under a ceiling) is checked here against a
plain loop over each sample's months, written independently of the package.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import ftrag_mc as fm
from ftrag_mc.model.evaluate import CostModel, input_values
from ftrag_mc.sampling import BLOCK_SIZE, draw_volume_steps
from ftrag_mc.limits import STEP_LIMIT

H = 18


def _table(*, sigma, ceiling=None, discount=0.09, decline=0.2, growth=None) -> dict:
    volume = {"queries_per_month": 50_000, "growth_per_month": growth or {"dist": "uniform", "min": -0.02, "max": 0.06},
              "volatility_per_month": sigma, "sweep_min": 1e3, "sweep_max": 1e7, "sweep_points": 9}
    if ceiling is not None:
        volume["ceiling_queries_per_month"] = ceiling
    return {
        "scenario": {"horizon_months": H, "baseline": "rag", "discount_rate_per_year": discount,
                     "analysis_horizons_months": [6, H]},
        "volume": volume,
        "strategies": {
            "rag": {"per_query_usd": {"dist": "uniform", "min": 0.004, "max": 0.012}, "fixed_usd_per_month": 300},
            "ft": {"per_query_usd": 0.002, "one_time_usd": {"dist": "uniform", "min": 5_000, "max": 60_000},
                   "price_decline_per_year": decline, "fixed_usd_per_month": 900},
        },
    }


def _brute_npc(values: dict, steps: np.ndarray, q0: float, month: int, strategy: str, *, sigma: float,
               ceiling: float | None, horizon: int = H) -> np.ndarray:
    """NPC through ``month`` per sample, one sample and one month at a time (no numpy over months)."""
    n = steps.shape[0]
    out = np.empty(n)
    for i in range(n):
        v = {k: (float(x[i]) if np.ndim(x) else float(x)) for k, x in values.items()}
        g, r = v["volume.growth_per_month"], v["scenario.discount_rate_per_year"]
        s = v["volume.volatility_per_month"] if np.ndim(values["volume.volatility_per_month"]) else sigma
        per_query = v[f"strategies.{strategy}.per_query_usd"]
        fixed = v[f"strategies.{strategy}.fixed_usd_per_month"]
        decline = v[f"strategies.{strategy}.price_decline_per_year"]
        total, walk = v[f"strategies.{strategy}.one_time_usd"], 0.0
        for t in range(1, month + 1):
            walk += steps[i, t - 1]
            walk = min(max(walk, -STEP_LIMIT * math.sqrt(t)), STEP_LIMIT * math.sqrt(t))
            q = q0 * (1 + g) ** (t - 1) * math.exp(s * walk - s * s * t / 2)
            if ceiling is not None:
                q = min(q, ceiling)
            price = (1 - decline) ** ((t - 1) / 12)
            total += (fixed + per_query * price * q) * (1 + r) ** (-t / 12)
        out[i] = total
    return out


def _draws(scenario, n: int, seed: int = 3):
    result = fm.simulate(scenario, samples=n, seed=seed, sampler="mc", keep_samples=True, workers=1)
    return result, result.inputs, result.samples.volume_steps


@pytest.mark.parametrize("ceiling", [None, 120_000])
@pytest.mark.parametrize("sigma", [0.15, {"dist": "uniform", "min": 0.05, "max": 0.3}])
def test_npc_is_the_month_by_month_sum_over_each_samples_path(sigma, ceiling):
    scenario = fm.parse_scenario(_table(sigma=sigma, ceiling=ceiling))
    result, inputs, steps = _draws(scenario, 40)
    assert steps.shape == (40, H)
    values, _ = input_values(scenario, inputs)
    s = sigma if isinstance(sigma, float) else None
    for strategy in ("rag", "ft"):
        for q0 in (2_000.0, 50_000.0, 400_000.0):
            ev = fm.evaluate(scenario, inputs, volumes=[q0], months=[6, H], volume_steps=steps)
            for j, month in enumerate((6, H)):
                want = _brute_npc(values, steps, q0, month, strategy, sigma=s, ceiling=ceiling)
                got = ev.npc_usd[:, ev.strategies.index(strategy), 0, j]
                assert got == pytest.approx(want, rel=1e-11)
        # The run's own kept paths are the same sums (at the scenario's volume).
        want = _brute_npc(values, steps, 50_000.0, H, strategy, sigma=s, ceiling=ceiling)
        assert result.cumulative_usd[:, result.index(strategy), H] == pytest.approx(want, rel=1e-11)


def test_the_closed_forms_fall_back_to_explicit_sums():
    # growth_sum and slope_at are the simulator's closed forms for breakevens and win counts.
    scenario = fm.parse_scenario(_table(sigma=0.2))
    _result, inputs, steps = _draws(scenario, 25)
    values, n = input_values(scenario, inputs)
    model = CostModel(scenario, values, n, components=False, volume_steps=steps.T)
    months = np.array([0, 1, 7, H])
    r = values["scenario.discount_rate_per_year"]
    g = values["volume.growth_per_month"]
    want = np.zeros((len(months), n))
    for i in range(n):
        walk = 0.0
        for t in range(1, H + 1):
            walk += steps[i, t - 1]
            term = (1 + r) ** (-t / 12) * (1 + g[i]) ** (t - 1) * math.exp(0.2 * walk - 0.02 * t)
            want[months >= t, i] += term
    assert model.growth_sum(months) == pytest.approx(want, rel=1e-12)
    ft_per_query = 0.002 * (1 - 0.2) ** ((np.arange(1, H + 1) - 1) / 12)
    for strategy, slope in (("rag", values["strategies.rag.per_query_usd"]), ("ft", None)):
        got = model.slope_at(strategy, months)
        if slope is not None:
            assert got == pytest.approx(want * slope, rel=1e-12)
        else:  # a price trend: the per-query cost changes month by month
            expect = np.zeros((len(months), n))
            for i in range(n):
                walk = 0.0
                for t in range(1, H + 1):
                    walk += steps[i, t - 1]
                    expect[months >= t, i] += ((1 + r) ** (-t / 12) * (1 + g[i]) ** (t - 1)
                                               * math.exp(0.2 * walk - 0.02 * t) * ft_per_query[t - 1])
            assert got == pytest.approx(expect, rel=1e-12)


def test_breakeven_and_win_counts_agree_with_the_explicit_model():
    # The affine path (crossings counted per grid cell) against the model at every grid volume.
    scenario = fm.parse_scenario(_table(sigma=0.25))
    result, inputs, steps = _draws(scenario, 600)
    ev = fm.evaluate(scenario, inputs, volumes=result.volumes, months=list(result.horizons), volume_steps=steps)
    wins = (ev.npc_usd[:, 1] < ev.npc_usd[:, 0]).sum(axis=0)
    assert np.array_equal(wins, result.win_counts[0])
    # Each sample's breakeven: ΔNPC is zero there (up to rounding), affine in volume.
    be = result.breakeven_volume[:, 0, -1]
    inside = np.isfinite(be) & (be > 0)
    assert inside.sum() > 50
    at = fm.evaluate(scenario, {k: v[inside] for k, v in inputs.items()}, volumes=[1.0], months=[H],
                     volume_steps=steps[inside])
    zero = fm.evaluate(scenario, {k: v[inside] for k, v in inputs.items()}, volumes=[0.0], months=[H],
                       volume_steps=steps[inside])
    a = zero.npc_usd[:, 1, 0, 0] - zero.npc_usd[:, 0, 0, 0]
    b = at.npc_usd[:, 1, 0, 0] - at.npc_usd[:, 0, 0, 0] - a
    assert be[inside] == pytest.approx(-a / b, rel=1e-9)


def test_mean_volume_keeps_the_growth_path_and_spreads_with_sigma():
    # E[exp(σ W_t - σ² t / 2)] = 1: noise adds spread, not drift.
    n, sigma = 200_000, 0.1
    steps = draw_volume_steps(11, 24, 0, n)
    walk = np.cumsum(steps, axis=0)
    t = np.arange(1, 25)[:, None]
    factor = np.exp(sigma * walk - sigma**2 * t / 2)
    mean = factor.mean(axis=1)
    se = factor.std(axis=1) / math.sqrt(n)
    assert np.all(np.abs(mean - 1) < 4 * se)
    assert np.log(factor).std(axis=1) == pytest.approx(sigma * np.sqrt(t[:, 0]), rel=0.02)


@pytest.mark.parametrize("cuts", [[0, 5, BLOCK_SIZE - 1, BLOCK_SIZE + 3, 2 * BLOCK_SIZE + 50],
                                  [0, 1, 2, 2 * BLOCK_SIZE + 50]])
def test_steps_are_addressed_any_partition_gives_the_same_bits(cuts):
    whole = draw_volume_steps(5, 12, 0, cuts[-1])
    parts = np.concatenate([draw_volume_steps(5, 12, a, b) for a, b in zip(cuts, cuts[1:])], axis=1)
    assert np.array_equal(whole, parts)
    # A longer horizon keeps the months a shorter one has; another seed draws other steps.
    assert np.array_equal(draw_volume_steps(5, 30, 0, 100)[:12], whole[:, :100])
    assert not np.array_equal(draw_volume_steps(6, 12, 0, 100), whole[:, :100])


def test_no_volatility_draws_nothing_and_keeps_the_closed_forms():
    scenario = fm.parse_scenario(_table(sigma=0))
    assert not scenario.volume.noisy
    result = fm.simulate(scenario, samples=300, seed=1, keep_samples=True)
    assert result.samples.volume_steps is None
    values, n = input_values(scenario, result.inputs)
    assert not CostModel(scenario, values, n).noisy


def test_same_bits_for_any_chunk_size_and_workers_with_noise():
    scenario = fm.parse_scenario(_table(sigma={"dist": "uniform", "min": 0.05, "max": 0.3}, ceiling=150_000))
    n = BLOCK_SIZE + 777
    a = fm.simulate(scenario, samples=n, seed=9, workers=1, keep_samples=True)
    b = fm.simulate(scenario, samples=n, seed=9, workers=2, chunk_size=1, keep_samples=True)
    assert np.array_equal(a.cumulative_usd, b.cumulative_usd)
    assert np.array_equal(a.breakeven_volume, b.breakeven_volume)
    assert np.array_equal(a.samples.volume_steps, b.samples.volume_steps)
    assert np.array_equal(a.win_counts, b.win_counts)


def test_noise_that_could_overflow_is_refused():
    table = _table(sigma=0.5)
    table["scenario"]["horizon_months"] = 600
    table["scenario"]["analysis_horizons_months"] = [600]
    table["volume"]["growth_per_month"] = 0.0
    with pytest.raises(fm.ScenarioError, match="volume.volatility_per_month: growth and noise"):
        fm.parse_scenario(table)


def test_the_walk_limit_is_the_largest_normal_an_input_can_draw():
    from scipy.special import ndtri

    from ftrag_mc.limits import U_MIN

    assert STEP_LIMIT == float(-ndtri(U_MIN))
