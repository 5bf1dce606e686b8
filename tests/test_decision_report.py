"""The decision in every command's output: run (its console, decision.csv, the hero chart's first
panel, --rule, --target-se), compare, sensitivity's default pair; and validate's imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import ftrag_mc as fm
from ftrag_mc.cli import main
from ftrag_mc.formats import format_interval, format_number, format_percent
from ftrag_mc.report.analyses import RunAnalyses
from ftrag_mc.report.charts import plot_pwin_vs_volume
from ftrag_mc.report.charts.pwin_volume import pwin_vs_volume_finding
from ftrag_mc.report.dictionary import columns_of

ROOT = Path(__file__).resolve().parents[1]
SUPPORT = str(ROOT / "scenarios" / "support-classifier.toml")


@pytest.fixture(scope="module")
def support():
    result = fm.simulate(fm.load_scenario(SUPPORT), samples=2_000, seed=7, workers=1)
    return RunAnalyses(result)


def test_the_hero_chart_leads_with_the_recommended_against_the_runner_up(support):
    hero = support.hero
    first = hero.iloc[0]
    assert (first.strategy, first.baseline) == ("fine_tuned", "prompted_cached")
    # Every pair against the baseline stays too (the fine-tune's included), each with its own crossing.
    pairs = list(dict.fromkeys(zip(hero.strategy, hero.baseline)))
    assert pairs[0] == ("fine_tuned", "prompted_cached")
    assert set(pairs[1:]) == {("prompted_cached", "prompted"), ("fine_tuned", "prompted")}
    fig, axes = plot_pwin_vs_volume(hero, support.info)
    try:
        texts = [t.get_text() for t in fig.findobj(plt.Text)]
        assert "Main question: Fine-tuned Haiku vs Few-shot prompt, cached" in " ".join(texts).replace("\n", " ")
        assert axes[0].get_ylabel().replace("\n", " ") == "P(Fine-tuned Haiku cheaper than Few-shot prompt, cached)"
    finally:
        plt.close(fig)
    assert pwin_vs_volume_finding(hero, support.info).startswith(
        "Fine-tuned Haiku beats Few-shot prompt, cached in most futures above")


def test_decision_csv_is_documented_column_by_column(support):
    table = support.decision.table
    assert list(table.columns) == list(columns_of("decision.csv"))
    summary = support.summary
    assert set(summary.columns) <= set(columns_of("summary.csv"))
    assert list(summary.columns[-7:]) == ["volume_at_50pct_low", "volume_at_50pct_high", "breakeven_p50_low",
                                          "breakeven_p50_high", "payback_p50_low_months", "payback_p50_high_months",
                                          "cvar95_delta_se_usd"]


def test_top_inputs_are_the_headline_pair(support):
    top = support.top_inputs
    assert set(top.strategy) == {"fine_tuned"} and set(top.baseline) == {"prompted_cached"}


@pytest.mark.slow
def test_run_with_the_cvar_rule_and_a_saving_target(runner, tmp_path):
    out = tmp_path / "out"
    run = runner.invoke(main, ["run", SUPPORT, "-n", "40000", "-s", "3", "--rule", "cvar", "--target-se",
                               "saving=5000", "-o", str(out)])
    assert run.exit_code == 0, run.output
    folder = out / "support-classifier"
    decision = pd.read_csv(folder / "decision.csv")
    assert set(decision["rule"]) == {"cvar"}
    assert list(decision["cvar95_npc_usd"]) == sorted(decision["cvar95_npc_usd"])  # ranked by the rule
    assert "lowest CVaR95 of net present cost" in run.output
    assert "target standard error of the expected saving 5000 reached after 16,384 samples" in run.output
    record = pd.read_json(folder / "run.json", typ="series")
    assert (record["target_se"], record["target_se_of"], record["decision_rule"]) == (5000, "saving", "cvar")


@pytest.mark.parametrize("bad", ["npc=10", "saving=0", "pwin=0.6", "lots"])
def test_a_bad_target_is_a_usage_error(runner, bad):
    run = runner.invoke(main, ["run", SUPPORT, "--target-se", bad])
    assert run.exit_code == 2 and "--target-se" in run.output


def test_compare_says_each_variants_decision(runner, tmp_path):
    run = runner.invoke(main, ["compare", SUPPORT, "--variant", "volume.queries_per_month=40000", "-n", "500",
                               "-s", "7", "-q", "-o", str(tmp_path)])
    assert run.exit_code == 0, run.output
    decisions = pd.read_csv(tmp_path / "compare" / "compare_decision.csv")
    assert list(decisions["recommended"]) == ["fine_tuned", "prompted_cached"]  # at 40k the cached prompt
    assert list(decisions["runner_up"]) == ["prompted_cached", "fine_tuned"]
    assert (decisions["saving_usd"] > 0).all() and (decisions["p_cheapest"] > 0.5).all()
    run = runner.invoke(main, ["compare", SUPPORT, "--variant", "volume.queries_per_month=40000", "-n", "500",
                               "-s", "7", "-o", str(tmp_path)])
    assert "support-classifier [volume.queries_per_month=40000]: recommended Few-shot prompt, cached" in run.output


def test_sensitivity_studies_the_headline_pair(runner, tmp_path):
    run = runner.invoke(main, ["sensitivity", SUPPORT, "-n", "500", "-s", "7", "--no-sobol", "-q", "-o",
                               str(tmp_path)])
    assert run.exit_code == 0, run.output
    tornado = pd.read_csv(tmp_path / "support-classifier" / "tornado.csv")
    assert set(tornado["strategy"]) == {"fine_tuned"} and set(tornado["baseline"]) == {"prompted_cached"}


def test_validate_imports_no_scipy_stats():
    # validate evaluates the model at the medians: exact medians need no PINV table (scipy.stats).
    code = ("import sys; from ftrag_mc.cli import main\n"
            f"try:\n    main(['validate', {SUPPORT!r}])\nexcept SystemExit:\n    pass\n"
            "print('scipy.stats' in sys.modules, 'pandas' in sys.modules, 'matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "False False False"


def test_percentages_never_round_to_certainty():
    assert format_percent(0.99999) == ">99.99 %" and format_percent(1.0) == "100.0 %"
    assert format_percent(0.00001) == "<0.01 %" and format_percent(0.0) == "0.0 %"
    assert format_interval(0.9996, 1.0) == "99.96–100.0 %"
    assert format_number(684_123.4) == "684k" and format_number(0.04372) == "0.0437"


def test_the_cli_rules_are_the_analysis_rules():
    from ftrag_mc import cli
    from ftrag_mc.analysis import decision

    assert cli.RULES == decision.RULES


def test_a_narrow_volume_interval_keeps_the_digits_that_tell_its_ends_apart():
    from ftrag_mc.formats import format_volume_interval

    assert format_volume_interval(67_000, 72_000) == "67k–72k"
    assert format_volume_interval(26_950.3, 27_310.9) == "26,950–27,311"  # not "27k–27k"
    assert format_volume_interval(27_000, 27_000) == "27k"
    assert format_volume_interval(0, float("inf")) == "0–∞"


def test_a_panel_against_the_baseline_is_the_main_question_only_when_it_is_the_decision_s_pair():
    from ftrag_mc.report.style import RunInfo

    info = RunInfo(scenario="s", title="t", strategies=("base", "cached", "tuned"), labels={}, baseline="base",
                   samples=1, seed=0, sampler="mc", version="0", main_challenger="tuned",
                   decision_pair=("tuned", "cached"))
    # the decision is tuned against cached: no panel against the baseline is the main question
    assert not info.is_main_question("tuned") and not info.is_main_question("cached")
    import dataclasses

    against_base = dataclasses.replace(info, decision_pair=("tuned", "base"))
    assert against_base.is_main_question("tuned") and not against_base.is_main_question("cached")
    recommended_base = dataclasses.replace(info, decision_pair=("base", "cached"))
    assert recommended_base.is_main_question("cached")
    no_decision = dataclasses.replace(info, decision_pair=None)
    assert no_decision.is_main_question("tuned") and not no_decision.is_main_question("cached")


def test_the_p_win_charts_first_panel_is_a_csv_of_the_run():
    """The chart's first panel (recommended vs runner-up) comes from the decision's own run; its
    curves and crossings are pwin_decision.csv, which equals P(win) from a run of the scenario with
    the runner-up as its baseline, and whose longest-horizon crossing is decision.csv's."""
    from ftrag_mc.analysis import compute_pwin_vs_volume
    from ftrag_mc.analysis.decision import with_baseline
    from ftrag_mc.report.items import REPORT_ITEMS

    scenario = fm.load_scenario("scenarios/support-classifier.toml")
    result = fm.simulate(scenario, samples=3000, seed=7)
    analyses = RunAnalyses(result)
    table = next(i for i in REPORT_ITEMS if i.name == "pwin_decision.csv").build(analyses)
    decision = analyses.decision.table.set_index("role")
    recommended, runner_up = decision.loc["recommended", "strategy"], decision.loc["runner-up", "strategy"]
    assert runner_up != scenario.baseline  # a pair pwin_vs_volume.csv does not hold
    assert set(table["strategy"]) == {recommended} and set(table["baseline"]) == {runner_up}
    pair = compute_pwin_vs_volume(fm.simulate(with_baseline(scenario, runner_up), samples=3000, seed=7))
    pair = pair[pair["strategy"] == recommended].reset_index(drop=True)
    assert table["p_win"].to_list() == pair["p_win"].to_list()
    longest = table[table["horizon_months"] == table["horizon_months"].max()]
    assert longest["volume_at_50pct"].iloc[0] == decision.loc["runner-up", "volume_at_50pct"]


