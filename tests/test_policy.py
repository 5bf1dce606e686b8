"""The trigger search (``ftrag-mc policy``, :mod:`ftrag_mc.analysis.policy`): a known answer worked out
by hand, consistency with the simulator on the same draws, the value of flexibility, determinism."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

import ftrag_mc as fm
from ftrag_mc.analysis.policy import POLICY_COLUMNS, compute_policy, trigger_grid
from ftrag_mc.cli import main
from ftrag_mc.engine.blocks import BLOCK_SAMPLES
from ftrag_mc.report.builders import build_policy_report

H = 36


def _known() -> fm.Scenario:
    """Constant inputs, no volatility, no discounting (the case worked out below)."""
    return fm.parse_scenario({
        "scenario": {"horizon_months": H, "baseline": "rag"},
        "volume": {"queries_per_month": 50_000, "growth_per_month": 0.05},
        "strategies": {
            "rag": {"per_query_usd": 0.01},
            "ft": {"per_query_usd": 0.002, "one_time_usd": 5_000, "fixed_usd_per_month": 1_000, "interim": "rag"},
        },
    })


def test_the_best_trigger_of_a_constant_case_is_the_one_worked_out_by_hand():
    # Volume q_t = 50,000 x 1.05^(t - 1); rag costs a = $0.01 a query; ft b = $0.002 a query plus
    # F = $1,000 a month and C = $5,000 once, no launch delay, no discounting. Deciding at τ (end of
    # month τ) costs, against never switching,
    #     g(τ) = C - sum_{t > τ} [(a - b) q_t - F],
    # so g(τ + 1) - g(τ) = (a - b) q_{τ+1} - F: waiting one more month pays while next month's saving
    # (a - b) q_{τ+1} is below the fee F, i.e. while q_{τ+1} < F / (a - b) = 125,000. q_19 = 120,331
    # < 125,000 <= q_20 = 126,348, so the best decision time is τ* = 19 (ft from month 20).
    #   g(19) = 5,000 - sum_{t=20..36} (0.008 q_t - 1,000) = 5,000 - 9,118.93 = -4,118.93 < 0,
    # so switching at τ* beats never switching by $4,118.93; committing now (τ = 0) costs
    # g(0) = 5,000 - (0.008 x 4,791,816.1 - 36,000) = +$2,665.47 more than never, so never is the
    # better static policy and the value of flexibility is $4,118.93.
    # A volume trigger held 1 month decides at the end of the first month t with q_t > X: τ = 19
    # exactly for q_18 <= X < q_19, i.e. 114,600.9 <= X < 120,331.0; a month trigger: month 20.
    scenario = _known()
    q = 50_000 * 1.05 ** np.arange(H)
    hand = 5_000 - sum(0.008 * q[t - 1] - 1_000 for t in range(20, H + 1))
    assert hand == pytest.approx(-4_118.927524769, abs=1e-6)
    grid = np.geomspace(60_000, 200_000, 200)
    result = compute_policy(scenario, triggers=grid, samples=8, seed=1, workers=1)
    best = result.best_row
    assert best["policy"] == "trigger"
    assert q[17] <= best["volume_above_queries_per_month"] < q[18]
    chosen = result.interval["volume_above_queries_per_month"]
    assert chosen.min() >= q[17] and chosen.max() < q[18]  # ties only: every future is the same
    assert set(grid[(grid >= q[17]) & (grid < q[18])]) == set(chosen)
    assert result.flexibility_usd == pytest.approx(-hand, rel=1e-12)
    assert result.flexibility_se_usd == 0
    assert best["switch_month_p50"] == 19 and best["p_switch"] == 1
    now, never = result.static("commit now"), result.static("never switch")
    assert now["expected_npc_usd"] - never["expected_npc_usd"] == pytest.approx(2_665.4709, abs=1e-3)
    by_month = compute_policy(scenario, trigger="month", samples=8, seed=1, workers=1)
    assert by_month.best_row["month"] == 20
    assert by_month.flexibility_usd == pytest.approx(-hand, rel=1e-12)


def test_a_switch_after_switch_to_platform_closes_is_not_made():
    # ft's platform closes in month 12: deciding at τ >= 12 (month trigger 13 on) adopts nothing.
    table = {
        "scenario": {"horizon_months": H, "baseline": "rag"},
        "volume": {"queries_per_month": 50_000, "growth_per_month": 0.05},
        "strategies": {
            "rag": {"per_query_usd": 0.01},
            "ft": {"per_query_usd": 0.002, "one_time_usd": 5_000, "fixed_usd_per_month": 1_000, "interim": "rag",
                   "end_of_life": {"month": 12, "migration_usd": 2_000, "successor": "rag"}},
        },
    }
    result = compute_policy(fm.parse_scenario(table), trigger="month", samples=4, seed=1, workers=1)
    frame = result.frame
    f = frame[frame["policy"] == "trigger"].set_index("month")  # "commit now" is month 1 too
    never = result.static("never switch")
    assert (f.loc[13:36, "p_switch"] == 0).all()
    assert (f.loc[13:36, "expected_npc_usd"] == never["expected_npc_usd"]).all()
    assert (f.loc[1:12, "p_switch"] == 1).all()
    # Switching at τ = 11 (month 12): ft serves nothing (it closes in month 12) but its build and
    # the migration are paid: $5,000 + $2,000 more than never switching.
    assert f.loc[12, "expected_npc_usd"] - never["expected_npc_usd"] == pytest.approx(7_000, rel=1e-12)


def _staged_scenario(**volume) -> fm.Scenario:
    return fm.load_scenario("scenarios/staged-support.toml",
                            [f"volume.{k}={v}" for k, v in volume.items()])


def test_a_trigger_priced_by_the_search_costs_what_the_simulator_says_on_the_same_draws():
    # The staged strategy of the file (above 150k for 2 months) is also a candidate of the search:
    # the simulator (volume by volume, model/triggered.py) and the search (a gather over decision
    # times, engine/policy.py) price it on the same futures.
    scenario = _staged_scenario()
    n = 3000
    run = fm.simulate(scenario, samples=n, seed=5, workers=1)
    result = compute_policy(scenario, triggers=[150_000.0], samples=n, seed=5, workers=1)
    h = scenario.horizon_months
    means = {s: float(run.npc_moments.mean[run.index(s), run.horizons.index(h)]) for s in run.strategies}
    rows = result.frame.set_index("policy")
    assert rows.loc["trigger", "expected_npc_usd"] == pytest.approx(means["staged"], rel=1e-12)
    assert rows.loc["never switch", "expected_npc_usd"] == pytest.approx(means["prompted"], rel=1e-12)
    # fine_tuned's interim is the prompt: committing now is fine_tuned itself.
    assert rows.loc["commit now", "expected_npc_usd"] == pytest.approx(means["fine_tuned"], rel=1e-12)
    # P(win) against the baseline at the scenario's volume: the run's wins by month at the horizon.
    staged = run.challengers.index("staged")
    assert rows.loc["trigger", "p_win"] == run.wins_by_month[staged, h] / n


def test_the_best_policy_is_never_worse_than_committing_now_or_never_switching():
    scenario = _staged_scenario()
    result = compute_policy(scenario, samples=4000, seed=3, points=12)
    frame = result.frame
    best = frame["expected_npc_usd"].min()
    statics = frame[frame["policy"] != "trigger"]["expected_npc_usd"]
    assert best <= statics.min()  # both are candidates: in-sample, exactly
    assert result.flexibility_usd >= 0
    # Out of sample: the trigger chosen on one set of futures, priced on fresh ones, is not worse
    # than the better static policy there by more than Monte Carlo error.
    if result.best_row["policy"] == "trigger":
        chosen = float(result.best_row["volume_above_queries_per_month"])
        fresh = compute_policy(scenario, triggers=[chosen], samples=4000, seed=99)
        row = fresh.frame.iloc[0]
        static = min(fresh.static("commit now")["expected_npc_usd"], fresh.static("never switch")["expected_npc_usd"])
        worse = row["expected_npc_usd"] - static
        se = max(row["delta_vs_now_se_usd"], row["delta_vs_never_se_usd"])
        assert worse <= 3 * se


def test_month_one_is_committing_now_and_an_unreachable_volume_is_never_switching():
    scenario = _staged_scenario()
    result = compute_policy(scenario, trigger="month", samples=600, seed=2, workers=1)
    f = result.frame
    month_one = f[(f["policy"] == "trigger") & (f["month"] == 1)].iloc[0]
    now = result.static("commit now")
    assert month_one["expected_npc_usd"] == now["expected_npc_usd"]
    assert month_one["p_beats_now"] == 0 and month_one["delta_vs_now_usd"] == 0
    high = compute_policy(scenario, triggers=[1e12], samples=600, seed=2, workers=1).frame.iloc[0]
    never = result.static("never switch")
    assert high["expected_npc_usd"] == never["expected_npc_usd"] and high["p_switch"] == 0
    assert math.isinf(high["switch_month_p50"])


def test_a_trigger_held_longer_than_the_horizon_never_fires():
    """Found by hypothesis: a volume trigger held 2 months in a 1-month horizon has no level to
    meet (every level is 0); the grid is a band around the start volume, not an error."""
    scenario = fm.parse_scenario({
        "scenario": {"horizon_months": 1, "baseline": "s0"},
        "volume": {"queries_per_month": 100.0, "sweep_min": 100.0, "sweep_max": 1000.0, "sweep_points": 3},
        "strategies": {
            "s0": {"llm": {"input_usd_per_mtok": 0, "output_usd_per_mtok": 0}},
            "s1": {"llm": {"input_usd_per_mtok": 0, "output_usd_per_mtok": 0}},
            "st": {"start": "s0", "switch_to": "s1", "trigger": {"volume_above": 100.0, "for_months": 2}},
        },
    })
    grid = trigger_grid(scenario, "volume", 4, for_months=2, samples=50, seed=0)
    assert grid[0] == 50.0 and grid[-1] == 200.0 and np.all(np.diff(grid) > 0)
    result = compute_policy(scenario, start="s0", switch_to="s1", points=4, samples=50, workers=1)
    switched = result.frame[result.frame["policy"] == "trigger"]["p_switch"].to_numpy()
    assert np.all(switched == 0)


def test_same_seed_same_bits_for_any_number_of_workers():
    scenario = _staged_scenario()
    n = BLOCK_SAMPLES + 301
    one = compute_policy(scenario, samples=n, seed=8, points=6, workers=1).frame
    two = compute_policy(scenario, samples=n, seed=8, points=6, workers=2).frame
    pd.testing.assert_frame_equal(one, two, check_exact=True)


def test_the_volume_grid_spans_the_levels_the_paths_reach():
    scenario = _staged_scenario()
    grid = trigger_grid(scenario, "volume", 25, for_months=2, samples=3000, seed=1)
    assert len(grid) == 25 and np.all(np.diff(grid) > 0)
    result = compute_policy(scenario, triggers=grid, samples=3000, seed=1, for_months=2, workers=1)
    switched = result.frame[result.frame["policy"] == "trigger"]["p_switch"].to_numpy()
    assert switched[0] > 0.95 and switched[-1] < 0.05  # from almost always to almost never
    assert np.all(np.diff(switched) <= 0)  # a higher threshold never switches more often
    assert np.array_equal(trigger_grid(scenario, "month"), np.arange(1.0, 37.0))


def test_policy_csv_has_the_documented_columns():
    frame = compute_policy(_known(), triggers=[1e5], samples=4, seed=1, workers=1).frame
    assert list(frame.columns) == list(POLICY_COLUMNS)
    assert list(frame["policy"]) == ["trigger", "commit now", "never switch"]


# --- the command and the library call ---------------------------------------------------------------

def test_policy_command_writes_its_files_and_prints_the_headline(runner, tmp_path):
    out = tmp_path / "out"
    args = ["policy", "scenarios/staged-support.toml", "-n", "2000", "--points", "8", "-o", str(out)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Best policy over 36 months: start on Few-shot prompt (Haiku)")
    assert "Value of flexibility $" in result.output and "95 % CI" in result.output
    folder = out / "staged-support"
    assert sorted(p.name for p in folder.iterdir()) == ["policy.csv", "policy.json", "policy.png"]
    record = json.loads((folder / "policy.json").read_text())
    assert record["start"] == "prompted" and record["switch_to"] == "fine_tuned" and record["for_months"] == 2
    # The library call gives the same table (one call from a notebook).
    scenario = fm.load_scenario("scenarios/staged-support.toml")
    with build_policy_report(scenario, samples=2000, points=8) as report:
        assert report.folder_name == "staged-support" and report.merge
        library = report.items["policy.csv"]
    written = pd.read_csv(folder / "policy.csv")
    assert np.allclose(written["expected_npc_usd"], library["expected_npc_usd"], rtol=1e-9)
    # A second search joins the same folder.
    again = runner.invoke(main, [*args[:-2], "--trigger", "month", "-o", str(out), "-q"])
    assert again.exit_code == 0 and again.output == ""


@pytest.mark.parametrize("extra, message", [
    (["--switch-to", "nope"], "--switch-to: 'nope' is not a strategy"),
    (["--start", "staged"], "--start: 'staged' is a staged strategy"),
    (["--start", "fine_tuned", "--switch-to", "fine_tuned"], "--switch-to: 'fine_tuned' is the start strategy"),
    (["--trigger", "month", "--for-months", "2"], "--for-months goes with a volume trigger"),
])
def test_policy_errors_are_one_line_and_write_nothing(runner, tmp_path, extra, message):
    out = tmp_path / "out"
    result = runner.invoke(main, ["policy", "scenarios/staged-support.toml", "-n", "100", *extra, "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and message in result.output
    assert not out.exists()


def test_without_a_staged_strategy_the_pair_is_the_baseline_and_the_cheapest_challenger(runner, tmp_path):
    result = compute_policy(fm.load_scenario("scenarios/support-classifier.toml"), samples=500, seed=1, points=5)
    assert (result.start, result.switch_to) == ("prompted", "fine_tuned")


def test_the_chart_draws_on_a_callers_figure_or_axes_and_its_title_is_the_finding():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ftrag_mc.report.charts import plot_policy, policy_finding, policy_run_info

    result = compute_policy(_known(), triggers=np.geomspace(60_000, 200_000, 12), samples=8, seed=1, workers=1)
    info = policy_run_info(result)
    plt.close("all")
    title = policy_finding(result.frame, info)
    assert not plt.get_fignums()  # numbers in, the sentence out
    assert title == "Switch to ft above 116k/month: worth $4.1k more than staying on rag"  # grid point 115,707 (in [q_18, q_19))
    fig, axes = plot_policy(result.frame, info)
    shown = fig.get_suptitle().replace("\n", " ").replace("\\$", "$")  # a "$" is escaped for matplotlib
    assert shown == title and len(axes) == 2
    dashboard = plt.figure(figsize=(18, 8), layout="constrained")
    left, right = dashboard.subfigures(1, 2)
    drawn, panels = plot_policy(result.frame, info, fig=left)
    assert drawn is left and all(a.get_figure(root=False) is left for a in panels)
    one = right.subplots()
    drawn, ax = plot_policy(result.frame, info, ax=one)
    assert ax is one and ax.get_title(loc="left").replace("\n", " ").replace("\\$", "$") == title
    dashboard.canvas.draw()
    plt.close("all")


def test_a_short_volume_axis_is_labelled_in_volumes_not_powers_of_ten():
    """A grid within a decade (60k-200k) has one decade tick: its other labels are matplotlib's
    minor ones, said as volumes (80k, not 8 x 10^4); a wide grid keeps its decade labels alone."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ftrag_mc.report.charts import plot_policy, policy_run_info

    def labels(triggers) -> list[str]:
        result = compute_policy(_known(), triggers=triggers, samples=8, seed=1, workers=1)
        fig, axes = plot_policy(result.frame, policy_run_info(result))
        fig.canvas.draw()
        axis = axes[-1].xaxis
        lo, hi = axes[-1].get_xlim()
        shown = [t.get_text() for t in axis.get_majorticklabels() + axis.get_minorticklabels()
                 if t.get_text() and lo <= t.get_position()[0] <= hi]
        plt.close(fig)
        return shown

    short = labels(np.geomspace(60_000, 200_000, 12))
    assert len(short) >= 3 and "100k" in short and all(text.endswith("k") for text in short), short
    assert not any("10^" in text or "mathdefault" in text for text in short)
    assert labels(np.geomspace(5_000, 5_000_000, 12)) == ["10k", "100k", "1M"]
