"""What each challenger saves against the baseline at your volume and the longest horizon, one panel
per challenger (``delta_distribution.png``): the distribution of the saving (right of 0 = saves),
the futures that lose shaded, the expected saving and CVaR95 marked above the bars.

The CSV keeps ΔNPC (the challenger's cost minus the baseline's, negative = saving); the chart shows
the saving, -ΔNPC, as every chart of the board pack does: savings positive, losses as losses.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import FigureBase
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ftrag_mc.report.charts.canvas import (
    MAX_PANELS, chart_subtitle, finish, keep_most, make_figure, money, notes_footnote, nothing_to_show, one_panel_only,
    panels_drawn, require_columns, returned, settle, shrink_to_sentence,
)
from ftrag_mc.report.charts.placement import Clearance
from ftrag_mc.report.numbers import format_percent, format_volume
from ftrag_mc.report.style import INK, SMALL_FONT_PT, RunInfo, escape, house_style, percent_formatter, tint, \
    usd_formatter

__all__ = ["LOSS_COLOUR", "delta_finding", "mark_words", "plot_delta_distribution", "saving_bins"]

_DIST_COLUMNS = ("strategy", "label", "horizon_months", "queries_per_month", "bin_low_usd", "bin_high_usd",
                 "share")
_MARK_COLUMNS = ("strategy", "horizon_months", "p_loss", "mean_delta_usd", "cvar95_delta_usd")

# The futures in which the challenger costs more: hatched bars in its own colour over a grey zone (a
# colour of their own would be some other strategy's; hatching also reads in greyscale).
LOSS_COLOUR = "#e6e6e6"
_LOSS_HATCH = "////"

_BARS_TOP = 1.06  # the bars, the loss zone and the $0 line stop here (times the tallest bar) ...
_ROWS = (1.5, 1.22)  # ... and the marks' words stand above them, on these rows
_CVAR_DASH = (0, (4, 3))


@dataclass(frozen=True)
class _Delta:
    """The bins, one row of marks per challenger, and the challengers (the main one first)."""

    bins: pd.DataFrame
    marks: pd.DataFrame
    strategies: list[str]
    horizon: int
    volume: float
    hidden: int  # challengers left out past MAX_PANELS (the ones that save least on average)


def _read(frame: pd.DataFrame, info: RunInfo) -> _Delta:
    require_columns(frame, (*_DIST_COLUMNS, *_MARK_COLUMNS), "ΔNPC distribution frame")
    summary_rows = frame.drop_duplicates(["strategy", "horizon_months"])
    frame = frame.dropna(subset=["share"])
    horizon = int(frame["horizon_months"].iloc[0])
    if frame["horizon_months"].nunique() != 1:
        raise ValueError("the ΔNPC distribution frame must hold one horizon")
    strategies = [s for s in info.challengers if s in set(frame["strategy"])]
    if not strategies:
        raise ValueError(f"nothing to plot: no challenger of {info.scenario!r} in the frame")
    marks = summary_rows[summary_rows["horizon_months"] == horizon].set_index("strategy")
    missing = [s for s in strategies if s not in marks.index]
    if missing:
        raise ValueError(f"summary rows lack {missing} at {horizon} months")
    main = [info.main_challenger] if info.main_challenger else []
    shown, hidden = keep_most(strategies, lambda s: -float(marks.loc[s, "mean_delta_usd"]), MAX_PANELS, always=main)
    return _Delta(frame, marks, info.main_first(shown), horizon, float(frame["queries_per_month"].iloc[0]), hidden)


# --- the words and numbers drawn (pure) ------------------------------------------------------------


def saving_bins(frame: pd.DataFrame) -> pd.DataFrame:
    """The ΔNPC bins of ``frame`` as bins of the saving (-ΔNPC): ``saving_low_usd``,
    ``saving_high_usd`` (USD, right of 0 = saves) beside each bin's ``share``."""
    return frame.assign(saving_low_usd=-frame["bin_high_usd"], saving_high_usd=-frame["bin_low_usd"])


def mark_words(mark: pd.Series, info: RunInfo) -> list[tuple[float, str, bool]]:
    """The two marks of a panel on the saving axis: (saving, words, is CVaR) for the expected saving
    and for CVaR95 (the mean ΔNPC of the worst 5 % of futures: a loss when positive)."""
    mean, cvar = float(mark["mean_delta_usd"]), float(mark["cvar95_delta_usd"])
    expected = (f"expected saving {money(-mean, info)}" if mean <= 0
                else f"expected loss {money(mean, info)}")
    worst = (f"CVaR95: average loss in the\nworst 5 % of futures {money(cvar, info)}" if cvar > 0
             else f"CVaR95: even the worst 5 % of\nfutures save {money(-cvar, info)} on average")
    return [(-mean, expected, False), (-cvar, worst, True)]


def delta_finding(frame: pd.DataFrame, info: RunInfo) -> str:
    """The chart's title, for the main question's challenger: its expected saving (or extra
    cost) over the horizon, and in what share of futures it costs more.

    Parameters
    ----------
    frame, info
        As :func:`plot_delta_distribution`.
    """
    return _finding(_read(frame, info), info)


