"""The charts of a run: each ``plot_*`` takes analysis frames, draws, and returns ``(fig, ax)``.

Every chart's title states what the data says (computed from the frames, never generic), its
axes carry units, strategies keep their colour across charts (baseline first, see
:func:`ftrag_mc.report.style.strategy_colours`), and a grey footnote names the scenario, sample
count, sampler, seed, version and what the bands mean. Nothing here saves a file: that is the
writers' job.

With ``ax=None`` a chart makes its own ~10 x 6 in figure: the finding is the figure title and a
grey subtitle says what is compared. With a caller's ``ax`` the finding becomes that axes' title
and the footnote is written at the bottom of the caller's figure.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from ftrag_mc.report.style import (
    FIGSIZE_IN,
    INK,
    MUTED,
    SMALL_FONT_PT,
    RunInfo,
    add_footnote,
    apply_house_style,
    format_months,
    format_share,
    format_volume,
    house_style,
    percent_formatter,
    set_probability_axis,
    set_volume_axis,
    tint,
    wrap,
)

__all__ = [
    "plot_pwin_vs_volume",
    "plot_pwin_vs_month",
    "plot_breakeven",
    "plot_payback",
    "plot_cheapest_vs_volume",
]

WILSON_NOTE = "bands: 95 % Wilson intervals (Monte Carlo error of each probability)"
PERCENTILE_NOTE = (
    "bars above the histogram: P10-P90 of all futures, dot = median (P50); "
    "futures that never break even are counted, not dropped"
)

_CURVE_COLUMNS = (
    "strategy", "label", "horizon_months", "queries_per_month", "p_win", "p_win_low", "p_win_high",
)
_CROSSING_COLUMNS = ("strategy", "label", "horizon_months", "volume_at_50pct")
_MONTH_COLUMNS = ("strategy", "label", "month", "p_win", "p_win_low", "p_win_high")
_BREAKEVEN_COLUMNS = ("strategy", "label", "horizon_months", "queries_per_month")
_PAYBACK_COLUMNS = ("strategy", "label", "payback_months")
_CHEAPEST_COLUMNS = (
    "strategy", "label", "horizon_months", "queries_per_month",
    "p_cheapest", "p_cheapest_low", "p_cheapest_high",
)

_BAND_ALPHA = 0.18
_HALO = [patheffects.withStroke(linewidth=3.5, foreground="white")]


# --- shared plumbing -----------------------------------------------------------------------


def _require(frame: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks column(s) {missing}; it has {list(frame.columns)}")
    if frame.empty:
        raise ValueError(f"{name} is empty")


def _strategies_in(info: RunInfo, present: Iterable[str], *, baseline: bool = False) -> list[str]:
    """Strategies of a frame in scenario order; the baseline only when ``baseline``."""
    present = set(present)
    unknown = present - set(info.strategies)
    if unknown:
        raise ValueError(
            f"strategies {sorted(unknown)} are not in scenario {info.scenario!r} "
            f"(it has {list(info.strategies)})"
        )
    order = info.strategies if baseline else info.challengers
    found = [s for s in order if s in present]
    if not found:
        raise ValueError(
            f"no {'strategy' if baseline else 'challenger'} to plot: the frame holds only "
            f"{sorted(present)} and {info.baseline!r} is the baseline"
        )
    return found


def _label(info: RunInfo, frame: pd.DataFrame, strategy: str) -> str:
    if strategy in info.labels:
        return info.labels[strategy]
    rows = frame.loc[frame["strategy"] == strategy, "label"]
    return str(rows.iloc[0]) if len(rows) else strategy


def _baseline_label(info: RunInfo) -> str:
    return info.label(info.baseline)


def _figure(
    ax: Axes | None, *, ncols: int = 1, sharey: bool = False
) -> tuple[Figure, list[Axes], bool]:
    """The caller's axes, or a new figure with ``ncols`` panels side by side."""
    if ax is not None:
        if not isinstance(ax, Axes):
            raise TypeError(f"ax must be a matplotlib Axes, not {type(ax).__name__}")
        apply_house_style(ax)
        return ax.figure, [ax], False
    width = FIGSIZE_IN[0] if ncols == 1 else min(6.0 * ncols, 19.0)
    fig, axes = plt.subplots(
        1, ncols, figsize=(width, FIGSIZE_IN[1]), sharey=sharey, squeeze=False,
        layout="constrained",
    )
    return fig, list(axes[0]), True


