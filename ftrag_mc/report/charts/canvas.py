"""Where a chart draws and what frames it: the figure or the caller's axes, grids of small
multiples, the finding as title, subtitles, the footnote, and the checks on the frames drawn.

With neither ``ax`` nor ``fig`` a chart makes its own ~10 x 6 in figure (:func:`make_figure`):
the finding is the figure title and a grey subtitle says what is compared. With a caller's
``ax`` the finding becomes that axes' title; with a caller's ``fig`` (an empty Figure or
SubFigure) a panel chart lays its panels out there and titles them as its own. The footnote is
written at the bottom of the (root) figure (:func:`finish`). A chart with nothing to show says
why (:func:`nothing_to_show`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure, FigureBase

from ftrag_mc.report.findings import FEW_SAMPLES
from ftrag_mc.report.style import (
    FIGSIZE_IN, INK, MUTED, RunInfo, add_footnote, apply_house_style, escape, format_usd, quiet_glyph_warnings,
    warn_undrawable, wrap,
)

WILSON_NOTE = "bands: 95 % Wilson intervals (Monte Carlo error)"

PERCENTILE_NOTE = (
    "bars: P10–P90 of all futures, dot = median; futures outside the range are counted, "
    "not dropped"
)

BAND_ALPHA = 0.2

MAX_PANELS = 12  # small multiples per chart: at most 4 rows of 3, the rest are in the CSV

MAX_COLUMNS = 3

MAX_SERIES = 8  # strategies drawn on one shared axes (P(win) by month, P(cheapest))

MAX_STRIPS = 6  # challengers on the payback axes (each has a percentile bar over the histogram)


# --- the frames drawn ----------------------------------------------------------------------------


def require_columns(frame: pd.DataFrame, columns: Sequence[str], name: str, *,
                    may_be_empty: bool = False) -> None:
    """Refuse a frame that lacks one of ``columns`` (or is empty), naming what it has."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks column(s) {missing}; it has {list(frame.columns)}")
    if frame.empty and not may_be_empty:
        raise ValueError(f"{name} is empty")


def strategies_in(info: RunInfo, present: Iterable[str], *, baseline: bool = False) -> list[str]:
    """Strategies of a frame in scenario order; the baseline only when ``baseline``."""
    present = set(present)
    unknown = present - set(info.strategies)
    if unknown:
        raise ValueError(
            f"strategies {sorted(unknown)} are not in scenario {info.scenario!r} "
            f"(it has {list(info.strategies)})"
        )
    found = [s for s in (info.strategies if baseline else info.challengers) if s in present]
    if not found:
        raise ValueError(
            f"nothing to plot: the frame holds only {sorted(present)} and "
            f"{info.baseline!r} is the baseline"
        )
    return found


def keep_most(strategies: Sequence[str], score: Callable[[str], float], limit: int,
              always: Iterable[str] = ()) -> tuple[list[str], int]:
    """The ``limit`` strategies that matter most (highest ``score``, ``always`` first), in
    their scenario order, and how many were left out."""
    if len(strategies) <= limit:
        return list(strategies), 0
    forced = [s for s in strategies if s in set(always)]
    rest = sorted((s for s in strategies if s not in forced), key=lambda s: -score(s))
    chosen = set(forced[:limit]) | set(rest[: max(limit - len(forced), 0)])
    return [s for s in strategies if s in chosen], len(strategies) - len(chosen)


def frame_volume(info: RunInfo, frame: pd.DataFrame) -> float:
    """The volume a frame was computed at: its ``queries_per_month``, else the run's."""
    if "queries_per_month" in frame.columns and frame["queries_per_month"].notna().any():
        return float(frame["queries_per_month"].dropna().iloc[0])
    if info.queries_per_month is None:
        raise ValueError("the volume is unknown: the frame has no queries_per_month and "
                         "info.queries_per_month is None")
    return float(info.queries_per_month)


def frame_horizon(frame: pd.DataFrame) -> int | None:
    """The one horizon (months) of a frame's ``horizon_months``; None without one."""
    if "horizon_months" not in frame.columns or frame["horizon_months"].nunique() != 1:
        return None
    return int(frame["horizon_months"].iloc[0])


