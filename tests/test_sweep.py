"""Sweeps: a grid of what-ifs simulated with common random numbers, and their charts.

The known answer: a challenger paying a one-time cost U ~ uniform(0, M) against a baseline paying
$0.001 a query. Over 12 months at q queries/month the baseline costs 0.012 q, so
P(challenger cheaper) = P(U < 0.012 q) = min(1, 0.012 q / M) and mean ΔNPC = M/2 - 0.012 q.
"""

from __future__ import annotations

from pathlib import Path

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import ftrag_mc as fm  # noqa: E402
from ftrag_mc.analysis import sweep as sweep_module  # noqa: E402
from ftrag_mc.analysis.sweep import (  # noqa: E402
    attach_sweep_crossings, compute_sweep, compute_sweep_crossings, parse_sweep_values, sweep_scale,
)
from ftrag_mc.errors import ScenarioError  # noqa: E402
from ftrag_mc.report.style import RunInfo, format_volume  # noqa: E402
from ftrag_mc.report.charts import plot_sweep_1d, plot_sweep_2d, sweep_run_info  # noqa: E402
from ftrag_mc.scenario import load_scenario, parse_scenario  # noqa: E402

VOLUME = "volume.queries_per_month"
ONE_TIME_MAX = "strategies.tuned.one_time_usd.max"
COLUMNS_1D = ["x_key", "x_unit", "x_value", "strategy", "label", "horizon_months", "queries_per_month", "p_win",
              "p_win_low", "p_win_high", "wins", "mean_delta_usd", "mean_delta_se_usd", "samples", "x_scenario",
              "x_scenario_value"]


def known_table(*, sampler: str = "mc", price=1, horizon: int = 12) -> dict:
    """Baseline "api": 1,000 output tokens a query at `price` USD per million; "tuned": U ~ uniform(0, 12,000)."""
    return {
        "scenario": {"horizon_months": horizon, "baseline": "api", "title": "Known answer: $0.001/query vs $0-$12k"},
        "volume": {"queries_per_month": 250_000, "sweep_points": 2},
        "simulation": {"samples": 4000, "seed": 5, "sampler": sampler},
        "strategies": {
            "api": {"label": "API ($0.001/query)",
                    "llm": {"output_tokens": 1000, "input_usd_per_mtok": 0, "output_usd_per_mtok": price}},
            "tuned": {"label": "Tuned", "one_time_usd": {"dist": "uniform", "min": 0, "max": 12_000}},
        },
    }


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- known answers --------------------------------------------------------------------------------


def test_pwin_and_mean_follow_the_closed_form():
    volumes = [100_000, 250_000, 500_000, 800_000]
    frame = compute_sweep(known_table(), (VOLUME, volumes), samples=4000, seed=11)
    assert list(frame.columns) == COLUMNS_1D
    assert frame["x_value"].tolist() == volumes and frame["queries_per_month"].tolist() == volumes
    for row in frame.itertuples():
        p = min(1.0, 0.012 * row.x_value / 12_000)
        assert abs(row.p_win - p) < 4 * math.sqrt(p * (1 - p) / 4000), row
        assert row.p_win_low <= row.p_win <= row.p_win_high
        assert abs(row.mean_delta_usd - (6000 - 0.012 * row.x_value)) < 4 * row.mean_delta_se_usd, row
    assert set(frame["horizon_months"]) == {12} and set(frame["samples"]) == {4000}
    assert frame["x_scenario_value"].iloc[0] == 250_000 and frame["x_unit"].iloc[0] == "queries/month"


def test_lhs_is_exact_to_one_sample():
    """One uncertain input under Latin hypercube: wins are n·p to within one sample."""
    volumes = [100_000, 250_000, 500_000, 800_000]
    frame = compute_sweep(known_table(sampler="lhs"), (VOLUME, volumes), samples=4000, seed=11)
    assert frame.attrs["sampler"] == "lhs"
    for row in frame.itertuples():
        assert abs(row.wins - 4000 * 0.012 * row.x_value / 12_000) <= 1


