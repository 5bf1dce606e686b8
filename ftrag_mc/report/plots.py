"""The charts of a run: each ``plot_*`` takes analysis frames, draws, and returns ``(fig, ax)``.

Every chart's title states what the data says (:mod:`ftrag_mc.report.findings`, computed from
the frames, never generic), its axes carry units, strategies keep their colour across charts
(baseline first, see :func:`ftrag_mc.report.style.strategy_colours`), and a grey footnote names
the scenario, sample count, sampler, seed, version and what the bands mean. The layout (figures,
grids of small multiples, legends and labels placed clear of the data) is
:mod:`ftrag_mc.report.layout`. Nothing here saves a file: that is the writers' job.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ftrag_mc.analysis.charts_extra import attach_marks
from ftrag_mc.analysis.regimes import SWEEP_START
from ftrag_mc.report.findings import (
    Strip, at_volume, breakeven_empty, join_and, verb, breakeven_finding, cheapest_finding, coin_flip, crossing_50,
    flat_pwin_sentence, month_finding, narrow_win, payback_empty, payback_finding, rough, too_close, volume_finding, volume_kind,
)
from ftrag_mc.report.layout import (
    BAND_ALPHA, MAX_PANELS, MAX_SERIES, MAX_STRIPS, PERCENTILE_NOTE, WILSON_NOTE, Clearance, annotate,
    baseline_label, chart_footnote, chart_subtitle, dot, draw_legend, fifty_line, finish, histogram_axis,
    histogram_series, horizon_styles, keep_most, look_of, make_figure, month_ticks, nothing_to_show,
    percentile_strips, require_columns, returned, settle, share_entries, strategies_in, strategy_label,
    volume_label, volume_line,
)
from ftrag_mc.report.style import (
    SMALL_FONT_PT,
    format_share,
    format_volume,
    RunInfo,
    house_style,
    set_probability_axis,
    set_volume_axis,
    tint,
)

__all__ = [
    "attach_marks",
    "plot_pwin_vs_volume",
    "plot_pwin_vs_month",
    "plot_breakeven",
    "plot_payback",
    "plot_cheapest_vs_volume",
]


_CURVE_COLUMNS = (
    "strategy", "label", "horizon_months", "queries_per_month", "p_win", "p_win_low", "p_win_high",
)


MAX_TITLE_SENTENCES = 3  # challengers a P(win) title names one by one

_REGIME_COLUMNS = ("regime", "regime_strategy", "regime_from_queries_per_month", "regime_boundary_method")


_MONTH_COLUMNS = ("strategy", "label", "month", "p_win", "p_win_low", "p_win_high")


_HISTOGRAM_COLUMNS = ("strategy", "label", "bin_low", "bin_high", "share")


_BREAKEVEN_COLUMNS = ("strategy", "horizon_months", "p10", "p50", "p90", "share_below_range",
                      "share_above_range", "share_at_median")


_PAYBACK_COLUMNS = ("strategy", "p10", "p50", "p90", "share_immediate", "share_never", "share_at_median")


def _more(n: int, where: str) -> str:
    """"; 5 more challengers: see the chart" when a title names only the first few of ``n``."""
    extra = n - MAX_TITLE_SENTENCES
    return f"; {extra} more challenger{'s' if extra != 1 else ''}: see {where}" if extra > 0 else ""


def _split(frame: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An :func:`attach_marks` frame back into its series rows and one row of marks per key."""
    return frame.dropna(subset=["share"]), frame.drop_duplicates(keys)


def _volume_of(info: RunInfo, frame: pd.DataFrame) -> float:
    """The volume a frame was computed at: its ``queries_per_month``, else the run's."""
    if "queries_per_month" in frame.columns and frame["queries_per_month"].notna().any():
        return float(frame["queries_per_month"].dropna().iloc[0])
    if info.queries_per_month is None:
        raise ValueError("the volume is unknown: the frame has no queries_per_month and "
                         "info.queries_per_month is None")
    return float(info.queries_per_month)


