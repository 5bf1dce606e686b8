"""The chart of a trigger search: expected saving against the trigger, and when the switch happens.

:func:`plot_policy` draws the frame of :func:`ftrag_mc.analysis.policy.compute_policy` (``policy.csv``)
and returns ``(fig, axes)`` without saving: on top, the expected saving against the baseline for
each trigger with its band (1.96 paired standard errors), the best policy marked, the triggers
within Monte Carlo error of it shaded and the two static policies (commit now, never switch) as
reference lines; below, the share of futures that have switched by a few months. The title is
:func:`~ftrag_mc.report.policy_words.policy_finding`. Every number drawn is a column of the frame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from ftrag_mc.report.layout import BAND_ALPHA, TEXT_STYLE, chart_subtitle, finish, require_columns, settle
from ftrag_mc.report.policy_words import policy_finding, trigger_words
from ftrag_mc.report.style import (
    FIGSIZE_IN, INK, MUTED, RunInfo, apply_house_style, escape, format_usd, house_style,
    percent_formatter, tint, usd_formatter, volume_formatter,
)

__all__ = ["plot_policy", "policy_finding", "policy_run_info"]

_COLUMNS = ("policy", "start", "switch_to", "baseline", "trigger_kind", "volume_above_queries_per_month", "month",
            "expected_saving_usd", "expected_saving_low_usd", "expected_saving_high_usd", "p_switch",
            "within_error_of_best", "best")
BAND_NOTE = "band: ± 1.96 paired standard errors (Monte Carlo error); every trigger priced on the same futures"
_BY_MONTH_DASHES: list[object] = [(0, (1.5, 1.5)), (0, (5, 2)), (0, (5, 2, 1.5, 2)), "-"]


def policy_run_info(result) -> RunInfo:
    """The :class:`RunInfo` of a search (footnote, labels and colours of its strategies)."""
    from ftrag_mc._version import __version__

    scenario = result.scenario
    return RunInfo(scenario=scenario.name, title=scenario.title, strategies=tuple(scenario.strategies),
                   labels={s: scenario.label(s) for s in scenario.strategies}, baseline=scenario.baseline,
                   samples=result.samples, seed=result.seed, sampler=result.sampler, version=__version__,
                   currency=scenario.meta.currency, overrides=tuple(scenario.overrides),
                   queries_per_month=result.queries_per_month, horizon_months=result.horizon_months)


def _x(frame: pd.DataFrame) -> tuple[str, np.ndarray]:
    kind = frame["trigger_kind"].iloc[0]
    column = "month" if kind == "month" else "volume_above_queries_per_month"
    return kind, frame[column].to_numpy(float)


def plot_policy(frame: pd.DataFrame, info: RunInfo, *, fig: Figure | None = None):
    """Expected saving against the trigger (top) and the share of futures switched by month m (below).

    Parameters
    ----------
    frame
        ``policy.csv``: the trigger rows, then the "commit now" and "never switch" rows.
    info
        :func:`policy_run_info`: labels, colours, currency and the footnote's run.
    fig
        Draw into this figure (cleared); default a new ~10 x 8 in figure.

    Returns
    -------
    fig : Figure
    axes : ndarray of two Axes (saving, switched)
    """
    require_columns(frame, _COLUMNS, "policy")
    triggers = frame[frame["policy"] == "trigger"]
    if triggers.empty:
        raise ValueError("the policy frame has no trigger rows")
    now, never = (frame[frame["policy"] == p].iloc[0] for p in ("commit now", "never switch"))
    best = frame[frame["best"]].iloc[0]
    kind, x = _x(triggers)
    start, switch = str(best["start"]), str(best["switch_to"])
    with house_style():
        if fig is None:
            fig = plt.figure(figsize=(FIGSIZE_IN[0], FIGSIZE_IN[1] + 2.5), layout="constrained")
        else:
            fig.clear()
        top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
        apply_house_style(fig)
        _draw_saving(top, triggers, now, never, best, x, kind, info, start, switch)
        _draw_switched(bottom, triggers, x, kind, info, switch)
        labels = {s: info.labels.get(s, s) for s in (start, switch)}
        subtitles = [chart_subtitle(info, f"expected saving against {info.labels.get(info.baseline, info.baseline)} over "
                                          f"{info.horizon_months} months, by trigger"),
                     "when the switch is decided"]
        finish(fig, [top, bottom], created=True, finding=policy_finding(frame, labels, info.currency),
               subtitles=subtitles, footnote=escape(info.footnote(BAND_NOTE)))
        settle(fig)
    return fig, np.array([top, bottom], dtype=object)


def _draw_saving(ax, triggers, now, never, best, x, kind, info: RunInfo, start: str, switch: str) -> None:
    saving = triggers["expected_saving_usd"].to_numpy(float)
    if kind == "volume":
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(volume_formatter())
    good = triggers[triggers["within_error_of_best"]]
    if len(good) > 1:
        lo, hi = _x(good)[1].min(), _x(good)[1].max()
        ax.axvspan(lo, hi, color=tint(INK, 0.9), lw=0, zorder=0, label="within Monte Carlo error of the best")
    ax.fill_between(x, triggers["expected_saving_low_usd"], triggers["expected_saving_high_usd"], color=INK,
                    alpha=BAND_ALPHA, lw=0)
    ax.plot(x, saving, color=INK, lw=2.4, marker="o", ms=3, label=f"start on {info.label(start)}, switch to "
            f"{info.label(switch)} at the trigger", zorder=4)
    for row, strategy, name in ((now, switch, "commit now"), (never, start, "never switch")):
        value = float(row["expected_saving_usd"])
        ax.axhline(value, color=info.colour(strategy), lw=1.6, ls=(0, (5, 3)), zorder=3,
                   label=escape(f"{name}: {format_usd(value, info.currency)}"))
    y = float(best["expected_saving_usd"])
    if best["policy"] == "trigger":
        bx = float(best["month"] if kind == "month" else best["volume_above_queries_per_month"])
        ax.plot([bx], [y], marker="o", ms=11, mfc=info.colour(switch), mec="white", mew=1.5, zorder=6)
        ax.annotate(escape(f"best: {trigger_words(best, short=True)}\nsaves {format_usd(y, info.currency)}"),
                    xy=(bx, y), xytext=(0, -34), textcoords="offset points", ha="center", va="top", zorder=7,
                    **TEXT_STYLE)
    ax.yaxis.set_major_formatter(usd_formatter(info.currency))
    ax.set_ylabel(f"Expected saving vs {info.label(info.baseline)} ({info.currency})")
    ax.axhline(0, color=MUTED, lw=0.8, zorder=1)
    ax.legend(loc="best", fontsize=10, frameon=True, facecolor="white", edgecolor="none", framealpha=0.9)


def _draw_switched(ax, triggers, x, kind, info: RunInfo, switch: str) -> None:
    horizon = int(info.horizon_months or 0)
    months = [m for m in (6, 12, 24, 36) if m < horizon and f"p_switch_by_month_{m}" in triggers.columns]
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