@pytest.mark.parametrize("sampler", ["mc", "lhs"])
def test_common_random_numbers_make_a_volume_sweep_monotone(sampler):
    """Each sample keeps its draws at every point, so a sample that wins at one volume wins at every
    higher one: wins never fall along the sweep, exactly, not just on average."""
    table = known_table(price={"dist": "uniform", "min": 0.5, "max": 1.5})
    table["strategies"]["tuned"]["fixed_usd_per_month"] = {"dist": "lognormal", "low": 50, "high": 400}
    frame = compute_sweep(table, f"{VOLUME}=2e4:2e6:12:log", samples=3000, seed=3, sampler=sampler)
    wins = frame.sort_values("x_value")["wins"].to_numpy()
    assert np.all(np.diff(wins) >= 0), wins
    assert wins[0] < wins[-1] and len(set(wins)) > 6, "the sweep moves"


def test_sweeping_a_distribution_parameter_keeps_its_draws():
    """U = u·M with the same u at every M: wins never rise as M grows, and follow min(1, 0.012 q / M)."""
    frame = compute_sweep(known_table(sampler="lhs"), (ONE_TIME_MAX, [4000, 6000, 9000, 12_000, 24_000]),
                          samples=2000, seed=8)
    wins = frame["wins"].to_numpy()
    assert np.all(np.diff(wins) <= 0)
    for row in frame.itertuples():
        assert abs(row.wins - 2000 * min(1.0, 3000 / row.x_value)) <= 1
    assert frame["x_unit"].iloc[0] == "USD"
    assert frame["x_scenario"].iloc[0] == "12000" and frame["x_scenario_value"].iloc[0] == 12_000


def test_a_point_equals_a_run_with_that_override(minimal_path):
    frame = compute_sweep(minimal_path, (VOLUME, [30_000]), samples=1500, seed=4)
    result = fm.simulate(load_scenario(minimal_path, [f"{VOLUME}=30000"]), samples=1500, seed=4,
                         sampler="lhs")
    ci = result.challengers.index("ft")
    for row in frame.itertuples():
        hi = result.horizons.index(row.horizon_months)
        assert row.wins == result.wins_by_month[ci, row.horizon_months]
        assert row.mean_delta_usd == result.delta_moments.mean[ci, hi]


# --- the grid ----------------------------------------------------------------------------------


def test_two_dimensional_grid_shape_and_order():
    frame = compute_sweep(known_table(horizon=24), (VOLUME, [1e5, 2e5, 4e5]), (ONE_TIME_MAX, [6000, 12_000]),
                          samples=500, seed=1)
    assert list(frame.columns) == COLUMNS_1D[:3] + ["y_key", "y_unit", "y_value"] + COLUMNS_1D[3:] + [
        "y_scenario", "y_scenario_value"]
    assert len(frame) == 3 * 2 * 1 * 2  # x, y, challengers, horizons (12 and 24)
    assert frame.groupby(["x_value", "y_value"]).size().eq(2).all()
    assert frame["y_value"].tolist() == [6000] * 6 + [12_000] * 6, "x runs fastest"
    assert set(frame["horizon_months"]) == {12, 24}
    assert frame["y_scenario_value"].iloc[0] == 12_000 and frame["y_key"].iloc[0] == ONE_TIME_MAX


def test_distribution_values_and_text():
    frame = compute_sweep(known_table(), ("strategies.tuned.one_time_usd", [3000, {"dist": "uniform", "min": 0,
                                                                                   "max": 12_000}]),
                          samples=500, seed=1)
    assert frame["x_value"].tolist() == ["3000", '{dist = "uniform", min = 0, max = 12000}']
    assert compute_sweep_crossings(frame).empty, "no crossing along categories"


def test_challenger_and_overrides_and_scenario_input(minimal_path):
    scenario = load_scenario(minimal_path, ["volume.queries_per_month=40000"])
    frame = compute_sweep(scenario, ("strategies.ft.training.run_usd", [1000, 3000]), samples=400, seed=2,
                          challenger="ft", overrides=["scenario.horizon_months=12"])
    assert set(frame["queries_per_month"]) == {40_000} and set(frame["horizon_months"]) == {12}
    assert frame.attrs["overrides"] == ["volume.queries_per_month=40000", "scenario.horizon_months=12"]
    with pytest.raises(ValueError, match="'rag' is not a challenger"):
        compute_sweep(scenario, ("strategies.ft.training.run_usd", [1000]), samples=400, seed=2, challenger="rag")


