"""What the sweep charts share: the swept keys as axes (numbers, linear or log, or categories),
swept values as people say them, the frame's checks, and the sweep's own run record and titles."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import FigureBase
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter, NullLocator

from ftrag_mc._version import __version__
from ftrag_mc.analysis.sweep import sweep_scale
from ftrag_mc.report.charts.canvas import width_in
from ftrag_mc.report.findings import cut
from ftrag_mc.report.style import INK, MUTED, RunInfo, add_footnote, escape, format_usd, format_volume, wrap
from ftrag_mc.scenario import Scenario

__all__ = ["CRN_NOTE", "GridAxis", "sweep_run_info"]

CRN_NOTE = "every point: the same seed (common random numbers)"


def sweep_run_info(scenario: Scenario, frame: pd.DataFrame) -> RunInfo:
    """The :class:`RunInfo` of a sweep of ``scenario``: seed, sampler and the ``--set`` overrides from
    ``frame.attrs`` (:func:`~ftrag_mc.analysis.sweep.compute_sweep` sets them), samples from the frame."""
    strategies = tuple(scenario.strategies)
    return RunInfo(scenario=scenario.name, title=scenario.title, strategies=strategies,
                   labels={s: scenario.label(s) for s in strategies}, baseline=scenario.baseline,
                   samples=int(frame["samples"].iloc[0]) if len(frame) else int(frame.attrs.get("samples", 0)),
                   seed=int(frame.attrs.get("seed", scenario.simulation.seed)),
                   sampler=str(frame.attrs.get("sampler", scenario.simulation.sampler)),
                   version=__version__, currency=scenario.meta.currency,
                   overrides=tuple(frame.attrs.get("overrides", scenario.overrides)))


# --- text -------------------------------------------------------------------------------------


def number_text(v: float) -> str:
    """A swept number: 1.4k and 2.5M from a thousand, else three significant digits."""
    return format_volume(v) if abs(v) >= 1000 else f"{v:.3g}"


def value_text(v: float, unit: str, currency: str, *, with_unit: bool = True) -> str:
    """A swept value as people say it: ``$8k``, ``250k queries/month``, ``2 %``, ``12 months``."""
    if not math.isfinite(v):
        return "n/a"
    if unit.startswith("USD"):
        rest = unit[3:]
        return format_usd(v, currency) + ((" " + rest.strip() if rest.startswith(" ") else rest) if with_unit else "")
    if unit == "fraction":
        return f"{100 * v:.3g} %"
    return number_text(v) + (f" {unit}" if unit and with_unit else "")


def axis_label(key: str, unit: str, scale: str) -> str:
    """"Start volume (queries/month, log scale)"."""
    parts = [unit] if unit else []
    if scale == "log":
        parts.append("log scale")
    if key.startswith("the "):  # "the start volume" reads "Start volume" on an axis
        key = key[4:5].upper() + key[5:]
    return f"{key} ({', '.join(parts)})" if parts else key


def horizon_text(rows: pd.DataFrame) -> str:
    """"over 36 months", or "over each point's horizon" when the points differ."""
    horizons = sorted(int(h) for h in rows["horizon_months"].unique())
    return f"over {horizons[0]} months" if len(horizons) == 1 else "over each point's horizon"


# --- frames and figures -------------------------------------------------------------------------


def require_sweep(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    """Refuse a sweep frame that lacks one of ``columns`` or is empty."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"the sweep frame lacks column(s) {missing}; it has {list(frame.columns)}")
    if frame.empty:
        raise ValueError("the sweep frame is empty")


def sweep_challengers(info: RunInfo, frame: pd.DataFrame) -> list[str]:
    """The strategies of the frame, in scenario order (a strategy not in it is an error)."""
    present = set(frame["strategy"])
    unknown = present - set(info.strategies)
    if unknown:
        raise ValueError(f"strategies {sorted(unknown)} are not in scenario {info.scenario!r} "
                         f"(it has {list(info.strategies)})")
    # A sweep of the baseline itself has rows for the usual baseline too: keep scenario order.
    return [s for s in info.strategies if s in present]


def sweep_label(info: RunInfo, frame: pd.DataFrame, strategy: str) -> str:
    """The scenario's label of a strategy, else the frame's, else its name (unescaped, cut at
    :data:`~ftrag_mc.report.style.TEXT_MAX_CHARS`)."""
    if strategy in info.labels:
        return cut(info.labels[strategy])
    rows = frame.loc[frame["strategy"] == strategy, "label"]
    return cut(str(rows.iloc[0])) if len(rows) else strategy


def finish_sweep(fig: FigureBase, axes: Sequence[Axes], *, created: bool, finding: str, subtitle: str | None,
                 footnote: str) -> None:
    """The finding as the figure's title and ``subtitle`` over the first panel (as the axes' title
    on a caller's axes), and the footnote."""
    if created:
        fig.suptitle(escape(wrap(finding, int(width_in(fig) / 0.13))), x=0.01, ha="left", color=INK)
        if subtitle is not None:
            axes[0].set_title(escape(wrap(subtitle, int(width_in(fig) / 0.1))), loc="left", color=MUTED,
                              fontsize=12, pad=10)
    else:
        a = axes[0]
        panel_in = a.get_position().width * fig.get_figwidth()
        a.set_title(escape(wrap(finding, max(int(panel_in / 0.115), 30))), loc="left", fontsize=13,
                    fontweight="bold", color=INK)
    root = fig.get_figure(root=True)
    # A long y label (a swept key's words and unit; a colour bar's P(...)) stands taller than a
    # short panel and ran into the title: wrapped to the panel's height (~0.1 in a character).
    for a in root.axes:
        text = a.get_ylabel()
        chars = max(int(0.85 * a.get_position().height * root.get_figheight() / 0.1), 20)
        if text and max(len(line) for line in text.split("\n")) > chars:
            a.yaxis.label.set_text(wrap(text.replace("\n", " "), chars))
    add_footnote(root, escape(footnote))


