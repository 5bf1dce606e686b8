"""Tornado (``tornado.png``): ΔNPC with each input at its low and high percentile, the others at
their medians, the widest swing on top; beside each bar, the conditional means over the run."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory, offset_copy

from ftrag_mc.report.charts.canvas import finish, money, notes_footnote, require_columns
from ftrag_mc.report.charts.inputs import (
    COMPARISON_COLUMNS, clip_label, comparison, comparison_text, delta_axis_label, input_value, more_inputs,
    percentile_name, rows_canvas, set_subtitle,
)
from ftrag_mc.report.style import INK, MUTED, SMALL_FONT_PT, RunInfo, escape, format_usd, house_style, tint, \
    usd_formatter

__all__ = ["MAX_TORNADO_INPUTS", "plot_tornado", "tornado_finding"]

MAX_TORNADO_INPUTS = 15

_TORNADO_COLUMNS = COMPARISON_COLUMNS + (
    "percentile_low", "percentile_high", "value_low", "value_high", "delta_low_usd", "delta_high_usd",
    "base_delta_usd", "swing_usd", "flips_answer", "band_low_percentile", "band_high_percentile",
    "cond_delta_low_usd", "cond_delta_high_usd")

_BAR_HEIGHT, _BAR_SHIFT, _COND_SHIFT = 0.5, 0.1, 0.27  # in rows


def tornado_finding(frame: pd.DataFrame, info: RunInfo) -> str:
    """The chart's title, from the widest swing (the frame's first row): how far that input alone
    moves the saving, the extra cost, or ΔNPC across zero.

    Parameters
    ----------
    frame, info
        As :func:`plot_tornado`.
    """
    row = frame.iloc[0]
    label, h = str(row["label"]), int(row["horizon_months"])
    lo, hi = sorted((float(row["delta_low_usd"]), float(row["delta_high_usd"])))
    who = info.label(str(row["strategy"]))
    if hi < 0:
        return f"{label} swings the {h}-month saving of {who} most: {money(-hi, info)} to {money(-lo, info)}"
    if lo >= 0:
        return f"{label} swings the {h}-month extra cost of {who} most: {money(lo, info)} to {money(hi, info)}"
    return (f"{label} swings the {h}-month ΔNPC of {who} most, from {money(lo, info)} to {money(hi, info)}: "
            "alone it can flip the answer")


def plot_tornado(frame: pd.DataFrame, info: RunInfo, *, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Tornado: ΔNPC with each input at its low and high percentile, the widest swing on top.

    Parameters
    ----------
    frame
        From :func:`ftrag_mc.analysis.sensitivity.compute_tornado` (sorted, widest swing first).
    info
        The run: labels, currency and the footnote.
    ax
        Draw onto this axes instead of a new figure. The first :data:`MAX_TORNADO_INPUTS` rows
        are drawn; the footnote counts the others.

    Returns
    -------
    fig, ax
        The title is :func:`tornado_finding`.

    Notes
    -----
    Each bar runs from the base ΔNPC (every input at its median, dashed line) to ΔNPC with the
    input at its low percentile (light) and at its high percentile (dark). The dark line and
    dots over a bar are the expected ΔNPC over the run's futures in which the input is in its
    lowest (open dot) or highest (filled dot) band, every other input varying.
    """
    require_columns(frame, _TORNADO_COLUMNS, "tornado frame")
    rows = frame.head(MAX_TORNADO_INPUTS)
    m = len(rows)
    colour = info.colour(comparison(frame)[0])
    base = float(rows.iloc[0]["base_delta_usd"])
    with house_style():
        fig, axes, created = rows_canvas(ax, m)
        a = axes[0]
        y = np.arange(m)[::-1].astype(float)
        for yi, (_, row) in zip(y, rows.iterrows()):
            _draw_row(a, row, yi, base, colour)
        a.axvline(base, color=INK, lw=1.3, ls=(0, (4, 3)), zorder=2)
        a.axvline(0.0, color="#666666", lw=1.1, zorder=1)
        a.set_yticks(y, [escape(clip_label(s)) for s in rows["label"]])
        a.set_ylim(-0.8, m - 0.2)
        a.grid(False, axis="y")
        a.xaxis.set_major_formatter(usd_formatter(info.currency))
        a.set_xlabel(delta_axis_label(info, comparison(frame)[1]))
        # Room for the value labels at the bar ends.
        lo_x, hi_x = a.get_xlim()
        lo_x, hi_x = min(lo_x, 0.0), max(hi_x, 0.0)
        pad = 0.08 * (hi_x - lo_x)
        a.set_xlim(lo_x - pad, hi_x + pad)
        # Under the axis label (a fixed distance in points), from the figure's left edge: the
        # tick labels' column is free there, so two columns of entries fit.
        below = blended_transform_factory(fig.transFigure, offset_copy(a.transAxes, fig=fig, y=-44, units="points"))
        a.legend(handles=_legend(rows.iloc[0], info, colour), loc="upper left", bbox_to_anchor=(0.01, 0.0),
                 bbox_transform=below, ncols=2 if fig.get_figwidth() >= 9.5 else 1, frameon=False,
                 fontsize=SMALL_FONT_PT)
        finish(fig, [a], created=created, finding=escape(tornado_finding(frame, info)), subtitles=[],
               footnote=notes_footnote(info, "bars: one input at a time, others at their medians",
                                       "dots: conditional means over the sampled futures",
                                       more_inputs(frame, m, "swings")))
        if created:
            set_subtitle(a, info, comparison_text(info, frame), [clip_label(t) for t in rows["label"]])
    return fig, a


