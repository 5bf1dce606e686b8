"""Staged strategies (MODEL.md §5b): start on one strategy, switch to another when a trigger fires.

Correct by construction: a trigger that fires at once costs exactly what switch_to with
``interim = start`` does, one that never fires exactly what start does (the same draws, the same
bits); in between, every line is worked out by hand below from the semantics in
:mod:`ftrag_mc.model.staged`.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import ftrag_mc as fm
from ftrag_mc.cli import main
from ftrag_mc.model.evaluate import CostModel, input_values
from ftrag_mc.overrides import format_value

H = 24
WEEKS_PER_MONTH = 52 / 12


def _table(trigger: dict, *, discount=0.0, decline=0.0, growth=0.03, sigma=0.0, ft=None, rag=None,
           samples_uncertain=False) -> dict:
    rag_table = {"per_query_usd": 0.01, "one_time_usd": 3_000, "fixed_usd_per_month": 200, **(rag or {})}
    ft_table = {"per_query_usd": 0.002, "one_time_usd": 40_000, "fixed_usd_per_month": 500, "interim": "rag",
                "price_decline_per_year": decline, **(ft or {})}
    if samples_uncertain:
        rag_table["per_query_usd"] = {"dist": "uniform", "min": 0.006, "max": 0.014}
        ft_table["one_time_usd"] = {"dist": "uniform", "min": 10_000, "max": 90_000}
    return {
        "scenario": {"horizon_months": H, "baseline": "rag", "discount_rate_per_year": discount},
        "volume": {"queries_per_month": 100_000, "growth_per_month": growth, "volatility_per_month": sigma,
                   "sweep_min": 1e3, "sweep_max": 1e7, "sweep_points": 11},
        "team": {"engineer_week_usd": 4_000},
        "strategies": {"rag": rag_table, "ft": ft_table,
                       "staged": {"label": "RAG, then FT", "start": "rag", "switch_to": "ft", "trigger": trigger}},
    }


def toml_text(table: dict) -> str:
    """A scenario table as TOML: one [section] per top-level key, values inline."""
    return "".join(f"[{section}]\n" + "".join(f"{key} = {format_value(value)}\n" for key, value in body.items())
                   for section, body in table.items())


def _paths(table: dict, *, samples=3000, seed=4, **kw) -> fm.SimulationResult:
    return fm.simulate(fm.parse_scenario(table), samples=samples, seed=seed, keep_samples=True, **kw)


def _npc(table: dict, **kw) -> np.ndarray:
    """(S, H + 1) cumulative NPC of every strategy at the scenario's volume, constant inputs."""
    ev = fm.evaluate(fm.parse_scenario(table), months=np.arange(H + 1), **kw)
    return ev.npc_usd[0, :, 0, :]


# --- the two ends: exactly switch_to, exactly start --------------------------------------------------

@pytest.mark.parametrize("sigma", [0.0, 0.2])
def test_a_trigger_at_month_one_costs_exactly_what_switch_to_does(sigma):
    # ft's interim is rag: its launch delay is served by rag, as the staged strategy's is.
    table = _table({"month": 1}, sigma=sigma, samples_uncertain=True, discount=0.08, decline=0.3,
                   ft={"launch_weeks": {"dist": "uniform", "min": 2, "max": 9},
                       "training": {"run_usd": 2_000, "retrain_every_months": 3},
                       "quality": {"error_rate": 0.02, "cost_per_error_usd": 0.2, "drift_pp_per_quarter": 2}})
    result = _paths(table, samples=2000)
    ft, staged = result.index("ft"), result.index("staged")
    assert np.array_equal(result.cumulative_usd[:, staged], result.cumulative_usd[:, ft])
    assert np.array_equal(result.win_counts[result.challengers.index("staged")],
                          result.win_counts[result.challengers.index("ft")])
    assert np.array_equal(result.breakeven_volume[:, result.challengers.index("staged")],
                          result.breakeven_volume[:, result.challengers.index("ft")])


