"""A sweep (``sweep.png``): P(win) and the mean saving (-ΔNPC) against one swept key, or P(win) over
a grid of two keys as a heatmap with its 50 % line.

Both charts draw one frame, :func:`ftrag_mc.analysis.sweep.attach_sweep_crossings` of a sweep: the
50 % crossings they mark are :func:`~ftrag_mc.analysis.sweep.compute_sweep_crossings`' rows (the
numbers of its CSV), attached to the frame, never computed here.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import FigureBase
from matplotlib.ticker import FuncFormatter

from ftrag_mc.report.charts.canvas import BAND_ALPHA, callers_axes, callers_figure, one_panel_only
from ftrag_mc.report.charts.placement import HALO
from ftrag_mc.report.charts.sweep_axis import (
    CRN_NOTE, GridAxis, axis_label, finish_sweep, fraction, horizon_text, require_sweep, sweep_challengers,
    sweep_label, sweep_rows, sweep_run_info,
)
from ftrag_mc.report.style import (
    FIGSIZE_IN, INK, MUTED, SMALL_FONT_PT, RunInfo, apply_house_style, escape, format_share, house_style,
    percent_formatter, set_probability_axis, usd_formatter,
)

__all__ = ["plot_sweep_1d", "plot_sweep_2d", "sweep_1d_finding", "sweep_2d_finding", "sweep_run_info"]

_COLUMNS_1D = ("x_key", "x_unit", "x_value", "strategy", "label", "horizon_months", "p_win", "p_win_low",
               "p_win_high", "mean_delta_usd", "mean_delta_se_usd", "x_scenario", "x_scenario_value")
_COLUMNS_2D = (*_COLUMNS_1D, "y_key", "y_unit", "y_value", "y_scenario", "y_scenario_value")
_Z95 = 1.959963984540054
_MAX_CELL_LABELS = 144  # cells above this many are too small to hold their percentage
_CMAP = "PuOr"  # diverging at 50 % and colour-blind safe: orange = baseline wins, purple = challenger


# --- 1-D ----------------------------------------------------------------------------------------


def _read_1d(frame: pd.DataFrame, info: RunInfo) -> tuple[pd.DataFrame, pd.DataFrame, list[str], GridAxis]:
    require_sweep(frame, _COLUMNS_1D)
    if "y_value" in frame.columns:
        raise ValueError("this sweep has two keys: draw it with plot_sweep_2d")
    rows, crossings = sweep_rows(frame)
    return rows, crossings, sweep_challengers(info, rows), GridAxis(rows, "x", info.currency)


def _points(rows: pd.DataFrame, strategy: str, axis: GridAxis) -> pd.DataFrame:
    """One strategy's rows in the order of the x axis (``_x``: their positions on it)."""
    g = rows[rows["strategy"] == strategy].copy()
    g["_x"] = axis.positions(g["x_value"])
    return g.sort_values("_x")


def _crossings_of(crossings: pd.DataFrame, strategy: str) -> pd.DataFrame:
    return crossings[crossings["strategy"] == strategy] if len(crossings) else crossings


def sweep_1d_finding(frame: pd.DataFrame, info: RunInfo) -> str:
    """The chart's title: where along the swept key each challenger beats the baseline in most
    futures (its 50 % crossings), over the horizon drawn.

    Parameters
    ----------
    frame, info
        As :func:`plot_sweep_1d`.
    """
    rows, crossings, challengers, axis = _read_1d(frame, info)
    base = info.label(info.baseline)
    sentences = [_sentence_1d(sweep_label(info, rows, s), base, _points(rows, s, axis), _crossings_of(crossings, s),
                              axis, first=k == 0) for k, s in enumerate(challengers)]
    return "; ".join(sentences) + f" {horizon_text(rows)}"