def _finding(data: _Delta, info: RunInfo) -> str:
    strategy = data.strategies[0]
    mark = data.marks.loc[strategy]
    who, mean, p_loss = info.label(strategy), float(mark["mean_delta_usd"]), float(mark["p_loss"])
    over = f"over {data.horizon} months"
    if mean < 0 and p_loss == 0:
        return f"{who} saves {money(-mean, info)} on average {over} and costs less in every future"
    if mean < 0:
        return f"{who} saves {money(-mean, info)} on average {over}, but costs more in {format_percent(p_loss)} of futures"
    where = "every future" if p_loss >= 1 else f"{format_percent(p_loss)} of futures"
    return f"{who} costs {money(mean, info)} more on average {over}; it loses in {where}"


def _single(data: _Delta, info: RunInfo, s: str) -> str:
    """Why a panel has no distribution (every future the same ΔNPC), or ""."""
    rows, mean = data.bins[data.bins["strategy"] == s], float(data.marks.loc[s, "mean_delta_usd"])
    if float(rows["share"].max()) < 1 - 1e-9:
        return ""
    what = f"saves {money(-mean, info)}" if mean <= 0 else f"costs {money(mean, info)} more"
    return f"In every future {info.label(s)} {what} (nothing varies, so there is no distribution to show)"


# --- the drawing ----------------------------------------------------------------------------------


def plot_delta_distribution(frame: pd.DataFrame, info: RunInfo, *, ax: Axes | None = None,
                            fig: FigureBase | None = None) -> tuple[FigureBase, Axes | np.ndarray]:
    """Histogram of the saving per challenger, the losing futures shaded, the expected saving and
    CVaR95 marked.

    Parameters
    ----------
    frame
        :func:`~ftrag_mc.analysis.marks.attach_marks` of
        :func:`~ftrag_mc.analysis.delta_distribution.compute_delta_distribution` (one horizon) and
        :func:`~ftrag_mc.analysis.delta_distribution.compute_delta_marks`: the ΔNPC bins, and each
        challenger's P(loss), mean and CVaR95 (``p_loss``, ``mean_delta_usd``, ``cvar95_delta_usd``).
        The chart draws the saving, -ΔNPC (:func:`saving_bins`, :func:`mark_words`).
    info
        The run; the main challenger's panel comes first and gives the title (:func:`delta_finding`).
    ax
        Draw onto this axes (the frame must then hold one challenger).
    fig
        Lay the panels out in this empty Figure or SubFigure instead of a new figure.

    Returns
    -------
    fig, ax — or an array of axes, one panel per challenger with a distribution.
    """
    data = _read(frame, info)
    one_panel_only(ax, fig, data.strategies, "the frame must hold")
    single = {s: _single(data, info, s) for s in data.strategies}
    # A challenger whose every future gives one ΔNPC (constant inputs) has no distribution: its
    # sentence goes in the footnote (or, with nothing else to draw, it is the chart).
    drawn = panels_drawn(ax, data.strategies, single)
    with house_style():
        fig, axes, created = make_figure(ax, ncols=len(drawn), fig=fig)
        if not drawn:
            shrink_to_sentence(fig, created)
        for a, s in zip(axes, drawn):
            _draw_panel(a, data, info, s)
        base = info.label(info.baseline)
        at = f"{data.horizon} months from {format_volume(data.volume)} queries/month"
        subtitles = ([chart_subtitle(info, f"{info.label(s)} vs {base}, {at}") for s in drawn[:1]] if len(drawn) <= 1
                     else [f"{'Main question: ' if info.is_main_question(s) else ''}{info.label(s)} vs {base}, {at}"
                           for s in drawn])
        notes = [single[s] for s in data.strategies if s not in drawn and drawn]
        if data.hidden:
            notes.append(f"{data.hidden} more challengers (smaller savings) not drawn: see delta_distribution.csv")
        finish(fig, axes, created=created, finding=escape(_finding(data, info)), subtitles=subtitles,
               footnote=notes_footnote(info, "bars: P1-P99 of the saving from the run's histogram (the CSV holds "
                                             "ΔNPC = -saving)" if drawn else "",
                                       "marks: the summary table's figures" if drawn else "", *notes))
        settle(fig)
        if not drawn or single[drawn[0]]:
            nothing_to_show(axes[0], "; ".join(single[s] for s in data.strategies))
            return returned(fig, axes)
        for a, s in zip(axes, drawn):
            _label_marks(a, data, info, s)
    return returned(fig, axes)


