"""Properties that must hold for every valid scenario, over scenarios hypothesis generates.

The generator is :mod:`strategies` (2-5 strategies from every component kind, every distribution
family, shared inputs and correlations). Each property runs a few hundred samples over a short
sweep so that the file takes seconds; the ``slow``-marked twins run many more examples.

Common random numbers are what make the comparative properties exact rather than statistical:
every strategy that names a shared input sees the same draw. A strategy's own inputs are drawn
from streams addressed by their key path, so a copy of a strategy under another key would draw
afresh; the tests therefore either lift the copied strategy's uncertain inputs into [inputs]
(the self-comparison, through ``simulate``) or evaluate the scenario at explicit input values in
which the copy's inputs are the original's (the doubled challenger, through ``evaluate``).
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

import ftrag_mc as fm
from ftrag_mc.analysis.breakeven import PERCENTILES
from ftrag_mc.sampling import InputSampler
from ftrag_mc.simulate import BLOCK_SAMPLES, volume_grid

from strategies import ordered_pair_tables, scenario_tables
from test_simulate import _same as same_statistics  # every statistic a report reads, bit for bit

SAMPLES = 256
FAST, SLOW = 15, 200  # examples per property: a quick pass in the default run, the slow twins in CI


def _given(strategy, examples: int):
    """``@given(strategy)`` with ``examples`` examples and no deadline (the first run builds tables)."""
    def wrap(test):
        return settings(max_examples=examples, deadline=None,
                        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])(given(strategy)(test))
    return wrap


# --- failures found, pinned ---------------------------------------------------------------------

#: Every input constant, a GPU pool and a volume ceiling: the capped demand was one column
#: (K, H, 1) and the in-place "times each month's price" (K, H, n) raised a ValueError
#: (ftrag_mc/model/evaluate.py, CostModel._pool_npc_grid).
CONSTANT_GPU_WITH_CEILING = {
    "scenario": {"horizon_months": 1, "baseline": "s0"},
    "volume": {"queries_per_month": 100.0, "sweep_min": 100.0, "sweep_max": 1000.0, "sweep_points": 3,
               "ceiling_queries_per_month": 1000.0},
    "simulation": {"seed": 0, "sampler": "mc"},
    "strategies": {
        "s0": {"llm": {"input_usd_per_mtok": 0, "output_usd_per_mtok": 0, "user_tokens": 10.0, "output_tokens": 1.0},
               "self_hosted": {"gpu_usd_per_hour": 1.0, "throughput_tokens_per_second": 100.0, "utilization": 1.0,
                               "min_replicas": 0, "tokens_per_query": 0}},
        "s1": {"training": {"run_usd": 10.0}},
    },
}


def test_constant_gpu_pool_under_a_ceiling_simulates() -> None:
    # One GPU replica at $1/h for the one month (365.25 / 12 x 24 h) against a $10 training run:
    # min_replicas 0 and no tokens need no replica, so s0 costs nothing and s1 never wins.
    table = copy.deepcopy(CONSTANT_GPU_WITH_CEILING)
    scenario = fm.parse_scenario(table)
    result = fm.simulate(scenario, samples=8, workers=1)
    assert result.win_counts.sum() == 0
    table["strategies"]["s0"]["self_hosted"]["min_replicas"] = 1
    ev = fm.evaluate(fm.parse_scenario(table), volumes=[100.0, 1000.0])
    assert ev.npc_usd[0, 0, :, 0] == pytest.approx([365.25 / 12 * 24] * 2, rel=1e-12)
    assert ev.npc_usd[0, 1, :, 0] == pytest.approx([10.0, 10.0])


def test_a_vanishing_yearly_closing_chance_means_never_without_a_warning() -> None:
    # p = 2.2e-311 (found by the generator): the closing month event / rate overflowed to inf with
    # a RuntimeWarning (ftrag_mc/model/costs.py, end_of_life_month); inf, "never", is the answer.
    from ftrag_mc.model.strategy import end_of_life_month

    table = copy.deepcopy(CONSTANT_GPU_WITH_CEILING)
    table["strategies"]["s1"]["end_of_life"] = {"probability_per_year": 0.5, "successor": "s0"}
    eol = fm.parse_scenario(table).strategies["s1"].end_of_life
    values = {eol.probability_per_year.name: np.array([2.2e-311, 0.5, 0.0]), eol.event.name: np.ones(3)}
    # With p = 0.5 a year the hazard is ln 2 / 12 a month: an Exp(1) draw of 1 closes at
    # 12 / ln 2 = 17.3 months, so from month 18 on; p = 0 never closes.
    assert end_of_life_month(eol, values).tolist() == [math.inf, 18.0, math.inf]


# --- 0. the generator itself ----------------------------------------------------------------------

@_given(scenario_tables(), 30)
def test_generated_tables_are_valid(table: dict) -> None:
    scenario = fm.parse_scenario(table)
    plain = [s for s in scenario.strategies if s != "st"]  # st: a staged strategy on top
    assert 2 <= len(plain) <= 5


# --- 1. every output finite, every probability a probability --------------------------------------

# Columns that may hold the documented sentinels: 0 = below the sweep / from day one, inf = above
# the sweep / never; NaN only for a 50 % crossing that does not happen inside the sweep.
_MAY_BE_INF = {"crossings": {"volume_at_50pct_high"}, "breakeven": {f"p{p}" for p in PERCENTILES}, "payback": {f"p{p}" for p in PERCENTILES},
               "summary": {"breakeven_p10", "breakeven_p50", "breakeven_p90", "payback_p50_months",
                           # the medians' intervals carry the same sentinels; the crossing's upper end
                           # is inf where the band's lower edge never reaches 50 %
                           "breakeven_p50_low", "breakeven_p50_high", "payback_p50_low_months",
                           "payback_p50_high_months", "volume_at_50pct_high"}}
_CROSSING = {"volume_at_50pct", "volume_at_50pct_low", "volume_at_50pct_high"}  # NaN without a crossing
_MAY_BE_NAN = {"crossings": _CROSSING, "summary": _CROSSING}
_PROBABILITY = ("p_win", "p_cheapest", "p_loss", "share_", "breakeven_share", "payback_share")


def check_outputs(table: dict) -> None:
    scenario = fm.parse_scenario(table)
    result = fm.simulate(scenario, samples=SAMPLES, workers=1)
    n, horizon = result.n_samples, scenario.horizon_months
    event(f"affine: {result.scenario.volume.ceiling_queries_per_month is None and not any(s.self_hosted for s in scenario.strategies.values())}")
    curves = fm.compute_pwin_vs_volume(result)
    frames = {"curves": curves, "summary": fm.compute_summary(result, curves),
              "crossings": fm.compute_crossings(curves, result), "breakeven": fm.compute_breakeven(result),
              "payback": fm.compute_payback(result), "by_month": fm.compute_pwin_vs_month(result),
              "cheapest": fm.compute_cheapest_vs_volume(result)}
    for name, frame in frames.items():
        for column in frame.select_dtypes("number").columns:
            x = frame[column].to_numpy(dtype=np.float64)
            if column not in _MAY_BE_NAN.get(name, ()):
                assert not np.isnan(x).any(), (name, column)
            if column not in _MAY_BE_INF.get(name, ()):
                assert not np.isinf(x).any(), (name, column)
            if column.startswith(_PROBABILITY):
                assert np.all((x >= 0) & (x <= 1)), (name, column)
    for name, frame in frames.items():
        for p in ("p_win", "p_cheapest"):
            if p in frame:
                assert np.all(frame[f"{p}_low"] <= frame[p]) and np.all(frame[p] <= frame[f"{p}_high"]), (name, p)
    for table_ in (frames["breakeven"], frames["payback"]):
        q = table_[[f"p{p}" for p in PERCENTILES]].to_numpy()
        assert np.all(q[:, 1:] >= q[:, :-1])  # percentiles in order, sentinels included
    be = frames["breakeven"][[f"p{p}" for p in PERCENTILES]].to_numpy()
    grid = volume_grid(scenario)
    assert np.all((be == 0) | np.isinf(be) | ((be >= grid[0] * (1 - 1e-9)) & (be <= grid[-1] * (1 + 1e-9))))
    pb = frames["payback"][[f"p{p}" for p in PERCENTILES]].to_numpy()
    assert np.all(np.isinf(pb) | ((pb >= 0) & (pb <= horizon)))
    shares = frames["breakeven"][["share_below_range", "share_in_range", "share_above_range"]].sum(axis=1)
    assert np.allclose(shares, 1.0)
    # Exactly one strategy is the cheapest in each future, at every volume and horizon.
    assert np.all(result.cheapest_counts.sum(axis=0) == n)
    summary = frames["summary"]
    assert np.all(summary["p5_delta_usd"] <= summary["p50_delta_usd"])
    assert np.all(summary["p50_delta_usd"] <= summary["p95_delta_usd"])
    assert np.all(np.isfinite(result.npc_moments.mean)) and np.all(result.npc_moments.mean >= 0)


@_given(scenario_tables(), FAST)
@example(CONSTANT_GPU_WITH_CEILING)
def test_every_output_finite_and_every_probability_a_probability(table: dict) -> None:
    check_outputs(table)


@pytest.mark.slow
@_given(scenario_tables(), SLOW)
def test_every_output_finite_many(table: dict) -> None:
    check_outputs(table)


# --- 2. a strategy compared with itself never wins ------------------------------------------------

def _lift(strategy: dict, inputs: dict, prefix: str) -> dict:
    """``strategy`` with every distribution table moved into ``inputs`` and named there."""
    out = {}
    for key, value in strategy.items():
        if isinstance(value, dict) and "dist" in value:
            name = f"{prefix}_{key}"
            inputs[name] = value
            out[key] = name
        elif isinstance(value, dict):
            out[key] = _lift(value, inputs, f"{prefix}_{key}")
        else:
            out[key] = value
    return out


def with_twin(table: dict) -> dict:
    """The scenario plus ``twin``, a copy of the baseline drawing the very same inputs."""
    table = copy.deepcopy(table)
    inputs = table.setdefault("inputs", {})
    baseline = table["scenario"]["baseline"]
    lifted = _lift(table["strategies"][baseline], inputs, "lifted")
    eol = lifted.get("end_of_life")
    if eol is not None and "probability_per_year" in eol:
        # A yearly closing chance draws its event under the strategy's own key, which a copy cannot
        # share; a closing month, lifted, can be shared.
        del eol["probability_per_year"]
        inputs["lifted_closing_month"] = {"dist": "uniform", "min": 1, "max": table["scenario"]["horizon_months"] + 12}
        eol["month"] = "lifted_closing_month"
    table["strategies"][baseline] = lifted
    table["strategies"]["twin"] = {**copy.deepcopy(lifted), "label": "Twin"}
    return table


def check_twin(table: dict) -> None:
    scenario = fm.parse_scenario(with_twin(table))
    result = fm.simulate(scenario, samples=SAMPLES, workers=1, keep_samples=True)
    n, t = result.n_samples, result.challengers.index("twin")
    assert np.array_equal(result.cumulative_usd[:, result.index("twin")],
                          result.cumulative_usd[:, result.index(scenario.baseline)])
    assert result.win_counts[t].max() == 0  # strictly cheaper, never: ties do not win
    assert result.wins_by_month[t].max() == 0
    assert result.loss_counts[t].max() == 0
    assert np.all(result.delta_moments.mean[t] == 0)
    assert np.all(result.breakeven_hist[t].above == n)  # never breaks even inside the sweep
    assert result.payback_hist[t].above == n  # never pays back
    curves = fm.compute_pwin_vs_volume(result)
    assert np.all(curves.loc[curves["strategy"] == "twin", "p_win"] == 0.0)


@_given(scenario_tables(), FAST)
def test_a_strategy_never_beats_itself(table: dict) -> None:
    check_twin(table)


@pytest.mark.slow
@_given(scenario_tables(), SLOW)
def test_a_strategy_never_beats_itself_many(table: dict) -> None:
    check_twin(table)


# --- 3. doubling every cost of a challenger never raises its P(win) -------------------------------

# Engineering time is priced at the team's shared rate: doubling the time doubles its cost.
_TIME_PRICED = {"curation_hours", "engineer_weeks", "retrain_engineer_weeks", "setup_weeks",
                "maintenance_weeks_per_month"}
_SCALED_KEYS = {"value", "min", "mode", "max", "mean", "sd", "low", "high", "median"}


def is_cost(key: str) -> bool:
    """A key whose value a strategy's costs are proportional to."""
    return "usd" in key or key in _TIME_PRICED


