"""The charts: titles that state the finding, units on the axes, one colour per strategy.

Frames are synthetic and built to have known answers (a logistic P(win) curve crossing 50 % at
72k queries/month, breakevens with set shares outside the range), so a title can be checked
word for word.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from ftrag_mc.accumulate import Bins, Histogram  # noqa: E402
from ftrag_mc.analysis.breakeven import breakeven_tables, payback_tables  # noqa: E402
from ftrag_mc.analysis.marks import attach_marks  # noqa: E402
from ftrag_mc.analysis.regimes import attach_regimes, compute_regimes  # noqa: E402
from ftrag_mc.report.charts import (  # noqa: E402
    plot_breakeven,
    plot_cheapest_vs_volume,
    plot_payback,
    plot_pwin_vs_month,
    plot_pwin_vs_volume,
)
from ftrag_mc.report.style import (  # noqa: E402
    OKABE_ITO,
    RunInfo,
    format_months,
    format_usd,
    format_volume,
    strategy_colours,
)

GRID = np.geomspace(1e3, 1e7, 41)
HORIZONS = (12, 24, 36)
VOLUME = 250_000.0
LABELS = {"rag": "RAG", "ft": "Fine-tune", "ft_self": "Fine-tune (self-hosted)",
          "hybrid": "Hybrid"}


pytestmark = pytest.mark.usefixtures("charts_never_saved")


def run_info(strategies=("rag", "ft"), baseline="rag", volume=None, main=None) -> RunInfo:
    return RunInfo(
        scenario="support-classifier", title="Support ticket classifier",
        strategies=strategies, labels={s: LABELS[s] for s in strategies}, baseline=baseline,
        samples=20_000, seed=2026, sampler="lhs", version="0.1.0", queries_per_month=volume,
        main_challenger=main,
    )


def wilson(p: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    z = 1.959964
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half


def logistic(q, q50, slope=2.5):
    return 1 / (1 + np.exp(-slope * (np.log(q) - np.log(q50))))


def pwin_frames(spec: dict[str, dict[int, object]], n: int = 20_000):
    """Curves and crossings; ``spec[strategy][horizon]`` is a crossing volume (logistic
    curve rising through 50 % there) or a callable q -> p."""
    rows, crossings = [], []
    for s, by_h in spec.items():
        for h, how in by_h.items():
            p = how(GRID) if callable(how) else logistic(GRID, how)
            lo, hi = wilson(p, n)
            wins = np.round(p * n).astype(int)
            rows.append(pd.DataFrame(dict(
                strategy=s, label=LABELS[s], horizon_months=h, queries_per_month=GRID,
                p_win=p, p_win_low=lo, p_win_high=hi, wins=wins, samples=n)))
            crossings.append(dict(strategy=s, label=LABELS[s], horizon_months=h,
                                  volume_at_50pct=np.nan if callable(how) else float(how)))
    return pd.concat(rows, ignore_index=True), pd.DataFrame(crossings)


def with_crossings(curves, crossings):
    return attach_marks(curves, crossings) if len(crossings) else curves


def month_frame(spec: dict[str, object], horizon: int = 36) -> pd.DataFrame:
    """``spec[strategy]`` is the month where P(win) reaches 50 % (a ramp through it) or None."""
    m = np.arange(horizon + 1)
    rows = []
    for s, month50 in spec.items():
        p = np.full(m.shape, 0.2) if month50 is None else np.clip(0.5 + (m - month50) * 0.06,
                                                                  0.02, 0.95)
        lo, hi = wilson(p, 20_000)
        rows.append(pd.DataFrame(dict(strategy=s, label=LABELS[s], month=m, p_win=p,
                                      p_win_low=lo, p_win_high=hi)))
    return pd.concat(rows, ignore_index=True)


def breakeven_values(n_zero=150, n_inf=150, n_finite=700, centre=74_000.0) -> np.ndarray:
    """Per horizon (rows): ``n_zero`` futures already winning at 1k, ``n_inf`` never below 10M and
    the rest spread log-symmetrically around ``centre`` (so the median is ``centre``)."""
    finite = centre * np.exp(np.linspace(-1.5, 1.5, n_finite))
    values = np.concatenate([np.zeros(n_zero), finite, np.full(n_inf, np.inf)])
    return np.stack([np.clip(values * (36 / h), 0, np.inf) for h in HORIZONS])


def breakeven_frame(*specs: dict, strategies=("ft",)) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(histogram, percentiles) frames of per-sample breakevens, through the analysis the report
    uses: ``breakeven_values(**spec)`` per strategy (one empty spec by default). Values outside
    the sweep become its sentinels, as the simulator reports them: 0 below, inf above."""
    values = np.stack([breakeven_values(**spec) for spec in (specs or ({},))])  # (C, horizons, n)
    values = np.where(values < 1e3, 0.0, np.where(values > 1e7, np.inf, values))
    hist = Histogram.of(Bins.log(1e3, 1e7, 2048), values, below_value=0.0)
    percentiles, histogram = breakeven_tables(hist, list(strategies), LABELS, HORIZONS)
    return histogram, percentiles


