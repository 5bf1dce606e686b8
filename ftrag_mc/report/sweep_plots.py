"""Charts of a sweep: P(win) and mean ΔNPC against one swept key, or P(win) over a grid of two.

Both take one frame, :func:`ftrag_mc.analysis.sweep.attach_sweep_crossings` of a sweep, and draw
it: the 50 % crossings they mark are :func:`~ftrag_mc.analysis.sweep.compute_sweep_crossings`' rows
(the numbers of its CSV), attached to the frame, never computed here. Like :mod:`ftrag_mc.report.plots`: the title states the finding, axes
carry units, strategies keep their colours, a grey footnote says where the numbers came from, and
nothing is saved. Text from the scenario is escaped, so a ``$`` is a dollar sign, not mathtext.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter, NullLocator

from ftrag_mc._version import __version__
from ftrag_mc.analysis.sweep import sweep_scale
from ftrag_mc.report.style import escape
from ftrag_mc.report.style import (
    FIGSIZE_IN, INK, MUTED, SMALL_FONT_PT, RunInfo, add_footnote, apply_house_style, format_share, format_usd,
    format_volume, house_style, percent_formatter, set_probability_axis, usd_formatter, wrap,
)
from ftrag_mc.scenario import Scenario

__all__ = ["plot_sweep_1d", "plot_sweep_2d", "sweep_run_info"]

_COLUMNS_1D = ("x_key", "x_unit", "x_value", "strategy", "label", "horizon_months", "p_win", "p_win_low",
               "p_win_high", "mean_delta_usd", "mean_delta_se_usd", "x_scenario", "x_scenario_value")
_COLUMNS_2D = (*_COLUMNS_1D, "y_key", "y_unit", "y_value", "y_scenario", "y_scenario_value")
_CRN_NOTE = "every point: the same seed (common random numbers)"
_BAND_ALPHA = 0.2
_Z95 = 1.959963984540054
_HALO = [patheffects.withStroke(linewidth=4, foreground="white")]
_MAX_CELL_LABELS = 144  # cells above this many are too small to hold their percentage
_CMAP = "PuOr"  # diverging at 50 % and colour-blind safe: orange = baseline wins, purple = challenger


def sweep_run_info(scenario: Scenario, frame: pd.DataFrame) -> RunInfo:
    """The :class:`RunInfo` of a sweep of ``scenario``: seed, sampler and the ``--set`` overrides from
    ``frame.attrs`` (:func:`~ftrag_mc.analysis.sweep.compute_sweep` sets them), samples from the frame."""
    strategies = tuple(scenario.strategies)
    return RunInfo(scenario=scenario.name, title=scenario.title, strategies=strategies,
                   labels={s: scenario.label(s) for s in strategies}, baseline=scenario.baseline,
                   samples=int(frame["samples"].iloc[0]) if len(frame) else int(frame.attrs.get("samples", 0)),
                   seed=int(frame.attrs.get("seed", scenario.simulation.seed)),
                   sampler=str(frame.attrs.get("sampler", scenario.simulation.sampler)),
                   version=__version__, currency=scenario.meta.currency,
                   overrides=tuple(frame.attrs.get("overrides", scenario.overrides)))


# --- text -------------------------------------------------------------------------------------


def _esc(text: str) -> str:
    """Scenario text drawn as is: matplotlib would read ``$...$`` as mathtext."""
    return escape(text)


def _number(v: float) -> str:
    return format_volume(v) if abs(v) >= 1000 else f"{v:.3g}"


def _value_text(v: float, unit: str, currency: str, *, with_unit: bool = True) -> str:
    """A swept value as people say it: ``$8k``, ``250k queries/month``, ``2 %``, ``12 months``."""
    if not math.isfinite(v):
        return "n/a"
    if unit.startswith("USD"):
        rest = unit[3:]
        return format_usd(v, currency) + ((" " + rest.strip() if rest.startswith(" ") else rest) if with_unit else "")
    if unit == "fraction":
        return f"{100 * v:.3g} %"
    return _number(v) + (f" {unit}" if unit and with_unit else "")


def _axis_label(key: str, unit: str, scale: str) -> str:
    parts = [unit] if unit else []
    if scale == "log":
        parts.append("log scale")
    if key.startswith("the "):  # "the start volume" reads "Start volume" on an axis
        key = key[4:5].upper() + key[5:]
    return f"{key} ({', '.join(parts)})" if parts else key


def _horizon_text(rows: pd.DataFrame) -> str:
    horizons = sorted(int(h) for h in rows["horizon_months"].unique())
    return f"over {horizons[0]} months" if len(horizons) == 1 else "over each point's horizon"


# --- frames and figures -------------------------------------------------------------------------


def _require(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"the sweep frame lacks column(s) {missing}; it has {list(frame.columns)}")
    if frame.empty:
        raise ValueError("the sweep frame is empty")


def _challengers(info: RunInfo, frame: pd.DataFrame) -> list[str]:
    present = set(frame["strategy"])
    unknown = present - set(info.strategies)
    if unknown:
        raise ValueError(f"strategies {sorted(unknown)} are not in scenario {info.scenario!r} "
                         f"(it has {list(info.strategies)})")
    # A sweep of the baseline itself has rows for the usual baseline too: keep scenario order.
    return [s for s in info.strategies if s in present]


def _label(info: RunInfo, frame: pd.DataFrame, strategy: str) -> str:
    if strategy in info.labels:
        return info.labels[strategy]
    rows = frame.loc[frame["strategy"] == strategy, "label"]
    return str(rows.iloc[0]) if len(rows) else strategy


def _finish(fig: Figure, axes: Sequence[Axes], *, created: bool, finding: str, subtitle: str,
            footnote: str) -> None:
    if created:
        fig.suptitle(_esc(wrap(finding, int(fig.get_figwidth() / 0.13))), x=0.01, ha="left", color=INK)
        axes[0].set_title(_esc(wrap(subtitle, int(fig.get_figwidth() / 0.1))), loc="left", color=MUTED,
                          fontsize=12, pad=10)
    else:
        a = axes[0]
        width_in = a.get_position().width * fig.get_figwidth()
        a.set_title(_esc(wrap(finding, max(int(width_in / 0.115), 30))), loc="left", fontsize=13,
                    fontweight="bold", color=INK)
    add_footnote(fig, _esc(footnote))


class _Axis:
    """Where the values of one swept key go: numbers (linear or log) or categories."""

    def __init__(self, frame: pd.DataFrame, prefix: str, currency: str):
        # A human label where the frame has one ("the retrain cadence of Fine-tuned Haiku"), the key else.
        label = f"{prefix}_label"
        self.key = str(frame[label].iloc[0] if label in frame else frame[f"{prefix}_key"].iloc[0])
        self.unit = str(frame[f"{prefix}_unit"].iloc[0]) if pd.notna(frame[f"{prefix}_unit"].iloc[0]) else ""
        self.values = list(pd.unique(frame[f"{prefix}_value"]))
        self.scale = sweep_scale(self.values)
        self.currency = currency
        if self.scale != "category":
            self.values = sorted(float(v) for v in self.values)
        own = frame[f"{prefix}_scenario_value"].iloc[0]
        self.own = float(own) if pd.notna(own) else math.nan
        self.own_text = str(frame[f"{prefix}_scenario"].iloc[0] or "")

    @property
    def numeric(self) -> bool:
        return self.scale != "category"

    def position(self, value) -> float:
        return float(value) if self.numeric else float(self.values.index(value))

    def positions(self, values) -> np.ndarray:
        return np.array([self.position(v) for v in values], dtype=float)

    def edges(self) -> np.ndarray:
        """Cell edges around each grid value (midpoints, in log space for a log axis)."""
        if not self.numeric:
            return np.arange(len(self.values) + 1) - 0.5
        x = np.log(self.values) if self.scale == "log" else np.asarray(self.values)
        if len(x) == 1:
            half = 0.5 if self.scale == "log" else max(abs(x[0]) * 0.1, 0.5)
            e = np.array([x[0] - half, x[0] + half])
        else:
            mid = (x[1:] + x[:-1]) / 2
            e = np.concatenate([[x[0] - (mid[0] - x[0])], mid, [x[-1] + (x[-1] - mid[-1])]])
        return np.exp(e) if self.scale == "log" else e

    def text(self, v: float, *, with_unit: bool = True) -> str:
        return _value_text(v, self.unit, self.currency, with_unit=with_unit)

    def own_label(self) -> str:
        """What the scenario itself says for this key: its value, or its distribution and median."""
        constant = self.own_text == "" or _is_float_text(self.own_text, self.own)
        if constant:
            return f"your scenario: {self.text(self.own)}"
        return f"your scenario: {self.own_text}, median {self.text(self.own)}"

    def decorate(self, ax: Axes, which: str) -> None:
        """Scale, ticks at the grid values (formatted) and the label with units."""
        axis = ax.xaxis if which == "x" else ax.yaxis
        set_scale = ax.set_xscale if which == "x" else ax.set_yscale
        set_label = ax.set_xlabel if which == "x" else ax.set_ylabel
        if self.scale == "log":
            set_scale("log")
        if self.numeric:
            ticks = self.values if len(self.values) <= 12 else None
            if ticks is not None:
                axis.set_major_locator(FixedLocator(ticks))
                axis.set_minor_locator(NullLocator())
                axis.set_minor_formatter(NullFormatter())
            axis.set_major_formatter(FuncFormatter(lambda v, _pos: _esc(self.text(v, with_unit=False))))
        else:
            axis.set_major_locator(FixedLocator(range(len(self.values))))
            axis.set_major_formatter(FuncFormatter(
                lambda v, _pos: _esc(wrap(str(self.values[int(round(v))]), 22))
                if 0 <= round(v) < len(self.values) else ""))
        set_label(_esc(_axis_label(self.key, self.unit, self.scale)))


def _is_float_text(text: str, value: float) -> bool:
    try:
        return math.isclose(float(text), value, rel_tol=1e-12) or (math.isnan(value) and text == "")
    except ValueError:
        return False


def _rows(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows drawn and their crossings, as :func:`attach_sweep_crossings` attached them."""
    if "crossings" not in frame.attrs:
        raise ValueError("the frame has no crossings attached: draw attach_sweep_crossings(frame, crossings)")
    crossings = pd.DataFrame(frame.attrs["crossings"], columns=frame.attrs.get("crossing_columns"))
    return frame, crossings