def _finish(
    fig: Figure,
    axes: list[Axes],
    *,
    created: bool,
    finding: str,
    subtitles: Sequence[str],
    footnote: str,
) -> None:
    """Put the finding, the subtitles (one per panel) and the footnote on the chart."""
    if created:
        chars = int(fig.get_figwidth() / 0.125)  # ~0.125 in per character of a 15 pt bold title
        fig.suptitle(wrap(finding, chars), x=0.01, ha="left", color=INK)
        for a, sub in zip(axes, subtitles):
            a.set_title(sub, loc="left", color=MUTED, fontsize=12, pad=10)
    else:
        a = axes[0]
        chars = int(a.get_position().width * fig.get_figwidth() / 0.11)
        a.set_title(wrap(finding, max(chars, 30)), loc="left", fontsize=13, fontweight="bold")
    add_footnote(fig, footnote)


def _returned(fig: Figure, axes: list[Axes]) -> tuple[Figure, Axes | np.ndarray]:
    return fig, (axes[0] if len(axes) == 1 else np.array(axes, dtype=object))


@dataclass(frozen=True)
class _LineStyle:
    colour: str
    linestyle: object
    linewidth: float


def _horizon_styles(colour: str, horizons: Sequence[int]) -> dict[int, _LineStyle]:
    """Longest horizon: the strategy's own colour, solid; shorter ones lighter and dashed."""
    dashes: list[object] = ["-", (0, (6, 2.5)), (0, (2, 2)), (0, (6, 2, 1.5, 2))]
    tints = [0.0, 0.38, 0.55, 0.65]
    styles = {}
    for rank, h in enumerate(sorted(horizons, reverse=True)):
        k = min(rank, len(dashes) - 1)
        styles[h] = _LineStyle(tint(colour, tints[k]), dashes[k], 2.8 if rank == 0 else 2.2)
    return styles


def _crossing_50(q: np.ndarray, p: np.ndarray) -> float:
    """First volume where ``p`` crosses 0.5, interpolated in log volume; NaN if it does not."""
    above = p >= 0.5
    change = np.flatnonzero(above[1:] != above[:-1])
    if change.size == 0:
        return math.nan
    i = change[0]
    lq0, lq1 = np.log(q[i]), np.log(q[i + 1])
    t = (0.5 - p[i]) / (p[i + 1] - p[i])
    return float(np.exp(lq0 + t * (lq1 - lq0)))


def _mark_volume(ax: Axes, volume: float, *, text_y: float = 0.99) -> None:
    """Dark vertical line at the scenario's volume, labelled "your volume"."""
    ax.axvline(volume, color=INK, lw=1.3, ls=(0, (4, 3)), zorder=1)
    ax.text(
        volume, text_y, f" your volume\n {format_volume(volume)}/month",
        transform=blended_transform_factory(ax.transData, ax.transAxes),
        ha="left", va="top", fontsize=SMALL_FONT_PT, color=INK, path_effects=_HALO,
    )


def _fifty_line(ax: Axes) -> None:
    ax.axhline(0.5, color="#555555", lw=1.1, zorder=1)


def _quantiles(values: np.ndarray, qs: Sequence[float]) -> np.ndarray:
    """Empirical quantiles that may be 0 or +inf (no interpolation across an infinite value)."""
    return np.quantile(values, qs, method="inverted_cdf")


# --- 1. P(win) vs volume -------------------------------------------------------------------


def _volume_clause(
    p: np.ndarray, q: np.ndarray, crossing: float
) -> tuple[str, float]:
    """Which side of the 50 % line the longest-horizon curve is: ("above"|"below"|"always"|"never", x)."""
    if np.all(p >= 0.5):
        return "always", math.nan
    if np.all(p < 0.5):
        return "never", math.nan
    if not math.isfinite(crossing):
        crossing = _crossing_50(q, p)
    return ("above" if p[-1] >= 0.5 else "below"), crossing


def _volume_sentence(
    kind: str, x: float, label: str, base: str, horizon: int, vmin: float, vmax: float, *,
    first: bool,
) -> str:
    if kind == "above":
        core = f"beats {base} in most futures above {format_volume(x)} queries/month"
        short = f"above {format_volume(x)}"
    elif kind == "below":
        core = f"beats {base} in most futures below {format_volume(x)} queries/month"
        short = f"below {format_volume(x)}"
    elif kind == "always":
        core = (
            f"beats {base} in most futures at every volume from {format_volume(vmin)} to "
            f"{format_volume(vmax)} queries/month"
        )
        short = "at every volume"
    else:
        core = f"never beats {base} in most futures below {format_volume(vmax)} queries/month"
        short = f"never below {format_volume(vmax)}"
    if first:
        return f"{label} {core} over {horizon} months"
    return f"{label} {short}"


