"""Tornado (``tornado.png``): the saving with each input at its low and high percentile, the others
at their medians, the widest swing on top; under each bar, the conditional means over the run.

The CSV keeps ΔNPC (challenger minus baseline, negative = saving); the chart draws the saving,
-ΔNPC (:func:`tornado_savings`), right of 0 = saves, as every chart of the board pack. Each bar's
ends say the input's value in its unit (the frame's ``unit`` column when the report attached one,
:func:`ftrag_mc.analysis.inputs.input_unit`); labels wrap, never cut a word."""

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
    COMPARISON_COLUMNS, comparison, comparison_text, input_value, more_inputs, percentile_name, rows_canvas,
    saving_axis_label, set_subtitle, wrap_label,
)
from ftrag_mc.report.numbers import format_quantity
from ftrag_mc.report.style import INK, MUTED, SMALL_FONT_PT, RunInfo, escape, house_style, tint, usd_formatter

__all__ = ["MAX_TORNADO_INPUTS", "bar_end_words", "plot_tornado", "tornado_finding", "tornado_savings"]

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
    return (f"{label} swings the {h}-month saving of {who} most, from a loss of {money(hi, info)} to a saving "
            f"of {money(-lo, info)}: alone it can flip the answer")


def tornado_savings(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame's ΔNPCs as savings (-ΔNPC, right of 0 = saves): ``saving_low_usd`` and
    ``saving_high_usd`` (the input at its low and high percentile), ``base_saving_usd`` (every
    input at its median), ``cond_saving_low_usd`` and ``cond_saving_high_usd``."""
    return frame.assign(saving_low_usd=-frame["delta_low_usd"], saving_high_usd=-frame["delta_high_usd"],
                        base_saving_usd=-frame["base_delta_usd"], cond_saving_low_usd=-frame["cond_delta_low_usd"],
                        cond_saving_high_usd=-frame["cond_delta_high_usd"])


def bar_end_words(row: pd.Series, info: RunInfo) -> tuple[str, str]:
    """The input's values at the ends of its bar (low, high percentile), in its unit when the
    frame says it ("4.0 %", "$2.64", "1.8k tokens", "3.5 months")."""
    unit = str(row["unit"]) if "unit" in row.index and isinstance(row["unit"], str) else ""
    words = [format_quantity(float(row[k]), unit, info.currency) if unit else input_value(float(row[k]))
             for k in ("value_low", "value_high")]
    return words[0], words[1]


def plot_tornado(frame: pd.DataFrame, info: RunInfo, *, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Tornado: the saving with each input at its low and high percentile, the widest swing on top.

    Parameters
    ----------
    frame
        From :func:`ftrag_mc.analysis.sensitivity.compute_tornado` (sorted, widest swing first);
        with a ``unit`` column per input (the report attaches it) the bar ends say their unit.
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
    Each bar runs from the base saving (every input at its median, dashed line) to the saving
    with the input at its low percentile (light) and at its high percentile (dark). The dark line
    and dots under a bar are the expected saving over the run's futures in which the input is in
    its lowest (open dot) or highest (filled dot) band, every other input varying.
    """
    require_columns(frame, _TORNADO_COLUMNS, "tornado frame")
    rows = tornado_savings(frame.head(MAX_TORNADO_INPUTS))
    m = len(rows)
    challenger, baseline, horizon, _volume = comparison(frame)
    colour = info.colour(challenger)
    base = float(rows.iloc[0]["base_saving_usd"])
    labels = [wrap_label(t) for t in rows["label"]]
    with house_style():
        fig, axes, created = rows_canvas(ax, m + 0.45 * sum(t.count("\n") for t in labels))
        a = axes[0]
        y = np.arange(m)[::-1].astype(float)
        for yi, (_, row) in zip(y, rows.iterrows()):
            _draw_row(a, row, yi, base, colour, bar_end_words(row, info))
        a.axvline(base, color=INK, lw=1.3, ls=(0, (4, 3)), zorder=2)
        a.axvline(0.0, color="#666666", lw=1.1, zorder=1)
        a.set_yticks(y, [escape(t) for t in labels])
        a.set_ylim(-0.8, m - 0.2)
        a.grid(False, axis="y")
        a.xaxis.set_major_formatter(usd_formatter(info.currency))
        a.set_xlabel(saving_axis_label(info, baseline, horizon))
        # Room for the value labels at the bar ends.
        lo_x, hi_x = a.get_xlim()
        lo_x, hi_x = min(lo_x, 0.0), max(hi_x, 0.0)
        pad = 0.1 * (hi_x - lo_x)
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
                                       "the CSV holds ΔNPC = -saving", more_inputs(frame, m, "swings")))
        if created:
            set_subtitle(a, info, comparison_text(info, frame), labels)
    return fig, a