@pytest.mark.parametrize("trigger", [{"month": H + 1}, {"volume_above": 1e11}, {"volume_above": 130_000, "for_months": 30}])
def test_a_trigger_that_never_fires_costs_exactly_what_start_does(trigger):
    table = _table(trigger, samples_uncertain=True, sigma=0.1, discount=0.1)
    result = _paths(table, samples=2000)
    assert np.array_equal(result.cumulative_usd[:, result.index("staged")], result.cumulative_usd[:, result.index("rag")])
    staged = result.challengers.index("staged")
    assert result.win_counts[staged].sum() == 0  # never strictly cheaper than itself
    assert np.all(np.isinf(result.breakeven_volume[:, staged]))


def test_samples_that_do_not_switch_cost_exactly_what_start_does():
    # A volume trigger some futures reach and others do not: the others are start, bit for bit.
    table = _table({"volume_above": 170_000, "for_months": 2}, samples_uncertain=True, sigma=0.15,
                   growth={"dist": "uniform", "min": -0.01, "max": 0.05})
    scenario = fm.parse_scenario(table)
    result = fm.simulate(scenario, samples=1500, seed=2, keep_samples=True)
    values, n = input_values(scenario, result.inputs)
    model = CostModel(scenario, values, n, components=False, volume_steps=result.samples.volume_steps.T)
    tau = model.staged["staged"].decision_months(100_000.0)
    never = tau >= H
    assert 0.1 < never.mean() < 0.9
    staged, rag = result.cumulative_usd[:, result.index("staged")], result.cumulative_usd[:, result.index("rag")]
    assert np.array_equal(staged[never], rag[never])
    assert not np.any(np.all(staged[~never] == rag[~never], axis=1))


# --- in between: every line by hand ------------------------------------------------------------------

def test_a_month_trigger_by_hand():
    # rag: $3,000 at t = 0, $200/month, $0.01/query; ft: $40,000 build, $500/month, $0.002/query, a
    # retrain of $1,000 every 3 months and a 1-month launch delay. {month = 9}: τ = 8.
    #   months 1-8: rag alone; month 9: ft launches at τ + 1 = 9, so rag serves all of month 9;
    #   the $40,000 build falls with month 8's costs (τ = 8); ft's $500/month and $0.002/query from
    #   month 10; its retrains 3, 6, ... months after τ: months 11, 14, 17, 20, 23.
    weeks = WEEKS_PER_MONTH  # one month
    table = _table({"month": 9}, ft={"launch_weeks": weeks, "training": {"run_usd": 0, "retrain_every_months": 3,
                                                                          "retrain_run_usd": 1_000}})
    npc = _npc(table)
    q = 100_000 * 1.03 ** np.arange(H)  # month t's volume, t = 1..H
    monthly = np.where(np.arange(1, H + 1) <= 9, 200 + 0.01 * q, 500 + 0.002 * q)
    monthly[7] += 40_000
    monthly[[10, 13, 16, 19, 22]] += 1_000
    want = np.concatenate([[3_000.0], 3_000 + np.cumsum(monthly)])
    assert npc[2] == pytest.approx(want, rel=1e-12)


def test_the_switch_is_discounted_from_tau_and_prices_fall_in_calendar_time():
    # r = 12 %/year, d = 30 %/year; {month = 7}: τ = 6, no launch delay. ft's per-query cost in
    # month t is 0.002 (1 - d)^((t - 1) / 12) (calendar time, not t - τ), the build $40,000 is
    # discounted by (1 + r)^(-6/12), the same factor as month 6's costs.
    table = _table({"month": 7}, discount=0.12, decline=0.3)
    npc = _npc(table)
    t = np.arange(1, H + 1)
    d = 1.12 ** (-t / 12)
    q = 100_000 * 1.03 ** (t - 1)
    monthly = np.where(t <= 6, 200 + 0.01 * q, 500 + 0.002 * 0.7 ** ((t - 1) / 12) * q) * d
    monthly[5] += 40_000 * 1.12 ** (-6 / 12)
    assert npc[2, H] == pytest.approx(3_000 + monthly.sum(), rel=1e-12)


