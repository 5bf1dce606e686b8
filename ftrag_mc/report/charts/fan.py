"""Cumulative discounted cost per strategy by month (``fan.png``): the median line, the P10-P90
band and the P5-P95 band, from a separate run that keeps every path."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ftrag_mc.report.charts.canvas import (
    chart_subtitle, finish, kept_run_note, make_figure, money, notes_footnote, require_columns,
)
from ftrag_mc.report.charts.labels import shorten
from ftrag_mc.report.numbers import format_months, format_volume
from ftrag_mc.report.style import SMALL_FONT_PT, RunInfo, escape, house_style, usd_formatter

__all__ = ["fan_finding", "plot_fan"]

_FAN_COLUMNS = ("strategy", "label", "month", "queries_per_month", "p5_usd", "p10_usd", "p50_usd", "p90_usd",
                "p95_usd", "samples", "seed")

_FAN_MAX = 6  # strategies drawn on the fan chart


def _drawn(frame: pd.DataFrame, info: RunInfo) -> tuple[list[str], int]:
    """The strategies drawn, in scenario order, and how many are left out: overlapping bands
    stop being readable past a few, so the baseline and the cheapest others."""
    require_columns(frame, _FAN_COLUMNS, "fan frame")
    present = [s for s in info.strategies if s in set(frame["strategy"])]
    final = frame[frame["month"] == frame["month"].max()].set_index("strategy")["p50_usd"]
    others = sorted((s for s in present if s != info.baseline), key=lambda s: float(final[s]))
    strategies = ([info.baseline] if info.baseline in present else []) + others[:_FAN_MAX - 1]
    strategies = [s for s in present if s in strategies]
    return strategies, len(present) - len(strategies)


def fan_finding(frame: pd.DataFrame, info: RunInfo) -> str:
    """The chart's title: the strategy drawn with the lowest median cumulative cost at the end,
    with its P10-P90 range.

    Parameters
    ----------
    frame, info
        As :func:`plot_fan`.
    """
    strategies, _hidden = _drawn(frame, info)
    last = frame[frame["month"] == frame["month"].max()].set_index("strategy").loc[strategies]
    cheapest = str(last["p50_usd"].idxmin())
    horizon = int(last["month"].iloc[0])
    return (f"{info.label(cheapest)} has the lowest median cumulative cost after {format_months(horizon)}: "
            f"{money(float(last.loc[cheapest, 'p50_usd']), info)} (P10-P90 "
            f"{money(float(last.loc[cheapest, 'p10_usd']), info)} to "
            f"{money(float(last.loc[cheapest, 'p90_usd']), info)})")


def plot_fan(frame: pd.DataFrame, info: RunInfo, *, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Cumulative discounted cost per strategy by month: median line, P10-P90 band, P5-P95 lighter.

    Parameters
    ----------
    frame
        From :func:`ftrag_mc.analysis.strategy_costs.compute_fan`.
    info
        The run (colours, labels, currency).
    ax
        Draw onto this axes instead of a new figure.

    Returns
    -------
    fig, ax
        The title is :func:`fan_finding`.
    """
    strategies, hidden = _drawn(frame, info)
    with house_style():
        fig, axes, created = make_figure(ax)
        a = axes[0]
        for s in strategies:
            rows = frame[frame["strategy"] == s].sort_values("month")
            colour, m = info.colour(s), rows["month"].to_numpy()
            a.fill_between(m, rows["p5_usd"], rows["p95_usd"], color=colour, alpha=0.12, lw=0, zorder=2)
            a.fill_between(m, rows["p10_usd"], rows["p90_usd"], color=colour, alpha=0.25, lw=0, zorder=2)
            a.plot(m, rows["p50_usd"], color=colour, lw=2.6, zorder=3, label=shorten(info.label(s)))
        a.set_xlim(0, int(frame["month"].max()))
        if float(frame["p5_usd"].min()) >= 0:
            a.set_ylim(bottom=0)
        a.xaxis.set_major_formatter(lambda x, _pos: f"{x:g}")
        a.set_xlabel("Months from the start")
        a.yaxis.set_major_formatter(usd_formatter(info.currency))
        a.set_ylabel(escape(f"Cumulative discounted cost ({info.currency})"))
        handles, _ = a.get_legend_handles_labels()
        handles += [Patch(color="#888888", alpha=0.45, label="P10-P90"),
                    Patch(color="#888888", alpha=0.18, label="P5-P95")]
        a.legend(handles=handles, loc="best", fontsize=SMALL_FONT_PT)  # wherever it covers the fewest paths
        volume = float(frame["queries_per_month"].iloc[0])
        finish(fig, [a], created=created, finding=escape(fan_finding(frame, info)),
               subtitles=[escape(chart_subtitle(info, f"cost paths at {format_volume(volume)} queries/month"))],
               footnote=notes_footnote(info, "line: median; bands: P10-P90 and P5-P95",
                                       f"percentiles from {kept_run_note(frame)}",
                                       f"{hidden} more strategies with higher median costs in fan.csv" if hidden
                                       else ""))
    return fig, a