def test_every_point_is_validated_before_any_simulation(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("simulated before validating the grid")

    monkeypatch.setattr(sweep_module, "simulate", refuse)
    with pytest.raises(ScenarioError) as caught:
        compute_sweep(known_table(), (ONE_TIME_MAX, [6000, -5]), samples=100, seed=1)
    assert str(caught.value).startswith("strategies.tuned.one_time_usd.max (swept: strategies.tuned.one_time_usd.max=-5): ")
    with pytest.raises(ScenarioError, match=r"volume.queries_per_month \(swept: volume.queries_per_month=0\): must be > 0"):
        compute_sweep(known_table(), (VOLUME, [1e5, 0]), samples=100, seed=1)


def test_samplers_and_simulation_keys():
    with pytest.raises(ValueError, match="mc or lhs, not 'sobol'"):
        compute_sweep(known_table(), (VOLUME, [1e5]), samples=64, seed=1, sampler="sobol")
    frame = compute_sweep(known_table(sampler="sobol"), (VOLUME, [1e5]), samples=64, seed=1)
    assert frame.attrs["sampler"] == "lhs", "a Sobol' scenario is swept with lhs"
    with pytest.raises(ScenarioError, match=r"simulation.seed \(from --x\): the sweep sets samples, seed and sampler"):
        compute_sweep(known_table(), ("simulation.seed", [1, 2]), samples=64, seed=1)


def test_progress_counts_every_sample_of_every_point():
    done = []
    compute_sweep(known_table(), (VOLUME, [1e5, 2e5, 3e5]), samples=300, seed=1, progress=done.append)
    assert sum(done) == 900


def test_built_in_code_needs_its_table():
    with pytest.raises(ValueError, match="pass its table"):
        compute_sweep(parse_scenario(known_table()), (VOLUME, [1e5]), samples=64, seed=1)


@pytest.mark.parametrize("text, key, values", [
    ("volume.queries_per_month=10000,40000", VOLUME, [10_000, 40_000]),
    ("volume.queries_per_month=1e4:1e6:3:log", VOLUME, [1e4, 1e5, 1e6]),
    ("scenario.horizon_months=12:36:3", "scenario.horizon_months", [12, 24, 36]),
    ("x.y=0:1:5", "x.y", [0.0, 0.25, 0.5, 0.75, 1.0]),
    ("x.y=0:1:3:lin", "x.y", [0.0, 0.5, 1.0]),
    ('x.y=5, {dist="uniform", min=1, max=2}', "x.y", [5, {"dist": "uniform", "min": 1, "max": 2}]),
    ("scenario.baseline=rag,ft", "scenario.baseline", ["rag", "ft"]),
])
def test_parse_sweep_values(text, key, values):
    got_key, got = parse_sweep_values(text)
    assert got_key == key
    if isinstance(values[0], float):
        np.testing.assert_allclose(got, values, rtol=1e-12)
    else:
        assert got == values and [type(v) for v in got] == [type(v) for v in values]


@pytest.mark.parametrize("text, words", [
    ("x.y", ["--y 'x.y' is not KEY=VALUE"]),
    ("x.y=1:2:1", ["x.y (from --y)", "lo:hi:n[:log]"]),
    ("x.y=0:10:3:log", ["x.y (from --y)", "above 0"]),
    ("x.y=1,{dist=", ["x.y (from --y)", "comma-separated"]),
])
def test_parse_sweep_values_errors(text, words):
    with pytest.raises(ScenarioError) as caught:
        parse_sweep_values(text, option="--y")
    for word in words:
        assert word in str(caught.value)


# --- crossings ---------------------------------------------------------------------------------


def _frame(x, p, *, y=None, strategy="tuned"):
    n = len(x)
    data = {"x_key": "k", "x_unit": "", "x_value": x}
    if y is not None:
        data.update({"y_key": "j", "y_unit": "", "y_value": [y] * n})
    data.update({"strategy": strategy, "label": "Tuned", "horizon_months": 12, "p_win": p})
    return pd.DataFrame(data)


def test_crossing_is_a_linear_interpolation_between_grid_points():
    linear = compute_sweep_crossings(_frame([1.0, 2.0, 3.0], [0.2, 0.4, 0.7]))
    assert sweep_scale([1.0, 2.0, 3.0]) == "linear"
    assert linear["x_at_50pct"].iloc[0] == pytest.approx(2 + (0.5 - 0.4) / (0.7 - 0.4))
    assert linear["direction"].iloc[0] == "up" and linear["interpolation"].iloc[0] == "linear in x"
    log = compute_sweep_crossings(_frame([1e3, 1e4, 1e5], [0.9, 0.6, 0.1]))
    assert sweep_scale([1e3, 1e4, 1e5]) == "log"
    hand = math.exp(math.log(1e4) + (0.5 - 0.6) / (0.1 - 0.6) * (math.log(1e5) - math.log(1e4)))
    assert log["x_at_50pct"].iloc[0] == pytest.approx(hand) and log["direction"].iloc[0] == "down"


def test_crossings_per_y_and_none():
    frame = pd.concat([_frame([1.0, 2.0, 3.0], [0.2, 0.6, 0.9], y=10),
                       _frame([1.0, 2.0, 3.0], [0.6, 0.7, 0.9], y=20),
                       _frame([1.0, 2.0, 3.0], [0.6, 0.4, 0.6], y=30)])
    out = compute_sweep_crossings(frame)
    assert out["y_value"].tolist() == [10, 20, 30, 30]
    assert out["x_at_50pct"].iloc[0] == pytest.approx(1.75)
    assert out["direction"].tolist() == ["up", "none", "down", "up"]
    assert math.isnan(out["x_at_50pct"].iloc[1]) and out["p_win_at_min_x"].iloc[1] == 0.6
    assert out["x_at_50pct"].iloc[2:].tolist() == pytest.approx([1.5, 2.5])


def test_crossing_row_of_a_real_sweep_equals_hand_interpolation():
    frame = compute_sweep(known_table(), (VOLUME, [2e5, 4e5, 6e5, 8e5]), samples=2000, seed=9)
    row = compute_sweep_crossings(frame).iloc[0]
    p = frame.set_index("x_value")["p_win"]
    assert p[4e5] < 0.5 <= p[6e5]
    assert row["x_at_50pct"] == pytest.approx(4e5 + (0.5 - p[4e5]) / (p[6e5] - p[4e5]) * 2e5)
    assert abs(row["x_at_50pct"] - 5e5) < 3e4, "near the closed form's 500k"


# --- charts -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dollar_sweeps():
    table = known_table(horizon=24)
    table["strategies"]["tuned"]["label"] = "Tuned ($12k max) for $$"
    one = compute_sweep(table, (VOLUME, [1e5, 2e5, 4e5, 8e5, 1.6e6]), samples=800, seed=1)
    two = compute_sweep(table, (VOLUME, [1e5, 2e5, 4e5, 8e5]), (ONE_TIME_MAX, [6000, 12_000, 24_000]),
                        samples=800, seed=1)
    return parse_scenario(table), one, two


def _texts(fig) -> str:
    return " ".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))