def _scaled_table(table: dict, factor: float) -> dict:
    out = {}
    for key, value in table.items():
        if key in _SCALED_KEYS:
            out[key] = value * factor
        elif key == "values" or key == "truncate":
            out[key] = [v * factor for v in value]
        elif key == "mu":
            out[key] = value + math.log(factor)
        else:
            out[key] = value  # dist, sigma, lambda, alpha, beta, weights
    return out


DOUBLED = "__x2"


def _doubled(strategy: dict, inputs: dict) -> dict:
    """A copy of a strategy table with every cost key doubled (a shared input by a doubled copy)."""
    out = {}
    for key, value in strategy.items():
        if isinstance(value, dict) and "dist" not in value:
            out[key] = _doubled(value, inputs)
        elif not is_cost(key):
            out[key] = copy.deepcopy(value)
        elif isinstance(value, dict):
            out[key] = _scaled_table(value, 2)
        elif isinstance(value, str):
            name = value.removeprefix("inputs.")
            inputs[name + DOUBLED] = _scaled_table(inputs[name], 2) if isinstance(inputs[name], dict) else inputs[name] * 2
            out[key] = name + DOUBLED
        else:
            out[key] = value * 2
    return out


_LINKS = (("interim",), ("end_of_life", "successor"), ("start",), ("switch_to",))


