"""The payback month at your volume (``payback.png``): one step histogram per challenger
(1-month bins) with P10/P50/P90 bars, the shares that pay back from day one or never counted in
the legend."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ftrag_mc.report.charts.canvas import (
    MAX_STRIPS, PERCENTILE_NOTE, chart_footnote, chart_subtitle, finish, frame_volume, keep_most, make_figure,
    nothing_to_show, require_columns, settle, shrink_to_sentence, strategies_in,
)
from ftrag_mc.report.charts.labels import baseline_label, look_of, strategy_label
from ftrag_mc.report.charts.placement import Clearance, draw_legend
from ftrag_mc.report.charts.strips import (
    HISTOGRAM_COLUMNS, Strip, histogram_axis, histogram_series, marked_frames, percentile_strips, record_histogram,
    share_entries,
)
from ftrag_mc.report.findings import (
    DAY_ONE, MAX_TITLE_SENTENCES, day_one_words, in_most_futures, more_clause, payback_clauses, rough,
)
from ftrag_mc.report.numbers import format_months, format_share, format_volume
from ftrag_mc.report.style import RunInfo, house_style, month_ticks, tint

__all__ = ["payback_finding", "plot_payback"]

_PAYBACK_COLUMNS = ("strategy", "p10", "p50", "p90", "share_immediate", "share_never", "share_at_median")


@dataclass(frozen=True)
class _Bar:
    """One challenger: its histogram, percentile bar and shares outside the axis."""

    strategy: str
    strip: Strip
    edges: np.ndarray
    pct: np.ndarray
    never: float
    day_one: float


@dataclass(frozen=True)
class _Payback:
    """The frames as drawn: the challengers shown (at most :data:`MAX_STRIPS`) and their bars."""

    histogram: pd.DataFrame
    bars: list[_Bar]
    hidden: int
    volume: float
    horizon: int

    def fmt(self, v: float) -> str:
        """A month on a percentile bar: "cheaper from day one" (0), "6.3 mo", ">36 mo"."""
        return f">{self.horizon} mo" if v > self.horizon else (DAY_ONE if v == 0 else f"{v:.1f} mo")


def _read(frame: pd.DataFrame, info: RunInfo) -> _Payback:
    require_columns(frame, (*HISTOGRAM_COLUMNS, *_PAYBACK_COLUMNS), "frame")
    histogram, percentiles = marked_frames(frame, ["strategy"])
    volume = frame_volume(info, frame)
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
    rows = percentiles.set_index("strategy")
    # The earliest median payback matters most (ties: the larger share cheaper from day one).
    shown, hidden = keep_most(
        challengers, lambda s: (-float(rows.loc[s, "p50"]) + 1e-3 * float(rows.loc[s, "share_immediate"])
                                if s in rows.index else -math.inf), MAX_STRIPS,
        always=[info.main_challenger] if info.main_challenger else ())
    bars = []
    for s in info.main_first(shown):
        edges, pct = histogram_series(histogram, histogram["strategy"] == s)
        r = rows.loc[s]
        never, day_one = float(r["share_never"]), float(r["share_immediate"])
        strip = Strip(float(r["p10"]), float(r["p50"]), float(r["p90"]), 0.0, never, float(r["share_at_median"]))
        bars.append(_Bar(s, strip, edges, pct, never, day_one))
    return _Payback(histogram, bars, hidden, volume, horizon)


# --- the finding --------------------------------------------------------------------------------


def payback_finding(frame: pd.DataFrame, info: RunInfo) -> str:
    """The chart's title: each challenger's median payback month at your volume, or that it pays
    back from day one or not within the horizon in most futures.

    Parameters
    ----------
    frame, info
        As :func:`plot_payback`.
    """
    return _finding(_read(frame, info), info)


def _finding(data: _Payback, info: RunInfo) -> str:
    medians = [(strategy_label(info, data.histogram, b.strategy), b.strip.p50, b.never, b.day_one)
               for b in data.bars]
    return rough(info, medians_finding(medians[:MAX_TITLE_SENTENCES], data.volume, data.horizon)
                 + more_clause(len(medians), "the chart"))


def medians_finding(medians: list[tuple[str, float, float, float]], volume: float, horizon: int) -> str:
    """Title from (label, median payback, share never, share from day one) per challenger."""
    head = f"At {format_volume(volume)} queries/month, "
    if len(medians) == 1:
        label, p50, never, day_one = medians[0]
        if math.isinf(p50):
            return head + f"{label} does not pay back within {horizon} months {in_most_futures(never)}"
        if p50 == 0:
            return head + f"{label} is {day_one_words([day_one])}"
        text = head + f"{label} pays back in {format_months(p50)} (median)"
        if never > 0:
            text += f"; {format_share(never)} of futures never do within {horizon} months"
        return text
    finite = [f"{format_months(p50)} for {label}" for label, p50, _, _ in medians if 0 < p50 < math.inf]
    day_one = [label for label, p50, _, _ in medians if p50 == 0]
    shares = [share for _, p50, _, share in medians if p50 == 0] or [0.0]
    never = [label for label, p50, _, _ in medians if math.isinf(p50)]
    # "in any future" where none of those pays back at all (the chart then says "No future pays back")
    where = "in any future" if all(share >= 1 for _, p50, share, _ in medians if math.isinf(p50)) \
        else "in most futures"
    lead = "median payback is " + ", ".join(finite) if finite else None
    return head + payback_clauses(lead, day_one, day_one_words(shares),
                                  never, f"not pay back within {horizon} months {where}")


def payback_empty(shares: Sequence[tuple[float, float]], horizon: int) -> str:
    """Why the payback axis has nothing to draw (every future pays back in month 0 or never
    within the horizon), or ""; ``shares`` are (share never, share from day one)."""
    full = 1 - 1e-9
    if any(never + day_one < full for never, day_one in shares):
        return ""
    if all(day_one >= full for _, day_one in shares):
        return f"Every future is {DAY_ONE}: nothing to show on a payback axis"
    if all(never >= full for never, _ in shares):
        return f"No future pays back within {horizon} months: nothing to show on a payback axis"
    return (f"Every future is either {DAY_ONE} or does not pay back within "
            f"{horizon} months: nothing to show on a payback axis")


# --- the drawing --------------------------------------------------------------------------------


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
        :func:`~ftrag_mc.analysis.marks.attach_marks` of
        :func:`ftrag_mc.analysis.compute_payback_histogram` (``strategy``, ``label``,
        ``bin_low``, ``bin_high`` in months, ``share`` of all futures) and
        :func:`ftrag_mc.analysis.compute_payback` (``p10``, ``p50``, ``p90``: 0 = cheaper from day
        one, inf = not within the horizon; ``share_immediate``, ``share_never``,
        ``share_at_median``; ``queries_per_month`` and ``horizon_months``, else ``info``'s).
    info
        The run.
    ax
        Draw onto this axes.

    Returns
    -------
    fig : Figure
    ax : Axes
        One step histogram per challenger (1-month bins) on one axes, with P10/P50/P90 bars;
        the title is :func:`payback_finding`.
    """
    data = _read(frame, info)
    single = len(data.bars) == 1
    empty = payback_empty([(b.never, b.day_one) for b in data.bars], data.horizon)
    with house_style():
        fig, axes, created = make_figure(ax)
        if empty:  # nothing on a payback axis: a band holding the title and the sentence
            shrink_to_sentence(fig, created)
        a = axes[0]
        month_ticks(a, data.horizon)
        a.set_xlabel(f"Payback (months from start, at {format_volume(data.volume)} queries/month)")
        floor = histogram_axis(a, max(float(b.pct.max()) for b in data.bars), len(data.bars),
                               "Share of futures (% per 1-month bin)")
        room = Clearance(a)
        entries = [_draw_bar(a, room, b, data, info, single=single) for b in data.bars]
        finish(fig, axes, created=created, finding=_finding(data, info),
               subtitles=[chart_subtitle(info, "month from which the cumulative saving against "
                                               f"{baseline_label(info)} is positive")],
               footnote=chart_footnote(info, "" if empty else PERCENTILE_NOTE, data.hidden, "payback.csv"))
        settle(fig)
        if empty:
            nothing_to_show(a, empty)
            return fig, a
        room.measure()
        percentile_strips(a, room, [(b.strip, info.colour(b.strategy), "") for b in data.bars],
                          0.0, float(data.horizon), data.fmt)
        draw_legend(a, room, top=floor, variants=list(zip(*entries)))
    return fig, a


def _draw_bar(a: Axes, room: Clearance, b: _Bar, data: _Payback, info: RunInfo, *,
              single: bool) -> tuple[str, ...]:
    """One challenger's histogram (filled when it is alone); its legend entry's wordings."""
    look, label = look_of(info, b.strategy), strategy_label(info, data.histogram, b.strategy)
    shares = [] if b.never == 0 else [f"{format_share(b.never)} not within {data.horizon} months"]
    if b.day_one > 0:
        shares.append(f"{format_share(b.day_one)} {DAY_ONE}")
    entry = share_entries(label, shares)
    a.stairs(b.pct, b.edges, color=look.colour, lw=2.6, zorder=3, label=entry[0],
             fill=single, facecolor=tint(look.colour, 0.65) if single else None,
             edgecolor=look.colour, ls=look.linestyle)
    # A filled histogram: its inside is taken too.
    record_histogram(room, b.edges, b.pct, inside=3.0 if single else None)
    return entry