def _draw_row(a: Axes, row: pd.Series, yi: float, base: float, colour: str, ends: tuple[str, str]) -> None:
    """One input's bar, its values at the bar's ends and its conditional means."""
    # The bar in the upper part of its row, the conditional means on a line just below it,
    # so that the values written at the bar's ends stay clear of the dots.
    yb, yc = yi + _BAR_SHIFT, yi - _COND_SHIFT
    s_lo, s_hi = float(row["saving_low_usd"]), float(row["saving_high_usd"])
    for end, fill in ((s_lo, tint(colour, 0.55)), (s_hi, colour)):
        a.barh(yb, end - base, left=base, height=_BAR_HEIGHT, color=fill, edgecolor="white", lw=0.6, zorder=3)
    c_lo, c_hi = float(row["cond_saving_low_usd"]), float(row["cond_saving_high_usd"])
    if math.isfinite(c_lo) and math.isfinite(c_hi):
        a.plot([c_lo, c_hi], [yc, yc], color=INK, lw=1.3, zorder=4)
        a.plot([c_lo], [yc], marker="o", ms=6, mfc="white", mec=INK, mew=1.4, zorder=5, ls="none")
        a.plot([c_hi], [yc], marker="o", ms=6, mfc=INK, mec=INK, zorder=5, ls="none")
    if s_lo != s_hi:
        for saving, text in zip((s_lo, s_hi), ends):
            left = saving < max(s_lo, s_hi)
            # On a white ground: a bar barely off the base saving puts its value over the dashed line.
            a.annotate(escape(text), xy=(saving, yb), xytext=(-5 if left else 5, 0),
                       textcoords="offset points", ha="right" if left else "left", va="center",
                       fontsize=SMALL_FONT_PT, color=MUTED, zorder=6, annotation_clip=False,
                       bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none", alpha=0.85))


def _legend(first: pd.Series, info: RunInfo, colour: str) -> list:
    """What the bars, dots and lines mean, with the frame's percentiles and base saving."""
    p_lo, p_hi = float(first["percentile_low"]), float(first["percentile_high"])
    b_lo, b_hi = float(first["band_low_percentile"]), float(first["band_high_percentile"])
    base = float(first["base_saving_usd"])
    at_medians = (f"saves {money(base, info)}" if base >= 0 else f"costs {money(-base, info)} more")
    return [
        Patch(color=tint(colour, 0.55), label=escape(f"input at its {percentile_name(p_lo)}, others at medians")),
        Patch(color=colour, label=escape(f"input at its {percentile_name(p_hi)}")),
        Line2D([], [], color=INK, lw=1.3, marker="o", mfc="white", mec=INK,
               label=escape(f"expected saving when it is ≤ its {percentile_name(b_lo)} (○) or "
                            f"≥ its {percentile_name(b_hi)} (●)")),
        Line2D([], [], color=INK, lw=1.3, ls=(0, (4, 3)), label=escape(f"all inputs at medians: {at_medians}")),
        Line2D([], [], color="#666666", lw=1.1, label=escape("$0: no saving (breakeven)")),
    ]
