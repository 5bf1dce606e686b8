"""The simulator: reproducibility, common random numbers, and the bench-v1 reference values."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import ftrag_mc as fm
from ftrag_mc.simulate import BLOCK_SAMPLES, SimulationResult

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
COUNTS = ("win_counts", "cheapest_counts", "wins_by_month", "loss_counts")
# Three blocks, the last one partial: block boundaries, ordering and merging all matter.
N = 2 * BLOCK_SAMPLES + 77


def _same(a: SimulationResult, b: SimulationResult) -> None:
    """Every statistic a report reads, bit for bit (and the per-sample arrays when kept)."""
    for name in COUNTS:
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    for name in ("delta_moments", "npc_moments"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.count == y.count and np.array_equal(x.mean, y.mean) and np.array_equal(x.m2, y.m2), name
    for name in ("delta_hist", "breakeven_hist", "payback_hist"):
        x, y = getattr(a, name), getattr(b, name)
        for field in ("counts", "below", "above", "minimum", "maximum"):
            assert np.array_equal(getattr(x, field), getattr(y, field)), (name, field)
    assert (a.samples is None) == (b.samples is None)
    if a.samples is not None:
        assert np.array_equal(a.cumulative_usd, b.cumulative_usd)
        assert np.array_equal(a.breakeven_volume, b.breakeven_volume, equal_nan=True)
        assert a.inputs.keys() == b.inputs.keys()
        for name in a.inputs:
            assert np.array_equal(a.inputs[name], b.inputs[name]), name


def _run(scenario_file: str, sampler: str, **kw) -> SimulationResult:
    scenario = fm.load_scenario(ROOT / "scenarios" / scenario_file)
    return fm.simulate(scenario, samples=N, seed=11, sampler=sampler, keep_samples=True, **kw)


def test_same_seed_same_bits_whatever_the_chunk_size_and_workers() -> None:
    # dsl-codegen has GPU steps (the general path, with bisection), correlation-free inputs and an
    # interim; one worker and one block per task is the reference.
    reference = _run("dsl-codegen.toml", "lhs", chunk_size=BLOCK_SAMPLES, workers=1)
    for chunk_size, workers in ((1, 2), (3 * BLOCK_SAMPLES, 2), (5000, 3)):
        _same(reference, _run("dsl-codegen.toml", "lhs", chunk_size=chunk_size, workers=workers))


@pytest.mark.slow
def test_same_bits_with_noisy_volume_and_a_volume_trigger() -> None:
    # staged-support: volume noise from addressed streams, and a staged strategy whose switch month
    # depends on the path (the grid path, evaluated volume by volume, and bisected breakevens).
    scenario = fm.load_scenario(ROOT / "scenarios" / "staged-support.toml")
    n = BLOCK_SAMPLES + 77
    reference = fm.simulate(scenario, samples=n, seed=3, chunk_size=BLOCK_SAMPLES, workers=1, keep_samples=True)
    _same(reference, fm.simulate(scenario, samples=n, seed=3, chunk_size=1, workers=2, keep_samples=True))
    assert np.array_equal(reference.samples.volume_steps,
                          fm.simulate(scenario, samples=n, seed=3, workers=2, keep_samples=True).samples.volume_steps)


@pytest.mark.slow
@pytest.mark.parametrize("sampler", ["mc", "lhs", "sobol"])
@pytest.mark.parametrize("scenario_file", ["hybrid.toml", "dsl-codegen.toml", "support-classifier.toml",
                                           "staged-support.toml"])
def test_same_bits_for_every_sampler_and_path(scenario_file: str, sampler: str) -> None:
    # hybrid has a volume ceiling, end of life and three strategies; support-classifier is affine
    # (closed-form crossings, pairwise cheapest counts) with correlated inputs; staged-support has
    # noisy volume and a staged strategy on a volume trigger.
    reference = _run(scenario_file, sampler, workers=1)
    _same(reference, _run(scenario_file, sampler, chunk_size=1, workers=2))


@pytest.mark.slow
def test_dask_engine_gives_the_same_bits_on_a_real_cluster() -> None:
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        assert len(cluster.workers) == 2
        scenario = fm.load_scenario(ROOT / "scenarios" / "legal-docs.toml")
        local = fm.simulate(scenario, samples=N, seed=4, workers=1)
        remote = fm.simulate(scenario, samples=N, seed=4, engine="dask", scheduler=cluster.scheduler_address,
                             chunk_size=BLOCK_SAMPLES)
        _same(local, remote)
        assert remote.engine == "dask"


def test_the_affine_path_agrees_with_evaluating_every_grid_volume() -> None:
    # Win and cheapest counts of the affine path come from crossings counted per grid cell; here
    # they are checked against the model evaluated at every grid volume, sample by sample.
    scenario = fm.load_scenario(ROOT / "scenarios" / "support-classifier.toml")
    result = fm.simulate(scenario, samples=3000, seed=2, keep_samples=True)
    inputs = result.inputs
    ev = fm.evaluate(scenario, inputs, volumes=result.volumes, months=list(result.horizons))
    npc = ev.npc_usd  # (n, S, K, nh)
    base = npc[:, result.index(result.baseline)]
    for ci, c in enumerate(result.challengers):
        wins = (npc[:, result.index(c)] < base).sum(axis=0)
        assert np.array_equal(wins, result.win_counts[ci])
    cheapest = np.argmin(npc, axis=1)
    for si in range(len(result.strategies)):
        assert np.array_equal((cheapest == si).sum(axis=0), result.cheapest_counts[si])


def test_target_se_stops_at_a_block_and_says_why() -> None:
    scenario = fm.load_scenario(ROOT / "scenarios" / "rough-breakeven.toml")
    result = fm.simulate(scenario, samples=10 * BLOCK_SAMPLES, seed=1, target_se=0.01, workers=2)
    assert result.n_samples % BLOCK_SAMPLES == 0 and result.n_samples < 10 * BLOCK_SAMPLES
    assert "target standard error 0.01 reached" in result.stopped
    n = result.n_samples
    for ci in range(len(result.challengers)):
        for h in result.horizons:
            p = result.wins_by_month[ci, h] / n
            assert np.sqrt(p * (1 - p) / n) < 0.01
    # The same seed and target stop at the same block, whatever the workers.
    again = fm.simulate(scenario, samples=10 * BLOCK_SAMPLES, seed=1, target_se=0.01, workers=1)
    _same(result, again)
    capped = fm.simulate(scenario, samples=BLOCK_SAMPLES + 5, seed=1, target_se=1e-6)
    assert capped.n_samples == BLOCK_SAMPLES + 5 and "sample cap" in capped.stopped


def test_a_run_that_cannot_fit_is_refused_before_it_starts(monkeypatch) -> None:
    import importlib

    simulate_module = importlib.import_module("ftrag_mc.simulate")

    monkeypatch.setattr(simulate_module, "available_memory_bytes", lambda: 50 * 2**20)
    scenario = fm.load_scenario(ROOT / "scenarios" / "rough-breakeven.toml")
    with pytest.raises(fm.ResourceError, match="MB are available"):
        fm.simulate(scenario, samples=1000)


def test_a_different_seed_gives_different_draws_and_the_same_seed_the_same() -> None:
    scenario = fm.load_scenario(ROOT / "scenarios" / "rough-breakeven.toml")
    a, b, c = (fm.simulate(scenario, samples=500, seed=s, keep_samples=True) for s in (1, 1, 2))
    _same(a, b)
    assert not np.array_equal(a.cumulative_usd, c.cumulative_usd)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_shipped_scenarios_simulate_to_finite_costs(path: Path) -> None:
    scenario = fm.load_scenario(path)
    result = fm.simulate(scenario, samples=400, seed=5, keep_samples=True)
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
    result = fm.simulate(scenario, samples=1000, seed=1, keep_samples=True)
    assert result.win_counts.sum() == 0
    assert np.isinf(result.breakeven_volume).all()
    assert result.cheapest_counts[0].min() == 1000, "ties go to the earlier strategy"


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


def test_pwin_outputs_give_the_same_counts_and_refuse_what_they_lack() -> None:
    # outputs="pwin" skips the month-by-month paths at your volume; the volume sweep and the
    # breakeven distribution are the same bits as a full run's.
    for name in ("bench-v1.toml", "support-classifier.toml", "dsl-codegen.toml"):
        path = ROOT / ("benchmarks" if name.startswith("bench") else "scenarios") / name
        scenario = fm.load_scenario(path)
        full = fm.simulate(scenario, samples=5000, seed=9, workers=1)
        light = fm.simulate(scenario, samples=5000, seed=9, workers=2, outputs="pwin")
        assert np.array_equal(full.win_counts, light.win_counts)
        assert np.array_equal(full.cheapest_counts, light.cheapest_counts)
        assert np.array_equal(full.breakeven_hist.counts, light.breakeven_hist.counts)
        assert fm.compute_pwin_vs_volume(light).equals(fm.compute_pwin_vs_volume(full))
    with pytest.raises(ValueError, match="outputs='all'"):
        fm.compute_summary(light)


def test_pwin_runs_blocks_as_one_span_with_the_same_bits() -> None:
    # A P(win)-only task draws and evaluates up to four blocks at once (Plan.span_blocks); its
    # counts, breakeven histogram and extremes are those of the blocks run one by one.
    scenario = fm.load_scenario(ROOT / "benchmarks" / "bench-v1.toml")
    from ftrag_mc.engine.blocks import BLOCK_SAMPLES, Plan

    n = 3 * BLOCK_SAMPLES + 1234
    spans = fm.simulate(scenario, samples=n, seed=4, workers=1, outputs="pwin")
    single = fm.simulate(scenario, samples=n, seed=4, workers=1, outputs="pwin", chunk_size=BLOCK_SAMPLES)
    full = fm.simulate(scenario, samples=n, seed=4, workers=2)
    assert Plan(scenario, n, 4, "mc", outputs="pwin").span_blocks == 4
    for name in ("counts", "below", "above", "minimum", "maximum"):
        assert np.array_equal(getattr(spans.breakeven_hist, name), getattr(single.breakeven_hist, name)), name
    for other in (single, full):  # a full run's extremes may differ in the last bit (its slopes are summed month by month)
        assert np.array_equal(spans.win_counts, other.win_counts)
        assert np.array_equal(spans.cheapest_counts, other.cheapest_counts)
        assert np.array_equal(spans.breakeven_hist.counts, other.breakeven_hist.counts)


@pytest.mark.slow
def test_runs_that_stop_early_never_hang() -> None:
    # A target standard error stops a two-worker run after its first block, with others in
    # flight. Pool.terminate() while a worker was still sending its result could wait for ever on
    # the result queue's lock (before the fix a loop like this one hung within 20-90 runs);
    # the engine now waits for the tasks in flight first.
    code = (
        "import ftrag_mc as fm\n"
        "from ftrag_mc.engine.blocks import BLOCK_SAMPLES\n"
        f"sc = fm.load_scenario({str(ROOT / 'scenarios' / 'rough-breakeven.toml')!r})\n"
        "for i in range(150):\n"
        "    r = fm.simulate(sc, samples=10 * BLOCK_SAMPLES, seed=i, target_se=0.01, workers=2)\n"
        "    assert r.n_samples == BLOCK_SAMPLES, r.n_samples\n"
        "print('done')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "done", done.stderr[-2000:]


def test_without_fork_the_blocks_run_on_threads_with_the_same_bits(monkeypatch) -> None:
    # Windows and macOS have no fork: the engine runs blocks on threads, in order, 2 x workers in
    # flight; the result is the same bits as the forked workers'.
    import multiprocessing

    scenario = fm.load_scenario(ROOT / "scenarios" / "support-classifier.toml")
    forked = fm.simulate(scenario, samples=3 * BLOCK_SAMPLES, seed=3, workers=2, chunk_size=BLOCK_SAMPLES)
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    threaded = fm.simulate(scenario, samples=3 * BLOCK_SAMPLES, seed=3, workers=2, chunk_size=BLOCK_SAMPLES)
    assert np.array_equal(forked.win_counts, threaded.win_counts)
    assert np.array_equal(forked.delta_hist.counts, threaded.delta_hist.counts)
    assert fm.compute_summary(forked).equals(fm.compute_summary(threaded))