def payback_values(median=6.3, n=1001, never=0.04) -> np.ndarray:
    """Half the futures pay back by ``median`` months (the middle one of an odd count exactly
    then, so the median is an order statistic), a share ``never`` not within the horizon, the
    rest later."""
    n_never = int(round(n * never))
    n_lower = min(n // 2 + 1, n - n_never)
    lower = np.linspace(median - 4, median, n_lower)
    upper = np.linspace(median + 0.1, median + 12, n - n_lower - n_never)
    return np.concatenate([lower, upper, np.full(n_never, np.inf)])


def payback_frame(strategies=("ft",), nevers=(0.04,), **kw) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(histogram, percentiles) frames of ``payback_values`` per strategy, as the report makes them."""
    values = np.stack([payback_values(never=never, **kw) for never in nevers])
    hist = Histogram.of(Bins.linear(0.0, 36.0, 36 * 128), values, below_value=0.0)
    percentiles, histogram = payback_tables(hist, list(strategies), LABELS, volume=VOLUME, horizon_months=36)
    return histogram, percentiles


def with_regimes(frame):
    """The chart's frame: the curves with the regimes the analysis finds in them."""
    return attach_regimes(frame, compute_regimes(frame))


def cheapest_frame(split=40_000.0):
    """RAG most likely cheapest below ``split``, Hybrid above, Fine-tune never."""
    x = np.log(GRID / split)
    scores = {"rag": -1.5 * x, "ft": np.full_like(x, -3.0), "hybrid": 1.5 * x}
    total = sum(np.exp(v) for v in scores.values())
    rows = []
    for s, v in scores.items():
        p = np.exp(v) / total
        lo, hi = wilson(p, 20_000)
        rows.append(pd.DataFrame(dict(strategy=s, label=LABELS[s], horizon_months=36,
                                      queries_per_month=GRID, p_cheapest=p,
                                      p_cheapest_low=lo, p_cheapest_high=hi)))
    return pd.concat(rows, ignore_index=True)


def title_of(fig: Figure, ax: Axes) -> str:
    """The finding: the figure title of a chart's own figure, else its axes title."""
    return (fig.get_suptitle() or ax.get_title(loc="left")).replace("\n", " ")


def texts_of(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text)]


def footnote_of(fig: Figure) -> str:
    notes = [t.get_text() for t in fig.texts if t.get_gid() == "ftrag-footnote"]
    assert len(notes) == 1
    return notes[0].replace("\n", " ")


def line_colours(ax: Axes) -> set[str]:
    return {to_hex(line.get_color()) for line in ax.get_lines()}


# --- formatting -----------------------------------------------------------------------------


@pytest.mark.parametrize("q, text", [
    (1e3, "1k"), (1e4, "10k"), (1e5, "100k"), (1e6, "1M"), (1e7, "10M"), (250_000, "250k"),
    (72_443, "72k"), (1_500, "1.5k"), (1.25e6, "1.2M"), (999_700, "1M"), (640, "640"),
])
def test_format_volume(q, text):
    assert format_volume(q) == text


@pytest.mark.parametrize("x, text", [
    (12_345, "$12.3k"), (1.2e6, "$1.2M"), (350, "$350"), (-2_200, "-$2.2k"),
    (0.0015, "$0.0015"), (123_456, "$123k"), (2.5e9, "$2.5B"),
])
def test_format_usd(x, text):
    assert format_usd(x) == text


def test_format_months():
    assert format_months(6.3) == "6.3 months"
    assert format_months(1) == "1 month"
    assert format_months(12) == "12 months"


def test_baseline_takes_the_first_colour_wherever_it_stands():
    info = run_info(("ft", "hybrid", "rag"), baseline="rag")
    assert info.colours == {"rag": OKABE_ITO[0], "ft": OKABE_ITO[1], "hybrid": OKABE_ITO[2]}
    assert strategy_colours(["a", "b"]) == {"a": OKABE_ITO[0], "b": OKABE_ITO[1]}


def test_footnote_names_the_run():
    note = run_info().footnote("bands: 95 % Wilson intervals")
    assert note == ("Scenario support-classifier · 20,000 samples (lhs) · seed 2026 · "
                    "ftrag-mc 0.1.0 · bands: 95 % Wilson intervals")


# --- 1. P(win) vs volume --------------------------------------------------------------------