def _sentence_1d(label: str, base: str, rows: pd.DataFrame, cross: pd.DataFrame, axis: GridAxis, *,
                first: bool) -> str:
    """One challenger's finding; ``first`` gives the full sentence, later ones a short clause."""
    who = f"{label} beats {base} in most futures" if first else f"{label}"
    if not axis.numeric or cross.empty:  # categories: the best and worst value, as drawn
        best, worst = rows.loc[rows["p_win"].idxmax()], rows.loc[rows["p_win"].idxmin()]
        return (f"P({label} cheaper than {base}) runs from {format_share(worst['p_win'])} "
                f"({worst['x_value']}) to {format_share(best['p_win'])} ({best['x_value']})")
    lo, hi = axis.text(min(axis.values)), axis.text(max(axis.values))
    found = cross[cross["direction"] != "none"]
    if len(found) == 1:
        row = found.iloc[0]
        side = "above" if row["direction"] == "up" else "below"
        where = f"{side} {axis.text(float(row['x_at_50pct']))}"
        return f"{who} when {axis.key} is {where}" if first else f"{who} {where}"
    if len(found) > 1:
        return f"P({label} cheaper) crosses 50 % {len(found)} times as {axis.key} goes from {lo} to {hi}"
    if float(cross["p_win_at_min_x"].iloc[0]) >= 0.5:
        return f"{who} at every value of {axis.key} from {lo} to {hi}" if first else f"{who} always"
    return (f"{label} does not beat {base} in most futures at any value of {axis.key} from {lo} to {hi}" if first
            else f"{label} never")



def plot_sweep_1d(
    frame: pd.DataFrame,
    info: RunInfo,
    *,
    ax: Axes | None = None,
    fig: FigureBase | None = None,
) -> tuple[FigureBase, Axes | np.ndarray]:
    """P(challenger cheaper than baseline) with its 95 % band, and the mean saving, against one swept key.

    Parameters
    ----------
    frame
        :func:`~ftrag_mc.analysis.sweep.attach_sweep_crossings` of a sweep without ``y``: one
        horizon's rows, and the crossings drawn as dots on the 50 % line.
    info
        The run (:func:`~ftrag_mc.report.charts.sweep_axis.sweep_run_info`).
    ax
        Draw onto this axes: P(win) on it, the mean saving on a twin y axis on the right.
    fig
        Lay the two panels out in this empty Figure or SubFigure instead of a new figure.

    Returns
    -------
    fig : Figure or SubFigure
    ax : Axes, or an array of two Axes (P(win) above, mean saving below) in a figure of its own.
        The title is :func:`sweep_1d_finding`.

    Raises
    ------
    ValueError
        A column is missing, the frame is 2-D or has no crossings attached, or a strategy is not
        in the scenario.
    """
    rows, crossings, challengers, axis = _read_1d(frame, info)
    with house_style():
        fig, top, bottom, created = _panels_1d(ax, fig)
        for k, s in enumerate(challengers):
            _draw_1d(top, bottom, _points(rows, s, axis), _crossings_of(crossings, s), k, axis, info,
                     label=sweep_label(info, rows, s), created=created)
        _decorate_1d(top, bottom, axis, info, created=created)
        _legend_1d(top, bottom, sweep_label(info, rows, challengers[0]) if len(challengers) == 1 else None,
                   created=created)
        finish_sweep(fig, [top, bottom] if created else [top], created=created,
                     finding=sweep_1d_finding(frame, info),
                     subtitle=f"{info.short_title}\u00a0· chance of a lower total cost, and the mean saving, "
                              f"as {axis.key} varies",
                     footnote=info.footnote(f"bands: 95 % Wilson intervals (P) and ±1.96 standard errors "
                                            f"(mean) · {CRN_NOTE}"))
    return (fig, np.array([top, bottom], dtype=object)) if created else (fig, top)


