"""What an eval of n items is worth before deciding (``evsi.png``): EVSI and its net value against
the study size, below the ceiling of perfect knowledge, the best size marked.

It draws :func:`~ftrag_mc.analysis.pilot.compute_pilot_evsi`'s frame and computes nothing a
reader sees; the title, :func:`evsi_finding`, is :mod:`~ftrag_mc.report.evidence_text`'s.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ftrag_mc.report.charts.canvas import (
    BAND_ALPHA, chart_footnote, chart_subtitle, finish, make_figure, require_columns,
)
from ftrag_mc.report.evidence_text import pilot_finding
from ftrag_mc.report.style import (
    INK, MUTED, OKABE_ITO, SMALL_FONT_PT, RunInfo, escape, format_usd, house_style, tint, usd_formatter,
)

__all__ = ["evsi_finding", "plot_evsi"]

_COLUMNS = ("n", "evsi_usd", "evsi_low_usd", "evsi_high_usd", "noise_p95_usd", "evppi_usd")
_EVSI, _NET, _COST, _NOISE = OKABE_ITO[3], OKABE_ITO[2], MUTED, tint(MUTED, 0.35)
_LOG_FROM = 30  # sizes spanning this factor or more go on a log axis


def _band(a: Axes, n: np.ndarray, mid: np.ndarray, low: np.ndarray, high: np.ndarray, colour: str,
          label: str, marker: str) -> None:
    a.fill_between(n, low, high, color=colour, alpha=BAND_ALPHA, lw=0, zorder=1)
    a.plot(n, mid, color=colour, marker=marker, ms=6, label=label, zorder=3)


def evsi_finding(frame: pd.DataFrame, info: RunInfo) -> str:
    """The chart's title: the best size of eval and what it is worth against its cost, where an
    eval stops paying (or that none pays, or that none can change the choice).

    Parameters
    ----------
    frame, info
        As :func:`plot_evsi`.
    """
    return pilot_finding(frame)


def plot_evsi(frame: pd.DataFrame, info: RunInfo, *, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """What an eval of each size is worth before deciding (EVSI), its cost and net value (ENBS),
    below the ceiling of perfect knowledge (EVPPI), with the best size marked.

    Parameters
    ----------
    frame
        From :func:`~ftrag_mc.analysis.pilot.compute_pilot_evsi`: ``n``, ``evsi_usd`` with
        ``evsi_low_usd``/``evsi_high_usd``, ``noise_p95_usd`` and ``evppi_usd`` (currency); with
        costs also ``cost_usd``, ``enbs_usd`` with its interval and ``best``. ``attrs`` give the
        words (description, study, horizon_months).
    info
        The run.
    ax
        Draw onto this axes.

    Returns
    -------
    fig : Figure
    ax : Axes
        The title is the headline: what an eval is worth, up to which size it pays, the best size.
    """
    require_columns(frame, _COLUMNS, "frame")
    rows = frame.sort_values("n").reset_index(drop=True)
    costs = "enbs_usd" in rows.columns
    sizes = rows.loc[rows["n"] > 0, "n"].to_numpy(float)
    log = sizes.size > 1 and sizes.max() / sizes.min() >= _LOG_FROM
    shown = rows[rows["n"] > 0] if log else rows  # n = 0 (no study, worth 0) has no place on a log axis
    n = shown["n"].to_numpy(float)

    def col(name: str) -> np.ndarray:
        return shown[name].to_numpy(float)

    with house_style():
        fig, axes, created = make_figure(ax)
        a = axes[0]
        evppi = float(rows["evppi_usd"].iloc[0])
        a.axhline(evppi, color=INK, lw=1.5, ls=(0, (5, 3)), zorder=2,
                  label=escape(f"ceiling: perfect knowledge (EVPPI) {format_usd(evppi, info.currency)}"))
        _band(a, n, col("evsi_usd"), col("evsi_low_usd"), col("evsi_high_usd"), _EVSI,
              "value of the eval (EVSI), 95 % band", "o")
        a.plot(n, col("noise_p95_usd"), color=_NOISE, lw=2.0, ls=":", zorder=1,
               label="what pure noise scores (the estimator's bias)")
        if costs:
            a.plot(n, col("cost_usd"), color=_COST, lw=1.5, zorder=2, label="cost of the eval")
            _band(a, n, col("enbs_usd"), col("enbs_low_usd"), col("enbs_high_usd"), _NET,
                  "net value (EVSI - cost), 95 % band", "s")
            a.axhline(0, color=INK, lw=0.8, zorder=1)
            best = rows[rows["best"].astype(bool)].iloc[0]
            if best["n"] > 0:
                a.plot([best["n"]], [best["enbs_usd"]], marker="*", ms=18, color=_NET, mec=INK, zorder=5, ls="none")
                a.annotate(escape(f"best size: {int(best['n']):,} items, net {format_usd(best['enbs_usd'], info.currency)}"),
                           (best["n"], best["enbs_usd"]), xytext=(8, -18), textcoords="offset points",
                           fontsize=SMALL_FONT_PT, color=INK, zorder=6)
        if log:
            a.set_xscale("log")
        a.set_xticks(n)
        a.set_xticklabels([f"{int(v):,}" for v in n])
        a.minorticks_off()
        a.yaxis.set_major_formatter(usd_formatter(info.currency))
        h = frame.attrs.get("horizon_months")
        a.set_xlabel(f"Items in the eval (study size n{', log scale' if log else ''})")
        a.set_ylabel(f"Value before deciding ({info.currency}{f', over {h} months' if h else ''})")
        # Below the axes: the curves span the whole width, and a legend inside would cover them.
        a.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
        study = frame.attrs.get("study", "study of n items")
        article = "an" if study[:1].lower() in "aeiou" else "a"  # "an eval", "a paired eval", "a study"
        what = f"expected value of sample information: {article} {study} on {frame.attrs.get('description', 'the input')}"
        note = "EVSI by regression on the run's samples (Strong et al. 2015); bands: 95 % bootstrap intervals"
        finish(fig, axes, created=created, finding=evsi_finding(frame, info), subtitles=[chart_subtitle(info, what)],
               footnote=chart_footnote(info, note))
    return fig, a
