"""Each strategy's mean net present cost as a horizontal bar stacked by cost component
(``breakdown.png``), each component in its registry colour, its share written where it fits.

Components too small to see (under :data:`VISIBLE_SHARE` of the longest bar) are folded into one
"smaller items" segment per strategy and named in the footnote, so that every legend entry has a
bar one can see; the title says when one component is most of every strategy's cost, and so what
the decision hangs on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory, offset_copy

from ftrag_mc.model.components import COLOURS, HINGES_ON
from ftrag_mc.model.components import LABELS as COMPONENT_LABELS
from ftrag_mc.report.charts.canvas import (
    chart_subtitle, finish, kept_run_note, make_figure, money, notes_footnote, require_columns,
)
from ftrag_mc.report.charts.inputs import wrap_label
from ftrag_mc.report.charts.labels import shorten
from ftrag_mc.report.findings import join_and
from ftrag_mc.report.numbers import format_months, format_share, format_volume
from ftrag_mc.report.style import INK, SMALL_FONT_PT, RunInfo, escape, house_style, usd_formatter

__all__ = ["COMPONENT_COLOURS", "SMALLER", "VISIBLE_SHARE", "breakdown_finding", "breakdown_segments",
           "plot_breakdown", "segment_label"]

_BREAKDOWN_COLUMNS = ("strategy", "label", "component", "horizon_months", "queries_per_month", "mean_usd",
                      "share_of_mean", "total_mean_usd", "samples", "seed")

#: One colour per cost component, in stacking order, the same in every breakdown (the registry's).
COMPONENT_COLOURS: dict[str, str] = COLOURS
_MIN_LABEL_SHARE = 0.06  # a segment narrower than this share of the widest bar gets no label

#: A component under this share of the longest bar would be a sliver no one sees: it is folded
#: into its strategy's "smaller items" segment (and named in the footnote).
VISIBLE_SHARE = 0.01
SMALLER = "smaller items"
_SMALLER_COLOUR = "#d9d9d9"
_DOMINANT = 0.5  # a component above this share of every strategy's cost is what the decision hangs on
_TOKEN_PRICES_MINOR = 0.1  # LLM calls under this share everywhere: "not token prices"


# --- the numbers drawn (pure) ---------------------------------------------------------------------


def breakdown_segments(frame: pd.DataFrame, info: RunInfo) -> pd.DataFrame:
    """The segments of each strategy's bar, in stacking order: every component at least
    :data:`VISIBLE_SHARE` of the longest bar, then the rest folded into one :data:`SMALLER` segment.

    Returns
    -------
    DataFrame with columns strategy, segment (a component, or :data:`SMALLER`), value_usd (mean
    NPC), share (of the strategy's mean total), visible (whether the segment is at least
    :data:`VISIBLE_SHARE` of the longest bar) and folded (the components in :data:`SMALLER`).
    """
    require_columns(frame, _BREAKDOWN_COLUMNS, "breakdown frame")
    widest = float(frame.groupby("strategy")["mean_usd"].apply(lambda v: v.abs().sum()).max()) or 1.0
    rows = []
    for s in [s for s in info.strategies if s in set(frame["strategy"])]:
        own = frame[frame["strategy"] == s].set_index("component")
        total = float(own["total_mean_usd"].iloc[0])
        small = [c for c in COMPONENT_COLOURS if c in own.index
                 and abs(float(own.loc[c, "mean_usd"])) < VISIBLE_SHARE * widest]
        for c in (c for c in COMPONENT_COLOURS if c in own.index and c not in small):
            rows.append({"strategy": s, "segment": c, "value_usd": float(own.loc[c, "mean_usd"]),
                         "share": float(own.loc[c, "share_of_mean"]), "folded": ()})
        if small:
            value = float(own.loc[small, "mean_usd"].sum())
            rows.append({"strategy": s, "segment": SMALLER, "value_usd": value,
                         "share": value / total if total else 0.0, "folded": tuple(small)})
    segments = pd.DataFrame(rows, columns=["strategy", "segment", "value_usd", "share", "folded"])
    segments["visible"] = segments["value_usd"].abs() >= VISIBLE_SHARE * widest
    return segments


def segment_label(segment: str, info: RunInfo) -> str:
    """A segment in words: the registry's label, and what the components made of other strategies
    mean ("interim": before launch, the strategy that serves meanwhile)."""
    if segment == SMALLER:
        return f"{SMALLER} (each under {format_share(VISIBLE_SHARE)}: see below)"
    if segment == "interim":
        serving = set(info.interims.values())
        who = shorten(info.label(serving.pop())) if len(serving) == 1 else "the interim strategy"
        return f"before launch: {who} serves"
    words = {"successor": "after end of life: the successor serves", "quality": "quality (cost of errors)",
             "delay": "value forgone before launch", "migration": "migration to the successor"}
    return words.get(segment, COMPONENT_LABELS.get(segment, segment))


def breakdown_finding(frame: pd.DataFrame, info: RunInfo) -> str:
    """The chart's title: the component that is most of every strategy's cost and what the decision
    therefore hangs on; without one, the main question's challenger's largest cost and its share
    (without one in the frame, the largest single cost of any strategy).

    Parameters
    ----------
    frame, info
        As :func:`plot_breakdown`.
    """
    require_columns(frame, _BREAKDOWN_COLUMNS, "breakdown frame")
    dominant = _dominant(frame)
    if dominant:
        return dominant
    own = frame[frame["strategy"] == info.main_challenger]
    top = (own if len(own) else frame).loc[lambda f: f["mean_usd"].idxmax()]
    what = COMPONENT_LABELS[str(top["component"])]  # "LLM calls" keeps its capitals
    who = info.label(str(top["strategy"]))
    share, total = format_share(float(top["share_of_mean"])), money(float(top["total_mean_usd"]), info)
    if len(own):
        return f"For {who}, the largest cost is {what}: {share} of its {total}"
    return f"{what[:1].upper() + what[1:]} is the largest cost: {share} of {who}'s {total}"


def _dominant(frame: pd.DataFrame) -> str:
    """"Quality is 91–98 % of every strategy's cost: the decision hangs on the error-rate guesses"
    when one component is over half of every strategy's mean cost; "" otherwise."""
    tops = frame.loc[frame.groupby("strategy")["mean_usd"].idxmax()]
    if tops["component"].nunique() != 1 or float(tops["share_of_mean"].min()) <= _DOMINANT:
        return ""
    c = str(tops["component"].iloc[0])
    lo, hi = format_share(float(tops["share_of_mean"].min())), format_share(float(tops["share_of_mean"].max()))
    # "91–98 %"; an end said with a sign in words: "59 % to >99 %" (not "59–>99 %")
    plain = not (lo[:1] in "<>" or hi[:1] in "<>")
    shares = hi if lo == hi else f"{lo.removesuffix(' %')}–{hi}" if plain else f"{lo} to {hi}"
    label = COMPONENT_LABELS[c]
    every = "every strategy's cost" if len(tops) > 1 else "its cost"
    verb = "are" if label.endswith("s") else "is"  # "LLM calls are", "quality is"
    text = f"{label[:1].upper() + label[1:]} {verb} {shares} of {every}"
    if HINGES_ON.get(c):
        text += f": the decision hangs on {HINGES_ON[c]}"
        llm = frame[frame["component"] == "llm"]["share_of_mean"]
        if c != "llm" and len(llm) and float(llm.max()) < _TOKEN_PRICES_MINOR:
            most = format_share(float(llm.max()))
            text += f", not on token prices (LLM calls {'under 1 %' if most == '<1 %' else 'at most ' + most})"
    return text