def _panels_1d(ax: Axes | None, fig: FigureBase | None) -> tuple[FigureBase, Axes, Axes, bool]:
    """P(win) above the mean saving in a figure (new or the caller's); on a caller's axes, on a twin."""
    if ax is not None and fig is None:
        top = callers_axes(ax)
        bottom = ax.twinx()
        bottom.grid(False)
        return ax.get_figure(root=True), top, bottom, False
    if fig is None:
        fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(FIGSIZE_IN[0], FIGSIZE_IN[1] + 1.5),
                                          height_ratios=(3, 2), layout="constrained")
    else:
        top, bottom = callers_figure(fig, ax).subplots(2, 1, sharex=True, height_ratios=(3, 2))
    apply_house_style(fig)
    return fig, top, bottom, True


def _draw_1d(top: Axes, bottom: Axes, g: pd.DataFrame, cross: pd.DataFrame, k: int, axis: GridAxis,
             info: RunInfo, *, label: str, created: bool) -> None:
    """One challenger: P(win) with its band and 50 % crossings above, the mean saving (-ΔNPC) below."""
    colour = info.colour(str(g["strategy"].iloc[0]))
    x = g["_x"].to_numpy(float)
    top.fill_between(x, g["p_win_low"], g["p_win_high"], color=colour, alpha=BAND_ALPHA, lw=0)
    top.plot(x, g["p_win"], color=colour, lw=2.8, marker="o", ms=5, label=escape(label), zorder=3)
    mean = -g["mean_delta_usd"].to_numpy(float)  # the saving: the CSV's mean ΔNPC with its sign turned
    half = _Z95 * g["mean_delta_se_usd"].to_numpy(float)
    bottom.fill_between(x, mean - half, mean + half, color=colour, alpha=BAND_ALPHA, lw=0)
    bottom.plot(x, mean, color=colour, lw=2.2, ls="-" if created else (0, (4, 2)), marker="o", ms=4,
                label=escape(f"{label}: mean saving") if not created else None, zorder=3)
    for row in cross[cross["direction"] != "none"].itertuples() if len(cross) else ():
        x50 = float(row.x_at_50pct)
        top.plot([x50], [0.5], marker="o", ms=9, mfc=colour, mec="white", mew=1.5, zorder=6)
        right_half = fraction(axis, x50) > 0.6
        top.annotate(escape(f"50 % at {axis.text(x50)}"), xy=(x50, 0.5),
                     xytext=(-8 if right_half else 8, -14 - 14 * k), textcoords="offset points",
                     ha="right" if right_half else "left", fontsize=SMALL_FONT_PT, color=INK,
                     path_effects=HALO, zorder=7).set_in_layout(False)


def _decorate_1d(top: Axes, bottom: Axes, axis: GridAxis, info: RunInfo, *, created: bool) -> None:
    """Reference lines, axes and the scenario's own value."""
    # Short axis labels (the pair is in the title and subtitle): two stacked y labels must not
    # run into each other.
    set_probability_axis(top, "P(cheaper than the baseline)")
    top.axhline(0.5, color="#666666", lw=1.1, zorder=1)
    bottom.axhline(0.0, color="#666666", lw=1.0, zorder=1)
    bottom.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: escape(usd_formatter(info.currency)(v, _pos))))
    bottom.set_ylabel(escape(f"Mean saving ({info.currency})\nup = saves"))
    if axis.numeric and math.isfinite(axis.own):
        for a in (top, bottom) if created else (top,):
            a.axvline(axis.own, color=INK, lw=1.4, ls=(0, (4, 3)), zorder=2,
                      label=escape(axis.own_label()) if a is top else None)
    axis.decorate(bottom if created else top, "x")
    if axis.scale == "log" and not created:
        bottom.set_xscale("log")
    if not created:
        top.set_xlabel(escape(axis_label(axis.key, axis.unit, axis.scale)))


