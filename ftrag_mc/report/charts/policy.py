"""A trigger search (``policy.png``): the expected saving against the trigger, and when the switch happens.

On top, the expected saving against the baseline for each candidate trigger with its 95 % band
(1.96 paired standard errors), the best policy marked, the triggers within Monte Carlo error of it
shaded and the two static policies (commit now, never switch) as reference lines; below, the share
of futures that have decided to switch by a few months. Every number drawn is a column of
``policy.csv`` (:func:`ftrag_mc.analysis.policy.compute_policy`).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import FigureBase

from ftrag_mc.report.charts.canvas import (
    BAND_ALPHA, callers_axes, callers_figure, chart_subtitle, finish, money, notes_footnote, require_columns, settle,
)
from ftrag_mc.report.charts.placement import Clearance, annotate, draw_legend
from ftrag_mc.report.policy_words import trigger_words
from ftrag_mc.report.style import (
    FIGSIZE_IN, INK, MUTED, RunInfo, apply_house_style, escape, house_style, percent_formatter,
    tint, usd_formatter, volume_formatter, volume_minor_formatter, wrap,
)

__all__ = ["plot_policy", "policy_finding", "policy_run_info"]

_COLUMNS = ("policy", "start", "switch_to", "trigger_kind", "volume_above_queries_per_month", "month",
            "expected_npc_usd", "expected_saving_usd", "expected_saving_low_usd", "expected_saving_high_usd",
            "p_switch", "within_error_of_best", "best")
BAND_NOTE = "band: ± 1.96 paired standard errors (Monte Carlo error); every trigger priced on the same futures"
_BY_MONTH_DASHES: list[object] = [(0, (1.5, 1.5)), (0, (5, 2)), (0, (5, 2, 1.5, 2)), "-"]


def policy_run_info(result) -> RunInfo:
    """The :class:`RunInfo` of a search (its futures, seed and sampler; the scenario's labels and colours)."""
    from ftrag_mc._version import __version__

    scenario = result.scenario
    return RunInfo(scenario=scenario.name, title=scenario.title, strategies=tuple(scenario.strategies),
                   labels={s: scenario.label(s) for s in scenario.strategies}, baseline=scenario.baseline,
                   samples=result.samples, seed=result.seed, sampler=result.sampler, version=__version__,
                   currency=scenario.meta.currency, overrides=tuple(scenario.overrides),
                   queries_per_month=result.queries_per_month, horizon_months=result.horizon_months)


def policy_finding(frame: pd.DataFrame, info: RunInfo) -> str:
    """The chart's title: which policy is best and what waiting is worth against the better static one."""
    require_columns(frame, _COLUMNS, "policy frame")
    best = frame[frame["best"]].iloc[0]
    start, switch = (info.labels.get(s, s) for s in (best["start"], best["switch_to"]))
    statics = frame[frame["policy"] != "trigger"]
    static = statics.loc[statics["expected_npc_usd"].idxmin()]
    if best["policy"] == "never switch":
        return f"Stay on {start}: no trigger for {switch} beats never switching"
    if best["policy"] == "commit now":
        return f"Commit to {switch} now: waiting on a trigger is worth nothing here"
    worth = float(static["expected_npc_usd"] - best["expected_npc_usd"])
    than = "committing now" if static["policy"] == "commit now" else f"staying on {start}"
    return f"Switch to {switch} {trigger_words(best, short=True)}: worth {money(worth, info)} more than {than}"


def plot_policy(frame: pd.DataFrame, info: RunInfo, *, ax: Axes | None = None, fig: FigureBase | None = None):
    """Expected saving against the trigger (top) and the share of futures switched by month m (below).

    Parameters
    ----------
    frame
        ``policy.csv``: the trigger rows, then the "commit now" and "never switch" rows.
    info
        :func:`policy_run_info`: labels, colours, currency and the footnote's run.
    ax
        Draw the saving panel alone onto this axes (its title gets the finding).
    fig
        Draw both panels into this empty Figure or SubFigure; default a new ~10 x 8.5 in figure.

    Returns
    -------
    fig, axes
        ``axes``: the two panels (saving, switched), or the caller's ``ax``; the title is
        :func:`policy_finding`.
    """
    require_columns(frame, _COLUMNS, "policy frame")
    triggers = frame[frame["policy"] == "trigger"]
    if triggers.empty:
        raise ValueError("the policy frame has no trigger rows")
    if ax is not None and fig is None:
        with house_style():
            a = callers_axes(ax)
            place = _draw_saving(a, frame, info)
            figure = a.get_figure(root=True)
            finish(figure, [a], created=False, finding=policy_finding(frame, info), subtitles=[],
                   footnote=notes_footnote(info, BAND_NOTE))
            settle(figure)
            place()
        return figure, a
    with house_style():
        if fig is None:
            fig = plt.figure(figsize=(FIGSIZE_IN[0], FIGSIZE_IN[1] + 2.5), layout="constrained")
        top, bottom = callers_figure(fig, ax).subplots(2, 1, sharex=True, height_ratios=(3, 2))
        apply_house_style(fig)
        place = _draw_saving(top, frame, info)
        _draw_switched(bottom, triggers, info)
        baseline = info.labels.get(info.baseline, info.baseline)
        subtitles = [chart_subtitle(info, f"expected saving against {baseline} over {info.horizon_months} months, "
                                          "by trigger"), "when the switch is decided"]
        finish(fig, [top, bottom], created=True, finding=policy_finding(frame, info), subtitles=subtitles,
               footnote=notes_footnote(info, BAND_NOTE))
        settle(fig)
        place()
    return fig, np.array([top, bottom], dtype=object)


def _x(rows: pd.DataFrame) -> tuple[str, np.ndarray]:
    kind = rows["trigger_kind"].iloc[0]
    return kind, rows["month" if kind == "month" else "volume_above_queries_per_month"].to_numpy(float)


def _draw_saving(ax, frame: pd.DataFrame, info: RunInfo) -> Callable[[], None]:
    """The saving panel's curve, band and reference lines; returns what places the best trigger's
    label and the legend where they cover nothing, to call once the layout has run."""
    triggers = frame[frame["policy"] == "trigger"]
    best = frame[frame["best"]].iloc[0]
    start, switch = str(best["start"]), str(best["switch_to"])
    kind, x = _x(triggers)
    if kind == "volume":
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(volume_formatter())
        ax.xaxis.set_minor_formatter(volume_minor_formatter())  # a grid within a decade: 30k, 40k, 60k
    good = triggers[triggers["within_error_of_best"]]
    if len(good) > 1:
        ax.axvspan(_x(good)[1].min(), _x(good)[1].max(), color=tint(INK, 0.9), lw=0, zorder=0,
                   label="within Monte Carlo error of the best")
    ax.fill_between(x, triggers["expected_saving_low_usd"], triggers["expected_saving_high_usd"], color=INK,
                    alpha=BAND_ALPHA, lw=0)
    ax.plot(x, triggers["expected_saving_usd"], color=INK, lw=2.4, marker="o", ms=3, zorder=4,
            label=f"start on {info.label(start)}, switch to {info.label(switch)} at the trigger")
    for policy, strategy in (("commit now", switch), ("never switch", start)):
        value = float(frame.loc[frame["policy"] == policy, "expected_saving_usd"].iloc[0])
        ax.axhline(value, color=info.colour(strategy), lw=1.6, ls=(0, (5, 3)), zorder=3,
                   label=escape(f"{policy}: {money(value, info)}"))
    mark = None
    if best["policy"] == "trigger":
        bx = float(best["month"] if kind == "month" else best["volume_above_queries_per_month"])
        y = float(best["expected_saving_usd"])
        ax.plot([bx], [y], marker="o", ms=11, mfc=info.colour(switch), mec="white", mew=1.5, zorder=6)
        mark = (bx, y, escape(f"best: {trigger_words(best, short=True)}\nsaves {money(y, info)}"))
    ax.yaxis.set_major_formatter(usd_formatter(info.currency))
    ax.set_ylabel(f"Expected saving vs {info.label(info.baseline)} ({info.currency})")
    ax.axhline(0, color=MUTED, lw=0.8, zorder=1)
    room = Clearance(ax)

    def place() -> None:
        # The curve, its band and the reference lines as they are drawn (limits final by now).
        room.add_line(x, triggers["expected_saving_usd"].to_numpy(float), weight=5)
        for column in ("expected_saving_low_usd", "expected_saving_high_usd"):
            room.add_line(x, triggers[column].to_numpy(float), weight=2)
        for value in [0.0, *frame.loc[frame["policy"] != "trigger", "expected_saving_usd"].astype(float)]:
            room.add_line(ax.get_xlim(), [value, value], weight=2)
        room.measure()
        # The legend first (the larger box; the policy's entry on one line, or wrapped, whichever
        # covers less), then the best trigger's label where room is left.
        labels = ax.get_legend_handles_labels()[1]
        draw_legend(ax, room, variants=[labels, [wrap(t, 40) for t in labels]])
        if mark is not None:
            annotate(ax, room, *mark, arrowprops=dict(arrowstyle="-", color="#9A9A9A", lw=0.8, shrinkA=0, shrinkB=7))

    return place


def _draw_switched(ax, triggers: pd.DataFrame, info: RunInfo) -> None:
    kind, x = _x(triggers)
    horizon = int(info.horizon_months or 0)
    months = [m for m in (6, 12, 24, 36) if m < horizon and f"p_switch_by_month_{m}" in triggers.columns]
    switch = str(triggers["switch_to"].iloc[0])
    colour = info.colour(switch)
    for i, m in enumerate(months):
        ax.plot(x, triggers[f"p_switch_by_month_{m}"], color=tint(colour, 0.55 - 0.12 * i), lw=2,
                ls=_BY_MONTH_DASHES[i % len(_BY_MONTH_DASHES)], label=f"by month {m}")
    ax.plot(x, triggers["p_switch"], color=colour, lw=2.6, label=f"within the horizon ({horizon} months)")
    ax.set_ylim(-0.02, 1.02)
    ax.yaxis.set_major_formatter(percent_formatter())
    ax.set_ylabel("Futures that switched (%)")
    ax.set_xlabel("Switch once monthly volume exceeds (queries/month, log scale)" if kind == "volume" else
                  "Switch at the start of month")
    ax.legend(loc="best", fontsize=10, frameon=True, facecolor="white", edgecolor="none", framealpha=0.9,
              title="switch decided", title_fontsize=10)