def _linked(strategy: dict) -> list[tuple[dict, str]]:
    """(table, key) of every strategy ``strategy`` links to: interim, successor, a staged one's stages."""
    found = []
    for path in _LINKS:
        holder = strategy
        for key in path[:-1]:
            holder = holder.get(key, {})
        if path[-1] in holder:
            found.append((holder, path[-1]))
    return found


def with_doubled(table: dict, challenger: str) -> dict:
    """The scenario plus ``challenger + '__x2'``: every cost doubled, and every strategy it links to.

    Before launch the interim serves, after closing the successor does, and a staged strategy is
    its start's and switch_to's costs; their costs are part of the challenger's, so each (and each
    of theirs) gets a doubled copy that only the doubled strategies link to.
    """
    table = copy.deepcopy(table)
    inputs = table.setdefault("inputs", {})
    strategies = table["strategies"]
    linked, frontier = {challenger}, [challenger]
    while frontier:
        for holder, key in _linked(strategies[frontier.pop()]):
            if holder[key] not in linked:
                linked.add(holder[key])
                frontier.append(holder[key])
    for key in sorted(linked):
        strategies[key + DOUBLED] = _doubled(strategies[key], inputs)
        for holder, link in _linked(strategies[key + DOUBLED]):
            holder[link] += DOUBLED
    return table


