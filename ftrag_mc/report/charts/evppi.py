"""What learning each input (or group of inputs) before deciding is worth (``evppi.png``):
horizontal bars, largest first, with bootstrap intervals, the noise floor and the EVPI."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ftrag_mc.analysis.voi import ZERO_USD
from ftrag_mc.report.charts.canvas import (
    finish, frame_horizon, grow_for_rows, make_figure, money, notes_footnote, require_columns,
)
from ftrag_mc.report.charts.inputs import set_subtitle, set_wrapped_xlabel
from ftrag_mc.report.findings import cut
from ftrag_mc.report.style import GRID, INK, OKABE_ITO, SMALL_FONT_PT, RunInfo, escape, house_style, usd_formatter, wrap

__all__ = ["evppi_finding", "plot_evppi"]

_EVPPI_COLUMNS = ("input", "description", "evppi_usd", "evppi_low_usd", "evppi_high_usd")
_SINGLE_COLOUR = OKABE_ITO[3]  # blue
_GROUP_COLOUR = OKABE_ITO[5]  # reddish purple
_NOISE_COLOUR = "#D9D9D9"
TICK_WIDTH = 42  # characters per line of a row label


def _evpi(frame: pd.DataFrame) -> float | None:
    return float(frame["evpi_usd"].iloc[0]) if "evpi_usd" in frame.columns else None


def evppi_finding(frame: pd.DataFrame, info: RunInfo) -> str:
    """The chart's title: the input most worth learning (above the noise floor) and what it is
    worth, and the value of perfect information.

    Parameters
    ----------
    frame, info
        As :func:`plot_evppi`.
    """
    evpi_usd = _evpi(frame)
    noise = frame["noise_p95_usd"] if "noise_p95_usd" in frame.columns else 0.0
    worth = frame[(frame["evppi_usd"] >= ZERO_USD) & (frame["evppi_usd"] > noise)]
    perfect = "" if evpi_usd is None else f"; perfect information {escape(money(evpi_usd, info))}"
    if worth.empty:
        return f"No input alone is worth learning before deciding{perfect}"
    top = worth.loc[worth["evppi_usd"].idxmax()]
    return (f"Learning {escape(cut(top['description']))} first is worth up to "
            f"{escape(money(top['evppi_usd'], info))}{perfect}")


def plot_evppi(frame: pd.DataFrame, info: RunInfo, *, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """What learning each input (or group) before deciding is worth: horizontal bars, largest first.

    Parameters
    ----------
    frame
        From :func:`ftrag_mc.analysis.voi.compute_evppi`: ``input``, ``description``,
        ``evppi_usd`` with its interval ``evppi_low_usd``/``evppi_high_usd`` (currency); optional
        ``noise_p95_usd`` (drawn as a grey bar: what pure noise scores), ``members`` (groups get
        their own colour), ``evpi_usd`` (perfect information's value, a dashed reference line),
        ``horizon_months``, ``method``.
    info
        The run.
    ax
        Draw onto this axes.

    Returns
    -------
    fig : Figure
    ax : Axes
        The title (:func:`evppi_finding`) names the input most worth learning and its value, and
        the EVPI.
    """
    require_columns(frame, _EVPPI_COLUMNS, "frame")
    rows = frame.reset_index(drop=True)
    n = len(rows)
    y = np.arange(n)[::-1]  # the first row of the frame (the largest) on top
    with house_style():
        fig, axes, created = make_figure(ax)
        grow_for_rows(fig, created, n, 0.42)
        a = axes[0]
        a.grid(False, axis="y")
        handles = _draw_bars(a, rows, y, info)
        a.set_ylim(-0.7, n - 0.3)
        a.set_yticks(y)
        # A description names strategies by their labels: cut, so that no row outgrows the figure.
        ticks = [wrap(escape(_capital(cut(d))), TICK_WIDTH) for d in rows["description"]]
        a.set_yticklabels(ticks)
        a.xaxis.set_major_formatter(usd_formatter(info.currency))
        h = frame_horizon(rows)
        over = f" over {h} months" if h is not None else ""
        set_wrapped_xlabel(a, f"Value of learning it before deciding ({info.currency}{over}; longer = more worth "
                              "learning)", ticks)
        a.legend(handles=handles, loc="best", frameon=True, framealpha=0.92, edgecolor=GRID)
        method = ""
        if "method" in rows.columns:
            method = "EVPPI by " + "; ".join(dict.fromkeys(rows["method"].astype(str)))
        finish(fig, axes, created=created, finding=evppi_finding(rows, info), subtitles=[],
               footnote=notes_footnote(info, method, "intervals: Monte Carlo error (bootstrap)"))
        if created:  # over the panel, which the row labels push right
            set_subtitle(a, info, "expected value of partial perfect information: what learning each input "
                                  "before choosing a strategy is worth", ticks)
    return fig, a


def _draw_bars(a: Axes, rows: pd.DataFrame, y: np.ndarray, info: RunInfo) -> list:
    """The noise floor, the bars with their intervals and values, the EVPI line; the legend's handles."""
    evpi_usd = _evpi(rows)
    grouped = (rows["members"].map(len) > 1).to_numpy() if "members" in rows.columns else \
        rows["input"].str.contains(" + ", regex=False).to_numpy()
    value = rows["evppi_usd"].to_numpy(float)
    low, high = rows["evppi_low_usd"].to_numpy(float), rows["evppi_high_usd"].to_numpy(float)
    handles = []
    if "noise_p95_usd" in rows.columns:
        a.barh(y, rows["noise_p95_usd"].to_numpy(float), height=0.8, color=_NOISE_COLOUR, lw=0, zorder=1)
        handles.append(Patch(color=_NOISE_COLOUR, label="pure noise scores up to here (the estimator's bias)"))
    a.barh(y, value, height=0.55, color=np.where(grouped, _GROUP_COLOUR, _SINGLE_COLOUR), zorder=2)
    a.errorbar(value, y, xerr=[np.maximum(value - low, 0), np.maximum(high - value, 0)], fmt="none",
               ecolor=INK, elinewidth=1.2, capsize=3, zorder=3)
    handles.append(Patch(color=_SINGLE_COLOUR, label="one input learnt alone"))
    if grouped.any():
        handles.append(Patch(color=_GROUP_COLOUR, label="inputs learnt together"))
    handles.append(Line2D([], [], color=INK, lw=1.2, label="95 % bootstrap interval"))
    right = max(float(np.nanmax(high)) if len(rows) else 0.0, evpi_usd or 0.0)
    right = right if right > 0 else 1.0
    if evpi_usd is not None:
        a.axvline(evpi_usd, color=INK, lw=1.5, ls=(0, (5, 3)), zorder=4)
        handles.append(Line2D([], [], color=INK, lw=1.5, ls=(0, (5, 3)),
                              label=f"perfect information (EVPI) {escape(money(evpi_usd, info))}"))
    for yi, v, hi in zip(y, value, high):
        a.text(max(hi, v) + 0.01 * right, yi, escape(money(v, info)), va="center", ha="left",
               fontsize=SMALL_FONT_PT, color=INK, zorder=5)
    a.set_xlim(0, right * 1.18)
    return handles


def _capital(text: str) -> str:
    text = str(text)
    return text[:1].upper() + text[1:]
