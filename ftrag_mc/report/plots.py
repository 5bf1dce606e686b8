"""The charts of a run: each ``plot_*`` takes analysis frames, draws, and returns ``(fig, ax)``.

Every chart's title states what the data says (computed from the frames, never generic), its
axes carry units, strategies keep their colour across charts (baseline first, see
:func:`ftrag_mc.report.style.strategy_colours`), and a grey footnote names the scenario, sample
count, sampler, seed, version and what the bands mean. Nothing here saves a file: that is the
writers' job.

With ``ax=None`` a chart makes its own ~10 x 6 in figure: the finding is the figure title and a
grey subtitle says what is compared. With a caller's ``ax`` the finding becomes that axes' title
and the footnote is written at the bottom of the caller's figure.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import blended_transform_factory

from ftrag_mc.report.style import (
    FIGSIZE_IN,
    INK,
    MUTED,
    OKABE_ITO,
    SMALL_FONT_PT,
    RunInfo,
    add_footnote,
    escape,
    apply_house_style,
    format_months,
    format_share,
    format_volume,
    house_style,
    percent_formatter,
    set_probability_axis,
    set_volume_axis,
    tint,
    wrap,
)

__all__ = [
    "plot_pwin_vs_volume",
    "plot_pwin_vs_month",
    "plot_breakeven",
    "plot_payback",
    "plot_cheapest_vs_volume",
]

WILSON_NOTE = "bands: 95 % Wilson intervals (Monte Carlo error)"
PERCENTILE_NOTE = (
    "bars: P10–P90 of all futures, dot = median; futures outside the range are counted, "
    "not dropped"
)

_CURVE_COLUMNS = (
    "strategy", "label", "horizon_months", "queries_per_month", "p_win", "p_win_low", "p_win_high",
)
_CROSSING_COLUMNS = ("strategy", "label", "horizon_months", "volume_at_50pct")
_MONTH_COLUMNS = ("strategy", "label", "month", "p_win", "p_win_low", "p_win_high")
_HISTOGRAM_COLUMNS = ("strategy", "label", "bin_low", "bin_high", "share")
_BREAKEVEN_COLUMNS = ("strategy", "horizon_months", "p10", "p50", "p90", "share_below_range",
                      "share_above_range", "share_at_median")
_PAYBACK_COLUMNS = ("strategy", "p10", "p50", "p90", "share_immediate", "share_never", "share_at_median")


@dataclass(frozen=True)
class _Strip:
    """One distribution's percentile bar: P10/P50/P90 and the shares its texts state."""

    p10: float
    p50: float
    p90: float
    share_low: float  # share of futures below the axis range (e.g. "already wins")
    share_high: float  # share beyond it (e.g. "never")
    share_at_median: float
_CHEAPEST_COLUMNS = (
    "strategy", "label", "horizon_months", "queries_per_month",
    "p_cheapest", "p_cheapest_low", "p_cheapest_high",
)

_BAND_ALPHA = 0.2
_HALO = [patheffects.withStroke(linewidth=4, foreground="white")]
_TEXT = dict(fontsize=SMALL_FONT_PT, color=INK, path_effects=_HALO)


# --- frames and figures --------------------------------------------------------------------


def _require(frame: pd.DataFrame, columns: Sequence[str], name: str, *,
             may_be_empty: bool = False) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks column(s) {missing}; it has {list(frame.columns)}")
    if frame.empty and not may_be_empty:
        raise ValueError(f"{name} is empty")


def _strategies_in(info: RunInfo, present: Iterable[str], *, baseline: bool = False) -> list[str]:
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


LABEL_MAX_CHARS = 40  # a strategy label longer than this is cut with an ellipsis
MAX_PANELS = 12  # small multiples per chart: at most 4 rows of 3, the rest are in the CSV
MAX_COLUMNS = 3
MAX_SERIES = 8  # strategies drawn on one shared axes (P(win) by month, P(cheapest))
MAX_STRIPS = 6  # challengers on the payback axes (each has a percentile bar over the histogram)
FEW_SAMPLES = 1_000  # below this many futures every estimate is called rough
# Beyond the seven colours of the palette, a strategy keeps its colour's slot and gets a line
# style (and marker) of its own: no two strategies of one chart are drawn alike.
_ROUND_DASHES: list[object] = ["-", (0, (6, 2)), (0, (1.5, 1.5)), (0, (6, 2, 1.5, 2))]
_ROUND_MARKERS: list[str | None] = [None, "o", "s", "^"]


def shorten(text: str, limit: int = LABEL_MAX_CHARS) -> str:
    """One line of at most ``limit`` characters, cut at a word if one is near, with "…"."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:-·") + "…"


def _label(info: RunInfo, frame: pd.DataFrame | None, strategy: str) -> str:
    """The scenario's label for a strategy, else the frame's, else its name; shortened."""
    if strategy in info.labels or frame is None:
        text = info.labels.get(strategy, strategy)
    else:
        rows = frame.loc[frame["strategy"] == strategy, "label"]
        text = str(rows.iloc[0]) if len(rows) else strategy
    return escape(shorten(text))


def _base(info: RunInfo) -> str:
    return _label(info, None, info.baseline)


@dataclass(frozen=True)
class _Look:
    """How one strategy is drawn on a shared axes: colour, line style and marker."""

    colour: str
    linestyle: object
    marker: str | None

    def line_kw(self, n_points: int = 40) -> dict:
        kw: dict = dict(color=self.colour, ls=self.linestyle)
        if self.marker:
            kw.update(marker=self.marker, ms=6, mfc="white", mec=self.colour, mew=1.6,
                      markevery=max(n_points // 6, 1))
        return kw


def _look(info: RunInfo, strategy: str) -> _Look:
    """The strategy's colour (:attr:`RunInfo.colours`) and, past the palette's seven colours,
    a dash pattern and marker of its own."""
    order = list(info.colours)
    rnd = order.index(strategy) // len(OKABE_ITO) if strategy in order else 0
    return _Look(info.colour(strategy), _ROUND_DASHES[rnd % len(_ROUND_DASHES)],
                 _ROUND_MARKERS[rnd % len(_ROUND_MARKERS)])


def _footnote(info: RunInfo, note: str, hidden: int = 0, csv: str = "",
              what: str = "challenger") -> str:
    """The run's footnote, with how many strategies are left out and whether it is rough."""
    extra = [note]
    if hidden:
        extra.append(f"{hidden} more {what}{'s' if hidden != 1 else ''} not drawn: see {csv}")
    if info.samples < FEW_SAMPLES:
        extra.append(f"rough estimate: only {info.samples:,} samples (fewer than "
                     f"{FEW_SAMPLES:,})")
    return info.footnote(" · ".join(extra))


def _rough(info: RunInfo, finding: str) -> str:
    return (f"Rough estimate ({info.samples:,} samples): {finding}"
            if info.samples < FEW_SAMPLES else finding)


def _keep(strategies: Sequence[str], score: Callable[[str], float], limit: int,
          always: Iterable[str] = ()) -> tuple[list[str], int]:
    """The ``limit`` strategies that matter most (highest ``score``, ``always`` first), in
    their scenario order, and how many were left out."""
    if len(strategies) <= limit:
        return list(strategies), 0
    forced = [s for s in strategies if s in set(always)]
    rest = sorted((s for s in strategies if s not in forced), key=lambda s: -score(s))
    chosen = set(forced[:limit]) | set(rest[: max(limit - len(forced), 0)])
    return [s for s in strategies if s in chosen], len(strategies) - len(chosen)


def _grid_shape(n: int) -> tuple[int, int]:
    """(rows, columns) of ``n`` small multiples: one row up to three, then rows of 2 or 3."""
    ncols = n if n <= MAX_COLUMNS else (2 if n == 4 else MAX_COLUMNS)
    return math.ceil(n / ncols), ncols


