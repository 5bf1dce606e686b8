"""Each cost component against a monthly cost worked out by hand.

Every scenario here has constant inputs only, so every sample carries the same cost path and the
expected numbers below are plain arithmetic, written out beside the assertion. Conventions pinned
(MODEL.md §2-3 and ``ftrag_mc/model``): months t = 1..H span (t - 1, t]; one-time costs sit at
index 0 of ``result.cumulative_usd[:, s, :]`` and index t is the cumulative cost through month t.
A strategy ``zero`` with no components is the baseline throughout.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import ftrag_mc
from ftrag_mc.model import calendar

REL = 1e-9
SECONDS_PER_MONTH = 365.25 / 12 * 86_400  # 2,629,800 s: a Julian year / 12
HOURS_PER_MONTH = 365.25 / 12 * 24  # 730.5 h


# --- helpers ------------------------------------------------------------------------------------

def scenario(strategies: dict, *, horizon: int = 6, q0: float = 10_000, team: dict | None = None,
             volume: dict | None = None, discount: float = 0.0, horizons: list[int] | None = None,
             sweep: tuple[float, float, int] = (1e3, 1e7, 21), baseline: str = "zero") -> ftrag_mc.Scenario:
    meta = {"horizon_months": horizon, "baseline": baseline, "discount_rate_per_year": discount}
    if horizons is not None:
        meta["analysis_horizons_months"] = horizons
    table = {
        "scenario": meta,
        "volume": {"queries_per_month": q0, "sweep_min": sweep[0], "sweep_max": sweep[1],
                   "sweep_points": sweep[2], **(volume or {})},
        "strategies": {"zero": {}, **strategies},
    }
    if team is not None:
        table["team"] = team
    return ftrag_mc.parse_scenario(table)


def run(s: ftrag_mc.Scenario, samples: int = 4) -> ftrag_mc.SimulationResult:
    return ftrag_mc.simulate(s, samples=samples, seed=1, sampler="mc", keep_samples=True)


def costs(result: ftrag_mc.SimulationResult, strategy: str = "x") -> tuple[float, np.ndarray]:
    """(one-time cost, monthly costs for months 1..H) of a constant scenario, discounted."""
    cum = result.cumulative_usd[:, result.index(strategy)]
    # Constant inputs: every sample must carry exactly the same path.
    assert np.all(cum == cum[0])
    return float(cum[0, 0]), np.diff(cum[0])


def check(result, one_time: float, monthly: list[float], strategy: str = "x") -> None:
    got_once, got_monthly = costs(result, strategy)
    assert got_once == pytest.approx(one_time, rel=REL, abs=1e-9)
    assert got_monthly == pytest.approx(np.asarray(monthly, dtype=float), rel=REL, abs=1e-9)


TEAM = {"engineer_week_usd": 4000, "hours_per_week": 40}  # $100 an hour


# --- LLM calls ----------------------------------------------------------------------------------

def test_llm_calls_input_output_prices_and_premiums():
    llm = {"prompt_tokens": 300, "context_tokens": 2000, "user_tokens": 100, "output_tokens": 200,
           "input_usd_per_mtok": 3, "output_usd_per_mtok": 15, "input_premium": 0.3, "output_premium": 0.5}
    result = run(scenario({"x": {"llm": llm}}, q0=10_000))
    # input 300 + 2000 + 100 = 2,400 tokens at $3/M x 1.3; output 200 at $15/M x 1.5
    per_query = (2400 * 3 * 1.3 + 200 * 15 * 1.5) / 1e6  # = (9,360 + 4,500) / 1e6 = $0.01386
    assert per_query == pytest.approx(0.01386, rel=REL)
    check(result, 0.0, [10_000 * per_query] * 6)  # $138.60 a month


@pytest.mark.parametrize("cache, expected_per_query", [
    # cached_tokens defaults to prompt_tokens (1,000); reads 0.1x, misses write 1.25x (defaults):
    # uncached part 600 tokens (context 500 + user 100) + prefix 1,000 x (0.9 x 0.1 + 0.1 x 1.25)
    ({"hit_rate": 0.9}, (600 * 3 + 1000 * 3 * (0.9 * 0.1 + 0.1 * 1.25)) / 1e6),  # = $0.002445
    # an explicit 400-token cached prefix, reads 0.5x, writes 2x at a 70 % hit rate:
    # uncached 1,600 - 400 = 1,200 tokens + 400 x (0.7 x 0.5 + 0.3 x 2) = 400 x 0.95
    ({"hit_rate": 0.7, "read_multiplier": 0.5, "write_multiplier": 2, "cached_tokens": 400},
     (1200 * 3 + 400 * 3 * (0.7 * 0.5 + 0.3 * 2)) / 1e6),  # = $0.00474
    # a zero hit rate writes the whole prefix every time: 600 + 1,000 x 1.25
    ({"hit_rate": 0.0}, (600 * 3 + 1000 * 3 * 1.25) / 1e6),
])
def test_prompt_caching_prices_the_prefix(cache, expected_per_query):
    llm = {"prompt_tokens": 1000, "context_tokens": 500, "user_tokens": 100, "output_tokens": 50,
           "input_usd_per_mtok": 3, "output_usd_per_mtok": 15}
    result = run(scenario({"x": {"llm": llm, "cache": cache}}, q0=10_000))
    output = 50 * 15 / 1e6  # output tokens are never cached: $0.00075
    check(result, 0.0, [10_000 * (expected_per_query + output)] * 6)


def test_prompt_caching_default_cuts_input_cost_like_the_article_says():
    # Article: caching drops input cost 60-80 %. All-prefix input at a 90 % hit rate:
    # 0.9 x 0.1 + 0.1 x 1.25 = 0.215 of the uncached price, a 78.5 % cut.
    llm = {"prompt_tokens": 2000, "input_usd_per_mtok": 3, "output_usd_per_mtok": 15}
    result = run(scenario({"x": {"llm": llm, "cache": {"hit_rate": 0.9}}, "plain": {"llm": llm}}, q0=1000))
    _, cached = costs(result, "x")
    _, plain = costs(result, "plain")
    assert plain[0] == pytest.approx(1000 * 2000 * 3 / 1e6, rel=REL)  # $6
    assert cached[0] / plain[0] == pytest.approx(0.215, rel=REL)


# --- retrieval ----------------------------------------------------------------------------------

@pytest.mark.parametrize("every, reindex_months", [
    (2, [2, 4, 6]),  # events at 2, 4, 6
    (1.5, [2, 3, 5, 6]),  # events at 1.5, 3.0, 4.5, 6.0 fall in months ceil(.) = 2, 3, 5, 6
    (4, [4]),
    (1.1, [2, 3, 4, 5, 6]),  # 1.1, 2.2, 3.3, 4.4, 5.5 (6.6 is beyond the horizon)
    (7, []),  # first event after the horizon
])
def test_retrieval_embeddings_store_indexing_and_reindex(every, reindex_months):
    retrieval = {"embedding_tokens_per_query": 50, "embedding_usd_per_mtok": 0.02,
                 "vector_store_usd_per_month": 200, "corpus_tokens": 10_000_000,
                 "reindex_every_months": every, "reindex_share": 0.25}
    result = run(scenario({"x": {"retrieval": retrieval}}, q0=1_000_000))
    one_time = 10_000_000 * 0.02 / 1e6  # index the corpus once at t = 0: $200
    embeddings = 1_000_000 * 50 * 0.02 / 1e6  # $1.00 a month
    reindex = 0.25 * 10_000_000 * 0.02 / 1e6  # a quarter of the corpus: $50 per re-index
    monthly = [200 + embeddings + (reindex if t in reindex_months else 0) for t in range(1, 7)]
    check(result, one_time, monthly)


def test_retrieval_reindex_share_defaults_to_whole_corpus_and_two_events_in_one_month():
    # every 0.5 months: events at 0.5 and 1.0 in month 1, 1.5 and 2.0 in month 2, ...
    retrieval = {"embedding_usd_per_mtok": 0.1, "corpus_tokens": 2_000_000, "reindex_every_months": 0.5}
    result = run(scenario({"x": {"retrieval": retrieval}}, horizon=3))
    full = 2_000_000 * 0.1 / 1e6  # $0.20 for the whole corpus
    check(result, full, [2 * full] * 3)


# --- training -----------------------------------------------------------------------------------

@pytest.mark.parametrize("training, team, expected_one_time", [
    # curation 100 h x ($4,000 / 40 h) + 5 weeks x $4,000 + run $3,000 + eval $500
    ({"curation_hours": 100, "engineer_weeks": 5, "run_usd": 3000, "eval_usd": 500}, TEAM,
     100 * (4000 / 40) + 5 * 4000 + 3000 + 500),  # = 33,500
    # an explicit curation rate of $60/h replaces the engineer-derived $100/h
    ({"curation_hours": 100, "engineer_weeks": 5, "run_usd": 3000, "eval_usd": 500},
     {**TEAM, "curation_usd_per_hour": 60}, 100 * 60 + 5 * 4000 + 3000 + 500),  # = 29,500
    # a 50-hour week changes the derived rate to $80/h
    ({"curation_hours": 100, "run_usd": 0}, {"engineer_week_usd": 4000, "hours_per_week": 50}, 100 * 80),
    # the run priced from tokens: 2M tokens x 3 epochs x $25/M = $150
    ({"training_tokens": 2_000_000, "epochs": 3, "training_usd_per_mtok": 25, "eval_usd": 40}, None,
     2_000_000 * 3 * 25 / 1e6 + 40),  # = 190
])
def test_training_one_time_build(training, team, expected_one_time):
    result = run(scenario({"x": {"training": training}}, team=team, horizon=12))
    check(result, expected_one_time, [0.0] * 12)  # no retrain cadence: nothing after t = 0


def test_training_retrains_every_three_months():
    training = {"curation_hours": 100, "engineer_weeks": 5, "run_usd": 3000, "eval_usd": 500,
                "retrain_every_months": 3, "retrain_curation_share": 0.2, "retrain_engineer_weeks": 0.5}
    result = run(scenario({"x": {"training": training}}, team=TEAM, horizon=12))
    curation = 100 * 4000 / 40  # $10,000
    one_time = curation + 5 * 4000 + 3000 + 500  # $33,500
    # each retrain: the same run $3,000 + eval $500 + 20 % of curation + half a week
    retrain = 3000 + 500 + 0.2 * curation + 0.5 * 4000  # = 7,500
    monthly = [retrain if t in (3, 6, 9, 12) else 0.0 for t in range(1, 13)]
    check(result, one_time, monthly)


def test_training_retrain_overrides_run_and_eval():
    training = {"run_usd": 3000, "eval_usd": 500, "retrain_every_months": 4,
                "retrain_run_usd": 800, "retrain_eval_usd": 100}
    result = run(scenario({"x": {"training": training}}, horizon=12))
    monthly = [800 + 100 if t in (4, 8, 12) else 0.0 for t in range(1, 13)]
    check(result, 3000 + 500, monthly)


# --- hosting and self-hosted serving --------------------------------------------------------------

def test_hosting_fee():
    result = run(scenario({"x": {"hosting": {"fee_usd_per_month": 1500}}}))
    check(result, 0.0, [1500] * 6)


# One replica: 1,000 tokens/s x 50 % utilisation x 2,629,800 s = 1,314,900,000 tokens a month,
# i.e. 1,314,900 queries of 1,000 tokens. A replica-month at $2/h is 2 x 730.5 h = $1,461.
CAPACITY_QUERIES = 1000 * 0.5 * SECONDS_PER_MONTH / 1000
assert CAPACITY_QUERIES == 1_314_900
REPLICA_MONTH_USD = 2 * HOURS_PER_MONTH
assert REPLICA_MONTH_USD == 1461


@pytest.mark.parametrize("q0, min_replicas, replicas", [
    (1_314_900, 1, 1),  # exactly one replica's capacity: 1 replica
    (1_314_901, 1, 2),  # one query above: 2
    (3 * 1_314_900, 1, 3),
    (3 * 1_314_900 + 1, 1, 4),
    (10, 1, 1),
    (10, 3, 3),  # the min_replicas floor
    (2 * 1_314_900 + 1, 2, 3),  # above the floor, demand rules
    (10, 0, 1),  # no floor: any demand still needs one replica
])
def test_self_hosted_gpu_steps_at_capacity(q0, min_replicas, replicas):
    self_hosted = {"gpu_usd_per_hour": 2, "throughput_tokens_per_second": 1000, "utilization": 0.5,
                   "min_replicas": min_replicas, "tokens_per_query": 1000, "ops_usd_per_month": 2000}
    result = run(scenario({"x": {"self_hosted": self_hosted}}, q0=q0, horizon=3))
    check(result, 0.0, [replicas * 1461 + 2000] * 3)


def test_self_hosted_tokens_default_to_all_llm_tokens_and_step_with_growth():
    # tokens per query = 300 + 100 + 100 + 500 = 1,000 (token prices 0: self-hosted)
    llm = {"prompt_tokens": 300, "context_tokens": 100, "user_tokens": 100, "output_tokens": 500,
           "input_usd_per_mtok": 0, "output_usd_per_mtok": 0}
    self_hosted = {"gpu_usd_per_hour": 2, "throughput_tokens_per_second": 1000, "utilization": 0.5}
    # q_t = 1,000,000 x 1.5^(t-1): 1.0M, 1.5M, 2.25M, 3.375M, 5.0625M queries
    # / 1,314,900 per replica = 0.76, 1.14, 1.71, 2.57, 3.85 -> 1, 2, 2, 3, 4 replicas
    result = run(scenario({"x": {"llm": llm, "self_hosted": self_hosted}}, q0=1_000_000, horizon=5,
                          volume={"growth_per_month": 0.5}))
    check(result, 0.0, [n * 1461 for n in (1, 2, 2, 3, 4)])


# --- labour -------------------------------------------------------------------------------------

def test_labour_setup_and_maintenance():
    labour = {"setup_weeks": 2, "maintenance_weeks_per_month": 0.25}
    result = run(scenario({"x": {"labour": labour}}, team=TEAM))
    check(result, 2 * 4000, [0.25 * 4000] * 6)  # $8,000 once, $1,000 a month


# --- quality and escalation -----------------------------------------------------------------------

def test_quality_drift_resets_at_retrains():
    # retrain every 3 months: age at the start of months 1..6 = 0, 1, 2, 0, 1, 2.
    # error rate = 5 % + 3 pp x age / 3 = 5, 6, 7, 5, 6, 7 %; 10,000 queries x $2 per error.
    strategy = {"quality": {"error_rate": 0.05, "cost_per_error_usd": 2, "drift_pp_per_quarter": 3},
                "training": {"run_usd": 0, "retrain_every_months": 3}}
    result = run(scenario({"x": strategy}, q0=10_000))
    rates = [0.05, 0.06, 0.07, 0.05, 0.06, 0.07]
    check(result, 0.0, [10_000 * 2 * r for r in rates])  # 1,000, 1,200, 1,400, 1,000, ...


def test_quality_drift_without_retraining_keeps_rising_and_is_capped_at_one():
    # no retrains: age = t - 1, so +1 pp a month at 3 pp a quarter
    strategy = {"quality": {"error_rate": 0.05, "cost_per_error_usd": 2, "drift_pp_per_quarter": 3},
                "training": {"run_usd": 0}}
    result = run(scenario({"x": strategy}, q0=10_000))
    check(result, 0.0, [10_000 * 2 * (0.05 + 0.01 * (t - 1)) for t in range(1, 7)])
    # 98 % + 1.5 pp a month reaches 100 % in month 3 and stays there
    capped = {"quality": {"error_rate": 0.98, "cost_per_error_usd": 1, "drift_pp_per_quarter": 4.5}}
    result = run(scenario({"x": capped}, q0=1000, horizon=4))
    check(result, 0.0, [1000 * 0.98, 1000 * 0.995, 1000 * 1.0, 1000 * 1.0])


def test_quality_without_drift_is_error_rate_times_cost():
    result = run(scenario({"x": {"quality": {"error_rate": 0.29, "cost_per_error_usd": 4}}}, q0=2500))
    check(result, 0.0, [2500 * 0.29 * 4] * 6)  # $2,900 a month


def test_escalation_share_times_frontier_cost():
    escalation = {"share": 0.2, "input_tokens": 3000, "output_tokens": 500,
                  "input_usd_per_mtok": 15, "output_usd_per_mtok": 75}
    result = run(scenario({"x": {"escalation": escalation}}, q0=10_000))
    frontier = (3000 * 15 + 500 * 75) / 1e6  # $0.0825 per escalated query
    check(result, 0.0, [10_000 * 0.2 * frontier] * 6)  # $165 a month


# --- launch, prices, discounting ------------------------------------------------------------------

def test_launch_delay_is_pro_rata():
    # 6.5 weeks / (52/12 weeks a month) = 6.5 x 12 / 52 = 1.5 months: active share of months
    # 1, 2, 3 = 0, 0.5, 1. Per-query and recurring costs scale by it, the delay cost by 1 - it,
    # and discrete events (retrain, re-index) happen in any month with a positive share.
    strategy = {
        "launch_weeks": 6.5, "delay_cost_usd_per_month": 3000, "fixed_usd_per_month": 70,
        "one_time_usd": 999,
        "llm": {"prompt_tokens": 1000, "input_usd_per_mtok": 2, "output_usd_per_mtok": 0},
        "quality": {"error_rate": 0.01, "cost_per_error_usd": 1},
        "retrieval": {"vector_store_usd_per_month": 100, "embedding_usd_per_mtok": 1,
                      "corpus_tokens": 1_000_000, "reindex_every_months": 1, "reindex_share": 0.5},
        "hosting": {"fee_usd_per_month": 400},
        "training": {"run_usd": 250, "retrain_every_months": 1},
        "labour": {"maintenance_weeks_per_month": 0.1},
    }
    result = run(scenario({"x": strategy}, q0=10_000, horizon=4, team=TEAM))
    per_query = 10_000 * (1000 * 2 / 1e6 + 0.01 * 1)  # llm $20 + errors $100 = $120
    recurring = 70 + 100 + 400 + 0.1 * 4000  # fixed + store + hosting + maintenance = $970
    events = 0.5 * 1_000_000 * 1 / 1e6 + 250  # re-index $0.50 + retrain $250
    one_time = 999 + 1_000_000 * 1 / 1e6 + 250  # other + indexing $1 + first run $250
    full = per_query + recurring + events
    check(result, one_time, [
        3000,  # month 1: not serving, the whole delay cost
        0.5 * (per_query + recurring) + 0.5 * 3000 + events,  # month 2: half and half, events whole
        full, full,
    ])


def test_launch_delay_prorates_gpu_replicas_and_ops():
    # launched after 1.5 months (6.5 weeks): months 1, 2, 3 run 0, 0.5, 1 of the month.
    # 2 replicas (the floor) x $1,461 + ops $2,000 = $4,922 for a full month.
    self_hosted = {"gpu_usd_per_hour": 2, "throughput_tokens_per_second": 1000, "utilization": 0.5,
                   "min_replicas": 2, "tokens_per_query": 1000, "ops_usd_per_month": 2000}
    result = run(scenario({"x": {"launch_weeks": 6.5, "self_hosted": self_hosted}}, q0=1000, horizon=3))
    full = 2 * 1461 + 2000
    check(result, 0.0, [0.0, 0.5 * full, full])


def test_price_decline_applies_to_token_prices_only():
    # d = 20 %/year: month t prices x 0.8^((t-1)/12), so month 13 pays 0.8 x month 1.
    strategy = {
        "price_decline_per_year": 0.2,
        "llm": {"prompt_tokens": 1000, "output_tokens": 100, "input_usd_per_mtok": 3,
                "output_usd_per_mtok": 15, "input_premium": 0.5, "output_premium": 0.5},
        "retrieval": {"embedding_tokens_per_query": 100, "embedding_usd_per_mtok": 0.1,
                      "vector_store_usd_per_month": 50, "corpus_tokens": 1e8, "reindex_every_months": 6},
        "escalation": {"share": 0.1, "input_tokens": 1000, "output_tokens": 0,
                       "input_usd_per_mtok": 10, "output_usd_per_mtok": 0},
        "quality": {"error_rate": 0.01, "cost_per_error_usd": 1},
        "hosting": {"fee_usd_per_month": 20},
    }
    result = run(scenario({"x": strategy}, q0=1000, horizon=13))
    # token cost per query today: llm 1.5 x (1000 x 3 + 100 x 15) / 1e6 = $0.00675, embeddings
    # 100 x 0.1 / 1e6 = $0.00001, escalation 0.1 x 1000 x 10 / 1e6 = $0.001 -> $0.00776
    tokens = 1.5 * (1000 * 3 + 100 * 15) / 1e6 + 100 * 0.1 / 1e6 + 0.1 * 1000 * 10 / 1e6
    flat = 50 + 20 + 1000 * 0.01 * 1  # store, fee and errors do not decline: $80
    _, monthly = costs(result)
    assert monthly[0] == pytest.approx(1000 * tokens + flat, rel=REL)  # $87.76
    assert monthly[12] == pytest.approx(0.8 * 1000 * tokens + flat, rel=REL)  # month 13: $86.208
    assert monthly[6] == pytest.approx(math.sqrt(0.8) * 1000 * tokens + flat, rel=REL)  # month 7
    # the corpus is indexed at t = 0 at today's price (1e8 x 0.1 / 1e6 = $10); re-indexing it in
    # months 6 and 12 pays that month's embedding price
    reindex = {6: 10 * 0.8 ** (5 / 12), 12: 10 * 0.8 ** (11 / 12)}
    check(result, 10.0, [1000 * tokens * 0.8 ** ((t - 1) / 12) + flat + reindex.get(t, 0.0)
                         for t in range(1, 14)])


def test_discounting_at_twelve_percent_a_year():
    strategy = {"one_time_usd": 5000, "fixed_usd_per_month": 1000}
    result = run(scenario({"x": strategy}, horizon=12, discount=0.12))
    # month t's cost x 1.12^(-t/12); the one-time cost at t = 0 is not discounted
    check(result, 5000, [1000 * 1.12 ** (-t / 12) for t in range(1, 13)])
    _, monthly = costs(result)
    assert monthly[11] == pytest.approx(1000 / 1.12, rel=REL)  # a year out: $892.86
    # NPC over the year: 5,000 + 1,000 x sum_{t=1..12} 1.12^(-t/12)
    npc = 5000 + 1000 * sum(1.12 ** (-t / 12) for t in range(1, 13))
    assert result.cumulative_usd[0, result.index("x"), 12] == pytest.approx(npc, rel=REL)


# --- end of life ----------------------------------------------------------------------------------

def eol_scenario(end_of_life: dict, horizon: int = 6) -> ftrag_mc.Scenario:
    ft = {"one_time_usd": 700, "hosting": {"fee_usd_per_month": 100},
          "llm": {"prompt_tokens": 1000, "input_usd_per_mtok": 1, "output_usd_per_mtok": 0},
          "end_of_life": {"successor": "succ", **end_of_life}}
    succ = {"one_time_usd": 123_456, "fixed_usd_per_month": 1000,
            "llm": {"prompt_tokens": 1000, "input_usd_per_mtok": 3, "output_usd_per_mtok": 0}}
    return scenario({"x": ft, "succ": succ}, q0=10_000, horizon=horizon)


@pytest.mark.parametrize("month", [4, 3.2])  # 3.2 rounds up to month 4
def test_end_of_life_at_a_fixed_month(month):
    result = run(eol_scenario({"month": month, "migration_usd": 5000}))
    own = 100 + 10_000 * 1000 * 1 / 1e6  # fee + $10 of tokens = $110
    successor = 1000 + 10_000 * 1000 * 3 / 1e6  # $1,030; its one-time cost is not charged
    check(result, 700, [own, own, own, successor + 5000, successor, successor])


def test_end_of_life_probability_zero_never_switches():
    result = run(eol_scenario({"probability_per_year": 0, "migration_usd": 5000}))
    check(result, 700, [110] * 6)


def test_end_of_life_probability_per_year_share_switched():
    # Closed form: the platform closes within 12 months with chance p, within 24 with 1-(1-p)^2.
    # "x" costs nothing before; its successor $1 a month, so a positive cumulative cost through
    # month m means it switched by then.
    p, n = 0.3, 20_000
    s = scenario({"x": {"end_of_life": {"probability_per_year": p, "successor": "succ"}},
                  "succ": {"fixed_usd_per_month": 1}}, horizon=24)
    result = run(s, samples=n)
    cum = result.cumulative_usd[:, result.index("x")]
    for months, closed_form in ((12, p), (24, 1 - (1 - p) ** 2), (6, 1 - (1 - p) ** 0.5)):
        share = np.mean(cum[:, months] > 0)
        se = math.sqrt(closed_form * (1 - closed_form) / n)
        assert abs(share - closed_form) < 4 * se, (months, share, closed_form)
    # when it switches in month m it pays $1 in each of months m..24: cost through 24 = 25 - m
    switched = cum[:, 24] > 0
    assert np.all(np.isin(cum[switched, 24], np.arange(1, 25)))


# --- volume ----------------------------------------------------------------------------------------

def test_volume_growth():
    llm = {"prompt_tokens": 1000, "input_usd_per_mtok": 10, "output_usd_per_mtok": 0}  # $0.01 a query
    result = run(scenario({"x": {"llm": llm}}, q0=1000, volume={"growth_per_month": 0.1}))
    check(result, 0.0, [1000 * 1.1 ** (t - 1) * 0.01 for t in range(1, 7)])  # $10, $11, $12.10, ...


def test_volume_ceiling_caps_monthly_demand():
    llm = {"prompt_tokens": 1000, "input_usd_per_mtok": 10, "output_usd_per_mtok": 0}
    s = scenario({"x": {"llm": llm, "fixed_usd_per_month": 5}}, q0=1000,
                 volume={"growth_per_month": 0.1, "ceiling_queries_per_month": 1300})
    # 1,000, 1,100, 1,210, then 1,331 > 1,300 is capped: 1,300, 1,300, 1,300 queries
    check(run(s), 0.0, [5 + 0.01 * q for q in (1000, 1100, 1210, 1300, 1300, 1300)])


def test_affine_fast_path_agrees_with_general_path():
    """A scenario touching every affine component, with and without a ceiling that never binds.

    The ceiling forces the general (per-volume) path; it must give the same costs, win counts and
    breakeven volumes (bisection vs closed form) as the affine one.
    """
    rag = {"launch_weeks": 1, "delay_cost_usd_per_month": 500, "price_decline_per_year": 0.1,
           "llm": {"prompt_tokens": 800, "context_tokens": 2000, "output_tokens": 200,
                   "input_usd_per_mtok": 3, "output_usd_per_mtok": 15},
           "cache": {"hit_rate": 0.8},
           "retrieval": {"embedding_tokens_per_query": 50, "embedding_usd_per_mtok": 0.02,
                         "vector_store_usd_per_month": 200, "corpus_tokens": 5e7, "reindex_every_months": 2.5},
           "labour": {"setup_weeks": 1, "maintenance_weeks_per_month": 0.25},
           "quality": {"error_rate": 0.1, "cost_per_error_usd": 0.05}}
    ft = {"launch_weeks": 5, "delay_cost_usd_per_month": 800,
          "llm": {"prompt_tokens": 300, "output_tokens": 200, "input_usd_per_mtok": 3,
                  "output_usd_per_mtok": 15, "input_premium": 0.3, "output_premium": 0.5},
          "training": {"curation_hours": 100, "engineer_weeks": 4, "run_usd": 2000, "eval_usd": 300,
                       "retrain_every_months": 3, "retrain_curation_share": 0.2},
          "quality": {"error_rate": 0.05, "cost_per_error_usd": 0.05, "drift_pp_per_quarter": 3},
          "escalation": {"share": 0.05, "input_tokens": 2000, "output_tokens": 300,
                         "input_usd_per_mtok": 15, "output_usd_per_mtok": 75},
          "hosting": {"fee_usd_per_month": 50},
          "end_of_life": {"month": 14, "migration_usd": 8000, "successor": "zero"}}
    common = dict(q0=50_000, horizon=24, team=TEAM, discount=0.1, horizons=[12, 24], sweep=(1e3, 1e7, 17),
                  baseline="rag")
    affine = run(scenario({"rag": rag, "x": ft}, volume={"growth_per_month": 0.03}, **common))
    # 1e7 x 1.03^23 is about 2e7 queries: a ceiling of 1e12 never binds
    general = run(scenario({"rag": rag, "x": ft},
                           volume={"growth_per_month": 0.03, "ceiling_queries_per_month": 1e12}, **common))
    np.testing.assert_allclose(general.cumulative_usd, affine.cumulative_usd, rtol=REL, atol=0)
    np.testing.assert_array_equal(general.win_counts, affine.win_counts)
    np.testing.assert_array_equal(general.cheapest_counts, affine.cheapest_counts)
    np.testing.assert_allclose(general.breakeven_volume, affine.breakeven_volume, rtol=REL, atol=0)
    # the comparison means something only if the fine-tune crosses inside the sweep
    assert affine.challengers == ("zero", "x")
    assert np.all((affine.breakeven_volume[:, 1] > 1e3) & (affine.breakeven_volume[:, 1] < 1e7))


# --- calendar functions -------------------------------------------------------------------------

def test_calendar_month_index():
    np.testing.assert_array_equal(calendar.month_index(4), [1.0, 2.0, 3.0, 4.0])


def test_calendar_event_counts():
    # Month-major: rows are months, columns samples; the table below lists one sample per line.
    got = calendar.event_counts(np.array([2.0, 1.5, 0.5, 7.0, np.inf, 0.1 * 3]), 6).T
    expected = [
        [0, 1, 0, 1, 0, 1],  # 2, 4, 6
        [0, 1, 1, 0, 1, 1],  # 1.5, 3, 4.5, 6
        [2, 2, 2, 2, 2, 2],  # 0.5 and 1.0 in month 1, ...
        [0, 0, 0, 0, 0, 0],  # first event at 7
        [0, 0, 0, 0, 0, 0],  # never
        # k = 0.30000000000000004: 0.3, 0.6, 0.9 | 1.2, 1.5, 1.8 | 2.1, 2.4, 2.7, 3.0 | ...
        # twenty events by month 6: 3, 3, 4, 3, 3, 4 (3.0 and 6.0 belong to months 3 and 6)
        [3, 3, 4, 3, 3, 4],
    ]
    np.testing.assert_array_equal(got, expected)


def test_calendar_months_since_event():
    got = calendar.months_since_event(np.array([3.0, 1.0, 1.5, np.inf]), 6).T
    expected = [
        [0, 1, 2, 0, 1, 2],  # retrain at the end of months 3 and 6
        [0, 0, 0, 0, 0, 0],
        # starts of months 0..5 minus the last event at or before: 0, 1, 2-1.5, 3-3, 4-3, 5-4.5
        [0, 1, 0.5, 0, 1, 0.5],
        [0, 1, 2, 3, 4, 5],  # never: t - 1
    ]
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


def test_calendar_active_fraction():
    got = calendar.active_fraction(np.array([0.0, 1.5, 0.25, 5.0]), 4).T
    expected = [
        [1, 1, 1, 1],
        [0, 0.5, 1, 1],
        [0.75, 1, 1, 1],
        [0, 0, 0, 0],
    ]
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


def test_calendar_discount_growth_and_price_factors():
    np.testing.assert_allclose(calendar.discount_factors(np.array([0.12, 0.0]), 12).T[:, [0, 5, 11]],
                               [[1.12 ** (-1 / 12), 1.12 ** -0.5, 1 / 1.12], [1, 1, 1]], rtol=REL)
    np.testing.assert_allclose(calendar.growth_factors(np.array([0.1, -0.5]), 3).T,
                               [[1, 1.1, 1.21], [1, 0.5, 0.25]], rtol=REL)
    np.testing.assert_allclose(calendar.price_factors(np.array([0.2, 0.0]), 25).T[:, [0, 12, 24]],
                               [[1, 0.8, 0.64], [1, 1, 1]], rtol=REL)


def test_calendar_of_a_constant_is_one_column():
    # A constant input gives a calendar shared by every sample: (H, 1), broadcast, not copied.
    assert calendar.growth_factors(0.02, 5).shape == (5, 1)
    assert calendar.event_counts(3.0, 7).shape == (7, 1)


def test_calendar_constants():
    assert calendar.SECONDS_PER_MONTH == 2_629_800
    assert calendar.HOURS_PER_MONTH == 730.5
    assert calendar.WEEKS_PER_MONTH * 12 == pytest.approx(52, rel=REL)


def test_self_hosted_breakeven_on_the_general_path():
    # Baseline pays $0.01 a query; the self-hosted challenger $1,461 per replica-month (one replica
    # serves 1,314,900 queries). It wins once 0.01 q > 1,461, i.e. above q = 146,100 queries a
    # month (a second replica at 1.3M queries costs $2,922 < $13,149, so it keeps winning).
    llm = {"prompt_tokens": 1000, "input_usd_per_mtok": 10, "output_usd_per_mtok": 0}
    self_hosted = {"gpu_usd_per_hour": 2, "throughput_tokens_per_second": 1000, "utilization": 0.5,
                   "tokens_per_query": 1000}
    s = scenario({"api": {"llm": llm}, "x": {"self_hosted": self_hosted}}, baseline="api", horizon=3,
                 sweep=(1e4, 1e7, 31))
    result = run(s)
    assert result.challengers == ("zero", "x")
    breakeven = 1461 / 0.01  # = 146,100
    assert result.breakeven_volume[:, 1, 0] == pytest.approx(np.full(4, breakeven), rel=REL)
    wins = result.win_counts[1, :, 0]
    np.testing.assert_array_equal(wins, np.where(result.volumes > breakeven, 4, 0))


@pytest.mark.parametrize("growth", [0.04, -0.03, 0.0])
def test_volume_ceiling_closed_form_equals_month_by_month_sums(growth):
    # The ceiling's capped months are summed in closed form; here against min(Q0 g_t, C) summed
    # month by month for every grid volume, sample and month, with discounting and a price decline.
    from ftrag_mc.model.evaluate import CostModel, cumsum_months
    from ftrag_mc.sampling import InputSampler

    s = scenario({"x": {"llm": {"prompt_tokens": {"dist": "uniform", "min": 100, "max": 900},
                                "output_tokens": 200, "input_usd_per_mtok": 3, "output_usd_per_mtok": 15},
                        "price_decline_per_year": 0.2, "launch_weeks": 3}},
                 horizon=24, volume={"growth_per_month": growth, "ceiling_queries_per_month": 2e5},
                 discount=0.1)
    values = InputSampler(s.inputs, 50, seed=3, sampler="mc").draw(0, 50)
    model = CostModel(s, values, 50)
    volumes, months = np.geomspace(1e3, 1e7, 21), np.array([0, 1, 7, 24])
    got = model.npc_grid("x", volumes, months)
    demand = np.minimum(volumes[:, None, None] * model.growth[None], 2e5)
    cum = cumsum_months(model.totals["x"].per_query_usd * demand * model.discount, axis=1)
    expected = (model.fixed_cum("x")[months][None]
                + np.where((months > 0)[None, :, None], cum[:, np.maximum(months - 1, 0)], 0.0))
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-9)


def test_evaluate_gives_the_same_costs_for_months_in_any_order():
    # GPU pools sum month segments in order; the months asked for may come in any order.
    import ftrag_mc as fm
    from pathlib import Path

    scenario = fm.load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "dsl-codegen.toml")
    inputs = {"volume.growth_per_month": [0.0, 0.03]}
    ordered = fm.evaluate(scenario, inputs, volumes=[4e4, 4e5], months=[6, 12, 36]).npc_usd
    shuffled = fm.evaluate(scenario, inputs, volumes=[4e4, 4e5], months=[36, 6, 12, 12]).npc_usd
    np.testing.assert_array_equal(shuffled[..., [1, 2, 0]], ordered)
    np.testing.assert_array_equal(shuffled[..., 3], ordered[..., 1])
