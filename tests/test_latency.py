"""Latency: users' wait priced per second, a per-query cost component like quality.

Constant inputs throughout, so the expected figures are hand arithmetic written beside them:
time to first token = overhead + (prompt + context + user tokens) / prefill rate, generation time
= output tokens / decode rate, cost per query = (both) x USD per second.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import ftrag_mc
from ftrag_mc.errors import ScenarioError
from ftrag_mc.model.components import COMPONENTS
from ftrag_mc.model.costs import Context, latency_seconds
from ftrag_mc.model.strategy import build_cost_terms


def strategy_latency_seconds(s, strategy, values):
    """(time to first token, generation time) of one strategy at input ``values``."""
    c = Context(values=values, scenario=s, n=1, active=1.0, launched=1.0, prices=1.0)
    return latency_seconds(s.strategies[strategy], c)
from ftrag_mc.model.evaluate import input_values
from ftrag_mc.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
LATENCY = {"prefill_tokens_per_second": 5000, "decode_tokens_per_second": 50, "overhead_seconds": 0.3,
           "usd_per_second": 0.002}
# No token prices: the strategy's only cost is its users' wait.
LLM = {"prompt_tokens": 4000, "user_tokens": 100, "output_tokens": 200, "input_usd_per_mtok": 0,
       "output_usd_per_mtok": 0}


def scenario(strategies: dict, *, q0: float = 10_000, horizon: int = 6) -> ftrag_mc.Scenario:
    return ftrag_mc.parse_scenario({
        "scenario": {"horizon_months": horizon, "baseline": "zero"},
        "volume": {"queries_per_month": q0},
        "strategies": {"zero": {}, **strategies},
    })


def monthly(s: ftrag_mc.Scenario, strategy: str = "x") -> tuple[float, np.ndarray]:
    ev = ftrag_mc.evaluate(s, months=range(s.horizon_months + 1))
    cum = ev.npc_usd[0, ev.strategies.index(strategy), 0]
    return float(cum[0]), np.diff(cum)


def test_latency_cost_of_a_constant_case_by_hand():
    # TTFT 0.3 + 4,100 / 5,000 = 1.12 s; generation 200 / 50 = 4 s; 5.12 s x $0.002 = $0.01024
    # per query; at 10,000 queries a month $102.40 a month.
    s = scenario({"x": {"llm": LLM, "latency": LATENCY}})
    once, months = monthly(s)
    assert once == 0.0
    assert months == pytest.approx([102.4] * 6, rel=1e-12)
    values, _ = input_values(s)
    ttft, generation = strategy_latency_seconds(s, "x", values)
    assert ttft == pytest.approx(1.12, rel=1e-12)
    assert generation == pytest.approx(4.0, rel=1e-12)


def test_latency_is_its_own_component_and_ignores_the_token_price_trend():
    # A 50 %/year token price decline must not touch the value of a second of wait.
    llm = {**LLM, "input_usd_per_mtok": 1.0}
    s = scenario({"x": {"llm": llm, "latency": LATENCY, "price_decline_per_year": 0.5}})
    ev = ftrag_mc.evaluate(s, months=[1, 6], components=True)
    latency = ev.components["latency"][0, ev.strategies.index("x"), 0]
    assert latency == pytest.approx([102.4, 6 * 102.4], rel=1e-12)
    assert "latency" in COMPONENTS


def test_latency_starts_with_the_launch():
    # Launch after 52/12/2 weeks = half a month: month 1 carries half the wait, $51.20.
    s = scenario({"x": {"llm": LLM, "latency": LATENCY, "launch_weeks": 52 / 24}})
    _, months = monthly(s)
    assert months == pytest.approx([51.2] + [102.4] * 5, rel=1e-12)


def test_uncertain_latency_inputs_are_sampled_and_shared():
    # A shared value of a second: both strategies see the same draw, so with equal tokens and
    # speeds their costs are equal in every sample.
    table = {
        "scenario": {"horizon_months": 3, "baseline": "a"},
        "volume": {"queries_per_month": 1000},
        "inputs": {"wait_usd": {"dist": "uniform", "min": 0.001, "max": 0.003}},
        "strategies": {name: {"llm": LLM, "latency": {**LATENCY, "usd_per_second": "wait_usd",
                                                        "decode_tokens_per_second": {"dist": "uniform", "min": 40, "max": 60}}}
                       for name in ("a", "b")},
    }
    s = ftrag_mc.parse_scenario(table)
    assert "inputs.wait_usd" in s.uncertain_inputs
    assert "strategies.a.latency.decode_tokens_per_second" in s.uncertain_inputs
    draws = {"inputs.wait_usd": [0.001, 0.003], "strategies.a.latency.decode_tokens_per_second": [50, 50],
             "strategies.b.latency.decode_tokens_per_second": [50, 50]}
    ev = ftrag_mc.evaluate(s, draws)
    # 5.12 s x $0.001 x 1,000 x 3 months = $15.36; at $0.003, $46.08.
    assert ev.npc_usd[:, 0, 0, 0] == pytest.approx([15.36, 46.08], rel=1e-12)
    assert np.array_equal(ev.npc_usd[:, 0], ev.npc_usd[:, 1])


def test_a_strategy_without_latency_costs_exactly_what_it_did():
    # Adding latency to one strategy leaves every other strategy's NPC bit for bit, and a strategy
    # without the section carries no latency part at all (nothing extra in the simulator's path).
    shipped = load_scenario(ROOT / "scenarios" / "support-classifier.toml")
    base_values, n = input_values(shipped)
    before = ftrag_mc.evaluate(shipped, months=range(37)).npc_usd
    with_latency = load_scenario(ROOT / "scenarios" / "support-classifier.toml",
                                 ["strategies.fine_tuned.latency={prefill_tokens_per_second=8000,"
                                  "decode_tokens_per_second=150,usd_per_second=0.001}"])
    after = ftrag_mc.evaluate(with_latency, months=range(37)).npc_usd
    for s in ("prompted", "prompted_cached"):
        i = tuple(shipped.strategies).index(s)
        assert np.array_equal(before[:, i], after[:, i])
    i = tuple(shipped.strategies).index("fine_tuned")
    # 0 + 210 / 8,000 s + 10 / 150 s = 0.092917 s x $0.001 per query: $0.0000929 per query more.
    assert not np.array_equal(before[:, i], after[:, i])
    terms = build_cost_terms(shipped, base_values, n)
    assert all("latency" not in t.parts for t in terms.values())


def test_simulated_pwin_carries_latency():
    # Two strategies identical but for latency: the one whose users wait costs more in every sample.
    s = scenario({"x": {"llm": LLM, "latency": LATENCY}, "y": {"llm": LLM}})
    ev = ftrag_mc.evaluate(s)
    assert ev.npc_usd[0, 1, 0, 0] - ev.npc_usd[0, 2, 0, 0] == pytest.approx(6 * 102.4, rel=1e-12)
    result = ftrag_mc.simulate(s, samples=16, seed=1, sampler="mc")
    x, y = result.challengers.index("x"), result.challengers.index("y")
    # Against a baseline that costs nothing, x never wins (it costs more at every volume); y,
    # which costs nothing either, never wins strictly; the sweep's breakeven sees the same.
    assert result.win_counts[x].sum() == 0 and result.loss_counts[x].tolist() == [16]
    assert result.loss_counts[y].tolist() == [0]


@pytest.mark.parametrize("strategy, message", [
    ({"latency": LATENCY}, "strategies.x.latency: latency needs an [llm] section"),
    ({"llm": LLM, "latency": {**LATENCY, "prefill_tokens_per_second": 0}},
     "strategies.x.latency.prefill_tokens_per_second: must be between 0.001 and 1e9 (got 0)"),
    ({"llm": LLM, "latency": {**LATENCY, "overhead_seconds": 1e300}},
     "strategies.x.latency.overhead_seconds: must be between 0 and 100,000"),
    ({"llm": LLM, "latency": {**LATENCY, "decode_tokens_per_sec": 50}}, "did you mean 'decode_tokens_per_second'"),
    ({"llm": LLM, "latency": {k: v for k, v in LATENCY.items() if k != "usd_per_second"}},
     "missing required key 'usd_per_second'"),
])
def test_bad_latency_is_a_one_line_error(strategy, message):
    with pytest.raises(ScenarioError) as caught:
        scenario({"x": strategy})
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_latency_tradeoff_scenario_reproduces_the_articles_gaps():
    # Article: a tuned Haiku at a 600-token prompt beats an untuned Sonnet at a 4,000-token few-shot
    # prompt by 500-900 ms in time to first token and 1-2 s in generation. At the medians, and at
    # the P10 and P90 of every input, the shipped scenario's gaps fall inside those ranges.
    s = load_scenario(ROOT / "scenarios" / "latency-tradeoff.toml")
    for p in (0.1, 0.5, 0.9):
        values = {k: float(d.ppf(np.array(p))) for k, d in s.inputs.items()}
        sonnet = strategy_latency_seconds(s, "sonnet_few_shot", values)
        haiku = strategy_latency_seconds(s, "tuned_haiku", values)
        assert 0.5 <= sonnet[0] - haiku[0] <= 0.9, p
        assert 1.0 <= sonnet[1] - haiku[1] <= 2.0, p
