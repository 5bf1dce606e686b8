"""Charts of :mod:`ftrag_mc.analysis.charts_extra`: ΔNPC histogram, cumulative cost fan, cost breakdown.

Each ``plot_*`` draws a frame it is given and returns ``(fig, ax)`` (or ``(fig, axes)`` for one
panel per challenger) without saving, in the house style of :mod:`ftrag_mc.report.plots`. Every
number written on a chart comes from the frame; text from the scenario is escaped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ftrag_mc.model.components import COLOURS
from ftrag_mc.model.components import LABELS as COMPONENT_LABELS
from ftrag_mc.report.layout import (
    chart_subtitle, finish, make_figure, nothing_to_show, require_columns, returned, settle, shorten,
)
from ftrag_mc.report.style import (
    INK, MUTED, SMALL_FONT_PT, RunInfo, escape, format_months, format_percent, format_share, format_usd,
    format_volume, house_style, percent_formatter, tint, usd_formatter,
)

__all__ = ["plot_delta_distribution", "plot_fan", "plot_breakdown", "COMPONENT_COLOURS"]

_DIST_COLUMNS = ("strategy", "label", "horizon_months", "queries_per_month", "bin_low_usd", "bin_high_usd",
                 "share")
_MARK_COLUMNS = ("strategy", "horizon_months", "p_loss", "mean_delta_usd", "cvar95_delta_usd")
_FAN_COLUMNS = ("strategy", "label", "month", "queries_per_month", "p5_usd", "p10_usd", "p50_usd", "p90_usd",
                "p95_usd", "samples", "seed")
_BREAKDOWN_COLUMNS = ("strategy", "label", "component", "horizon_months", "queries_per_month", "mean_usd",
                      "share_of_mean", "total_mean_usd", "samples", "seed")

LOSS_COLOUR = "#d55e00"  # vermillion: the futures in which the challenger costs more
#: One colour per cost component, in stacking order, the same in every breakdown (the registry's).
COMPONENT_COLOURS: dict[str, str] = COLOURS
_MIN_LABEL_SHARE = 0.06  # a segment narrower than this share of the widest bar gets no label


def _money(x: float, info: RunInfo) -> str:
    return format_usd(x, info.currency)


def _footnote(info: RunInfo, *parts: str) -> str:
    return escape(info.footnote(" · ".join(p for p in parts if p)))


def _own_run(frame: pd.DataFrame) -> str:
    return (f"its own keep-samples run of {int(frame['samples'].iloc[0]):,} futures, seed "
            f"{int(frame['seed'].iloc[0])} (not the main run)")


# --- 1. ΔNPC distribution ----------------------------------------------------------------------


def _delta_finding(strategy: str, mark: pd.Series, info: RunInfo, horizon: int) -> str:
    who, mean, p_loss = info.label(strategy), float(mark["mean_delta_usd"]), float(mark["p_loss"])
    if mean < 0 and p_loss == 0:
        return f"{who} saves {_money(-mean, info)} on average over {horizon} months and costs less in every future"
    if mean < 0:
        return (f"{who} saves {_money(-mean, info)} on average over {horizon} months, "
                f"but costs more in {format_percent(p_loss)} of futures")
    return f"{who} costs {_money(mean, info)} more on average over {horizon} months; it loses in {format_percent(p_loss)} of futures"


def plot_delta_distribution(frame: pd.DataFrame, info: RunInfo, *,
                            ax: Axes | None = None) -> tuple[Figure, Axes | np.ndarray]:
    """Histogram of ΔNPC per challenger, P(loss) shaded, expected ΔNPC and CVaR95 marked.

    Parameters
    ----------
    frame
        :func:`~ftrag_mc.analysis.charts_extra.attach_marks` of
        :func:`~ftrag_mc.analysis.charts_extra.compute_delta_distribution` (one horizon) and
        :func:`~ftrag_mc.analysis.charts_extra.compute_delta_marks`: the bins, and each
        challenger's P(loss), mean and CVaR95 (``p_loss``, ``mean_delta_usd``, ``cvar95_delta_usd``).
    info
        The run; the main challenger's panel comes first and gives the title.
    ax
        Draw onto this axes (the frame must then hold one challenger).

    Returns
    -------
    fig, ax — or an array of axes, one panel per challenger, for a new figure.
    """
    require_columns(frame, (*_DIST_COLUMNS, *_MARK_COLUMNS), "ΔNPC distribution frame")
    summary_rows = frame.drop_duplicates(["strategy", "horizon_months"])
    frame = frame.dropna(subset=["share"])
    horizon = int(frame["horizon_months"].iloc[0])
    if frame["horizon_months"].nunique() != 1:
        raise ValueError("the ΔNPC distribution frame must hold one horizon")
    strategies = info.main_first([s for s in info.challengers if s in set(frame["strategy"])])
    if not strategies:
        raise ValueError(f"nothing to plot: no challenger of {info.scenario!r} in the frame")
    if ax is not None and len(strategies) > 1:
        raise ValueError(f"one axes draws one challenger; filter the frame to one of {strategies}")
    marks = summary_rows[summary_rows["horizon_months"] == horizon].set_index("strategy")
    missing = [s for s in strategies if s not in marks.index]
    if missing:
        raise ValueError(f"summary rows lack {missing} at {horizon} months")
    volume = float(frame["queries_per_month"].iloc[0])

    with house_style():
        fig, axes, created = make_figure(ax, ncols=len(strategies))
        single = []  # panels where every future gives one ΔNPC (constant inputs): a sentence
        for a, s in zip(axes, strategies):
            rows, mark = frame[frame["strategy"] == s], marks.loc[s]
            if float(rows["share"].max()) >= 1 - 1e-9:
                single.append((a, f"Every future gives the same ΔNPC for {info.label(s)}: "
                                  f"{_money(float(mark['mean_delta_usd']), info)} (nothing varies, so "
                                  "there is no distribution to show)"))
            low, high = rows["bin_low_usd"].to_numpy(), rows["bin_high_usd"].to_numpy()
            loss = low >= 0.0
            colours = np.where(loss, LOSS_COLOUR, info.colour(s))
            a.bar(low, rows["share"], width=high - low, align="edge", color=colours, edgecolor="white",
                  lw=0.4, zorder=3)
            x_lo, x_hi = float(low.min()), float(high.max())
            if x_hi > 0:
                a.axvspan(max(0.0, x_lo), x_hi, color=tint(LOSS_COLOUR, 0.85), zorder=1, lw=0)
            if x_lo < 0 < x_hi:
                a.axvline(0.0, color="#666666", lw=1.1, zorder=2)
            mean, cvar = float(mark["mean_delta_usd"]), float(mark["cvar95_delta_usd"])
            a.axvline(mean, color=INK, lw=1.8, zorder=4)
            a.axvline(cvar, color=INK, lw=1.5, ls=(0, (4, 3)), zorder=4)
            top = float(rows["share"].max())
            for x, text, y in ((mean, f"expected: {_money(mean, info)}", 1.02),
                               (cvar, f"CVaR95: {_money(cvar, info)}", 0.92)):
                inside = x_lo <= x <= x_hi
                # Near the right end the label goes left of its line, inside the axes.
                right = x > x_lo + 0.75 * (x_hi - x_lo)
                a.annotate(escape(text), xy=(min(max(x, x_lo), x_hi), top * y), xytext=(-4 if right else 4, 0),
                           textcoords="offset points", ha="right" if right else "left", va="bottom",
                           fontsize=SMALL_FONT_PT,
                           color=INK if inside else MUTED, zorder=6, annotation_clip=False)
            a.set_ylim(0, top * 1.18)
            a.xaxis.set_major_formatter(usd_formatter(info.currency))
            a.yaxis.set_major_formatter(percent_formatter(decimals=1))
            a.set_xlabel(escape(f"ΔNPC vs {info.label(info.baseline)} ({info.currency}, negative = saving)"))
            a.set_ylabel("Share of all futures per bin")
            a.legend(handles=[
                Patch(color=info.colour(s), label="saving (ΔNPC < 0)"),
                Patch(color=LOSS_COLOUR, label=escape(f"costs more: P(loss) = {format_percent(float(mark['p_loss']))}")),
                Line2D([], [], color=INK, lw=1.8, label="expected ΔNPC (mean)"),
                Line2D([], [], color=INK, lw=1.5, ls=(0, (4, 3)), label="CVaR95: mean of the worst 5 %"),
            ], loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=SMALL_FONT_PT)
            # Under the axes: inside, it covered the bars or the marks' labels wherever it went.
        first = strategies[0]
        subtitles = [chart_subtitle(info, f"{info.label(s)} vs {info.label(info.baseline)}, {horizon} months from "
                                     f"{format_volume(volume)} queries/month") for s in strategies]
        finish(fig, axes, created=created, finding=escape(_delta_finding(first, marks.loc[first], info, horizon)),
                subtitles=subtitles,
                footnote=_footnote(info, "bars: P1-P99 of ΔNPC from the run's histogram",
                                   "marks: the summary table's figures"))
        if single:
            settle(fig)
            for a, sentence in single:
                nothing_to_show(a, sentence)
    return returned(fig, axes)


_FAN_MAX = 6  # strategies drawn on the fan chart

# --- 2. cumulative cost fan ---------------------------------------------------------------------


def plot_fan(frame: pd.DataFrame, info: RunInfo, *, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Cumulative discounted cost per strategy by month: median line, P10-P90 band, P5-P95 lighter.

    Parameters
    ----------
    frame
        From :func:`ftrag_mc.analysis.charts_extra.compute_fan`.
    info
        The run (colours, labels, currency).
    ax
        Draw onto this axes instead of a new figure.

    Returns
    -------
    fig, ax
    """
    require_columns(frame, _FAN_COLUMNS, "fan frame")
    present = [s for s in info.strategies if s in set(frame["strategy"])]
    # Overlapping bands stop being readable past a few: the baseline and the cheapest others.
    final = frame[frame["month"] == frame["month"].max()].set_index("strategy")["p50_usd"]
    others = sorted((s for s in present if s != info.baseline), key=lambda s: float(final[s]))
    strategies = ([info.baseline] if info.baseline in present else []) + others[:_FAN_MAX - 1]
    strategies = [s for s in present if s in strategies]
    hidden = len(present) - len(strategies)
    with house_style():
        fig, axes, created = make_figure(ax)
        a = axes[0]
        for s in strategies:
            rows = frame[frame["strategy"] == s].sort_values("month")
            colour, m = info.colour(s), rows["month"].to_numpy()
            a.fill_between(m, rows["p5_usd"], rows["p95_usd"], color=colour, alpha=0.12, lw=0, zorder=2)
            a.fill_between(m, rows["p10_usd"], rows["p90_usd"], color=colour, alpha=0.25, lw=0, zorder=2)
            a.plot(m, rows["p50_usd"], color=colour, lw=2.6, zorder=3, label=shorten(info.label(s)))
        a.set_xlim(0, int(frame["month"].max()))
        if float(frame["p5_usd"].min()) >= 0:
            a.set_ylim(bottom=0)
        a.xaxis.set_major_formatter(lambda x, _pos: f"{x:g}")
        a.set_xlabel("Months from the start")
        a.yaxis.set_major_formatter(usd_formatter(info.currency))
        a.set_ylabel(escape(f"Cumulative discounted cost ({info.currency})"))
        handles, _ = a.get_legend_handles_labels()
        handles += [Patch(color="#888888", alpha=0.45, label="P10-P90"),
                    Patch(color="#888888", alpha=0.18, label="P5-P95")]
        a.legend(handles=handles, loc="best", fontsize=SMALL_FONT_PT)  # wherever it covers the fewest paths
        last = frame[frame["month"] == frame["month"].max()].set_index("strategy").loc[strategies]
        cheapest = str(last["p50_usd"].idxmin())
        horizon, volume = int(last["month"].iloc[0]), float(frame["queries_per_month"].iloc[0])
        finding = (f"{info.label(cheapest)} has the lowest median cumulative cost after {format_months(horizon)}: "
                   f"{_money(float(last.loc[cheapest, 'p50_usd']), info)} (P10-P90 "
                   f"{_money(float(last.loc[cheapest, 'p10_usd']), info)} to "
                   f"{_money(float(last.loc[cheapest, 'p90_usd']), info)})")
        finish(fig, [a], created=created, finding=escape(finding),
                subtitles=[escape(chart_subtitle(info, f"cost paths at {format_volume(volume)} queries/month"))],
                footnote=_footnote(info, "line: median; bands: P10-P90 and P5-P95",
                                   f"percentiles from {_own_run(frame)}",
                                   f"{hidden} more strategies with higher median costs in fan.csv" if hidden else ""))
    return fig, a


