"""What the charts of one comparison by input share (tornado, spider, global indices): the pair
and volume the frame compares, input values and percentiles as people write them, and a figure
tall enough for one row per input."""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import FigureBase
from scipy.special import ndtri

from ftrag_mc.report.charts.canvas import callers_figure, chart_subtitle, make_figure, width_in
from ftrag_mc.report.numbers import format_volume
from ftrag_mc.report.style import MUTED, RunInfo, apply_house_style, escape, wrap

LABEL_CHARS = 40  # an input's label in a legend is cut here

WRAP_CHARS = 28  # an input's label on an axis is wrapped at about this many characters a line

COMPARISON_COLUMNS = ("strategy", "baseline", "horizon_months", "queries_per_month", "input", "label")


def clip_label(text: str, width: int = LABEL_CHARS) -> str:
    """``text`` cut to ``width`` characters with "…" (as it is when shorter)."""
    text = str(text)
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def wrap_label(text: str, width: int = WRAP_CHARS, lines: int = 3) -> str:
    """An input's label on an axis, on up to ``lines`` lines of about ``width`` characters, every
    word whole: a label longer than that ends with "…" after its last whole word (a single word
    longer than a line, e.g. a 5,000-character label with no space, is cut with "…")."""
    words = str(text).split()
    rows: list[str] = []
    for word in words:
        if len(word) > 2 * width:
            word = word[:2 * width - 1] + "…"
        if rows and len(rows[-1]) + 1 + len(word) <= width:
            rows[-1] += " " + word
        else:
            rows.append(word)
    if len(rows) > lines:
        rows = rows[:lines]
        rows[-1] = rows[-1].rstrip(" ,;:-") + " …"
    return "\n".join(rows)


def saving_axis_label(info: RunInfo, baseline: str, horizon: int | None = None) -> str:
    """A saving axis's label: against whom, over how long, and which way is good."""
    over = f" over {horizon} months" if horizon else ""
    return escape(f"Saving vs {info.label(baseline)}{over} ({info.currency}; right of 0 = saves)")


def input_value(value: float) -> str:
    """An input value as people write it: 0.0234, 1.47, 350, 1.4k, 2.5M."""
    if not math.isfinite(value):
        return "n/a"
    return f"{value:.3g}" if abs(value) < 999.5 else format_volume(value)


def probit(p):
    """The standard normal quantile of ``p`` (kept inside (0, 1)): a percentile axis's scale."""
    return ndtri(np.clip(p, 1e-12, 1 - 1e-12))


def percentile_name(p: float) -> str:
    """"P10" for 0.1."""
    return f"P{100 * p:g}"


def delta_axis_label(info: RunInfo, baseline: str) -> str:
    """The ΔNPC axis's label, with the baseline and the sign convention."""
    return escape(f"ΔNPC vs {info.label(baseline)} ({info.currency}, negative = saving)")


def comparison(frame: pd.DataFrame) -> tuple[str, str, int, float]:
    """(challenger, baseline, horizon in months, volume in queries/month) the frame compares."""
    first = frame.iloc[0]
    return (str(first["strategy"]), str(first["baseline"]), int(first["horizon_months"]),
            float(first["queries_per_month"]))


def comparison_text(info: RunInfo, frame: pd.DataFrame) -> str:
    """"Fine-tune vs RAG, 36 months from 250k queries/month"."""
    challenger, baseline, horizon, volume = comparison(frame)
    return (f"{info.label(challenger)} vs {info.label(baseline)}, {horizon} months from "
            f"{format_volume(volume)} queries/month")


def more_inputs(frame: pd.DataFrame, shown: int, what: str) -> str:
    """"3 more inputs with smaller swings not shown (see the CSV)", or ""."""
    hidden = len(frame) - shown
    if hidden <= 0:
        return ""
    return f"{hidden} more input{'s' if hidden != 1 else ''} with smaller {what} not shown (see the CSV)"


def panel_width_in(ax: Axes, labels: Sequence[str], panels: int = 1) -> float:
    """A panel's width (inches, an estimate) once its row labels (``labels``, wrapped or not: their
    longest line counts) have pushed it right: about 0.085 inch a character of label."""
    label_in = 0.085 * max((len(line) for s in labels for line in s.split("\n")), default=0) + 0.4
    return (width_in(ax.get_figure(root=False)) - label_in) / panels - 0.4


def set_subtitle(ax: Axes, info: RunInfo, what: str, labels: Sequence[str], panels: int = 1) -> None:
    """The grey subtitle over a chart's first panel, wrapped to that panel's width.

    Long input names push the panel right, which :func:`~ftrag_mc.report.charts.canvas.finish`
    (wrapping to the figure's width) does not know; so it gets no subtitle and this sets it.
    """
    panel_in = panel_width_in(ax, labels, panels)
    ax.set_title(wrap(escape(chart_subtitle(info, what)), max(int(panel_in / 0.1), 30)), loc="left", color=MUTED,
                 fontsize=12, pad=12)


def set_wrapped_xlabel(ax: Axes, text: str, labels: Sequence[str]) -> None:
    """An x-axis label wrapped to the panel's width when row labels push the panel right (a long
    one ran past the figure's edge)."""
    ax.set_xlabel(wrap(text, max(int(panel_width_in(ax, labels) / 0.1), 30)))


def rows_canvas(ax: Axes | None, rows: int, *, ncols: int = 1, width_ratios: Sequence[float] | None = None,
                fig: FigureBase | None = None) -> tuple[FigureBase, list[Axes], bool]:
    """The caller's axes; or ``ncols`` panels side by side, sharing the inputs axis, in the
    caller's ``fig`` or in a new figure tall enough for ``rows`` horizontal bars."""
    if ax is not None and fig is None:
        return make_figure(ax)
    gridspec_kw = {"width_ratios": list(width_ratios)} if width_ratios else None
    if fig is None:
        height = max(6.0, 2.6 + 0.42 * rows)
        fig, axes = plt.subplots(1, ncols, figsize=(11.0 if ncols == 1 else 14.0, height), squeeze=False,
                                 sharey=True, layout="constrained", gridspec_kw=gridspec_kw)
    else:
        axes = callers_figure(fig, ax).subplots(1, ncols, squeeze=False, sharey=True, gridspec_kw=gridspec_kw)
    apply_house_style(fig)
    return fig, list(axes[0]), True