def _figure(ax: Axes | None, *, ncols: int = 1, sharey: bool = False
            ) -> tuple[Figure, list[Axes], bool]:
    """The caller's axes, or a new figure with ``ncols`` panels: side by side up to three,
    then a grid of small multiples, the figure growing a row at a time."""
    if ax is not None:
        if not isinstance(ax, Axes):
            raise TypeError(f"ax must be a matplotlib Axes, not {type(ax).__name__}")
        apply_house_style(ax)
        return ax.get_figure(root=True), [ax], False
    n = max(int(ncols), 1)
    rows, cols = _grid_shape(n)
    width = {1: FIGSIZE_IN[0], 2: 14.0}.get(cols, 17.0)
    height = FIGSIZE_IN[1] + (0.5 if n > 1 else 0) + 4.0 * (rows - 1)
    fig, grid = plt.subplots(rows, cols, figsize=(width, height), sharey=sharey, squeeze=False,
                             layout="constrained")
    axes = list(grid.ravel())
    for extra in axes[n:]:
        fig.delaxes(extra)
    apply_house_style(fig)
    return fig, axes[:n], True


def _nothing_to_show(ax: Axes, sentence: str) -> None:
    """An axes with no data to draw says why instead of standing empty."""
    for artist in [*ax.lines, *ax.patches, *ax.collections]:
        artist.remove()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    ax.set_axis_off()
    width_in = ax.get_position().width * ax.get_figure(root=True).get_figwidth()
    ax.text(0.5, 0.55, wrap(escape(sentence), max(int(width_in / 0.11), 24)),
            transform=ax.transAxes, ha="center", va="center", fontsize=13, color=INK,
            gid="ftrag-nothing-to-show")


def _finish(fig: Figure, axes: list[Axes], *, created: bool, finding: str,
            subtitles: Sequence[str], footnote: str) -> None:
    """Put the finding, one subtitle per panel and the footnote on the chart."""
    # Scenario titles and labels are the user's text: a "$" in them is a dollar, not mathtext.
    finding, subtitles = escape(finding), [escape(sub) for sub in subtitles]
    if created:
        fig.suptitle(wrap(finding, int(fig.get_figwidth() / 0.13)), x=0.01, ha="left", color=INK)
        for a, sub in zip(axes, subtitles):
            spec = a.get_subplotspec()
            cols = spec.get_gridspec().ncols if spec is not None else len(axes)
            width_in = fig.get_figwidth() / cols - 1.0
            a.set_title(wrap(sub, max(int(width_in / 0.1), 24)), loc="left", color=MUTED,
                        fontsize=12, pad=12)
    else:
        a = axes[0]
        width_in = a.get_position().width * fig.get_figwidth()
        a.set_title(wrap(finding, max(int(width_in / 0.115), 30)), loc="left", fontsize=13,
                    fontweight="bold", color=INK)
    for a in axes:  # a long strategy label must not run past the axes (position kept)
        a.yaxis.label.set_text(wrap(a.get_ylabel().replace("\n", " "), 46))
    add_footnote(fig, footnote)


def _subtitle(info: RunInfo, what: str) -> str:
    """The scenario's title and what the chart measures (the "·" never starts a line)."""
    return f"{info.title}\u00a0· {what}"


def _returned(fig: Figure, axes: list[Axes]) -> tuple[Figure, Axes | np.ndarray]:
    return fig, (axes[0] if len(axes) == 1 else np.array(axes, dtype=object))


@dataclass(frozen=True)
class _LineStyle:
    colour: str
    linestyle: object
    linewidth: float


def _horizon_styles(colour: str, horizons: Iterable[int]) -> dict[int, _LineStyle]:
    """Longest horizon: the strategy's own colour, solid; shorter ones lighter and dashed."""
    dashes: list[object] = ["-", (0, (5, 2)), (0, (1.5, 1.5)), (0, (5, 2, 1.5, 2))]
    tints = [0.0, 0.3, 0.45, 0.55]
    styles = {}
    for rank, h in enumerate(sorted(set(horizons), reverse=True)):
        k = min(rank, len(dashes) - 1)
        styles[h] = _LineStyle(tint(colour, tints[k]), dashes[k], 3.0 if rank == 0 else 2.4)
    return styles


def _crossings_50(q: np.ndarray, p: np.ndarray) -> list[float]:
    """Every volume where ``p`` crosses 0.5, interpolated in log volume, lowest first."""
    above = p >= 0.5
    out = []
    for i in np.flatnonzero(above[1:] != above[:-1]):
        t = (0.5 - p[i]) / (p[i + 1] - p[i])
        out.append(float(np.exp(np.log(q[i]) + t * (np.log(q[i + 1]) - np.log(q[i])))))
    return out


def _crossing_50(q: np.ndarray, p: np.ndarray) -> float:
    """First volume where ``p`` crosses 0.5; NaN if it does not."""
    found = _crossings_50(q, p)
    return found[0] if found else math.nan


# --- where annotations go ------------------------------------------------------------------

_CHAR_EM = 0.6  # average width of a DejaVu Sans character, in em
_Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in points from the axes' lower left


def _settle(fig: Figure) -> None:
    """Run the figure's layout now, so axes sizes are final before labels are placed."""
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)