def test_pwin_vs_volume_title_reads_the_longest_horizon_crossing():
    curves, crossings = pwin_frames({"ft": {12: 200_000, 24: 110_000, 36: 72_000}})
    fig, ax = plot_pwin_vs_volume(with_crossings(curves, crossings), run_info(volume=VOLUME))
    assert isinstance(fig, Figure) and isinstance(ax, Axes)
    assert title_of(fig, ax) == (
        "Fine-tune beats RAG in most futures above 72k queries/month over 36 months")
    texts = texts_of(fig)
    assert "36 mo: 72k/month" in texts and "12 mo: 200k/month" in texts
    assert any("your volume" in t and "250k" in t for t in texts)
    assert "queries/month" in ax.get_xlabel() and ax.get_xscale() == "log"
    assert ax.get_ylabel() == "P(Fine-tune cheaper than RAG)"
    assert ax.yaxis.get_major_formatter()(0.5, 0) == "50 %"
    assert ax.xaxis.get_major_formatter()(1e5, 0) == "100k"


def test_pwin_vs_volume_never_and_always_and_falling():
    never = lambda q: np.linspace(0.1, 0.4, q.size)  # noqa: E731
    curves, crossings = pwin_frames({"ft": {12: never, 36: never}})
    fig, ax = plot_pwin_vs_volume(with_crossings(curves, crossings), run_info())
    assert title_of(fig, ax) == (
        "Fine-tune never beats RAG in most futures below 10M queries/month over 36 months")

    always = lambda q: np.linspace(0.6, 0.99, q.size)  # noqa: E731
    curves, crossings = pwin_frames({"ft": {36: always}})
    fig, ax = plot_pwin_vs_volume(with_crossings(curves, crossings), run_info())
    assert "at every volume from 1k to 10M queries/month" in title_of(fig, ax)

    # A curve falling through 50 % with no crossing row: the crossing is interpolated.
    falling = lambda q: 1 - logistic(q, 30_000)  # noqa: E731
    curves, crossings = pwin_frames({"ft": {36: falling}})
    fig, ax = plot_pwin_vs_volume(with_crossings(curves, crossings.iloc[0:0]), run_info())
    assert "in most futures below 30k queries/month" in title_of(fig, ax)


def test_pwin_vs_volume_draws_on_a_given_axes_and_refuses_two_challengers():
    curves, crossings = pwin_frames({"ft": {36: 72_000}})
    fig0, ax0 = plt.subplots()
    fig, ax = plot_pwin_vs_volume(with_crossings(curves, crossings), run_info(), ax=ax0)
    assert fig is fig0 and ax is ax0 and len(ax0.get_lines()) > 0
    assert "72k" in ax0.get_title(loc="left")
    assert "seed 2026" in footnote_of(fig0)

    info3 = run_info(("rag", "ft", "ft_self"))
    curves2, crossings2 = pwin_frames({"ft": {36: 72_000}, "ft_self": {36: 2e6}})
    with pytest.raises(ValueError, match="one challenger"):
        plot_pwin_vs_volume(with_crossings(curves2, crossings2), info3, ax=ax0)
    fig, axes = plot_pwin_vs_volume(with_crossings(curves2, crossings2), info3)
    assert isinstance(axes, np.ndarray) and axes.shape == (2,)
    assert axes[0].get_shared_y_axes().joined(axes[0], axes[1])
    assert "Fine-tune (self-hosted) above 2M" in title_of(fig, axes[0])


def test_bad_frames_are_refused():
    curves, crossings = pwin_frames({"ft": {36: 72_000}})
    with pytest.raises(ValueError, match="p_win_low"):
        plot_pwin_vs_volume(with_crossings(curves.drop(columns="p_win_low"), crossings), run_info())
    with pytest.raises(ValueError, match="not in scenario"):
        plot_pwin_vs_volume(with_crossings(curves.assign(strategy="other"), crossings), run_info())


# --- 2. P(win) vs month ---------------------------------------------------------------------


def test_pwin_vs_month_gives_the_first_month_at_half():
    fig, ax = plot_pwin_vs_month(month_frame({"ft": 7}), run_info(volume=VOLUME))
    assert title_of(fig, ax) == (
        "At 250k queries/month, Fine-tune has paid back in half of futures by month 7")
    assert "months" in ax.get_xlabel()
    assert "month 7" in texts_of(fig)

    fig, ax = plot_pwin_vs_month(month_frame({"ft": None}), run_info(volume=VOLUME))
    assert title_of(fig, ax) == (
        "At 250k queries/month, Fine-tune does not pay back in half of futures within 36 months")

    info3 = run_info(("rag", "ft", "ft_self"))
    fig, ax = plot_pwin_vs_month(month_frame({"ft": 7, "ft_self": None}), replace(info3, queries_per_month=VOLUME))
    assert title_of(fig, ax) == (
        "At 250k queries/month, half of futures have paid back by month 7 for Fine-tune; "
        "Fine-tune (self-hosted) does not pay back in half of futures within 36 months")