def _original(name: str) -> tuple[str, float]:
    """The input a doubled copy's input stands for, and the factor between them."""
    if name.startswith("inputs.") and name.endswith(DOUBLED):
        return name.removesuffix(DOUBLED), 2.0
    head, key, rest = name.split(".", 2)  # strategies, <key>, <path>
    return f"{head}.{key.removesuffix(DOUBLED)}.{rest}", 2.0 if is_cost(rest.rsplit(".", 1)[-1]) else 1.0


def check_doubling(table: dict, pick: int) -> None:
    baseline = table["scenario"]["baseline"]
    challengers = [k for k in table["strategies"] if k != baseline]
    challenger = challengers[pick % len(challengers)]
    event(f"a staged challenger: {'trigger' in table['strategies'][challenger]}")
    scenario = fm.parse_scenario(with_doubled(table, challenger))
    n = SAMPLES
    sampler = InputSampler(scenario.inputs, n, seed=scenario.simulation.seed, sampler=scenario.simulation.sampler,
                           correlation=scenario.correlation)
    values = sampler.draw(0, n)
    for name in scenario.inputs:  # the copies' inputs: the originals' draws, doubled where a cost
        if DOUBLED in name:
            original, factor = _original(name)
            source = values[original] if original in values else scenario.inputs[original].median
            values[name] = source * factor
    ev = fm.evaluate(scenario, values, volumes=volume_grid(scenario), months=list(scenario.analysis_horizons))
    npc = {s: ev.npc_usd[:, ev.strategies.index(s)] for s in (baseline, challenger, challenger + DOUBLED)}
    # Every cost is a product with one cost key as a factor, and doubling a float is exact.
    assert np.array_equal(npc[challenger + DOUBLED], 2 * npc[challenger])
    wins, wins_doubled = npc[challenger] < npc[baseline], npc[challenger + DOUBLED] < npc[baseline]
    assert not np.any(wins_doubled & ~wins)  # per future: a doubled winner was a winner
    assert np.all(wins_doubled.mean(axis=0) <= wins.mean(axis=0))
    event(f"doubling changes some win: {bool(np.any(wins & ~wins_doubled))}")