def _draw_row(a: Axes, row: pd.Series, yi: float, base: float, colour: str) -> None:
    """One input's bar, its values at the bar's ends and its conditional means."""
    # The bar in the upper part of its row, the conditional means on a line just below it,
    # so that the values written at the bar's ends stay clear of the dots.
    yb, yc = yi + _BAR_SHIFT, yi - _COND_SHIFT
    for end, fill in ((float(row["delta_low_usd"]), tint(colour, 0.55)), (float(row["delta_high_usd"]), colour)):
        a.barh(yb, end - base, left=base, height=_BAR_HEIGHT, color=fill, edgecolor="white", lw=0.6, zorder=3)
    c_lo, c_hi = float(row["cond_delta_low_usd"]), float(row["cond_delta_high_usd"])
    if math.isfinite(c_lo) and math.isfinite(c_hi):
        a.plot([c_lo, c_hi], [yc, yc], color=INK, lw=1.3, zorder=4)
        a.plot([c_lo], [yc], marker="o", ms=6, mfc="white", mec=INK, mew=1.4, zorder=5, ls="none")
        a.plot([c_hi], [yc], marker="o", ms=6, mfc=INK, mec=INK, zorder=5, ls="none")
    d_lo, d_hi = float(row["delta_low_usd"]), float(row["delta_high_usd"])
    if d_lo != d_hi:
        for d, v in ((d_lo, float(row["value_low"])), (d_hi, float(row["value_high"]))):
            left = d < max(d_lo, d_hi)
            a.annotate(escape(input_value(v)), xy=(d, yb), xytext=(-5 if left else 5, 0),
                       textcoords="offset points", ha="right" if left else "left", va="center",
                       fontsize=SMALL_FONT_PT, color=MUTED, zorder=6, annotation_clip=False)


def _legend(first: pd.Series, info: RunInfo, colour: str) -> list:
    """What the bars, dots and lines mean, with the frame's percentiles and base ΔNPC."""
    p_lo, p_hi = float(first["percentile_low"]), float(first["percentile_high"])
    b_lo, b_hi = float(first["band_low_percentile"]), float(first["band_high_percentile"])
    return [
        Patch(color=tint(colour, 0.55), label=escape(f"input at its {percentile_name(p_lo)}, others at medians")),
        Patch(color=colour, label=escape(f"input at its {percentile_name(p_hi)}")),
        Line2D([], [], color=INK, lw=1.3, marker="o", mfc="white", mec=INK,
               label=escape(f"expected ΔNPC when it is ≤ its {percentile_name(b_lo)} (○) or "
                            f"≥ its {percentile_name(b_hi)} (●)")),
        Line2D([], [], color=INK, lw=1.3, ls=(0, (4, 3)),
               label=escape(f"all inputs at medians: {format_usd(float(first['base_delta_usd']), info.currency)}")),
        Line2D([], [], color="#666666", lw=1.1, label="ΔNPC = 0: breakeven"),
    ]
