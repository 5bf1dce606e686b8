"""The board pack: headline wording, the PDF, summary.md, the inputs' sources and the data
dictionary of every CSV."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import ftrag_mc as fm
from ftrag_mc.cli import main
from ftrag_mc.report.analyses import RunAnalyses
from ftrag_mc.report.assumptions import parse_input_sources
from ftrag_mc.report.dictionary import columns_frame
from ftrag_mc.report.headline import headline
from ftrag_mc.report.items import DOCUMENT_FILES, REPORT_ITEMS, build_report, close_figures
from ftrag_mc.report.pdf import build_pdf, pdf_page_count, pdf_pages, write_pdf
from ftrag_mc.report.summary import build_summary_md

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def minimal_run():
    """A 500-sample run of the two-strategy test scenario (RAG baseline, fine-tune), with its report."""
    path = Path(__file__).parent / "fixtures" / "good" / "minimal.toml"
    scenario = fm.parse_scenario(tomllib.loads(path.read_text()), name="minimal", file=str(path))
    result = fm.simulate(scenario, samples=500, seed=11)
    items = build_report(result)
    yield result, items
    close_figures(items)


def _pair_row(items, **values) -> pd.DataFrame:
    """``decision.csv`` with the runner-up's row set to ``values`` (a synthetic case)."""
    frame = items["decision.csv"].copy()
    at = frame.index[frame["role"] == "runner-up"][0]
    for column, value in values.items():
        frame.loc[at, column] = value
    return frame


def test_headline_is_the_decision_in_words(minimal_run):
    result, items = minimal_run
    decision = _pair_row(items, saving_usd=223_000.0, saving_se_usd=1_300.0, saving_p5_usd=-12_600.0,
                         saving_p95_usd=566_000.0, p_loss=0.064, p_loss_low=0.06, p_loss_high=0.068,
                         cvar95_loss_usd=45_000.0, cvar95_loss_se_usd=2_100.0, flip_queries_per_month=69_200.0,
                         flip_low_queries_per_month=67_000.0, flip_high_queries_per_month=71_000.0,
                         flip_side="below", flip_to="rag")
    assert headline(result, decision).endswith(
        "Against the alternative, RAG, it saves $223k on average (standard error $1.3k; P5–P95: from costing "
        "$12.6k more to saving $566k) and costs more in 6.4 % of futures (95 % CI 6.0–6.8 %); its average loss "
        "in the worst 5 % of futures is $45k (standard error $2.1k). The choice flips to RAG below 69k "
        "queries/month (95 % CI 67k–71k), where its expected cost is the lower one.")
    assert headline(result, decision).startswith("Fine-tune is the recommended choice over 24 months at 50k "
                                                 "queries/month: it has the lowest expected net present cost of "
                                                 "the 2 strategies and is the cheaper of the two in ")


def test_headline_names_the_input_that_matters_most(minimal_run):
    # The swing is a plain subtraction of the two ΔNPCs: |-40,000 - (-418,000)| = 378,000.
    result, items = minimal_run
    top = pd.DataFrame({"label": ["Tuned error rate", "Misroute cost"], "swing_usd": [378_000.0, 358_000.0]})
    decision = items["decision.csv"]
    assert headline(result, decision, top).endswith(
        ". What matters most: Tuned error rate (its P10–P90 swing moves the saving by $378k).")
    assert headline(result, decision, top.iloc[:0]) == headline(result, decision)


def test_headline_coin_flip(minimal_run):
    result, items = minimal_run
    decision = _pair_row(items, saving_usd=1_000.0, p_loss=0.5, p_loss_low=0.47, p_loss_high=0.53)
    assert "and costs more in 50.0 % of futures (95 % CI 47.0–53.0 %): a coin flip" in headline(result, decision)