def test_a_volume_trigger_held_for_k_months_by_hand():
    # Volume 100k x 1.03^(t - 1): month 14 is 146.9k (1.03^13 = 1.469), month 15 151.3k (1.03^14 =
    # 1.513) and later months more. for_months = 2: months 15 and 16 both above 150k, decided at the
    # end of month 16: τ = 16; ft (no launch delay) serves from month 17.
    table = _table({"volume_above": 150_000, "for_months": 2})
    scenario = fm.parse_scenario(table)
    values, n = input_values(scenario)
    model = CostModel(scenario, values, n)
    assert model.staged["staged"].decision_months(100_000.0)[0] == 16
    assert model.staged["staged"].decision_months(150_000 / 1.03 ** 3 * 1.0001)[0] == 5  # months 4, 5 above
    npc = _npc(table)
    q = 100_000 * 1.03 ** np.arange(H)
    monthly = np.where(np.arange(1, H + 1) <= 16, 200 + 0.01 * q, 500 + 0.002 * q)
    monthly[15] += 40_000
    assert npc[2, H] == pytest.approx(3_000 + monthly.sum(), rel=1e-12)
    # Above X from the start, so it fires at the end of month 2 (two months held), never at t = 0.
    assert model.staged["staged"].decision_months(200_000.0)[0] == 2
    # A trigger that would fire at the end of the last month does not switch within the horizon.
    last = _table({"volume_above": 100_000 * 1.03 ** (H - 2) * 1.0001, "for_months": 1})
    assert np.array_equal(_npc(last)[2], _npc(last)[0])


def test_switch_to_platform_closing_is_in_calendar_time():
    # ft's platform closes in month 12 (successor rag, $7,000 migration). Switching at τ = 5:
    # ft from month 6 to 11, rag again from month 12 with the migration; switching at τ = 12:
    # the platform has closed, so no switch at all.
    eol = {"month": 12, "migration_usd": 7_000, "successor": "rag"}
    early = _npc(_table({"month": 6}, growth=0.0, ft={"end_of_life": eol}))
    t = np.arange(1, H + 1)
    monthly = np.where((t >= 6) & (t < 12), 500 + 0.002 * 1e5, 200 + 0.01 * 1e5)
    monthly[4] += 40_000
    monthly[11] += 7_000
    assert early[2, H] == pytest.approx(3_000 + monthly.sum(), rel=1e-12)
    late = _npc(_table({"month": 13}, growth=0.0, ft={"end_of_life": eol}))
    assert np.array_equal(late[2], late[0])


def test_evaluate_splits_a_staged_strategy_by_component():
    table = _table({"volume_above": 120_000, "for_months": 1}, ft={"training": {"run_usd": 5_000}})
    ev = fm.evaluate(fm.parse_scenario(table), volumes=[5e4, 1e5, 4e5], months=[6, H], components=True)
    total = sum(ev.components.values())
    assert total == pytest.approx(ev.npc_usd, rel=1e-12)
    staged = ev.strategies.index("staged")
    assert np.all(ev.components["start"][0, staged] > 0)
    assert ev.components["switch"][0, staged, 0, 1] == 0  # 50k never reaches 120k in 24 months...
    assert ev.components["switch"][0, staged, 2, 1] == 45_000  # ...400k switches at once: 40,000 + 5,000


# --- in every command ----------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_staged_strategy_is_a_strategy_in_run_explain_and_sensitivity(runner, tmp_path):
    path = tmp_path / "staged.toml"
    path.write_text(toml_text(_table({"volume_above": 150_000, "for_months": 2}, samples_uncertain=True, sigma=0.1)))
    out = tmp_path / "out"
    for argv in (["run", str(path), "-n", "3000", "-q"], ["explain", str(path), "-q"],
                 ["sensitivity", str(path), "-n", "800", "--sobol-samples", "64", "-q"]):
        result = runner.invoke(main, [*argv, "-o", str(out)])
        assert result.exit_code == 0, result.output
    folder = out / "staged"
    summary = (folder / "summary.csv").read_text()
    assert "RAG, then FT" in summary
    assert "staged" in (folder / "breakdown.csv").read_text() and "start strategy" in (folder / "breakdown.csv").read_text()
    assert "before the switch (start: rag)" in (folder / "explain_items.csv").read_text()