def plot_pwin_vs_volume(
    curves: pd.DataFrame,
    crossings: pd.DataFrame,
    info: RunInfo,
    *,
    scenario_volume: float | None = None,
    ax: Axes | None = None,
) -> tuple[Figure, Axes | np.ndarray]:
    """P(challenger cheaper than baseline) against starting volume, one curve per horizon.

    Parameters
    ----------
    curves
        One row per (strategy, horizon, volume): ``strategy``, ``label``, ``horizon_months``
        (int), ``queries_per_month`` (log grid, queries/month), ``p_win`` with its 95 % Wilson
        band ``p_win_low``/``p_win_high`` (0..1), ``wins`` and ``samples`` (counts).
    crossings
        ``strategy``, ``label``, ``horizon_months``, ``volume_at_50pct`` (queries/month; NaN
        where P(win) does not cross 50 % in the grid). A missing row is computed from ``curves``.
    info
        The run: strategies, labels, colours and the footnote.
    scenario_volume
        The scenario's own volume (queries/month), marked "your volume".
    ax
        Draw onto this axes (then ``curves`` must hold exactly one challenger).

    Returns
    -------
    fig, ax
        ``ax`` is one Axes for one challenger, else an ndarray of Axes, one panel per challenger
        in scenario order, sharing the y axis.

    Raises
    ------
    ValueError
        A column is missing, a strategy is not in the scenario, or ``ax`` is given with more
        than one challenger in ``curves``.
    """
    _require(curves, _CURVE_COLUMNS, "curves")
    _require(crossings, _CROSSING_COLUMNS, "crossings")
    challengers = _strategies_in(info, curves["strategy"].unique())
    if ax is not None and len(challengers) != 1:
        raise ValueError(
            f"ax is given, so curves must hold one challenger; it holds {challengers} "
            "(pass ax=None for one panel per challenger)"
        )
    horizons = sorted(int(h) for h in curves["horizon_months"].unique())
    longest = horizons[-1]
    base = _baseline_label(info)

    with house_style():
        fig, axes, created = _figure(ax, ncols=len(challengers), sharey=True)
        sentences, subtitles = [], []
        for panel, (a, s) in enumerate(zip(axes, challengers)):
            label = _label(info, curves, s)
            styles = _horizon_styles(info.colour(s), horizons)
            marks = []
            for h in horizons:
                c = curves[(curves["strategy"] == s) & (curves["horizon_months"] == h)]
                c = c.sort_values("queries_per_month")
                if c.empty:
                    continue
                q = c["queries_per_month"].to_numpy(float)
                p = c["p_win"].to_numpy(float)
                st = styles[h]
                a.fill_between(
                    q, c["p_win_low"], c["p_win_high"], color=st.colour, alpha=_BAND_ALPHA, lw=0
                )
                a.plot(q, p, color=st.colour, ls=st.linestyle, lw=st.linewidth,
                       label=f"{h} months", zorder=3 + h / 1000)
                row = crossings[(crossings["strategy"] == s) & (crossings["horizon_months"] == h)]
                x50 = float(row["volume_at_50pct"].iloc[0]) if len(row) else _crossing_50(q, p)
                if math.isfinite(x50):
                    marks.append((x50, h, st.colour))
                if h == longest:
                    kind, x = _volume_clause(p, q, x50)
                    sentences.append(_volume_sentence(
                        kind, x, label, base, h, q[0], q[-1], first=panel == 0
                    ))
            _fifty_line(a)
            _label_crossings(a, marks)
            if scenario_volume is not None:
                _mark_volume(a, scenario_volume)
            set_volume_axis(a)
            set_probability_axis(a, f"P({label} cheaper than {base})")
            a.tick_params(labelleft=True)
            a.legend(title="Horizon", loc="upper left", alignment="left")
            subtitles.append(f"{info.title}: {label} vs {base}, total cost over each horizon")
        finding = "; ".join(sentences)
        _finish(fig, axes, created=created, finding=finding, subtitles=subtitles,
                footnote=info.footnote(WILSON_NOTE))
    return _returned(fig, axes)


def _label_crossings(ax: Axes, marks: list[tuple[float, int, str]]) -> None:
    """A dot on each 50 % crossing and a staggered label ("36 mo: 72k/month") below-right of it.

    Labels go below the 50 % line, right of their dot, one row lower per crossing so that labels
    of nearby crossings never overlap; each row is a fixed offset in points, whatever the data.
    """
    for i, (x, h, colour) in enumerate(sorted(marks)):
        ax.plot([x], [0.5], marker="o", ms=8, mfc=colour, mec="white", mew=1.5, zorder=6)
        ax.annotate(
            f"{h} mo: {format_volume(x)}/month",
            xy=(x, 0.5), xytext=(8, -16 - 18 * i), textcoords="offset points",
            ha="left", va="top", fontsize=SMALL_FONT_PT, color=INK, path_effects=_HALO,
            arrowprops=dict(arrowstyle="-", color="#999999", lw=0.8, shrinkA=0, shrinkB=4),
            zorder=7,
        )


