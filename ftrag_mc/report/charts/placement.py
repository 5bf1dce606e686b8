"""Room on an axes for labels and the legend, so that nothing covers the data.

A chart records what it drew (:class:`Clearance`), lets the layout run, then places each label,
the legend and "your volume" where they cover the fewest lines; the marks every chart shares
(the 50 % line, a dot on it, the scenario's volume) record themselves as they are drawn.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.transforms import blended_transform_factory

from ftrag_mc.report.style import INK, SMALL_FONT_PT, format_volume

HALO = [patheffects.withStroke(linewidth=4, foreground="white")]

TEXT_STYLE = dict(fontsize=SMALL_FONT_PT, color=INK, path_effects=HALO)

CHAR_EM = 0.6  # average width of a DejaVu Sans character, in em


_Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in points from the axes' lower left


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
        """Data (or data x, axes-fraction y) -> points from the axes' lower-left corner."""
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
        """Mark a placed label's box as taken."""
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
        """(width, height) in points of ``text``, as DejaVu Sans draws it on average."""
        lines = text.split("\n")
        return (max(len(s) for s in lines) * CHAR_EM * fontsize + 6,
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
            w = max(len(s) for s in [*lines, title]) * CHAR_EM * SMALL_FONT_PT + 50
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
            variants: Sequence[Sequence[str]] | None = None, outside: bool = False) -> None:
    """The legend where it covers the least; ``variants`` are alternative wordings of the
    entries (e.g. on one line or two), the one that fits best is used. With ``outside``, a
    legend that finds no free spot inside goes to the right of the axes (the figure's layout
    then narrows them) instead of covering curves."""
    handles, labels = ax.get_legend_handles_labels()
    if outside and not room.place_legend(variants or [labels], title=title, top=top, dry_run=True)[2]:
        ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.02, 1.0), title=title or None,
                  alignment="left", frameon=False, borderaxespad=0.0)
        return
    choice, loc, free = room.place_legend(variants or [labels], title=title, top=top)
    # Where no spot is free (a crowded, narrow panel) the legend gets a white backing.
    ax.legend(handles, list((variants or [labels])[choice]), loc=loc,
              bbox_to_anchor=(0.0, 0.0, 1.0, top), title=title or None, alignment="left",
              frameon=not free, facecolor="white", edgecolor="none",
              framealpha=0.9).set_zorder(9)


def annotate(ax: Axes, room: Clearance, x: float, y: float, text: str, **kw) -> None:
    """``text`` next to the data point (x, y), where it covers the least (``kw``: e.g. a leader)."""
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
    """The 50 % line of a probability axis."""
    ax.axhline(0.5, color="#666666", lw=1.1, zorder=1)
    room.add_line(ax.get_xlim(), [0.5, 0.5], weight=2)


def dot(ax: Axes, room: Clearance, x: float, y: float, colour: str) -> None:
    """A marked point (a 50 % crossing), never to be covered by a label."""
    ax.plot([x], [y], marker="o", ms=9, mfc=colour, mec="white", mew=1.5, zorder=6,
            clip_on=False)
    room.add_line([x, x], [y - 0.015, y + 0.015], weight=50)
