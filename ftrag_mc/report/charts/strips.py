"""Histograms with percentile bars over them (breakeven volumes, payback months): the y axis of
shares per bin under a zone of P10-P90 bars, and each bar's numbers placed where there is room."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import blended_transform_factory

from ftrag_mc.report.charts.placement import CHAR_EM, TEXT_STYLE, Clearance
from ftrag_mc.report.style import BASE_FONT_PT, INK, SMALL_FONT_PT, format_share, percent_formatter

HISTOGRAM_COLUMNS = ("strategy", "label", "bin_low", "bin_high", "share")


@dataclass(frozen=True)
class Strip:
    """One distribution's percentile bar: P10/P90/P50 and the shares its texts state."""

    p10: float
    p50: float
    p90: float
    share_low: float  # share of futures below the axis range (e.g. "already wins")
    share_high: float  # share beyond it (e.g. "never")
    share_at_median: float


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
    half = len(label) * CHAR_EM * BASE_FONT_PT / 2 / max(height_pt, 1.0)
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
    def clip(v: float) -> float:
        return min(max(float(v), lo), hi)

    # Every bar first, then their numbers: a text must keep clear of the bars below it too.
    placed = [_draw_strip(ax, room, values, colour, tag, y, clip)
              for (values, colour, tag), y in zip(rows, _strip_heights(len(rows)))]
    for row, (pts, y, values) in enumerate(placed):
        texts = _strip_texts(values, lo, hi, fmt)
        _label_strip(ax, room, pts, y, texts, clip, values, first=row == 0, last=row == len(placed) - 1)


def _draw_strip(ax: Axes, room: Clearance, values: Strip, colour: str, tag: str, y: float,
                clip: Callable[[float], float]) -> tuple[np.ndarray, float, Strip]:
    """One bar at height ``y`` (axes fraction), its tag, and the room it takes."""
    tr = blended_transform_factory(ax.transData, ax.transAxes)
    p10, p50, p90 = values.p10, values.p50, values.p90
    artists = ax.plot([clip(p10), clip(p90)], [y, y], color=colour, lw=3.5,
                      solid_capstyle="butt", transform=tr, zorder=5, clip_on=False)
    for v, arrow in ((p10, "<"), (p90, ">")):
        outside = v != clip(v)
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
    return pts, y, values


def _strip_texts(values: Strip, lo: float, hi: float, fmt: Callable[[float], str]) -> list[str]:
    """What a bar says, longest wording first."""
    p10, p50, p90 = values.p10, values.p50, values.p90
    # Say the exact share, not the floor the percentiles imply (100 %, not "80 %+").
    if p10 > hi or p90 < lo:  # nine futures in ten beyond one end of the range
        share = values.share_high if p10 > hi else values.share_low
        return [f"{format_share(share)} of futures: {fmt(p10 if p10 > hi else p90)}"]
    if p10 == p90:  # eight futures in ten on one value (e.g. cheaper from day one)
        return [f"{format_share(values.share_at_median)} of futures: {fmt(p50)}"]
    return [f"median {fmt(p50)} (P10 {fmt(p10)}, P90 {fmt(p90)})", f"median {fmt(p50)}"]


def _label_strip(ax: Axes, room: Clearance, pts: np.ndarray, y: float, texts: list[str],
                 clip: Callable[[float], float], values: Strip, *, first: bool, last: bool) -> None:
    """A bar's numbers beside it, under or over it, wherever they cover least."""
    (x_lo, yp), (x_mid, _), (x_hi, _) = pts
    p10, p50, p90 = values.p10, values.p50, values.p90
    best = None
    for rank, text in enumerate(texts):
        w, h = room.text_size(text)
        spots = {  # name: (box, anchor x, offset points, ha, va)
            "right": ((x_hi + 12, yp - h / 2, x_hi + 12 + w, yp + h / 2), clip(p90), (12, 0), "left", "center"),
            "left": ((x_lo - 12 - w, yp - h / 2, x_lo - 12, yp + h / 2), clip(p10), (-12, 0), "right", "center"),
            "under": ((x_mid - w / 2, yp - 9 - h, x_mid + w / 2, yp - 9), clip(p50), (0, -9), "center", "top"),
            "over": ((x_mid - w / 2, yp + 9, x_mid + w / 2, yp + 9 + h), clip(p50), (0, 9), "center", "bottom"),
        }
        if first:
            del spots["over"]  # the subtitle is there
        for k, (name, (box, anchor, offset, ha, va)) in enumerate(spots.items()):
            # Under the last bar is the histogram's headroom: only if nothing else fits.
            late = 5 if name == "under" and last else 0
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
        style.update(path_effects=None, bbox=dict(boxstyle="round,pad=0.25", fc="white", ec="none"))
    else:
        room.add_box(box)
    tr = blended_transform_factory(ax.transData, ax.transAxes)
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


def marked_frames(frame: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An ``attach_marks`` frame back into its histogram rows and one row of marks per key."""
    return frame.dropna(subset=["share"]), frame.drop_duplicates(keys)


def record_histogram(room: Clearance, edges: np.ndarray, pct: np.ndarray, *, log: bool = False,
                     inside: float | None = None) -> None:
    """Mark a step histogram's outline as occupied and, with an ``inside`` weight, each bar's
    middle (a filled histogram, or bars a label must not cover); ``log``: a log x axis."""
    room.add_line(np.repeat(edges, 2), np.concatenate([[0], np.repeat(pct, 2), [0]]))
    if inside is not None:
        for e0, e1, height in zip(edges[:-1], edges[1:], pct):
            room.add_line([np.sqrt(e0 * e1) if log else (e0 + e1) / 2] * 2, [0, height], weight=inside)


def histogram_room(ax: Axes, pcts: Sequence[np.ndarray], edges: np.ndarray, *, log: bool = False,
                   reserve: float = 0.0) -> tuple[Clearance, float]:
    """Scale the y axis (leaving ``reserve`` axes fraction free under the percentile bars) and
    record the histograms, outline and area, as occupied; the room and the bars' floor."""
    tallest = max((float(pct.max()) for pct in pcts), default=0.0)
    floor = histogram_axis(ax, tallest, len(pcts), ax.get_ylabel(), reserve=reserve)
    room = Clearance(ax)
    for pct in pcts:
        record_histogram(room, edges, pct, log=log, inside=1)
    room.measure()
    return room, floor


def legend_band(room: Clearance, entries: int) -> float:
    """The axes fraction a legend of ``entries`` lines and a title takes."""
    return ((entries + 1) * 1.5 * SMALL_FONT_PT + 14) / room.h


def histogram_series(frame: pd.DataFrame, mask) -> tuple[np.ndarray, np.ndarray]:
    """(edges, percent per bin) of one histogram series of a histogram frame."""
    g = frame.loc[mask].sort_values("bin_low")
    edges = np.append(g["bin_low"].to_numpy(float), g["bin_high"].to_numpy(float)[-1:])
    return edges, 100.0 * g["share"].to_numpy(float)
