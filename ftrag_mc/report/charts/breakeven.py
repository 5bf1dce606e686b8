"""The breakeven starting volume per horizon, one panel per challenger (``breakeven.png``):
share of all futures per log-spaced bin, P10/P50/P90 bars over them, and the shares below and
above the sweep counted in the legend."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import FigureBase

from ftrag_mc.report.charts.canvas import (
    MAX_PANELS, PERCENTILE_NOTE, chart_footnote, chart_subtitle, finish, keep_most, make_figure, nothing_to_show,
    one_panel_only, panels_drawn, require_columns, returned, settle, shrink_to_sentence, strategies_in,
)
from ftrag_mc.report.charts.labels import baseline_label, horizon_styles, strategy_label
from ftrag_mc.report.charts.placement import draw_legend
from ftrag_mc.report.charts.strips import (
    HISTOGRAM_COLUMNS, Strip, histogram_axis, histogram_room, histogram_series, legend_band, marked_frames,
    percentile_strips, share_entries,
)
from ftrag_mc.report.findings import MAX_TITLE_SENTENCES, in_most_futures, more_clause, rough
from ftrag_mc.report.numbers import format_share, format_volume
from ftrag_mc.report.style import RunInfo, house_style, set_volume_axis

__all__ = ["breakeven_finding", "plot_breakeven"]

_BREAKEVEN_COLUMNS = ("strategy", "horizon_months", "p10", "p50", "p90", "share_below_range",
                      "share_above_range", "share_at_median")


@dataclass(frozen=True)
class _Bar:
    """One horizon of a panel: its histogram, percentile bar and legend entry's wordings."""

    horizon: int
    rank: int  # among the horizons, longest first: the higher, the lower it is drawn
    strip: Strip
    edges: np.ndarray
    pct: np.ndarray
    entry: tuple[str, ...]


@dataclass(frozen=True)
class _Breakeven:
    """The frames as drawn: histograms, percentiles by (strategy, horizon), the panels shown."""

    histogram: pd.DataFrame
    rows: pd.DataFrame
    challengers: list[str]
    hidden: int
    horizons: list[int]
    vmin: float
    vmax: float

    def bars(self, s: str) -> list[_Bar]:
        """The panel's horizons, longest first (drawn on top)."""
        out = []
        for rank, h in enumerate(sorted(self.horizons, reverse=True)):
            mask = (self.histogram["strategy"] == s) & (self.histogram["horizon_months"] == h)
            if not mask.any() or (s, h) not in self.rows.index:
                continue
            edges, pct = histogram_series(self.histogram, mask)
            r = self.rows.loc[(s, h)]
            below, above = float(r["share_below_range"]), float(r["share_above_range"])
            strip = Strip(float(r["p10"]), float(r["p50"]), float(r["p90"]), below, above, float(r["share_at_median"]))
            out.append(_Bar(h, rank, strip, edges, pct, self._entry(h, below, above)))
        return out

    def _entry(self, h: int, below: float, above: float) -> tuple[str, ...]:
        shares, short = [], []
        if above > 0:
            shares.append(f"{format_share(above)} never break even below {format_volume(self.vmax)}")
            short.append(f"{format_share(above)} above {format_volume(self.vmax)}")
        if below > 0:
            shares.append(f"{format_share(below)} already cheaper at {format_volume(self.vmin)}")
            short.append(f"{format_share(below)} below {format_volume(self.vmin)}")
        return share_entries(f"{h} months", shares, short)

    def empty(self, s: str, label: str) -> str:
        """Why the panel of ``s`` has nothing to draw (every future outside the sweep), or ""."""
        return breakeven_empty([b.strip for b in self.bars(s)], label, self.vmin, self.vmax)

    def fmt(self, v: float) -> str:
        """A volume on a percentile bar: "<1k" and ">10M" outside the sweep."""
        if v < self.vmin:
            return f"<{format_volume(self.vmin)}"
        return f">{format_volume(self.vmax)}" if v > self.vmax else format_volume(v)


