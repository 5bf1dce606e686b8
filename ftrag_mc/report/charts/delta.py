"""The distribution of ΔNPC at your volume and the longest horizon, one panel per challenger
(``delta_distribution.png``): P(loss) shaded, the expected ΔNPC and CVaR95 marked."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import FigureBase
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ftrag_mc.report.charts.canvas import (
    chart_subtitle, finish, make_figure, money, notes_footnote, nothing_to_show, one_panel_only, require_columns,
    returned, settle,
)
from ftrag_mc.report.numbers import format_percent, format_volume
from ftrag_mc.report.style import INK, MUTED, SMALL_FONT_PT, RunInfo, escape, house_style, percent_formatter, tint, \
    usd_formatter

__all__ = ["LOSS_COLOUR", "delta_finding", "plot_delta_distribution"]

_DIST_COLUMNS = ("strategy", "label", "horizon_months", "queries_per_month", "bin_low_usd", "bin_high_usd",
                 "share")
_MARK_COLUMNS = ("strategy", "horizon_months", "p_loss", "mean_delta_usd", "cvar95_delta_usd")

LOSS_COLOUR = "#d55e00"  # vermillion: the futures in which the challenger costs more


@dataclass(frozen=True)
class _Delta:
    """The bins, one row of marks per challenger, and the challengers (the main one first)."""

    bins: pd.DataFrame
    marks: pd.DataFrame
    strategies: list[str]
    horizon: int
    volume: float


def _read(frame: pd.DataFrame, info: RunInfo) -> _Delta:
    require_columns(frame, (*_DIST_COLUMNS, *_MARK_COLUMNS), "ΔNPC distribution frame")
    summary_rows = frame.drop_duplicates(["strategy", "horizon_months"])
    frame = frame.dropna(subset=["share"])
    horizon = int(frame["horizon_months"].iloc[0])
    if frame["horizon_months"].nunique() != 1:
        raise ValueError("the ΔNPC distribution frame must hold one horizon")
    strategies = info.main_first([s for s in info.challengers if s in set(frame["strategy"])])
    if not strategies:
        raise ValueError(f"nothing to plot: no challenger of {info.scenario!r} in the frame")
    marks = summary_rows[summary_rows["horizon_months"] == horizon].set_index("strategy")
    missing = [s for s in strategies if s not in marks.index]
    if missing:
        raise ValueError(f"summary rows lack {missing} at {horizon} months")
    return _Delta(frame, marks, strategies, horizon, float(frame["queries_per_month"].iloc[0]))


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
    return f"{who} costs {money(mean, info)} more on average {over}; it loses in {format_percent(p_loss)} of futures"


def plot_delta_distribution(frame: pd.DataFrame, info: RunInfo, *, ax: Axes | None = None,
                            fig: FigureBase | None = None) -> tuple[FigureBase, Axes | np.ndarray]:
    """Histogram of ΔNPC per challenger, P(loss) shaded, expected ΔNPC and CVaR95 marked.

    Parameters
    ----------
    frame
        :func:`~ftrag_mc.analysis.marks.attach_marks` of
        :func:`~ftrag_mc.analysis.delta_distribution.compute_delta_distribution` (one horizon) and
        :func:`~ftrag_mc.analysis.delta_distribution.compute_delta_marks`: the bins, and each
        challenger's P(loss), mean and CVaR95 (``p_loss``, ``mean_delta_usd``, ``cvar95_delta_usd``).
    info
        The run; the main challenger's panel comes first and gives the title (:func:`delta_finding`).
    ax
        Draw onto this axes (the frame must then hold one challenger).
    fig
        Lay the panels out in this empty Figure or SubFigure instead of a new figure.

    Returns
    -------
    fig, ax — or an array of axes, one panel per challenger.
    """
    data = _read(frame, info)
    one_panel_only(ax, fig, data.strategies, "the frame must hold")
    with house_style():
        fig, axes, created = make_figure(ax, ncols=len(data.strategies), fig=fig)
        # Panels where every future gives one ΔNPC (constant inputs) say so instead.
        single = [(a, sentence) for a, s in zip(axes, data.strategies)
                  if (sentence := _draw_panel(a, data, info, s))]
        base = info.label(info.baseline)
        subtitles = [chart_subtitle(info, f"{info.label(s)} vs {base}, {data.horizon} months from "
                                          f"{format_volume(data.volume)} queries/month") for s in data.strategies]
        finish(fig, axes, created=created, finding=escape(_finding(data, info)), subtitles=subtitles,
               footnote=notes_footnote(info, "bars: P1-P99 of ΔNPC from the run's histogram",
                                       "marks: the summary table's figures"))
        if single:
            settle(fig)
            for a, sentence in single:
                nothing_to_show(a, sentence)
    return returned(fig, axes)


def _draw_panel(a: Axes, data: _Delta, info: RunInfo, s: str) -> str:
    """One challenger's bars, loss zone, marks and legend; the sentence to show instead when
    every future gives the same ΔNPC, else ""."""
    rows, mark = data.bins[data.bins["strategy"] == s], data.marks.loc[s]
    mean, cvar = float(mark["mean_delta_usd"]), float(mark["cvar95_delta_usd"])
    single = ""
    if float(rows["share"].max()) >= 1 - 1e-9:
        single = (f"Every future gives the same ΔNPC for {info.label(s)}: {money(mean, info)} (nothing varies, "
                  "so there is no distribution to show)")
    low, high = rows["bin_low_usd"].to_numpy(), rows["bin_high_usd"].to_numpy()
    colours = np.where(low >= 0.0, LOSS_COLOUR, info.colour(s))
    a.bar(low, rows["share"], width=high - low, align="edge", color=colours, edgecolor="white", lw=0.4, zorder=3)
    x_lo, x_hi = float(low.min()), float(high.max())
    if x_hi > 0:
        a.axvspan(max(0.0, x_lo), x_hi, color=tint(LOSS_COLOUR, 0.85), zorder=1, lw=0)
    if x_lo < 0 < x_hi:
        a.axvline(0.0, color="#666666", lw=1.1, zorder=2)
    a.axvline(mean, color=INK, lw=1.8, zorder=4)
    a.axvline(cvar, color=INK, lw=1.5, ls=(0, (4, 3)), zorder=4)
    top = float(rows["share"].max())
    for x, text, y in ((mean, f"expected: {money(mean, info)}", 1.02), (cvar, f"CVaR95: {money(cvar, info)}", 0.92)):
        # Near the right end the label goes left of its line, inside the axes.
        right = x > x_lo + 0.75 * (x_hi - x_lo)
        a.annotate(escape(text), xy=(min(max(x, x_lo), x_hi), top * y), xytext=(-4 if right else 4, 0),
                   textcoords="offset points", ha="right" if right else "left", va="bottom", fontsize=SMALL_FONT_PT,
                   color=INK if x_lo <= x <= x_hi else MUTED, zorder=6, annotation_clip=False)
    a.set_ylim(0, top * 1.18)
    a.xaxis.set_major_formatter(usd_formatter(info.currency))
    a.yaxis.set_major_formatter(percent_formatter(decimals=1))
    a.set_xlabel(escape(f"ΔNPC vs {info.label(info.baseline)} ({info.currency}, negative = saving)"))
    a.set_ylabel("Share of all futures per bin")
    # Under the axes: inside, it covered the bars or the marks' labels wherever it went.
    a.legend(handles=[
        Patch(color=info.colour(s), label="saving (ΔNPC < 0)"),
        Patch(color=LOSS_COLOUR, label=escape(f"costs more: P(loss) = {format_percent(float(mark['p_loss']))}")),
        Line2D([], [], color=INK, lw=1.8, label="expected ΔNPC (mean)"),
        Line2D([], [], color=INK, lw=1.5, ls=(0, (4, 3)), label="CVaR95: mean of the worst 5 %"),
    ], loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=SMALL_FONT_PT)
    return single
