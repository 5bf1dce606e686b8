"""Sensitivity studies against answers worked out by hand.

The scenarios here are built so that ΔNPC is a known function of the inputs: a sum of independent
uniforms (Sobol indices Var_i / Σ Var, tornado swings coefficient × P10–P90 width, conditional
means by hand), a product (first and total indices in closed form), a one-time cost against a
per-query cost (breakeven volume = cost / (months × price per query)), and a single monotone input
(partial rank correlation ±1).
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import ftrag_mc as fm  # noqa: E402
from ftrag_mc.analysis.sensitivity import compute_global, compute_spider, compute_tornado  # noqa: E402
from ftrag_mc.report.analyses import run_info  # noqa: E402
from ftrag_mc.report.charts import plot_global, plot_spider, plot_tornado  # noqa: E402


def uniform(lo: float, hi: float) -> dict:
    return {"dist": "uniform", "min": lo, "max": hi}


# ΔNPC = a + 12 b + c over 12 months (a one-time, b monthly, c the training run; baseline costs nothing).
A, B, C = 1000.0, 100.0, 500.0
VARIANCES = {"inputs.a": A**2 / 12, "inputs.b": (12 * B) ** 2 / 12, "inputs.c": C**2 / 12}


def additive_table(label: str = "Fine-tune") -> dict:
    return {
        "scenario": {"horizon_months": 12, "baseline": "base"},
        "volume": {"queries_per_month": 1000},
        "simulation": {"samples": 4096, "seed": 7},
        "inputs": {"a": uniform(0, A), "b": uniform(0, B), "c": uniform(0, C)},
        "strategies": {"base": {}, "ft": {"label": label, "one_time_usd": "a", "fixed_usd_per_month": "b",
                                          "training": {"run_usd": "c"}}},
    }


@pytest.fixture(scope="module")
def additive():
    scenario = fm.parse_scenario(additive_table(), name="additive")
    return scenario, fm.simulate(scenario, samples=4096, keep_samples=True, workers=1)


# A one-time cost a (plus 12 × a small monthly n) against a baseline paying $0.001 per query, and
# a baseline one-time cost d: ΔNPC = a + 12 n - d - 12 × 0.001 × Q over 12 months.
PRICE = 0.001


def breakeven_table() -> dict:
    return {
        "scenario": {"horizon_months": 12, "baseline": "base"},
        "volume": {"queries_per_month": 40_000},
        "inputs": {"a": uniform(0, 1000), "n": uniform(0, 1), "d": uniform(0, 10)},
        "strategies": {
            "never": {"one_time_usd": 1e6},  # listed first: the default must still pick "ft"
            "base": {"one_time_usd": "d", "llm": {"prompt_tokens": 1000, "input_usd_per_mtok": 1.0,
                                                    "output_usd_per_mtok": 0.0}},
            "ft": {"one_time_usd": "a", "fixed_usd_per_month": "n"},
        },
    }


@pytest.fixture(scope="module")
def breakeven():
    scenario = fm.parse_scenario(breakeven_table(), name="breakeven")
    return scenario, fm.simulate(scenario, samples=8192, keep_samples=True, workers=1)


# --- tornado -----------------------------------------------------------------------------------


def test_tornado_swings_by_hand(additive):
    scenario, result = additive
    frame = compute_tornado(scenario, result=result)
    # Medians 500, 50, 250: base 500 + 12 x 50 + 250. P10/P90 of U(0, w) are 0.1 w and 0.9 w.
    assert list(frame["input"]) == ["inputs.b", "inputs.a", "inputs.c"]  # swings 960, 800, 400
    rows = frame.set_index("input")
    assert rows["base_delta_usd"].iloc[0] == pytest.approx(1350)
    expected = {"inputs.a": (950, 1750, 100, 900), "inputs.b": (870, 1830, 10, 90), "inputs.c": (1150, 1550, 50, 450)}
    for name, (low, high, v_low, v_high) in expected.items():
        assert rows.loc[name, "delta_low_usd"] == pytest.approx(low)
        assert rows.loc[name, "delta_high_usd"] == pytest.approx(high)
        assert rows.loc[name, "swing_usd"] == pytest.approx(high - low)
        assert rows.loc[name, "value_low"] == pytest.approx(v_low)
        assert rows.loc[name, "value_high"] == pytest.approx(v_high)
        assert not rows.loc[name, "flips_answer"]
    assert (frame["strategy"] == "ft").all() and (frame["baseline"] == "base").all()
    assert (frame["assumption_note"] == "").all()


def test_tornado_other_percentiles(additive):
    scenario, result = additive
    frame = compute_tornado(scenario, result=result, low=0.25, high=0.75).set_index("input")
    # a at 250 and 750: 250 + 850 and 750 + 850.
    assert frame.loc["inputs.a", "delta_low_usd"] == pytest.approx(1100)
    assert frame.loc["inputs.a", "delta_high_usd"] == pytest.approx(1600)
    with pytest.raises(ValueError, match="low < 0.5 < high"):
        compute_tornado(scenario, result=result, low=0.6, high=0.9)


def test_conditional_expectation_by_hand(additive):
    scenario, result = additive
    frame = compute_tornado(scenario, result=result).set_index("input")
    # Band "a at or below its P20" (a < 200): E[a | band] = 100; the others keep their means
    # 12 x 50 and 250 (independent). Above its P80: E[a | band] = 900.
    others = {"inputs.a": 12 * 50 + 250, "inputs.b": 500 + 250, "inputs.c": 500 + 12 * 50}
    band_mean = {"inputs.a": (100, 900), "inputs.b": (12 * 10, 12 * 90), "inputs.c": (50, 450)}
    for name, (low, high) in band_mean.items():
        row = frame.loc[name]
        assert row["band_low_max_value"] == pytest.approx(0.2 * {"inputs.a": A, "inputs.b": B, "inputs.c": C}[name])
        for got, se, want in ((row["cond_delta_low_usd"], row["cond_delta_low_se_usd"], low + others[name]),
                              (row["cond_delta_high_usd"], row["cond_delta_high_se_usd"], high + others[name])):
            assert 0 < se < 30
            assert abs(got - want) < 4 * se
        assert row["band_low_samples"] == pytest.approx(0.2 * 4096, abs=2)


def test_conditional_win_and_breakeven_by_hand(breakeven):
    scenario, result = breakeven
    frame = compute_tornado(scenario, result=result)
    assert (frame["strategy"] == "ft").all()  # the strongest challenger, not the first listed
    row = frame.set_index("input").loc["inputs.a"]
    # At 40k queries/month the baseline pays 12 x 40 = $480: a below 200 always wins, above 800 never.
    assert row["p_win_band_low"] == 1.0 and row["p_win_band_high"] == 0.0
    # Breakeven Q = (a + 12 n - d) / (12 x 0.001); a + 12 n - d over a < 200 is symmetric about
    # 100 + 6 - 5, so its median is 101.
    for got, se, want in ((row["breakeven_p50_band_low_queries_per_month"],
                           row["breakeven_p50_band_low_se_queries_per_month"], 101 / (12 * PRICE)),
                          (row["breakeven_p50_band_high_queries_per_month"],
                           row["breakeven_p50_band_high_se_queries_per_month"], 901 / (12 * PRICE))):
        assert 0 < se < 0.05 * want
        assert abs(got - want) < 4 * se


def test_breakeven_off_the_runs_horizons_from_the_grid(breakeven):
    scenario, result = breakeven
    # Six months is not an analysis horizon: breakevens come from the sweep grid, exact for
    # affine costs. Q = (a + 6 n - d) / (6 x 0.001), median over a < 200: 100 + 3 - 5.
    row = compute_tornado(scenario, result=result, horizon=6).set_index("input").loc["inputs.a"]
    want = 98 / (6 * PRICE)
    assert abs(row["breakeven_p50_band_low_queries_per_month"] - want) < 4 * row[
        "breakeven_p50_band_low_se_queries_per_month"]


def test_any_pair_and_volume(breakeven):
    scenario, result = breakeven
    frame = compute_tornado(scenario, result=result, challenger="ft", baseline="never", volume=10_000)
    rows = frame.set_index("input")
    # ft - never = a + 12 n - 1e6, whatever the volume.
    assert rows.loc["inputs.a", "delta_low_usd"] == pytest.approx(100 + 6 - 1e6)
    assert rows.loc["inputs.d", "swing_usd"] == pytest.approx(0, abs=1e-6)
    assert (rows["p_win_band_low"] == 1.0).all()
    with pytest.raises(ValueError, match="not a strategy"):
        compute_tornado(scenario, result=result, challenger="nope")
    with pytest.raises(ValueError, match="both"):
        compute_tornado(scenario, result=result, challenger="base")


def test_result_must_match(additive, breakeven):
    with pytest.raises(ValueError, match="simulated from scenario"):
        compute_tornado(additive[0], result=breakeven[1])
    plain = fm.simulate(additive[0], samples=1000, workers=1)
    with pytest.raises(ValueError, match="keep_samples=True"):
        compute_tornado(additive[0], result=plain)


# --- spider --------------------------------------------------------------------------------------


def test_spider_median_is_base_and_linear_input_is_monotone(additive):
    scenario, result = additive
    frame = compute_spider(scenario, result=result)
    at_median = frame[frame["percentile"] == 0.5]
    assert len(at_median) == 3
    np.testing.assert_allclose(at_median["delta_usd"], 1350)
    np.testing.assert_allclose(frame["base_delta_usd"], 1350)
    a = frame[frame["input"] == "inputs.a"].sort_values("percentile")
    np.testing.assert_allclose(a["delta_usd"], 1000 * a["percentile"] + 850)
    assert np.all(np.diff(a["delta_usd"]) > 0)
    assert list(dict.fromkeys(frame["input"])) == ["inputs.b", "inputs.a", "inputs.c"]  # widest range first
    one = compute_spider(scenario, inputs=["inputs.c"], percentiles=(0.2, 0.5))
    np.testing.assert_allclose(one["delta_usd"], [100 + 1100, 250 + 1100])
    with pytest.raises(ValueError, match="strictly between"):
        compute_spider(scenario, percentiles=(0.0, 0.5))


# --- global --------------------------------------------------------------------------------------


def test_sobol_additive_known_indices(additive):
    _, result = additive
    frame = compute_global(result, sobol_samples=2**12, seed=3).set_index("input")
    total = sum(VARIANCES.values())
    for name, variance in VARIANCES.items():
        want = variance / total  # additive: first = total = Var_i / Σ Var
        row = frame.loc[name]
        for key in ("sobol_first", "sobol_total"):
            assert row[key] == pytest.approx(want, abs=0.02)
            assert row[f"{key}_low"] - 0.01 <= want <= row[f"{key}_high"] + 0.01
            assert row[f"{key}_low"] <= row[key] <= row[f"{key}_high"]
    assert frame.index[0] == "inputs.b"  # largest total index first
    assert (frame["sobol_evaluations"] == 2**12 * 5).all()


def test_sobol_reproducible(additive):
    _, result = additive
    one = compute_global(result, sobol_samples=2**10, seed=5, n_resamples=99)
    two = compute_global(result, sobol_samples=2**10, seed=5, n_resamples=99)
    pd.testing.assert_frame_equal(one, two)
    with pytest.raises(ValueError, match="power of two"):
        compute_global(result, sobol_samples=1000)


def test_sobol_product_interaction():
    # ΔNPC = W E with W ~ U(0, 2) setup weeks and E ~ U(0, 2000) per week: Var = 7e6 / 9;
    # S_W = Var(W) E[E]^2 / Var = 3/7, S_T,W = Var(W) E[E^2] / Var = 4/7 (and the same for E).
    table = {"scenario": {"horizon_months": 12, "baseline": "base"}, "volume": {"queries_per_month": 1000},
             "team": {"engineer_week_usd": uniform(0, 2000)},
             "strategies": {"base": {}, "ft": {"labour": {"setup_weeks": uniform(0, 2)}}}}
    scenario = fm.parse_scenario(table)
    result = fm.simulate(scenario, samples=1024, keep_samples=True, workers=1)
    frame = compute_global(result, sobol_samples=2**13, seed=11, n_resamples=199)
    for _, row in frame.iterrows():
        assert row["sobol_first"] == pytest.approx(3 / 7, abs=0.03)
        assert row["sobol_total"] == pytest.approx(4 / 7, abs=0.03)


def test_rank_correlations_signs_and_prcc(breakeven):
    _, result = breakeven
    frame = compute_global(result, sobol=False).set_index("input")
    # ΔNPC = a + 12 n - d - 480 exactly: a dominates the ranks (Spearman ~1, n and d ~0), but
    # with a held fixed n and d decide the rest, which PRCC shows (with their signs).
    assert frame.loc["inputs.a", "spearman"] > 0.99
    assert frame.loc["inputs.a", "prcc"] > 0.99
    assert frame.loc["inputs.n", "prcc"] > 0.9
    assert frame.loc["inputs.d", "prcc"] < -0.9
    assert frame["sobol_total"].isna().all()
    assert frame.index[0] == "inputs.a"  # by |spearman| without Sobol


def test_spearman_signs():
    # ΔNPC = w - x for independent U(0, 1000): Spearman(w, ΔNPC) = 12 E[U F(U - V)] - 3 = 0.7
    # (U, V standard uniforms, F the triangular CDF of U - V); -0.7 for x.
    table = {"scenario": {"horizon_months": 12, "baseline": "base"}, "volume": {"queries_per_month": 1000},
             "inputs": {"w": uniform(0, 1000), "x": uniform(0, 1000)},
             "strategies": {"base": {"one_time_usd": "x"}, "ft": {"one_time_usd": "w"}}}
    result = fm.simulate(fm.parse_scenario(table), samples=2000, keep_samples=True, workers=1)
    frame = compute_global(result, sobol=False).set_index("input")
    assert frame.loc["inputs.w", "spearman"] == pytest.approx(0.7, abs=0.03)
    assert frame.loc["inputs.x", "spearman"] == pytest.approx(-0.7, abs=0.03)
    assert frame.loc["inputs.x", "prcc"] < -0.9 < 0.9 < frame.loc["inputs.w", "prcc"]


def test_prcc_is_minus_one_for_a_single_monotone_input():
    # ΔNPC = -x (the baseline pays x once); z only moves a third strategy.
    table = {"scenario": {"horizon_months": 12, "baseline": "base"}, "volume": {"queries_per_month": 1000},
             "inputs": {"x": {"dist": "lognormal", "low": 100, "high": 1000}, "z": uniform(0, 1)},
             "strategies": {"base": {"one_time_usd": "x"}, "ft": {}, "other": {"one_time_usd": "z"}}}
    scenario = fm.parse_scenario(table)
    result = fm.simulate(scenario, samples=2000, keep_samples=True, workers=1)
    frame = compute_global(result, challenger="ft", sobol=False).set_index("input")
    assert frame.loc["inputs.x", "spearman"] == pytest.approx(-1.0)
    assert frame.loc["inputs.x", "prcc"] == pytest.approx(-1.0, abs=1e-9)
    assert abs(frame.loc["inputs.z", "spearman"]) < 0.1
    # x explains ΔNPC exactly, so nothing is left to correlate z with: undefined, not 0.
    assert math.isnan(frame.loc["inputs.z", "prcc"])


def correlated_table() -> dict:
    table = additive_table()
    table["correlation"] = {"inputs": ["a", "b"], "matrix": [[1.0, 0.6], [0.6, 1.0]]}
    return table


def test_correlated_inputs_are_noted():
    scenario = fm.parse_scenario(correlated_table())
    result = fm.simulate(scenario, samples=2000, keep_samples=True, workers=1)
    frame = compute_global(result, sobol_samples=2**8, n_resamples=49).set_index("input")
    for name in ("inputs.a", "inputs.b"):
        note = frame.loc[name, "assumption_note"]
        assert "independent" in note and "Spearman" in note and "+0.60" in note
    assert frame.loc["inputs.c", "assumption_note"] == ""
    tornado = compute_tornado(scenario, result=result).set_index("input")
    assert "median" in tornado.loc["inputs.a", "assumption_note"]
    assert tornado.loc["inputs.c", "assumption_note"] == ""


# --- plots ---------------------------------------------------------------------------------------


@pytest.fixture(autouse=False)
def no_files(monkeypatch):
    monkeypatch.setattr(Figure, "savefig", lambda *a, **k: (_ for _ in ()).throw(AssertionError("saved")))
    yield
    plt.close("all")


def texts(fig: Figure) -> str:
    """Every text drawn, as matplotlib shows it (escaped dollars unescaped)."""
    found = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
    return " ".join(found).replace("\n", " ").replace(r"\$", "$")


def test_plots_title_the_top_input(additive, no_files):
    scenario, result = additive
    info = run_info(result)
    tornado = compute_tornado(scenario, result=result)
    fig, ax = plot_tornado(tornado, info)
    fig.canvas.draw()
    title = fig._suptitle.get_text().replace("\n", " ").replace(r"\$", "$")
    assert title == "B swings the 12-month extra cost of Fine-tune most: $870 to $1.8k"
    # savings drawn positive, the axis says which way is good (issue 15: one sign convention)
    assert ax.get_xlabel() == "Saving vs base over 12 months (USD; right of 0 = saves)"

    fig, ax = plot_spider(compute_spider(scenario, result=result), info)
    fig.canvas.draw()
    assert fig._suptitle.get_text().startswith("B moves")

    fig, axes = plot_global(compute_global(result, sobol_samples=2**8, n_resamples=49), info)
    fig.canvas.draw()
    assert len(axes) == 2
    assert fig._suptitle.get_text().startswith("B drives")


def test_plots_take_a_dollar_in_labels(no_files):
    table = correlated_table()
    table["strategies"]["base"]["label"] = "Prompt at $0.002"
    table["strategies"]["ft"]["label"] = "Tune for $5k"
    scenario = fm.parse_scenario(table, name="dollars")
    result = fm.simulate(scenario, samples=1000, keep_samples=True, workers=1)
    info = run_info(result)
    tornado = compute_tornado(scenario, result=result)
    tornado.loc[0, "label"] = "cost $ per $ error"
    spider = compute_spider(scenario, result=result)
    spider.loc[spider["input"] == spider["input"].iloc[0], "label"] = "cost $ per $ error"
    glob = compute_global(result, sobol_samples=2**8, n_resamples=49)
    glob.loc[0, "label"] = "cost $ per $ error"
    for fig, _ in (plot_tornado(tornado, info), plot_spider(spider, info), plot_global(glob, info)):
        fig.canvas.draw()  # mathtext would fail or eat the dollars here
        shown = texts(fig)
        assert "cost $ per $ error" in shown
        assert "Tune for $5k" in shown
    assert "correlated inputs" in texts(plot_global(glob, info)[0])


def test_plots_with_many_inputs_and_a_callers_axes(additive, no_files):
    scenario, result = additive
    info = run_info(result)
    tornado = compute_tornado(scenario, result=result)
    glob = compute_global(result, sobol=False)
    many = pd.concat([tornado] * 7, ignore_index=True).head(20)
    many["label"] = [f"input number {i} with a rather long descriptive name" for i in range(20)]
    many["input"] = [f"inputs.x{i}" for i in range(20)]
    fig, ax = plot_tornado(many, info)
    fig.canvas.draw()
    assert len(ax.get_yticklabels()) == 15
    assert "5 more inputs" in texts(fig)
    # long labels wrap at word boundaries, never cut (issue 15)
    assert all(len(line) <= 40 for t in ax.get_yticklabels() for line in t.get_text().split("\n"))
    assert ax.get_yticklabels()[0].get_text().replace("\n", " ") == "input number 0 with a rather long descriptive name"

    many_global = pd.concat([glob] * 7, ignore_index=True).head(20)
    many_global["label"] = many["label"].to_numpy()
    fig, ax = plot_global(many_global, info)
    fig.canvas.draw()
    assert len(ax.get_yticklabels()) == 15  # the 15 most important of 20

    fig, own = plt.subplots()
    out_fig, out_ax = plot_tornado(tornado, info, ax=own)
    assert out_fig is fig and out_ax is own
    assert own.get_title(loc="left").startswith("B swings")
    fig, own = plt.subplots()
    assert plot_global(compute_global(result, sobol_samples=2**8, n_resamples=49), info, ax=own)[1] is own