def test_plot_sweep_1d_renders_dollars_and_states_the_crossing(dollar_sweeps):
    scenario, one, _ = dollar_sweeps
    info = sweep_run_info(scenario, one)
    assert (info.samples, info.seed, info.sampler) == (800, 1, "mc")
    fig, axes = plot_sweep_1d(attach_sweep_crossings(one, horizon=12), info)
    fig.canvas.draw()  # mathtext would fail here on an unescaped "$"
    crossing = compute_sweep_crossings(one, horizon=12)["x_at_50pct"].iloc[0]
    title = fig.get_suptitle()
    assert r"Tuned (\$12k max) for \$\$ beats API (\$0.001/query) in most futures when" in title
    assert format_volume(crossing) in title and "over 12 months" in title
    assert any(np.allclose(line.get_xdata(), [crossing]) for line in axes[0].get_lines()), "dot at the CSV's crossing"
    assert "volume.queries_per_month (queries/month, log scale)" in axes[1].get_xlabel()
    assert "your scenario: 250k queries/month" in _texts(fig)


def test_dollars_in_overrides_reach_the_footnote_escaped(minimal_path):
    frame = compute_sweep(minimal_path, (VOLUME, [1e4, 1e5]), samples=300, seed=1,
                          overrides=['scenario.title="Cost: $2k to $5k"'])
    scenario = load_scenario(minimal_path, frame.attrs["overrides"])
    info = sweep_run_info(scenario, frame)
    assert info.overrides == ('scenario.title="Cost: $2k to $5k"',)
    fig, _ = plot_sweep_1d(attach_sweep_crossings(frame), info)
    fig.canvas.draw()
    footnote = " ".join(_texts(fig).split())  # the footnote is wrapped
    assert r'with --set scenario.title="Cost: \$2k to \$5k"' in footnote


