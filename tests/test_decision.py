"""The decision among all strategies (issue 15): truths worked out by hand, pinned from outside the code.

Three strategies whose net present costs are lines in volume (no growth, no discounting, twelve
months, 500k queries/month at the start, so 6M queries):

- ``a``, the file's baseline: $0.010 a query, nothing up front: NPC $60,000;
- ``b``: $12,000 up front (or a uniform draw), $0.004 a query: NPC $36,000 (mean $39,000 uncertain);
- ``c``: $6,000 up front, $0.006 a query: NPC $42,000.

So ``b`` is recommended, ``c`` (not the baseline) is the runner-up, ``a`` is dominated, and the
choice flips to ``c`` where 12,000 + 0.048 q = 6,000 + 0.072 q: q = 250,000 queries/month
(uncertain: where the mean 15,000 + 0.048 q meets 6,000 + 0.072 q, q = 375,000).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import ftrag_mc as fm
from ftrag_mc.accumulate import Bins, Histogram, LineMoments, Moments
from ftrag_mc.analysis.decision import compute_decision, decision_pair_run, rank_strategies
from ftrag_mc.analysis.stats import quantile_interval, tail_mean_se
from ftrag_mc.report.decision_words import amount_words, decision_headline, range_words
from ftrag_mc.simulate import BLOCK_SAMPLES
from ftrag_mc.targets import TargetSE, parse_target_se


def _scenario(b_one_time=12_000, *, baseline="a", samples=4_000, sampler="lhs", c_one_time=6_000):
    table = {
        "scenario": {"title": "Three lines", "horizon_months": 12, "baseline": baseline,
                     "analysis_horizons_months": [6, 12]},
        "volume": {"queries_per_month": 500_000, "sweep_min": 1e4, "sweep_max": 1e7, "sweep_points": 31},
        "simulation": {"samples": samples, "seed": 5, "sampler": sampler},
        "strategies": {
            "a": {"label": "Prompt", "per_query_usd": 0.010},
            "b": {"label": "Tune", "one_time_usd": b_one_time, "per_query_usd": 0.004},
            "c": {"label": "Cache", "one_time_usd": c_one_time, "per_query_usd": 0.006},
        },
    }
    return fm.parse_scenario(table, name="three-lines")


UNCERTAIN_B = {"dist": "uniform", "min": 6_000, "max": 24_000}


@pytest.fixture(scope="module")
def constant():
    result = fm.simulate(_scenario(), samples=1_000, seed=5, workers=1)
    return result, compute_decision(result)


@pytest.fixture(scope="module")
def uncertain():
    result = fm.simulate(_scenario(UNCERTAIN_B), samples=20_000, seed=5, workers=1)
    return result, compute_decision(result)


def test_three_constant_strategies_rank_save_and_flip_as_worked_by_hand(constant):
    result, d = constant
    assert (d.recommended, d.runner_up) == ("b", "c")  # the runner-up is not the file's baseline "a"
    table = d.table.set_index("strategy")
    assert table["rank"].to_dict() == {"b": 1, "c": 2, "a": 3}
    assert table["role"].to_dict() == {"b": "recommended", "c": "runner-up", "a": "dominated"}
    assert table.loc["b", "mean_npc_usd"] == pytest.approx(36_000, rel=1e-12)
    assert table.loc["c", "mean_npc_usd"] == pytest.approx(42_000, rel=1e-12)
    assert table.loc["a", "mean_npc_usd"] == pytest.approx(60_000, rel=1e-12)
    assert table.loc["c", "saving_usd"] == pytest.approx(6_000, rel=1e-12)
    assert table.loc["a", "saving_usd"] == pytest.approx(24_000, rel=1e-12)
    assert table.loc["c", "saving_se_usd"] == pytest.approx(0, abs=1e-6)
    assert table.loc["b", "p_cheapest"] == 1.0 and table.loc["c", "p_loss"] == 0.0
    # Every saving is the same $6,000: its percentiles, and the "loss" in the worst futures, -$6,000.
    row = table.loc["c"]
    assert (row.saving_p5_usd, row.saving_p50_usd, row.saving_p95_usd) == pytest.approx((6_000,) * 3, rel=1e-12)
    assert row.cvar95_loss_usd == pytest.approx(-6_000, rel=1e-12)
    # 12,000 + 0.048 q = 6,000 + 0.072 q at q = 250,000: below the scenario's 500k, to the cache.
    assert row.flip_queries_per_month == pytest.approx(250_000, rel=1e-12)
    assert (row.flip_side, row.flip_to) == ("below", "c")
    assert row.flip_method.startswith("exact")
    # The recommended strategy beats "c" above the same volume in every future, and pays back:
    # 6,000 / (0.002 x 500k) = 6 months.
    assert row.volume_at_50pct == pytest.approx(250_000, rel=2e-3) and row.wins_side == "above"
    assert row.payback_p50_months == pytest.approx(6, abs=0.01)
    # "a" is beaten by both in every future: named once, by the first in the file's order.
    assert table.loc["a", "dominated_by"] == "b" and table.loc["a", "p_dominated"] == 1.0
    assert d.beats_every_alternative


def test_the_headline_rests_on_the_runner_up_not_the_baseline(constant):
    result, d = constant
    text = decision_headline(d.table, sweep=(1e4, 1e7))
    assert text == (
        "Tune is the recommended choice over 12 months at 500k queries/month: it has the lowest expected net "
        "present cost of the 3 strategies and is the cheapest of all in 100.0 % of futures (95 % CI "
        "99.6–100.0 %); it beats every alternative in at least 99 % of futures. Against the best alternative, "
        "Cache, it saves $6k on average (standard error $0; P5–P95: from saving $6k to saving $6k) and costs "
        "more in 0.0 % of futures (95 % CI 0.0–0.4 %); even its worst 5 % of futures save $6k on average "
        "(standard error $0). The choice flips to Cache below 250k queries/month (95 % CI 250k), where its "
        "expected cost is the lower one.")
    assert "Prompt" not in text  # dominated by the recommended strategy: "beats every alternative" says it


def test_an_uncertain_runner_up_that_is_not_dominated(uncertain):
    result, d = uncertain
    table = d.table.set_index("strategy")
    assert (d.recommended, d.runner_up) == ("b", "c") and not d.beats_every_alternative
    # b = U(6k, 24k) + 24,000 against c = 42,000: b is cheaper when its draw is below 18,000, 2/3.
    row = table.loc["c"]
    assert row.p_recommended_cheaper == pytest.approx(2 / 3, abs=0.005)
    assert table.loc["b", "p_cheapest"] == pytest.approx(2 / 3, abs=0.005)
    assert row.p_loss == pytest.approx(1 / 3, abs=0.005) and row.p_loss_low < 1 / 3 < row.p_loss_high
    assert row.saving_usd == pytest.approx(3_000, abs=3 * row.saving_se_usd + 1)
    # The saving's standard error is the uniform's: 18,000 / √12 / √n.
    assert row.saving_se_usd == pytest.approx(18_000 / math.sqrt(12) / math.sqrt(20_000), rel=0.02)
    # Its P5..P95: 18,000 - U at U's P95 (23,100) and P5 (6,900): -5,100 and 11,100.
    assert (row.saving_p5_usd, row.saving_p95_usd) == pytest.approx((-5_100, 11_100), rel=0.01)
    # The worst 5 % of futures lose (U - 18,000) on its top 5 %: 6,000 - 450 = 5,550 on average.
    assert row.cvar95_loss_usd == pytest.approx(5_550, rel=0.01)
    assert row.flip_queries_per_month == pytest.approx(375_000, rel=0.01)
    assert row.flip_low_queries_per_month < 375_000 < row.flip_high_queries_per_month
    assert (row.flip_side, row.flip_to) == ("below", "c")
    assert table.loc["a", "dominated_by"] == "b" and pd.isna(table.loc["c", "dominated_by"])
    text = decision_headline(d.table, sweep=(1e4, 1e7))
    assert "Against the best alternative, Cache, it saves $3k on average" in text
    assert "Prompt: beaten by Tune in 100.0 % of futures (dominated)." in text
    assert text.count("Prompt") == 1  # named once


def test_the_pair_run_is_the_same_futures_against_the_runner_up(uncertain):
    result, d = uncertain
    pair = decision_pair_run(result, d)
    assert pair is not result and pair.baseline == "c" and pair.n_samples == result.n_samples
    ci, hi = pair.challengers.index("b"), -1
    # Common random numbers: the mean difference and the loss count are the first run's own.
    saving = d.table.set_index("strategy").loc["c", "saving_usd"]
    assert -pair.delta_moments.mean[ci, hi] == pytest.approx(saving, rel=1e-12)
    assert pair.loss_counts[ci, hi] == result.decision.pair_counts[2, 1, hi]


def test_the_runner_up_as_the_baseline_is_read_from_the_run_itself():
    result = fm.simulate(_scenario(UNCERTAIN_B, baseline="c"), samples=2_000, seed=5, workers=1)
    d = rank_strategies(result)
    assert (d.recommended, d.runner_up) == ("b", "c")
    assert decision_pair_run(result, d) is result


def test_the_cvar_rule_prefers_the_safer_strategy():
    # b = U(0, 30k) + 24k: mean 39k, its worst 5 % average 24k + 29,250 = 53,250; c = 42k always.
    result = fm.simulate(_scenario({"dist": "uniform", "min": 0, "max": 30_000}), samples=20_000, seed=5, workers=1)
    mean, cvar = compute_decision(result), compute_decision(result, rule="cvar")
    assert (mean.recommended, mean.runner_up) == ("b", "c")
    assert (cvar.recommended, cvar.runner_up) == ("c", "b")  # the runner-up: the lowest mean of the others
    rows = cvar.table.set_index("strategy")
    assert rows.loc["b", "cvar95_npc_usd"] == pytest.approx(53_250, rel=0.005)
    assert rows.loc["c", "cvar95_npc_usd"] == pytest.approx(42_000, rel=1e-9)
    assert rows.loc["b", "saving_usd"] == pytest.approx(-3_000, abs=200)  # the safer choice costs more on average
    text = decision_headline(cvar.table, sweep=(1e4, 1e7))
    assert text.startswith("Cache is the recommended choice over 12 months at 500k queries/month: it has under "
                           "the risk rule, the lowest average cost in its worst 5 % of futures ($42k")
    assert "Against the best alternative on average, Tune, it costs $3" in text
    assert "saving -" not in text and "saves -" not in text


def test_words_keep_one_sign_convention():
    assert amount_words(223_000) == "saves $223k"
    assert amount_words(-12_000) == "costs $12k more"
    assert range_words(-12_600, 566_000) == "from costing $12.6k more to saving $566k"


@pytest.mark.parametrize("scenario_file", ["support-classifier", "dsl-codegen"])  # affine; GPU steps
def test_decision_statistics_are_the_same_bits_for_any_workers_and_chunks(scenario_file):
    scenario = fm.load_scenario(f"scenarios/{scenario_file}.toml")
    n = 2 * BLOCK_SAMPLES + 1_000
    runs = [fm.simulate(scenario, samples=n, seed=9, workers=w, chunk_size=c)
            for w, c in ((1, BLOCK_SAMPLES), (2, BLOCK_SAMPLES), (2, 4 * BLOCK_SAMPLES))]
    first = runs[0].decision
    for other in (r.decision for r in runs[1:]):
        np.testing.assert_array_equal(first.pair_counts, other.pair_counts)
        np.testing.assert_array_equal(first.cheapest_counts, other.cheapest_counts)
        np.testing.assert_array_equal(first.npc_hist.counts, other.npc_hist.counts)
        for name in ("mean", "m2"):
            assert getattr(first.pair_moments, name).tobytes() == getattr(other.pair_moments, name).tobytes()
        sweep, again = (first.sweep_line or first.sweep_grid), (other.sweep_line or other.sweep_grid)
        for name, value in vars(sweep).items():
            assert np.asarray(value).tobytes() == np.asarray(getattr(again, name)).tobytes(), name


def test_pair_counts_and_moments_match_the_kept_samples():
    scenario = fm.load_scenario("scenarios/support-classifier.toml")
    result = fm.simulate(scenario, samples=3_000, seed=4, keep_samples=True, workers=1)
    npc = result.cumulative_usd[:, :, -1]  # (n, S) at the longest horizon
    d = result.decision
    for i in range(3):
        for j in range(3):
            assert d.pair_counts[i, j, -1] == int((npc[:, i] < npc[:, j]).sum())
            diff = npc[:, i] - npc[:, j]
            assert d.pair_moments.mean[i, j, -1] == pytest.approx(diff.mean(), rel=1e-9, abs=1e-6)
            if i != j:
                assert d.pair_moments.se[i, j, -1] == pytest.approx(diff.std(ddof=1) / math.sqrt(3_000), rel=1e-9)
    cheapest = np.argmin(npc, axis=1)
    assert d.cheapest_counts[:, -1].tolist() == [int((cheapest == s).sum()) for s in range(3)]


def test_line_moments_give_the_mean_and_its_error_at_any_volume():
    rng = np.random.default_rng(1)
    a, b = rng.normal(100, 30, 5_000), rng.normal(-0.002, 0.0005, 5_000)
    whole = LineMoments.of(a, b)
    merged = LineMoments.of(a[:1_234], b[:1_234]).merge(LineMoments.of(a[1_234:], b[1_234:]))
    for v in (0.0, 50_000.0, 1e6):
        x = a + b * v
        for m in (whole, merged):
            assert m.mean_at(v) == pytest.approx(x.mean(), rel=1e-9, abs=1e-9)
            assert m.se_at(v) == pytest.approx(x.std(ddof=1) / math.sqrt(x.size), rel=1e-9)


def test_the_order_statistic_interval_of_a_quantile_against_the_uniform():
    # For U(0, 1) draws the p-quantile's interval is [p - 1.96 √(p(1-p)/n), p + ...] itself (Q(x) = x).
    n = 200_000
    u = np.random.default_rng(2).random(n)
    hist = Histogram.of(Bins.linear(0.0, 1.0, 20_000), u[None])[0]
    for p in (0.05, 0.5, 0.9):
        half = 1.959963984540054 * math.sqrt(p * (1 - p) / n)
        low, high = quantile_interval(hist, p)
        assert (low, high) == (pytest.approx(np.quantile(u, p - half), abs=1e-4),
                               pytest.approx(np.quantile(u, p + half), abs=1e-4))
        assert (low, high) == (pytest.approx(p - half, abs=0.004), pytest.approx(p + half, abs=0.004))
    # A median's interval covers the true median in about 95 % of runs.
    covered = 0
    for seed in range(200):
        draws = np.random.default_rng(100 + seed).random(2_000)
        low, high = quantile_interval(Histogram.of(Bins.linear(0.0, 1.0, 4_000), draws[None])[0], 0.5)
        covered += low <= 0.5 <= high
    assert 0.90 <= covered / 200 <= 0.99


def test_cvar_standard_error_against_the_uniform_closed_form():
    # U(0, 1): the top 5 % is U(0.95, 1): Var = 0.05²/12, CVaR - VaR = 0.025, so
    # SE² = (0.05²/12 + 0.95 x 0.025²) / (0.05 n).
    n = 200_000
    u = np.random.default_rng(3).random(n)
    hist = Histogram.of(Bins.linear(0.0, 1.0, 20_000), u[None])[0]
    expected = math.sqrt((0.05 ** 2 / 12 + 0.95 * 0.025 ** 2) / (0.05 * n))
    assert tail_mean_se(hist, 0.05) == pytest.approx(expected, rel=0.03)
    # And the spread of CVaR over repeated runs agrees with it.
    estimates = [Histogram.of(Bins.linear(0.0, 1.0, 4_000), np.random.default_rng(s).random(4_000)[None])[0]
                 .upper_tail_mean(0.05) for s in range(300)]
    assert np.std(estimates, ddof=1) == pytest.approx(math.sqrt((0.05 ** 2 / 12 + 0.95 * 0.025 ** 2) / 200),
                                                      rel=0.15)


def test_target_se_names_what_must_converge():
    assert parse_target_se(0.005) == TargetSE("pwin", 0.005)
    assert parse_target_se("0.005") == parse_target_se("pwin=0.005") == TargetSE("pwin", 0.005)
    assert parse_target_se("saving=1_000") == TargetSE("saving", 1000.0)
    for bad in ("saving=-5", "pwin=0.7", "npc=10", "saving=abc"):
        with pytest.raises(ValueError):
            parse_target_se(bad)


def test_target_se_on_the_saving_stops_when_its_error_is_small_enough():
    scenario = _scenario(UNCERTAIN_B)
    result = fm.simulate(scenario, samples=8 * BLOCK_SAMPLES, seed=5, target_se="saving=40", workers=1)
    se = compute_decision(result).table.set_index("strategy").loc["c", "saving_se_usd"]
    # 18,000 / √12 / √n < 40 from n = 16,876: two blocks.
    assert result.n_samples == 2 * BLOCK_SAMPLES and se < 40 and result.target_of == "saving"
    assert result.stopped.startswith("target standard error of the expected saving 40 reached after 32,768 samples")