class _Clearance:
    """Free room on an axes for labels and the legend, so that nothing covers the data.

    Record what is drawn with :meth:`add_line` (data coordinates, once the limits are set),
    then :meth:`measure` once the layout has run; placement works in points from the axes'
    lower-left corner and prefers spots that cover no line, leave no box and stay inside.
    """

    def __init__(self, ax: Axes):
        self.ax = ax
        self._lines: list[tuple[np.ndarray, float]] = []
        self.boxes: list[_Box] = []
        self.w = self.h = 1.0

    def fractions(self, x, y, *, y_axes: bool = False) -> np.ndarray:
        """Data (or, with ``y_axes``, data x and axes-fraction y) -> axes fractions."""
        x = np.asarray(x, float)
        y = np.asarray(y, float)
        to_frac = self.ax.transScale + self.ax.transLimits
        fx = to_frac.transform(np.column_stack([x, np.ones_like(x)]))[:, 0]
        fy = y if y_axes else to_frac.transform(np.column_stack([np.ones_like(y), y]))[:, 1]
        return np.column_stack([fx, fy])

    def to_pts(self, x, y, *, y_axes: bool = False) -> np.ndarray:
        return self.fractions(x, y, y_axes=y_axes) * (self.w, self.h)

    def add_line(self, x, y, *, weight: float = 3.0, y_axes: bool = False) -> None:
        """Mark a polyline as occupied; ``weight`` is what covering one point of it costs."""
        f = self.fractions(x, y, y_axes=y_axes)
        self._lines.append((f[np.isfinite(f).all(axis=1)], weight))

    def measure(self) -> None:
        """Take the axes' size (call after :func:`_settle`) and sample the lines every ~2 pt."""
        pos = self.ax.get_position()
        fig = self.ax.get_figure(root=True)
        self.w = pos.width * fig.get_figwidth() * 72
        self.h = pos.height * fig.get_figheight() * 72
        pts, weights = [np.empty((0, 2))], [np.empty(0)]
        for f, weight in self._lines:
            p = f * (self.w, self.h)
            dense = [p[:1]]
            for a, b in zip(p[:-1], p[1:]):
                n = max(int(np.hypot(*(b - a)) / 2.0), 1)
                dense.append(a + (b - a) * np.linspace(0, 1, n + 1)[1:, None])
            dense = np.concatenate(dense)
            pts.append(dense)
            weights.append(np.full(len(dense), weight))
        self.points, self.weights = np.concatenate(pts), np.concatenate(weights)

    def add_box(self, box: _Box) -> None:
        self.boxes.append(box)

    def cost(self, box: _Box, pad: float = 3.0) -> float:
        """0 for a box over nothing; lines, other boxes and the axes' edges add up."""
        x0, y0, x1, y1 = box
        out = max(0, -x0) + max(0, x1 - self.w) + max(0, -y0) + max(0, y1 - self.h)
        inside = ((self.points[:, 0] > x0 - pad) & (self.points[:, 0] < x1 + pad)
                  & (self.points[:, 1] > y0 - pad) & (self.points[:, 1] < y1 + pad))
        overlap = sum(
            max(0, min(x1, b[2]) - max(x0, b[0])) * max(0, min(y1, b[3]) - max(y0, b[1]))
            for b in self.boxes
        )
        return 100 * out + float(self.weights[inside].sum()) + overlap

    @staticmethod
    def text_size(text: str, fontsize: float = SMALL_FONT_PT) -> tuple[float, float]:
        lines = text.split("\n")
        return (max(len(s) for s in lines) * _CHAR_EM * fontsize + 6,
                len(lines) * 1.3 * fontsize + 4)

    def place_text(self, x: float, y: float, text: str,
                   radii: Sequence[float] = (8, 18, 30, 45, 60, 80, 100)
                   ) -> tuple[float, float, str, str]:
        """Offset (points) and alignment for ``text`` next to data point (x, y)."""
        (px, py), = self.to_pts([x], [y])
        w, h = self.text_size(text)
        best = None
        for k, r in enumerate(radii):
            for dx, dy in ((1, -1), (-1, 1), (1, 1), (-1, -1), (0, -1.3), (0, 1.3),
                           (1.3, 0), (-1.3, 0)):
                ox, oy = dx * r, dy * r * 0.8
                ha = "left" if dx > 0 else ("right" if dx < 0 else "center")
                va = "bottom" if dy > 0 else ("top" if dy < 0 else "center")
                x0 = px + ox - {"left": 0, "right": w, "center": w / 2}[ha]
                y0 = py + oy - {"bottom": 0, "top": h, "center": h / 2}[va]
                box = (x0, y0, x0 + w, y0 + h)
                leader = np.linspace((px, py), (px + ox, py + oy), 40)[1:-1]
                c = self.cost(box) + 3 * k + 10 * self._in_boxes(leader)
                if best is None or c < best[0]:
                    best = (c, box, (ox, oy, ha, va), leader)
        _, box, placement, leader = best
        self.add_box(box)
        # Later labels keep off this one's leader line too.
        self.points = np.vstack([self.points, leader])
        self.weights = np.concatenate([self.weights, np.full(len(leader), 5.0)])
        return placement

    def _in_boxes(self, pts: np.ndarray) -> int:
        """How many of ``pts`` fall inside boxes already placed."""
        pad = 3.0
        return sum(int(np.sum((pts[:, 0] > b[0] - pad) & (pts[:, 0] < b[2] + pad)
                              & (pts[:, 1] > b[1] - pad) & (pts[:, 1] < b[3] + pad)))
                   for b in self.boxes)

    def place_legend(self, variants: Sequence[Sequence[str]], *, title: str = "",
                     top: float = 1.0, dry_run: bool = False) -> tuple[int, str, bool]:
        """Which wording of the legend entries (index into ``variants``) and which ``loc``
        (inside the axes up to height ``top``, axes fraction) cover the least data, and
        whether that spot is free; ``dry_run`` only asks."""
        best = None
        for i, entries in enumerate(variants):
            lines = [ln for e in entries for ln in e.split("\n")]
            w = max(len(s) for s in [*lines, title]) * _CHAR_EM * SMALL_FONT_PT + 50
            h = (len(lines) + bool(title)) * 1.5 * SMALL_FONT_PT + 12
            t = top * self.h
            for loc in ("upper left", "lower right", "upper right", "lower left",
                        "center left", "center right", "upper center", "lower center"):
                vert, _, horiz = loc.partition(" ")
                x0 = {"left": 0, "right": self.w - w}.get(horiz, (self.w - w) / 2)
                y0 = {"upper": t - h, "lower": 0, "center": (t - h) / 2}[vert]
                box = (x0, y0, x0 + w, y0 + h)
                c = self.cost(box, pad=1.0) + 0.5 * i
                if best is None or c < best[0] - 1e-9:
                    best = (c, box, i, loc)
        if not dry_run:
            self.add_box(best[1])
        return best[2], best[3], best[0] < 5


def _legend(ax: Axes, room: _Clearance, *, title: str = "", top: float = 1.0,
            variants: Sequence[Sequence[str]] | None = None) -> None:
    """The legend where it covers the least; ``variants`` are alternative wordings of the
    entries (e.g. on one line or two), the one that fits best is used."""
    handles, labels = ax.get_legend_handles_labels()
    choice, loc, free = room.place_legend(variants or [labels], title=title, top=top)
    # Where no spot is free (a crowded, narrow panel) the legend gets a white backing.
    ax.legend(handles, list((variants or [labels])[choice]), loc=loc,
              bbox_to_anchor=(0.0, 0.0, 1.0, top), title=title or None, alignment="left",
              frameon=not free, facecolor="white", edgecolor="none",
              framealpha=0.9).set_zorder(9)


