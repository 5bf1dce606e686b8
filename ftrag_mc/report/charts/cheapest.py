"""P(each strategy has the lowest total cost of all, baseline included) against volume
(``cheapest_vs_volume.png``): the most likely cheapest in each volume range, and where the lead
changes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ftrag_mc.analysis.regimes import SWEEP_START
from ftrag_mc.report.charts.canvas import (
    BAND_ALPHA, MAX_SERIES, WILSON_NOTE, chart_footnote, chart_subtitle, finish, keep_most, make_figure,
    require_columns, settle, strategies_in,
)
from ftrag_mc.report.charts.labels import look_of, strategy_label
from ftrag_mc.report.charts.placement import Clearance, draw_legend, volume_label, volume_line
from ftrag_mc.report.findings import at_volume, rough
from ftrag_mc.report.numbers import format_share, format_volume
from ftrag_mc.report.style import RunInfo, house_style, set_probability_axis, set_volume_axis

__all__ = ["cheapest_finding", "plot_cheapest_vs_volume"]

_CHEAPEST_COLUMNS = (
    "strategy", "label", "horizon_months", "queries_per_month",
    "p_cheapest", "p_cheapest_low", "p_cheapest_high",
)
_REGIME_COLUMNS = ("regime", "regime_strategy", "regime_from_queries_per_month", "regime_boundary_method")


@dataclass(frozen=True)
class _Cheapest:
    """The longest horizon's curves, the strategies drawn and the regimes' leaders and bounds."""

    sub: pd.DataFrame
    horizon: int
    strategies: list[str]  # every strategy in the frame, baseline included
    drawn: list[str]
    hidden: int
    q: np.ndarray
    runs: list[str]  # the leader of each volume range, lowest volumes first
    bounds: list[float]  # where the lead changes


def _read(curves: pd.DataFrame, info: RunInfo) -> _Cheapest:
    require_columns(curves, (*_CHEAPEST_COLUMNS, *_REGIME_COLUMNS), "curves")
    h = int(curves["horizon_months"].max())
    sub = curves[curves["horizon_months"] == h]
    strategies = strategies_in(info, sub["strategy"].unique(), baseline=True)
    q = np.sort(sub["queries_per_month"].unique().astype(float))
    regimes = sub.drop_duplicates("regime").sort_values("regime")
    runs = list(regimes["regime_strategy"])
    bounds = [float(x) for x, how in zip(regimes["regime_from_queries_per_month"],
                                         regimes["regime_boundary_method"]) if how != SWEEP_START]
    peak = sub.groupby("strategy")["p_cheapest"].max()
    drawn, hidden = keep_most(strategies, lambda s: float(peak[s]), MAX_SERIES, always=[info.baseline, *runs])
    return _Cheapest(sub, h, strategies, drawn, hidden, q, runs, bounds)


# --- the finding --------------------------------------------------------------------------------


def cheapest_finding(curves: pd.DataFrame, info: RunInfo) -> str:
    """The chart's title: the most likely cheapest strategy in each volume range, and whether the
    two likeliest are too close to call at your volume.

    Parameters
    ----------
    curves, info
        As :func:`plot_cheapest_vs_volume`.
    """
    return _finding(_read(curves, info), info)


def _finding(data: _Cheapest, info: RunInfo) -> str:
    finding = regimes_finding([strategy_label(info, data.sub, s) for s in data.runs], data.bounds, data.q,
                              data.horizon)
    if info.queries_per_month is not None:
        finding += too_close(data.sub, data.strategies, info.queries_per_month,
                             lambda s: strategy_label(info, data.sub, s))
    return rough(info, finding)


def regimes_finding(leaders: Sequence[str], bounds: Sequence[float], q: np.ndarray, horizon: int) -> str:
    """"Most likely cheapest over 36 months: A below ~40k queries/month, B above"."""
    head = f"Most likely cheapest over {horizon} months: "
    if len(leaders) == 1:
        return head + (f"{leaders[0]} at every volume from {format_volume(q[0])} to "
                       f"{format_volume(q[-1])} queries/month")
    # Boundaries are read between grid volumes: "~" says they are approximate.
    parts = [f"{leaders[0]} below ~{format_volume(bounds[0])} queries/month"]
    for k in range(1, len(leaders) - 1):
        parts.append(f"{leaders[k]} ~{format_volume(bounds[k - 1])}–{format_volume(bounds[k])}")
    parts.append(f"{leaders[-1]} above" if len(leaders) == 2
                 else f"{leaders[-1]} above ~{format_volume(bounds[-1])}")
    return head + ("; " if any("," in lab for lab in leaders) else ", ").join(parts)


def too_close(sub: pd.DataFrame, strategies: Sequence[str], volume: float,
              label: Callable[[str], str]) -> str:
    """"; too close to call at your volume" when the two likeliest strategies' 95 % bands
    overlap there, else ""."""
    at = []
    for s in strategies:
        c = sub[sub["strategy"] == s].sort_values("queries_per_month")
        at.append((*at_volume(c, volume, "p_cheapest"), s))
    at.sort(reverse=True)
    if len(at) < 2:
        return ""
    (p0, lo0, _hi0, s0), (p1, _lo1, hi1, s1) = at[0], at[1]
    if hi1 < lo0:
        return ""
    return (f"; at your {format_volume(volume)} queries/month {label(s0)} "
            f"({format_share(p0)}) and {label(s1)} ({format_share(p1)}) are too close to call")


# --- the drawing --------------------------------------------------------------------------------


def plot_cheapest_vs_volume(
    curves: pd.DataFrame,
    info: RunInfo,
    *,
    ax: Axes | None = None,
) -> tuple[Figure, Axes]:
    """P(each strategy has the lowest total cost of all, baseline included) against volume.

    Parameters
    ----------
    curves
        ``strategy``, ``label``, ``horizon_months``, ``queries_per_month`` (queries/month),
        ``p_cheapest`` (0..1) with its 95 % Wilson band ``p_cheapest_low``/``p_cheapest_high``,
        and the regime of each row (:func:`ftrag_mc.analysis.regimes.attach_regimes`): ``regime``,
        ``regime_strategy``, ``regime_from_queries_per_month``, ``regime_boundary_method``. The
        longest horizon in the frame is drawn.
    info
        The run; its ``queries_per_month`` is marked "your volume".
    ax
        Draw onto this axes.

    Returns
    -------
    fig : Figure
    ax : Axes
        The title (:func:`cheapest_finding`) names the most likely cheapest strategy in each
        volume range (the frame's regimes); dotted verticals mark where the lead changes.
    """
    data = _read(curves, info)
    volume = info.queries_per_month
    with house_style():
        fig, axes, created = make_figure(ax)
        a = axes[0]
        set_volume_axis(a)
        a.set_xlim(data.q[0] / 1.15, data.q[-1] * 1.15)
        set_probability_axis(a, "P(cheapest of all strategies)")
        room = Clearance(a)
        for s in data.drawn:
            c = data.sub[data.sub["strategy"] == s].sort_values("queries_per_month")
            look = look_of(info, s)
            label = strategy_label(info, data.sub, s) + (", baseline" if s == info.baseline else "")
            a.fill_between(c["queries_per_month"], c["p_cheapest_low"], c["p_cheapest_high"],
                           color=look.colour, alpha=BAND_ALPHA, lw=0)
            a.plot(c["queries_per_month"], c["p_cheapest"], lw=3.0, label=label, zorder=3, **look.line_kw(len(c)))
            room.add_line(c["queries_per_month"], c["p_cheapest"])
        for x in data.bounds:
            a.axvline(x, color="#A0A0A0", lw=1.0, ls=(0, (1, 2)), zorder=1)
            room.add_line([x, x], [0, 1], y_axes=True, weight=2)
        if volume is not None:
            volume_line(a, room, volume)
        finish(fig, axes, created=created, finding=_finding(data, info),
               subtitles=[chart_subtitle(info, "chance that each strategy has the lowest total cost "
                                               f"over {data.horizon} months")],
               footnote=chart_footnote(info, WILSON_NOTE + " · lead changes interpolated between sweep "
                                       "volumes (cheapest_regimes.csv)", data.hidden, "cheapest_vs_volume.csv",
                                       what="strategy"))
        settle(fig)
        room.measure()
        draw_legend(a, room)
        if volume is not None:
            volume_label(a, room, volume)
    return fig, a
