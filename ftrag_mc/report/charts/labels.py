"""How a chart names the strategies and tells them apart: labels cut to one line, and per
strategy a colour, a dash pattern and a marker (per horizon a lighter tint and a dash)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from ftrag_mc.report.findings import LABEL_MAX_CHARS, shorten
from ftrag_mc.report.style import OKABE_ITO, RunInfo, escape, tint

__all__ = ["LABEL_MAX_CHARS", "Look", "LineStyle", "baseline_label", "horizon_styles", "look_of", "shorten",
           "strategy_label"]

# Beyond the seven colours of the palette, a strategy keeps its colour's slot and gets a line
# style (and marker) of its own: no two strategies of one chart are drawn alike.
_ROUND_DASHES: list[object] = ["-", (0, (6, 2)), (0, (1.5, 1.5)), (0, (6, 2, 1.5, 2))]

_ROUND_MARKERS: list[str | None] = [None, "o", "s", "^"]


def strategy_label(info: RunInfo, frame: pd.DataFrame | None, strategy: str) -> str:
    """The scenario's label for a strategy, else the frame's, else its name; shortened."""
    if strategy in info.labels or frame is None:
        text = info.labels.get(strategy, strategy)
    else:
        rows = frame.loc[frame["strategy"] == strategy, "label"]
        text = str(rows.iloc[0]) if len(rows) else strategy
    return escape(shorten(text))


def baseline_label(info: RunInfo) -> str:
    """The baseline's label, shortened."""
    return strategy_label(info, None, info.baseline)


@dataclass(frozen=True)
class Look:
    """How one strategy is drawn on a shared axes: colour, line style and marker."""

    colour: str
    linestyle: object
    marker: str | None

    def line_kw(self, n_points: int = 40) -> dict:
        """Keyword arguments of ``Axes.plot`` for a line of ``n_points``."""
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


@dataclass(frozen=True)
class LineStyle:
    """One horizon's line: colour, dash pattern and width."""

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
