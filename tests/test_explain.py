"""`explain`: the deterministic breakdown, against hand arithmetic and against the simulator itself.

The support-classifier case is pinned with every input set to a constant by `--set`, so each line
item below is plain arithmetic from the scenario's figures (Haiku $1 / $5 per million tokens,
MODEL.md §7), written out beside its assertion.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ftrag_mc
from ftrag_mc.analysis.explain import (
    BREAKEVEN_COLUMNS, ITEM_COLUMNS, MONTH_COLUMNS, TIMELINE_COLUMNS, compute_explain, explain_values,
)
from ftrag_mc.cli import main
from ftrag_mc.distributions import fixed
from ftrag_mc.model.evaluate import CostModel
from ftrag_mc.report.explain_text import add_breakeven_words, describe_explain, explain_notes
from ftrag_mc.scenario import load_scenario, parse_scenario_with_overrides, read_scenario_table

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))
SUPPORT = ROOT / "scenarios" / "support-classifier.toml"
REL = 1e-9

# Every uncertain input of support-classifier at a round constant.
CONSTANT_SUPPORT = [
    "volume.growth_per_month=0", "team.engineer_week_usd=4400", "inputs.misroute_usd=1.5",
    "inputs.few_shot_error_rate=0.08", "inputs.tuned_error_rate=0.05", "inputs.prompt_launch_weeks=0",
    "inputs.few_shot_prompt_tokens=1600", "inputs.prompt_setup_weeks=1", "inputs.prompt_maintenance_weeks=0.1",
    "strategies.prompted_cached.cache.hit_rate=0.95",
    "strategies.fine_tuned.launch_weeks=4.333333333333333",  # 52/12 weeks: exactly one month
    "strategies.fine_tuned.llm.input_premium=0.3", "strategies.fine_tuned.llm.output_premium=0.3",
    "strategies.fine_tuned.labour.maintenance_weeks_per_month=0.1",
    "strategies.fine_tuned.quality.drift_pp_per_quarter=0", "strategies.fine_tuned.training.run_usd=2200",
    "strategies.fine_tuned.training.curation_hours=80", "strategies.fine_tuned.training.engineer_weeks=2",
    "strategies.fine_tuned.training.eval_usd=300", "strategies.fine_tuned.training.retrain_every_months=3",
    "strategies.fine_tuned.training.retrain_curation_share=0.2",
]


@pytest.fixture(scope="module")
def support():
    table, _ = read_scenario_table(SUPPORT)
    del table["correlation"]  # both correlated inputs become constants
    s = parse_scenario_with_overrides(table, CONSTANT_SUPPORT, name="support-classifier")
    assert not s.uncertain_inputs
    return s, compute_explain(s)


def item(ex, strategy: str, component: str, kind: str) -> pd.Series:
    rows = ex.items[(ex.items.strategy == strategy) & (ex.items.component == component) & (ex.items.kind == kind)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


# --- line items against hand arithmetic -------------------------------------------------------------


def test_support_classifier_per_query_lines_by_hand(support):
    _, ex = support
    # Few-shot: (1,600 + 150) input tokens x $1/M + 10 output x $5/M = $0.00175 + $0.00005 = $0.0018
    # per call, the article's figure.
    llm = item(ex, "prompted", "llm", "per query")
    assert llm.amount_usd == pytest.approx(0.0018, rel=REL)
    assert llm.months == "months 1-36" and not llm.varies
    # Tuned: 210 x $1/M x 1.3 + 10 x $5/M x 1.3 = $0.000273 + $0.000065 = $0.000338.
    assert item(ex, "fine_tuned", "llm", "per query").amount_usd == pytest.approx(0.000338, rel=REL)
    # Cached: the 150 user tokens uncached ($0.00015) + 10 x $5/M = $0.0002; the 1,600-token prefix
    # at $1/M x (0.95 x 0.1 + 0.05 x 1.25) = $0.0016 x 0.1575 = $0.000252.
    assert item(ex, "prompted_cached", "llm", "per query").amount_usd == pytest.approx(0.0002, rel=REL)
    assert item(ex, "prompted_cached", "cache", "per query").amount_usd == pytest.approx(0.000252, rel=REL)
    # Errors: 8 % x $1.50 = $0.12 per query; tuned 5 % x $1.50 = $0.075.
    assert item(ex, "prompted", "quality", "per query").amount_usd == pytest.approx(0.12, rel=REL)
    assert item(ex, "fine_tuned", "quality", "per query").amount_usd == pytest.approx(0.075, rel=REL)


def test_support_classifier_one_time_monthly_and_event_lines_by_hand(support):
    _, ex = support
    # Setup 1 week x $4,400; maintenance 0.1 week x $4,400 = $440 a month.
    assert item(ex, "prompted", "labour", "one-time").amount_usd == pytest.approx(4400, rel=REL)
    assert item(ex, "prompted", "labour", "per month").amount_usd == pytest.approx(440, rel=REL)
    # Build: 80 h x $4,400 / 40 h = $8,800 curation + 2 weeks x $4,400 + $2,200 run + $300 eval = $20,100.
    build = item(ex, "fine_tuned", "training", "one-time")
    assert build.amount_usd == pytest.approx(20_100, rel=REL) and build.months == "t = 0"
    # Each retrain: $2,200 + $300 + 20 % of $8,800 = $4,260, in months 3, 6, ..., 36 (12 times).
    retrain = item(ex, "fine_tuned", "training", "per event")
    assert retrain.amount_usd == pytest.approx(4260, rel=REL)
    assert retrain.months == "months 3, 6, 9, ..., 36 (12 times)"
    assert retrain.npc_usd == pytest.approx(12 * 4260, rel=REL)
    # The inputs behind them, in words a spreadsheet can copy.
    assert build.detail == "curation 80 h x $110.00/h + 2 engineer-weeks x $4,400 + run $2,200 + evaluation $300"
    assert retrain.detail == ("run $2,200 + evaluation $300 + 0.2 x (curation 80 h x $110.00/h), every 3 months "
                              "from t = 0 once launched")
    assert item(ex, "prompted", "llm", "per query").detail == "1,750 input tokens x $1/M + 10 output tokens x $5/M"


def test_support_classifier_interim_month_by_hand(support):
    s, ex = support
    # The tune launches after exactly one month: month 1 is served by the few-shot prompt at its
    # $0.0018 + $0.12 per query and its $440 maintenance, on the interim lines; the tune's own lines
    # start in month 2.
    per_query = item(ex, "fine_tuned", "interim", "per query")
    assert per_query["item"] == "before launch (interim: Few-shot prompt (Haiku))"
    assert per_query.amount_usd == pytest.approx(0.1218, rel=REL) and per_query.months == "month 1"
    assert item(ex, "fine_tuned", "interim", "per month").amount_usd == pytest.approx(440, rel=REL)
    assert item(ex, "fine_tuned", "llm", "per query").months == "months 2-36"
    timeline = ex.timeline.set_index("strategy").loc["fine_tuned"]
    assert timeline.launch_weeks == pytest.approx(52 / 12) and timeline.launch_month == 1
    assert timeline.interim == "prompted"
    assert any("launches after 4.33 weeks" in note for note in explain_notes(ex, s)["fine_tuned"])


def test_support_classifier_months_and_npc_by_hand(support):
    _, ex = support
    m = ex.months.set_index(["strategy", "month"])
    # Few-shot NPC: $4,400 + 36 x $440 + 36 x 250,000 x $0.1218 = $4,400 + $15,840 + $1,096,200.
    assert m.loc[("prompted", 36), "cumulative_usd"] == pytest.approx(1_116_440, rel=REL)
    assert m.loc[("prompted", 0), "month_usd"] == pytest.approx(4400, rel=REL)
    assert m.loc[("prompted", 7), "month_usd"] == pytest.approx(440 + 250_000 * 0.1218, rel=REL)
    assert m.loc[("prompted", 7), "llm_usd"] == pytest.approx(250_000 * 0.0018, rel=REL)
    # Tuned, month 3: $440 + 250,000 x ($0.000338 + $0.075) + a $4,260 retrain = $23,534.50.
    assert m.loc[("fine_tuned", 3), "month_usd"] == pytest.approx(23_534.5, rel=REL)
    assert list(ex.months.columns[:len(MONTH_COLUMNS)]) == list(MONTH_COLUMNS)
    assert list(ex.items.columns) == list(ITEM_COLUMNS)


def test_support_classifier_breakeven_arithmetic_by_hand(support):
    _, ex = support
    assert list(ex.breakeven.columns) == list(BREAKEVEN_COLUMNS)  # numbers only: the words are the report's
    row = add_breakeven_words(ex.breakeven).set_index("challenger").loc["fine_tuned"]
    # Up front $20,100 - $4,400 = $15,700 more. Month 1 is the same for both (the interim); from
    # month 2 the tune saves 250,000 x ($0.1218 - $0.075338) = $11,615.50 a month and pays $4,260
    # every third month: cumulative ΔNPC $15,700 (month 1), $4,084.50 (month 2), -$3,271 (month 3),
    # so it pays back at 2 + 4,084.5 / 7,355.5 = 2.555 months, in month 3.
    assert row.up_front_delta_usd == pytest.approx(15_700, rel=REL)
    assert row.payback_months == pytest.approx(2 + 4084.5 / 7355.5, rel=1e-6)
    # Per query on average over 36 months: 35/36 x $0.046462; per month: 12 x $4,260 / 36 = $1,420.
    assert row.per_query_delta_usd == pytest.approx(-35 / 36 * 0.046462, rel=1e-6)
    assert row.per_month_delta_usd == pytest.approx(1420, rel=1e-6)
    # Breakeven start volume over 36 months: ($15,700 + 12 x $4,260) / (35 x $0.046462) = 41,090.
    assert row.breakeven_queries_per_month == pytest.approx(66_820 / (35 * 0.046462), rel=1e-6)
    assert row.breakeven_direction == "above"
    # The calls served by then: 2.555 months at a flat 250,000 a month = 638,825.
    assert row.payback_queries == pytest.approx(250_000 * (2 + 4084.5 / 7355.5), rel=1e-6)
    assert row.sentence == ("Fine-tuned Haiku costs $15,700 more up front, $0.0452 less per query and $1,420 more per "
                            "month than Few-shot prompt (Haiku): at 250k queries/month it pays back in month 3 (after "
                            "2.6 months, 639k calls); breakeven volume 41,090 queries/month over 36 months (cheaper "
                            "above it).")
    # The identity adds up: up front + per query x discounted queries + per month x months = ΔNPC.
    total = row.up_front_delta_usd + row.per_query_delta_usd * row.discounted_queries \
        + row.per_month_delta_usd * row.discounted_months
    assert total == pytest.approx(row.delta_npc_usd, rel=1e-9)
    # And the words show each product, so a reader's sum of the printed terms is ΔNPC: the tune
    # saves 35 months x 250,000 x $0.046462 = $406,542.50 of queries and pays 36 x $1,420 = $51,120.
    # ΔNPC = $15,700 - $406,542.50 + $51,120 = -$339,722.50 (each amount rounded to the dollar).
    assert "- $0.0452 x 9,000,000 ($406,542) + $1,420 x 36 ($51,120) = -$339,723." in row.arithmetic, row.arithmetic


def test_lines_of_a_strategy_sum_to_its_npc_in_every_shipped_scenario():
    for path in SHIPPED:
        s = load_scenario(path)
        ex = compute_explain(s)
        h = s.horizon_months
        totals = ex.months[ex.months.month == h].set_index("strategy").cumulative_usd
        sums = ex.items.groupby("strategy").npc_usd.sum()
        for strategy in s.strategies:
            assert sums[strategy] == pytest.approx(totals[strategy], rel=1e-12), (path.name, strategy)


def test_latency_shows_as_its_own_line():
    s = load_scenario(ROOT / "scenarios" / "latency-tradeoff.toml")
    ex = compute_explain(s)
    lines = ex.items[ex.items.component == "latency"]
    assert set(lines.strategy) == {"sonnet_few_shot", "tuned_haiku"}
    assert (lines.kind == "per query").all()
    assert lines.detail.str.startswith("time to first token").all()


def test_end_of_life_lines_and_note():
    # legal-docs: the fine-tune's platform closes (a 25 % chance a year at the median: month
    # ceil(ln 2 / (-ln 0.75 / 12)) = 29); the successor's lines and the migration start there.
    s = load_scenario(ROOT / "scenarios" / "legal-docs.toml")
    ex = compute_explain(s)
    month = math.ceil(math.log(2) / (-math.log1p(-0.25) / 12))
    assert month == 29
    assert item(ex, "fine_tune", "migration", "per event").months == f"month {month}"
    successor = ex.items[(ex.items.strategy == "fine_tune") & (ex.items.component == "successor")]
    assert successor.item.str.startswith("after the platform closes (successor:").all()
    eol = ex.timeline.set_index("strategy").loc["fine_tune"]
    assert eol.end_of_life_month == month and eol.end_of_life_probability_per_year == pytest.approx(0.25)
    assert list(ex.timeline.columns) == list(TIMELINE_COLUMNS)
    assert any(f"closes in month {month}" in note for note in explain_notes(ex, s)["fine_tune"])


def test_percentile_moves_every_input_to_its_own_quantile():
    s = load_scenario(SUPPORT)
    values = explain_values(s, 90)
    run = s.inputs["strategies.fine_tuned.training.run_usd"]
    assert values["strategies.fine_tuned.training.run_usd"] == pytest.approx(float(run.ppf(np.array(0.9))))
    assert explain_values(s, 50) == {k: d.median for k, d in s.inputs.items()}
    with pytest.raises(ValueError, match="between 0 and 100"):
        explain_values(s, 100)
    with pytest.raises(ValueError, match="finite"):
        compute_explain(s, volume=math.inf)


# --- the property: explain is the simulator -------------------------------------------------------


def constant(s: ftrag_mc.Scenario, values: dict[str, float]) -> ftrag_mc.Scenario:
    """The scenario with every input a constant at ``values``: every sample is that one future."""
    return dataclasses.replace(s, inputs={k: fixed(v) for k, v in values.items()}, correlation=None)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_explain_at_the_medians_equals_evaluate_and_simulate(path):
    s = load_scenario(path)
    ex = compute_explain(s)
    h = s.horizon_months
    months = ex.months.pivot(index="month", columns="strategy", values="cumulative_usd")
    ev = ftrag_mc.evaluate(s, months=range(h + 1))  # uncertain inputs at their medians
    if s.volume.noisy:  # explain takes each month's noise at its median (W = 0); a run draws it
        for i, strategy in enumerate(s.strategies):
            assert np.array_equal(months[strategy].to_numpy(), ev.npc_usd[0, i, 0]), strategy
        return
    sim = ftrag_mc.simulate(constant(s, ex.values), samples=4, seed=1, sampler="mc", workers=1, keep_samples=True)
    model = CostModel(s, ex.values, 1)
    for i, strategy in enumerate(s.strategies):
        assert np.array_equal(months[strategy].to_numpy(), ev.npc_usd[0, i, 0]), strategy
        if model.is_affine:
            assert np.array_equal(months[strategy].to_numpy(), sim.cumulative_usd[0, i]), strategy
        else:
            # GPU replicas or a volume ceiling: the simulator's cost paths sum month by month while
            # evaluate() sums the affine part in closed form; the two agree to rounding.
            np.testing.assert_allclose(months[strategy].to_numpy(), sim.cumulative_usd[0, i], rtol=1e-13, atol=0)


@settings(max_examples=15, deadline=None)
@given(path=st.sampled_from(SHIPPED), percentile=st.floats(1, 99), volume=st.floats(1e3, 1e7))
def test_explain_at_any_percentile_equals_the_simulators_npc(path, percentile, volume):
    s = load_scenario(path)
    ex = compute_explain(s, percentile=percentile, volume=volume)
    h = s.horizon_months
    months = ex.months.pivot(index="month", columns="strategy", values="cumulative_usd")
    if s.volume.noisy:  # each month's noise at its median (W = 0), as evaluate() takes it; a run draws it
        npc = ftrag_mc.evaluate(s, ex.values, volumes=[volume]).npc_usd[0, :, 0, 0]
    else:
        fixed_scenario = dataclasses.replace(constant(s, ex.values),
                                             volume=dataclasses.replace(s.volume, queries_per_month=volume))
        npc = ftrag_mc.simulate(fixed_scenario, samples=2, seed=1, sampler="mc", workers=1,
                                keep_samples=True).cumulative_usd[0, :, h]
    for i, strategy in enumerate(s.strategies):
        np.testing.assert_allclose(months[strategy].to_numpy()[h], npc[i], rtol=1e-12, atol=0)


# --- the command ---------------------------------------------------------------------------------------


def test_cli_prints_the_tables_and_writes_the_csvs(runner, tmp_path):
    result = runner.invoke(main, ["explain", str(SUPPORT), "--out", str(tmp_path)], prog_name="ftrag-mc")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "every uncertain input at its median" in out
    assert "Few-shot prompt (Haiku) (baseline): NPC $" in out
    assert "before launch (interim: Few-shot prompt (Haiku))" in out
    assert "Cumulative NPC by month at 250k queries/month" in out
    assert "Breakeven arithmetic" in out and "Fine-tuned Haiku costs $" in out
    folder = tmp_path / "support-classifier"
    assert sorted(p.name for p in folder.iterdir()) == [
        "explain.json", "explain_breakeven.csv", "explain_items.csv", "explain_months.csv"]
    items = pd.read_csv(folder / "explain_items.csv")
    assert list(items.columns) == list(ITEM_COLUMNS)
    months = pd.read_csv(folder / "explain_months.csv")
    assert len(months) == 3 * 37
    record = json.loads((folder / "explain.json").read_text())
    assert record["percentile"] == 50 and record["command"].startswith("ftrag-mc explain")


def test_cli_percentile_volume_and_set(runner, tmp_path):
    args = ["explain", str(ROOT / "scenarios" / "latency-tradeoff.toml"), "--out", str(tmp_path), "--percentile", "90",
            "--volume", "50000", "--set", "inputs.output_tokens=300"]
    result = runner.invoke(main, args, prog_name="ftrag-mc")
    assert result.exit_code == 0, result.output
    assert "own P90 (not the P90 of the total)" in result.output
    assert "50k queries/month at the start" in result.output
    assert "latency: users' wait" in result.output
    months = pd.read_csv(tmp_path / "latency-tradeoff" / "explain_months.csv")
    assert months[months.month == 1].queries.tolist() == [50_000, 50_000]


def test_cli_keeps_a_runs_files_beside_it(runner, tmp_path):
    folder = tmp_path / "support-classifier"
    folder.mkdir()
    (folder / "run.json").write_text("{}")
    (folder / "summary.csv").write_text("kept\n")
    result = runner.invoke(main, ["explain", str(SUPPORT), "--out", str(tmp_path), "-q"], prog_name="ftrag-mc")
    assert result.exit_code == 0 and result.output == ""
    assert (folder / "summary.csv").read_text() == "kept\n" and (folder / "explain_items.csv").exists()


@pytest.mark.parametrize("args, message", [
    (["--volume", "0"], "Invalid value for '--volume'"),
    (["--volume", "nan"], "the volume must be a finite number"),
    (["--volume", "1e308"], "Invalid value for '--volume'"),  # beyond the volume limit (ftrag_mc.limits)
    (["--percentile", "0"], "Invalid value for '--percentile'"),
    (["--set", "strategies.fine_tuned.latency.usd_per_secnd=1"], "unknown key"),
])
def test_cli_bad_input_is_one_line_exit_2_and_writes_nothing(runner, tmp_path, args, message):
    result = runner.invoke(main, ["explain", str(SUPPORT), "--out", str(tmp_path), *args], prog_name="ftrag-mc")
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not any(tmp_path.iterdir())


def test_costs_that_overflow_are_refused_in_words():
    # The command line refuses such a volume before this (its limit); the library says why.
    with pytest.raises(ValueError, match=r"the costs overflow at 1e\+308 queries/month over 36 months \(not finite\)"):
        compute_explain(load_scenario(SUPPORT), volume=1e308)


def test_cli_unwritable_out_is_a_user_error(runner, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(main, ["explain", str(SUPPORT), "--out", str(blocker / "sub")], prog_name="ftrag-mc")
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1


def test_describe_explain_shows_some_months_for_long_horizons():
    s = load_scenario(SUPPORT, ["scenario.horizon_months=120"])
    lines = describe_explain(compute_explain(s), s)
    assert any("some months; explain_months.csv has all" in line for line in lines)


def test_the_articles_worked_case_pays_back_after_3_33m_calls():
    # MODEL.md §6: a $5,000 fine-tune, $0.0015 a call below uncached RAG: 3.33M calls, 33.3 months
    # at 100k calls a month (scenarios/article-breakeven.toml holds exactly the article's figures).
    scenario = load_scenario(ROOT / "scenarios" / "article-breakeven.toml")
    row = add_breakeven_words(compute_explain(scenario).breakeven).iloc[0]
    assert row.payback_months == pytest.approx(5_000 / 0.0015 / 100_000, rel=1e-9)
    assert row.payback_queries == pytest.approx(5_000 / 0.0015, rel=1e-9)
    assert "it pays back in month 34 (after 33.3 months, 3.33M calls)" in row.sentence


def test_a_changing_line_is_read_from_full_months_not_a_pro_rata_launch_month():
    # A launch after 2 weeks pays month 1 pro rata; token prices fall 30 % a year, so the line
    # changes month by month: its amount is the average of months 2..12, between month 2's and
    # month 12's values, and month 1 is named as pro rata.
    table = {"scenario": {"horizon_months": 12, "baseline": "a"}, "volume": {"queries_per_month": 1000},
             "strategies": {"a": {"per_query_usd": 0.01},
                            "b": {"per_query_usd": 0.01, "launch_weeks": 2, "price_decline_per_year": 0.3}}}
    ex = compute_explain(ftrag_mc.parse_scenario(table, name="decline"))
    line = ex.items[(ex.items.strategy == "b") & (ex.items.kind == "per query")].iloc[0]
    months = ex.months[(ex.months.strategy == "b") & (ex.months.month >= 1)].month_usd.to_numpy() / 1000
    assert line.amount_usd == pytest.approx(months[1:].mean(), rel=1e-9)
    assert months[-1] < line.amount_usd < months[1]
    assert line.months.startswith("month 1 (pro rata): $")
    assert "in month 2 to" in line.months and "(average over full months $" in line.months