@_given(st.tuples(scenario_tables(), st.integers(0, 3)), FAST)
def test_doubling_a_challengers_costs_never_raises_its_pwin(case) -> None:
    check_doubling(*case)


@pytest.mark.slow
@_given(st.tuples(scenario_tables(), st.integers(0, 3)), SLOW)
def test_doubling_a_challengers_costs_never_raises_its_pwin_many(case) -> None:
    check_doubling(*case)


# --- 4. P(win) non-decreasing in volume when the challenger is cheaper per query ------------------

def check_monotone_in_volume(table: dict) -> None:
    scenario = fm.parse_scenario(table)
    grid = volume_grid(scenario)
    # The construction's premise, per future: ΔNPC does not rise with volume.
    sampler = InputSampler(scenario.inputs, SAMPLES, seed=scenario.simulation.seed,
                           sampler=scenario.simulation.sampler, correlation=scenario.correlation)
    ev = fm.evaluate(scenario, sampler.draw(0, SAMPLES), volumes=grid, months=list(scenario.analysis_horizons))
    delta = ev.npc_usd[:, ev.strategies.index("cheap")] - ev.npc_usd[:, ev.strategies.index("dear")]
    assert np.all(np.diff(delta, axis=1) <= 1e-9 * np.abs(ev.npc_usd).max(axis=(1, 2, 3))[:, None, None])
    result = fm.simulate(scenario, samples=SAMPLES, workers=1, outputs="pwin")
    wins = result.win_counts[result.challengers.index("cheap")]  # (K, horizons)
    assert np.all(np.diff(wins, axis=0) >= 0), wins.T
    event(f"P(win) rises inside the sweep: {bool(np.any(np.diff(wins, axis=0) > 0))}")


@_given(ordered_pair_tables(), FAST)
def test_pwin_non_decreasing_in_volume_when_cheaper_per_query(table: dict) -> None:
    check_monotone_in_volume(table)


@pytest.mark.slow
@_given(ordered_pair_tables(), SLOW)
def test_pwin_non_decreasing_in_volume_many(table: dict) -> None:
    check_monotone_in_volume(table)


# --- 5. the same bits for any chunk size and worker count -----------------------------------------


def check_determinism(table: dict) -> None:
    scenario = fm.parse_scenario(table)
    samples = 2 * BLOCK_SAMPLES + 37  # three blocks, the last one short
    reference = fm.simulate(scenario, samples=samples, chunk_size=1, workers=1)
    same_statistics(reference, fm.simulate(scenario, samples=samples, chunk_size=3 * BLOCK_SAMPLES, workers=2))