def test_headline_never_says_a_negative_saving(minimal_run):
    result, items = minimal_run
    decision = _pair_row(items, saving_usd=-5_000.0, saving_p5_usd=-30_000.0, saving_p95_usd=-1_000.0,
                         cvar95_loss_usd=28_000.0)
    text = headline(result, decision)
    assert "it costs $5k more on average" in text
    assert "P5–P95: from costing $30k more to costing $1k more" in text
    assert "its average loss in the worst 5 % of futures is $28k" in text
    assert "saving -" not in text and "saves -" not in text and "-$" not in text


def test_top_inputs_are_the_largest_p10_p90_swings():
    # Two additive inputs: ΔNPC = a + b (constants elsewhere), a uniform on [0, 1000], b on [0, 10]:
    # swings 0.8 x 1000 = 800 and 0.8 x 10 = 8, a first.
    from ftrag_mc.analysis.sensitivity import compute_top_inputs
    from ftrag_mc.scenario import parse_scenario
    import tomllib
    s = parse_scenario(tomllib.loads("""
[scenario]
baseline = "base"
horizon_months = 1
[volume]
queries_per_month = 1
[inputs]
a = { dist = "uniform", min = 0, max = 1000 }
b = { dist = "uniform", min = 0, max = 10 }
[strategies.base]
one_time_usd = 0
[strategies.ch]
one_time_usd = "a"
fixed_usd_per_month = "b"
"""), name="t")
    top = compute_top_inputs(s, challenger="ch")
    assert top["input"].tolist() == ["inputs.a", "inputs.b"] and top["rank"].tolist() == [1, 2]
    assert top["swing_usd"].tolist() == pytest.approx([800.0, 8.0])
    assert top["delta_low_usd"].iloc[0] == pytest.approx(100.0 + 5.0)  # a at P10, b at its median


def test_headline_of_a_real_run_names_the_recommended_and_the_runner_up():
    """Three strategies: the fine-tune against the cached prompt (the runner-up), not the uncached
    baseline, which the cached prompt beats in every future."""
    table = tomllib.loads((ROOT / "scenarios" / "support-classifier.toml").read_text())
    scenario = fm.parse_scenario(table, name="support")
    result = fm.simulate(scenario, samples=2_000, seed=3)
    decision = fm.compute_decision(result)
    text = headline(result, decision.table)
    assert text.startswith("Fine-tuned Haiku is the recommended choice over 36 months at 250k queries/month")
    assert "Against the best alternative, Few-shot prompt, cached, it saves $" in text
    assert "Few-shot prompt (Haiku): beaten by Few-shot prompt, cached in 100.0 % of futures (dominated)." in text


def _page_sizes(pdf: bytes) -> list[tuple[float, ...]]:
    """The MediaBox of every page of a PDF matplotlib wrote, in points."""
    return [tuple(float(v) for v in box.split()) for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf)]


def test_pdf_pages_and_figures_untouched(minimal_run):
    result, items = minimal_run
    charts = [name for name, item in items.items() if isinstance(item, plt.Figure)]
    texts_before = {name: len(items[name].texts) for name in charts}
    sizes_before = {name: tuple(items[name].get_size_inches()) for name in charts}
    pdf = build_pdf(items, result)
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    contents = pdf_pages(items, result)
    assert contents[0] == "title" and contents[-1] == "method" and contents[1:1 + len(charts)] == charts
    assert pages == len(contents) == pdf_page_count(items, result)
    # The charts are printed as they are: nothing drawn on them, nothing resized (the PNGs are unchanged).
    assert {name: len(items[name].texts) for name in charts} == texts_before
    assert {name: tuple(items[name].get_size_inches()) for name in charts} == sizes_before


@pytest.mark.parametrize("paper, size", [("a4", (841.68, 595.44)), ("letter", (792.0, 612.0))])
def test_every_pdf_page_is_one_landscape_sheet(minimal_run, paper, size):
    result, items = minimal_run
    sizes = _page_sizes(build_pdf(items, result, paper=paper))
    assert len(sizes) == pdf_page_count(items, result, paper=paper)
    assert {(round(x1 - x0, 2), round(y1 - y0, 2)) for x0, y0, x1, y1 in sizes} == {size}