# --- 3. breakeven ---------------------------------------------------------------------------


def test_breakeven_counts_futures_outside_the_range():
    fig, ax = plot_breakeven(attach_marks(*breakeven_frame()), run_info())
    assert isinstance(ax, Axes)
    assert title_of(fig, ax) == ("Median breakeven: 74k queries/month over 36 months "
                                 "(15 % of futures never break even below 10M)")
    # The futures outside the range are counted in the legend (long or short wording).
    legend = " ".join(t.get_text() for t in ax.get_legend().get_texts()).replace("\n", " ")
    assert re.search(r"36 months: 15 % (never break even below 10M|above 10M), "
                     r"15 % (already cheaper at 1k|below 1k)", legend), legend
    texts = " ".join(texts_of(fig))
    assert "median 74k" in texts
    assert "queries/month" in ax.get_xlabel() and "%" in ax.get_ylabel()
    assert "20,000 samples" in footnote_of(fig) and "seed 2026" in footnote_of(fig)
    # Every bar is a share of ALL futures: the in-range bars of a horizon add up to 70 %.
    heights = ax.patches[0].get_data().values
    assert heights.sum() == pytest.approx(70.0)


def test_breakeven_mostly_never_and_on_a_given_axes():
    frame = breakeven_frame(dict(n_zero=0, n_inf=600, n_finite=400))
    fig0, ax0 = plt.subplots(figsize=(8, 5))
    fig, ax = plot_breakeven(attach_marks(*frame), run_info(), ax=ax0)
    assert fig is fig0 and ax is ax0
    assert title_of(fig, ax) == ("Fine-tune never breaks even below 10M queries/month in "
                                 "most futures (60 %) over 36 months")
    # Every future outside the range: an empty histogram, all counted.
    fig, ax = plot_breakeven(attach_marks(*breakeven_frame(dict(n_zero=0, n_inf=1000, n_finite=0))),
                             run_info())
    assert "in every future" in title_of(fig, ax)
    with pytest.raises(ValueError, match="NaN"):
        plot_breakeven(attach_marks(frame[0], frame[1].assign(p50=np.nan)), run_info())


# --- 4. payback -----------------------------------------------------------------------------


def test_payback_title_and_never_share():
    fig, ax = plot_payback(attach_marks(*payback_frame()), run_info())
    assert title_of(fig, ax) == ("At 250k queries/month, Fine-tune pays back in 6.3 months "
                                 "(median); 4 % of futures never do within 36 months")
    legend = " ".join(t.get_text() for t in ax.get_legend().get_texts())
    assert "4 % not within 36 months" in legend
    assert "months" in ax.get_xlabel() and "%" in ax.get_ylabel()

    fig, ax = plot_payback(attach_marks(*payback_frame(nevers=(0.7,))), run_info())
    assert "does not pay back within 36 months in most futures (70 %)" in title_of(fig, ax)


# --- 5. P(cheapest) -------------------------------------------------------------------------


def test_cheapest_names_each_volume_range():
    info3 = run_info(("rag", "ft", "hybrid"))
    fig, ax = plot_cheapest_vs_volume(with_regimes(cheapest_frame()), replace(info3, queries_per_month=VOLUME))
    # Equal scores at 40k by construction (RAG's and Hybrid's logits cross there): the
    # boundary is interpolated between grid volumes, and the title says "~".
    assert title_of(fig, ax) == (
        "Most likely cheapest over 36 months: RAG below ~40k queries/month, Hybrid above")
    assert len(ax.get_lines()) >= 3
    assert "interpolated between sweep volumes" in footnote_of(fig)
    with pytest.raises(ValueError, match="regime"):
        plot_cheapest_vs_volume(cheapest_frame(), info3)


# --- across charts --------------------------------------------------------------------------


def test_a_strategy_keeps_its_colour_across_charts():
    info3 = run_info(("rag", "ft", "hybrid"))
    ft, rag = info3.colours["ft"], info3.colours["rag"]
    curves, crossings = pwin_frames({"ft": {24: 110_000, 36: 72_000}})
    _, ax1 = plot_pwin_vs_volume(with_crossings(curves, crossings), info3)
    _, ax2 = plot_pwin_vs_month(month_frame({"ft": 7}), replace(info3, queries_per_month=VOLUME))
    _, ax3 = plot_cheapest_vs_volume(with_regimes(cheapest_frame()), info3)
    _, ax4 = plot_payback(attach_marks(*payback_frame()), info3)
    longest = [line for line in ax1.get_lines() if line.get_label() == "36 months"][0]
    assert to_hex(longest.get_color()) == ft
    assert ft in line_colours(ax2) and ft in line_colours(ax3) and rag in line_colours(ax3)
    assert to_hex(ax4.patches[0].get_edgecolor()) == ft
    assert rag == OKABE_ITO[0] and ft == OKABE_ITO[1]