def _folded_note(segments: pd.DataFrame, info: RunInfo) -> str:
    """The footnote's list of the components folded into "smaller items", per strategy."""
    folded = segments[segments["segment"] == SMALLER]
    if folded.empty:
        return ""
    said = {"interim": "the interim strategy before launch", "successor": "the successor after end of life",
            "delay": "the value forgone before launch"}
    parts = [f"{join_and([said.get(c, COMPONENT_LABELS[c]) for c in row.folded])} of {shorten(info.label(row.strategy))}"
             + ("" if row.visible else " (too small to draw)") for row in folded.itertuples()]
    if len(parts) > 4:
        parts = parts[:3] + [f"those of {len(parts) - 3} more strategies (breakdown.csv)"]
    return f"{SMALLER} (each under {format_share(VISIBLE_SHARE)} of the longest bar): " + "; ".join(parts)


# --- the drawing ----------------------------------------------------------------------------------


def plot_breakdown(frame: pd.DataFrame, info: RunInfo, *, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Each strategy's mean net present cost as a horizontal bar stacked by cost component.

    Parameters
    ----------
    frame
        From :func:`ftrag_mc.analysis.strategy_costs.compute_breakdown`.
    info
        The run.
    ax
        Draw onto this axes instead of a new figure.

    Returns
    -------
    fig, ax
        The title is :func:`breakdown_finding`; the segments are :func:`breakdown_segments`.
    """
    segments = breakdown_segments(frame, info)
    strategies = list(dict.fromkeys(segments["strategy"]))
    shown = [c for c in (*COMPONENT_COLOURS, SMALLER) if segments[(segments["segment"] == c) & segments["visible"]].size]
    with house_style():
        fig, axes, created = make_figure(ax)
        if created:  # a bar per strategy: taller for many
            width, height = fig.get_size_inches()
            fig.set_size_inches(width, max(height, 2.5 + 0.45 * len(strategies)))
        a = axes[0]
        y = np.arange(len(strategies))[::-1].astype(float)
        _draw_bars(a, segments, frame, info, strategies, y)
        a.set_yticks(y, [escape(wrap_label(info.label(s), 30, 2)) for s in strategies])
        a.grid(False, axis="y")
        a.set_xlim(right=a.get_xlim()[1] * 1.12)
        a.xaxis.set_major_formatter(usd_formatter(info.currency))
        horizon, volume = int(frame["horizon_months"].iloc[0]), float(frame["queries_per_month"].iloc[0])
        a.set_xlabel(escape(f"Mean net present cost over {format_months(horizon)} ({info.currency}; "
                            "shorter = cheaper)"))
        # Under the axis label (beside the bars it took a third of the width from them), in as many
        # columns as the longest entry lets fit across the figure.
        labels = [segment_label(c, info) for c in shown]
        per_column = max(len(t) for t in labels) * 0.6 * SMALL_FONT_PT / 72 + 0.7
        below = blended_transform_factory(a.transAxes, offset_copy(a.transAxes, fig=fig, y=-46, units="points"))
        a.legend(handles=[Patch(color=_colour(c), label=escape(t)) for c, t in zip(shown, labels)],
                 loc="upper center", bbox_to_anchor=(0.5, 0.0), bbox_transform=below, fontsize=SMALL_FONT_PT,
                 ncols=max(1, min(len(shown), 3, int((fig.get_figwidth() - 0.8) / per_column))))
        finish(fig, [a], created=created, finding=escape(breakdown_finding(frame, info)),
               subtitles=[escape(chart_subtitle(info, f"{format_months(horizon)} at {format_volume(volume)} "
                                                      "queries/month"))],
               footnote=notes_footnote(info, "labels: share of the strategy's mean NPC",
                                       _folded_note(segments, info), f"means over {kept_run_note(frame)}"))
    return fig, a


def _colour(segment: str) -> str:
    return _SMALLER_COLOUR if segment == SMALLER else COMPONENT_COLOURS[segment]


def _draw_bars(a: Axes, segments: pd.DataFrame, frame: pd.DataFrame, info: RunInfo, strategies: list[str],
               y: np.ndarray) -> None:
    """The stacked bars (negative segments to the left of zero), shares and totals."""
    widest = float(segments.groupby("strategy")["value_usd"].apply(lambda v: v.abs().sum()).max()) or 1.0
    fig = a.get_figure(root=True)
    # A share label goes inside its segment only where it fits (the axes' width in points,
    # less the room the labels and legend beside it will take).
    usd_per_pt = widest * 1.12 / max(0.6 * a.get_position().width * fig.get_figwidth() * 72, 1.0)
    for yi, s in zip(y, strategies):
        right = left = 0.0
        for row in segments[segments["strategy"] == s].itertuples():
            if row.segment == SMALLER and not row.visible:  # a sliver: named in the footnote instead
                continue
            value = row.value_usd
            start = right if value >= 0 else left + value
            a.barh(yi, abs(value), left=start, height=0.6, color=_colour(row.segment), edgecolor="white",
                   lw=0.8, zorder=3)
            share = format_share(row.share)
            fits = abs(value) >= (len(share) * 0.6 * SMALL_FONT_PT + 8) * usd_per_pt
            if abs(value) >= _MIN_LABEL_SHARE * widest and fits:
                a.text(start + abs(value) / 2, yi, share, ha="center", va="center", fontsize=SMALL_FONT_PT,
                       color=INK, zorder=4)
            right, left = (right + value, left) if value >= 0 else (right, left + value)
        total = float(frame.loc[frame["strategy"] == s, "total_mean_usd"].iloc[0])
        a.annotate(escape(money(total, info)), xy=(max(right, 0.0), yi), xytext=(6, 0),
                   textcoords="offset points", ha="left", va="center", fontsize=SMALL_FONT_PT, color=INK)