def _legend_1d(top: Axes, bottom: Axes, only: str | None, *, created: bool) -> None:
    """One legend for both axes; a lone challenger, named by the axis label, is left out."""
    handles, labels = top.get_legend_handles_labels()
    if not created:
        h2, l2 = bottom.get_legend_handles_labels()
        handles, labels = handles + h2, labels + l2
    elif only is not None:  # the axis label names the one challenger
        named = escape(only)
        handles, labels = [h for h, t in zip(handles, labels) if t != named], [t for t in labels if t != named]
    if handles:
        top.legend(handles, labels, loc="best", frameon=True, facecolor="white", edgecolor="none",
                   framealpha=0.9).set_zorder(9)


# --- 2-D ----------------------------------------------------------------------------------------


def _read_2d(frame: pd.DataFrame, info: RunInfo) -> tuple[pd.DataFrame, pd.DataFrame, list[str], GridAxis,
                                                         GridAxis]:
    if "y_value" not in frame.columns:
        raise ValueError("this sweep has one key: draw it with plot_sweep_1d")
    require_sweep(frame, _COLUMNS_2D)
    rows, crossings = sweep_rows(frame)
    return (rows, crossings, sweep_challengers(info, rows), GridAxis(rows, "x", info.currency),
            GridAxis(rows, "y", info.currency))


def sweep_2d_finding(frame: pd.DataFrame, info: RunInfo) -> str:
    """The chart's title, read at the scenario's own (or nearest, else the middle) value of the
    second key: where along the first each challenger beats the baseline in most futures; without
    a 50 % line (categories), the worst and best cells.

    Parameters
    ----------
    frame, info
        As :func:`plot_sweep_2d`.
    """
    rows, crossings, challengers, xa, ya = _read_2d(frame, info)
    base = info.label(info.baseline)
    sentences = [_sentence_2d(sweep_label(info, rows, s), base, cross, xa, ya, first=k == 0)
                 for k, s in enumerate(challengers) if len(cross := _crossings_of(crossings, s))]
    finding = "; ".join(sentences) if sentences else _extremes_2d(info, rows, challengers[0], xa, ya)
    return finding + f" {horizon_text(rows)}"