def test_charts_are_board_sized_with_readable_fonts():
    curves, crossings = pwin_frames({"ft": {36: 72_000}})
    fig, ax = plot_pwin_vs_volume(with_crossings(curves, crossings), run_info(volume=VOLUME))
    assert tuple(fig.get_size_inches()) == (10.0, 6.0)
    fig.canvas.draw()
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_text() and t.get_visible()]
    assert min(sizes) >= 11


def test_cheapest_with_three_ranges():
    info3 = run_info(("rag", "ft", "hybrid"))
    x, y = np.log(GRID / 40_000), np.log(GRID / 2e6)
    scores = {"rag": -2 * x, "hybrid": 2 * x, "ft": 2 * x + 3 * y}
    frame = cheapest_frame()
    for s, v in scores.items():
        p = np.exp(v) / sum(np.exp(w) for w in scores.values())
        frame.loc[frame["strategy"] == s, "p_cheapest"] = p
    fig, ax = plot_cheapest_vs_volume(with_regimes(frame), info3)
    assert title_of(fig, ax) == ("Most likely cheapest over 36 months: RAG below ~40k "
                                 "queries/month, Hybrid ~40k–2M, Fine-tune above ~2M")


def test_a_curve_crossing_twice_is_read_from_its_last_crossing():
    # Above 50 % up to 10k, below it to 1M, above it again from there.
    dip = lambda q: 0.5 + 0.3 * np.cos(np.log(q / 1e3) / np.log(1e4) * 2 * np.pi)  # noqa: E731
    curves, crossings = pwin_frames({"ft": {36: dip}})
    crossings["volume_at_50pct"] = 10_000.0  # the analysis reports the first crossing
    fig, ax = plot_pwin_vs_volume(with_crossings(curves, crossings), run_info())
    assert "in most futures above 1M queries/month" in title_of(fig, ax)


def test_breakeven_panels_and_labels_that_do_not_overlap():
    info3 = run_info(("rag", "ft", "ft_self"))
    frame = breakeven_frame({}, dict(centre=2e6), strategies=("ft", "ft_self"))
    fig, axes = plot_breakeven(attach_marks(*frame), info3)
    assert isinstance(axes, np.ndarray) and axes.shape == (2,)
    assert "Fine-tune 74k; Fine-tune (self-hosted) 2M queries/month" in title_of(fig, axes[0])

    # Crossings close together: their labels, the legend and "your volume" stay apart.
    curves, crossings = pwin_frames({"ft": {12: 90_000, 24: 80_000, 36: 72_000}})
    fig, ax = plot_pwin_vs_volume(with_crossings(curves, crossings), run_info(volume=VOLUME))
    renderer = fig.canvas.get_renderer()
    fig.canvas.draw()
    boxes = [Text.get_window_extent(t, renderer) for t in ax.texts]  # text only, no leader
    boxes.append(ax.get_legend().get_window_extent(renderer))
    assert len(boxes) == 5
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), (a, b)


def test_payback_of_several_challengers():
    info3 = run_info(("rag", "ft", "ft_self"))
    frame = payback_frame(strategies=("ft", "ft_self"), nevers=(0.04, 0.95))
    fig, ax = plot_payback(attach_marks(*frame), info3)
    assert title_of(fig, ax) == (
        "At 250k queries/month, median payback is 6.3 months for Fine-tune; "
        "Fine-tune (self-hosted) does not pay back within 36 months in most futures")
    assert "95 % of futures: >36 mo" in texts_of(fig)  # the fixture puts 95 % beyond the horizon