_CHEAPEST_COLUMNS = (
    "strategy", "label", "horizon_months", "queries_per_month",
    "p_cheapest", "p_cheapest_low", "p_cheapest_high",
)


def plot_pwin_vs_volume(
    curves: pd.DataFrame,
    info: RunInfo,
    *,
    ax: Axes | None = None,
) -> tuple[Figure, Axes | np.ndarray]:
    """P(challenger cheaper than baseline) against starting volume, one curve per horizon.

    Parameters
    ----------
    curves
        One row per (strategy, horizon, volume): ``strategy``, ``label``, ``horizon_months``
        (int, months), ``queries_per_month`` (log grid, queries/month), ``p_win`` (0..1) with its
        95 % Wilson band ``p_win_low``/``p_win_high``, ``wins`` and ``samples`` (counts).
        With the crossings attached (:func:`attach_marks` of
        :func:`ftrag_mc.analysis.compute_crossings`), ``volume_at_50pct`` (queries/month; NaN
        where P(win) does not cross 50 %) is the dot on the 50 % line; without it, the crossing
        is interpolated on the grid.
    info
        The run: strategies, labels, colours, the footnote, and ``queries_per_month`` (marked
        "your volume"). The main pair (:attr:`RunInfo.main_challenger`) is drawn first.
    ax
        Draw onto this axes; ``curves`` must then hold exactly one challenger.

    Returns
    -------
    fig : Figure
    ax : Axes or ndarray of Axes
        One Axes for one challenger; else one panel per challenger in scenario order, sharing
        the y axis.

    Raises
    ------
    ValueError
        A column is missing, a strategy is not in the scenario, or ``ax`` is given while
        ``curves`` holds more than one challenger.

    Notes
    -----
    The title reads the longest horizon: "<challenger> beats <baseline> in most futures above
    <volume>" (or below, at every volume, never).
    """
    require_columns(curves, _CURVE_COLUMNS, "curves")
    scenario_volume = info.queries_per_month
    crossings = (curves.drop_duplicates(["strategy", "horizon_months"])
                 if "volume_at_50pct" in curves.columns else curves.iloc[0:0].assign(volume_at_50pct=np.nan))
    curves = curves.dropna(subset=["p_win"])
    challengers = strategies_in(info, curves["strategy"].unique())
    if ax is not None and len(challengers) != 1:
        raise ValueError(
            f"ax is given, so curves must hold one challenger; it holds {challengers} "
            "(pass ax=None to get one panel per challenger)"
        )
    horizons = sorted(int(h) for h in curves["horizon_months"].unique())
    base = baseline_label(info)
    q_all = curves["queries_per_month"].to_numpy(float)
    qmin, qmax = float(q_all.min()), float(q_all.max())
    longest = curves[curves["horizon_months"] == horizons[-1]]
    at = scenario_volume if scenario_volume is not None else math.sqrt(qmin * qmax)

    def p_at_volume(s: str) -> float:
        c = longest[longest["strategy"] == s].sort_values("queries_per_month")
        return at_volume(c, at, "p_win")[0] if len(c) else -1.0

    # The scenario's main question (baseline vs the strongest challenger) is the first panel
    # and the title's first sentence, not whichever pair the file lists first.
    main = [info.main_challenger] if info.main_challenger else []
    challengers, hidden = keep_most(challengers, p_at_volume, MAX_PANELS, always=main)
    challengers = info.main_first(challengers)

    with house_style():
        fig, axes, created = make_figure(ax, ncols=len(challengers), sharey=True)
        sentences, subtitles, rooms, marks, flats = [], [], [], [], []
        for panel, (a, s) in enumerate(zip(axes, challengers)):
            label = strategy_label(info, curves, s)
            look = look_of(info, s)
            styles = horizon_styles(info.colour(s), horizons)
            set_volume_axis(a)
            a.set_xlim(qmin / 1.15, qmax * 1.15)
            set_probability_axis(a, f"P({label} cheaper than {base})")
            a.tick_params(labelleft=True)
            room = Clearance(a)
            panel_marks = []
            for h in horizons:
                c = curves[(curves["strategy"] == s) & (curves["horizon_months"] == h)]
                if c.empty:
                    continue
                c = c.sort_values("queries_per_month")
                q = c["queries_per_month"].to_numpy(float)
                p = c["p_win"].to_numpy(float)
                st = styles[h]
                a.fill_between(q, c["p_win_low"], c["p_win_high"], color=st.colour,
                               alpha=BAND_ALPHA, lw=0)
                markers = {} if look.marker is None else dict(
                    marker=look.marker, ms=6, mfc="white", mec=st.colour, mew=1.6,
                    markevery=max(len(q) // 6, 1))
                a.plot(q, p, color=st.colour, ls=st.linestyle, lw=st.linewidth,
                       label=f"{h} months", zorder=3 + h / 1000, **markers)
                room.add_line(q, p)
                row = crossings[(crossings["strategy"] == s)
                                & (crossings["horizon_months"] == h)]
                x50 = float(row["volume_at_50pct"].iloc[0]) if len(row) else crossing_50(q, p)
                if math.isfinite(x50):
                    dot(a, room, x50, 0.5, st.colour)
                    panel_marks.append((h, x50))
                if h == horizons[-1]:
                    kind, x = volume_kind(q, p, x50)
                    sentence = volume_finding(kind, x, label, base, h, qmin, qmax,
                                               first=panel == 0)
                    sentence += narrow_win(kind, x, q, p, c["p_win_low"].to_numpy(float),
                                           first=panel == 0)
                    if scenario_volume is not None:
                        sentence += coin_flip(c, scenario_volume, "p_win", first=panel == 0)
                    sentences.append(sentence)
            fifty_line(a, room)
            if scenario_volume is not None:
                volume_line(a, room, scenario_volume)
            band = curves[curves["strategy"] == s]
            flats.append(flat_pwin_sentence(label, base, float(band["p_win_high"].max()),
                                            float(band["p_win_low"].min()), float(band["p_win"].max()),
                                            float(band["p_win"].min()), qmin, qmax))
            rooms.append(room)
            marks.append(panel_marks)
            if len(challengers) == 1:
                subtitles.append(chart_subtitle(info, "total cost over each horizon"))
            else:
                subtitles.append(f"Main question: {label} vs {base}" if s == info.main_challenger
                                 else f"{label} vs {base}")
        # Past three panels a title naming every one is unreadable: the main question's
        # finding, and where the others are.
        if len(sentences) > MAX_TITLE_SENTENCES:
            others = len(sentences) - 1 + hidden
            sentences = [sentences[0], f"{others} other challengers: see each panel"
                         + (" and pwin_crossings.csv" if hidden else "")]
        finish(fig, axes, created=created, finding=rough(info, "; ".join(sentences)),
                subtitles=subtitles,
                footnote=chart_footnote(info, WILSON_NOTE, hidden, "pwin_vs_volume.csv"))
        settle(fig)
        for a, room, panel_marks, flat in zip(axes, rooms, marks, flats):
            if flat and len(axes) > 1:  # a flat line at 0 % or 100 %: say it, draw nothing
                nothing_to_show(a, flat)
                continue
            room.measure()
            draw_legend(a, room, title="Horizon")
            if scenario_volume is not None:
                volume_label(a, room, scenario_volume)
            for h, x in sorted(panel_marks, reverse=True):  # the longest horizon first
                annotate(a, room, x, 0.5, f"{h} mo: {format_volume(x)}/month",
                          arrowprops=dict(arrowstyle="-", color="#9A9A9A", lw=0.8,
                                          shrinkA=0, shrinkB=5))
    return returned(fig, axes)


def plot_pwin_vs_month(
    curve: pd.DataFrame,
    info: RunInfo,
    *,
    ax: Axes | None = None,
) -> tuple[Figure, Axes]:
    """P(challenger's cumulative cost is below the baseline's) at the end of each month.

    Parameters
    ----------
    curve
        One row per (strategy, month): ``strategy``, ``label``, ``month`` (int, 0..H; month 0
        is after the one-time costs), ``p_win`` (0..1) and its 95 % Wilson band
        ``p_win_low``/``p_win_high``.
    info
        The run; ``queries_per_month`` is the volume the curve was computed at, for the title.
    ax
        Draw onto this axes.

    Returns
    -------
    fig : Figure
    ax : Axes
        All challengers on one axes, each in its colour; the title gives the first month where
        P(win) reaches 50 %.
    """
    require_columns(curve, _MONTH_COLUMNS, "curve")
    volume = _volume_of(info, curve)
    challengers = strategies_in(info, curve["strategy"].unique())
    base = baseline_label(info)
    horizon = int(curve["month"].max())
    last = curve[curve["month"] == horizon].set_index("strategy")
    main = [info.main_challenger] if info.main_challenger else []
    challengers, hidden = keep_most(
        challengers, lambda s: float(last["p_win"].get(s, -1.0)), MAX_SERIES, always=main)
    challengers = info.main_first(challengers)

    with house_style():
        fig, axes, created = make_figure(ax)
        a = axes[0]
        set_probability_axis(a, f"P(cumulative cost below {base})")
        a.set_xlabel("End of month (months; 0 = after one-time costs)")
        month_ticks(a, horizon)
        room = Clearance(a)
        paid = []
        for s in challengers:
            c = curve[curve["strategy"] == s].sort_values("month")
            m = c["month"].to_numpy(int)
            p = c["p_win"].to_numpy(float)
            look = look_of(info, s)
            colour = look.colour
            a.fill_between(m, c["p_win_low"], c["p_win_high"], color=colour, alpha=BAND_ALPHA,
                           lw=0)
            a.plot(m, p, lw=3.0, label=strategy_label(info, curve, s), zorder=3, **look.line_kw(len(m)))
            room.add_line(m, p)
            hit = np.flatnonzero(p >= 0.5)
            first = int(m[hit[0]]) if hit.size else None
            paid.append((strategy_label(info, curve, s), first, float(p[hit[0]]) if hit.size else None))
            if first is not None:
                dot(a, room, first, float(p[hit[0]]), colour)
        fifty_line(a, room)
        subtitle = chart_subtitle(info, f"running total of cost against {base}, month by month")
        finding = month_finding([(lab, m) for lab, m, _ in paid][:MAX_TITLE_SENTENCES], base, volume, horizon)
        finding += _more(len(paid), "the chart")
        coins = [strategy_label(info, curve, s) for s in challengers
                 if last.loc[s, "p_win_low"] <= 0.5 <= last.loc[s, "p_win_high"]]
        if coins:
            finding += (f"; after {horizon} months {join_and(coins)} against {base} "
                        f"{verb(coins, 'is', 'are')} a coin flip (the 95 % band holds 50 %)")
        finish(fig, axes, created=created, finding=rough(info, finding),
                subtitles=[subtitle],
                footnote=chart_footnote(info, WILSON_NOTE, hidden, "pwin_vs_month.csv"))
        settle(fig)
        room.measure()
        draw_legend(a, room)
        for _label_text, first, p0 in paid:
            if first is not None:
                annotate(a, room, first, p0, f"month {first}")
    return fig, a


def plot_breakeven(
    frame: pd.DataFrame,
    info: RunInfo,
    *,
    ax: Axes | None = None,
) -> tuple[Figure, Axes | np.ndarray]:
    """Distribution of the breakeven starting volume per horizon, one panel per challenger.

    Parameters
    ----------
    frame
        :func:`attach_marks` of :func:`ftrag_mc.analysis.compute_breakeven_histogram`
        (``strategy``, ``label``, ``horizon_months``, ``bin_low``, ``bin_high`` in queries/month,
        ``share`` of all futures) and :func:`ftrag_mc.analysis.compute_breakeven` (``p10``,
        ``p50``, ``p90``: 0 = below the range, inf = above; ``share_below_range``,
        ``share_above_range``, ``share_at_median``; ``sweep_min``/``sweep_max``).
    info
        The run; its ``sweep_queries_per_month`` where the frame has no ``sweep_min``/``sweep_max``.
    ax
        Draw onto this axes; the frames must then hold one challenger.

    Returns
    -------
    fig : Figure
    ax : Axes or ndarray of Axes
        One Axes, or one panel per challenger side by side.

    Raises
    ------
    ValueError
        A column is missing, a value is NaN, the sweep is not increasing and positive,
        or ``ax`` is given with more than one challenger.

    Notes
    -----
    Bars are the share of ALL futures per log-spaced bin, so a horizon's bars add up to the
    share that breaks even inside the range; the shares below and above the range are in the
    legend. Every number drawn is a cell of the two frames (and so of the run's CSVs).
    """
    require_columns(frame, (*_HISTOGRAM_COLUMNS, "horizon_months", *_BREAKEVEN_COLUMNS), "frame")
    histogram, percentiles = _split(frame, ["strategy", "horizon_months"])
    volume_range = ((float(frame["sweep_min"].iloc[0]), float(frame["sweep_max"].iloc[0]))
                    if {"sweep_min", "sweep_max"} <= set(frame.columns) else info.sweep_queries_per_month)
    if volume_range is None:
        raise ValueError("the sweep is unknown: the frame has no sweep_min/sweep_max and "
                         "info.sweep_queries_per_month is None")
    vmin, vmax = (float(v) for v in volume_range)
    if not 0 < vmin < vmax:
        raise ValueError(f"the sweep must be (vmin, vmax) with 0 < vmin < vmax: {volume_range}")
    challengers = strategies_in(info, histogram["strategy"].unique())
    if ax is not None and len(challengers) != 1:
        raise ValueError(
            f"ax is given, so the frames must hold one challenger; they hold {challengers}")
    if histogram["share"].isna().any() or percentiles[["p10", "p50", "p90"]].isna().any().any():
        raise ValueError("the breakeven frames hold NaN (use 0.0 or inf for out of range)")
    horizons = sorted(int(h) for h in histogram["horizon_months"].unique())
    base = baseline_label(info)
    rows = percentiles.set_index(["strategy", "horizon_months"])

    def low_median(s: str) -> float:  # the lowest median breakeven matters most
        key = (s, horizons[-1])
        return -float(rows.loc[key, "p50"]) if key in rows.index else -math.inf

    main = [info.main_challenger] if info.main_challenger else []
    challengers, hidden = keep_most(challengers, low_median, MAX_PANELS, always=main)
    challengers = info.main_first(challengers)

    def fmt(v: float) -> str:
        if v < vmin:
            return f"<{format_volume(vmin)}"
        return f">{format_volume(vmax)}" if v > vmax else format_volume(v)

    with house_style():
        fig, axes, created = make_figure(ax, ncols=len(challengers))
        medians, panels = [], []
        edges = None
        for a, s in zip(axes, challengers):
            label = strategy_label(info, histogram, s)
            styles = horizon_styles(info.colour(s), horizons)
            set_volume_axis(a, "Breakeven starting volume (queries/month, log scale)")
            a.set_xlim(vmin, vmax)
            drawn, entries = [], []
            for k, h in enumerate(sorted(horizons, reverse=True)):  # longest first, on top
                mask = (histogram["strategy"] == s) & (histogram["horizon_months"] == h)
                if not mask.any() or (s, h) not in rows.index:
                    continue
                edges, pct = histogram_series(histogram, mask)
                r = rows.loc[(s, h)]
                below, above = float(r["share_below_range"]), float(r["share_above_range"])
                strip = Strip(float(r["p10"]), float(r["p50"]), float(r["p90"]), below, above,
                               float(r["share_at_median"]))
                drawn.append((h, strip, pct))
                shares, short = [], []
                if above > 0:
                    shares.append(f"{format_share(above)} never break even below "
                                  f"{format_volume(vmax)}")
                    short.append(f"{format_share(above)} above {format_volume(vmax)}")
                if below > 0:
                    shares.append(f"{format_share(below)} already cheaper at "
                                  f"{format_volume(vmin)}")
                    short.append(f"{format_share(below)} below {format_volume(vmin)}")
                entries.append(share_entries(f"{h} months", shares, short))
                st = styles[h]
                a.stairs(pct, edges, color=st.colour, ls=st.linestyle, lw=st.linewidth,
                         label=entries[-1][0], zorder=4 - k / 10)
                if len(drawn) == 1:
                    medians.append((label, strip.p50, above, below))
            histogram_axis(a, _tallest(drawn), len(drawn), "Share of futures (% per bin)")
            panels.append((a, drawn, styles, entries, breakeven_empty(drawn, label, vmin, vmax)))
        subtitles = [
            chart_subtitle(info, f"volume from which {strategy_label(info, histogram, s)} is cheaper than {base}")
            if len(challengers) == 1 else
            f"{'Main question: ' if s == info.main_challenger else ''}{strategy_label(info, histogram, s)} vs {base}"
            for s in challengers
        ]
        finish(fig, axes, created=created,
                finding=rough(info, breakeven_finding(medians[:MAX_TITLE_SENTENCES], horizons[-1], vmin, vmax)
                              + _more(len(medians), "each panel")),
                subtitles=subtitles,
                footnote=chart_footnote(info, PERCENTILE_NOTE, hidden, "breakeven.csv"))
        settle(fig)
        for a, drawn, styles, entries, empty in panels:
            if empty:
                nothing_to_show(a, empty)
                continue
            variants = list(zip(*entries))
            room, floor = _histogram_room(a, drawn, edges)
            if not room.place_legend(variants, title="Horizon", top=floor, dry_run=True)[2]:
                # No free corner: lower the histogram to make a band for the legend.
                lines = len(entries) + 1
                room, floor = _histogram_room(
                    a, drawn, edges, reserve=(lines * 1.5 * SMALL_FONT_PT + 14) / room.h)
            percentile_strips(a, room, [(v, styles[h].colour, f"{h} mo") for h, v, _ in drawn],
                               vmin, vmax, fmt)
            draw_legend(a, room, title="Horizon", top=floor, variants=variants)
    return returned(fig, axes)


def _tallest(drawn: Sequence[tuple[int, Strip, np.ndarray]]) -> float:
    return max((float(pct.max()) for _, _, pct in drawn), default=0.0)


def _histogram_room(ax: Axes, drawn: Sequence[tuple[int, Strip, np.ndarray]],
                    edges: np.ndarray, *, reserve: float = 0.0) -> tuple[Clearance, float]:
    """Scale the y axis (leaving ``reserve`` axes fraction free under the percentile bars) and
    record the histograms, outline and area, as occupied; the room and the bars' floor."""
    floor = histogram_axis(ax, _tallest(drawn), len(drawn), ax.get_ylabel(), reserve=reserve)
    room = Clearance(ax)
    for _h, _v, pct in drawn:
        room.add_line(np.repeat(edges, 2), np.concatenate([[0], np.repeat(pct, 2), [0]]))
        for e0, e1, height in zip(edges[:-1], edges[1:], pct):
            room.add_line([np.sqrt(e0 * e1)] * 2, [0, height], weight=1)
    room.measure()
    return room, floor


def plot_payback(
    frame: pd.DataFrame,
    info: RunInfo,
    *,
    ax: Axes | None = None,
) -> tuple[Figure, Axes]:
    """Distribution of the payback month at the scenario's volume.

    Parameters
    ----------
    frame
        :func:`attach_marks` of :func:`ftrag_mc.analysis.compute_payback_histogram`
        (``strategy``, ``label``, ``bin_low``, ``bin_high`` in months, ``share`` of all futures)
        and :func:`ftrag_mc.analysis.compute_payback` (``p10``, ``p50``, ``p90``: 0 = cheaper
        from day one, inf = not within the horizon; ``share_immediate``, ``share_never``,
        ``share_at_median``; ``queries_per_month`` and ``horizon_months``, else ``info``'s).
    info
        The run.
    ax
        Draw onto this axes.

    Returns
    -------
    fig : Figure
    ax : Axes
        One step histogram per challenger (1-month bins) on one axes, with P10/P50/P90 bars.
    """
    require_columns(frame, (*_HISTOGRAM_COLUMNS, *_PAYBACK_COLUMNS), "frame")
    histogram, percentiles = _split(frame, ["strategy"])
    volume = _volume_of(info, frame)
    horizon_months = (frame["horizon_months"].dropna().iloc[0] if "horizon_months" in frame.columns
                      else info.horizon_months)
    if horizon_months is None:
        raise ValueError("the horizon is unknown: the frame has no horizon_months and info.horizon_months is None")
    challengers = strategies_in(info, histogram["strategy"].unique())
    horizon = int(horizon_months)
    if horizon < 1:
        raise ValueError(f"horizon_months must be at least 1, not {horizon_months}")
    if histogram["share"].isna().any() or percentiles[["p10", "p50", "p90"]].isna().any().any():
        raise ValueError("the payback frames hold NaN (use inf for 'not within the horizon')")
    base = baseline_label(info)
    rows = percentiles.set_index("strategy")
    # The earliest median payback matters most (ties: the larger share cheaper from day one).
    challengers, hidden = keep_most(
        challengers, lambda s: (-float(rows.loc[s, "p50"]) + 1e-3 * float(rows.loc[s, "share_immediate"])
                                if s in rows.index else -math.inf), MAX_STRIPS,
        always=[info.main_challenger] if info.main_challenger else ())
    challengers = info.main_first(challengers)
    single = len(challengers) == 1

    def fmt(v: float) -> str:
        return f">{horizon} mo" if v > horizon else ("0 mo" if v == 0 else f"{v:.1f} mo")

    with house_style():
        fig, axes, created = make_figure(ax)
        a = axes[0]
        month_ticks(a, horizon)
        a.set_xlabel(f"Payback (months from start, at {format_volume(volume)} queries/month)")
        drawn = []
        for s in challengers:
            edges, pct = histogram_series(histogram, histogram["strategy"] == s)
            r = rows.loc[s]
            strip = Strip(float(r["p10"]), float(r["p50"]), float(r["p90"]), 0.0,
                           float(r["share_never"]), float(r["share_at_median"]))
            drawn.append((s, strip, pct, edges, float(r["share_never"]), float(r["share_immediate"])))
        floor = histogram_axis(a, max(float(pct.max()) for _, _, pct, *_ in drawn), len(drawn),
                                "Share of futures (% per 1-month bin)")
        room = Clearance(a)
        medians, entries = [], []
        for s, strip, pct, edges, never, day_one in drawn:
            look, label = look_of(info, s), strategy_label(info, histogram, s)
            colour = look.colour
            shares = [] if never == 0 else [f"{format_share(never)} not within {horizon} months"]
            if day_one > 0:
                shares.append(f"{format_share(day_one)} cheaper from day one")
            entries.append(share_entries(label, shares))
            a.stairs(pct, edges, color=colour, lw=2.6, zorder=3, label=entries[-1][0],
                     fill=single, facecolor=tint(colour, 0.65) if single else None,
                     edgecolor=colour, ls=look.linestyle)
            room.add_line(np.repeat(edges, 2), np.concatenate([[0], np.repeat(pct, 2), [0]]))
            if single:  # a filled histogram: its inside is taken too
                for e0, e1, height in zip(edges[:-1], edges[1:], pct):
                    room.add_line([(e0 + e1) / 2] * 2, [0, height])
            medians.append((label, strip.p50, never, day_one))
        finish(fig, axes, created=created,
                finding=rough(info, payback_finding(medians[:MAX_TITLE_SENTENCES], volume, horizon)
                              + _more(len(medians), "the chart")),
                subtitles=[chart_subtitle(info, "month from which the cumulative saving against "
                                         f"{base} is positive")],
                footnote=chart_footnote(info, PERCENTILE_NOTE, hidden, "payback.csv"))
        settle(fig)
        empty = payback_empty([(never, day_one) for *_, never, day_one in drawn], horizon)
        if empty:
            nothing_to_show(a, empty)
            return fig, a
        room.measure()
        percentile_strips(a, room, [(strip, info.colour(s), "") for s, strip, *_ in drawn],
                           0.0, float(horizon), fmt)
        draw_legend(a, room, top=floor, variants=list(zip(*entries)))
    return fig, a


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
        The title names the most likely cheapest strategy in each volume range (the frame's
        regimes); dotted verticals mark where the lead changes.
    """
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
    drawn, hidden = keep_most(strategies, lambda s: float(peak[s]), MAX_SERIES,
                              always=[info.baseline, *runs])
    scenario_volume = info.queries_per_month

    with house_style():
        fig, axes, created = make_figure(ax)
        a = axes[0]
        set_volume_axis(a)
        a.set_xlim(q[0] / 1.15, q[-1] * 1.15)
        set_probability_axis(a, "P(cheapest of all strategies)")
        room = Clearance(a)
        for s in drawn:
            c = sub[sub["strategy"] == s].sort_values("queries_per_month")
            look = look_of(info, s)
            colour = look.colour
            label = strategy_label(info, sub, s) + (", baseline" if s == info.baseline else "")
            a.fill_between(c["queries_per_month"], c["p_cheapest_low"], c["p_cheapest_high"],
                           color=colour, alpha=BAND_ALPHA, lw=0)
            a.plot(c["queries_per_month"], c["p_cheapest"], lw=3.0, label=label, zorder=3,
                   **look.line_kw(len(c)))
            room.add_line(c["queries_per_month"], c["p_cheapest"])
        for x in bounds:
            a.axvline(x, color="#A0A0A0", lw=1.0, ls=(0, (1, 2)), zorder=1)
            room.add_line([x, x], [0, 1], y_axes=True, weight=2)
        if scenario_volume is not None:
            volume_line(a, room, scenario_volume)
        finding = cheapest_finding([strategy_label(info, sub, s) for s in runs], bounds, q, h)
        if scenario_volume is not None:
            finding += too_close(sub, strategies, scenario_volume,
                                  lambda s: strategy_label(info, sub, s))
        finish(fig, axes, created=created, finding=rough(info, finding),
                subtitles=[chart_subtitle(info, "chance that each strategy has the lowest total cost "
                                         f"over {h} months")],
                footnote=chart_footnote(info, WILSON_NOTE + " · lead changes interpolated between sweep "
                                       "volumes (cheapest_regimes.csv)", hidden, "cheapest_vs_volume.csv",
                                   what="strategy"))
        settle(fig)
        room.measure()
        draw_legend(a, room)
        if scenario_volume is not None:
            volume_label(a, room, scenario_volume)
    return fig, a