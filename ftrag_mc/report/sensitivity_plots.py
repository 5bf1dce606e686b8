"""Charts of the sensitivity studies: tornado, spider and global indices.

Each ``plot_*`` draws a frame from :mod:`ftrag_mc.analysis.sensitivity` and returns ``(fig, ax)``
without saving, in the house style of :mod:`ftrag_mc.report.plots`: a title that states the
finding, axes with units, a grey footnote. The charts count nothing a reader reads: every number
shown comes from the frame. Text from the scenario (labels, titles) is escaped, so a ``$`` in it
is a dollar sign, not mathtext.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory, offset_copy
from scipy.special import ndtr, ndtri

from ftrag_mc.report.layout import make_figure, finish, require_columns, returned, chart_subtitle
from ftrag_mc.report.style import (
    INK,
    MUTED,
    OKABE_ITO,
    SMALL_FONT_PT,
    RunInfo,
    apply_house_style,
    escape,
    format_share,
    format_usd,
    format_volume,
    house_style,
    percent_formatter,
    tint,
    usd_formatter,
    wrap,
)

__all__ = ["plot_tornado", "plot_spider", "plot_global", "MAX_TORNADO_INPUTS", "MAX_SPIDER_INPUTS"]

MAX_TORNADO_INPUTS = 15
MAX_SPIDER_INPUTS = 8
LABEL_CHARS = 40

_COMPARISON = ("strategy", "baseline", "horizon_months", "queries_per_month", "input", "label")
_TORNADO_COLUMNS = _COMPARISON + (
    "percentile_low", "percentile_high", "value_low", "value_high", "delta_low_usd", "delta_high_usd",
    "base_delta_usd", "swing_usd", "flips_answer", "band_low_percentile", "band_high_percentile",
    "cond_delta_low_usd", "cond_delta_high_usd")
_SPIDER_COLUMNS = _COMPARISON + ("percentile", "delta_usd", "base_delta_usd", "range_usd")
_GLOBAL_COLUMNS = _COMPARISON + (
    "spearman", "prcc", "sobol_first", "sobol_first_low", "sobol_first_high", "sobol_total",
    "sobol_total_low", "sobol_total_high", "sobol_base_samples", "sobol_evaluations", "confidence_level",
    "assumption_note")


# --- text -------------------------------------------------------------------------------------




def _shorten(text: str, width: int = LABEL_CHARS) -> str:
    text = str(text)
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def _money(amount: float, info: RunInfo) -> str:
    return format_usd(amount, info.currency)


def _number(value: float) -> str:
    """An input value as people write it: 0.0234, 1.47, 350, 1.4k, 2.5M."""
    if not math.isfinite(value):
        return "n/a"
    return f"{value:.3g}" if abs(value) < 999.5 else format_volume(value)


def _probit(p):
    return ndtri(np.clip(p, 1e-12, 1 - 1e-12))


def _pct(p: float) -> str:
    return f"P{100 * p:g}"


def _delta_axis_label(info: RunInfo, baseline: str) -> str:
    return escape(f"ΔNPC vs {info.label(baseline)} ({info.currency}, negative = saving)")


def _comparison(frame: pd.DataFrame) -> tuple[str, str, int, float]:
    first = frame.iloc[0]
    return (str(first["strategy"]), str(first["baseline"]), int(first["horizon_months"]),
            float(first["queries_per_month"]))


def _what(info: RunInfo, challenger: str, baseline: str, horizon: int, volume: float) -> str:
    return (f"{info.label(challenger)} vs {info.label(baseline)}, {horizon} months from "
            f"{format_volume(volume)} queries/month")


def _set_subtitle(ax: Axes, info: RunInfo, what: str, labels: Sequence[str], panels: int = 1) -> None:
    """The grey subtitle over a new figure's first panel, wrapped to that panel's width.

    Long input names push the panel right, which :func:`layout.finish` (wrapping to the
    figure's width) does not know; so it gets no subtitle and this sets it.
    """
    fig = ax.get_figure(root=True)
    label_in = 0.085 * max((len(s) for s in labels), default=0) + 0.4
    width_in = (fig.get_figwidth() - label_in) / panels - 0.4
    ax.set_title(wrap(escape(chart_subtitle(info, what)), max(int(width_in / 0.1), 30)), loc="left", color=MUTED,
                 fontsize=12, pad=12)


def _canvas(ax: Axes | None, rows: int, *, ncols: int = 1, width_ratios: Sequence[float] | None = None
            ) -> tuple[Figure, list[Axes], bool]:
    """The caller's axes, or a new figure tall enough for ``rows`` horizontal bars."""
    if ax is not None:
        return make_figure(ax)
    height = max(6.0, 2.6 + 0.42 * rows)
    fig, axes = plt.subplots(1, ncols, figsize=(11.0 if ncols == 1 else 14.0, height), squeeze=False,
                             sharey=True, layout="constrained",
                             gridspec_kw={"width_ratios": list(width_ratios)} if width_ratios else None)
    apply_house_style(fig)
    return fig, list(axes[0]), True


def _more(frame: pd.DataFrame, shown: int, what: str) -> str:
    hidden = len(frame) - shown
    if hidden <= 0:
        return ""
    return f"{hidden} more input{'s' if hidden != 1 else ''} with smaller {what} not shown (see the CSV)"


def _footnote(info: RunInfo, *parts: str) -> str:
    return escape(info.footnote(" · ".join(p for p in parts if p)))


# --- tornado ------------------------------------------------------------------------------------


def _tornado_finding(row: pd.Series, info: RunInfo) -> str:
    label, h = str(row["label"]), int(row["horizon_months"])
    lo, hi = sorted((float(row["delta_low_usd"]), float(row["delta_high_usd"])))
    who = info.label(str(row["strategy"]))
    if hi < 0:
        return f"{label} swings the {h}-month saving of {who} most: {_money(-hi, info)} to {_money(-lo, info)}"
    if lo >= 0:
        return f"{label} swings the {h}-month extra cost of {who} most: {_money(lo, info)} to {_money(hi, info)}"
    return (f"{label} swings the {h}-month ΔNPC of {who} most, from {_money(lo, info)} to {_money(hi, info)}: "
            "alone it can flip the answer")


def plot_tornado(frame: pd.DataFrame, info: RunInfo, *, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Tornado: ΔNPC with each input at its low and high percentile, the widest swing on top.

    Parameters
    ----------
    frame
        From :func:`ftrag_mc.analysis.sensitivity.compute_tornado` (sorted, widest swing first).
    info
        The run: labels, currency and the footnote.
    ax
        Draw onto this axes instead of a new figure. The first :data:`MAX_TORNADO_INPUTS` rows
        are drawn; the footnote counts the others.

    Returns
    -------
    fig, ax

    Notes
    -----
    Each bar runs from the base ΔNPC (every input at its median, dashed line) to ΔNPC with the
    input at its low percentile (light) and at its high percentile (dark). The dark line and
    dots over a bar are the expected ΔNPC over the run's futures in which the input is in its
    lowest (open dot) or highest (filled dot) band, every other input varying.
    """
    require_columns(frame, _TORNADO_COLUMNS, "tornado frame")
    rows = frame.head(MAX_TORNADO_INPUTS)
    m = len(rows)
    challenger, baseline, horizon, volume = _comparison(frame)
    colour = info.colour(challenger)
    light = tint(colour, 0.55)
    first = rows.iloc[0]
    base = float(first["base_delta_usd"])
    p_lo, p_hi = float(first["percentile_low"]), float(first["percentile_high"])
    b_lo, b_hi = float(first["band_low_percentile"]), float(first["band_high_percentile"])

    with house_style():
        fig, axes, created = _canvas(ax, m)
        a = axes[0]
        y = np.arange(m)[::-1].astype(float)
        for yi, (_, row) in zip(y, rows.iterrows()):
            # The bar in the upper part of its row, the conditional means on a line just below it,
            # so that the values written at the bar's ends stay clear of the dots.
            yb, yc = yi + _BAR_SHIFT, yi - _COND_SHIFT
            for end, fill in ((float(row["delta_low_usd"]), light), (float(row["delta_high_usd"]), colour)):
                a.barh(yb, end - base, left=base, height=_BAR_HEIGHT, color=fill, edgecolor="white", lw=0.6,
                       zorder=3)
            c_lo, c_hi = float(row["cond_delta_low_usd"]), float(row["cond_delta_high_usd"])
            if math.isfinite(c_lo) and math.isfinite(c_hi):
                a.plot([c_lo, c_hi], [yc, yc], color=INK, lw=1.3, zorder=4)
                a.plot([c_lo], [yc], marker="o", ms=6, mfc="white", mec=INK, mew=1.4, zorder=5, ls="none")
                a.plot([c_hi], [yc], marker="o", ms=6, mfc=INK, mec=INK, zorder=5, ls="none")
            d_lo, d_hi = float(row["delta_low_usd"]), float(row["delta_high_usd"])
            if d_lo != d_hi:
                for d, v in ((d_lo, float(row["value_low"])), (d_hi, float(row["value_high"]))):
                    left = d < max(d_lo, d_hi)
                    a.annotate(escape(_number(v)), xy=(d, yb), xytext=(-5 if left else 5, 0),
                               textcoords="offset points", ha="right" if left else "left", va="center",
                               fontsize=SMALL_FONT_PT, color=MUTED, zorder=6, annotation_clip=False)
        a.axvline(base, color=INK, lw=1.3, ls=(0, (4, 3)), zorder=2)
        a.axvline(0.0, color="#666666", lw=1.1, zorder=1)
        a.set_yticks(y, [escape(_shorten(s)) for s in rows["label"]])
        a.set_ylim(-0.8, m - 0.2)
        a.grid(False, axis="y")
        a.xaxis.set_major_formatter(usd_formatter(info.currency))
        a.set_xlabel(_delta_axis_label(info, baseline))
        # Room for the value labels at the bar ends.
        lo_x, hi_x = a.get_xlim()
        lo_x, hi_x = min(lo_x, 0.0), max(hi_x, 0.0)
        pad = 0.08 * (hi_x - lo_x)
        a.set_xlim(lo_x - pad, hi_x + pad)
        handles = [
            Patch(color=light, label=escape(f"input at its {_pct(p_lo)}, others at medians")),
            Patch(color=colour, label=escape(f"input at its {_pct(p_hi)}")),
            Line2D([], [], color=INK, lw=1.3, marker="o", mfc="white", mec=INK,
                   label=escape(f"expected ΔNPC when it is ≤ its {_pct(b_lo)} (○) or ≥ its {_pct(b_hi)} (●)")),
            Line2D([], [], color=INK, lw=1.3, ls=(0, (4, 3)),
                   label=escape(f"all inputs at medians: {format_usd(base, info.currency)}")),
            Line2D([], [], color="#666666", lw=1.1, label="ΔNPC = 0: breakeven"),
        ]
        # Under the axis label (a fixed distance in points), from the figure's left edge: the
        # tick labels' column is free there, so two columns of entries fit.
        below = blended_transform_factory(fig.transFigure, offset_copy(a.transAxes, fig=fig, y=-44, units="points"))
        a.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.01, 0.0), bbox_transform=below,
                 ncols=2 if fig.get_figwidth() >= 9.5 else 1, frameon=False, fontsize=SMALL_FONT_PT)
        finish(fig, [a], created=created, finding=escape(_tornado_finding(first, info)),
                subtitles=[],
                footnote=_footnote(info, "bars: one input at a time, others at their medians",
                                   "dots: conditional means over the sampled futures",
                                   _more(frame, m, "swings")))
        if created:
            _set_subtitle(a, info, _what(info, challenger, baseline, horizon, volume),
                          [_shorten(t) for t in rows["label"]])
    return fig, a


# --- spider -------------------------------------------------------------------------------------

_BAR_HEIGHT, _BAR_SHIFT, _COND_SHIFT = 0.5, 0.1, 0.27  # in rows

_SPIDER_STYLES = [(c, "-") for c in OKABE_ITO[:6]] + [(INK, "-"), (OKABE_ITO[0], (0, (4, 2)))]


def plot_spider(frame: pd.DataFrame, info: RunInfo, *, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Spider: ΔNPC as each input walks through its percentiles, the widest ranges only.

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
    """
    require_columns(frame, _SPIDER_COLUMNS, "spider frame")
    order = list(dict.fromkeys(frame["input"]))
    shown = order[:MAX_SPIDER_INPUTS]
    challenger, baseline, horizon, volume = _comparison(frame)
    base = float(frame["base_delta_usd"].iloc[0])
    with house_style():
        fig, axes, created = make_figure(ax)
        a = axes[0]
        for k, name in enumerate(shown):
            rows = frame[frame["input"] == name].sort_values("percentile")
            colour, ls = _SPIDER_STYLES[k % len(_SPIDER_STYLES)]
            a.plot(rows["percentile"], rows["delta_usd"], color=colour, ls=ls, lw=2.2, marker="o", ms=4.5,
                   label=escape(_shorten(rows["label"].iloc[0], 34)), zorder=3 + (len(shown) - k) / 100)
        a.axhline(0.0, color="#666666", lw=1.1, zorder=1)
        a.axhline(base, color=INK, lw=1.1, ls=(0, (4, 3)), zorder=2)
        percentiles = sorted(frame["percentile"].unique())
        # Probit scale: percentiles spaced as standard deviations, so P5 and P10 do not collide.
        a.set_xscale("function", functions=(_probit, ndtr))
        a.set_xlim(min(percentiles) * 0.8, 1 - (1 - max(percentiles)) * 0.8)
        a.set_xticks(percentiles, [_pct(p) for p in percentiles])
        a.minorticks_off()
        a.set_xlabel("Input set to its percentile (others at their medians; probit scale)")
        a.yaxis.set_major_formatter(usd_formatter(info.currency))
        a.set_ylabel(_delta_axis_label(info, baseline))
        a.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), title="Input", alignment="left",
                 fontsize=SMALL_FONT_PT)
        top = frame[frame["input"] == shown[0]].sort_values("percentile")
        p0, p1 = float(top["percentile"].iloc[0]), float(top["percentile"].iloc[-1])
        d0, d1 = float(top["delta_usd"].iloc[0]), float(top["delta_usd"].iloc[-1])
        finding = (f"{top['label'].iloc[0]} moves the {horizon}-month ΔNPC most: {_money(d0, info)} at its "
                   f"{_pct(p0)}, {_money(d1, info)} at its {_pct(p1)}")
        finish(fig, [a], created=created, finding=escape(finding),
                subtitles=[escape(chart_subtitle(info, _what(info, challenger, baseline, horizon, volume)))],
                footnote=_footnote(info, f"dashed: all inputs at medians, {format_usd(base, info.currency)}",
                                   _more(pd.DataFrame({"input": order}), len(shown), "ranges")))
    return fig, a


