"""The standard report's charts hold for 2 to 20 strategies, long and non-Latin labels, charts
with nothing to show, and runs whose evidence is thin (issue: "charts that hold at any scale").

Scenarios are built in code from the rough-breakeven scenario: the baseline RAG plus n - 1
hosted fine-tunes, each at its own prices, simulated with 2,000 samples.
"""

from __future__ import annotations

import copy
import re
import tomllib
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text  # noqa: E402

import ftrag_mc as fm  # noqa: E402
from ftrag_mc.report.items import build_report  # noqa: E402
from ftrag_mc.report.style import installed_cjk_fonts  # noqa: E402

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "rough-breakeven.toml"
CHARTS = ("pwin_vs_volume.png", "pwin_vs_month.png", "breakeven.png", "payback.png")
CHEAPEST = "cheapest_vs_volume.png"


# Charts of 2, 6 and 20 strategies drawn in full: the slow run (CI) holds them.
pytestmark = [pytest.mark.usefixtures("charts_never_saved"), pytest.mark.slow]


def scenario(n: int, labels: dict[int, str] | None = None, *, cheap: bool = False):
    """RAG and ``n - 1`` fine-tunes; ``cheap`` makes one fine-tune cheaper in every future
    from day one (no training run, a tenth of RAG's prices)."""
    table = tomllib.loads(SCENARIO.read_text())
    rag = table["strategies"]["rag"]
    ft = table["strategies"]["fine_tune"]
    strategies = {"rag": rag}
    for i in range(1, n):
        s = copy.deepcopy(ft)
        s["label"] = (labels or {}).get(i, f"Fine-tune variant {i}")
        if cheap:
            s["llm"].update(input_usd_per_mtok=0.3, output_usd_per_mtok=1.5, input_premium=0,
                            output_premium=0)
            s.pop("training", None)
        else:
            s["llm"].update(input_usd_per_mtok=1 + 0.2 * i, output_usd_per_mtok=5 + 0.5 * i)
            s["training"] = {"run_usd": 1000.0 * i}
        strategies[f"ft{i}"] = s
    table["strategies"] = strategies
    return fm.parse_scenario(table, name=f"scale-{n}")


def report(n: int, labels=None, *, cheap=False, samples=2000):
    items = build_report(fm.simulate(scenario(n, labels, cheap=cheap), samples=samples, seed=1))
    # The run charts of ftrag_mc.report.charts (the report may hold others, drawn elsewhere).
    figures = {k: v for k, v in items.items()
               if isinstance(v, Figure) and k in (*CHARTS, CHEAPEST)}
    for k, v in items.items():
        if isinstance(v, Figure) and k not in figures:
            plt.close(v)
    for fig in figures.values():
        fig.canvas.draw()
    return figures