def _fraction(axis: _Axis, x: float) -> float:
    """Where ``x`` lies between the smallest and largest grid value, 0..1 (log on a log axis)."""
    lo, hi = min(axis.values), max(axis.values)
    if hi == lo:
        return 0.5
    if axis.scale == "log":
        return (math.log(x) - math.log(lo)) / (math.log(hi) - math.log(lo))
    return (x - lo) / (hi - lo)


# --- 1-D ----------------------------------------------------------------------------------------


def _finding_1d(label: str, base: str, rows: pd.DataFrame, cross: pd.DataFrame, axis: _Axis, *,
                first: bool) -> str:
    """One challenger's finding; ``first`` gives the full sentence, later ones a short clause."""
    who = f"{label} beats {base} in most futures" if first else f"{label}"
    if not axis.numeric or cross.empty:  # categories: the best and worst value, as drawn
        best, worst = rows.loc[rows["p_win"].idxmax()], rows.loc[rows["p_win"].idxmin()]
        return (f"P({label} cheaper than {base}) runs from {format_share(worst['p_win'])} "
                f"({worst['x_value']}) to {format_share(best['p_win'])} ({best['x_value']})")
    lo, hi = axis.text(min(axis.values)), axis.text(max(axis.values))
    found = cross[cross["direction"] != "none"]
    if len(found) == 1:
        row = found.iloc[0]
        side = "above" if row["direction"] == "up" else "below"
        where = f"{side} {axis.text(float(row['x_at_50pct']))}"
        return f"{who} when {axis.key} is {where}" if first else f"{who} {where}"
    if len(found) > 1:
        return f"P({label} cheaper) crosses 50 % {len(found)} times as {axis.key} goes from {lo} to {hi}"
    if float(cross["p_win_at_min_x"].iloc[0]) >= 0.5:
        return f"{who} at every value of {axis.key} from {lo} to {hi}" if first else f"{who} always"
    return (f"{label} does not beat {base} in most futures at any value of {axis.key} from {lo} to {hi}" if first
            else f"{label} never")


