"""Global sensitivity (``global.png``): first- and total-order Sobol indices with bootstrap
intervals, beside the rank correlations (Spearman, PRCC) of each input with ΔNPC."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import FigureBase

from ftrag_mc.report.charts.canvas import finish, notes_footnote, require_columns, returned, width_in
from ftrag_mc.report.charts.inputs import (
    COMPARISON_COLUMNS, comparison, comparison_text, more_inputs, rows_canvas, set_subtitle, wrap_label,
)
from ftrag_mc.report.charts.tornado import MAX_TORNADO_INPUTS
from ftrag_mc.report.numbers import format_share
from ftrag_mc.report.style import INK, MUTED, SMALL_FONT_PT, RunInfo, escape, house_style, percent_formatter, tint, \
    wrap

__all__ = ["global_finding", "plot_global"]

_GLOBAL_COLUMNS = COMPARISON_COLUMNS + (
    "spearman", "prcc", "sobol_first", "sobol_first_low", "sobol_first_high", "sobol_total",
    "sobol_total_low", "sobol_total_high", "sobol_base_samples", "sobol_evaluations", "confidence_level",
    "assumption_note")


def global_finding(frame: pd.DataFrame, info: RunInfo) -> str:
    """The chart's title, from the most important input (the frame's first): its share of the
    variance of ΔNPC (Sobol), else its rank correlation.

    Parameters
    ----------
    frame, info
        As :func:`plot_global`.
    """
    row = frame.iloc[0]
    label, h = str(row["label"]), int(row["horizon_months"])
    if bool(frame.head(MAX_TORNADO_INPUTS)["sobol_total"].notna().any()):
        return (f"{label} drives {format_share(row['sobol_total'])} of the variance of the {h}-month saving "
                f"({format_share(max(float(row['sobol_first']), 0.0))} on its own)")
    # The saving is -ΔNPC: its rank correlations are the CSV's with the sign turned.
    return (f"{label} is the input most rank-correlated with the {h}-month saving "
            f"(Spearman {-float(row['spearman']):+.2f})")


def plot_global(frame: pd.DataFrame, info: RunInfo, *, ax: Axes | None = None,
                fig: FigureBase | None = None) -> tuple[FigureBase, Axes | np.ndarray]:
    """Sobol indices (first and total, with bootstrap intervals) and rank correlations per input.

    Parameters
    ----------
    frame
        From :func:`ftrag_mc.analysis.sensitivity.compute_global` (most important first).
    info
        The run.
    ax
        Draw onto this axes: the Sobol panel alone (the rank-correlation panel when the frame
        has no Sobol indices). Without it, both panels sharing the inputs axis.
        The first :data:`~ftrag_mc.report.charts.tornado.MAX_TORNADO_INPUTS` inputs are drawn,
        in the frame's order.
    fig
        Lay the panels out in this empty Figure or SubFigure instead of a new figure.

    Returns
    -------
    fig : Figure or SubFigure
    ax : Axes, or an array of the two panels (Sobol, rank correlations)
        The title is :func:`global_finding`.

    Notes
    -----
    Inputs that ``[correlation]`` correlates carry a ``*`` and the chart says what that does to
    each measure.
    """
    require_columns(frame, _GLOBAL_COLUMNS, "global frame")
    rows = frame.head(MAX_TORNADO_INPUTS)
    m = len(rows)
    has_sobol = bool(rows["sobol_total"].notna().any())
    correlated = rows["assumption_note"].fillna("").astype(str) != ""
    labels = [escape(wrap_label(s + (" *" if c else ""))) for s, c in zip(rows["label"], correlated)]
    y = np.arange(m)[::-1].astype(float)
    colour = info.colour(comparison(frame)[0])
    with house_style():
        if ax is None and has_sobol:
            fig, axes, created = rows_canvas(None, m + 0.45 * sum(t.count("\n") for t in labels), ncols=2,
                                             width_ratios=(3, 2), fig=fig)
            sobol_ax, corr_ax = axes
        else:
            fig, axes, created = rows_canvas(ax, m + 0.45 * sum(t.count("\n") for t in labels), fig=fig)
            sobol_ax, corr_ax = (axes[0], None) if has_sobol else (None, axes[0])
        if sobol_ax is not None:
            _draw_sobol(sobol_ax, rows, y, colour)
        if corr_ax is not None:
            _draw_correlations(corr_ax, rows, y, colour, beside=has_sobol)
        first_ax = sobol_ax if sobol_ax is not None else corr_ax
        first_ax.set_yticks(y, labels)
        first_ax.set_ylim(-0.8, m - 0.2)
        for a in axes:
            a.grid(False, axis="y")
        if correlated.any():
            _correlated_note(first_ax, fig, panels=len(axes))
        finish(fig, axes, created=created, finding=escape(global_finding(frame, info)), subtitles=[],
               footnote=notes_footnote(info, _sobol_note(rows.iloc[0]) if has_sobol else "",
                                       more_inputs(frame, m, "indices")))
        if created:
            set_subtitle(axes[0], info, comparison_text(info, frame), labels,
                         panels=len(axes))
            if len(axes) == 2:
                axes[1].set_title("rank correlations over the sampled futures", loc="left", color=MUTED,
                                  fontsize=12, pad=12)
    return returned(fig, axes)


def _draw_sobol(a: Axes, rows: pd.DataFrame, y: np.ndarray, colour: str) -> None:
    for key, fill, shift, name in (("sobol_total", tint(colour, 0.5), 0.18, "total (with interactions)"),
                                   ("sobol_first", colour, -0.18, "first order (alone)")):
        point = rows[key].to_numpy(float)
        low, high = rows[f"{key}_low"].to_numpy(float), rows[f"{key}_high"].to_numpy(float)
        err = np.vstack([np.clip(point - low, 0, None), np.clip(high - point, 0, None)])
        a.barh(y + shift, point, height=0.34, color=fill, zorder=3, label=name)
        a.errorbar(point, y + shift, xerr=err, fmt="none", ecolor=INK, elinewidth=1.0, capsize=2.5, zorder=4)
    a.axvline(0.0, color="#666666", lw=1.0, zorder=1)
    a.xaxis.set_major_formatter(percent_formatter())
    a.set_xlabel("Share of the variance of the saving (Sobol index)")
    top = float(np.nanmax(rows[["sobol_total_high", "sobol_first_high", "sobol_total"]].to_numpy(float)))
    a.set_xlim(min(-0.02, float(np.nanmin(rows["sobol_first_low"]))), min(max(0.25, 1.15 * top), 1.02))
    a.legend(loc="lower right", fontsize=SMALL_FONT_PT, title="Sobol index", alignment="left")


def _draw_correlations(a: Axes, rows: pd.DataFrame, y: np.ndarray, colour: str, *, beside: bool) -> None:
    a.axvline(0.0, color="#666666", lw=1.0, zorder=1)
    # With the saving (-ΔNPC, the CSV's correlations with the sign turned): right = more saved.
    a.plot(-rows["spearman"], y, ls="none", marker="o", ms=7, color=INK, label="Spearman", zorder=4)
    a.plot(-rows["prcc"], y, ls="none", marker="D", ms=6.5, mfc="white", mec=colour, mew=1.8,
           label="partial (PRCC)", zorder=5)
    a.set_xlim(-1.05, 1.05)
    a.set_xlabel("Rank correlation with the saving\n(right: a higher value saves more)")
    a.legend(loc="lower left" if beside else "lower right", fontsize=SMALL_FONT_PT, title="Rank correlation",
             alignment="left")


def _correlated_note(a: Axes, fig: FigureBase, *, panels: int) -> None:
    """Under the panel's axis label, inside the layout: it qualifies every number drawn."""
    note = ("* correlated inputs: Sobol indices treat them as independent (drawn independently); "
            "Spearman mixes in the partner's effect, PRCC largely removes it")
    width = width_in(fig) * (0.55 if panels == 2 else 0.85)
    a.annotate(escape(wrap(note, max(int(width / 0.09), 40))), xy=(0.0, 0.0), xycoords="axes fraction",
               xytext=(0, -46), textcoords="offset points", ha="left", va="top", fontsize=SMALL_FONT_PT, color=INK)


def _sobol_note(first: pd.Series) -> str:
    return (f"Sobol: {int(first['sobol_base_samples']):,} base samples, "
            f"{int(first['sobol_evaluations']):,} model runs, inputs drawn independently; "
            f"whiskers: {100 * float(first['confidence_level']):g} % bootstrap intervals")