def _sentence_2d(label: str, base: str, cross: pd.DataFrame, xa: GridAxis, ya: GridAxis, *, first: bool) -> str:
    """The finding read at one grid y: the scenario's own (or nearest) value, else the middle one."""
    ys = list(pd.unique(cross["y_value"]))
    if ya.numeric and math.isfinite(ya.own):
        y = min(ys, key=lambda v: abs(float(v) - ya.own))
    else:
        y = ys[len(ys) // 2]
    at = cross[cross["y_value"] == y]
    y_text = ya.text(float(y)) if ya.numeric else str(y)
    yours = ya.numeric and math.isfinite(ya.own) and math.isclose(float(y), ya.own, rel_tol=1e-9)
    head = f"At your {ya.key} ({y_text}), " if yours else f"At {ya.key} = {y_text}, "
    who = f"{label} beats {base} in most futures"
    found = at[at["direction"] != "none"]
    if len(found) == 1:
        row = found.iloc[0]
        side = "above" if row["direction"] == "up" else "below"
        text = f"{who} when {xa.key} is {side} {xa.text(float(row['x_at_50pct']))}"
    elif len(found) > 1:
        text = f"P({label} wins) crosses 50 % {len(found)} times along {xa.key}"
    elif float(at["p_win_at_min_x"].iloc[0]) >= 0.5:
        text = f"{who} at every value of {xa.key} on the grid"
    else:
        text = f"{label} does not beat {base} in most futures at any value of {xa.key} on the grid"
    return head + text if first else text


def _extremes_2d(info: RunInfo, rows: pd.DataFrame, strategy: str, xa: GridAxis, ya: GridAxis) -> str:
    """Where x is not numeric there is no 50 % line: the worst and best cells, as drawn."""
    g = rows[rows["strategy"] == strategy]
    worst, best = g.loc[g["p_win"].idxmin()], g.loc[g["p_win"].idxmax()]

    def cell(r: pd.Series) -> str:
        x = xa.text(float(r["x_value"])) if xa.numeric else str(r["x_value"])
        y = ya.text(float(r["y_value"])) if ya.numeric else str(r["y_value"])
        return f"{xa.key} = {x}, {ya.key} = {y}"

    return (f"P({sweep_label(info, rows, strategy)} cheaper than {info.label(info.baseline)}) runs from "
            f"{format_share(worst['p_win'])} ({cell(worst)}) to {format_share(best['p_win'])} ({cell(best)})")



def plot_sweep_2d(
    frame: pd.DataFrame,
    info: RunInfo,
    *,
    ax: Axes | None = None,
    fig: FigureBase | None = None,
) -> tuple[FigureBase, Axes | np.ndarray]:
    """Heatmap of P(challenger cheaper than baseline) over a two-key grid, with the 50 % line.

    Parameters
    ----------
    frame
        :func:`~ftrag_mc.analysis.sweep.attach_sweep_crossings` of a sweep with ``y``: one
        horizon's rows, and the crossings the 50 % line joins (interpolated between grid points
        along x, one per y).
    info
        The run (:func:`~ftrag_mc.report.charts.sweep_axis.sweep_run_info`).
    ax
        Draw onto this axes; the frame must then hold one challenger.
    fig
        Lay the panels out in this empty Figure or SubFigure instead of a new figure.

    Returns
    -------
    fig : Figure or SubFigure
    ax : Axes, or an array of Axes (one panel per challenger). A colour bar in percent sits on
        the right; the scenario's own (x, y), when on the axes, is a star. The title is
        :func:`sweep_2d_finding`.

    Raises
    ------
    ValueError
        A column is missing, the frame is 1-D or has no crossings attached, a strategy is not in
        the scenario, or ``ax`` is given with more than one challenger.
    """
    rows, crossings, challengers, xa, ya = _read_2d(frame, info)
    one_panel_only(ax, fig, challengers)
    base = info.label(info.baseline)
    with house_style():
        fig, axes, created = _panels_2d(ax, fig, len(challengers))
        mesh = None
        for a, s in zip(axes, challengers):
            mesh = _draw_2d(a, rows[rows["strategy"] == s], _crossings_of(crossings, s), xa, ya)
            if len(challengers) > 1:
                a.set_title(escape(f"{sweep_label(info, rows, s)} vs {base}"), loc="left", fontsize=12, color=MUTED)
            handles, _labels = a.get_legend_handles_labels()
            if handles:
                a.legend(loc="upper left", bbox_to_anchor=(0.0, -0.13), ncols=len(handles), frameon=False)
        bar = fig.colorbar(mesh, ax=axes, fraction=0.05, pad=0.02)
        bar.ax.yaxis.set_major_formatter(percent_formatter())
        bar.set_label(escape(f"P({sweep_label(info, rows, challengers[0])} cheaper than {base})"
                             if len(challengers) == 1 else f"P(challenger cheaper than {base})"))
        # Several panels carry their own pair: no subtitle over the first alone.
        subtitle = None if created and len(challengers) > 1 else (
            f"{info.short_title}\u00a0· P(cheaper than {base}) in each cell, in %; the line is where it crosses 50 %")
        finish_sweep(fig, axes, created=created, finding=sweep_2d_finding(frame, info), subtitle=subtitle,
                     footnote=info.footnote(f"50 % line: interpolated between grid points · {CRN_NOTE}"))
    return (fig, axes[0]) if len(axes) == 1 else (fig, np.array(axes, dtype=object))


def _panels_2d(ax: Axes | None, fig: FigureBase | None, n: int) -> tuple[FigureBase, list[Axes], bool]:
    """One heatmap panel per challenger side by side, in a figure (new or the caller's), or the caller's axes."""
    if ax is not None and fig is None:
        return ax.get_figure(root=True), [callers_axes(ax)], False
    if fig is None:
        fig, grid = plt.subplots(1, n, figsize=(FIGSIZE_IN[0] if n == 1 else 7.0 * n, FIGSIZE_IN[1] + 0.5),
                                 squeeze=False, layout="constrained")
    else:
        grid = callers_figure(fig, ax).subplots(1, n, squeeze=False)
    apply_house_style(fig)
    return fig, list(grid[0]), True


def _draw_2d(a: Axes, g: pd.DataFrame, cross: pd.DataFrame, xa: GridAxis, ya: GridAxis):
    """One challenger's heatmap, its cells' percentages, the 50 % line and the scenario's own
    point; the mesh (for the colour bar)."""
    a.grid(False)
    p = np.full((len(ya.values), len(xa.values)), np.nan)
    xi = {v: i for i, v in enumerate(xa.values)}
    yi = {v: i for i, v in enumerate(ya.values)}
    for r in g.itertuples():
        xv = float(r.x_value) if xa.numeric else r.x_value
        yv = float(r.y_value) if ya.numeric else r.y_value
        p[yi[yv], xi[xv]] = r.p_win
    mesh = a.pcolormesh(xa.edges(), ya.edges(), np.ma.masked_invalid(p), cmap=_CMAP, vmin=0.0,
                        vmax=1.0, shading="flat", zorder=1)
    if p.size <= _MAX_CELL_LABELS:
        for (j, i), value in np.ndenumerate(p):
            if np.isfinite(value):
                a.text(xa.position(xa.values[i]), ya.position(ya.values[j]), f"{100 * value:.0f}",
                       ha="center", va="center", fontsize=SMALL_FONT_PT - 1,
                       color="white" if abs(value - 0.5) > 0.3 else INK, zorder=2)
    _fifty_line(a, cross, xa, ya)
    if xa.numeric and ya.numeric and math.isfinite(xa.own) and math.isfinite(ya.own):
        a.plot([xa.own], [ya.own], marker="*", ms=18, mfc="white", mec=INK, mew=1.5, ls="none",
               label="your scenario", zorder=6, clip_on=True)
    elif xa.numeric and math.isfinite(xa.own):
        a.axvline(xa.own, color=INK, lw=1.4, ls=(0, (4, 3)), label=escape(xa.own_label()), zorder=4)
    elif ya.numeric and math.isfinite(ya.own):
        a.axhline(ya.own, color=INK, lw=1.4, ls=(0, (4, 3)), label=escape(ya.own_label()), zorder=4)
    xa.decorate(a, "x")
    ya.decorate(a, "y")
    e = xa.edges(), ya.edges()
    a.set_xlim(e[0][0], e[0][-1])
    a.set_ylim(e[1][0], e[1][-1])
    return mesh


def _fifty_line(ax: Axes, cross: pd.DataFrame, xa: GridAxis, ya: GridAxis) -> None:
    """The crossings of every y as dots, joined where neighbouring y rows cross once each."""
    if cross.empty:
        return
    found = cross[cross["direction"] != "none"]
    if found.empty:
        return
    counts = found.groupby("y_value", sort=False).size()
    points = sorted(((ya.position(float(r.y_value) if ya.numeric else r.y_value), float(r.x_at_50pct))
                     for r in found.itertuples()))
    style = dict(color=INK, lw=2.4, path_effects=[patheffects.withStroke(linewidth=5, foreground="white")],
                 zorder=5)
    ys = [ya.position(float(v) if ya.numeric else v) for v in ya.values]
    single = {ya.position(float(v) if ya.numeric else v): counts.get(v, 0) == 1 for v in counts.index}
    for (y0, x0), (y1, x1) in zip(points, points[1:]):
        if single.get(y0) and single.get(y1) and abs(ys.index(y1) - ys.index(y0)) == 1:
            ax.plot([x0, x1], [y0, y1], **style)
    ax.plot([x for _, x in points], [y for y, _ in points], ls="none", marker="o", ms=6, mfc=INK, mec="white",
            mew=1.2, zorder=6, label="50 % line")