def one_panel_only(ax: Axes | None, fig: FigureBase | None, drawn: Sequence[str],
                   what: str = "the frame must hold") -> None:
    """A caller's single ``ax`` takes one challenger's panel: refuse more (and ``fig`` too)."""
    if ax is not None and fig is not None:
        raise ValueError("give ax (one panel) or fig (every panel), not both")
    if ax is not None and len(drawn) != 1:
        raise ValueError(f"ax is given, so {what} one challenger; it holds {list(drawn)} "
                         "(pass fig= to lay out one panel per challenger, or ax=None)")


# --- words every chart puts around its data ------------------------------------------------------


def money(amount: float, info: RunInfo) -> str:
    """An amount in the run's currency, as people say it ($12.3k)."""
    return format_usd(amount, info.currency)


def chart_footnote(info: RunInfo, note: str, hidden: int = 0, csv: str = "",
                   what: str = "challenger") -> str:
    """The run's footnote, with how many strategies are left out and whether it is rough."""
    extra = [note] if note else []
    if hidden:
        extra.append(f"{hidden} more {what}{'s' if hidden != 1 else ''} not drawn: see {csv}")
    if info.samples < FEW_SAMPLES:
        extra.append(f"rough estimate: only {info.samples:,} samples (fewer than "
                     f"{FEW_SAMPLES:,})")
    return info.footnote(" · ".join(extra))


def notes_footnote(info: RunInfo, *parts: str) -> str:
    """The run's footnote with the non-empty ``parts`` (what the marks mean), escaped."""
    return escape(info.footnote(" · ".join(p for p in parts if p)))


def kept_run_note(frame: pd.DataFrame) -> str:
    """Where a frame of a separate keep-samples run (the fan, the breakdown) comes from."""
    return (f"its own keep-samples run of {int(frame['samples'].iloc[0]):,} futures, seed "
            f"{int(frame['seed'].iloc[0])} (not the main run)")


def chart_subtitle(info: RunInfo, what: str) -> str:
    """The scenario's title and what the chart measures (the "·" never starts a line)."""
    return f"{info.short_title}\u00a0· {what}"


# --- figures ---------------------------------------------------------------------------------


def grid_shape(n: int) -> tuple[int, int]:
    """(rows, columns) of ``n`` small multiples: one row up to three, then rows of 2 or 3."""
    ncols = n if n <= MAX_COLUMNS else (2 if n == 4 else MAX_COLUMNS)
    return math.ceil(n / ncols), ncols


def callers_axes(ax: object) -> Axes:
    """The caller's ``ax``, checked and given the house look."""
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, not {type(ax).__name__}")
    apply_house_style(ax)
    return ax


def callers_figure(fig: object, ax: object = None) -> FigureBase:
    """The caller's ``fig`` for a panel chart: an empty Figure or SubFigure (``ax`` not given too)."""
    if ax is not None:
        raise ValueError("give ax (one panel) or fig (every panel), not both")
    if not isinstance(fig, FigureBase):
        raise TypeError(f"fig must be a matplotlib Figure or SubFigure, not {type(fig).__name__}")
    if fig.axes:
        raise ValueError("fig already holds axes: give an empty Figure or SubFigure "
                         "(e.g. one of fig.subfigures(1, 2))")
    return fig


def make_figure(ax: Axes | None, *, ncols: int = 1, sharey: bool = False, fig: FigureBase | None = None,
                ) -> tuple[FigureBase, list[Axes], bool]:
    """The caller's axes; or ``ncols`` panels in the caller's ``fig`` or in a new figure: side
    by side up to three, then a grid of small multiples, a new figure growing a row at a time.

    Returns the figure, the axes, and whether the chart lays out its own panels (then its
    finding is the figure's title, see :func:`finish`).
    """
    if ax is not None and fig is None:
        return ax.get_figure(root=True), [callers_axes(ax)], False
    n = max(int(ncols), 1)
    rows, cols = grid_shape(n)
    if fig is None:
        width = {1: FIGSIZE_IN[0], 2: 14.0}.get(cols, 17.0)
        height = FIGSIZE_IN[1] + (0.5 if n > 1 else 0) + 4.0 * (rows - 1)
        fig, grid = plt.subplots(rows, cols, figsize=(width, height), sharey=sharey, squeeze=False,
                                 layout="constrained")
    else:
        grid = callers_figure(fig, ax).subplots(rows, cols, sharey=sharey, squeeze=False)
    axes = list(grid.ravel())
    for extra in axes[n:]:
        fig.delaxes(extra)
    apply_house_style(fig)
    return fig, axes[:n], True