def texts_of(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


def panel_grid(fig: Figure) -> list[int]:
    """How many axes share each row of the figure's grid."""
    rows: dict[int, int] = {}
    for a in fig.axes:
        spec = a.get_subplotspec()
        if spec is not None:
            rows[spec.rowspan.start] = rows.get(spec.rowspan.start, 0) + 1
    return list(rows.values())


@pytest.fixture(scope="module")
def reports():
    return {n: report(n) for n in (2, 6, 20)}


@pytest.mark.parametrize("n", [2, 6, 20])
def test_every_chart_renders_and_no_panel_row_is_wider_than_four(reports, n):
    figures = reports[n]
    expected = CHARTS + ((CHEAPEST,) if n > 2 else ())
    assert set(figures) == set(expected)
    for name, fig in figures.items():
        assert max(panel_grid(fig)) <= 4, (name, panel_grid(fig))
        assert fig.get_figwidth() <= 17.0 and fig.get_figheight() <= 20.0, name


def _against_baseline(fig: Figure) -> list:
    """The panels of a challenger against the baseline (the first panel is the decision's pair:
    the recommended strategy against the runner-up, here two fine-tunes)."""
    return [a for a in fig.axes if a.get_ylabel().replace("\n", " ").endswith("cheaper than RAG (Sonnet))")]


def test_panels_beyond_the_grid_are_named_in_the_footnote(reports):
    fig = reports[20]["pwin_vs_volume.png"]
    assert len(fig.axes) <= 12
    hidden = 19 - len(_against_baseline(fig))
    assert any(f"{hidden} more challengers not drawn: see pwin_vs_volume.csv" in t.replace("\n", " ")
               for t in texts_of(fig))


def _styles(fig: Figure) -> list[tuple[str, object, object]]:
    ax = fig.axes[0]
    handles, labels = ax.get_legend_handles_labels()
    return [(to_hex(h.get_color()), str(h.get_linestyle()), h.get_marker()) for h in handles]


@pytest.mark.parametrize("n", [6, 20])
@pytest.mark.parametrize("chart", ["pwin_vs_month.png", "cheapest_vs_volume.png"])
def test_no_two_strategies_are_drawn_alike(reports, n, chart):
    styles = _styles(reports[n][chart])
    assert len(styles) >= 3
    assert len(set(styles)) == len(styles), styles


def test_panels_of_twenty_challengers_are_drawn_apart(reports):
    """Across the P(win) panels each strategy's longest-horizon line has its own look."""
    looks = []
    for a in _against_baseline(reports[20]["pwin_vs_volume.png"]):
        longest = max(a.get_lines(), key=lambda ln: ln.get_linewidth())
        looks.append((to_hex(longest.get_color()), longest.get_marker()))
    assert len(set(looks)) == len(looks), looks


def test_a_5000_character_label_is_shortened():
    label = "Fine-tune " + "x" * 4990
    figures = report(3, {1: label})
    for name, fig in figures.items():
        for text in texts_of(fig):
            longest = max((len(run) for run in re.findall(r"x+", text)), default=0)
            assert longest <= 60, (name, text[:120])
        assert any("…" in t for t in texts_of(fig)), name


def test_cjk_labels_draw_without_missing_glyphs():
    # A font installed after matplotlib built its font cache (fonts-noto-cjk, which .ci/run
    # installs where it can) is found: the list is refreshed when no CJK font is known.
    if not installed_cjk_fonts():
        pytest.skip("no CJK font on this machine (e.g. apt-get install fonts-noto-cjk)")
    import io
    import warnings

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figures = report(3, {1: "微调模型", 2: "ファインチューン"})
    assert any("微调模型" in t for t in texts_of(figures["pwin_vs_month.png"]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for fig in figures.values():  # really draw every chart to PNG (savefig is refused here)
            FigureCanvasAgg(fig).print_png(io.BytesIO())
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)
               or "no installed font" in str(w.message)]
    assert not missing, missing


def test_a_label_no_font_can_draw_warns_once_not_per_glyph(monkeypatch):
    import warnings

    from ftrag_mc.report import style

    monkeypatch.setattr(style, "_WARNED", False)
    # Linear B syllables: neither DejaVu Sans nor any CJK font has them.
    assert style.undrawable_characters(["RAG", "𐀀𐀁 tuned", "微"]) == ("𐀀𐀁" if installed_cjk_fonts() else "𐀀𐀁微")
    figs = []
    for _ in range(2):
        fig = plt.figure()
        fig.text(0.1, 0.5, "𐀀𐀁𐀂𐀃 model")
        figs.append(fig)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for fig in figs:
            style.warn_undrawable(fig)
    messages = [str(w.message) for w in caught]
    assert len(messages) == 1 and "no installed font can draw" in messages[0], messages


def test_payback_with_nothing_to_show_says_why():
    figures = report(2, cheap=True)
    texts = [t.replace("\n", " ") for t in texts_of(figures["payback.png"])]
    assert "Every future is cheaper from day one: nothing to show on a payback axis" in texts
    breakeven = " ".join(t.replace("\n", " ") for t in texts_of(figures["breakeven.png"]))
    assert "nothing to show on a breakeven axis" in breakeven


def test_few_samples_are_called_rough():
    figures = report(2, samples=500)
    for name, fig in figures.items():
        assert any("rough estimate" in t.lower().replace("\n", " ") for t in texts_of(fig)), name


def test_a_pwin_near_half_is_called_a_coin_flip():
    import numpy as np
    import pandas as pd

    from ftrag_mc.report.charts import plot_pwin_vs_month
    from ftrag_mc.report.style import RunInfo

    info = RunInfo(scenario="s", title="S", strategies=("rag", "ft"),
                   labels={"rag": "RAG", "ft": "Fine-tune"}, baseline="rag", samples=20_000,
                   seed=1, sampler="mc", version="0", queries_per_month=65_000)
    m = np.arange(0, 37)
    p = np.clip(0.02 * m, 0, 0.51)
    curve = pd.DataFrame({"strategy": "ft", "label": "Fine-tune", "month": m, "p_win": p,
                          "p_win_low": p - 0.02, "p_win_high": p + 0.02})
    fig, _ax = plot_pwin_vs_month(curve, info)
    assert "coin flip" in fig.get_suptitle()


def test_cjk_fallback_fonts_only_for_text_that_needs_them():
    # A loaded CJK font costs ~20 MB a process: a report of Latin text must not load one.
    from ftrag_mc.report.style import font_family, fonts_for, installed_cjk_fonts

    with fonts_for(["Fine-tune (hosted) – ΔNPC ≤ $5k ▶"]):
        assert font_family() == ["DejaVu Sans"]
    with fonts_for(["微调模型"]):
        assert font_family() == ["DejaVu Sans", *installed_cjk_fonts()]
    assert font_family() == ["DejaVu Sans", *installed_cjk_fonts()]  # outside: unknown text, every fallback


def test_the_report_knows_every_word_it_may_draw(tmp_path):
    # A CJK file name becomes the report's name (footnotes): the fallback fonts must be kept.
    from ftrag_mc.report.items import scenario_texts
    from ftrag_mc.scenario import load_scenario

    path = tmp_path / "价格 2026.toml"
    path.write_text((Path(__file__).parent / "fixtures" / "good" / "minimal.toml").read_text("utf-8"), "utf-8")
    texts = scenario_texts(load_scenario(path))
    assert "价格 2026" in texts and str(path) in texts