def _annotate(ax: Axes, room: _Clearance, x: float, y: float, text: str, **kw) -> None:
    dx, dy, ha, va = room.place_text(x, y, text)
    ax.annotate(text, xy=(x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                zorder=7, annotation_clip=False, **_TEXT, **kw).set_in_layout(False)


def _volume_line(ax: Axes, room: _Clearance, volume: float) -> None:
    """Dark dashed vertical line at the scenario's volume (labelled by :func:`_volume_label`)."""
    ax.axvline(volume, color=INK, lw=1.4, ls=(0, (4, 3)), zorder=2)
    room.add_line([volume, volume], [0, 1], y_axes=True, weight=1)


def _volume_label(ax: Axes, room: _Clearance, volume: float) -> None:
    """ "your volume" beside the line, at the top, bottom or middle: wherever is free."""
    text = f"your volume\n{format_volume(volume)}/month"
    (px, _), = room.to_pts([volume], [0.5])
    w, h = room.text_size(text)
    best = None
    for y0 in (room.h - h - 2, 2.0, room.h * 0.75 - h / 2, room.h / 4 - h / 2):
        for side in (1, -1):
            x0 = px + 6 if side > 0 else px - 6 - w
            box = (x0, y0, x0 + w, y0 + h)
            c = room.cost(box)
            if best is None or c < best[0]:
                best = (c, box, side)
    _, box, side = best
    room.add_box(box)
    tr = blended_transform_factory(ax.transData, ax.transAxes)
    ax.annotate(text, xy=(volume, (box[1] + box[3]) / 2 / room.h), xycoords=tr,
                xytext=(6 * side, 0), textcoords="offset points",
                ha="left" if side > 0 else "right", va="center", zorder=7,
                **_TEXT).set_in_layout(False)


def _fifty_line(ax: Axes, room: _Clearance) -> None:
    ax.axhline(0.5, color="#666666", lw=1.1, zorder=1)
    room.add_line(ax.get_xlim(), [0.5, 0.5], weight=2)


def _dot(ax: Axes, room: _Clearance, x: float, y: float, colour: str) -> None:
    ax.plot([x], [y], marker="o", ms=9, mfc=colour, mec="white", mew=1.5, zorder=6,
            clip_on=False)
    room.add_line([x, x], [y - 0.015, y + 0.015], weight=50)


# --- 1. P(win) vs volume -------------------------------------------------------------------


def _at_volume(c: pd.DataFrame, volume: float, column: str) -> tuple[float, float, float]:
    """``column`` and its band (``<column>_low``/``_high``) at ``volume``, interpolated in log
    volume (held at the ends of the grid); ``c`` is sorted by volume."""
    q = np.log(c["queries_per_month"].to_numpy(float))
    x = math.log(volume)
    return tuple(float(np.interp(x, q, c[k].to_numpy(float)))
                 for k in (column, f"{column}_low", f"{column}_high"))


def _coin_flip(c: pd.DataFrame, volume: float, column: str, *, first: bool) -> str:
    """", a coin flip at your volume (...)" when the 95 % band at ``volume`` holds 50 %."""
    p, lo, hi = _at_volume(c.sort_values("queries_per_month"), volume, column)
    if not lo <= 0.5 <= hi:
        return ""
    if first:
        return (f", but at your {format_volume(volume)} queries/month it is a coin flip "
                f"({format_share(p)}, 95 % band {format_share(lo)}–{format_share(hi)})")
    return f" (a coin flip at {format_volume(volume)})"



def _volume_finding(kind: str, x: float, label: str, base: str, horizon: int,
                    vmin: float, vmax: float, *, first: bool) -> str:
    """One challenger's P(win)-vs-volume finding; ``first`` gives the full sentence."""
    if kind in ("above", "below"):
        full = f"beats {base} in most futures {kind} {format_volume(x)} queries/month"
        short = f"{kind} {format_volume(x)}"
    elif kind == "always":
        full = (f"beats {base} in most futures at every volume from {format_volume(vmin)} to "
                f"{format_volume(vmax)} queries/month")
        short = "at every volume"
    else:
        full = f"never beats {base} in most futures below {format_volume(vmax)} queries/month"
        short = f"never below {format_volume(vmax)}"
    return f"{label} {full} over {horizon} months" if first else f"{label} {short}"


def _volume_kind(q: np.ndarray, p: np.ndarray, crossing: float) -> tuple[str, float]:
    """Where the curve sits against 50 %: ("above"|"below", volume) or ("always"|"never", nan)."""
    if np.all(p >= 0.5):
        return "always", math.nan
    if np.all(p < 0.5):
        return "never", math.nan
    found = _crossings_50(q, p)
    # A curve that crosses more than once (self-hosting's GPU steps): from its last crossing
    # on it stays on one side, which is what the title can say.
    if len(found) > 1 or not math.isfinite(crossing):
        crossing = found[-1]
    return ("above" if p[-1] >= 0.5 else "below"), crossing


def plot_pwin_vs_volume(
    curves: pd.DataFrame,
    crossings: pd.DataFrame,
    info: RunInfo,
    *,
    scenario_volume: float | None = None,
    ax: Axes | None = None,
) -> tuple[Figure, Axes | np.ndarray]:
    """P(challenger cheaper than baseline) against starting volume, one curve per horizon.

    Parameters
    ----------
    curves
        One row per (strategy, horizon, volume): ``strategy``, ``label``, ``horizon_months``
        (int, months), ``queries_per_month`` (log grid, queries/month), ``p_win`` (0..1) with its
        95 % Wilson band ``p_win_low``/``p_win_high``, ``wins`` and ``samples`` (counts).
    crossings
        ``strategy``, ``label``, ``horizon_months``, ``volume_at_50pct`` (queries/month; NaN
        where P(win) does not cross 50 % on the grid). A missing row is computed from ``curves``.
    info
        The run: strategies, labels, colours and the footnote.
    scenario_volume
        The scenario's own volume (queries/month), marked "your volume".
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
    _require(curves, _CURVE_COLUMNS, "curves")
    _require(crossings, _CROSSING_COLUMNS, "crossings", may_be_empty=True)
    challengers = _strategies_in(info, curves["strategy"].unique())
    if ax is not None and len(challengers) != 1:
        raise ValueError(
            f"ax is given, so curves must hold one challenger; it holds {challengers} "
            "(pass ax=None to get one panel per challenger)"
        )
    horizons = sorted(int(h) for h in curves["horizon_months"].unique())
    base = _base(info)
    q_all = curves["queries_per_month"].to_numpy(float)
    qmin, qmax = float(q_all.min()), float(q_all.max())
    longest = curves[curves["horizon_months"] == horizons[-1]]
    at = scenario_volume if scenario_volume is not None else math.sqrt(qmin * qmax)

    def p_at_volume(s: str) -> float:
        c = longest[longest["strategy"] == s].sort_values("queries_per_month")
        return _at_volume(c, at, "p_win")[0] if len(c) else -1.0

    challengers, hidden = _keep(challengers, p_at_volume, MAX_PANELS)

    with house_style():
        fig, axes, created = _figure(ax, ncols=len(challengers), sharey=True)
        sentences, subtitles, rooms, marks = [], [], [], []
        for panel, (a, s) in enumerate(zip(axes, challengers)):
            label = _label(info, curves, s)
            look = _look(info, s)
            styles = _horizon_styles(info.colour(s), horizons)
            set_volume_axis(a)
            a.set_xlim(qmin / 1.15, qmax * 1.15)
            set_probability_axis(a, f"P({label} cheaper than {base})")
            a.tick_params(labelleft=True)
            room = _Clearance(a)
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
                               alpha=_BAND_ALPHA, lw=0)
                markers = {} if look.marker is None else dict(
                    marker=look.marker, ms=6, mfc="white", mec=st.colour, mew=1.6,
                    markevery=max(len(q) // 6, 1))
                a.plot(q, p, color=st.colour, ls=st.linestyle, lw=st.linewidth,
                       label=f"{h} months", zorder=3 + h / 1000, **markers)
                room.add_line(q, p)
                row = crossings[(crossings["strategy"] == s)
                                & (crossings["horizon_months"] == h)]
                x50 = float(row["volume_at_50pct"].iloc[0]) if len(row) else _crossing_50(q, p)
                if math.isfinite(x50):
                    _dot(a, room, x50, 0.5, st.colour)
                    panel_marks.append((h, x50))
                if h == horizons[-1]:
                    kind, x = _volume_kind(q, p, x50)
                    sentence = _volume_finding(kind, x, label, base, h, qmin, qmax,
                                               first=panel == 0)
                    if scenario_volume is not None:
                        sentence += _coin_flip(c, scenario_volume, "p_win", first=panel == 0)
                    sentences.append(sentence)
            _fifty_line(a, room)
            if scenario_volume is not None:
                _volume_line(a, room, scenario_volume)
            rooms.append(room)
            marks.append(panel_marks)
            subtitles.append(f"{label} vs {base}" if len(challengers) > 1 else
                             _subtitle(info, "total cost over each horizon"))
        _finish(fig, axes, created=created, finding=_rough(info, "; ".join(sentences)),
                subtitles=subtitles,
                footnote=_footnote(info, WILSON_NOTE, hidden, "pwin_vs_volume.csv"))
        _settle(fig)
        for a, room, panel_marks in zip(axes, rooms, marks):
            room.measure()
            _legend(a, room, title="Horizon")
            if scenario_volume is not None:
                _volume_label(a, room, scenario_volume)
            for h, x in sorted(panel_marks, reverse=True):  # the longest horizon first
                _annotate(a, room, x, 0.5, f"{h} mo: {format_volume(x)}/month",
                          arrowprops=dict(arrowstyle="-", color="#9A9A9A", lw=0.8,
                                          shrinkA=0, shrinkB=5))
    return _returned(fig, axes)


# --- 2. P(win) vs month --------------------------------------------------------------------


def _month_finding(paid: list[tuple[str, int | None]], base: str, volume: float,
                   horizon: int) -> str:
    head = f"At {format_volume(volume)} queries/month, "
    if len(paid) == 1:
        label, month = paid[0]
        if month is None:
            return head + f"{label} does not pay back in half of futures within {horizon} months"
        if month == 0:
            return head + f"{label} is cheaper than {base} from the start in half of futures"
        return head + f"{label} has paid back in half of futures by month {month}"
    by_month = [f"by month {m} for {lab}" for lab, m in paid if m]
    start = [lab for lab, m in paid if m == 0]
    never = [lab for lab, m in paid if m is None]
    parts = ["half of futures have paid back " + ", ".join(by_month)] if by_month else []
    if start:
        parts.append(f"{_and(start)} {_verb(start, 'is', 'are')} cheaper than {base} from the "
                     "start in half of futures")
    if never:
        parts.append(f"{_and(never)} {_verb(never, 'does', 'do')} not pay back in half of "
                     f"futures within {horizon} months")
    return head + "; ".join(parts)


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _verb(subjects: Sequence[str], one: str, many: str) -> str:
    return one if len(subjects) == 1 else many


def _month_ticks(ax: Axes, horizon: int) -> None:
    step = 6 if horizon > 18 else (3 if horizon > 6 else 1)
    ax.set_xlim(0, horizon)
    ax.set_xticks(np.arange(0, horizon + 1, step))


def plot_pwin_vs_month(
    curve: pd.DataFrame,
    info: RunInfo,
    *,
    volume: float,
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
        The run.
    volume
        The volume the curve was computed at (queries/month), for the title.
    ax
        Draw onto this axes.

    Returns
    -------
    fig : Figure
    ax : Axes
        All challengers on one axes, each in its colour; the title gives the first month where
        P(win) reaches 50 %.
    """
    _require(curve, _MONTH_COLUMNS, "curve")
    challengers = _strategies_in(info, curve["strategy"].unique())
    base = _base(info)
    horizon = int(curve["month"].max())
    last = curve[curve["month"] == horizon].set_index("strategy")
    challengers, hidden = _keep(
        challengers, lambda s: float(last["p_win"].get(s, -1.0)), MAX_SERIES)

    with house_style():
        fig, axes, created = _figure(ax)
        a = axes[0]
        set_probability_axis(a, f"P(cumulative cost below {base})")
        a.set_xlabel("End of month (months; 0 = after one-time costs)")
        _month_ticks(a, horizon)
        room = _Clearance(a)
        paid = []
        for s in challengers:
            c = curve[curve["strategy"] == s].sort_values("month")
            m = c["month"].to_numpy(int)
            p = c["p_win"].to_numpy(float)
            look = _look(info, s)
            colour = look.colour
            a.fill_between(m, c["p_win_low"], c["p_win_high"], color=colour, alpha=_BAND_ALPHA,
                           lw=0)
            a.plot(m, p, lw=3.0, label=_label(info, curve, s), zorder=3, **look.line_kw(len(m)))
            room.add_line(m, p)
            hit = np.flatnonzero(p >= 0.5)
            first = int(m[hit[0]]) if hit.size else None
            paid.append((_label(info, curve, s), first, float(p[hit[0]]) if hit.size else None))
            if first is not None:
                _dot(a, room, first, float(p[hit[0]]), colour)
        _fifty_line(a, room)
        subtitle = _subtitle(info, f"running total of cost against {base}, month by month")
        finding = _month_finding([(lab, m) for lab, m, _ in paid], base, volume, horizon)
        coins = [_label(info, curve, s) for s in challengers
                 if last.loc[s, "p_win_low"] <= 0.5 <= last.loc[s, "p_win_high"]]
        if coins:
            finding += (f"; after {horizon} months {_and(coins)} against {base} "
                        f"{_verb(coins, 'is', 'are')} a coin flip (the 95 % band holds 50 %)")
        _finish(fig, axes, created=created, finding=_rough(info, finding),
                subtitles=[subtitle],
                footnote=_footnote(info, WILSON_NOTE, hidden, "pwin_vs_month.csv"))
        _settle(fig)
        room.measure()
        _legend(a, room)
        for _label_text, first, p0 in paid:
            if first is not None:
                _annotate(a, room, first, p0, f"month {first}")
    return fig, a


# --- 3. and 4. distributions: breakeven volume and payback month ---------------------------

_STRIP_STEP = 0.075  # axes fraction between two percentile bars
_STRIP_TOP = 0.95


def _strip_heights(n: int) -> list[float]:
    return [_STRIP_TOP - _STRIP_STEP * k for k in range(n)]


def _histogram_axis(ax: Axes, tallest_pct: float, n_strips: int, label: str, *,
                    reserve: float = 0.0) -> float:
    """A 0..tallest percent y axis below the percentile bars, and ``reserve`` (axes fraction)
    more room; returns the floor of the bars' zone (axes fraction) for the legend's top."""
    floor = _STRIP_TOP - _STRIP_STEP * (n_strips - 1) - _STRIP_STEP * 0.7
    hist_top = max(floor - 0.04 - reserve, 0.3)
    # At least 0-2 %: a few stray futures must not look like a distribution.
    tallest_pct = max(tallest_pct, 2.0)
    ax.set_ylim(0, tallest_pct / hist_top)
    ticks = MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]).tick_values(0, tallest_pct)
    ticks = [t for t in ticks if 0 <= t <= tallest_pct * 1.08]
    ax.set_yticks(ticks)
    decimals = next((d for d in (0, 1, 2) if all(abs(t - round(t, d)) < 1e-9 for t in ticks)),
                    3)
    ax.yaxis.set_major_formatter(percent_formatter(xmax=100.0, decimals=decimals))
    ax.set_ylabel(label, y=hist_top / 2)  # centred on the histogram, clear of the bars' tags
    return floor