# --- what a wrong definition gets ---------------------------------------------------------------------

BAD = [
    ({"switch_to": "nope"}, "strategies.staged.switch_to: switch_to 'nope' must be another strategy"),
    ({"start": "staged"}, "strategies.staged.start: start 'staged' must be another strategy"),
    ({"switch_to": "rag"}, "strategies.staged.switch_to: switch_to 'rag' is the start strategy"),
    ({"trigger": {"volume_above": -1}}, "strategies.staged.trigger.volume_above: must be between 0 and 1e12"),
    ({"trigger": {"month": 0}}, "strategies.staged.trigger.month: must be between 1 and 10,000"),
    ({"trigger": {"month": 3, "volume_above": 5}}, "strategies.staged.trigger: give exactly one of volume_above"),
    ({"trigger": {}}, "strategies.staged.trigger: give exactly one of volume_above"),
    ({"trigger": {"month": 3, "for_months": 2}}, "strategies.staged.trigger.for_months: for_months goes with volume_above"),
    ({"trigger": {"volume_abve": 5}}, "strategies.staged.trigger.volume_abve: unknown key 'volume_abve'; did you mean 'volume_above'?"),
    ({"trigger": None}, "strategies.staged: a staged strategy needs start, switch_to and trigger; trigger is missing"),
    ({"launch_weeks": 2}, "strategies.staged.launch_weeks: a staged strategy's costs are its start's and its switch_to's"),
    ({"llm": {"input_usd_per_mtok": 1, "output_usd_per_mtok": 1}}, "strategies.staged.llm: a staged strategy's costs"),
]


@pytest.mark.parametrize("change, message", BAD)
def test_a_wrong_definition_is_one_line_naming_the_key(change, message, runner, tmp_path):
    table = _table({"volume_above": 150_000})
    staged = table["strategies"]["staged"]
    for key, value in change.items():
        if value is None:
            del staged[key]
        else:
            staged[key] = value
    path = tmp_path / "bad.toml"
    path.write_text(toml_text(table))
    result = runner.invoke(main, ["run", str(path), "-n", "100", "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and message in result.output, result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_stages_do_not_nest_and_no_interim_or_successor_is_staged():
    table = _table({"month": 3})
    table["strategies"]["again"] = {"start": "staged", "switch_to": "ft", "trigger": {"month": 2}}
    with pytest.raises(fm.ScenarioError, match="strategies.again.start: start 'staged' is a staged strategy itself"):
        fm.parse_scenario(table)
    table = _table({"month": 3})
    table["strategies"]["ft"]["interim"] = "staged"
    with pytest.raises(fm.ScenarioError, match="strategies.ft.interim: 'staged' is a staged strategy"):
        fm.parse_scenario(table)


def test_trigger_values_may_be_distributions_and_set_overrides(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(toml_text(_table({"volume_above": {"dist": "uniform", "min": 1.2e5, "max": 1.8e5}})))
    scenario = fm.load_scenario(path)
    assert "strategies.staged.trigger.volume_above" in scenario.uncertain_inputs
    moved = fm.load_scenario(path, ["strategies.staged.trigger.volume_above=1e11"])
    result = fm.simulate(moved, samples=200, seed=1, keep_samples=True)
    assert np.array_equal(result.cumulative_usd[:, 2], result.cumulative_usd[:, 0])
    month = fm.load_scenario(path, ['strategies.staged.trigger={month = 1}'])
    result = fm.simulate(month, samples=200, seed=1, keep_samples=True)
    assert np.array_equal(result.cumulative_usd[:, 2], result.cumulative_usd[:, 1])
    assert math.isfinite(result.cumulative_usd.sum())
