"""Spider (``spider.png``): the saving as each input walks through its percentiles, the others at
their medians; the inputs with the widest ranges only. The CSV keeps ΔNPC (negative = saving); the
chart draws the saving, -ΔNPC, up = saves, as every chart of the board pack."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from scipy.special import ndtr

from ftrag_mc.report.charts.canvas import chart_subtitle, finish, make_figure, money, notes_footnote, require_columns
from ftrag_mc.report.charts.inputs import (
    COMPARISON_COLUMNS, comparison, comparison_text, more_inputs, percentile_name, probit, wrap_label,
)
from ftrag_mc.report.style import INK, OKABE_ITO, SMALL_FONT_PT, RunInfo, escape, house_style, usd_formatter

__all__ = ["MAX_SPIDER_INPUTS", "plot_spider", "spider_finding"]

MAX_SPIDER_INPUTS = 8

_SPIDER_COLUMNS = COMPARISON_COLUMNS + ("percentile", "delta_usd", "base_delta_usd", "range_usd")

_SPIDER_STYLES = [(c, "-") for c in OKABE_ITO[:6]] + [(INK, "-"), (OKABE_ITO[0], (0, (4, 2)))]


def spider_finding(frame: pd.DataFrame, info: RunInfo) -> str:
    """The chart's title: the saving at the lowest and highest percentile of the input with the
    widest range (the frame's first).

    Parameters
    ----------
    frame, info
        As :func:`plot_spider`.
    """
    horizon = comparison(frame)[2]
    top = frame[frame["input"] == frame["input"].iloc[0]].sort_values("percentile")
    p0, p1 = float(top["percentile"].iloc[0]), float(top["percentile"].iloc[-1])
    d0, d1 = float(top["delta_usd"].iloc[0]), float(top["delta_usd"].iloc[-1])
    # The second end repeats its kind only when it differs from the first's: "a loss of $82.9k at
    # its P5, a saving of $44.7k at its P95", "a saving of $10k at its P5, $50k at its P95".
    second = _saving(d1, info, bare=(d0 > 0) == (d1 > 0))
    return (f"{top['label'].iloc[0]} moves the {horizon}-month saving most: {_saving(d0, info)} at its "
            f"{percentile_name(p0)}, {second} at its {percentile_name(p1)}")


def _saving(delta: float, info: RunInfo, *, bare: bool = False) -> str:
    """A ΔNPC said as a saving ("a saving of $534k") or a loss ("a loss of $12k"); ``bare``: the
    amount alone ("$534k")."""
    amount = money(abs(delta), info)
    if bare:
        return amount
    return f"a loss of {amount}" if delta > 0 else f"a saving of {amount}"


def plot_spider(frame: pd.DataFrame, info: RunInfo, *, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Spider: the saving as each input walks through its percentiles, the widest ranges only.

    Parameters
    ----------
    frame
        From :func:`ftrag_mc.analysis.sensitivity.compute_spider` (inputs by range, widest first).
    info
        The run.
    ax
        Draw onto this axes instead of a new figure. The first :data:`MAX_SPIDER_INPUTS` inputs
        are drawn, in the frame's order.

    Returns
    -------
    fig, ax
        The title is :func:`spider_finding`.
    """
    require_columns(frame, _SPIDER_COLUMNS, "spider frame")
    order = list(dict.fromkeys(frame["input"]))
    shown = order[:MAX_SPIDER_INPUTS]
    base = float(frame["base_delta_usd"].iloc[0])
    with house_style():
        fig, axes, created = make_figure(ax)
        a = axes[0]
        for k, name in enumerate(shown):
            rows = frame[frame["input"] == name].sort_values("percentile")
            colour, ls = _SPIDER_STYLES[k % len(_SPIDER_STYLES)]
            a.plot(rows["percentile"], -rows["delta_usd"], color=colour, ls=ls, lw=2.2, marker="o", ms=4.5,
                   label=escape(wrap_label(rows["label"].iloc[0], 30, 2)), zorder=3 + (len(shown) - k) / 100)
        a.axhline(0.0, color="#666666", lw=1.1, zorder=1)
        a.axhline(-base, color=INK, lw=1.1, ls=(0, (4, 3)), zorder=2)
        percentiles = sorted(frame["percentile"].unique())
        # Probit scale: percentiles spaced as standard deviations, so P5 and P10 do not collide.
        a.set_xscale("function", functions=(probit, ndtr))
        a.set_xlim(min(percentiles) * 0.8, 1 - (1 - max(percentiles)) * 0.8)
        a.set_xticks(percentiles, [percentile_name(p) for p in percentiles])
        a.minorticks_off()
        a.set_xlabel("Input set to its percentile (others at their medians; probit scale)")
        a.yaxis.set_major_formatter(usd_formatter(info.currency))
        a.set_ylabel(escape(f"Saving vs {info.label(comparison(frame)[1])} ({info.currency}; up = saves)"))
        a.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), title="Input", alignment="left",
                 fontsize=SMALL_FONT_PT)
        finish(fig, [a], created=created, finding=escape(spider_finding(frame, info)),
               subtitles=[escape(chart_subtitle(info, comparison_text(info, frame)))],
               footnote=notes_footnote(info, f"dashed: all inputs at medians, {_saving(base, info)}",
                                       "the CSV holds ΔNPC = -saving",
                                       more_inputs(pd.DataFrame({"input": order}), len(shown), "ranges")))
    return fig, a
