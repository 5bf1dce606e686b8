"""The board pack's ΔNPC histogram, cost fan and cost breakdown: numbers pinned, charts drawn."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import ftrag_mc as fm  # noqa: E402
from ftrag_mc.analysis.delta_distribution import compute_delta_distribution, compute_delta_marks  # noqa: E402
from ftrag_mc.analysis.marks import attach_marks  # noqa: E402
from ftrag_mc.analysis.strategy_costs import compute_breakdown, compute_fan  # noqa: E402
from ftrag_mc.report.charts import plot_breakdown, plot_delta_distribution, plot_fan  # noqa: E402
from ftrag_mc.report.analyses import run_info  # noqa: E402

REL = 1e-9
Q0, H = 10_000, 6
LLM = {"prompt_tokens": 1000, "output_tokens": 0, "input_usd_per_mtok": 3.0, "output_usd_per_mtok": 15.0}
PER_QUERY = 1000 * 3.0 / 1e6  # $0.003 a query


def constant_scenario() -> fm.Scenario:
    """RAG-like baseline paying only LLM calls; a fine-tune paying $2,200 once plus the same calls."""
    return fm.parse_scenario({
        "scenario": {"horizon_months": H, "baseline": "rag", "discount_rate_per_year": 0.0},
        "volume": {"queries_per_month": Q0, "sweep_min": 1e3, "sweep_max": 1e6, "sweep_points": 7},
        "strategies": {"rag": {"label": "RAG ($ per query)", "llm": LLM},
                       "ft": {"label": "Fine-tune ($2.2k)", "llm": LLM, "training": {"run_usd": 2200}}},
    })


@pytest.fixture(scope="module")
def minimal():
    return fm.load_scenario("tests/fixtures/good/minimal.toml")


@pytest.fixture(scope="module")
def result(minimal):
    return fm.simulate(minimal, samples=4000, seed=5)


@pytest.fixture(scope="module")
def kept(minimal):
    return fm.simulate(minimal, samples=2000, seed=5, keep_samples=True)


# --- ΔNPC distribution --------------------------------------------------------------------------


def test_distribution_shares_and_marks(result):
    frame = compute_delta_distribution(result)
    h = max(result.horizons)
    assert set(frame["horizon_months"]) == {h}
    for _, rows in frame.groupby("strategy"):
        assert rows["share"].sum() <= 1.0 + 1e-12
        assert rows["share"].sum() == pytest.approx(0.98, abs=0.01)  # P1..P99
        assert 25 <= len(rows) <= 45
        assert np.all(rows["bin_low_usd"].to_numpy()[1:] == rows["bin_high_usd"].to_numpy()[:-1])
        # Near-equal widths on the USD axis (the fine bins are signed-log).
        widths = (rows["bin_high_usd"] - rows["bin_low_usd"]).to_numpy()
        assert widths.max() < 1.6 * np.median(widths)
    marks = compute_delta_marks(result)
    summary = fm.compute_delta_npc(result)
    expected = summary[summary["horizon_months"] == h].reset_index(drop=True)
    for column in ("p_loss", "mean_delta_usd", "cvar95_delta_usd"):
        assert marks[column].tolist() == expected[column].tolist()


def test_distribution_of_a_constant_run_is_one_bin():
    r = fm.simulate(constant_scenario(), samples=8, seed=1)
    frame = compute_delta_distribution(r)
    assert frame["share"].sum() == 1.0
    assert (frame["bin_low_usd"] <= 2200).all() and (frame["bin_high_usd"] >= 2200).all()


def test_distribution_rejects_an_unknown_horizon(result):
    with pytest.raises(ValueError, match="horizon"):
        compute_delta_distribution(result, horizon=7)


# --- fan ----------------------------------------------------------------------------------------


def test_fan_of_a_constant_scenario_is_hand_arithmetic():
    frame = compute_fan(constant_scenario(), samples=16, seed=3)
    ft = frame[frame["strategy"] == "ft"].set_index("month")
    assert ft.loc[0, "p50_usd"] == pytest.approx(2200.0, rel=REL)  # the one-time training run
    # no discounting: $2,200 + $0.003 x 10,000 queries x 6 months = $2,380
    assert ft.loc[H, "p50_usd"] == pytest.approx(2200 + PER_QUERY * Q0 * H, rel=REL)
    rag = frame[frame["strategy"] == "rag"].set_index("month")
    assert rag.loc[0, "p50_usd"] == 0.0
    assert set(frame["samples"]) == {16} and "not the main run" in frame["source"].iloc[0]


def test_fan_percentiles_use_the_linear_rule(minimal, kept):
    frame = compute_fan(minimal, result=kept)
    si = kept.index("ft")
    expected = np.quantile(kept.cumulative_usd[:, si, 12], [0.05, 0.1, 0.5, 0.9, 0.95])
    row = frame[(frame["strategy"] == "ft") & (frame["month"] == 12)].iloc[0]
    got = row[["p5_usd", "p10_usd", "p50_usd", "p90_usd", "p95_usd"]].to_numpy(dtype=float)
    assert np.array_equal(got, expected)
    assert (frame["p5_usd"] <= frame["p50_usd"]).all() and (frame["p50_usd"] <= frame["p95_usd"]).all()


# --- breakdown ----------------------------------------------------------------------------------


def test_breakdown_components_sum_to_the_npc(minimal, kept):
    frame = compute_breakdown(minimal, result=kept)
    for s, rows in frame.groupby("strategy"):
        assert rows["mean_usd"].sum() == pytest.approx(rows["total_mean_usd"].iloc[0], rel=REL)
        assert rows["median_inputs_usd"].sum() == pytest.approx(rows["total_median_inputs_usd"].iloc[0], rel=REL)
        assert rows["share_of_mean"].sum() == pytest.approx(1.0, rel=REL)
    # The totals are the model's own NPC: at the medians, and averaged over the kept draws.
    si = kept.index("ft")
    ft = frame[frame["strategy"] == "ft"].iloc[0]
    at_medians = fm.evaluate(minimal)
    assert ft["total_median_inputs_usd"] == pytest.approx(at_medians.npc_usd[0, si, 0, 0], rel=REL)
    assert ft["total_mean_usd"] == pytest.approx(kept.cumulative_usd[:, si, -1].mean(), rel=REL)


def test_breakdown_of_a_constant_scenario_is_hand_arithmetic():
    frame = compute_breakdown(constant_scenario(), samples=16, seed=3).set_index(["strategy", "component"])
    llm = PER_QUERY * Q0 * H  # $0.003 x 10,000 queries/month x 6 months = $180
    assert frame.loc[("ft", "training"), "mean_usd"] == pytest.approx(2200.0, rel=REL)
    assert frame.loc[("ft", "llm"), "mean_usd"] == pytest.approx(llm, rel=REL)
    assert frame.loc[("ft", "llm"), "median_inputs_usd"] == pytest.approx(llm, rel=REL)
    assert frame.loc[("ft", "training"), "share_of_mean"] == pytest.approx(2200 / 2380, rel=REL)
    assert frame.loc[("rag", "llm"), "total_mean_usd"] == pytest.approx(180.0, rel=REL)
    assert set(frame.loc["rag"].index) == {"llm"}


# --- charts -------------------------------------------------------------------------------------


def test_charts_render_with_dollar_labels():
    scenario = constant_scenario()
    r = fm.simulate(scenario, samples=64, seed=2)
    info = run_info(r)
    figures = [
        plot_delta_distribution(attach_marks(compute_delta_distribution(r), compute_delta_marks(r)), info)[0],
        plot_fan(compute_fan(scenario, samples=32, seed=2), info)[0],
        plot_breakdown(compute_breakdown(scenario, samples=32, seed=2), info)[0],
    ]
    try:
        for fig in figures:
            fig.canvas.draw()
            texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
            assert any("$" in t for t in texts)
    finally:
        for fig in figures:
            plt.close(fig)


def test_charts_render_an_uncertain_run_on_a_callers_axes(minimal, result, kept):
    info = run_info(result)
    fig, axes = plt.subplots(1, 3, figsize=(18, 6), layout="constrained")
    try:
        dist = compute_delta_distribution(result)
        plot_delta_distribution(attach_marks(dist, compute_delta_marks(result)), info, ax=axes[0])
        plot_fan(compute_fan(minimal, result=kept), info, ax=axes[1])
        plot_breakdown(compute_breakdown(minimal, result=kept), info, ax=axes[2])
        fig.canvas.draw()
        assert "Saving" in axes[0].get_xlabel() and "right of 0 = saves" in axes[0].get_xlabel()
        assert "USD" in axes[1].get_ylabel()
    finally:
        plt.close(fig)


def test_a_share_of_every_future_is_not_called_most():
    from ftrag_mc.report.charts.breakeven import medians_finding as breakeven_finding
    from ftrag_mc.report.charts.payback import medians_finding as payback_finding
    inf = float("inf")
    assert payback_finding([("Fine-tune", inf, 1.0, 0.0)], 65_000, 36) == (
        "At 65k queries/month, Fine-tune does not pay back within 36 months in every future")
    assert payback_finding([("Fine-tune", inf, 0.7, 0.0)], 65_000, 36).endswith("in most futures (70 %)")
    assert breakeven_finding([("Fine-tune", inf, 1.0, 0.0)], 36, 1e3, 1e7) == (
        "Fine-tune never breaks even below 10M queries/month in every future over 36 months")
    # Several challengers, none paying back in any future (legal-docs at 15k): not "in most futures".
    assert payback_finding([("RAG", inf, 1.0, 0.0), ("Fine-tune", inf, 1.0, 0.0)], 15_000, 36) == (
        "At 15k queries/month, RAG and Fine-tune do not pay back within 36 months in any future")
    assert payback_finding([("RAG", inf, 1.0, 0.0), ("Fine-tune", inf, 0.9, 0.0)], 15_000, 36).endswith(
        "in most futures")