def _draw_panel(a: Axes, data: _Delta, info: RunInfo, s: str) -> None:
    """One challenger's bars of the saving, the losing futures shaded, the mark lines and the legend."""
    rows, mark = saving_bins(data.bins[data.bins["strategy"] == s]), data.marks.loc[s]
    low, high = rows["saving_low_usd"].to_numpy(), rows["saving_high_usd"].to_numpy()
    saves = high > 0.0
    a.bar(low[saves], rows["share"][saves], width=(high - low)[saves], align="edge", color=info.colour(s),
          edgecolor="white", lw=0.4, zorder=3)
    with mpl.rc_context({"hatch.color": INK, "hatch.linewidth": 0.6}):
        a.bar(low[~saves], rows["share"][~saves], width=(high - low)[~saves], align="edge", color=tint(info.colour(s), 0.5),
              hatch=_LOSS_HATCH, edgecolor="white", lw=0.4, zorder=3)
    x_lo, x_hi, top = float(low.min()), float(high.max()), _tallest(rows["share"])
    # The loss zone and the $0 line stop under the marks' words, which stand above the bars.
    if x_lo < 0:
        a.fill_between([x_lo, min(0.0, x_hi)], 0, top * _BARS_TOP, color=LOSS_COLOUR, zorder=1, lw=0)
    if x_lo < 0 < x_hi:
        a.plot([0, 0], [0, top * _BARS_TOP], color="#666666", lw=1.1, zorder=2)
    a.set_xlim(x_lo - 0.02 * (x_hi - x_lo), x_hi + 0.02 * (x_hi - x_lo))
    a.set_ylim(0, top * 1.66)
    a.set_yticks([t for t in a.get_yticks() if t <= top * 1.001])
    a.xaxis.set_major_formatter(usd_formatter(info.currency))
    a.yaxis.set_major_formatter(percent_formatter(decimals=1))
    a.set_xlabel(escape(f"Saving vs {info.label(info.baseline)} ({info.currency}; right of 0 = saves)"))
    a.set_ylabel("Share of all futures per bin")
    cvar_loss = float(mark["cvar95_delta_usd"]) > 0
    share = rows["share"].to_numpy(float)
    # An entry for each kind of bar drawn: none for savings no bar shows (every future loses).
    entries = ([Patch(color=info.colour(s), label=escape("saves (right of $0)"))] if (share[saves] > 0).any() else [])
    if (share[~saves] > 0).any():
        entries.append(Patch(facecolor=tint(info.colour(s), 0.5), hatch=_LOSS_HATCH, edgecolor=INK, lw=0,
                             label=escape(f"costs more (grey zone): P(loss) = {format_percent(float(mark['p_loss']))}")))
    entries += [Line2D([], [], color=INK, lw=1.8, label="mean: the expected saving (or loss)"),
                Line2D([], [], color=INK, lw=1.5, ls=_CVAR_DASH,
                       label="CVaR95: average loss in the worst 5 %" if cvar_loss else "CVaR95: the worst 5 %, on average")]
    # Under the axes: inside, it covered the bars or the marks' words wherever it went.
    a.legend(handles=entries, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2 if _panel_in(a) >= 9 else 1,
             fontsize=SMALL_FONT_PT)


def _panel_in(a: Axes) -> float:
    """The width of the panel's share of its figure, in inches (before the layout has run)."""
    spec = a.get_subplotspec()
    cols = spec.get_gridspec().ncols if spec is not None else 1
    return a.get_figure(root=True).get_figwidth() / cols


def _tallest(shares: pd.Series) -> float:
    """The tallest bar's share: the chart's vertical scale; 1 when no bar stands (a handful of
    samples, none inside P1-P99), so that the marks still have their places."""
    top = float(shares.max())
    return top if top > 0 else 1.0


def _label_marks(a: Axes, data: _Delta, info: RunInfo, s: str) -> None:
    """The expected saving and CVaR95: a line up from the axis to its words, the words on one of
    two rows above the bars, beside the line where they cover no other mark's line or words."""
    top = _tallest(data.bins.loc[data.bins["strategy"] == s, "share"])
    marks = sorted(mark_words(data.marks.loc[s], info), key=lambda m: -m[0])  # the rightmost first
    room = Clearance(a)
    for x, _text, _cvar in marks:
        room.add_line([x, x], [0, top * _ROWS[0]], weight=10)
    room.measure()
    for (x, text, cvar), row in zip(marks, _ROWS):
        best = None
        for y in (row, *(r for r in _ROWS if r != row)):
            (px, py), = room.to_pts([x], [top * y])
            w, h = room.text_size(text)
            for side in (1, -1):
                x0 = px + 5 if side > 0 else px - 5 - w
                box = (x0, py - h / 2, x0 + w, py + h / 2)
                cost = room.cost(box) + (0 if y == row else 1)
                if best is None or cost < best[0]:
                    best = (cost, box, y, side)
        _, box, y, side = best
        room.add_box(box)
        a.plot([x, x], [0, top * y], color=INK, lw=1.5 if cvar else 1.8, ls=_CVAR_DASH if cvar else "-", zorder=4,
               clip_on=False)
        a.annotate(escape(text), xy=(x, top * y), xytext=(5 * side, 0), textcoords="offset points",
                   ha="left" if side > 0 else "right", va="center", fontsize=SMALL_FONT_PT, color=INK, zorder=6,
                   annotation_clip=False, bbox=dict(boxstyle="square,pad=0.15", fc="white", ec="none"),
                   ).set_in_layout(False)
