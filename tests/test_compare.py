"""Comparing scenarios: common random numbers across variants, the headline table and the chart."""

from __future__ import annotations

import copy
import io

import matplotlib
import numpy as np
import pandas as pd
import pytest

import ftrag_mc as fm
from ftrag_mc.analysis.compare import CURVE_COLUMNS, HEADLINE_COLUMNS, compute_compare, variant_name

matplotlib.use("Agg")

SAMPLES = 400


def _table(**changes) -> dict:
    """RAG baseline vs two challengers sharing one uncertain price; ``changes`` maps dotted keys
    to new values."""
    table = {
        "scenario": {"horizon_months": 24, "baseline": "rag"},
        "volume": {"queries_per_month": 50_000, "growth_per_month": {"dist": "uniform", "min": 0, "max": 0.04},
                   "sweep_min": 1e3, "sweep_max": 1e7, "sweep_points": 9},
        "simulation": {"samples": SAMPLES, "seed": 11, "sampler": "lhs"},
        "inputs": {"price": {"dist": "pert", "min": 1, "mode": 3, "max": 5}},
        "strategies": {
            "rag": {"label": "RAG", "llm": {"prompt_tokens": 500, "context_tokens": {"dist": "uniform", "min": 1000,
                                                                                     "max": 3000},
                                            "output_tokens": 200, "input_usd_per_mtok": "price",
                                            "output_usd_per_mtok": 15}},
            "ft": {"label": "Fine-tune", "one_time_usd": 3000,
                   "llm": {"prompt_tokens": 300, "output_tokens": 200, "input_usd_per_mtok": "price",
                           "output_usd_per_mtok": 15, "input_premium": 0.5},
                   "training": {"run_usd": {"dist": "uniform", "min": 500, "max": 5000}}},
            "cached": {"label": "RAG, cached", "llm": {"prompt_tokens": 2500, "output_tokens": 200,
                                                       "input_usd_per_mtok": "price", "output_usd_per_mtok": 15},
                       "cache": {"hit_rate": {"dist": "uniform", "min": 0.3, "max": 0.9}}},
        },
    }
    for key, value in changes.items():
        *parents, leaf = key.split(".")
        node = table
        for part in parents:
            node = node[part]
        node[leaf] = value
    return copy.deepcopy(table)


@pytest.fixture(scope="module")
def base() -> fm.Scenario:
    return fm.parse_scenario(_table(), name="small")


@pytest.fixture(scope="module")
def compared(base):
    """Base, an identical copy, a cheaper fine-tune, and another volume."""
    variants = [("base", base), ("copy", base),
                ("cheaper", fm.parse_scenario(_table(**{"strategies.ft.one_time_usd": 0}), name="small")),
                ("volume", fm.parse_scenario(_table(**{"volume.queries_per_month": 5000}), name="small"))]
    return compute_compare(variants)


def _curve(curves: pd.DataFrame, variant: str) -> pd.DataFrame:
    return curves[curves["variant"] == variant].drop(columns="variant").reset_index(drop=True)


def test_identical_variant_gives_identical_curves(compared):
    curves, headline = compared
    pd.testing.assert_frame_equal(_curve(curves, "base"), _curve(curves, "copy"), check_exact=True)
    rows = headline.set_index("variant")
    pd.testing.assert_frame_equal(rows.loc[["base"]].reset_index(drop=True),
                                  rows.loc[["copy"]].reset_index(drop=True), check_exact=True)


def test_volume_changes_the_headline_not_the_curves(compared):
    # The curves sweep the start volume; the scenario's own volume enters only the headline.
    curves, headline = compared
    pd.testing.assert_frame_equal(_curve(curves, "base"), _curve(curves, "volume"), check_exact=True)
    assert set(headline.loc[headline["variant"] == "volume", "queries_per_month"]) == {5000}


def test_cheaper_challenger_wins_sample_for_sample(compared):
    # Same seed, same draws: the fine-tune is $3,000 cheaper in every future, so it wins in every
    # future it won before (counts, not just rates), and the mean saving moves by exactly $3,000.
    curves, headline = compared
    base, cheaper = _curve(curves, "base"), _curve(curves, "cheaper")
    ft = base["strategy"] == "ft"
    assert np.all(cheaper.loc[ft, "wins"].to_numpy() >= base.loc[ft, "wins"].to_numpy())
    assert np.any(cheaper.loc[ft, "wins"].to_numpy() > base.loc[ft, "wins"].to_numpy())
    pd.testing.assert_frame_equal(cheaper[~ft], base[~ft], check_exact=True)  # the other challenger
    row = headline.set_index(["variant", "strategy"])
    assert row.loc[("cheaper", "ft"), "p_win"] >= row.loc[("base", "ft"), "p_win"]
    assert row.loc[("cheaper", "ft"), "mean_delta_usd"] == pytest.approx(
        row.loc[("base", "ft"), "mean_delta_usd"] - 3000, rel=1e-9)
    assert row.loc[("cheaper", "ft"), "mean_delta_se_usd"] == pytest.approx(
        row.loc[("base", "ft"), "mean_delta_se_usd"], rel=1e-9)


