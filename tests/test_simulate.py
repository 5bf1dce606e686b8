"""The simulator: reproducibility, common random numbers, and the bench-v1 reference values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import ftrag_mc as fm
from ftrag_mc.simulate import SimulationResult

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
ARRAYS = ("win_counts", "cheapest_counts", "cumulative_usd", "breakeven_volume")


def _same(a: SimulationResult, b: SimulationResult) -> None:
    for name in ARRAYS:
        assert np.array_equal(getattr(a, name), getattr(b, name), equal_nan=True), name
    assert a.inputs.keys() == b.inputs.keys()
    for name in a.inputs:
        assert np.array_equal(a.inputs[name], b.inputs[name]), name


@pytest.mark.parametrize("sampler", ["mc", "lhs", "sobol"])
@pytest.mark.parametrize("scenario_file", ["hybrid.toml", "dsl-codegen.toml"])
def test_same_seed_same_bits_whatever_the_chunk_size(scenario_file: str, sampler: str) -> None:
    # hybrid has a volume ceiling, correlation-free end of life and three strategies; dsl-codegen has
    # GPU steps: both take the general (non-affine) path with bisection.
    scenario = fm.load_scenario(ROOT / "scenarios" / scenario_file)
    reference = fm.simulate(scenario, samples=600, seed=11, sampler=sampler, chunk_size=600)
    for chunk_size in (1, 37, 256):
        _same(reference, fm.simulate(scenario, samples=600, seed=11, sampler=sampler, chunk_size=chunk_size))


def test_correlated_scenario_is_chunk_invariant() -> None:
    scenario = fm.load_scenario(ROOT / "scenarios" / "support-classifier.toml")
    assert scenario.correlation is not None
    _same(fm.simulate(scenario, samples=1000, seed=3, chunk_size=1000),
          fm.simulate(scenario, samples=1000, seed=3, chunk_size=99))


def test_a_different_seed_gives_different_draws_and_the_same_seed_the_same() -> None:
    scenario = fm.load_scenario(ROOT / "scenarios" / "rough-breakeven.toml")
    a, b, c = (fm.simulate(scenario, samples=500, seed=s) for s in (1, 1, 2))
    _same(a, b)
    assert not np.array_equal(a.cumulative_usd, c.cumulative_usd)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_shipped_scenarios_simulate_to_finite_costs(path: Path) -> None:
    scenario = fm.load_scenario(path)
    result = fm.simulate(scenario, samples=400, seed=5)
    assert np.isfinite(result.cumulative_usd).all()
    assert (np.diff(result.cumulative_usd, axis=2) >= -1e-9).all(), "costs never negative: cumulative never falls"
    counts = result.cheapest_counts.sum(axis=0)
    assert (counts == result.n_samples).all(), "exactly one cheapest strategy per sample"


def test_common_random_numbers_make_identical_strategies_tie() -> None:
    # Two strategies built from the same shared inputs have identical costs in every sample, so the
    # challenger never wins (ties are not wins) and the breakeven never falls inside the sweep.
    strategy = {"llm": {"prompt_tokens": "tokens", "output_tokens": 100, "input_usd_per_mtok": 3,
                        "output_usd_per_mtok": 15}}
    scenario = fm.parse_scenario({
        "scenario": {"baseline": "a", "horizon_months": 12},
        "volume": {"queries_per_month": 1e4},
        "inputs": {"tokens": {"dist": "uniform", "min": 100, "max": 2000}},
        "strategies": {"a": strategy, "b": strategy},
    })
    result = fm.simulate(scenario, samples=1000, seed=1)
    assert result.win_counts.sum() == 0
    assert np.isinf(result.breakeven_volume).all()


@pytest.mark.slow
def test_bench_v1_reference_values() -> None:
    # ../shared/bench-v1.md gives P(FT wins) from an independent implementation with 1M samples
    # (standard error <= 0.0004). Ours must agree within the combined Monte Carlo error.
    reference = {12: {1e4: 0.00003, 1e5: 0.0008, 1e6: 0.855},
                 24: {1e4: 0.0065, 1e5: 0.048, 1e6: 0.983},
                 36: {1e4: 0.027, 1e5: 0.155, 1e6: 0.995}}
    n = 200_000
    scenario = fm.load_scenario(ROOT / "benchmarks" / "bench-v1.toml")
    curves = fm.compute_pwin_vs_volume(fm.simulate(scenario, samples=n, seed=20261123, sampler="mc"))
    for horizon, row in reference.items():
        for volume, expected in row.items():
            p = curves[(curves.horizon_months == horizon) & np.isclose(curves.queries_per_month, volume)].p_win.item()
            se = np.sqrt(max(expected * (1 - expected), 1e-5) / n + 0.0004**2)
            assert abs(p - expected) < 4 * se, (horizon, volume, p, expected)
