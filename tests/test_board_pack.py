"""What a board reader sees (issue 15, "a board pack a CFO can print"): one phrase for a payback of
0 on every chart, one sign convention (savings positive), no legend entry without a visible bar,
tornado labels that never cut a word and say their units, small multiples for the fan, compare
titled in the scenarios' words, and a PDF of one sheet size whose title page reads the decision
table from the report's items."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.text import Text  # noqa: E402

import ftrag_mc as fm  # noqa: E402
from ftrag_mc.analysis.marks import attach_marks  # noqa: E402
from ftrag_mc.report.analyses import RunAnalyses  # noqa: E402
from ftrag_mc.report.charts import (  # noqa: E402
    breakdown_finding, delta_finding, pwin_vs_month_finding, payback_finding, plot_breakdown,
    plot_delta_distribution, plot_fan, plot_payback, plot_pwin_vs_month, plot_tornado, tornado_finding,
)
from ftrag_mc.report.charts.breakdown import SMALLER, breakdown_segments, segment_label  # noqa: E402
from ftrag_mc.report.charts.delta import mark_words  # noqa: E402
from ftrag_mc.report.charts.inputs import wrap_label  # noqa: E402
from ftrag_mc.report.findings import DAY_ONE  # noqa: E402
from ftrag_mc.report.style import RunInfo  # noqa: E402

charts = pytest.mark.usefixtures("charts_never_saved")  # a chart is drawn, never saved (the PDF saves its own)

LLM = {"prompt_tokens": 1500, "output_tokens": 100, "input_usd_per_mtok": {"dist": "uniform", "min": 2, "max": 4},
       "output_usd_per_mtok": 15.0}


def scenario() -> fm.Scenario:
    """RAG (the baseline); the same model with a prompt cache (cheaper from day one, every future);
    and a fine-tune that pays a training run first."""
    return fm.parse_scenario({
        "scenario": {"title": "Board pack: RAG vs cache vs tune", "horizon_months": 24, "baseline": "rag"},
        "volume": {"queries_per_month": 100_000, "sweep_points": 9},
        "strategies": {
            "rag": {"label": "RAG", "llm": LLM},
            "cached": {"label": "RAG, cached", "llm": LLM, "cache": {"hit_rate": 0.9}},
            "ft": {"label": "Fine-tune", "llm": {**LLM, "prompt_tokens": 200, "input_premium": 0.5},
                   "training": {"run_usd": {"dist": "uniform", "min": 2000, "max": 6000}}},
        },
    }, name="board")


@pytest.fixture(scope="module")
def analyses():
    return RunAnalyses(fm.simulate(scenario(), samples=600, seed=3))


def texts_of(fig) -> list[str]:
    return [t.get_text().replace("\n", " ") for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


# --- one phrase for a payback of 0 --------------------------------------------------------------------


@charts
def test_a_payback_of_zero_reads_the_same_on_every_chart(analyses):
    a = analyses
    assert float(a.payback.set_index("strategy").loc["cached", "p50"]) == 0
    payback = payback_finding(attach_marks(a.payback_hist, a.payback), a.info)
    by_month = pwin_vs_month_finding(attach_marks(a.by_month, a.payback), a.info)
    phrase = f"RAG, cached is {DAY_ONE} in every future"
    assert phrase in payback and phrase in by_month, (payback, by_month)
    assert not re.search(r"by month 1\b", by_month) and "from the first month" not in by_month
    fig, _ax = plot_pwin_vs_month(attach_marks(a.by_month, a.payback), a.info)
    assert DAY_ONE in texts_of(fig)  # the dot's label too, not "month 1"


# --- one sign convention ----------------------------------------------------------------------------


def test_the_saving_is_positive_and_a_loss_is_called_a_loss():
    info = RunInfo(scenario="s", title="S", strategies=("rag", "ft"), labels={"rag": "RAG", "ft": "Fine-tune"},
                   baseline="rag", samples=20_000, seed=1, sampler="lhs", version="0")
    (x_mean, mean, _), (x_cvar, cvar, is_cvar) = mark_words(
        pd.Series({"mean_delta_usd": -223_000.0, "cvar95_delta_usd": 63_000.0}), info)
    assert (x_mean, mean) == (223_000.0, "expected saving $223k")
    assert x_cvar == -63_000.0 and is_cvar
    assert cvar.replace("\n", " ") == "CVaR95: average loss in the worst 5 % of futures $63k"
    _, (_, still, _) = mark_words(pd.Series({"mean_delta_usd": -15_500.0, "cvar95_delta_usd": -11_400.0}), info)
    assert "save $11.4k" in still and "-$" not in still


@charts
def test_the_delta_chart_draws_the_saving_right_of_zero(analyses):
    a = analyses
    frame = attach_marks(a.delta_distribution, _delta_marks(a))
    fig, axes = plot_delta_distribution(frame, a.info)
    for ax in np.atleast_1d(axes):
        assert "right of 0 = saves" in ax.get_xlabel() and "Saving" in ax.get_xlabel()
    texts = " ".join(texts_of(fig)).replace("\\$", "$")
    assert "expected saving $" in texts and "expected: -$" not in texts
    assert delta_finding(frame, a.info).startswith(f"{a.info.label(a.info.main_challenger)} saves $")


def _delta_marks(a: RunAnalyses) -> pd.DataFrame:
    from ftrag_mc.analysis.delta_distribution import compute_delta_marks

    return compute_delta_marks(a.result)


# --- the breakdown --------------------------------------------------------------------------------


def _breakdown_frame() -> pd.DataFrame:
    rows = []
    for s, parts in {"rag": {"llm": 20_000, "labour": 21_000, "quality": 1_600_000},
                     "ft": {"llm": 3_000, "cache": 2_500, "training": 77_000, "quality": 1_300_000, "interim": 26_000}
                     }.items():
        total = sum(parts.values())
        rows += [{"strategy": s, "label": s.upper(), "component": c, "horizon_months": 36, "queries_per_month": 250_000,
                  "mean_usd": v, "share_of_mean": v / total, "total_mean_usd": total, "samples": 1000, "seed": 1}
                 for c, v in parts.items()]
    return pd.DataFrame(rows)


@charts
def test_no_legend_entry_without_a_visible_bar_and_interim_in_words():
    info = RunInfo(scenario="s", title="S", strategies=("rag", "ft"), labels={"rag": "RAG", "ft": "Fine-tune"},
                   baseline="rag", samples=1000, seed=1, sampler="lhs", version="0", main_challenger="ft",
                   interims={"ft": "rag"})
    frame = _breakdown_frame()
    segments = breakdown_segments(frame, info)
    folded = segments[segments["segment"] == SMALLER]
    assert list(folded["strategy"]) == ["ft"] and set(folded["folded"].iloc[0]) == {"llm", "cache"}
    fig, ax = plot_breakdown(frame, info)
    fig.canvas.draw()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "prompt cache" not in legend and "interim" not in legend
    assert segment_label("interim", info) in legend and segment_label("interim", info) == "before launch: RAG serves"
    widest = max(abs(b.get_width()) for b in ax.patches)
    for entry, handle in zip(legend, ax.get_legend().legend_handles):
        colour = handle.get_facecolor()
        widths = [abs(b.get_width()) for b in ax.patches if np.allclose(b.get_facecolor(), colour)]
        assert widths and max(widths) >= 0.01 * widest / 1.12, entry  # a bar one can see
    title = breakdown_finding(frame, info)
    assert title.startswith("Quality is 92–98 % of every strategy's cost: the decision hangs on the error-rate "
                            "guesses, not on token prices"), title


def test_a_share_range_with_an_end_past_99_percent_reads_in_words():
    # RAG all LLM calls (>99 %), a fine-tune 59 % LLM calls: "59 % to >99 %", not "59–>99 %".
    info = RunInfo(scenario="s", title="S", strategies=("rag", "ft"), labels={"rag": "RAG", "ft": "Fine-tune"},
                   baseline="rag", samples=1000, seed=1, sampler="lhs", version="0", main_challenger="ft")
    rows = []
    for s, parts in {"rag": {"llm": 15_200.0, "labour": 1.0}, "ft": {"llm": 7_300.0, "training": 5_100.0}}.items():
        total = sum(parts.values())
        rows += [{"strategy": s, "label": s.upper(), "component": c, "horizon_months": 24, "queries_per_month": 50_000,
                  "mean_usd": v, "share_of_mean": v / total, "total_mean_usd": total, "samples": 1000, "seed": 1}
                 for c, v in parts.items()]
    title = breakdown_finding(pd.DataFrame(rows), info)
    assert title.startswith("LLM calls are 59 % to >99 % of every strategy's cost"), title


# --- the tornado ------------------------------------------------------------------------------------


@pytest.mark.parametrize("label", [
    "Engineer-weeks to build of Hosted fine-tune (gpt-4.1-mini) with a very long strategy label",
    "Share of curation redone per retrain of Fine-tuned Haiku",
    "Tuned error rate",
])
def test_a_tornado_label_never_cuts_a_word(label):
    wrapped = wrap_label(label)
    words = wrapped.replace("\n", " ").removesuffix(" …").split()
    assert words == label.split()[:len(words)]  # every word whole, in order; only whole words left out
    assert all(len(line) <= 30 for line in wrapped.split("\n"))


@charts
def test_tornado_bars_say_their_units_and_the_saving():
    info = RunInfo(scenario="s", title="S", strategies=("rag", "ft"), labels={"rag": "RAG", "ft": "Fine-tune"},
                   baseline="rag", samples=1000, seed=1, sampler="lhs", version="0")
    long = "Engineer-weeks to build of Hosted fine-tune (gpt-4.1-mini)"
    frame = pd.DataFrame([
        _tornado_row("inputs.tuned_error_rate", "Tuned error rate", 0.0399, 0.0601, -491_000, -112_000, "fraction"),
        _tornado_row("strategies.ft.training.engineer_weeks", long, 1.46, 2.93, -305_000, -298_000, "weeks"),
        _tornado_row("inputs.misroute_usd", "Misroute cost", 0.952, 2.64, -145_000, -503_000, "USD"),
    ])
    fig, ax = plot_tornado(frame, info)
    fig.canvas.draw()
    texts = texts_of(fig)
    for value in ("4.0 %", "6.0 %", "1.46 weeks", "2.93 weeks", r"\$0.95", r"\$2.64"):
        assert value in texts, (value, texts)
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks[1].replace("\n", " ") == long and "…" not in ticks[1]
    assert "right of 0 = saves" in ax.get_xlabel()
    assert tornado_finding(frame, info) == "Tuned error rate swings the 36-month saving of Fine-tune most: $112k to $491k"


def _tornado_row(name, label, low, high, d_low, d_high, unit):
    return {"strategy": "ft", "baseline": "rag", "horizon_months": 36, "queries_per_month": 250_000, "input": name,
            "label": label, "percentile_low": 0.1, "percentile_high": 0.9, "value_low": low, "value_high": high,
            "delta_low_usd": d_low, "delta_high_usd": d_high, "base_delta_usd": -301_000.0,
            "swing_usd": abs(d_high - d_low), "flips_answer": False, "band_low_percentile": 0.2,
            "band_high_percentile": 0.8, "cond_delta_low_usd": -280_000.0, "cond_delta_high_usd": -320_000.0,
            "unit": unit}


def test_an_inputs_unit_comes_from_the_key_that_names_it_and_no_word_is_said_twice():
    from ftrag_mc.analysis.inputs import input_label, input_unit
    from ftrag_mc.formats import format_quantity

    s = fm.load_scenario("scenarios/support-classifier.toml")
    assert input_unit(s, "inputs.misroute_usd") == "USD"  # quality.cost_per_error_usd = "misroute_usd"
    assert input_unit(s, "inputs.tuned_error_rate") == "fraction"
    assert input_unit(s, "strategies.fine_tuned.training.retrain_every_months") == "months"
    table = fm.load_scenario("scenarios/hybrid.toml")
    assert input_label(table, "inputs.cost_per_error") == "Cost per error"
    from ftrag_mc.schema import key_words as _key_words

    assert _key_words("cost_per_error_usd") == "cost per error" and _key_words("misroute_usd") == "misroute cost"
    assert _key_words("rag_setup_weeks") == "RAG setup weeks" and _key_words("lora_rank") == "LoRA rank"
    assert [format_quantity(v, u) for v, u in [(0.0399, "fraction"), (3, "USD per million tokens"), (1800, "tokens"),
                                              (4100, "USD/week"), (1, "weeks")]] == [
        "4.0 %", "$3/M tokens", "1.8k tokens", "$4.1k/week", "1 week"]


# --- the fan ----------------------------------------------------------------------------------------


@charts
def test_the_fan_is_one_panel_per_strategy_on_a_shared_axis(analyses):
    a = analyses
    fig, axes = plot_fan(a.fan, a.info)
    assert len(axes) == 3 and all(isinstance(x, Axes) for x in axes)
    assert axes[0].get_shared_y_axes().joined(axes[0], axes[2])
    for ax, s in zip(axes, ("rag", "cached", "ft")):
        colours = {matplotlib.colors.to_hex(c.get_facecolor()[0]) for c in ax.collections}
        assert len(colours) == 2  # its own two bands, no other strategy's
        assert ax.get_title(loc="left").startswith(a.info.label(s))
    fig1, ax1 = plt.subplots()
    plot_fan(a.fan, a.info, ax=ax1)  # a caller's one axes: medians with one band each
    assert len(ax1.collections) == 3


# --- compare ----------------------------------------------------------------------------------------


def test_compare_is_titled_in_the_scenarios_words():
    from ftrag_mc.report.charts import compare_finding

    rows = [{"variant": v, "scenario": sc, "file": None, "strategy": s, "label": lab, "baseline": "b",
             "baseline_label": base, "queries_per_month": q, "horizon_months": 36, "p_win": p, "p_win_low": p,
             "p_win_high": p, "mean_delta_usd": d, "samples": 500, "seed": 7, "sampler": "lhs"}
            for v, sc, s, lab, base, q, p, d in [
                ("support-classifier", "support-classifier", "ft", "Fine-tuned Haiku", "Few-shot prompt", 250e3, 0.94,
                 -2e5),
                ("legal-docs", "legal-docs", "tune", "Fine-tuned Haiku + retrieval", "RAG, cached", 15e3, 0.0, 1e5)]]
    frame = pd.DataFrame({"variant": ["x"], "strategy": ["ft"], "label": ["l"], "queries_per_month": [1.0],
                          "p_win": [0.5], "p_win_low": [0.4], "p_win_high": [0.6]})
    frame.attrs = {"headline": rows, "headline_columns": list(rows[0]),
                   "titles": {"support-classifier": "Support classifier (250k queries/month): prompt vs tune",
                              "legal-docs": "Legal-docs summarizer (15k/month): cached RAG vs a fine-tune"}}
    title = compare_finding(frame, None)
    assert "Support classifier (250k queries/month): Fine-tuned Haiku beats Few-shot prompt in 94 %" in title
    assert "Legal-docs summarizer (15k/month): Fine-tuned Haiku + retrieval beats RAG, cached in no future" in title
    assert "support-classifier" not in title


# --- the PDF ------------------------------------------------------------------------------------------


def test_the_title_page_reads_the_decision_table_from_the_items(analyses):
    from ftrag_mc.report.pdf import decision_table

    a = analyses
    items = {"summary.csv": a.summary}
    header, rows, _note = decision_table(a.result, items)
    assert header[0] == "Challenger" and len(rows) == 2  # summary.csv's key figures, without decision.csv
    decision = a.decision.table
    header, rows, note = decision_table(a.result, {**items, "decision.csv": decision})
    assert header[:3] == ["Rank", "Strategy", "Expected NPC ± se"]
    assert len(rows) == len(decision) == len(a.result.strategies)  # every strategy, baseline included
    rec = decision[decision["role"] == "recommended"].iloc[0]
    assert rows[0][:2] == ["1", f"▶ {rec['label']}"]  # the recommended strategy first, marked
    assert note.startswith("▶ the recommended strategy")


@pytest.mark.slow
def test_run_paper_letter_prints_on_us_letter(runner, tmp_path, minimal_path):
    from ftrag_mc.cli import main

    result = runner.invoke(main, ["run", str(minimal_path), "-n", "200", "-q", "--paper", "letter", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    pdf = (tmp_path / "minimal" / "report.pdf").read_bytes()
    boxes = {tuple(round(float(v)) for v in box.split())
             for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf)}
    assert boxes == {(0, 0, 792, 612)}