def _percentile_strips(ax: Axes, room: _Clearance, rows: Sequence[tuple[_Strip, str, str]],
                       lo: float, hi: float, fmt: Callable[[float], str]) -> None:
    """One P10-P90 bar with a median dot per row of (strip, colour, tag), top down from
    ``_STRIP_TOP``, and the numbers of each.

    A percentile outside [lo, hi] (never breaks even, already wins) is an arrow head at that
    edge. A ``tag`` (e.g. "36 mo") goes in the left margin like a tick label. The numbers go
    beside the bar, under or over it, wherever there is room, shortened if need be.
    """
    tr = blended_transform_factory(ax.transData, ax.transAxes)

    def clip(v: float) -> float:
        return min(max(float(v), lo), hi)

    placed = []
    for (values, colour, tag), y in zip(rows, _strip_heights(len(rows))):
        p10, p50, p90 = values.p10, values.p50, values.p90
        artists = ax.plot([clip(p10), clip(p90)], [y, y], color=colour, lw=3.5,
                          solid_capstyle="butt", transform=tr, zorder=5, clip_on=False)
        for v, arrow in ((p10, "<"), (p90, ">")):
            outside = v < lo or v > hi
            artists += ax.plot([clip(v)], [y], marker=arrow if outside else "|",
                               ms=9 if outside else 12, mew=2.5, color=colour, transform=tr,
                               zorder=5, clip_on=False)
        artists += ax.plot([clip(p50)], [y], marker="o", ms=10, mfc=colour, mec="white",
                           mew=1.5, transform=tr, zorder=6, clip_on=False)
        for artist in artists:
            artist.set_in_layout(False)
        if tag:
            ax.annotate(tag, xy=(0, y), xycoords="axes fraction", xytext=(-14, 0),
                        textcoords="offset points", ha="right", va="center",
                        fontsize=SMALL_FONT_PT, color=INK)
        pts = room.to_pts([clip(p10), clip(p50), clip(p90)], [y, y, y], y_axes=True)
        room.add_box((pts[0, 0] - 8, pts[0, 1] - 7, pts[2, 0] + 8, pts[0, 1] + 7))
        placed.append(((p10, p50, p90), pts, y, values))

    for row, ((p10, p50, p90), pts, y, values) in enumerate(placed):
        (x_lo, yp), (x_mid, _), (x_hi, _) = pts
        # Say the exact share, not the floor the percentiles imply (100 %, not "80 %+").
        if p10 > hi or p90 < lo:  # nine futures in ten beyond one end of the range
            share = values.share_high if p10 > hi else values.share_low
            texts = [f"{format_share(share)} of futures: {fmt(p10 if p10 > hi else p90)}"]
        elif p10 == p90:  # eight futures in ten on one value (e.g. cheaper from day one)
            texts = [f"{format_share(values.share_at_median)} of futures: {fmt(p50)}"]
        else:
            texts = [f"median {fmt(p50)} (P10 {fmt(p10)}, P90 {fmt(p90)})",
                     f"median {fmt(p50)}"]
        best = None
        for rank, text in enumerate(texts):
            w, h = room.text_size(text)
            spots = {  # name: (box, anchor x, offset points, ha, va)
                "right": ((x_hi + 12, yp - h / 2, x_hi + 12 + w, yp + h / 2),
                          clip(p90), (12, 0), "left", "center"),
                "left": ((x_lo - 12 - w, yp - h / 2, x_lo - 12, yp + h / 2),
                         clip(p10), (-12, 0), "right", "center"),
                "under": ((x_mid - w / 2, yp - 9 - h, x_mid + w / 2, yp - 9),
                          clip(p50), (0, -9), "center", "top"),
                "over": ((x_mid - w / 2, yp + 9, x_mid + w / 2, yp + 9 + h),
                         clip(p50), (0, 9), "center", "bottom"),
            }
            if row == 0:
                del spots["over"]  # the subtitle is there
            for k, (name, (box, anchor, offset, ha, va)) in enumerate(spots.items()):
                # Under the last bar is the histogram's headroom: only if nothing else fits.
                late = 5 if name == "under" and row == len(placed) - 1 else 0
                c = room.cost(box) + 0.5 * rank + 0.1 * k + late
                if best is None or c < best[0]:
                    best = (c, box, anchor, offset, ha, va, text)
            if best[0] < 1:
                break
        cost, box, anchor, offset, ha, va, text = best
        style = dict(_TEXT)
        if cost >= 50:  # nowhere clear: the short text on a white tag over the bar, beside the dot
            side = 1 if room.w - x_mid > x_mid else -1
            text, anchor, offset = texts[-1], clip(p50), (12 * side, 0)
            ha, va = ("left" if side > 0 else "right"), "center"
            style.update(path_effects=None,
                         bbox=dict(boxstyle="round,pad=0.25", fc="white", ec="none"))
        else:
            room.add_box(box)
        ax.annotate(text, xy=(anchor, y), xycoords=tr, xytext=offset,
                    textcoords="offset points", ha=ha, va=va, annotation_clip=False, zorder=8,
                    **style).set_in_layout(False)