# --- 2. P(win) vs month --------------------------------------------------------------------


def plot_pwin_vs_month(
    curve: pd.DataFrame,
    info: RunInfo,
    *,
    volume: float,
    ax: Axes | None = None,
) -> tuple[Figure, Axes]:
    """P(challenger's cumulative cost is below the baseline's) at the end of each month.

    Parameters
    ----------
    curve
        One row per (strategy, month): ``strategy``, ``label``, ``month`` (int, 0..H; month 0 is
        after the one-time costs), ``p_win`` and its 95 % Wilson band ``p_win_low``/``p_win_high``.
    info
        The run.
    volume
        The volume the curve was computed at (queries/month), for the title.
    ax
        Draw onto this axes.

    Returns
    -------
    fig, ax
        All challengers on one axes, each in its colour.
    """
    _require(curve, _MONTH_COLUMNS, "curve")
    challengers = _strategies_in(info, curve["strategy"].unique())
    base = _baseline_label(info)
    horizon = int(curve["month"].max())

    with house_style():
        fig, axes, created = _figure(ax)
        a = axes[0]
        clauses = []
        for s in challengers:
            c = curve[curve["strategy"] == s].sort_values("month")
            m = c["month"].to_numpy(int)
            p = c["p_win"].to_numpy(float)
            colour = info.colour(s)
            label = _label(info, curve, s)
            a.fill_between(m, c["p_win_low"], c["p_win_high"], color=colour, alpha=_BAND_ALPHA,
                           lw=0)
            a.plot(m, p, color=colour, lw=2.8, label=label, zorder=3)
            hit = np.flatnonzero(p >= 0.5)
            if hit.size:
                first = int(m[hit[0]])
                a.plot([first], [p[hit[0]]], marker="o", ms=8, mfc=colour, mec="white", mew=1.5,
                       zorder=6)
                a.annotate(
                    f"month {first}", xy=(first, p[hit[0]]), xytext=(8, -14),
                    textcoords="offset points", ha="left", va="top", fontsize=SMALL_FONT_PT,
                    color=INK, path_effects=_HALO, zorder=7,
                )
                clauses.append((label, first))
            else:
                clauses.append((label, None))
        _fifty_line(a)
        set_probability_axis(a, f"P(cumulative cost below {base})")
        a.set_xlabel("End of month (months; 0 = after one-time costs)")
        a.set_xlim(0, horizon)
        step = 6 if horizon > 18 else (3 if horizon > 6 else 1)
        a.set_xticks(np.arange(0, horizon + 1, step))
        a.legend(loc="lower right")
        finding = _payback_month_finding(clauses, base, volume, horizon)
        _finish(fig, axes, created=created, finding=finding,
                subtitles=[f"{info.title}: running total of cost against {base}, month by month"],
                footnote=info.footnote(WILSON_NOTE))
    return fig, a


def _payback_month_finding(
    clauses: list[tuple[str, int | None]], base: str, volume: float, horizon: int
) -> str:
    parts = []
    for i, (label, month) in enumerate(clauses):
        if month is None:
            text = (f"{label} does not pay back in half of futures within {horizon} months"
                    if i == 0 else f"{label} does not within {horizon} months")
        elif month == 0:
            text = (f"{label} is cheaper than {base} from the start in half of futures"
                    if i == 0 else f"{label} from the start")
        else:
            text = (f"{label} has paid back in half of futures by month {month}"
                    if i == 0 else f"{label} by month {month}")
        parts.append(text)
    return f"At {format_volume(volume)} queries/month, " + "; ".join(parts)


# --- 3. and 4. distributions: breakeven volume and payback month ---------------------------