def test_plot_sweep_1d_on_a_given_axes(dollar_sweeps):
    scenario, one, _ = dollar_sweeps
    fig, ax = plt.subplots()
    got_fig, got_ax = plot_sweep_1d(attach_sweep_crossings(one), sweep_run_info(scenario, one), ax=ax)
    fig.canvas.draw()
    assert got_ax is ax and got_fig is fig and len(fig.axes) == 2  # P(win) and a twin ΔNPC axis


def test_plot_sweep_2d_renders_dollars_with_contour_and_scenario(dollar_sweeps):
    scenario, _, two = dollar_sweeps
    fig, ax = plot_sweep_2d(attach_sweep_crossings(two), sweep_run_info(scenario, two))
    fig.canvas.draw()
    crossings = compute_sweep_crossings(two)
    dots = [line for line in ax.get_lines() if line.get_label() == "50 % line"]
    found = crossings[crossings["direction"] != "none"]
    assert len(dots) == 1 and sorted(dots[0].get_xdata()) == pytest.approx(sorted(found["x_at_50pct"]))
    star = [line for line in ax.get_lines() if line.get_label() == "your scenario"]
    assert star and star[0].get_xdata()[0] == 250_000 and star[0].get_ydata()[0] == 12_000
    assert "%" in fig.axes[-1].get_yticklabels()[-1].get_text(), "colour bar in percent"
    assert r"\$" in fig.get_suptitle()


def test_plots_refuse_the_wrong_frame(dollar_sweeps):
    scenario, one, two = dollar_sweeps
    info = sweep_run_info(scenario, one)
    with pytest.raises(ValueError, match="plot_sweep_2d"):
        plot_sweep_1d(attach_sweep_crossings(two), info)
    with pytest.raises(ValueError, match="plot_sweep_1d"):
        plot_sweep_2d(attach_sweep_crossings(one), info)
    with pytest.raises(ValueError, match="no rows at 7 months"):
        attach_sweep_crossings(one, horizon=7)
    with pytest.raises(ValueError, match="no crossings attached"):  # a chart never counts them itself
        plot_sweep_1d(one, info)
    other = RunInfo(scenario="x", title="x", strategies=("a", "b"), labels={}, baseline="a", samples=1, seed=1,
                    sampler="mc", version="0")
    with pytest.raises(ValueError, match="not in scenario"):
        plot_sweep_1d(attach_sweep_crossings(one), other)


def test_a_long_y_label_of_a_heatmap_stays_beside_its_panel():
    # The swept key's words and unit on y (and the colour bar's P(...)) stood taller than the
    # panel and ran into the title; each is wrapped to the panel's height.
    path = Path(__file__).parent.parent / "scenarios" / "support-classifier.toml"
    scenario = load_scenario(path)
    two = compute_sweep(path,
                        ("strategies.fine_tuned.training.retrain_every_months", [1, 3, 6]),
                        ("strategies.fine_tuned.quality.drift_pp_per_quarter", [0, 4]), samples=300, seed=1)
    fig, ax = plot_sweep_2d(attach_sweep_crossings(two), sweep_run_info(scenario, two))
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for a in (np.atleast_1d(ax)[0], fig.axes[-1]):  # a heatmap and the colour bar
        label, panel = a.yaxis.label.get_window_extent(renderer), a.get_window_extent(renderer)
        assert label.height <= panel.height * 1.02, (a.get_ylabel(), label.height, panel.height)
    plt.close(fig)