def _read(frame: pd.DataFrame, info: RunInfo) -> _Breakeven:
    require_columns(frame, (*HISTOGRAM_COLUMNS, "horizon_months", *_BREAKEVEN_COLUMNS), "frame")
    histogram, percentiles = marked_frames(frame, ["strategy", "horizon_months"])
    volume_range = ((float(frame["sweep_min"].iloc[0]), float(frame["sweep_max"].iloc[0]))
                    if {"sweep_min", "sweep_max"} <= set(frame.columns) else info.sweep_queries_per_month)
    if volume_range is None:
        raise ValueError("the sweep is unknown: the frame has no sweep_min/sweep_max and "
                         "info.sweep_queries_per_month is None")
    vmin, vmax = (float(v) for v in volume_range)
    if not 0 < vmin < vmax:
        raise ValueError(f"the sweep must be (vmin, vmax) with 0 < vmin < vmax: {volume_range}")
    challengers = strategies_in(info, histogram["strategy"].unique())
    if histogram["share"].isna().any() or percentiles[["p10", "p50", "p90"]].isna().any().any():
        raise ValueError("the breakeven frames hold NaN (use 0.0 or inf for out of range)")
    horizons = sorted(int(h) for h in histogram["horizon_months"].unique())
    rows = percentiles.set_index(["strategy", "horizon_months"])

    def low_median(s: str) -> float:  # the lowest median breakeven matters most
        key = (s, horizons[-1])
        return -float(rows.loc[key, "p50"]) if key in rows.index else -math.inf

    main = [info.main_challenger] if info.main_challenger else []
    shown, hidden = keep_most(challengers, low_median, MAX_PANELS, always=main)
    return _Breakeven(histogram, rows, info.main_first(shown), hidden, horizons, vmin, vmax)


# --- the finding --------------------------------------------------------------------------------


def breakeven_finding(frame: pd.DataFrame, info: RunInfo) -> str:
    """The chart's title, from the longest horizon's median breakeven of each challenger shown.

    Parameters
    ----------
    frame, info
        As :func:`plot_breakeven`.
    """
    return _finding(_read(frame, info), info)


def _finding(data: _Breakeven, info: RunInfo) -> str:
    medians = []
    for s in data.challengers:
        bars = data.bars(s)
        if bars:
            strip = bars[0].strip
            medians.append((strategy_label(info, data.histogram, s), strip.p50, strip.share_high, strip.share_low))
    return rough(info, medians_finding(medians[:MAX_TITLE_SENTENCES], data.horizons[-1], data.vmin, data.vmax)
                 + more_clause(len(medians), "each panel"))


def medians_finding(medians: list[tuple[str, float, float, float]], horizon: int,
                    vmin: float, vmax: float) -> str:
    """Title from (label, median breakeven, share above the sweep, share below it) per challenger."""
    if len(medians) == 1:
        label, p50, above, below = medians[0]
        if p50 > vmax:
            return (f"{label} never breaks even below {format_volume(vmax)} queries/month "
                    f"{in_most_futures(above)} over {horizon} months")
        if p50 < vmin:
            return (f"{label} already wins at {format_volume(vmin)} queries/month in "
                    f"{format_share(below)} of futures over {horizon} months")
        text = f"Median breakeven: {format_volume(p50)} queries/month over {horizon} months"
        if above > 0:
            text += f" ({format_share(above)} of futures never break even below {format_volume(vmax)})"
        return text
    parts = []
    for label, p50, _above, _below in medians:
        where = (f"above {format_volume(vmax)}" if p50 > vmax
                 else f"below {format_volume(vmin)}" if p50 < vmin else format_volume(p50))
        parts.append(f"{label} {where}")
    return f"Median breakeven over {horizon} months: " + "; ".join(parts) + " queries/month"


def breakeven_empty(strips: Sequence[Strip], label: str, vmin: float, vmax: float) -> str:
    """Why a breakeven panel has nothing to draw (every future outside the sweep), or ""; the chart
    adds ": nothing to show on a breakeven axis" where the sentence stands for the panel."""
    if not strips:
        return f"No breakeven volumes for {label} in this run"
    if any(strip.share_low + strip.share_high < 1 - 1e-9 for strip in strips):
        return ""
    if all(strip.share_low >= 1 - 1e-9 for strip in strips):
        return (f"In every future, {label} is already cheaper at {format_volume(vmin)} queries/month at every "
                "horizon: no breakeven inside the sweep")
    if all(strip.share_high >= 1 - 1e-9 for strip in strips):
        return f"In every future, {label} never breaks even below {format_volume(vmax)} queries/month at every horizon"
    return f"In every future the breakeven of {label} is outside {format_volume(vmin)}–{format_volume(vmax)} queries/month"


# --- the drawing --------------------------------------------------------------------------------