def test_headline_rows_and_columns(compared, base):
    curves, headline = compared
    assert list(headline.columns) == HEADLINE_COLUMNS
    assert list(curves.columns) == CURVE_COLUMNS
    assert len(headline) == 4 * 2  # variants x challengers
    assert list(headline["variant"].unique()) == ["base", "copy", "cheaper", "volume"]
    assert set(headline["horizon_months"]) == set(curves["horizon_months"]) == {24}
    assert set(headline["baseline"]) == {"rag"} and set(headline["baseline_label"]) == {"RAG"}
    assert set(headline["samples"]) == {SAMPLES} and set(headline["seed"]) == {11}
    assert len(curves) == 4 * 2 * base.volume.sweep_points
    assert headline.attrs["notes"] == []


def test_settings(base):
    short = [("a", base), ("b", base)]
    curves, headline = compute_compare(short, samples=64, seed=5, sampler="mc", horizon=12)
    assert set(headline["horizon_months"]) == set(curves["horizon_months"]) == {12}
    assert set(headline["seed"]) == {5} and set(headline["sampler"]) == {"mc"} and set(curves["samples"]) == {64}
    with pytest.raises(ValueError, match="sobol"):
        compute_compare(short, samples=64, sampler="sobol")
    with pytest.raises(ValueError, match="no analysis horizon of 18"):
        compute_compare(short, samples=64, horizon=18)
    with pytest.raises(ValueError, match="unique"):
        compute_compare([("a", base), ("a", base)], samples=64)
    with pytest.raises(ValueError, match="at least one"):
        compute_compare([])
    sobol = fm.parse_scenario(_table(**{"simulation.sampler": "sobol"}), name="sobolish")
    _curves, headline = compute_compare([("s", sobol), ("b", base)], samples=64)
    assert set(headline["sampler"]) == {"lhs"} and "sobol" in headline.attrs["notes"][0]


def test_variant_name(base):
    assert variant_name(base) == "small"
    assert variant_name(base, ["volume.queries_per_month=40000"]) == "small [volume.queries_per_month=40000]"
    long = [f"strategies.ft.training.run_usd={v}" for v in (1000, 2000, 3000)]
    name = variant_name(base, long)
    assert name.endswith(", …]") and long[0] in name and len(name) < len(", ".join(long))
    taken = ["small", "small #2"]
    assert variant_name(base, taken=taken) == "small #3"


@pytest.mark.parametrize("n_variants", [2, 6])
def test_plot_renders(base, n_variants):
    from matplotlib.figure import Figure

    from ftrag_mc.analysis.compare import attach_headline
    from ftrag_mc.report.charts import compare_run_info, plot_compare

    costs = [0, 1000, 3000, 8000, 20000, 50000][:n_variants]
    variants = [(f"one-time ${c:,}" if i else "base $ scenario",
                 fm.parse_scenario(_table(**{"strategies.ft.one_time_usd": c,
                                             "strategies.ft.label": "Fine-tune ($)"}), name="small"))
                for i, c in enumerate(costs)]
    curves, headline = compute_compare(variants, samples=64)
    headline.attrs["notes"] = ["costs in $"]
    fig, ax = plot_compare(attach_headline(curves, headline), compare_run_info(headline))
    assert isinstance(fig, Figure)
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "Start volume (queries/month, log scale)"
    assert len([line for line in ax.get_lines() if not line.get_label().startswith("_")]) == 2 * n_variants
    assert "%" in fig._suptitle.get_text()
    footnote = " ".join(t.get_text() for t in fig.texts)
    assert "64 samples (" in footnote and r"costs in \$" in footnote  # the notes reach the footnote, escaped
    fig.savefig(io.BytesIO(), format="png", dpi=40)  # mathtext errors surface when drawn
    import matplotlib.pyplot as plt
    plt.close(fig)


def test_the_chart_states_each_variant_s_decision_when_it_has_them(base):
    """compare.png's title is each variant's decision (the recommended strategy and its saving
    against the runner-up, from compare_decision.csv's rows), not a challenger against the baseline."""
    from ftrag_mc.analysis.compare import attach_headline
    from ftrag_mc.report.charts import compare_finding, compare_run_info

    variants = [("cheap", fm.parse_scenario(_table(**{"strategies.ft.one_time_usd": 0}), name="small")),
                ("dear", fm.parse_scenario(_table(**{"strategies.ft.one_time_usd": 50_000}), name="small"))]
    curves, headline, decisions = compute_compare(variants, samples=256, decision=True)
    title = compare_finding(attach_headline(curves, headline, decisions), compare_run_info(headline))
    assert title.startswith("The choice over ")
    for row in decisions.itertuples():
        assert f"{row.recommended_label} (saves " in title and f"against {row.runner_up_label})" in title
    assert "beats" not in title  # the pairwise words stay with the curves, not the title
