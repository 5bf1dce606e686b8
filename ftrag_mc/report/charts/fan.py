"""Cumulative discounted cost per strategy by month (``fan.png``), from a separate run that keeps
every path: one small multiple per strategy on a shared cost axis, its median line over its P10-P90
and P5-P95 bands, the baseline's median dashed in every other panel for comparison. Bands of
several strategies on one axes merge into one blob, so only a caller's single ``ax`` gets them
together (medians with one P10-P90 band each)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import FigureBase
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ftrag_mc.report.charts.canvas import (
    chart_subtitle, finish, kept_run_note, make_figure, money, notes_footnote, require_columns, returned,
)
from ftrag_mc.report.charts.labels import look_of, shorten
from ftrag_mc.report.numbers import format_months, format_volume
from ftrag_mc.report.style import INK, SMALL_FONT_PT, RunInfo, escape, house_style, tint, usd_formatter

__all__ = ["fan_finding", "plot_fan"]

_FAN_COLUMNS = ("strategy", "label", "month", "queries_per_month", "p5_usd", "p10_usd", "p50_usd", "p90_usd",
                "p95_usd", "samples", "seed")

_FAN_MAX = 6  # strategies drawn on the fan chart: two rows of three panels

_BASELINE_DASH = (0, (4, 2.5))


def _drawn(frame: pd.DataFrame, info: RunInfo) -> tuple[list[str], int]:
    """The strategies drawn, in scenario order, and how many are left out: the baseline and the
    others with the lowest median cost at the end."""
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


def plot_fan(frame: pd.DataFrame, info: RunInfo, *, ax: Axes | None = None,
             fig: FigureBase | None = None) -> tuple[FigureBase, Axes | np.ndarray]:
    """Cumulative discounted cost by month: one panel per strategy (shared cost axis), its median
    line over its P10-P90 band and a lighter P5-P95 band, the baseline's median dashed beside it.

    Parameters
    ----------
    frame
        From :func:`ftrag_mc.analysis.strategy_costs.compute_fan`.
    info
        The run (colours, labels, currency).
    ax
        Draw every strategy onto this one axes instead: medians with one P10-P90 band each.
    fig
        Lay the panels out in this empty Figure or SubFigure instead of a new figure.

    Returns
    -------
    fig, ax
        One Axes (a caller's ``ax``), else one panel per strategy (at most six). The title is
        :func:`fan_finding`.
    """
    strategies, hidden = _drawn(frame, info)
    frame = frame[frame["strategy"].isin(strategies)]
    if ax is not None and fig is not None:
        raise ValueError("give ax (every strategy on one axes) or fig (a panel each), not both")
    with house_style():
        if ax is not None:
            fig, axes, created = make_figure(ax)
            _draw_overlay(axes[0], frame, info, strategies)
            subtitles = [chart_subtitle(info, _what(frame))]
        else:
            fig, axes, created = make_figure(None, ncols=len(strategies), sharey=True, fig=fig)
            # The legend goes where the baseline's dashed median is drawn too.
            keyed = next((s for s in strategies if s != info.baseline), strategies[0])
            for a, s in zip(axes, strategies):
                _draw_panel(a, frame, info, s, legend=s == keyed)
                if a.get_subplotspec().colspan.start > 0:  # one cost label per row of panels
                    a.set_ylabel("")
            subtitles = [_panel_subtitle(frame, info, s) for s in strategies]
            if len(axes) == 1:
                subtitles = [chart_subtitle(info, _what(frame))]
        finish(fig, axes, created=created, finding=escape(fan_finding(frame, info)), subtitles=subtitles,
               footnote=notes_footnote(info, _what(frame) if len(axes) > 1 else "",
                                       "line: median; bands: P10-P90 and P5-P95",
                                       f"percentiles from {kept_run_note(frame)}",
                                       f"{hidden} more strategies with higher median costs in fan.csv" if hidden
                                       else ""))
    return returned(fig, axes)


def _panel_subtitle(frame: pd.DataFrame, info: RunInfo, s: str) -> str:
    """"Fine-tuned Haiku: median $1.4M after 36 months" ("(baseline)" after the baseline's label)."""
    end = _rows(frame, s).iloc[-1]
    who = f"{shorten(info.label(s))}{' (baseline)' if s == info.baseline else ''}"
    return f"{who}: median {money(float(end['p50_usd']), info)} after {format_months(int(end['month']))}"


def _what(frame: pd.DataFrame) -> str:
    return f"cost paths at {format_volume(float(frame['queries_per_month'].iloc[0]))} queries/month"


def _rows(frame: pd.DataFrame, s: str) -> pd.DataFrame:
    return frame[frame["strategy"] == s].sort_values("month")


def _axes(a: Axes, frame: pd.DataFrame, info: RunInfo) -> None:
    """Months from 0 to the horizon; a cost axis from $0 (lower is cheaper) to the highest P95 of
    the strategies drawn (the panels share it)."""
    a.set_xlim(0, int(frame["month"].max()))
    low, high = float(frame["p5_usd"].min()), float(frame["p95_usd"].max())
    a.set_ylim(min(low * 1.04, 0.0) if low < 0 else 0.0, high * 1.04 if high > 0 else 1.0)
    a.xaxis.set_major_formatter(lambda x, _pos: f"{x:g}")
    a.set_xlabel("Months from the start")
    a.yaxis.set_major_formatter(usd_formatter(info.currency))
    a.set_ylabel(escape(f"Cumulative discounted cost ({info.currency}; lower = cheaper)"))


def _draw_panel(a: Axes, frame: pd.DataFrame, info: RunInfo, s: str, *, legend: bool) -> None:
    """One strategy's fan; outside the baseline's own panel, the baseline's median dashed."""
    rows, colour = _rows(frame, s), info.colour(s)
    m = rows["month"].to_numpy()
    a.fill_between(m, rows["p5_usd"], rows["p95_usd"], color=tint(colour, 0.78), lw=0, zorder=2)
    a.fill_between(m, rows["p10_usd"], rows["p90_usd"], color=tint(colour, 0.5), lw=0, zorder=2)
    a.plot(m, rows["p50_usd"], color=colour, lw=2.8, zorder=4)
    if s != info.baseline and info.baseline in set(frame["strategy"]):
        base = _rows(frame, info.baseline)
        a.plot(base["month"], base["p50_usd"], color=INK, lw=1.4, ls=_BASELINE_DASH, zorder=3)
    _axes(a, frame, info)
    if legend:
        handles = [Line2D([], [], color=colour, lw=2.8, label="median"),
                   Patch(color=tint(colour, 0.5), label="P10-P90"),
                   Patch(color=tint(colour, 0.78), label="P5-P95")]
        if s != info.baseline:
            handles.append(Line2D([], [], color=INK, lw=1.4, ls=_BASELINE_DASH,
                                  label=escape(f"{shorten(info.label(info.baseline))} median")))
        a.legend(handles=handles, loc="upper left", fontsize=SMALL_FONT_PT)


def _draw_overlay(a: Axes, frame: pd.DataFrame, info: RunInfo, strategies: list[str]) -> None:
    """Every strategy on one axes: its median (own dash) over one light P10-P90 band."""
    for s in strategies:
        rows, look = _rows(frame, s), look_of(info, s)
        m = rows["month"].to_numpy()
        a.fill_between(m, rows["p10_usd"], rows["p90_usd"], color=look.colour, alpha=0.12, lw=0, zorder=2)
        a.plot(m, rows["p50_usd"], lw=2.6, zorder=3, label=escape(shorten(info.label(s))), **look.line_kw(len(m)))
    _axes(a, frame, info)
    handles, _ = a.get_legend_handles_labels()
    handles.append(Patch(color="#888888", alpha=0.3, label="P10-P90"))
    a.legend(handles=handles, loc="upper left", fontsize=SMALL_FONT_PT)
