"""How charts are laid out, shared by every chart module: frames checked, figures and grids of
small multiples, labels shortened, strategies told apart, titles, subtitles and footnotes, and
free room found for labels and legends so nothing covers the data.

With ``ax=None`` a chart makes its own ~10 x 6 in figure (:func:`make_figure`): the finding is
the figure title and a grey subtitle says what is compared. With a caller's ``ax`` the finding
becomes that axes' title and the footnote is written at the bottom of the caller's figure
(:func:`finish`). A chart with nothing to show says why (:func:`nothing_to_show`).
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

from ftrag_mc.report.findings import FEW_SAMPLES, Strip
from ftrag_mc.report.style import (
    BASE_FONT_PT,
    FIGSIZE_IN,
    INK,
    MUTED,
    OKABE_ITO,
    SMALL_FONT_PT,
    RunInfo,
    add_footnote,
    apply_house_style,
    escape,
    format_share,
    format_volume,
    percent_formatter,
    quiet_glyph_warnings,
    tint,
    warn_undrawable,
    wrap,
)


WILSON_NOTE = "bands: 95 % Wilson intervals (Monte Carlo error)"


PERCENTILE_NOTE = (
    "bars: P10–P90 of all futures, dot = median; futures outside the range are counted, "
    "not dropped"
)


BAND_ALPHA = 0.2


HALO = [patheffects.withStroke(linewidth=4, foreground="white")]


TEXT_STYLE = dict(fontsize=SMALL_FONT_PT, color=INK, path_effects=HALO)


def require_columns(frame: pd.DataFrame, columns: Sequence[str], name: str, *,
             may_be_empty: bool = False) -> None:
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


LABEL_MAX_CHARS = 40  # a strategy label longer than this is cut with an ellipsis


MAX_PANELS = 12  # small multiples per chart: at most 4 rows of 3, the rest are in the CSV


MAX_COLUMNS = 3


MAX_SERIES = 8  # strategies drawn on one shared axes (P(win) by month, P(cheapest))


MAX_STRIPS = 6  # challengers on the payback axes (each has a percentile bar over the histogram)


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


def strategy_label(info: RunInfo, frame: pd.DataFrame | None, strategy: str) -> str:
    """The scenario's label for a strategy, else the frame's, else its name; shortened."""
    if strategy in info.labels or frame is None:
        text = info.labels.get(strategy, strategy)
    else:
        rows = frame.loc[frame["strategy"] == strategy, "label"]
        text = str(rows.iloc[0]) if len(rows) else strategy
    return escape(shorten(text))


def baseline_label(info: RunInfo) -> str:
    return strategy_label(info, None, info.baseline)


@dataclass(frozen=True)
class Look:
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


def look_of(info: RunInfo, strategy: str) -> Look:
    """The strategy's colour (:attr:`RunInfo.colours`) and, past the palette's seven colours,
    a dash pattern and marker of its own."""
    order = list(info.colours)
    rnd = order.index(strategy) // len(OKABE_ITO) if strategy in order else 0
    return Look(info.colour(strategy), _ROUND_DASHES[rnd % len(_ROUND_DASHES)],
                 _ROUND_MARKERS[rnd % len(_ROUND_MARKERS)])


def chart_footnote(info: RunInfo, note: str, hidden: int = 0, csv: str = "",
              what: str = "challenger") -> str:
    """The run's footnote, with how many strategies are left out and whether it is rough."""
    extra = [note]
    if hidden:
        extra.append(f"{hidden} more {what}{'s' if hidden != 1 else ''} not drawn: see {csv}")
    if info.samples < FEW_SAMPLES:
        extra.append(f"rough estimate: only {info.samples:,} samples (fewer than "
                     f"{FEW_SAMPLES:,})")
    return info.footnote(" · ".join(extra))


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


def grid_shape(n: int) -> tuple[int, int]:
    """(rows, columns) of ``n`` small multiples: one row up to three, then rows of 2 or 3."""
    ncols = n if n <= MAX_COLUMNS else (2 if n == 4 else MAX_COLUMNS)
    return math.ceil(n / ncols), ncols


def make_figure(ax: Axes | None, *, ncols: int = 1, sharey: bool = False
            ) -> tuple[Figure, list[Axes], bool]:
    """The caller's axes, or a new figure with ``ncols`` panels: side by side up to three,
    then a grid of small multiples, the figure growing a row at a time."""
    if ax is not None:
        if not isinstance(ax, Axes):
            raise TypeError(f"ax must be a matplotlib Axes, not {type(ax).__name__}")
        apply_house_style(ax)
        return ax.get_figure(root=True), [ax], False
    n = max(int(ncols), 1)
    rows, cols = grid_shape(n)
    width = {1: FIGSIZE_IN[0], 2: 14.0}.get(cols, 17.0)
    height = FIGSIZE_IN[1] + (0.5 if n > 1 else 0) + 4.0 * (rows - 1)
    fig, grid = plt.subplots(rows, cols, figsize=(width, height), sharey=sharey, squeeze=False,
                             layout="constrained")
    axes = list(grid.ravel())
    for extra in axes[n:]:
        fig.delaxes(extra)
    apply_house_style(fig)
    return fig, axes[:n], True


def nothing_to_show(ax: Axes, sentence: str) -> None:
    """An axes with no data to draw says why instead of standing empty."""
    for artist in [*ax.lines, *ax.patches, *ax.collections, *ax.texts]:
        artist.remove()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    ax.set_axis_off()
    width_in = ax.get_position().width * ax.get_figure(root=True).get_figwidth()
    ax.text(0.5, 0.55, wrap(escape(sentence), max(int(width_in / 0.11), 24)),
            transform=ax.transAxes, ha="center", va="center", fontsize=13, color=INK,
            gid="ftrag-nothing-to-show")


