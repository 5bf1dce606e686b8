"""The page's main chart, P(win) against volume, written as SVG directly: what an edit waits for.

The report draws this chart with matplotlib (``plot_pwin_vs_volume``), which takes ~0.2 s at the
page's size (~0.3 s on a shared core): most of an edit's wait. Here the same frame, the same
finding (its title), colours, line styles, bands, crossings and "your volume" are written as
a few dozen SVG elements in about a millisecond; the board pack and ``run``'s PNG stay
matplotlib's. Text is left to the browser (DejaVu Sans, as the report, else a sans-serif of the
same build), so it stays sharp and selectable.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from xml.sax.saxutils import escape as xml

import numpy as np
import pandas as pd

from ftrag_mc.report.charts import pwin_vs_volume_finding
from ftrag_mc.report.charts.canvas import BAND_ALPHA
from ftrag_mc.report.charts.labels import horizon_styles
from ftrag_mc.report.charts.pwin_volume import crossing_50
from ftrag_mc.report.findings import cut
from ftrag_mc.report.numbers import format_volume
from ftrag_mc.report.style import RunInfo, wrap_words

__all__ = ["LIVE_SIZE_PX", "pwin_svg"]

#: The chart's size in pixels (the report's 10 x 6 inches at 80 dots per inch).
LIVE_SIZE_PX = (800, 480)
_LEFT, _RIGHT, _TOP, _BOTTOM = 112, 780, 84, 396  # the plot area
_PX_PER_PT = 80 / 72
_FONT = "DejaVu Sans, Bitstream Vera Sans, Verdana, Geneva, Arial, sans-serif"
_INK, _MUTED, _GRID, _FIFTY = "#222222", "#666666", "#E3E3E3", "#8A8A8A"


def pwin_svg(frame: pd.DataFrame, info: RunInfo, finding: str | None = None) -> bytes:
    """P(the frame's strategy cheaper than what it is against) by starting volume, one curve per
    horizon with its 95 % band, the 50 % crossings dotted and labelled, your volume marked.

    Parameters
    ----------
    frame
        One strategy's rows of :func:`~ftrag_mc.analysis.compute_pwin_vs_volume` against one
        other strategy (a ``baseline`` column, else ``info.baseline``), with ``volume_at_50pct``
        attached (:func:`~ftrag_mc.analysis.marks.attach_marks`) or not (then interpolated), as
        ``plot_pwin_vs_volume(frame, info, ax=...)`` takes it.
    info
        The run (labels, colours, your volume, the footnote).
    finding
        Its title, :func:`~ftrag_mc.report.charts.pwin_vs_volume_finding` of the frame, when the
        caller has it (else worked out here).
    """
    curves = frame.dropna(subset=["p_win"]).sort_values(["horizon_months", "queries_per_month"])
    if curves.empty:
        return _svg_of([_text(LIVE_SIZE_PX[0] / 2, LIVE_SIZE_PX[1] / 2, "No P(win) to draw: no futures counted", 15,
                              _MUTED, anchor="middle")])
    strategy = str(frame["strategy"].iloc[0])
    against = str(frame["baseline"].iloc[0]) if "baseline" in frame.columns else info.baseline
    q = curves["queries_per_month"].to_numpy(float)
    axis = _LogAxis(float(q.min()) / 1.15, float(q.max()) * 1.15)
    horizons = sorted(int(h) for h in curves["horizon_months"].unique())
    styles = horizon_styles(info.colour(strategy), horizons)
    parts = [*_frame(axis, _label(info, strategy), _label(info, against)), _fifty()]
    crossings, drawn = [], []
    for h in horizons:
        rows = curves[curves["horizon_months"] == h]
        x, p = rows["queries_per_month"].to_numpy(float), rows["p_win"].to_numpy(float)
        style = styles[h]
        parts.append(_band(axis, x, rows["p_win_low"].to_numpy(float), rows["p_win_high"].to_numpy(float),
                           style.colour))
        parts.append(_line(axis, x, p, style.colour, style.linestyle, style.linewidth))
        drawn.append(_dense(axis.x(x), _y(p)))
        at = float(rows["volume_at_50pct"].iloc[0]) if "volume_at_50pct" in rows.columns else crossing_50(x, p)
        if math.isfinite(at) and axis.lo <= at <= axis.hi:
            crossings.append((h, at, style.colour))
    if info.queries_per_month is not None and axis.lo <= info.queries_per_month <= axis.hi:
        parts.append(_your_volume(axis, info.queries_per_month))
        x = float(axis.x(info.queries_per_month))
        drawn.append(_dense(np.array([x, x]), np.array([_TOP, _BOTTOM])))  # the labels keep off it too
    points = np.concatenate(drawn) if drawn else np.empty((0, 2))
    legend = _legend_box(len(horizons), points)
    parts.append(_legend(horizons, styles, legend))
    parts.append(_crossings(axis, crossings, points, legend))
    finding = (finding if finding is not None else pwin_vs_volume_finding(frame, info)).replace("\\$", "$")
    parts.append(_title(finding))
    parts.append(_text(14, LIVE_SIZE_PX[1] - 10, cut(info.footnote("bands: 95 % intervals"), 130), 11, _MUTED))
    return _svg_of(parts)


def _svg_of(parts: list[str]) -> bytes:
    width, height = LIVE_SIZE_PX
    return ("<?xml version='1.0' encoding='utf-8'?>\n<svg xmlns='http://www.w3.org/2000/svg' "
            f"width='{width}' height='{height}' viewBox='0 0 {width} {height}' font-family='{_FONT}'>"
            f"<rect width='{width}' height='{height}' fill='white'/>{''.join(parts)}</svg>").encode("utf-8")


class _LogAxis:
    """Volumes to x pixels, log scale."""

    def __init__(self, lo: float, hi: float):
        self.lo, self.hi = lo, hi
        self._a, self._span = math.log10(lo), math.log10(hi) - math.log10(lo)

    def x(self, volume) -> np.ndarray | float:
        return _LEFT + (np.log10(volume) - self._a) / self._span * (_RIGHT - _LEFT)

    def decades(self) -> list[float]:
        return [10.0 ** k for k in range(math.ceil(math.log10(self.lo)), math.floor(math.log10(self.hi)) + 1)]


def _y(p) -> np.ndarray | float:
    return _BOTTOM - p * (_BOTTOM - _TOP)


def _points(xs: Sequence[float], ys: Sequence[float]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys))


def _text(x: float, y: float, text: str, size: float, fill: str = _INK, *, anchor: str = "start",
          weight: str = "normal", extra: str = "") -> str:
    bold = " font-weight='bold'" if weight == "bold" else ""
    return (f"<text x='{x:.1f}' y='{y:.1f}' font-size='{size}' fill='{fill}' text-anchor='{anchor}'{bold}{extra}>"
            f"{xml(text)}</text>")


def _label(info: RunInfo, strategy: str) -> str:
    return info.labels.get(strategy, strategy)


def _frame(axis: _LogAxis, label: str, against: str) -> list[str]:
    """Grid, ticks and axis labels."""
    out = []
    for p in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = _y(p)
        out.append(f"<line x1='{_LEFT}' x2='{_RIGHT}' y1='{y:.1f}' y2='{y:.1f}' stroke='{_GRID}'/>")
        out.append(_text(_LEFT - 8, y + 4, f"{round(100 * p)} %", 13, _MUTED, anchor="end"))
    for v in axis.decades():
        x = axis.x(v)
        out.append(f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{_TOP}' y2='{_BOTTOM}' stroke='{_GRID}'/>")
        out.append(_text(x, _BOTTOM + 20, format_volume(v), 13, _MUTED, anchor="middle"))
    out.append(f"<path d='M{_LEFT},{_TOP} V{_BOTTOM} H{_RIGHT}' fill='none' stroke='#555555'/>")
    out.append(_text((_LEFT + _RIGHT) / 2, _BOTTOM + 42, "Starting volume (queries/month, log scale)", 13,
                     anchor="middle"))
    lines = wrap_words(f"P({label} cheaper than {against})", 40)  # ~40 characters fit the plot's height
    if len(lines) > 3:
        lines = [*lines[:2], cut(" ".join(lines[2:]), 40)]
    middle = (_TOP + _BOTTOM) / 2
    for k, line in enumerate(lines):
        x = 32 + 15 * k - 7.5 * (len(lines) - 1)
        out.append(_text(x, middle, line, 13, anchor="middle", extra=f" transform='rotate(-90 {x:.1f} {middle:.1f})'"))
    return out


def _fifty() -> str:
    y = _y(0.5)
    return f"<line x1='{_LEFT}' x2='{_RIGHT}' y1='{y:.1f}' y2='{y:.1f}' stroke='{_FIFTY}' stroke-width='1.2'/>"


def _band(axis: _LogAxis, x: np.ndarray, low: np.ndarray, high: np.ndarray, colour: str) -> str:
    xs = axis.x(x)
    outline = _points(np.concatenate([xs, xs[::-1]]), np.concatenate([_y(low), _y(high)[::-1]]))
    return f"<polygon points='{outline}' fill='{colour}' fill-opacity='{BAND_ALPHA}' stroke='none'/>"


def _dashes(linestyle: object, width_pt: float) -> str:
    """matplotlib's dash pattern (scaled by the line width, as matplotlib scales it) in pixels."""
    if not isinstance(linestyle, tuple):
        return ""
    pattern = linestyle[1]
    return " stroke-dasharray='" + ",".join(f"{d * width_pt * _PX_PER_PT:.1f}" for d in pattern) + "'"


def _line(axis: _LogAxis, x: np.ndarray, p: np.ndarray, colour: str, linestyle: object, width_pt: float) -> str:
    return (f"<polyline points='{_points(axis.x(x), _y(p))}' fill='none' stroke='{colour}' "
            f"stroke-width='{width_pt * _PX_PER_PT:.2f}' stroke-linejoin='round'{_dashes(linestyle, width_pt)}/>")


def _your_volume(axis: _LogAxis, volume: float) -> str:
    x = axis.x(volume)
    right = x < _RIGHT - 110
    tx, anchor = (x + 6, "start") if right else (x - 6, "end")
    return (f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{_TOP}' y2='{_BOTTOM}' stroke='{_INK}' stroke-width='1.6' "
            "stroke-dasharray='6,4'/>"
            + _text(tx, _BOTTOM - 24, "your volume", 13, anchor=anchor)
            + _text(tx, _BOTTOM - 8, f"{format_volume(volume)}/month", 13, anchor=anchor))


Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels


def _dense(xs: np.ndarray, ys: np.ndarray, spacing_px: float = 2.0) -> np.ndarray:
    """Points along a polyline, about ``spacing_px`` apart: what a box must not cover."""
    steps = np.hypot(np.diff(xs), np.diff(ys))
    along = np.concatenate([[0.0], np.cumsum(steps)])
    at = np.linspace(0.0, along[-1], max(2, int(along[-1] / spacing_px) + 1))
    return np.column_stack([np.interp(at, along, xs), np.interp(at, along, ys)])


def _inside(box: Box, points: np.ndarray) -> int:
    """Curve points (pixels) inside ``box``, with the lines between them counted by their ends."""
    x0, y0, x1, y1 = box
    return int(((points[:, 0] >= x0) & (points[:, 0] <= x1) & (points[:, 1] >= y0) & (points[:, 1] <= y1)).sum())


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _legend_box(rows: int, points: np.ndarray) -> Box:
    """The legend's box: the plot's corner the curves cross least (top left on a tie)."""
    w, h = 150, 16 + 20 * rows
    corners = [(_LEFT + 6, _TOP + 4), (_RIGHT - 6 - w, _TOP + 4), (_RIGHT - 6 - w, _BOTTOM - 4 - h),
               (_LEFT + 6, _BOTTOM - 4 - h)]
    boxes = [(x, y, x + w, y + h) for x, y in corners]
    return min(boxes, key=lambda box: _inside(box, points))


def _crossings(axis: _LogAxis, crossings: list[tuple[int, float, str]], points: np.ndarray, legend: Box) -> str:
    """A dot on the 50 % line per horizon, the labels stacked beside the outermost dot, above or
    below the line, wherever the curves and the legend are not; a thin line from each label to
    its dot."""
    if not crossings:
        return ""
    ordered = sorted(crossings, reverse=True)  # the longest horizon first, as the report
    texts = [f"{h} mo: {format_volume(at)}/month" for h, at, _colour in ordered]
    xs = [float(axis.x(at)) for _h, at, _colour in ordered]
    y, widest, tall = _y(0.5), 7.6 * max(len(t) for t in texts), 20 * len(texts) + 12
    options = []  # (label x, anchor, step) and its box
    for tx, anchor in ((min(xs) - 16, "end"), (max(xs) + 16, "start")):
        x0, x1 = (tx - widest, tx) if anchor == "end" else (tx, tx + widest)
        if x0 < _LEFT + 2 or x1 > _RIGHT - 2:
            continue
        for step in (-20, 20):
            box = (x0, y - tall, x1, y - 6) if step < 0 else (x0, y + 6, x1, y + tall)
            clash = _inside(box, points) + (1000 if _overlap(box, legend) else 0)
            options.append((clash, len(options), (tx, anchor, step)))
    tx, anchor, step = min(options)[2] if options else (max(xs) + 16, "start", 20)
    out = []
    for k, (text, x) in enumerate(zip(texts, xs)):
        ty = y + step * (k + 1) + (8 if step > 0 else 0)
        end = tx + (3 if anchor == "end" else -3)
        out.append(f"<line x1='{x:.1f}' y1='{y:.1f}' x2='{end:.1f}' y2='{ty - 4:.1f}' stroke='#9A9A9A' "
                   "stroke-width='1'/>")
        out.append(_text(tx, ty, text, 13, anchor=anchor))
    for (_h, _at, colour), x in zip(ordered, xs):
        out.append(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='5' fill='{colour}' stroke='white' stroke-width='1.2'/>")
    return "".join(out)


def _legend(horizons: list[int], styles: dict, box: Box) -> str:
    x, y = box[0] + 8, box[1] + 16
    out = [f"<rect x='{box[0]:.1f}' y='{box[1]:.1f}' width='{box[2] - box[0]:.1f}' height='{box[3] - box[1]:.1f}' "
           "fill='white' fill-opacity='0.85' stroke='none'/>", _text(x, y, "Horizon", 13, weight="bold")]
    for k, h in enumerate(horizons):
        style, yy = styles[h], y + 20 * (k + 1)
        out.append(f"<line x1='{x}' x2='{x + 34}' y1='{yy - 4}' y2='{yy - 4}' stroke='{style.colour}' "
                   f"stroke-width='{style.linewidth * _PX_PER_PT:.2f}'{_dashes(style.linestyle, style.linewidth)}/>")
        out.append(_text(x + 44, yy, f"{h} months", 13))
    return "".join(out)


def _title(finding: str) -> str:
    lines = wrap_words(finding, 72)
    if len(lines) > 2:
        lines = [lines[0], cut(" ".join(lines[1:]), 72)]
    return "".join(_text(16, 28 + 22 * k, line, 17, weight="bold") for k, line in enumerate(lines))
