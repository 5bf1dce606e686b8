"""Each strategy's mean net present cost as a horizontal bar stacked by cost component
(``breakdown.png``), each component in its registry colour, its share written where it fits."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ftrag_mc.model.components import COLOURS
from ftrag_mc.model.components import LABELS as COMPONENT_LABELS
from ftrag_mc.report.charts.canvas import (
    chart_subtitle, finish, kept_run_note, make_figure, money, notes_footnote, require_columns,
)
from ftrag_mc.report.charts.labels import shorten
from ftrag_mc.report.numbers import format_months, format_share, format_volume
from ftrag_mc.report.style import INK, SMALL_FONT_PT, RunInfo, escape, house_style, usd_formatter

__all__ = ["COMPONENT_COLOURS", "breakdown_finding", "plot_breakdown"]

_BREAKDOWN_COLUMNS = ("strategy", "label", "component", "horizon_months", "queries_per_month", "mean_usd",
                      "share_of_mean", "total_mean_usd", "samples", "seed")

#: One colour per cost component, in stacking order, the same in every breakdown (the registry's).
COMPONENT_COLOURS: dict[str, str] = COLOURS
_MIN_LABEL_SHARE = 0.06  # a segment narrower than this share of the widest bar gets no label


def breakdown_finding(frame: pd.DataFrame, info: RunInfo) -> str:
    """The chart's title: the main question's challenger's largest cost component and its share
    (without one in the frame, the largest single cost of any strategy).

    Parameters
    ----------
    frame, info
        As :func:`plot_breakdown`.
    """
    require_columns(frame, _BREAKDOWN_COLUMNS, "breakdown frame")
    own = frame[frame["strategy"] == info.main_challenger]
    top = (own if len(own) else frame).loc[lambda f: f["mean_usd"].idxmax()]
    what = COMPONENT_LABELS[str(top["component"])]  # "LLM calls" keeps its capitals
    who = info.label(str(top["strategy"]))
    share, total = format_share(float(top["share_of_mean"])), money(float(top["total_mean_usd"]), info)
    if len(own):
        return f"For {who}, the largest cost is {what}: {share} of its {total}"
    return f"{what[:1].upper() + what[1:]} is the largest cost: {share} of {who}'s {total}"


def plot_breakdown(frame: pd.DataFrame, info: RunInfo, *, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Each strategy's mean net present cost as a horizontal bar stacked by cost component.

    Parameters
    ----------
    frame
        From :func:`ftrag_mc.analysis.strategy_costs.compute_breakdown`.
    info
        The run.
    ax
        Draw onto this axes instead of a new figure.

    Returns
    -------
    fig, ax
        The title is :func:`breakdown_finding`.
    """
    require_columns(frame, _BREAKDOWN_COLUMNS, "breakdown frame")
    strategies = [s for s in info.strategies if s in set(frame["strategy"])]
    components = [c for c in COMPONENT_COLOURS if c in set(frame["component"])]
    with house_style():
        fig, axes, created = make_figure(ax)
        if created:  # a bar per strategy: taller for many
            width, height = fig.get_size_inches()
            fig.set_size_inches(width, max(height, 2.5 + 0.45 * len(strategies)))
        a = axes[0]
        y = np.arange(len(strategies))[::-1].astype(float)
        _draw_bars(a, frame, info, strategies, components, y)
        a.set_yticks(y, [shorten(info.label(s)) for s in strategies])
        a.grid(False, axis="y")
        a.set_xlim(right=a.get_xlim()[1] * 1.12)
        a.xaxis.set_major_formatter(usd_formatter(info.currency))
        horizon, volume = int(frame["horizon_months"].iloc[0]), float(frame["queries_per_month"].iloc[0])
        a.set_xlabel(escape(f"Mean net present cost over {format_months(horizon)} ({info.currency})"))
        a.legend(handles=[Patch(color=COMPONENT_COLOURS[c], label=escape(COMPONENT_LABELS[c])) for c in components],
                 loc="center left", bbox_to_anchor=(1.01, 0.5), title="Component", alignment="left",
                 fontsize=SMALL_FONT_PT)
        finish(fig, [a], created=created, finding=escape(breakdown_finding(frame, info)),
               subtitles=[escape(chart_subtitle(info, f"{format_months(horizon)} at {format_volume(volume)} "
                                                      "queries/month"))],
               footnote=notes_footnote(info, "labels: share of the strategy's mean NPC",
                                       f"means over {kept_run_note(frame)}"))
    return fig, a


def _draw_bars(a: Axes, frame: pd.DataFrame, info: RunInfo, strategies: list[str], components: list[str],
               y: np.ndarray) -> None:
    """The stacked bars (negative components to the left of zero), shares and totals."""
    widest = float(frame.groupby("strategy")["mean_usd"].apply(lambda v: v.abs().sum()).max()) or 1.0
    fig = a.get_figure(root=True)
    # A share label goes inside its segment only where it fits (the axes' width in points,
    # less the room the labels and legend beside it will take).
    usd_per_pt = widest * 1.12 / max(0.6 * a.get_position().width * fig.get_figwidth() * 72, 1.0)
    for yi, s in zip(y, strategies):
        rows = frame[frame["strategy"] == s].set_index("component")
        right = left = 0.0
        for c in components:
            if c not in rows.index:
                continue
            value = float(rows.loc[c, "mean_usd"])
            start = right if value >= 0 else left + value
            a.barh(yi, abs(value), left=start, height=0.6, color=COMPONENT_COLOURS[c], edgecolor="white",
                   lw=0.8, zorder=3)
            share = format_share(float(rows.loc[c, "share_of_mean"]))
            fits = abs(value) >= (len(share) * 0.6 * SMALL_FONT_PT + 8) * usd_per_pt
            if abs(value) >= _MIN_LABEL_SHARE * widest and fits:
                a.text(start + abs(value) / 2, yi, share, ha="center", va="center", fontsize=SMALL_FONT_PT,
                       color=INK, zorder=4)
            right, left = (right + value, left) if value >= 0 else (right, left + value)
        total = float(rows["total_mean_usd"].iloc[0])
        a.annotate(escape(money(total, info)), xy=(max(right, 0.0), yi), xytext=(6, 0),
                   textcoords="offset points", ha="left", va="center", fontsize=SMALL_FONT_PT, color=INK)