def _percentile_strip(
    ax: Axes, values: np.ndarray, lo: float, hi: float, y: float, colour: str, *,
    log: bool, fmt, tag: str,
) -> None:
    """P10-P90 bar and median dot in axes-fraction height ``y``; values outside [lo, hi] show as
    arrow heads at the edge. ``fmt`` writes a value, ``tag`` prefixes the text."""
    p10, p50, p90 = _quantiles(values, [0.1, 0.5, 0.9])
    tr = blended_transform_factory(ax.transData, ax.transAxes)

    def clip(v: float) -> float:
        return min(max(v, lo), hi)

    ax.plot([clip(p10), clip(p90)], [y, y], color=colour, lw=3.2, solid_capstyle="butt",
            transform=tr, zorder=5, clip_on=False)
    for v, edge_marker in ((p10, "<"), (p90, ">")):
        if v < lo or v > hi:
            ax.plot([clip(v)], [y], marker=edge_marker, ms=8, color=colour, transform=tr,
                    zorder=5, clip_on=False)
        else:
            ax.plot([v], [y], marker="|", ms=10, mew=2.2, color=colour, transform=tr, zorder=5)
    ax.plot([clip(p50)], [y], marker="o", ms=9, mfc=colour, mec="white", mew=1.5, transform=tr,
            zorder=6, clip_on=False)
    text = f"{tag}P10 {fmt(p10)} · P50 {fmt(p50)} · P90 {fmt(p90)}"
    # The text sits right of the bar unless that would leave the axes; then left of it.
    right_end = clip(p90)
    frac = (
        (math.log(right_end) - math.log(lo)) / (math.log(hi) - math.log(lo)) if log
        else (right_end - lo) / (hi - lo)
    )
    if frac < 0.55:
        ax.annotate(text, xy=(right_end, y), xycoords=tr, xytext=(10, 0),
                    textcoords="offset points", ha="left", va="center",
                    fontsize=SMALL_FONT_PT, color=INK, path_effects=_HALO)
    else:
        ax.annotate(text, xy=(clip(p10), y), xycoords=tr, xytext=(-10, 0),
                    textcoords="offset points", ha="right", va="center",
                    fontsize=SMALL_FONT_PT, color=INK, path_effects=_HALO)


def _headroom(ax: Axes, tallest: float, n_strips: int, strip_step: float) -> float:
    """Set the y limit so the histogram stays below the percentile strips; the strips' first y."""
    top_strip = 0.95
    lowest_strip = top_strip - strip_step * (n_strips - 1)
    hist_top = max(lowest_strip - 0.08, 0.3)
    ax.set_ylim(0, max(tallest, 1e-9) / hist_top)
    return top_strip


def plot_breakeven(
    samples: pd.DataFrame,
    info: RunInfo,
    *,
    volume_range: tuple[float, float],
    ax: Axes | None = None,
) -> tuple[Figure, Axes | np.ndarray]:
    """Distribution of the breakeven starting volume, per horizon, one panel per challenger.

    Parameters
    ----------
    samples
        One row per (strategy, horizon, sample): ``strategy``, ``label``, ``horizon_months``,
        ``queries_per_month`` = the starting volume (queries/month) from which the challenger
        is cheaper in that future: a value inside ``volume_range``, 0.0 when it already wins at
        the low end, +inf when it does not win at the high end.
    info
        The run.
    volume_range
        ``(vmin, vmax)`` of the sweep, queries/month.
    ax
        Draw onto this axes (then ``samples`` must hold one challenger).

    Returns
    -------
    fig, ax
        One Axes, or an ndarray of Axes with one panel per challenger.

    Notes
    -----
    Bars show the share of ALL futures per bin (so the bars of a horizon add up to the share
    that breaks even inside the range); the shares below and above the range are in the legend,
    and P10/P50/P90 are taken over all futures, 0 reading "below range", inf "above range".
    """
    _require(samples, _BREAKEVEN_COLUMNS, "samples")
    vmin, vmax = (float(v) for v in volume_range)
    if not 0 < vmin < vmax:
        raise ValueError(f"volume_range must be (vmin, vmax) with 0 < vmin < vmax, not {volume_range}")
    challengers = _strategies_in(info, samples["strategy"].unique())
    if ax is not None and len(challengers) != 1:
        raise ValueError(f"ax is given, so samples must hold one challenger; it holds {challengers}")
    horizons = sorted(int(h) for h in samples["horizon_months"].unique())
    longest = horizons[-1]
    edges = np.geomspace(vmin, vmax, 31)
    base = _baseline_label(info)

    def fmt(v: float) -> str:
        if v < vmin:
            return f"<{format_volume(vmin)}"
        if v > vmax:
            return f">{format_volume(vmax)}"
        return format_volume(v)

    with house_style():
        fig, axes, created = _figure(ax, ncols=len(challengers), sharey=False)
        medians = []
        for a, s in zip(axes, challengers):
            label = _label(info, samples, s)
            styles = _horizon_styles(info.colour(s), horizons)
            tallest, drawn = 0.0, []
            for h in sorted(horizons, reverse=True):
                v = samples.loc[(samples["strategy"] == s) & (samples["horizon_months"] == h),
                                "queries_per_month"].to_numpy(float)
                if v.size == 0:
                    continue
                if np.isnan(v).any():
                    raise ValueError(f"breakeven of {s!r} at {h} months holds NaN")
                below, above = float(np.mean(v < vmin)), float(np.mean(v > vmax))
                inside = v[(v >= vmin) & (v <= vmax)]
                counts, _ = np.histogram(inside, bins=edges)
                share = 100.0 * counts / v.size
                tallest = max(tallest, float(share.max()))
                st = styles[h]
                legend = f"{h} months: {format_share(above)} never below {format_volume(vmax)}"
                if below > 0:
                    legend += f", {format_share(below)} already at {format_volume(vmin)}"
                a.stairs(share, edges, color=st.colour, ls=st.linestyle, lw=st.linewidth,
                         label=legend, zorder=3 + h / 1000)
                drawn.append((h, v, st.colour))
                if h == longest:
                    p50 = float(_quantiles(v, [0.5])[0])
                    medians.append((label, p50, above, below))
            step = 0.065
            y0 = _headroom(a, tallest, len(drawn), step)
            for k, (h, v, colour) in enumerate(drawn):
                _percentile_strip(a, v, vmin, vmax, y0 - step * k, colour, log=True, fmt=fmt,
                                  tag=f"{h} mo: ")
            set_volume_axis(a, "Breakeven starting volume (queries/month, log scale)")
            a.set_xlim(vmin, vmax)
            a.yaxis.set_major_formatter(percent_formatter(xmax=100.0))
            a.set_ylabel("Share of futures (% per bin)")
            a.legend(loc="center right", bbox_to_anchor=(1.0, 0.42), title="Horizon",
                     alignment="left")
        subtitles = [
            f"{info.title}: volume from which {_label(info, samples, s)} is cheaper than {base}"
            for s in challengers
        ]
        finding = _breakeven_finding(medians, longest, vmin, vmax)
        _finish(fig, axes, created=created, finding=finding, subtitles=subtitles,
                footnote=info.footnote(PERCENTILE_NOTE))
    return _returned(fig, axes)