# --- 3. cost breakdown --------------------------------------------------------------------------


def plot_breakdown(frame: pd.DataFrame, info: RunInfo, *, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Each strategy's mean net present cost as a horizontal bar stacked by cost component.

    Parameters
    ----------
    frame
        From :func:`ftrag_mc.analysis.charts_extra.compute_breakdown`.
    info
        The run.
    ax
        Draw onto this axes instead of a new figure.

    Returns
    -------
    fig, ax
    """
    require_columns(frame, _BREAKDOWN_COLUMNS, "breakdown frame")
    strategies = [s for s in info.strategies if s in set(frame["strategy"])]
    components = [c for c in COMPONENT_COLOURS if c in set(frame["component"])]
    widest = float(frame.groupby("strategy")["mean_usd"].apply(lambda v: v.abs().sum()).max()) or 1.0
    with house_style():
        fig, axes, created = make_figure(ax)
        if created:  # a bar per strategy: taller for many
            width, height = fig.get_size_inches()
            fig.set_size_inches(width, max(height, 2.5 + 0.45 * len(strategies)))
        a = axes[0]
        y = np.arange(len(strategies))[::-1].astype(float)
        # A share label goes inside its segment only where it fits (the axes' width in points,
        # less the room the labels and legend beside it will take).
        usd_per_pt = widest * 1.12 / max(0.6 * a.get_position().width * fig.get_figwidth() * 72, 1.0)
        for yi, s in zip(y, strategies):
            rows = frame[frame["strategy"] == s].set_index("component")
            right = left = 0.0
            for c in components:
                if c not in rows.index:
                    continue
                value = float(rows.loc[c, "mean_usd"])
                start = right if value >= 0 else left + value
                a.barh(yi, abs(value), left=start, height=0.6, color=COMPONENT_COLOURS[c], edgecolor="white",
                       lw=0.8, zorder=3)
                share = format_share(float(rows.loc[c, "share_of_mean"]))
                fits = abs(value) >= (len(share) * 0.6 * SMALL_FONT_PT + 8) * usd_per_pt
                if abs(value) >= _MIN_LABEL_SHARE * widest and fits:
                    a.text(start + abs(value) / 2, yi, share,
                           ha="center", va="center", fontsize=SMALL_FONT_PT, color=INK, zorder=4)
                right, left = (right + value, left) if value >= 0 else (right, left + value)
            total = float(rows["total_mean_usd"].iloc[0])
            a.annotate(escape(_money(total, info)), xy=(max(right, 0.0), yi), xytext=(6, 0),
                       textcoords="offset points", ha="left", va="center", fontsize=SMALL_FONT_PT, color=INK)
        a.set_yticks(y, [shorten(info.label(s)) for s in strategies])
        a.grid(False, axis="y")
        a.set_xlim(right=a.get_xlim()[1] * 1.12)
        a.xaxis.set_major_formatter(usd_formatter(info.currency))
        horizon, volume = int(frame["horizon_months"].iloc[0]), float(frame["queries_per_month"].iloc[0])
        a.set_xlabel(escape(f"Mean net present cost over {format_months(horizon)} ({info.currency})"))
        a.legend(handles=[Patch(color=COMPONENT_COLOURS[c], label=escape(COMPONENT_LABELS[c])) for c in components],
                 loc="center left", bbox_to_anchor=(1.01, 0.5), title="Component", alignment="left",
                 fontsize=SMALL_FONT_PT)
        # The main question's challenger speaks for the chart; else the largest single cost.
        own = frame[frame["strategy"] == info.main_challenger]
        top = (own if len(own) else frame).loc[lambda f: f["mean_usd"].idxmax()]
        what = COMPONENT_LABELS[str(top["component"])]  # "LLM calls" keeps its capitals
        who = info.label(str(top["strategy"]))
        finding = (f"For {who}, the largest cost is {what}: {format_share(float(top['share_of_mean']))} of its "
                   f"{_money(float(top['total_mean_usd']), info)}" if len(own) else
                   f"{what[:1].upper() + what[1:]} is the largest cost: "
                   f"{format_share(float(top['share_of_mean']))} of {who}'s {_money(float(top['total_mean_usd']), info)}")
        finish(fig, [a], created=created, finding=escape(finding),
                subtitles=[escape(chart_subtitle(info, f"{format_months(horizon)} at {format_volume(volume)} "
                                                  "queries/month"))],
                footnote=_footnote(info, "labels: share of the strategy's mean NPC",
                                   f"means over {_own_run(frame)}"))
    return fig, a
