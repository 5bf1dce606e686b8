"""Each strategy's regret against the cheapest in hindsight (``regret.png``): the expected regret
with its interval and the mean of the worst 5 % of futures."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ftrag_mc.report.charts.canvas import (
    finish, frame_horizon, grow_for_rows, make_figure, money, notes_footnote, require_columns,
)
from ftrag_mc.report.charts.evppi import TICK_WIDTH
from ftrag_mc.report.charts.inputs import set_subtitle, set_wrapped_xlabel
from ftrag_mc.report.charts.labels import strategy_label
from ftrag_mc.report.numbers import format_share
from ftrag_mc.report.style import GRID, INK, MUTED, SMALL_FONT_PT, RunInfo, escape, house_style, tint, \
    usd_formatter, wrap

__all__ = ["plot_regret", "regret_finding"]

_REGRET_COLUMNS = ("strategy", "label", "p_best", "expected_regret_usd", "expected_regret_low_usd",
                   "expected_regret_high_usd", "cvar95_regret_usd", "is_optimal")


def _best(frame: pd.DataFrame) -> pd.Series:
    optimal = frame[frame["is_optimal"].astype(bool)]
    if len(optimal) != 1:
        raise ValueError(f"frame must mark exactly one strategy is_optimal, not {len(optimal)}")
    return optimal.iloc[0]


def regret_finding(frame: pd.DataFrame, info: RunInfo) -> str:
    """The chart's title: the choice best on average, and its expected regret (what perfect
    information is worth) and its mean regret in the worst 5 % of futures.

    Parameters
    ----------
    frame, info
        As :func:`plot_regret`.
    """
    best = _best(frame)
    return (f"Choosing {escape(strategy_label(info, frame, best['strategy']))} now leaves "
            f"{escape(money(best['expected_regret_usd'], info))} of expected regret, what perfect "
            f"information is worth; {escape(money(best['cvar95_regret_usd'], info))} in the worst "
            f"5 % of futures")


def plot_regret(frame: pd.DataFrame, info: RunInfo, *, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Each strategy's regret against the cheapest in hindsight: the mean and the worst 5 %.

    Parameters
    ----------
    frame
        From :func:`ftrag_mc.analysis.voi.compute_evpi`: ``strategy``, ``label``, ``p_best``,
        ``expected_regret_usd`` with ``expected_regret_low_usd``/``expected_regret_high_usd``,
        ``cvar95_regret_usd`` (currency) and ``is_optimal``; optional ``horizon_months``.
    info
        The run.
    ax
        Draw onto this axes.

    Returns
    -------
    fig : Figure
    ax : Axes
        The title (:func:`regret_finding`) names the choice best on average and its expected
        regret (the EVPI).
    """
    require_columns(frame, _REGRET_COLUMNS, "frame")
    rows = frame.reset_index(drop=True)
    for s in rows["strategy"]:
        info.colour(s)  # a strategy not in the run is an error
    _best(rows)
    n = len(rows)
    y = np.arange(n)[::-1] * 1.0
    with house_style():
        fig, axes, created = make_figure(ax)
        grow_for_rows(fig, created, n, 0.9)
        a = axes[0]
        a.grid(False, axis="y")
        right = _draw_bars(a, rows, y, info)
        a.set_yticks(y)
        ticks = [wrap(escape(f"{strategy_label(info, rows, row.strategy)} "
                             f"({'best on average' if row.is_optimal else 'not chosen'}; cheapest in "
                             f"{format_share(row.p_best)} of futures)"), TICK_WIDTH - 6)
                 for row in rows.itertuples()]
        a.set_yticklabels(ticks)
        a.set_ylim(-0.7, n - 0.3)
        a.set_xlim(0, right * 1.3)
        a.xaxis.set_major_formatter(usd_formatter(info.currency))
        h = frame_horizon(rows)
        over = f", over {h} months" if h is not None else ""
        set_wrapped_xlabel(a, f"Regret: extra cost over the cheapest strategy in hindsight ({info.currency}{over}; "
                              "shorter = better)", ticks)
        a.legend(handles=[Patch(color=MUTED, label="expected regret (mean over futures)"),
                          Patch(facecolor=tint(MUTED, 0.6), edgecolor=MUTED, hatch="//",
                                label="CVaR95: mean of the worst 5 % of futures"),
                          Line2D([], [], color=INK, lw=1.2, label="95 % interval of the mean")],
                 loc="best", frameon=True, framealpha=0.92, edgecolor=GRID)
        finish(fig, axes, created=created, finding=regret_finding(rows, info), subtitles=[],
               footnote=notes_footnote(info, "regret = own net present cost minus the lowest of "
                                             "the strategies compared, per future"))
        if created:  # over the panel, which the row labels push right
            set_subtitle(a, info, "regret of each choice against the cheapest strategy of each future", ticks)
    return fig, a


def _draw_bars(a: Axes, rows: pd.DataFrame, y: np.ndarray, info: RunInfo) -> float:
    """Per strategy the expected regret (with its interval) over the CVaR95 bar, each valued;
    the largest value drawn."""
    expected = rows["expected_regret_usd"].to_numpy(float)
    cvar = rows["cvar95_regret_usd"].to_numpy(float)
    right = max(float(np.nanmax(cvar)), float(np.nanmax(rows["expected_regret_high_usd"])), 1.0)
    for yi, row, e, c in zip(y, rows.itertuples(), expected, cvar):
        colour = info.colour(row.strategy)
        a.barh(yi + 0.19, e, height=0.36, color=colour, zorder=2)
        a.errorbar([e], [yi + 0.19], xerr=[[max(e - row.expected_regret_low_usd, 0)],
                                            [max(row.expected_regret_high_usd - e, 0)]],
                   fmt="none", ecolor=INK, elinewidth=1.2, capsize=3, zorder=3)
        a.barh(yi - 0.19, c, height=0.36, color=tint(colour, 0.6), edgecolor=colour, hatch="//", lw=0.8, zorder=2)
        a.text(max(e, row.expected_regret_high_usd) + 0.01 * right, yi + 0.19, f"mean {escape(money(e, info))}",
               va="center", fontsize=SMALL_FONT_PT, color=INK)
        a.text(c + 0.01 * right, yi - 0.19, f"worst 5 % {escape(money(c, info))}", va="center",
               fontsize=SMALL_FONT_PT, color=MUTED)
    return right