def _breakeven_finding(
    medians: list[tuple[str, float, float, float]], horizon: int, vmin: float, vmax: float
) -> str:
    def one(label: str | None, p50: float, above: float, below: float) -> str:
        who = f"{label} " if label else ""
        if p50 > vmax:
            return (f"{who}Most futures never break even below {format_volume(vmax)} queries/month "
                    f"over {horizon} months ({format_share(above)})").strip()
        if p50 < vmin:
            return (f"Median breakeven below {format_volume(vmin)} queries/month over {horizon} "
                    f"months: {label or 'the challenger'} already wins at {format_volume(vmin)} "
                    f"in {format_share(below)} of futures")
        text = f"Median breakeven: {format_volume(p50)} queries/month over {horizon} months"
        if above > 0:
            text += (f" ({format_share(above)} of futures never break even below "
                     f"{format_volume(vmax)})")
        return text

    if len(medians) == 1:
        label, p50, above, below = medians[0]
        return one(None if vmin <= p50 <= vmax else label, p50, above, below)
    parts = []
    for label, p50, _above, _below in medians:
        if p50 > vmax:
            parts.append(f"{label} above {format_volume(vmax)}")
        elif p50 < vmin:
            parts.append(f"{label} below {format_volume(vmin)}")
        else:
            parts.append(f"{label} {format_volume(p50)}")
    return f"Median breakeven over {horizon} months (queries/month): " + ", ".join(parts)