def _share_entries(head: str, shares: Sequence[str], short: Sequence[str] = ()
                   ) -> tuple[str, ...]:
    """Wordings of a legend entry with its counted shares: on one line, on two, and the same
    with the ``short`` wording of the shares (for narrow panels)."""
    if not shares:
        return (head,) * 4
    short = short or shares
    return (f"{head}: " + ", ".join(shares), f"{head}:\n" + ", ".join(shares),
            f"{head}: " + ", ".join(short), f"{head}:\n" + ", ".join(short))


def _series(frame: pd.DataFrame, mask) -> tuple[np.ndarray, np.ndarray]:
    """(edges, percent per bin) of one histogram series of a histogram frame."""
    g = frame.loc[mask].sort_values("bin_low")
    edges = np.append(g["bin_low"].to_numpy(float), g["bin_high"].to_numpy(float)[-1:])
    return edges, 100.0 * g["share"].to_numpy(float)


def plot_breakeven(
    histogram: pd.DataFrame,
    percentiles: pd.DataFrame,
    info: RunInfo,
    *,
    volume_range: tuple[float, float],
    ax: Axes | None = None,
) -> tuple[Figure, Axes | np.ndarray]:
    """Distribution of the breakeven starting volume per horizon, one panel per challenger.

    Parameters
    ----------
    histogram
        :func:`ftrag_mc.analysis.compute_breakeven_histogram`: ``strategy``, ``label``,
        ``horizon_months``, ``bin_low``, ``bin_high`` (queries/month) and ``share`` of all futures.
    percentiles
        :func:`ftrag_mc.analysis.compute_breakeven`: ``p10``, ``p50``, ``p90`` (0 = below the
        range, inf = above), ``share_below_range``, ``share_above_range``, ``share_at_median``.
    info
        The run.
    volume_range
        ``(vmin, vmax)`` of the volume sweep, queries/month.
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
        A column is missing, a value is NaN, ``volume_range`` is not increasing and positive,
        or ``ax`` is given with more than one challenger.

    Notes
    -----
    Bars are the share of ALL futures per log-spaced bin, so a horizon's bars add up to the
    share that breaks even inside the range; the shares below and above the range are in the
    legend. Every number drawn is a cell of the two frames (and so of the run's CSVs).
    """
    _require(histogram, (*_HISTOGRAM_COLUMNS, "horizon_months"), "histogram")
    _require(percentiles, _BREAKEVEN_COLUMNS, "percentiles")
    vmin, vmax = (float(v) for v in volume_range)
    if not 0 < vmin < vmax:
        raise ValueError(f"volume_range must be (vmin, vmax) with 0 < vmin < vmax: {volume_range}")
    challengers = _strategies_in(info, histogram["strategy"].unique())
    if ax is not None and len(challengers) != 1:
        raise ValueError(
            f"ax is given, so the frames must hold one challenger; they hold {challengers}")
    if histogram["share"].isna().any() or percentiles[["p10", "p50", "p90"]].isna().any().any():
        raise ValueError("the breakeven frames hold NaN (use 0.0 or inf for out of range)")
    horizons = sorted(int(h) for h in histogram["horizon_months"].unique())
    base = _base(info)
    rows = percentiles.set_index(["strategy", "horizon_months"])

    def low_median(s: str) -> float:  # the lowest median breakeven matters most
        key = (s, horizons[-1])
        return -float(rows.loc[key, "p50"]) if key in rows.index else -math.inf

    challengers, hidden = _keep(challengers, low_median, MAX_PANELS)

    def fmt(v: float) -> str:
        if v < vmin:
            return f"<{format_volume(vmin)}"
        return f">{format_volume(vmax)}" if v > vmax else format_volume(v)

    with house_style():
        fig, axes, created = _figure(ax, ncols=len(challengers))
        medians, panels = [], []
        edges = None
        for a, s in zip(axes, challengers):
            label = _label(info, histogram, s)
            styles = _horizon_styles(info.colour(s), horizons)
            set_volume_axis(a, "Breakeven starting volume (queries/month, log scale)")
            a.set_xlim(vmin, vmax)
            drawn, entries = [], []
            for k, h in enumerate(sorted(horizons, reverse=True)):  # longest first, on top
                mask = (histogram["strategy"] == s) & (histogram["horizon_months"] == h)
                if not mask.any() or (s, h) not in rows.index:
                    continue
                edges, pct = _series(histogram, mask)
                r = rows.loc[(s, h)]
                below, above = float(r["share_below_range"]), float(r["share_above_range"])
                strip = _Strip(float(r["p10"]), float(r["p50"]), float(r["p90"]), below, above,
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
                entries.append(_share_entries(f"{h} months", shares, short))
                st = styles[h]
                a.stairs(pct, edges, color=st.colour, ls=st.linestyle, lw=st.linewidth,
                         label=entries[-1][0], zorder=4 - k / 10)
                if len(drawn) == 1:
                    medians.append((label, strip.p50, above, below))
            _histogram_axis(a, _tallest(drawn), len(drawn), "Share of futures (% per bin)")
            panels.append((a, drawn, styles, entries, _breakeven_empty(drawn, label, vmin, vmax)))
        subtitles = [
            _subtitle(info, f"volume from which {_label(info, histogram, s)} is cheaper than {base}")
            if len(challengers) == 1 else f"{_label(info, histogram, s)} vs {base}"
            for s in challengers
        ]
        _finish(fig, axes, created=created,
                finding=_rough(info, _breakeven_finding(medians, horizons[-1], vmin, vmax)),
                subtitles=subtitles,
                footnote=_footnote(info, PERCENTILE_NOTE, hidden, "breakeven.csv"))
        _settle(fig)
        for a, drawn, styles, entries, empty in panels:
            if empty:
                _nothing_to_show(a, empty)
                continue
            variants = list(zip(*entries))
            room, floor = _histogram_room(a, drawn, edges)
            if not room.place_legend(variants, title="Horizon", top=floor, dry_run=True)[2]:
                # No free corner: lower the histogram to make a band for the legend.
                lines = len(entries) + 1
                room, floor = _histogram_room(
                    a, drawn, edges, reserve=(lines * 1.5 * SMALL_FONT_PT + 14) / room.h)
            _percentile_strips(a, room, [(v, styles[h].colour, f"{h} mo") for h, v, _ in drawn],
                               vmin, vmax, fmt)
            _legend(a, room, title="Horizon", top=floor, variants=variants)
    return _returned(fig, axes)


def _breakeven_empty(drawn: Sequence[tuple[int, _Strip, np.ndarray]], label: str,
                     vmin: float, vmax: float) -> str:
    """Why a breakeven panel has nothing to draw (every future outside the sweep), or ""."""
    if not drawn:
        return f"No breakeven volumes for {label} in this run: nothing to show"
    if any(strip.share_low + strip.share_high < 1 - 1e-9 for _, strip, _ in drawn):
        return ""
    where = ("already cheaper at " + format_volume(vmin)
             if all(strip.share_low >= 1 - 1e-9 for _, strip, _ in drawn)
             else "never breaks even below " + format_volume(vmax)
             if all(strip.share_high >= 1 - 1e-9 for _, strip, _ in drawn)
             else f"outside {format_volume(vmin)}–{format_volume(vmax)}")
    return (f"In every future, {label} is {where} queries/month at every horizon: "
            "no breakeven inside the sweep, nothing to show on a breakeven axis"
            if where.startswith("already") else
            f"In every future, {label} {where} queries/month at every horizon: "
            "nothing to show on a breakeven axis"
            if where.startswith("never") else
            f"In every future the breakeven of {label} is {where} queries/month: "
            "nothing to show on a breakeven axis")


def _tallest(drawn: Sequence[tuple[int, _Strip, np.ndarray]]) -> float:
    return max((float(pct.max()) for _, _, pct in drawn), default=0.0)


def _histogram_room(ax: Axes, drawn: Sequence[tuple[int, _Strip, np.ndarray]],
                    edges: np.ndarray, *, reserve: float = 0.0) -> tuple[_Clearance, float]:
    """Scale the y axis (leaving ``reserve`` axes fraction free under the percentile bars) and
    record the histograms, outline and area, as occupied; the room and the bars' floor."""
    floor = _histogram_axis(ax, _tallest(drawn), len(drawn), ax.get_ylabel(), reserve=reserve)
    room = _Clearance(ax)
    for _h, _v, pct in drawn:
        room.add_line(np.repeat(edges, 2), np.concatenate([[0], np.repeat(pct, 2), [0]]))
        for e0, e1, height in zip(edges[:-1], edges[1:], pct):
            room.add_line([np.sqrt(e0 * e1)] * 2, [0, height], weight=1)
    room.measure()
    return room, floor


def _breakeven_finding(medians: list[tuple[str, float, float, float]], horizon: int,
                       vmin: float, vmax: float) -> str:
    """Title from the longest horizon's median breakeven of each challenger."""
    if len(medians) == 1:
        label, p50, above, below = medians[0]
        if p50 > vmax:
            return (f"{label} never breaks even below {format_volume(vmax)} queries/month in "
                    f"most futures over {horizon} months ({format_share(above)})")
        if p50 < vmin:
            return (f"{label} already wins at {format_volume(vmin)} queries/month in "
                    f"{format_share(below)} of futures over {horizon} months")
        text = f"Median breakeven: {format_volume(p50)} queries/month over {horizon} months"
        if above > 0:
            text += (f" ({format_share(above)} of futures never break even below "
                     f"{format_volume(vmax)})")
        return text
    parts = []
    for label, p50, _above, _below in medians:
        where = (f"above {format_volume(vmax)}" if p50 > vmax
                 else f"below {format_volume(vmin)}" if p50 < vmin else format_volume(p50))
        parts.append(f"{label} {where}")
    return (f"Median breakeven over {horizon} months: " + "; ".join(parts)
            + " queries/month")


def plot_payback(
    histogram: pd.DataFrame,
    percentiles: pd.DataFrame,
    info: RunInfo,
    *,
    volume: float,
    horizon_months: int,
    ax: Axes | None = None,
) -> tuple[Figure, Axes]:
    """Distribution of the payback month at the scenario's volume.

    Parameters
    ----------
    histogram
        :func:`ftrag_mc.analysis.compute_payback_histogram`: ``strategy``, ``label``, ``bin_low``,
        ``bin_high`` (months) and ``share`` of all futures.
    percentiles
        :func:`ftrag_mc.analysis.compute_payback`: ``p10``, ``p50``, ``p90`` (0 = cheaper from
        day one, inf = not within the horizon), ``share_immediate``, ``share_never``,
        ``share_at_median``.
    info
        The run.
    volume
        The volume the paybacks were computed at (queries/month), for the title and x label.
    horizon_months
        The horizon H (months).
    ax
        Draw onto this axes.

    Returns
    -------
    fig : Figure
    ax : Axes
        One step histogram per challenger (1-month bins) on one axes, with P10/P50/P90 bars.
    """
    _require(histogram, _HISTOGRAM_COLUMNS, "histogram")
    _require(percentiles, _PAYBACK_COLUMNS, "percentiles")
    challengers = _strategies_in(info, histogram["strategy"].unique())
    horizon = int(horizon_months)
    if horizon < 1:
        raise ValueError(f"horizon_months must be at least 1, not {horizon_months}")
    if histogram["share"].isna().any() or percentiles[["p10", "p50", "p90"]].isna().any().any():
        raise ValueError("the payback frames hold NaN (use inf for 'not within the horizon')")
    base = _base(info)
    rows = percentiles.set_index("strategy")
    # The earliest median payback matters most (ties: the larger share cheaper from day one).
    challengers, hidden = _keep(
        challengers, lambda s: (-float(rows.loc[s, "p50"]) + 1e-3 * float(rows.loc[s, "share_immediate"])
                                if s in rows.index else -math.inf), MAX_STRIPS)
    single = len(challengers) == 1

    def fmt(v: float) -> str:
        return f">{horizon} mo" if v > horizon else ("0 mo" if v == 0 else f"{v:.1f} mo")

    with house_style():
        fig, axes, created = _figure(ax)
        a = axes[0]
        _month_ticks(a, horizon)
        a.set_xlabel(f"Payback (months from start, at {format_volume(volume)} queries/month)")
        drawn = []
        for s in challengers:
            edges, pct = _series(histogram, histogram["strategy"] == s)
            r = rows.loc[s]
            strip = _Strip(float(r["p10"]), float(r["p50"]), float(r["p90"]), 0.0,
                           float(r["share_never"]), float(r["share_at_median"]))
            drawn.append((s, strip, pct, edges, float(r["share_never"]), float(r["share_immediate"])))
        floor = _histogram_axis(a, max(float(pct.max()) for _, _, pct, *_ in drawn), len(drawn),
                                "Share of futures (% per 1-month bin)")
        room = _Clearance(a)
        medians, entries = [], []
        for s, strip, pct, edges, never, day_one in drawn:
            look, label = _look(info, s), _label(info, histogram, s)
            colour = look.colour
            shares = [] if never == 0 and day_one > 0 else [
                f"{format_share(never)} not within {horizon} months"]
            if day_one > 0:
                shares.append(f"{format_share(day_one)} cheaper from day one")
            entries.append(_share_entries(label, shares))
            a.stairs(pct, edges, color=colour, lw=2.6, zorder=3, label=entries[-1][0],
                     fill=single, facecolor=tint(colour, 0.65) if single else None,
                     edgecolor=colour, ls=look.linestyle)
            room.add_line(np.repeat(edges, 2), np.concatenate([[0], np.repeat(pct, 2), [0]]))
            if single:  # a filled histogram: its inside is taken too
                for e0, e1, height in zip(edges[:-1], edges[1:], pct):
                    room.add_line([(e0 + e1) / 2] * 2, [0, height])
            medians.append((label, strip.p50, never, day_one))
        _finish(fig, axes, created=created,
                finding=_rough(info, _payback_finding(medians, volume, horizon)),
                subtitles=[_subtitle(info, "month from which the cumulative saving against "
                                         f"{base} is positive")],
                footnote=_footnote(info, PERCENTILE_NOTE, hidden, "payback.csv"))
        _settle(fig)
        empty = _payback_empty([(never, day_one) for *_, never, day_one in drawn], horizon)
        if empty:
            _nothing_to_show(a, empty)
            return fig, a
        room.measure()
        _percentile_strips(a, room, [(strip, info.colour(s), "") for s, strip, *_ in drawn],
                           0.0, float(horizon), fmt)
        _legend(a, room, top=floor, variants=list(zip(*entries)))
    return fig, a


def _payback_empty(shares: Sequence[tuple[float, float]], horizon: int) -> str:
    """Why the payback axis has nothing to draw (every future pays back in month 0 or never
    within the horizon), or ""; ``shares`` are (share never, share from day one)."""
    full = 1 - 1e-9
    if any(never + day_one < full for never, day_one in shares):
        return ""
    if all(day_one >= full for _, day_one in shares):
        return "Every future is cheaper from day one: nothing to show on a payback axis"
    if all(never >= full for never, _ in shares):
        return (f"No future pays back within {horizon} months: nothing to show on a "
                "payback axis")
    return (f"Every future is either cheaper from day one or does not pay back within "
            f"{horizon} months: nothing to show on a payback axis")


def _payback_finding(medians: list[tuple[str, float, float, float]], volume: float,
                     horizon: int) -> str:
    head = f"At {format_volume(volume)} queries/month, "
    if len(medians) == 1:
        label, p50, never, day_one = medians[0]
        if math.isinf(p50):
            return head + (f"{label} does not pay back within {horizon} months in most futures "
                           f"({format_share(never)})")
        if p50 == 0:
            return head + (f"{label} is cheaper from day one in most futures "
                           f"({format_share(day_one)})")
        text = head + f"{label} pays back in {format_months(p50)} (median)"
        if never > 0:
            text += f"; {format_share(never)} of futures never do within {horizon} months"
        return text
    finite = [f"{format_months(p50)} for {label}" for label, p50, _, _ in medians
              if 0 < p50 < math.inf]
    day_one = [label for label, p50, _, _ in medians if p50 == 0]
    never = [label for label, p50, _, _ in medians if math.isinf(p50)]
    parts = ["median payback is " + ", ".join(finite)] if finite else []
    if day_one:
        parts.append(f"{_and(day_one)} {_verb(day_one, 'is', 'are')} cheaper from day one in "
                     "most futures")
    if never:
        parts.append(f"{_and(never)} {_verb(never, 'does', 'do')} not pay back within "
                     f"{horizon} months in most futures")
    return head + "; ".join(parts)


# --- 5. P(cheapest) vs volume --------------------------------------------------------------


def _regimes(leader: Sequence[str]) -> list[tuple[str, int, int]]:
    """Runs of the same leader along the grid: (strategy, first index, last index).

    A one-point run between two runs of the same strategy is Monte Carlo noise: merged away.
    """
    runs: list[list] = []
    for i, s in enumerate(leader):
        if runs and runs[-1][0] == s:
            runs[-1][2] = i
        elif len(runs) >= 2 and runs[-1][1] == runs[-1][2] and runs[-2][0] == s:
            runs.pop()
            runs[-1][2] = i
        else:
            runs.append([s, i, i])
    return [(s, i0, i1) for s, i0, i1 in runs]


def plot_cheapest_vs_volume(
    curves: pd.DataFrame,
    info: RunInfo,
    *,
    horizon_months: int,
    scenario_volume: float | None = None,
    ax: Axes | None = None,
) -> tuple[Figure, Axes]:
    """P(each strategy has the lowest total cost of all, baseline included) against volume.

    Parameters
    ----------
    curves
        ``strategy``, ``label``, ``horizon_months``, ``queries_per_month`` (queries/month),
        ``p_cheapest`` (0..1) with its 95 % Wilson band ``p_cheapest_low``/``p_cheapest_high``.
    info
        The run.
    horizon_months
        Which horizon to show (months); it must be in ``curves``.
    scenario_volume
        The scenario's own volume (queries/month), marked "your volume".
    ax
        Draw onto this axes.

    Returns
    -------
    fig : Figure
    ax : Axes
        The title names the most likely cheapest strategy in each volume range; dotted
        verticals mark where the lead changes.
    """
    _require(curves, _CHEAPEST_COLUMNS, "curves")
    h = int(horizon_months)
    sub = curves[curves["horizon_months"] == h]
    if sub.empty:
        raise ValueError(f"curves hold no rows for horizon {h} months (horizons: "
                         f"{sorted(curves['horizon_months'].unique().tolist())})")
    strategies = _strategies_in(info, sub["strategy"].unique(), baseline=True)
    table = sub.pivot_table(index="queries_per_month", columns="strategy",
                            values="p_cheapest").sort_index()[strategies]
    q = table.index.to_numpy(float)
    leader = [strategies[i] for i in np.nanargmax(table.to_numpy(float), axis=1)]
    runs = _regimes(leader)
    bounds = []
    for (s0, _, i0), (s1, i1, _) in zip(runs, runs[1:]):
        d0 = table[s0].iloc[i0] - table[s1].iloc[i0]
        d1 = table[s0].iloc[i1] - table[s1].iloc[i1]
        t = d0 / (d0 - d1) if d0 != d1 else 0.5
        bounds.append(float(np.exp(np.log(q[i0]) + t * (np.log(q[i1]) - np.log(q[i0])))))
    peak = table.max(axis=0)
    drawn, hidden = _keep(strategies, lambda s: float(peak[s]), MAX_SERIES,
                          always=[info.baseline, *(s for s, _, _ in runs)])

    with house_style():
        fig, axes, created = _figure(ax)
        a = axes[0]
        set_volume_axis(a)
        a.set_xlim(q[0] / 1.15, q[-1] * 1.15)
        set_probability_axis(a, "P(cheapest of all strategies)")
        room = _Clearance(a)
        for s in drawn:
            c = sub[sub["strategy"] == s].sort_values("queries_per_month")
            look = _look(info, s)
            colour = look.colour
            label = _label(info, sub, s) + (", baseline" if s == info.baseline else "")
            a.fill_between(c["queries_per_month"], c["p_cheapest_low"], c["p_cheapest_high"],
                           color=colour, alpha=_BAND_ALPHA, lw=0)
            a.plot(c["queries_per_month"], c["p_cheapest"], lw=3.0, label=label, zorder=3,
                   **look.line_kw(len(c)))
            room.add_line(c["queries_per_month"], c["p_cheapest"])
        for x in bounds:
            a.axvline(x, color="#A0A0A0", lw=1.0, ls=(0, (1, 2)), zorder=1)
            room.add_line([x, x], [0, 1], y_axes=True, weight=2)
        if scenario_volume is not None:
            _volume_line(a, room, scenario_volume)
        finding = _cheapest_finding([_label(info, sub, s) for s, _, _ in runs], bounds, q, h)
        if scenario_volume is not None:
            finding += _too_close(sub, strategies, scenario_volume,
                                  lambda s: _label(info, sub, s))
        _finish(fig, axes, created=created, finding=_rough(info, finding),
                subtitles=[_subtitle(info, "chance that each strategy has the lowest total cost "
                                         f"over {h} months")],
                footnote=_footnote(info, WILSON_NOTE, hidden, "cheapest_vs_volume.csv",
                                   what="strategy"))
        _settle(fig)
        room.measure()
        _legend(a, room)
        if scenario_volume is not None:
            _volume_label(a, room, scenario_volume)
    return fig, a


def _too_close(sub: pd.DataFrame, strategies: Sequence[str], volume: float,
               label: Callable[[str], str]) -> str:
    """"; too close to call at your volume" when the two likeliest strategies' 95 % bands
    overlap there, else ""."""
    at = []
    for s in strategies:
        c = sub[sub["strategy"] == s].sort_values("queries_per_month")
        at.append((*_at_volume(c, volume, "p_cheapest"), s))
    at.sort(reverse=True)
    if len(at) < 2:
        return ""
    (p0, lo0, _hi0, s0), (p1, _lo1, hi1, s1) = at[0], at[1]
    if hi1 < lo0:
        return ""
    return (f"; at your {format_volume(volume)} queries/month {label(s0)} "
            f"({format_share(p0)}) and {label(s1)} ({format_share(p1)}) are too close to call")


def _cheapest_finding(leaders: Sequence[str], bounds: Sequence[float], q: np.ndarray,
                      horizon: int) -> str:
    head = f"Most likely cheapest over {horizon} months: "
    if len(leaders) == 1:
        return head + (f"{leaders[0]} at every volume from {format_volume(q[0])} to "
                       f"{format_volume(q[-1])} queries/month")
    parts = [f"{leaders[0]} below {format_volume(bounds[0])} queries/month"]
    for k in range(1, len(leaders) - 1):
        parts.append(f"{leaders[k]} {format_volume(bounds[k - 1])}–{format_volume(bounds[k])}")
    parts.append(f"{leaders[-1]} above" if len(leaders) == 2
                 else f"{leaders[-1]} above {format_volume(bounds[-1])}")
    return head + ("; " if any("," in lab for lab in leaders) else ", ").join(parts)