def plot_sweep_1d(
    frame: pd.DataFrame,
    info: RunInfo,
    *,
    ax: Axes | None = None,
) -> tuple[Figure, Axes | np.ndarray]:
    """P(challenger cheaper than baseline) with its 95 % band, and mean ΔNPC, against one swept key.

    Parameters
    ----------
    frame
        :func:`~ftrag_mc.analysis.sweep.attach_sweep_crossings` of a sweep without ``y``: one
        horizon's rows, and the crossings drawn as dots on the 50 % line.
    info
        The run (:func:`sweep_run_info`).
    ax
        Draw onto this axes: P(win) on it, mean ΔNPC on a twin y axis on the right.

    Returns
    -------
    fig : Figure
    ax : Axes, or an array of two Axes (P(win) above, mean ΔNPC below) for a new figure.

    Raises
    ------
    ValueError
        A column is missing, the frame is 2-D or has no crossings attached, or a strategy is not
        in the scenario.
    """
    _require(frame, _COLUMNS_1D)
    if "y_value" in frame.columns:
        raise ValueError("this sweep has two keys: draw it with plot_sweep_2d")
    rows, crossings = _rows(frame)
    challengers = _challengers(info, rows)
    axis = _Axis(rows, "x", info.currency)
    base = info.label(info.baseline)

    with house_style():
        if ax is None:
            fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(FIGSIZE_IN[0], FIGSIZE_IN[1] + 1.5),
                                              height_ratios=(3, 2), layout="constrained")
            apply_house_style(fig)
            axes, created = [top, bottom], True
        else:
            if not isinstance(ax, Axes):
                raise TypeError(f"ax must be a matplotlib Axes, not {type(ax).__name__}")
            apply_house_style(ax)
            fig, top, created = ax.get_figure(root=True), ax, False
            bottom = ax.twinx()
            bottom.grid(False)
            axes = [top]
        sentences = []
        for k, s in enumerate(challengers):
            g = rows[rows["strategy"] == s].copy()
            g["_x"] = axis.positions(g["x_value"])
            g = g.sort_values("_x")
            colour, label = info.colour(s), _label(info, rows, s)
            x = g["_x"].to_numpy(float)
            top.fill_between(x, g["p_win_low"], g["p_win_high"], color=colour, alpha=_BAND_ALPHA, lw=0)
            top.plot(x, g["p_win"], color=colour, lw=2.8, marker="o", ms=5, label=_esc(label), zorder=3)
            mean = g["mean_delta_usd"].to_numpy(float)
            half = _Z95 * g["mean_delta_se_usd"].to_numpy(float)
            ls = "-" if created else (0, (4, 2))
            bottom.fill_between(x, mean - half, mean + half, color=colour, alpha=_BAND_ALPHA, lw=0)
            bottom.plot(x, mean, color=colour, lw=2.2, ls=ls, marker="o", ms=4,
                        label=_esc(f"{label}: mean ΔNPC") if not created else None, zorder=3)
            cross = crossings[crossings["strategy"] == s] if len(crossings) else crossings
            for row in cross[cross["direction"] != "none"].itertuples() if len(cross) else ():
                x50 = float(row.x_at_50pct)
                top.plot([x50], [0.5], marker="o", ms=9, mfc=colour, mec="white", mew=1.5, zorder=6)
                right_half = _fraction(axis, x50) > 0.6
                top.annotate(_esc(f"50 % at {axis.text(x50)}"), xy=(x50, 0.5),
                             xytext=(-8 if right_half else 8, -14 - 14 * k), textcoords="offset points",
                             ha="right" if right_half else "left", fontsize=SMALL_FONT_PT, color=INK,
                             path_effects=_HALO, zorder=7).set_in_layout(False)
            sentences.append(_finding_1d(label, base, g, cross, axis, first=k == 0))
        # Short axis labels (the pair is in the title and subtitle): two stacked y labels must not
        # run into each other.
        set_probability_axis(top, "P(cheaper than the baseline)")
        top.axhline(0.5, color="#666666", lw=1.1, zorder=1)
        bottom.axhline(0.0, color="#666666", lw=1.0, zorder=1)
        bottom.yaxis.set_major_formatter(FuncFormatter(
            lambda v, _pos: _esc(usd_formatter(info.currency)(v, _pos))))
        bottom.set_ylabel(_esc(f"Mean ΔNPC ({info.currency})\nbelow 0 = saving"))
        if axis.numeric and math.isfinite(axis.own):
            for a in (top, bottom) if created else (top,):
                a.axvline(axis.own, color=INK, lw=1.4, ls=(0, (4, 3)), zorder=2,
                          label=_esc(axis.own_label()) if a is top else None)
        axis.decorate(bottom if created else top, "x")
        if axis.scale == "log" and not created:
            bottom.set_xscale("log")
        if not created:
            top.set_xlabel(_esc(_axis_label(axis.key, axis.unit, axis.scale)))
        handles, labels = top.get_legend_handles_labels()
        if not created:
            h2, l2 = bottom.get_legend_handles_labels()
            handles, labels = handles + h2, labels + l2
        elif len(challengers) == 1:  # the axis label names the one challenger
            named = _esc(_label(info, rows, challengers[0]))
            handles, labels = [h for h, t in zip(handles, labels) if t != named], [t for t in labels if t != named]
        if handles:
            top.legend(handles, labels, loc="best", frameon=True, facecolor="white", edgecolor="none",
                       framealpha=0.9).set_zorder(9)
        finding = "; ".join(sentences) + f" {_horizon_text(rows)}"
        _finish(fig, axes, created=created, finding=finding,
                subtitle=f"{info.title}\u00a0· chance of a lower total cost, and the mean difference, "
                         f"as {axis.key} varies",
                footnote=info.footnote(f"bands: 95 % Wilson intervals (P) and ±1.96 standard errors "
                                       f"(mean) · {_CRN_NOTE}"))
    return (fig, np.array([top, bottom], dtype=object)) if created else (fig, top)


