"""Charts of the value of information: what learning each input first is worth, and each
strategy's regret. They draw the frames of :mod:`ftrag_mc.analysis.voi` and compute nothing a
reader sees; like every ``plot_*`` they return ``(fig, ax)`` and never save.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ftrag_mc.analysis.voi import ZERO_USD
from ftrag_mc.report.layout import make_figure, finish, strategy_label, require_columns, chart_subtitle
from ftrag_mc.report.style import escape
from ftrag_mc.report.style import (
    FIGSIZE_IN,
    GRID,
    INK,
    MUTED,
    OKABE_ITO,
    SMALL_FONT_PT,
    RunInfo,
    format_share,
    format_usd,
    house_style,
    tint,
    usd_formatter,
    wrap,
)

__all__ = ["plot_evppi", "plot_regret"]

_EVPPI_COLUMNS = ("input", "description", "evppi_usd", "evppi_low_usd", "evppi_high_usd")
_REGRET_COLUMNS = ("strategy", "label", "p_best", "expected_regret_usd", "expected_regret_low_usd",
                   "expected_regret_high_usd", "cvar95_regret_usd", "is_optimal")
_SINGLE_COLOUR = OKABE_ITO[3]  # blue
_GROUP_COLOUR = OKABE_ITO[5]  # reddish purple
_NOISE_COLOUR = "#D9D9D9"
_TICK_WIDTH = 42  # characters per line of a row label


def _plain(text: str) -> str:
    """User text drawn as is: matplotlib reads a pair of ``$`` as mathtext."""
    return escape(text)


def _money(info: RunInfo, amount: float) -> str:
    return _plain(format_usd(amount, info.currency))


def _capital(text: str) -> str:
    text = str(text)
    return text[:1].upper() + text[1:]


def _tall(fig: Figure, created: bool, rows: int, per_row_in: float) -> None:
    """A figure of its own grows with its rows so that 20 inputs stay legible."""
    if created:
        fig.set_size_inches(FIGSIZE_IN[0], max(FIGSIZE_IN[1], 2.4 + per_row_in * rows))


def _horizon(frame: pd.DataFrame) -> int | None:
    if "horizon_months" not in frame.columns or frame["horizon_months"].nunique() != 1:
        return None
    return int(frame["horizon_months"].iloc[0])


def _evppi_finding(frame: pd.DataFrame, info: RunInfo, evpi_usd: float | None) -> str:
    noise = frame["noise_p95_usd"] if "noise_p95_usd" in frame.columns else 0.0
    worth = frame[(frame["evppi_usd"] >= ZERO_USD) & (frame["evppi_usd"] > noise)]
    perfect = "" if evpi_usd is None else f"; perfect information {_money(info, evpi_usd)}"
    if worth.empty:
        return f"No input alone is worth learning before deciding{perfect}"
    top = worth.loc[worth["evppi_usd"].idxmax()]
    return f"Learning {_plain(top['description'])} first is worth up to {_money(info, top['evppi_usd'])}{perfect}"


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
        The title names the input most worth learning and its value, and the EVPI.
    """
    require_columns(frame, _EVPPI_COLUMNS, "frame")
    rows = frame.reset_index(drop=True)
    evpi_usd = float(rows["evpi_usd"].iloc[0]) if "evpi_usd" in rows.columns else None
    grouped = (rows["members"].map(len) > 1).to_numpy() if "members" in rows.columns else \
        rows["input"].str.contains(" + ", regex=False).to_numpy()
    n = len(rows)
    y = np.arange(n)[::-1]  # the first row of the frame (the largest) on top
    value = rows["evppi_usd"].to_numpy(float)
    low = rows["evppi_low_usd"].to_numpy(float)
    high = rows["evppi_high_usd"].to_numpy(float)
    h = _horizon(rows)

    with house_style():
        fig, axes, created = make_figure(ax)
        _tall(fig, created, n, 0.42)
        a = axes[0]
        a.grid(False, axis="y")
        handles = []
        if "noise_p95_usd" in rows.columns:
            a.barh(y, rows["noise_p95_usd"].to_numpy(float), height=0.8, color=_NOISE_COLOUR, lw=0,
                   zorder=1)
            handles.append(Patch(color=_NOISE_COLOUR, label="pure noise scores up to here "
                                                            "(the estimator's bias)"))
        colours = np.where(grouped, _GROUP_COLOUR, _SINGLE_COLOUR)
        a.barh(y, value, height=0.55, color=colours, zorder=2)
        a.errorbar(value, y, xerr=[np.maximum(value - low, 0), np.maximum(high - value, 0)], fmt="none",
                   ecolor=INK, elinewidth=1.2, capsize=3, zorder=3)
        handles.append(Patch(color=_SINGLE_COLOUR, label="one input learnt alone"))
        if grouped.any():
            handles.append(Patch(color=_GROUP_COLOUR, label="inputs learnt together"))
        handles.append(Line2D([], [], color=INK, lw=1.2, label="95 % bootstrap interval"))
        right = max(float(np.nanmax(high)) if n else 0.0, evpi_usd or 0.0)
        right = right if right > 0 else 1.0
        if evpi_usd is not None:
            a.axvline(evpi_usd, color=INK, lw=1.5, ls=(0, (5, 3)), zorder=4)
            handles.append(Line2D([], [], color=INK, lw=1.5, ls=(0, (5, 3)),
                                  label=f"perfect information (EVPI) {_money(info, evpi_usd)}"))
        for yi, v, hi in zip(y, value, high):
            a.text(max(hi, v) + 0.01 * right, yi, _money(info, v), va="center", ha="left",
                   fontsize=SMALL_FONT_PT, color=INK, zorder=5)
        a.set_xlim(0, right * 1.18)
        a.set_ylim(-0.7, n - 0.3)
        a.set_yticks(y)
        a.set_yticklabels([wrap(_plain(_capital(d)), _TICK_WIDTH) for d in rows["description"]])
        a.xaxis.set_major_formatter(usd_formatter(info.currency))
        over = f" over {h} months" if h is not None else ""
        a.set_xlabel(f"Value of learning it before deciding ({info.currency}{over})")
        a.legend(handles=handles, loc="best", frameon=True, framealpha=0.92, edgecolor=GRID)
        method = ""
        if "method" in rows.columns:
            method = "EVPPI by " + "; ".join(dict.fromkeys(rows["method"].astype(str)))
        note = " · ".join(p for p in (method, "intervals: Monte Carlo error (bootstrap)") if p)
        finish(fig, axes, created=created, finding=_evppi_finding(rows, info, evpi_usd),
                subtitles=[_plain(chart_subtitle(info, "expected value of partial perfect information: "
                                                  "what learning each input before choosing a "
                                                  "strategy is worth"))],
                footnote=_plain(info.footnote(note)))
    return fig, a


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
        The title names the choice best on average and its expected regret (the EVPI).
    """
    require_columns(frame, _REGRET_COLUMNS, "frame")
    rows = frame.reset_index(drop=True)
    for s in rows["strategy"]:
        info.colour(s)  # a strategy not in the run is an error
    optimal = rows[rows["is_optimal"].astype(bool)]
    if len(optimal) != 1:
        raise ValueError(f"frame must mark exactly one strategy is_optimal, not {len(optimal)}")
    best = optimal.iloc[0]
    n = len(rows)
    y = np.arange(n)[::-1] * 1.0
    h = _horizon(rows)
    expected = rows["expected_regret_usd"].to_numpy(float)
    cvar = rows["cvar95_regret_usd"].to_numpy(float)
    right = max(float(np.nanmax(cvar)), float(np.nanmax(rows["expected_regret_high_usd"])), 1.0)

    with house_style():
        fig, axes, created = make_figure(ax)
        _tall(fig, created, n, 0.9)
        a = axes[0]
        a.grid(False, axis="y")
        for yi, row, e, c in zip(y, rows.itertuples(), expected, cvar):
            colour = info.colour(row.strategy)
            a.barh(yi + 0.19, e, height=0.36, color=colour, zorder=2)
            a.errorbar([e], [yi + 0.19], xerr=[[max(e - row.expected_regret_low_usd, 0)],
                                                [max(row.expected_regret_high_usd - e, 0)]],
                       fmt="none", ecolor=INK, elinewidth=1.2, capsize=3, zorder=3)
            a.barh(yi - 0.19, c, height=0.36, color=tint(colour, 0.6), edgecolor=colour, hatch="//",
                   lw=0.8, zorder=2)
            a.text(max(e, row.expected_regret_high_usd) + 0.01 * right, yi + 0.19,
                   f"mean {_money(info, e)}", va="center", fontsize=SMALL_FONT_PT, color=INK)
            a.text(c + 0.01 * right, yi - 0.19, f"worst 5 % {_money(info, c)}", va="center",
                   fontsize=SMALL_FONT_PT, color=MUTED)
        labels = []
        for row in rows.itertuples():
            text = strategy_label(info, rows, row.strategy)
            tag = "best on average" if row.is_optimal else "not chosen"
            labels.append(wrap(_plain(f"{text} ({tag}; cheapest in {format_share(row.p_best)} of futures)"),
                               _TICK_WIDTH - 6))
        a.set_yticks(y)
        a.set_yticklabels(labels)
        a.set_ylim(-0.7, n - 0.3)
        a.set_xlim(0, right * 1.3)
        a.xaxis.set_major_formatter(usd_formatter(info.currency))
        over = f", over {h} months" if h is not None else ""
        a.set_xlabel(f"Regret: extra cost over the cheapest strategy in hindsight ({info.currency}{over})")
        a.legend(handles=[Patch(color=MUTED, label="expected regret (mean over futures)"),
                          Patch(facecolor=tint(MUTED, 0.6), edgecolor=MUTED, hatch="//",
                                label="CVaR95: mean of the worst 5 % of futures"),
                          Line2D([], [], color=INK, lw=1.2, label="95 % interval of the mean")],
                 loc="best", frameon=True, framealpha=0.92, edgecolor=GRID)
        finding = (f"Choosing {_plain(strategy_label(info, rows, best['strategy']))} now leaves "
                   f"{_money(info, best['expected_regret_usd'])} of expected regret, what perfect "
                   f"information is worth; {_money(info, best['cvar95_regret_usd'])} in the worst "
                   f"5 % of futures")
        finish(fig, axes, created=created, finding=finding,
                subtitles=[_plain(chart_subtitle(info, "regret of each choice against the cheapest "
                                                  "strategy of each future"))],
                footnote=_plain(info.footnote("regret = own net present cost minus the lowest of "
                                              "the strategies compared, per future")))
    return fig, a