# --- global indices -----------------------------------------------------------------------------


def _global_finding(row: pd.Series, has_sobol: bool) -> str:
    label, h = str(row["label"]), int(row["horizon_months"])
    if has_sobol:
        return (f"{label} drives {format_share(row['sobol_total'])} of the variance of the {h}-month ΔNPC "
                f"({format_share(max(float(row['sobol_first']), 0.0))} on its own)")
    return f"{label} is the input most rank-correlated with the {h}-month ΔNPC (Spearman {row['spearman']:+.2f})"


def plot_global(frame: pd.DataFrame, info: RunInfo, *, ax: Axes | None = None) -> tuple[Figure, Axes | np.ndarray]:
    """Sobol indices (first and total, with bootstrap intervals) and rank correlations per input.

    Parameters
    ----------
    frame
        From :func:`ftrag_mc.analysis.sensitivity.compute_global` (most important first).
    info
        The run.
    ax
        Draw onto this axes: the Sobol panel alone (the rank-correlation panel when the frame
        has no Sobol indices). Without it, a figure with both panels sharing the inputs axis.
        The first :data:`MAX_TORNADO_INPUTS` inputs are drawn, in the frame's order.

    Returns
    -------
    fig : Figure
    ax : Axes, or an array of the two panels (Sobol, rank correlations)

    Notes
    -----
    Inputs that ``[correlation]`` correlates carry a ``*`` and the chart says what that does to
    each measure.
    """
    require_columns(frame, _GLOBAL_COLUMNS, "global frame")
    rows = frame.head(MAX_TORNADO_INPUTS)
    m = len(rows)
    challenger, baseline, horizon, volume = _comparison(frame)
    has_sobol = bool(rows["sobol_total"].notna().any())
    correlated = rows["assumption_note"].fillna("").astype(str) != ""
    labels = [escape(_shorten(s) + (" *" if c else "")) for s, c in zip(rows["label"], correlated)]
    y = np.arange(m)[::-1].astype(float)
    colour = info.colour(challenger)

    with house_style():
        if ax is None and has_sobol:
            fig, axes, created = _canvas(None, m, ncols=2, width_ratios=(3, 2))
            sobol_ax, corr_ax = axes
        else:
            fig, axes, created = _canvas(ax, m)
            sobol_ax, corr_ax = (axes[0], None) if has_sobol else (None, axes[0])
        if sobol_ax is not None:
            for key, fill, shift, name in (("sobol_total", tint(colour, 0.5), 0.18, "total (with interactions)"),
                                           ("sobol_first", colour, -0.18, "first order (alone)")):
                point = rows[key].to_numpy(float)
                low, high = rows[f"{key}_low"].to_numpy(float), rows[f"{key}_high"].to_numpy(float)
                err = np.vstack([np.clip(point - low, 0, None), np.clip(high - point, 0, None)])
                sobol_ax.barh(y + shift, point, height=0.34, color=fill, zorder=3, label=name)
                sobol_ax.errorbar(point, y + shift, xerr=err, fmt="none", ecolor=INK, elinewidth=1.0, capsize=2.5,
                                  zorder=4)
            sobol_ax.axvline(0.0, color="#666666", lw=1.0, zorder=1)
            sobol_ax.xaxis.set_major_formatter(percent_formatter())
            sobol_ax.set_xlabel("Share of the variance of ΔNPC (Sobol index)")
            top = float(np.nanmax(rows[["sobol_total_high", "sobol_first_high", "sobol_total"]].to_numpy(float)))
            sobol_ax.set_xlim(min(-0.02, float(np.nanmin(rows["sobol_first_low"]))), min(max(0.25, 1.15 * top), 1.02))
            sobol_ax.legend(loc="lower right", fontsize=SMALL_FONT_PT, title="Sobol index", alignment="left")
        if corr_ax is not None:
            corr_ax.axvline(0.0, color="#666666", lw=1.0, zorder=1)
            corr_ax.plot(rows["spearman"], y, ls="none", marker="o", ms=7, color=INK, label="Spearman", zorder=4)
            corr_ax.plot(rows["prcc"], y, ls="none", marker="D", ms=6.5, mfc="white", mec=colour, mew=1.8,
                         label="partial (PRCC)", zorder=5)
            corr_ax.set_xlim(-1.05, 1.05)
            corr_ax.set_xlabel("Rank correlation with ΔNPC")
            corr_ax.legend(loc="lower left" if has_sobol else "lower right", fontsize=SMALL_FONT_PT,
                           title="Rank correlation", alignment="left")
        first_ax = sobol_ax if sobol_ax is not None else corr_ax
        first_ax.set_yticks(y, labels)
        first_ax.set_ylim(-0.8, m - 0.2)
        for a in axes:
            a.grid(False, axis="y")
        if correlated.any():
            # Under the panel's axis label, inside the layout: it qualifies every number drawn.
            note = ("* correlated inputs: Sobol indices treat them as independent (drawn independently); "
                    "Spearman mixes in the partner's effect, PRCC largely removes it")
            width_in = fig.get_figwidth() * (0.55 if len(axes) == 2 else 0.85)
            first_ax.annotate(escape(wrap(note, max(int(width_in / 0.09), 40))), xy=(0.0, 0.0),
                              xycoords="axes fraction", xytext=(0, -46), textcoords="offset points",
                              ha="left", va="top", fontsize=SMALL_FONT_PT, color=INK)
        first = rows.iloc[0]
        sobol_note = ""
        if has_sobol:
            sobol_note = (f"Sobol: {int(first['sobol_base_samples']):,} base samples, "
                          f"{int(first['sobol_evaluations']):,} model runs, inputs drawn independently; "
                          f"whiskers: {100 * float(first['confidence_level']):g} % bootstrap intervals")
        finish(fig, axes, created=created, finding=escape(_global_finding(first, has_sobol)), subtitles=[],
                footnote=_footnote(info, sobol_note, _more(frame, m, "indices")))
        if created:
            _set_subtitle(axes[0], info, _what(info, challenger, baseline, horizon, volume), labels,
                          panels=len(axes))
            if len(axes) == 2:
                axes[1].set_title("rank correlations over the sampled futures", loc="left", color=MUTED,
                                  fontsize=12, pad=12)
    return returned(fig, axes)