def plot_breakeven(
    frame: pd.DataFrame,
    info: RunInfo,
    *,
    ax: Axes | None = None,
    fig: FigureBase | None = None,
) -> tuple[FigureBase, Axes | np.ndarray]:
    """Distribution of the breakeven starting volume per horizon, one panel per challenger.

    Parameters
    ----------
    frame
        :func:`~ftrag_mc.analysis.marks.attach_marks` of
        :func:`ftrag_mc.analysis.compute_breakeven_histogram` (``strategy``, ``label``,
        ``horizon_months``, ``bin_low``, ``bin_high`` in queries/month, ``share`` of all futures)
        and :func:`ftrag_mc.analysis.compute_breakeven` (``p10``, ``p50``, ``p90``: 0 = below the
        range, inf = above; ``share_below_range``, ``share_above_range``, ``share_at_median``;
        ``sweep_min``/``sweep_max``).
    info
        The run; its ``sweep_queries_per_month`` where the frame has no ``sweep_min``/``sweep_max``.
    ax
        Draw onto this axes; the frames must then hold one challenger.
    fig
        Lay the panels out in this empty Figure or SubFigure instead of a new figure.

    Returns
    -------
    fig : Figure or SubFigure
    ax : Axes or ndarray of Axes
        One Axes, or one panel per challenger. The title is :func:`breakeven_finding`.

    Raises
    ------
    ValueError
        A column is missing, a value is NaN, the sweep is not increasing and positive,
        or ``ax`` is given with more than one challenger.

    Notes
    -----
    Bars are the share of ALL futures per log-spaced bin, so a horizon's bars add up to the
    share that breaks even inside the range; the shares below and above the range are in the
    legend. Every number drawn is a cell of the two frames (and so of the run's CSVs).
    """
    data = _read(frame, info)
    one_panel_only(ax, fig, data.challengers, "the frames must hold")
    empty = {s: data.empty(s, strategy_label(info, data.histogram, s)) for s in data.challengers}
    # A panel whose futures all break even outside the sweep has nothing on a breakeven axis: its
    # sentence goes in the footnote and the figure shrinks to the other panels (or to the sentence).
    drawn = panels_drawn(ax, data.challengers, empty)
    with house_style():
        fig, axes, created = make_figure(ax, ncols=len(drawn), fig=fig)
        if not drawn:
            shrink_to_sentence(fig, created)
        panels = [(a, _draw_panel(a, data, info, s)) for a, s in zip(axes, drawn)]
        base = baseline_label(info)
        subtitles = ([chart_subtitle(info, f"volume from which {strategy_label(info, data.histogram, s)} is "
                                           f"cheaper than {base}") for s in drawn[:1]] if len(drawn) <= 1 else
                     [f"{'Main question: ' if info.is_main_question(s) else ''}"
                      f"{strategy_label(info, data.histogram, s)} vs {base}" for s in drawn])
        notes = [PERCENTILE_NOTE] if drawn else []
        notes += [f"{empty[s]} (no panel)" for s in data.challengers if s not in drawn and drawn]
        finish(fig, axes, created=created, finding=_finding(data, info), subtitles=subtitles,
               footnote=chart_footnote(info, " · ".join(notes), data.hidden, "breakeven.csv"))
        settle(fig)
        if not drawn or empty[drawn[0]]:
            nothing_to_show(axes[0], "; ".join(empty[s] for s in data.challengers)
                            + ": nothing to show on a breakeven axis")
            return returned(fig, axes)
        for (a, bars), s in zip(panels, drawn):
            _label_panel(a, bars, data, info, s)
    return returned(fig, axes)


def _draw_panel(a: Axes, data: _Breakeven, info: RunInfo, s: str) -> list[_Bar]:
    """One challenger's histograms, longest horizon on top."""
    styles = horizon_styles(info.colour(s), data.horizons)
    set_volume_axis(a, "Breakeven starting volume (queries/month, log scale)")
    a.set_xlim(data.vmin, data.vmax)
    bars = data.bars(s)
    for bar in bars:
        st = styles[bar.horizon]
        a.stairs(bar.pct, bar.edges, color=st.colour, ls=st.linestyle, lw=st.linewidth,
                 label=bar.entry[0], zorder=4 - bar.rank / 10)
    histogram_axis(a, max((float(b.pct.max()) for b in bars), default=0.0), len(bars),
                   "Share of futures (% per bin)")
    return bars


def _label_panel(a: Axes, bars: list[_Bar], data: _Breakeven, info: RunInfo, s: str) -> None:
    """The percentile bars and the legend, where they cover the least of the histograms."""
    styles = horizon_styles(info.colour(s), data.horizons)
    variants = list(zip(*(b.entry for b in bars)))
    pcts = [b.pct for b in bars]
    room, floor = histogram_room(a, pcts, bars[0].edges, log=True)
    if not room.place_legend(variants, title="Horizon", top=floor, dry_run=True)[2]:
        # No free corner: lower the histogram to make a band for the legend.
        room, floor = histogram_room(a, pcts, bars[0].edges, log=True, reserve=legend_band(room, len(bars)))
    percentile_strips(a, room, [(b.strip, styles[b.horizon].colour, f"{b.horizon} mo") for b in bars],
                      data.vmin, data.vmax, data.fmt)
    draw_legend(a, room, title="Horizon", top=floor, variants=variants)