def grow_for_rows(fig: FigureBase, created: bool, rows: int, per_row_in: float) -> None:
    """A figure of the chart's own grows with its rows (bars), so that 20 inputs stay legible."""
    if created:
        fig.set_size_inches(FIGSIZE_IN[0], max(FIGSIZE_IN[1], 2.4 + per_row_in * rows))


def width_in(fig: FigureBase) -> float:
    """A figure's or subfigure's width in inches."""
    return fig.get_figwidth() if isinstance(fig, Figure) else fig.bbox.width / fig.dpi


def returned(fig: FigureBase, axes: list[Axes]) -> tuple[FigureBase, Axes | np.ndarray]:
    """``(fig, ax)`` for one panel, ``(fig, array of axes)`` for several."""
    return fig, (axes[0] if len(axes) == 1 else np.array(axes, dtype=object))


COMPACT_HEIGHT_IN = 3.2  # a chart of the chart's own with nothing to draw: a band for the title and a sentence


def shrink_to_sentence(fig: FigureBase, created: bool) -> None:
    """A figure of the chart's own with nothing to draw at all becomes a compact band (its title,
    the sentence that says why, the footnote) instead of a page of empty axes."""
    if created and isinstance(fig, Figure):
        fig.set_size_inches(fig.get_figwidth(), COMPACT_HEIGHT_IN)


def panels_drawn(ax: Axes | None, strategies: Sequence[str], empty: Mapping[str, str]) -> list[str]:
    """The panels a chart lays out: the strategies with something to draw (``empty`` maps each
    to the sentence that says why it has nothing, or ""); a caller's single ``ax`` keeps its one."""
    if ax is not None:
        return list(strategies)
    return [s for s in strategies if not empty.get(s)]


def nothing_to_show(ax: Axes, sentence: str) -> None:
    """An axes with no data to draw says why instead of standing empty."""
    for artist in [*ax.lines, *ax.patches, *ax.collections, *ax.texts]:
        artist.remove()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    ax.set_axis_off()
    panel_in = ax.get_position().width * ax.get_figure(root=True).get_figwidth()
    ax.text(0.5, 0.55, wrap(escape(sentence), max(int(panel_in / 0.11), 24)),
            transform=ax.transAxes, ha="center", va="center", fontsize=13, color=INK,
            gid="ftrag-nothing-to-show")


def finish(fig: FigureBase, axes: list[Axes], *, created: bool, finding: str,
           subtitles: Sequence[str], footnote: str) -> None:
    """Put the finding, one subtitle per panel and the footnote on the chart."""
    # Scenario titles and labels are the user's text: a "$" in them is a dollar, not mathtext.
    finding, subtitles = escape(finding), [escape(sub) for sub in subtitles]
    if created:
        fig.suptitle(wrap(finding, int(width_in(fig) / 0.13)), x=0.01, ha="left", color=INK)
        for a, sub in zip(axes, subtitles):
            spec = a.get_subplotspec()
            cols = spec.get_gridspec().ncols if spec is not None else len(axes)
            panel_in = width_in(fig) / cols - 1.0
            a.set_title(wrap(sub, max(int(panel_in / 0.1), 24)), loc="left", color=MUTED,
                        fontsize=12, pad=12)
    else:
        a = axes[0]
        panel_in = a.get_position().width * fig.get_figwidth()
        a.set_title(wrap(finding, max(int(panel_in / 0.115), 30)), loc="left", fontsize=13,
                    fontweight="bold", color=INK)
    for a in axes:  # a long strategy label must not run past the axes (position kept)
        a.yaxis.label.set_text(wrap(a.get_ylabel().replace("\n", " "), 46))
    add_footnote(fig.get_figure(root=True), footnote)


def settle(fig: FigureBase) -> None:
    """Run the figure's layout now, so axes sizes are final before labels are placed."""
    root = fig.get_figure(root=True)
    engine = root.get_layout_engine()
    if engine is not None:
        warn_undrawable(root)  # once, not once per glyph
        with quiet_glyph_warnings():
            engine.execute(root)