# --- 2-D ----------------------------------------------------------------------------------------


def _finding_2d(label: str, base: str, cross: pd.DataFrame, xa: _Axis, ya: _Axis, *, first: bool) -> str:
    """The finding read at one grid y: the scenario's own (or nearest) value, else the middle one."""
    ys = list(pd.unique(cross["y_value"]))
    if ya.numeric and math.isfinite(ya.own):
        y = min(ys, key=lambda v: abs(float(v) - ya.own))
    else:
        y = ys[len(ys) // 2]
    at = cross[cross["y_value"] == y]
    y_text = ya.text(float(y)) if ya.numeric else str(y)
    yours = ya.numeric and math.isfinite(ya.own) and math.isclose(float(y), ya.own, rel_tol=1e-9)
    head = f"At your {ya.key} ({y_text}), " if yours else f"At {ya.key} = {y_text}, "
    who = f"{label} beats {base} in most futures"
    found = at[at["direction"] != "none"]
    if len(found) == 1:
        row = found.iloc[0]
        side = "above" if row["direction"] == "up" else "below"
        text = f"{who} when {xa.key} is {side} {xa.text(float(row['x_at_50pct']))}"
    elif len(found) > 1:
        text = f"P({label} wins) crosses 50 % {len(found)} times along {xa.key}"
    elif float(at["p_win_at_min_x"].iloc[0]) >= 0.5:
        text = f"{who} at every value of {xa.key} on the grid"
    else:
        text = f"{label} does not beat {base} in most futures at any value of {xa.key} on the grid"
    return head + text if first else text


def _extremes_2d(info: RunInfo, rows: pd.DataFrame, strategy: str, xa: _Axis, ya: _Axis) -> str:
    """Where x is not numeric there is no 50 % line: the worst and best cells, as drawn."""
    g = rows[rows["strategy"] == strategy]
    worst, best = g.loc[g["p_win"].idxmin()], g.loc[g["p_win"].idxmax()]

    def cell(r: pd.Series) -> str:
        x = xa.text(float(r["x_value"])) if xa.numeric else str(r["x_value"])
        y = ya.text(float(r["y_value"])) if ya.numeric else str(r["y_value"])
        return f"{xa.key} = {x}, {ya.key} = {y}"

    return (f"P({_label(info, rows, strategy)} cheaper than {info.label(info.baseline)}) runs from "
            f"{format_share(worst['p_win'])} ({cell(worst)}) to {format_share(best['p_win'])} ({cell(best)})")


def plot_sweep_2d(
    frame: pd.DataFrame,
    info: RunInfo,
    *,
    ax: Axes | None = None,
) -> tuple[Figure, Axes | np.ndarray]:
    """Heatmap of P(challenger cheaper than baseline) over a two-key grid, with the 50 % line.

    Parameters
    ----------
    frame
        :func:`~ftrag_mc.analysis.sweep.attach_sweep_crossings` of a sweep with ``y``: one
        horizon's rows, and the crossings the 50 % line joins (interpolated between grid points
        along x, one per y).
    info
        The run (:func:`sweep_run_info`).
    ax
        Draw onto this axes; the frame must then hold one challenger.

    Returns
    -------
    fig : Figure
    ax : Axes, or an array of Axes (one panel per challenger) for a new figure. A colour bar in
        percent sits on the right; the scenario's own (x, y), when on the axes, is a star.

    Raises
    ------
    ValueError
        A column is missing, the frame is 1-D or has no crossings attached, a strategy is not in
        the scenario, or ``ax`` is given with more than one challenger.
    """
    if "y_value" not in frame.columns:
        raise ValueError("this sweep has one key: draw it with plot_sweep_1d")
    _require(frame, _COLUMNS_2D)
    rows, crossings = _rows(frame)
    challengers = _challengers(info, rows)
    if ax is not None and len(challengers) != 1:
        raise ValueError(f"ax is given, so the frame must hold one challenger; it holds {challengers}")
    xa, ya = _Axis(rows, "x", info.currency), _Axis(rows, "y", info.currency)
    base = info.label(info.baseline)

    with house_style():
        if ax is None:
            n = len(challengers)
            fig, grid = plt.subplots(1, n, figsize=(FIGSIZE_IN[0] if n == 1 else 7.0 * n, FIGSIZE_IN[1] + 0.5),
                                     squeeze=False, layout="constrained")
            axes, created = list(grid[0]), True
            apply_house_style(fig)
        else:
            if not isinstance(ax, Axes):
                raise TypeError(f"ax must be a matplotlib Axes, not {type(ax).__name__}")
            apply_house_style(ax)
            fig, axes, created = ax.get_figure(root=True), [ax], False
        sentences, mesh = [], None
        for k, (a, s) in enumerate(zip(axes, challengers)):
            a.grid(False)
            g = rows[rows["strategy"] == s]
            label = _label(info, rows, s)
            p = np.full((len(ya.values), len(xa.values)), np.nan)
            xi = {v: i for i, v in enumerate(xa.values)}
            yi = {v: i for i, v in enumerate(ya.values)}
            for r in g.itertuples():
                xv = float(r.x_value) if xa.numeric else r.x_value
                yv = float(r.y_value) if ya.numeric else r.y_value
                p[yi[yv], xi[xv]] = r.p_win
            mesh = a.pcolormesh(xa.edges(), ya.edges(), np.ma.masked_invalid(p), cmap=_CMAP, vmin=0.0,
                                vmax=1.0, shading="flat", zorder=1)
            if p.size <= _MAX_CELL_LABELS:
                for (j, i), value in np.ndenumerate(p):
                    if np.isfinite(value):
                        a.text(xa.position(xa.values[i]), ya.position(ya.values[j]), f"{100 * value:.0f}",
                               ha="center", va="center", fontsize=SMALL_FONT_PT - 1,
                               color="white" if abs(value - 0.5) > 0.3 else INK, zorder=2)
            cross = crossings[crossings["strategy"] == s] if len(crossings) else crossings
            _fifty_line(a, cross, xa, ya)
            if xa.numeric and ya.numeric and math.isfinite(xa.own) and math.isfinite(ya.own):
                a.plot([xa.own], [ya.own], marker="*", ms=18, mfc="white", mec=INK, mew=1.5, ls="none",
                       label="your scenario", zorder=6, clip_on=True)
            elif xa.numeric and math.isfinite(xa.own):
                a.axvline(xa.own, color=INK, lw=1.4, ls=(0, (4, 3)), label=_esc(xa.own_label()), zorder=4)
            elif ya.numeric and math.isfinite(ya.own):
                a.axhline(ya.own, color=INK, lw=1.4, ls=(0, (4, 3)), label=_esc(ya.own_label()), zorder=4)
            xa.decorate(a, "x")
            ya.decorate(a, "y")
            e = xa.edges(), ya.edges()
            a.set_xlim(e[0][0], e[0][-1])
            a.set_ylim(e[1][0], e[1][-1])
            if len(challengers) > 1:
                a.set_title(_esc(f"{label} vs {base}"), loc="left", fontsize=12, color=MUTED)
            handles, labels = a.get_legend_handles_labels()
            if handles:
                a.legend(loc="upper left", bbox_to_anchor=(0.0, -0.13), ncols=len(handles), frameon=False)
            if len(cross):
                sentences.append(_finding_2d(label, base, cross, xa, ya, first=k == 0))
        bar = fig.colorbar(mesh, ax=axes, fraction=0.05, pad=0.02)
        bar.ax.yaxis.set_major_formatter(percent_formatter())
        bar.set_label(_esc(f"P({_label(info, rows, challengers[0])} cheaper than {base})" if len(challengers) == 1
                           else f"P(challenger cheaper than {base})"))
        finding = "; ".join(sentences) if sentences else _extremes_2d(info, rows, challengers[0], xa, ya)
        finding += f" {_horizon_text(rows)}"
        subtitle = (f"{info.title}\u00a0· P(cheaper than {base}) in each cell, in %; "
                    "the line is where it crosses 50 %")
        if created and len(challengers) > 1:
            fig.suptitle(_esc(wrap(finding, int(fig.get_figwidth() / 0.13))), x=0.01, ha="left", color=INK)
            add_footnote(fig, _esc(info.footnote(f"50 % line: interpolated between grid points · {_CRN_NOTE}")))
        else:
            _finish(fig, axes, created=created, finding=finding, subtitle=subtitle,
                    footnote=info.footnote(f"50 % line: interpolated between grid points · {_CRN_NOTE}"))
    return (fig, axes[0]) if len(axes) == 1 else (fig, np.array(axes, dtype=object))


def _fifty_line(ax: Axes, cross: pd.DataFrame, xa: _Axis, ya: _Axis) -> None:
    """The crossings of every y as dots, joined where neighbouring y rows cross once each."""
    if cross.empty:
        return
    found = cross[cross["direction"] != "none"]
    if found.empty:
        return
    counts = found.groupby("y_value", sort=False).size()
    points = sorted(((ya.position(float(r.y_value) if ya.numeric else r.y_value), float(r.x_at_50pct))
                     for r in found.itertuples()))
    style = dict(color=INK, lw=2.4, path_effects=[patheffects.withStroke(linewidth=5, foreground="white")],
                 zorder=5)
    ys = [ya.position(float(v) if ya.numeric else v) for v in ya.values]
    single = {ya.position(float(v) if ya.numeric else v): counts.get(v, 0) == 1 for v in counts.index}
    for (y0, x0), (y1, x1) in zip(points, points[1:]):
        if single.get(y0) and single.get(y1) and abs(ys.index(y1) - ys.index(y0)) == 1:
            ax.plot([x0, x1], [y0, y1], **style)
    ax.plot([x for _, x in points], [y for y, _ in points], ls="none", marker="o", ms=6, mfc=INK, mec="white",
            mew=1.2, zorder=6, label="50 % line")