@_given(scenario_tables(max_strategies=3, max_horizon=24, sweep_points=(3, 4)), 3)
def test_same_bits_for_any_chunk_size_and_workers(table: dict) -> None:
    check_determinism(table)


@pytest.mark.slow
@_given(scenario_tables(max_horizon=36), 25)
def test_same_bits_for_any_chunk_size_and_workers_many(table: dict) -> None:
    check_determinism(table)


# --- 6. staged strategies: both ends exact, and a policy search never loses to its endpoints ------


def with_stage_ends(table: dict) -> dict | None:
    """The scenario plus ``never`` (start A, a volume trigger no path reaches) and ``now`` (A then B
    from month 1, B's interim set to A), or None when no pair can be linked so (A: no links of its
    own; B: nobody's interim or successor, so it may take an interim)."""
    table = copy.deepcopy(table)
    strategies = table["strategies"]
    targets = {strategies[k].get(role) for k in strategies for role in ("interim", "start", "switch_to")}
    targets |= {strategies[k].get("end_of_life", {}).get("successor") for k in strategies}
    plain = [k for k, s in strategies.items() if "trigger" not in s]
    starts = [k for k in plain if not _linked(strategies[k])]
    for a in starts:
        for b in plain:
            if b != a and b not in targets and strategies[b].get("interim") in (None, a):
                strategies[b]["interim"] = a
                strategies["never"] = {"start": a, "switch_to": b, "trigger": {"volume_above": 1e12}}
                strategies["now"] = {"start": a, "switch_to": b, "trigger": {"month": 1}}
                return table
    return None


def check_stage_ends(table: dict) -> None:
    ends = with_stage_ends(table)
    if ends is None:
        event("no pair to stage")
        return
    scenario = fm.parse_scenario(ends)
    never, now = ends["strategies"]["never"], ends["strategies"]["now"]
    result = fm.simulate(scenario, samples=SAMPLES, workers=1, keep_samples=True)
    paths = result.cumulative_usd
    assert np.array_equal(paths[:, result.index("never")], paths[:, result.index(never["start"])])
    assert np.array_equal(paths[:, result.index("now")], paths[:, result.index(now["switch_to"])])
    event(f"volume noise: {scenario.volume.noisy}")


@_given(scenario_tables(max_horizon=24, sweep_points=(3, 4)), 50)
@pytest.mark.slow  # no fast twin: its 50 examples run in CI's slow run
def test_a_staged_strategy_is_exactly_its_start_or_its_switch_to_at_either_end(table: dict) -> None:
    check_stage_ends(table)


def check_policy(table: dict) -> None:
    from ftrag_mc.analysis.policy import compute_policy

    scenario = fm.parse_scenario(table)
    plain = [s for s in scenario.strategies if s != "st"]
    result = compute_policy(scenario, start=plain[0], switch_to=plain[1], points=4, samples=SAMPLES, workers=1)
    frame = result.frame
    assert frame["expected_npc_usd"].min() == frame.loc[result.best, "expected_npc_usd"]
    static = frame[frame["policy"] != "trigger"]["expected_npc_usd"].min()
    assert result.flexibility_usd == static - frame.loc[result.best, "expected_npc_usd"] >= 0
    for column in [c for c in frame.columns if c.startswith("p_")]:
        x = frame[column].dropna().to_numpy(float)
        assert np.all((x >= 0) & (x <= 1)), column
    switched = frame[frame["policy"] == "trigger"]["p_switch"].to_numpy()
    assert np.all(np.diff(switched) <= 0)  # a higher threshold never switches more often
    assert np.isfinite(frame["expected_npc_usd"]).all() and (frame["expected_npc_se_usd"] >= 0).all()


@_given(scenario_tables(max_strategies=3, max_horizon=24, sweep_points=(3, 4)), 15)
def test_a_policy_search_never_loses_to_committing_now_or_never_switching(table: dict) -> None:
    check_policy(table)