def test_a_recommended_strategy_that_wins_below_a_volume_has_its_crossings_marked():
    """At 40k queries/month support-classifier recommends the cached few-shot prompt, which beats
    the fine-tune (the runner-up) only below a volume: its P(win) curve falls. pwin_decision.csv
    and the chart's first panel mark where it falls through 50 % at every horizon, the 36-month
    one decision.csv's "cheaper in most futures below" volume, and each lies between the grid
    points around it."""
    from ftrag_mc.analysis.decision_pair import CROSSING_FALLING
    from ftrag_mc.report.items import REPORT_ITEMS

    scenario = fm.load_scenario("scenarios/support-classifier.toml", ["volume.queries_per_month=40000"])
    analyses = RunAnalyses(fm.simulate(scenario, samples=3000, seed=7))
    decision = analyses.decision.table.set_index("role")
    assert decision.loc["runner-up", "wins_side"] == "below"
    table = next(i for i in REPORT_ITEMS if i.name == "pwin_decision.csv").build(analyses)
    for horizon, rows in table.groupby("horizon_months"):
        q, p = rows["queries_per_month"].to_numpy(), rows["p_win"].to_numpy()
        x = rows["volume_at_50pct"].iloc[0]
        assert rows["method"].iloc[0] == CROSSING_FALLING
        assert rows["volume_at_50pct_low"].iloc[0] <= x <= rows["volume_at_50pct_high"].iloc[0]
        below, above = q[q <= x].max(), q[q > x].min()
        assert p[q == below][0] >= 0.5 > p[q == above][0], horizon
    longest = table[table["horizon_months"] == table["horizon_months"].max()]
    assert longest["volume_at_50pct"].iloc[0] == decision.loc["runner-up", "volume_at_50pct"]
    # The chart dots them on its first panel's 50 % line.
    fig = next(i for i in REPORT_ITEMS if i.name == "pwin_vs_volume.png").build(analyses)
    first = fig.axes[0]
    dots = sorted(float(line.get_xdata()[0]) for line in first.lines
                  if len(line.get_xdata()) == 1 and line.get_ydata()[0] == 0.5)
    assert dots == sorted(table.drop_duplicates("horizon_months")["volume_at_50pct"])
    plt.close(fig)