def finish(fig: Figure, axes: list[Axes], *, created: bool, finding: str,
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


def chart_subtitle(info: RunInfo, what: str) -> str:
    """The scenario's title and what the chart measures (the "·" never starts a line)."""
    return f"{info.title}\u00a0· {what}"


def returned(fig: Figure, axes: list[Axes]) -> tuple[Figure, Axes | np.ndarray]:
    return fig, (axes[0] if len(axes) == 1 else np.array(axes, dtype=object))


@dataclass(frozen=True)
class LineStyle:
    colour: str
    linestyle: object
    linewidth: float


def horizon_styles(colour: str, horizons: Iterable[int]) -> dict[int, LineStyle]:
    """Longest horizon: the strategy's own colour, solid; shorter ones lighter and dashed."""
    dashes: list[object] = ["-", (0, (5, 2)), (0, (1.5, 1.5)), (0, (5, 2, 1.5, 2))]
    tints = [0.0, 0.3, 0.45, 0.55]
    styles = {}
    for rank, h in enumerate(sorted(set(horizons), reverse=True)):
        k = min(rank, len(dashes) - 1)
        styles[h] = LineStyle(tint(colour, tints[k]), dashes[k], 3.0 if rank == 0 else 2.4)
    return styles


_CHAR_EM = 0.6  # average width of a DejaVu Sans character, in em


_Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in points from the axes' lower left


def settle(fig: Figure) -> None:
    """Run the figure's layout now, so axes sizes are final before labels are placed."""
    engine = fig.get_layout_engine()
    if engine is not None:
        warn_undrawable(fig)  # once, not once per glyph
        with quiet_glyph_warnings():
            engine.execute(fig)


class Clearance:
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
        """Take the axes' size (call after :func:`settle`) and sample the lines every ~2 pt."""
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


def draw_legend(ax: Axes, room: Clearance, *, title: str = "", top: float = 1.0,
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


def annotate(ax: Axes, room: Clearance, x: float, y: float, text: str, **kw) -> None:
    dx, dy, ha, va = room.place_text(x, y, text)
    ax.annotate(text, xy=(x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                zorder=7, annotation_clip=False, **TEXT_STYLE, **kw).set_in_layout(False)


def volume_line(ax: Axes, room: Clearance, volume: float) -> None:
    """Dark dashed vertical line at the scenario's volume (labelled by :func:`volume_label`)."""
    ax.axvline(volume, color=INK, lw=1.4, ls=(0, (4, 3)), zorder=2)
    room.add_line([volume, volume], [0, 1], y_axes=True, weight=1)


def volume_label(ax: Axes, room: Clearance, volume: float) -> None:
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
                **TEXT_STYLE).set_in_layout(False)


def fifty_line(ax: Axes, room: Clearance) -> None:
    ax.axhline(0.5, color="#666666", lw=1.1, zorder=1)
    room.add_line(ax.get_xlim(), [0.5, 0.5], weight=2)


def dot(ax: Axes, room: Clearance, x: float, y: float, colour: str) -> None:
    ax.plot([x], [y], marker="o", ms=9, mfc=colour, mec="white", mew=1.5, zorder=6,
            clip_on=False)
    room.add_line([x, x], [y - 0.015, y + 0.015], weight=50)


def month_ticks(ax: Axes, horizon: int) -> None:
    step = 6 if horizon > 18 else (3 if horizon > 6 else 1)
    ax.set_xlim(0, horizon)
    ax.set_xticks(np.arange(0, horizon + 1, step))


_STRIP_STEP = 0.075  # axes fraction between two percentile bars


_STRIP_TOP = 0.95


def _strip_heights(n: int) -> list[float]:
    return [_STRIP_TOP - _STRIP_STEP * k for k in range(n)]


def histogram_axis(ax: Axes, tallest_pct: float, n_strips: int, label: str, *,
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
    # Centred on the histogram, clear of the bars' tags, but never hanging below the axes into
    # the footnote: a label longer than twice the histogram's height is raised to fit.
    height_pt = ax.get_position().height * ax.get_figure(root=True).get_figheight() * 72
    half = len(label) * _CHAR_EM * BASE_FONT_PT / 2 / max(height_pt, 1.0)
    ax.set_ylabel(label, y=min(max(hist_top / 2, half + 0.02), 0.5))
    return floor


def percentile_strips(ax: Axes, room: Clearance, rows: Sequence[tuple[Strip, str, str]],
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
        style = dict(TEXT_STYLE)
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


def share_entries(head: str, shares: Sequence[str], short: Sequence[str] = ()
                   ) -> tuple[str, ...]:
    """Wordings of a legend entry with its counted shares: on one line, on two, and the same
    with the ``short`` wording of the shares (for narrow panels)."""
    if not shares:
        return (head,) * 4
    short = short or shares
    return (f"{head}: " + ", ".join(shares), f"{head}:\n" + ", ".join(shares),
            f"{head}: " + ", ".join(short), f"{head}:\n" + ", ".join(short))


def histogram_series(frame: pd.DataFrame, mask) -> tuple[np.ndarray, np.ndarray]:
    """(edges, percent per bin) of one histogram series of a histogram frame."""
    g = frame.loc[mask].sort_values("bin_low")
    edges = np.append(g["bin_low"].to_numpy(float), g["bin_high"].to_numpy(float)[-1:])
    return edges, 100.0 * g["share"].to_numpy(float)