def plot_payback(
    samples: pd.DataFrame,
    info: RunInfo,
    *,
    volume: float,
    horizon_months: int,
    ax: Axes | None = None,
) -> tuple[Figure, Axes]:
    """Distribution of the payback month at the scenario's volume.

    Parameters
    ----------
    samples
        One row per (strategy, sample): ``strategy``, ``label``, ``payback_months`` (fractional
        month where the cumulative saving turns positive; 0.0 = cheaper from day one; +inf = not
        within the horizon).
    info
        The run.
    volume
        The volume the paybacks were computed at (queries/month), for the title.
    horizon_months
        The horizon H (months); paybacks beyond it count as "not within H months".
    ax
        Draw onto this axes.

    Returns
    -------
    fig, ax
        One step histogram per challenger (1-month bins) on one axes, with P10/P50/P90 bars.
    """
    _require(samples, _PAYBACK_COLUMNS, "samples")
    challengers = _strategies_in(info, samples["strategy"].unique())
    horizon = int(horizon_months)
    if horizon < 1:
        raise ValueError(f"horizon_months must be at least 1, not {horizon_months}")
    edges = np.arange(0, horizon + 1, dtype=float)
    base = _baseline_label(info)

    def fmt(v: float) -> str:
        return f">{horizon} mo" if v > horizon else f"{v:.1f} mo"

    with house_style():
        fig, axes, created = _figure(ax)
        a = axes[0]
        tallest, drawn, medians = 0.0, [], []
        for s in challengers:
            v = samples.loc[samples["strategy"] == s, "payback_months"].to_numpy(float)
            if np.isnan(v).any():
                raise ValueError(f"payback of {s!r} holds NaN")
            v = np.where(v > horizon, np.inf, v)
            never = float(np.mean(np.isinf(v)))
            day_one = float(np.mean(v == 0))
            counts, _ = np.histogram(v[np.isfinite(v)], bins=edges)
            share = 100.0 * counts / v.size
            tallest = max(tallest, float(share.max()))
            colour = info.colour(s)
            label = _label(info, samples, s)
            legend = f"{label}: {format_share(never)} not within {horizon} months"
            if day_one > 0:
                legend += f", {format_share(day_one)} from day one"
            a.stairs(share, edges, color=colour, lw=2.6, label=legend, zorder=3,
                     fill=len(challengers) == 1, alpha=1.0)
            if len(challengers) == 1:
                # A filled single histogram reads faster; keep the outline in full colour.
                a.patches[-1].set_facecolor(tint(colour, 0.7))
                a.patches[-1].set_edgecolor(colour)
            drawn.append((v, colour, label))
            medians.append((label, float(_quantiles(v, [0.5])[0]), never, day_one))
        step = 0.065
        y0 = _headroom(a, tallest, len(drawn), step)
        for k, (v, colour, label) in enumerate(drawn):
            tag = "" if len(drawn) == 1 else f"{label}: "
            _percentile_strip(a, v, 0.0, float(horizon), y0 - step * k, colour, log=False,
                              fmt=fmt, tag=tag)
        a.set_xlim(0, horizon)
        tick_step = 6 if horizon > 18 else (3 if horizon > 6 else 1)
        a.set_xticks(np.arange(0, horizon + 1, tick_step))
        a.set_xlabel(f"Payback (months after start; {format_volume(volume)} queries/month)")
        a.set_ylabel("Share of futures (% per 1-month bin)")
        a.yaxis.set_major_formatter(percent_formatter(xmax=100.0))
        a.legend(loc="center right", bbox_to_anchor=(1.0, 0.45))
        finding = _payback_finding(medians, volume, horizon)
        _finish(fig, axes, created=created, finding=finding,
                subtitles=[f"{info.title}: month from which the cumulative saving against "
                           f"{base} stays positive"],
                footnote=info.footnote(PERCENTILE_NOTE.replace("break even", "pay back")))
    return fig, a


def _payback_finding(
    medians: list[tuple[str, float, float, float]], volume: float, horizon: int
) -> str:
    head = f"At {format_volume(volume)} queries/month, "
    if len(medians) == 1:
        label, p50, never, day_one = medians[0]
        if math.isinf(p50):
            return head + (f"{label} does not pay back within {horizon} months in most futures "
                           f"({format_share(never)})")
        if p50 == 0:
            return head + f"{label} is cheaper from day one in most futures ({format_share(day_one)})"
        text = head + f"{label} pays back in {format_months(p50)} (median)"
        if never > 0:
            text += f"; {format_share(never)} of futures never do within {horizon} months"
        return text
    parts = []
    for label, p50, _never, _day_one in medians:
        if math.isinf(p50):
            parts.append(f"{label} not within {horizon} months")
        elif p50 == 0:
            parts.append(f"{label} from day one")
        else:
            parts.append(f"{label} {format_months(p50)}")
    return head + "median payback: " + ", ".join(parts)


# --- 5. P(cheapest) vs volume --------------------------------------------------------------


def _regimes(leader: list[str]) -> list[tuple[str, int, int]]:
    """Runs of the same leader along the grid: (strategy, first index, last index).

    A one-point run between two runs of the same strategy is Monte Carlo noise and is merged.
    """
    runs: list[list] = []
    for i, s in enumerate(leader):
        if runs and runs[-1][0] == s:
            runs[-1][2] = i
        else:
            runs.append([s, i, i])
    merged: list[list] = []
    for run in runs:
        if (merged and len(merged) >= 2 and merged[-1][1] == merged[-1][2]
                and merged[-2][0] == run[0]):
            merged.pop()
            merged[-1][2] = run[2]
        elif merged and merged[-1][0] == run[0]:
            merged[-1][2] = run[2]
        else:
            merged.append(list(run))
    return [(s, a, b) for s, a, b in merged]