def test_the_inputs_pages_name_inputs_in_words_with_units_and_leave_unused_zeros_out():
    from ftrag_mc.report.assumptions import inputs_table

    scenario = fm.load_scenario(ROOT / "scenarios" / "support-classifier.toml")
    table = inputs_table(fm.simulate(scenario, samples=200, seed=1))
    assert list(table["group"].drop_duplicates()) == ["inputs", "settings", "prompted", "prompted_cached",
                                                      "fine_tuned"]
    assert not table["input"].str.contains(r"strategies\.|_usd|_per_").any()  # words, not dotted keys
    row = table[table["input"].str.startswith("Training run cost")].iloc[0]
    assert row["group"] == "fine_tuned" and row["value"].startswith("median $2.") and row["source"] == "article: $2,200"
    tuned = table[table["input"].str.startswith("Tuned error rate")].iloc[0]
    assert "used by Fine-tuned Haiku" in tuned["input"] and "%" in tuned["value"]
    # Zero defaults of keys the file does not use (a delay cost, a per-query fee) are left out.
    assert "constant" in set(table["distribution"]) and not (table["value"].str.fullmatch(r"\$?0[^.]*")).any()
    assert len(table) < len(scenario.inputs) / 1.5


def test_a_long_source_comment_is_wrapped_never_cut(tmp_path):
    from ftrag_mc.report.pages import table_rows

    comment = " ".join(f"word{i}" for i in range(120))
    rows = table_rows([["Misroute cost", "$1.50", "constant", comment]], [2.75, 2.55, 1.55, 3.8], 8)
    lines = rows[0].cells[3]
    assert len(lines) > 3 and " ".join(lines) == comment and "…" not in "".join(lines)


@pytest.mark.slow
def test_write_pdf_returns_its_page_count(minimal_run, tmp_path):
    result, items = minimal_run
    pages = write_pdf(tmp_path / "report.pdf", items, result)
    assert pages == pdf_page_count(items, result)
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")


def test_summary_md_has_the_headline_and_every_file(minimal_run):
    result, items = minimal_run
    text = build_summary_md(result, items["summary.csv"], items)
    assert headline(result, items["decision.csv"], items.get("top_inputs.csv")) in text
    for name in [*items, *DOCUMENT_FILES, "run.json"]:
        assert f"`{name}`" in text
    assert "## Data dictionary" in text and "| mean_delta_usd |" in text


def test_sources_come_from_the_comment_on_the_key_line():
    text = """
[inputs]
# the cost of one error
misroute_usd = { dist = "pert", min = 1, mode = 2, max = 3 }
rate = 0.1   # article: 10 %
[strategies.ft]
llm = { prompt_tokens = 60, input_premium = 0.3 }  # article: "30 %"
# about prompt tokens only
other = { a = 1 }
"""
    sources = parse_input_sources(text)
    assert sources["inputs.misroute_usd"] == "the cost of one error"
    assert sources["inputs.rate"] == "article: 10 %"
    assert sources["strategies.ft.llm.input_premium"] == 'article: "30 %"'
    assert "strategies.ft.other.a" not in sources


def test_sources_are_read_as_toml_not_as_lines():
    # A "#" inside a string, a multi-line string, a dotted key, a blank line, a nested inline
    # table with a distribution in it: what a line-by-line reader got wrong.
    text = '''
[scenario]
title = "Costs # not a comment"   # the title's own comment
description = """
rate = 5  # inside a string, not a key
"""
# above a blank line

[strategies.ft]
# a comment above a dotted key
training.run_usd = 500
quality = { error_rate = { dist = "pert", min = 0.1, mode = 0.2, max = 0.3 }, cost_per_error_usd = 4 }  # article: 80 %
'''
    sources = parse_input_sources(text)
    assert sources["scenario.title"] == "the title's own comment"
    assert "scenario.description" not in sources and "rate" not in sources and "scenario.rate" not in sources
    assert sources["strategies.ft.training.run_usd"] == "a comment above a dotted key"
    assert sources["strategies.ft.quality.error_rate"] == "article: 80 %"
    assert sources["strategies.ft.quality.cost_per_error_usd"] == "article: 80 %"
    assert "strategies.ft.quality.error_rate.dist" not in sources
    assert parse_input_sources("not = [toml") == {}