def test_importing_the_library_leaves_the_matplotlib_backend_alone():
    import subprocess
    import sys

    code = ("import matplotlib; matplotlib.use('svg'); import ftrag_mc, ftrag_mc.report.items, "
            "ftrag_mc.report.writers, ftrag_mc.report.records; print(matplotlib.get_backend())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "svg"


def test_dollar_signs_in_user_text_are_dollars_not_mathtext():
    # Two "$" in a title or label used to start mathtext (and crash on some inputs).
    info = RunInfo(scenario="s", title="Costs from $2k to $5k", strategies=("rag", "ft"),
                   labels={"rag": "RAG at $0.002", "ft": "Tune for $5k"}, baseline="rag",
                   samples=1000, seed=1, sampler="mc", version="0")
    curves, crossings = pwin_frames({"ft": {36: 80_000}})
    fig, ax = plot_pwin_vs_volume(with_crossings(curves, crossings), replace(info, queries_per_month=VOLUME))
    fig.canvas.draw()  # renders every text: mathtext would fail or eat the "$"
    texts = " ".join(t.get_text() for t in fig.findobj(Text))
    assert r"Tune for \$5k" in texts and r"\\$" not in texts


# --- regimes and the main question -----------------------------------------------------------


def test_regimes_boundary_is_where_the_two_leaders_cross_and_says_it_is_interpolated():
    # Grid 1k, 10k, 100k: A leads at 1k (0.6 vs 0.4), B from 10k (0.6, 0.8). The curves' gap
    # goes +0.2 -> -0.2 between 1k and 10k: halfway in log volume, 10^3.5 = 3,162.28.
    q = [1e3, 1e4, 1e5]
    frame = pd.DataFrame({"strategy": ["a"] * 3 + ["b"] * 3, "label": ["A"] * 3 + ["B"] * 3,
                          "horizon_months": 12, "queries_per_month": q * 2,
                          "p_cheapest": [0.6, 0.4, 0.2, 0.4, 0.6, 0.8]})
    reg = compute_regimes(frame)
    assert list(reg["strategy"]) == ["a", "b"]
    assert list(reg["boundary_method"]) == ["sweep_start", "interpolated"]
    assert reg["from_queries_per_month"].tolist() == pytest.approx([1e3, 10**3.5])
    assert reg["to_queries_per_month"].tolist() == pytest.approx([10**3.5, 1e5])
    assert reg.loc[1, ["boundary_grid_low_queries_per_month",
                       "boundary_grid_high_queries_per_month"]].tolist() == [1e3, 1e4]
    assert reg["p_cheapest_peak"].tolist() == [0.6, 0.8]
    attached = attach_regimes(frame, reg)
    assert attached.loc[attached["queries_per_month"] == 1e3, "regime_strategy"].unique().tolist() == ["a"]
    assert attached.loc[attached["queries_per_month"] == 1e5, "regime"].unique().tolist() == [2]


def test_a_one_point_blip_between_two_runs_of_one_leader_is_merged():
    from ftrag_mc.analysis.regimes import leader_runs

    assert leader_runs(["a", "a", "b", "a", "c", "c"]) == [("a", 0, 3), ("c", 4, 5)]
    assert leader_runs(["a", "b", "b", "a"]) == [("a", 0, 0), ("b", 1, 2), ("a", 3, 3)]


def test_main_challenger_is_best_on_average_else_the_strongest():
    from ftrag_mc.analysis.decision import main_challenger

    rows = lambda deltas, pwins: pd.DataFrame({  # noqa: E731
        "strategy": ["cached", "tuned", "hybrid"], "horizon_months": 36,
        "mean_delta_usd": deltas, "p_win": pwins})
    # The cached prompt always wins but saves little; the fine-tune saves most on average.
    assert main_challenger(rows([-15_500, -223_000, -90_000], [1.0, 0.936, 0.7])) == "tuned"
    # The baseline is best on average: the highest P(win), not the smallest average loss.
    assert main_challenger(rows([5_000, 3_000, 9_000], [0.40, 0.30, 0.45])) == "hybrid"
    # Equal P(win): the larger mean saving (smaller loss).
    assert main_challenger(rows([5_000, 3_000, 9_000], [0.4, 0.4, 0.1])) == "tuned"
    # legal-docs: no challenger wins at your volume; uncached RAG loses least but never wins,
    # the fine-tune wins above 382k: the fine-tune is the question.
    never = rows([4_500, 120_000, 9_000], [0.0, 0.0, 0.0]).assign(volume_at_50pct=[math.nan, 382_000, math.nan])
    assert main_challenger(never) == "tuned"


def test_the_hero_chart_leads_with_the_main_question():
    info3 = run_info(("rag", "ft", "ft_self"), main="ft_self")
    curves, crossings = pwin_frames({"ft": {36: 72_000}, "ft_self": {36: 2e6}})
    fig, axes = plot_pwin_vs_volume(with_crossings(curves, crossings), info3)
    assert axes[0].get_title(loc="left").replace("\n", " ").startswith(
        "Main question: Fine-tune (self-hosted) vs RAG")
    assert axes[1].get_title(loc="left").replace("\n", " ") == "Fine-tune vs RAG"
    assert title_of(fig, axes[0]).startswith(
        "Fine-tune (self-hosted) beats RAG in most futures above 2M queries/month over 36 months")


def test_a_curve_levelling_off_near_half_wins_only_just_and_a_flat_panel_is_a_sentence():
    # hybrid: P(win) rises through 50 % at 632k and levels off at 54 %; the pure fine-tune
    # never wins (0 % at every volume, its band under 1 %): no panel, a sentence in the footnote,
    # and the figure shrinks to the one panel left.
    info3 = run_info(("rag", "ft", "ft_self"), main="ft")
    level = lambda q: 0.54 * logistic(q, 200_000)  # noqa: E731  (0.54 / 2 = 27 % at 200k)
    zero = lambda q: np.zeros_like(q)  # noqa: E731
    curves, crossings = pwin_frames({"ft": {36: level}, "ft_self": {36: zero}})
    fig, ax = plot_pwin_vs_volume(curves, info3)
    assert isinstance(ax, Axes) and len(fig.axes) == 1 and tuple(fig.get_size_inches()) == (10.0, 6.0)
    title = title_of(fig, ax)
    assert ", but only just (at most 54 %)" in title, title
    assert ("Fine-tune (self-hosted) is cheaper than RAG in no future at every volume from 1k to 10M "
            "queries/month and every horizon (no panel)") in footnote_of(fig)


def test_a_chart_with_nothing_to_draw_is_a_compact_sentence():
    info = run_info()
    curves, _crossings = pwin_frames({"ft": {36: lambda q: np.zeros_like(q)}})
    fig, ax = plot_pwin_vs_volume(curves, info)
    assert fig.get_figheight() < 4 and not ax.axison and not ax.lines
    assert [t.get_text().replace("\n", " ") for t in ax.texts] == [
        "Fine-tune is cheaper than RAG in no future at every volume from 1k to 10M queries/month and every "
        "horizon: no curve to draw"]


def test_chart_modules_share_only_public_helpers_and_findings_need_no_matplotlib():
    import ast
    import subprocess
    import sys
    from pathlib import Path

    report = Path(__file__).resolve().parents[1] / "ftrag_mc" / "report"
    private = []
    for path in sorted(report.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ftrag_mc.report."):
                private += [f"{path.name}: {node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
    assert not private, private
    code = "import sys, ftrag_mc.report.findings; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_chart_is_a_finding_and_a_plot_of_one_signature_shape():
    import inspect

    from ftrag_mc.report.charts import CHARTS

    assert len(CHARTS) == 18  # the run's charts, the study's (evsi with --evsi), the sweep's two, compare's and policy's
    one = ["POSITIONAL_OR_KEYWORD", "POSITIONAL_OR_KEYWORD", ("ax", "KEYWORD_ONLY", True)]
    panels = [*one, ("fig", "KEYWORD_ONLY", True)]
    for name, (finding, plot) in CHARTS.items():
        shape = [(p.name, p.kind.name, p.default is None) if p.kind.name == "KEYWORD_ONLY" else p.kind.name
                 for p in inspect.signature(plot).parameters.values()]
        assert shape in (one, panels), (name, shape)
        # The finding reads the frame the plot draws: the title without a figure.
        assert list(inspect.signature(finding).parameters) == [list(inspect.signature(plot).parameters)[0], "info"]
    with_panels = {n for n, (_f, plot) in CHARTS.items() if "fig" in inspect.signature(plot).parameters}
    assert with_panels == {"pwin_vs_volume", "breakeven", "delta_distribution", "fan", "global", "sweep_1d",
                           "sweep_2d", "policy"}


@pytest.mark.parametrize("mean, se, text", [
    (223_000, 1_290, "$223k ± $1.3k"),
    (7_600, 6.1e-14, "$7.6k ± $0"),  # constant inputs: the error is rounding in the sums
    (-350, 18, "-$350 ± $18"),
])
def test_format_money_pm(mean, se, text):
    from ftrag_mc.report.numbers import format_money_pm
    assert format_money_pm(mean, se) == text


# --- a caller's figure, and findings without one --------------------------------------------------


def test_panel_charts_lay_out_in_a_callers_subfigures():
    info3 = run_info(("rag", "ft", "ft_self"), volume=VOLUME)
    curves, crossings = pwin_frames({"ft": {36: 72_000}, "ft_self": {36: 2e6}})
    dashboard = plt.figure(figsize=(18, 7), layout="constrained")
    left, right = dashboard.subfigures(1, 2)
    fig, axes = plot_pwin_vs_volume(with_crossings(curves, crossings), info3, fig=left)
    assert fig is left and axes.shape == (2,) and all(a.get_figure(root=False) is left for a in axes)
    assert left.get_suptitle().replace("\n", " ").startswith("Fine-tune beats RAG in most futures above 72k")
    frame = breakeven_frame({}, dict(centre=2e6), strategies=("ft", "ft_self"))
    fig, axes = plot_breakeven(attach_marks(*frame), info3, fig=right)
    assert fig is right and len(right.axes) == 2 and len(dashboard.axes) == 4
    assert "seed 2026" in footnote_of(dashboard)  # one footnote, on the whole figure
    dashboard.canvas.draw()
    with pytest.raises(ValueError, match="already holds axes"):
        plot_breakeven(attach_marks(*frame), info3, fig=right)
    with pytest.raises(ValueError, match="not both"):
        plot_breakeven(attach_marks(*frame), info3, ax=axes[0], fig=plt.figure())


def test_each_finding_is_the_title_and_needs_no_figure():
    from ftrag_mc.report.charts import (
        breakeven_finding, cheapest_finding, payback_finding, pwin_vs_month_finding, pwin_vs_volume_finding,
    )

    info3 = run_info(("rag", "ft", "hybrid"), volume=VOLUME)
    cases = [
        (pwin_vs_volume_finding, plot_pwin_vs_volume, with_crossings(*pwin_frames({"ft": {36: 72_000}})), run_info()),
        (pwin_vs_month_finding, plot_pwin_vs_month, month_frame({"ft": 7}), run_info(volume=VOLUME)),
        (breakeven_finding, plot_breakeven, attach_marks(*breakeven_frame()), run_info()),
        (payback_finding, plot_payback, attach_marks(*payback_frame()), run_info()),
        (cheapest_finding, plot_cheapest_vs_volume, with_regimes(cheapest_frame()), info3),
    ]
    for finding, plot, frame, info in cases:
        plt.close("all")
        title = finding(frame, info)
        assert not plt.get_fignums(), finding.__name__  # numbers in, the sentence out
        fig, ax = plot(frame, info)
        assert title_of(fig, ax) == title, finding.__name__


def test_the_report_sits_on_top_and_nothing_below_imports_it():
    """report/ may import analysis, simulate, model, scenario and below, never the command line;
    nothing below report/ imports it (number formats are ftrag_mc.formats, below both)."""
    import ast
    from pathlib import Path

    package = Path(__file__).resolve().parents[1] / "ftrag_mc"
    upward, sideways = [], []
    for path in sorted(package.rglob("*.py")):
        part = path.relative_to(package).parts
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            for name in names:
                if part[0] == "report" and name.startswith(("ftrag_mc.cli", "ftrag_mc.app")):
                    upward.append(f"{path.name}: {name}")
                below = part[0] not in ("report", "app", "__init__.py") and not part[0].startswith("cli")
                if below and name.startswith("ftrag_mc.report"):
                    sideways.append(f"{'/'.join(part)}: {name}")
    assert not upward, upward
    assert not sideways, sideways


def test_a_wrapped_line_never_parts_a_number_from_its_percent_sign():
    from ftrag_mc.report.style import wrap, wrap_words

    text = "Monte Carlo error: every 95 % Wilson interval is at most 1.4 percentage points wide"
    for width in range(10, len(text)):
        for line in wrap(text, width).split("\n") + wrap_words(text, width):
            assert not line.endswith(" 95") and not line.startswith("%"), (width, line)
    assert wrap_words("a 95 % band", 4) == ["a", "95 %", "band"]


def test_the_band_note_never_calls_a_narrow_band_zero():
    # Every future alike at 20,000 samples: a P(win) of 0 or 1 still has a Wilson band
    # 1.92² / (20,000 + 1.92²) ≈ 0.019 % wide, not "0.0 percentage points".
    from ftrag_mc.analysis.stats import wilson_interval
    from ftrag_mc.report.findings import band_note

    low, high = wilson_interval(np.array([0, 20_000]), 20_000)
    note = band_note(low, high)
    assert "at most 0.019 percentage points" in note, note
    assert "at most 1.4 percentage points" in band_note([0.5], [0.514])


def test_the_spider_title_says_which_end_is_a_loss_and_which_a_saving():
    # ΔNPC = -saving: +$82.9k at P5 is a loss, -$44.7k at P95 a saving. The title once read
    # "a loss of $82.9k at its P5, $44.7k at its P95", as if both were losses.
    from ftrag_mc.report.charts.spider import spider_finding
    from ftrag_mc.report.style import RunInfo

    info = RunInfo(scenario="s", title="S", strategies=("rag", "ft"), labels={"ft": "Fine-tune", "rag": "RAG"},
                   baseline="rag", samples=100, seed=1, sampler="mc", version="0")
    def frame(d0: float, d1: float) -> pd.DataFrame:
        return pd.DataFrame({"strategy": "ft", "baseline": "rag", "horizon_months": 36, "queries_per_month": 1e5,
                             "input": "x", "label": "Tuned error rate", "percentile": [0.05, 0.5, 0.95],
                             "delta_usd": [d0, 0.0, d1], "base_delta_usd": 0.0, "range_usd": abs(d1 - d0)})
    title = spider_finding(frame(82_900.0, -44_700.0), info)
    assert title.endswith("a loss of $82.9k at its P5, a saving of $44.7k at its P95"), title
    title = spider_finding(frame(-10_000.0, -50_000.0), info)
    assert title.endswith("a saving of $10k at its P5, $50k at its P95"), title