class GridAxis:
    """Where the values of one swept key go: numbers (linear or log) or categories."""

    def __init__(self, frame: pd.DataFrame, prefix: str, currency: str):
        # A human label where the frame has one ("the retrain cadence of Fine-tuned Haiku"), the key else.
        label = f"{prefix}_label"
        self.key = cut(str(frame[label].iloc[0] if label in frame else frame[f"{prefix}_key"].iloc[0]))
        self.unit = str(frame[f"{prefix}_unit"].iloc[0]) if pd.notna(frame[f"{prefix}_unit"].iloc[0]) else ""
        self.values = list(pd.unique(frame[f"{prefix}_value"]))
        self.scale = sweep_scale(self.values)
        self.currency = currency
        if self.scale != "category":
            self.values = sorted(float(v) for v in self.values)
        own = frame[f"{prefix}_scenario_value"].iloc[0]
        self.own = float(own) if pd.notna(own) else math.nan
        self.own_text = str(frame[f"{prefix}_scenario"].iloc[0] or "")

    @property
    def numeric(self) -> bool:
        return self.scale != "category"

    def position(self, value) -> float:
        return float(value) if self.numeric else float(self.values.index(value))

    def positions(self, values) -> np.ndarray:
        return np.array([self.position(v) for v in values], dtype=float)

    def edges(self) -> np.ndarray:
        """Cell edges around each grid value (midpoints, in log space for a log axis)."""
        if not self.numeric:
            return np.arange(len(self.values) + 1) - 0.5
        x = np.log(self.values) if self.scale == "log" else np.asarray(self.values)
        if len(x) == 1:
            half = 0.5 if self.scale == "log" else max(abs(x[0]) * 0.1, 0.5)
            e = np.array([x[0] - half, x[0] + half])
        else:
            mid = (x[1:] + x[:-1]) / 2
            e = np.concatenate([[x[0] - (mid[0] - x[0])], mid, [x[-1] + (x[-1] - mid[-1])]])
        return np.exp(e) if self.scale == "log" else e

    def text(self, v: float, *, with_unit: bool = True) -> str:
        return value_text(v, self.unit, self.currency, with_unit=with_unit)

    def own_label(self) -> str:
        """What the scenario itself says for this key: its value, or its distribution and median."""
        constant = self.own_text == "" or _is_float_text(self.own_text, self.own)
        if constant:
            return f"your scenario: {self.text(self.own)}"
        return f"your scenario: {self.own_text}, median {self.text(self.own)}"

    def decorate(self, ax: Axes, which: str) -> None:
        """Scale, ticks at the grid values (formatted) and the label with units."""
        axis = ax.xaxis if which == "x" else ax.yaxis
        set_scale = ax.set_xscale if which == "x" else ax.set_yscale
        set_label = ax.set_xlabel if which == "x" else ax.set_ylabel
        if self.scale == "log":
            set_scale("log")
        if self.numeric:
            ticks = self.values if len(self.values) <= 12 else None
            if ticks is not None:
                axis.set_major_locator(FixedLocator(ticks))
                axis.set_minor_locator(NullLocator())
                axis.set_minor_formatter(NullFormatter())
            axis.set_major_formatter(FuncFormatter(lambda v, _pos: escape(self.text(v, with_unit=False))))
        else:
            axis.set_major_locator(FixedLocator(range(len(self.values))))
            axis.set_major_formatter(FuncFormatter(
                lambda v, _pos: escape(wrap(str(self.values[int(round(v))]), 22))
                if 0 <= round(v) < len(self.values) else ""))
        set_label(escape(axis_label(self.key, self.unit, self.scale)))


def _is_float_text(text: str, value: float) -> bool:
    try:
        return math.isclose(float(text), value, rel_tol=1e-12) or (math.isnan(value) and text == "")
    except ValueError:
        return False


def sweep_rows(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows drawn and their crossings, as :func:`attach_sweep_crossings` attached them."""
    if "crossings" not in frame.attrs:
        raise ValueError("the frame has no crossings attached: draw attach_sweep_crossings(frame, crossings)")
    crossings = pd.DataFrame(frame.attrs["crossings"], columns=frame.attrs.get("crossing_columns"))
    return frame, crossings


def fraction(axis: GridAxis, x: float) -> float:
    """Where ``x`` lies between the smallest and largest grid value, 0..1 (log on a log axis)."""
    lo, hi = min(axis.values), max(axis.values)
    if hi == lo:
        return 0.5
    if axis.scale == "log":
        return (math.log(x) - math.log(lo)) / (math.log(hi) - math.log(lo))
    return (x - lo) / (hi - lo)