@pytest.mark.slow
def test_every_column_of_every_csv_is_described(runner, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(main, ["run", str(ROOT / "scenarios" / "support-classifier.toml"),
                                  "--samples", "512", "--out", str(out), "-q"], prog_name="ftrag-mc")
    assert result.exit_code == 0, result.output
    csvs = sorted((out / "support-classifier").glob("*.csv"))
    assert {p.name for p in csvs} >= {"summary.csv", "breakeven.csv", "cheapest_vs_volume.csv"}
    written = pd.read_csv(out / "support-classifier" / "columns.csv")
    described = set(zip(written.file, written.column))
    missing = [f"{p.name}:{c}" for p in csvs for c in pd.read_csv(p, nrows=0).columns if (p.name, c) not in described]
    assert not missing, f"columns without a description in columns.csv: {missing}"
    frame = columns_frame()
    assert list(frame.columns) == ["file", "column", "meaning", "unit"]
    assert (frame.meaning.str.len() > 0).all() and (frame.unit.str.len() > 0).all()
    assert set(columns_frame(["summary.csv"]).file) == {"summary.csv"}


@pytest.mark.parametrize("name", sorted(p.stem for p in (ROOT / "scenarios").glob("*.toml")))
def test_each_csv_item_describes_exactly_the_columns_it_writes(name):
    """Every shipped scenario: each CSV of the manifest has a description per column, no more, no
    fewer (the data dictionary is the items' descriptions)."""
    scenario = fm.load_scenario(ROOT / "scenarios" / f"{name}.toml")
    analyses = RunAnalyses(fm.simulate(scenario, samples=256, seed=3))
    csvs = [item for item in REPORT_ITEMS if item.name.endswith(".csv") and item.build is not None
            and item.applies(analyses.result)]
    assert {item.name for item in csvs} >= {"summary.csv", "breakdown.csv", "fan.csv"}
    for item in csvs:
        assert sorted(item.build(analyses).columns) == sorted(item.columns), item.name
    assert not [item.name for item in REPORT_ITEMS if item.name.endswith(".csv") and not item.columns]
    rows = columns_frame([item.name for item in csvs])
    assert len(rows) == sum(len(item.columns) for item in csvs)


def test_the_component_column_names_every_registered_component():
    from ftrag_mc.model.components import component_values_text

    breakdown = columns_frame(["breakdown.csv"]).set_index("column")
    assert component_values_text() in breakdown.loc["component", "meaning"]


def test_the_headline_figures_read_the_same_in_console_summary_and_csv(runner, tmp_path):
    # One number through one formatter: the headline's figures are decision.csv's, and summary.md
    # and the console say the same sentence.
    out = tmp_path / "out"
    run = runner.invoke(main, ["run", str(ROOT / "scenarios" / "support-classifier.toml"),
                               "--samples", "2000", "--out", str(out)], prog_name="ftrag-mc")
    assert run.exit_code == 0, run.output
    console = run.output.splitlines()
    head = console[0]
    found = re.search(
        r"^(?P<who>.+?) is the recommended choice over 36 months at 250k queries/month: .+? is the cheapest of "
        r"all in (?P<p>[\d.]+ %) of futures \(95 % CI (?P<ci>[\d.]+–[\d.]+ %)\)\. Against the best alternative, "
        r"(?P<ru>.+?), it saves (?P<usd>\$[\d.]+k) on average \(standard error (?P<se>\$[\d.]+k); P5–P95: from "
        r"costing (?P<p5>\$[\d.]+k) more to saving (?P<p95>\$[\d.]+k)\) and costs more in (?P<loss>[\d.]+ %) of "
        r"futures .*? The choice flips to .+? below (?P<flip>[\d.]+k) queries/month .* What matters most: "
        r"(?P<top>.+) \(its P10–P90 swing moves the saving by (?P<swing>\$[\d.]+k)\)\.$", head)
    assert found, head
    assert (found["who"], found["ru"]) == ("Fine-tuned Haiku", "Few-shot prompt, cached")
    folder = out / "support-classifier"
    md = (folder / "summary.md").read_text().splitlines()
    assert head in md
    decision = pd.read_csv(folder / "decision.csv").set_index("strategy")
    rec, ru = decision.loc["fine_tuned"], decision.loc["prompted_cached"]
    assert (rec.role, ru.role, decision.loc["prompted", "role"]) == ("recommended", "runner-up", "dominated")
    assert float(found["p"].split()[0]) == pytest.approx(100 * rec.p_cheapest, abs=0.05)
    low, high = (float(x) for x in found["ci"].removesuffix(" %").split("–"))
    assert (low, high) == (pytest.approx(100 * rec.p_cheapest_low, abs=0.05),
                           pytest.approx(100 * rec.p_cheapest_high, abs=0.05))
    assert float(found["usd"][1:-1]) == round(ru.saving_usd / 1000)
    assert float(found["se"][1:-1]) == pytest.approx(ru.saving_se_usd / 1000, abs=0.05)
    assert float(found["p5"][1:-1]) == pytest.approx(-ru.saving_p5_usd / 1000, abs=0.05)
    assert float(found["p95"][1:-1]) == round(ru.saving_p95_usd / 1000)
    assert float(found["loss"].split()[0]) == pytest.approx(100 * ru.p_loss, abs=0.05)
    assert float(found["flip"][:-1]) == round(ru.flip_queries_per_month / 1000)
    # The console's decision lines and summary.md's table carry the same P(cheapest).
    assert any(ln.startswith("  1. Fine-tuned Haiku: expected NPC") and f"{found['p']} (" in ln for ln in console)
    assert any(ln.startswith("| 1 | ▶ Fine-tuned Haiku |") and found["p"] in ln for ln in md)
    # What matters most: the first row of top_inputs.csv (the recommended against the runner-up).
    top = pd.read_csv(folder / "top_inputs.csv").iloc[0]
    assert (top.strategy, top.baseline) == ("fine_tuned", "prompted_cached")
    assert (found["top"], found["swing"]) == (top.label, f"${top.swing_usd / 1000:.0f}k")
    assert any(ln.startswith("Inputs that move the saving of Fine-tuned Haiku against Few-shot prompt, cached most")
               and f"{top.label} ({found['swing']})" in ln for ln in console)


@pytest.mark.slow
def test_a_5000_character_label_and_title_run_without_a_layout_warning():
    """Odd but valid: no "constrained_layout not applied" from any chart or the PDF of a run and
    of its sensitivity study (a label no font can draw still warns, once: see above)."""
    import io
    import warnings

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from ftrag_mc.report.builders import build_run_report, build_sensitivity_report

    table = tomllib.loads((Path(__file__).parent / "fixtures" / "good" / "minimal.toml").read_text())
    long = ("Fine tune " + "word " * 1000)[:5000]
    table["scenario"]["title"] = long
    table["strategies"]["ft"]["label"] = long
    scenario = fm.parse_scenario(table, name="long")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = build_run_report(fm.simulate(scenario, samples=300, seed=1))
        study = build_sensitivity_report(fm.simulate(scenario, samples=300, seed=1, keep_samples=True), sobol=False)
        for report in (run, study):
            with report:
                for name, item in report.items.items():
                    if isinstance(item, Figure):
                        FigureCanvasAgg(item).print_png(io.BytesIO())
    layout = [str(w.message) for w in caught if "layout" in str(w.message)]
    assert not layout, layout
    assert len(run.items["report.pdf"]) > 0