def plot_cheapest_vs_volume(
    curves: pd.DataFrame,
    info: RunInfo,
    *,
    horizon_months: int,
    scenario_volume: float | None = None,
    ax: Axes | None = None,
) -> tuple[Figure, Axes]:
    """P(each strategy has the lowest total cost of all, baseline included) against volume.

    Parameters
    ----------
    curves
        ``strategy``, ``label``, ``horizon_months``, ``queries_per_month`` (queries/month),
        ``p_cheapest`` with its 95 % Wilson band ``p_cheapest_low``/``p_cheapest_high``.
    info
        The run.
    horizon_months
        Which horizon to show (months); it must be in ``curves``.
    scenario_volume
        The scenario's own volume (queries/month), marked "your volume".
    ax
        Draw onto this axes.

    Returns
    -------
    fig, ax
    """
    _require(curves, _CHEAPEST_COLUMNS, "curves")
    h = int(horizon_months)
    sub = curves[curves["horizon_months"] == h]
    if sub.empty:
        raise ValueError(
            f"curves hold no rows for horizon {h} months "
            f"(horizons: {sorted(curves['horizon_months'].unique().tolist())})"
        )
    strategies = _strategies_in(info, sub["strategy"].unique(), baseline=True)

    with house_style():
        fig, axes, created = _figure(ax)
        a = axes[0]
        table = sub.pivot_table(index="queries_per_month", columns="strategy",
                                values="p_cheapest").sort_index()[strategies]
        q = table.index.to_numpy(float)
        for s in strategies:
            c = sub[sub["strategy"] == s].sort_values("queries_per_month")
            colour = info.colour(s)
            label = _label(info, sub, s) + (" (baseline)" if s == info.baseline else "")
            a.fill_between(c["queries_per_month"], c["p_cheapest_low"], c["p_cheapest_high"],
                           color=colour, alpha=_BAND_ALPHA, lw=0)
            a.plot(c["queries_per_month"], c["p_cheapest"], color=colour, lw=2.8, label=label,
                   zorder=3)
        values = table.to_numpy(float)
        leader = [strategies[i] for i in np.nanargmax(values, axis=1)]
        runs = _regimes(leader)
        bounds = []
        for (s0, _a0, end0), (s1, start1, _b1) in zip(runs, runs[1:]):
            i0, i1 = end0, start1
            d0 = table[s0].iloc[i0] - table[s1].iloc[i0]
            d1 = table[s0].iloc[i1] - table[s1].iloc[i1]
            t = d0 / (d0 - d1) if d0 != d1 else 0.5
            bounds.append(float(np.exp(np.log(q[i0]) + t * (np.log(q[i1]) - np.log(q[i0])))))
        for x in bounds:
            a.axvline(x, color="#9A9A9A", lw=1.0, ls=(0, (1, 2)), zorder=1)
        if scenario_volume is not None:
            _mark_volume(a, scenario_volume)
        set_volume_axis(a)
        set_probability_axis(a, "P(cheapest of all strategies)")
        a.legend(loc="center left", bbox_to_anchor=(0.0, 0.62))
        finding = _cheapest_finding(
            [(_label(info, sub, s), i0, i1) for s, i0, i1 in runs], bounds, q, h
        )
        _finish(fig, axes, created=created, finding=finding,
                subtitles=[f"{info.title}: chance that each strategy has the lowest total cost "
                           f"over {h} months"],
                footnote=info.footnote(WILSON_NOTE))
    return fig, a


def _cheapest_finding(
    runs: list[tuple[str, int, int]], bounds: list[float], q: np.ndarray, horizon: int
) -> str:
    head = f"Most likely cheapest over {horizon} months: "
    if len(runs) == 1:
        return head + (f"{runs[0][0]} at every volume from {format_volume(q[0])} to "
                       f"{format_volume(q[-1])} queries/month")
    parts = []
    for k, (label, _i0, _i1) in enumerate(runs):
        if k == 0:
            parts.append(f"{label} below {format_volume(bounds[0])} queries/month")
        elif k == len(runs) - 1:
            parts.append(f"{label} above" if len(runs) == 2
                         else f"{label} above {format_volume(bounds[-1])}")
        else:
            parts.append(f"{label} {format_volume(bounds[k - 1])}-{format_volume(bounds[k])}")
    return head + ", ".join(parts)
