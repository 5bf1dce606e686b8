"""The charts of ``ftrag-mc fit --plot``: the data against the fitted distributions, and a volume
history against its fitted growth. They draw :mod:`ftrag_mc.fit`'s frames (the histogram, the
ECDF, the curves and the growth path are computed there); their titles are
:mod:`~ftrag_mc.report.evidence_text`'s. They show data, not a run: the caller's footnote says
where the data came from.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure, FigureBase
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

from ftrag_mc.fit import FitCurves, FitResult, GrowthFit
from ftrag_mc.report.evidence_text import fit_finding, growth_finding
from ftrag_mc.report.charts.canvas import BAND_ALPHA, finish, make_figure, require_columns, returned
from ftrag_mc.report.style import (
    GRID, INK, MUTED, OKABE_ITO, escape, house_style, percent_formatter, tint, volume_formatter,
)

__all__ = ["plot_fit", "plot_growth"]

_DATA = tint(MUTED, 0.55)
_FAMILY_COLOURS = (OKABE_ITO[3], OKABE_ITO[4], OKABE_ITO[2])  # best, second, third by AIC
_FAMILY_DASHES = ("-", (0, (6, 3)), (0, (2, 2)))


_PLAIN = FuncFormatter(lambda v, _pos: f"{v:,.6g}")  # 10,000 rather than 10000


def _axis_label(column: str, unit: str | None) -> str:
    return escape(f"{column} ({unit})" if unit else f"{column} (units of the data)")


def plot_fit(curves: FitCurves, fit: FitResult, *, column: str, footnote: str, unit: str | None = None,
             ax: Axes | None = None, fig: FigureBase | None = None) -> tuple[FigureBase, Axes | np.ndarray]:
    """The data against the best-fitting families: a histogram with their densities, and the
    empirical CDF with theirs.

    Parameters
    ----------
    curves
        From :func:`~ftrag_mc.fit.compute_fit_curves`.
    fit
        The fit the curves came from (for the title: the best family, its AIC margin, KS p).
    column, unit
        The data's name and unit, for the axes and the title.
    footnote
        Where the data came from (file, column, values) and how it was fitted.
    ax
        Draw onto this axes: the histogram panel alone.
    fig
        Or lay out both panels in this empty Figure or SubFigure.

    Returns
    -------
    fig : Figure or SubFigure
    ax : Axes, or an array of the two panels (densities, CDFs)
    """
    require_columns(curves.histogram, ("left", "right", "density"), "histogram")
    require_columns(curves.curves, ("family", "x", "pdf", "cdf"), "curves")
    families = list(dict.fromkeys(curves.curves["family"]))
    with house_style():
        fig, axes, created = make_figure(ax, ncols=1 if ax is not None else 2, fig=fig)
        hist = curves.histogram
        axes[0].bar(hist["left"], hist["density"], width=hist["right"] - hist["left"], align="edge",
                    color=_DATA, edgecolor="white", lw=0.6, label=f"the data ({fit.n:,} values)", zorder=1)
        if len(axes) > 1:
            axes[1].step(curves.ecdf["x"], curves.ecdf["ecdf"], where="post", color=INK, lw=1.6,
                         label="the data (empirical CDF)", zorder=2)
        for i, family in enumerate(families):
            rows = curves.curves[curves.curves["family"] == family]
            kw = dict(color=_FAMILY_COLOURS[i % 3], ls=_FAMILY_DASHES[i % 3], lw=2.4 if i == 0 else 1.8, zorder=3)
            label = f"{family}{' (best by AIC)' if i == 0 else ''}"
            axes[0].plot(rows["x"], rows["pdf"], label=label, **kw)
            if len(axes) > 1:
                axes[1].plot(rows["x"], rows["cdf"], label=label, **kw)
        for panel in axes:
            panel.xaxis.set_major_formatter(_PLAIN)
        axes[0].set_xlabel(_axis_label(column, unit))
        axes[0].set_ylabel("Density (share of values per unit)")
        axes[0].legend(loc="best", frameon=True, framealpha=0.92, edgecolor=GRID)
        subtitles = [f"{column}: histogram and fitted densities"]
        if len(axes) > 1:
            axes[1].set_xlabel(_axis_label(column, unit))
            axes[1].set_ylabel("Share of values at or below")
            axes[1].set_ylim(0, 1.02)
            axes[1].yaxis.set_major_formatter(percent_formatter())  # as every share in the report: 0-100 %
            axes[1].legend(loc="lower right", frameon=True, framealpha=0.92, edgecolor=GRID)
            subtitles.append("empirical CDF and fitted CDFs")
        finish(fig, axes, created=created, finding=fit_finding(fit, column), subtitles=subtitles, footnote=footnote)
    return returned(fig, axes)


def plot_growth(path: pd.DataFrame, growth: GrowthFit, *, column: str, footnote: str,
                ax: Axes | None = None) -> tuple[Figure, Axes]:
    """A monthly volume history against the fitted noisy growth, started at its first month.

    Parameters
    ----------
    path
        From :func:`~ftrag_mc.fit.compute_growth_path`: month, volume, median, low, high.
    growth
        The fit (for the title: growth a month with its interval, volatility).
    column
        The history's name.
    footnote
        Where the data came from and how it was fitted.
    ax
        Draw onto this axes.
    """
    require_columns(path, ("month", "volume", "median", "low", "high"), "path")
    colour = OKABE_ITO[3]
    with house_style():
        fig, axes, created = make_figure(ax)
        a = axes[0]
        a.fill_between(path["month"], path["low"], path["high"], color=colour, alpha=BAND_ALPHA, lw=0,
                       label="fitted model from month 1: 90 % band", zorder=1)
        a.plot(path["month"], path["median"], color=colour, lw=2.2, label="fitted model: median path", zorder=2)
        a.plot(path["month"], path["volume"], color=INK, marker="o", ms=4, lw=1.4, label="observed", zorder=3)
        a.set_yscale("log")
        a.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))  # a history rarely spans a decade
        a.yaxis.set_major_formatter(volume_formatter())
        a.yaxis.set_minor_formatter(NullFormatter())
        a.xaxis.set_major_locator(MaxNLocator(integer=True))  # months are whole: 1, 5, 10, not 2.5
        a.set_xlabel("Month of the history")
        a.set_ylabel(escape(f"{column} (queries/month, log scale)"))
        a.legend(loc="best", frameon=True, framealpha=0.92, edgecolor=GRID)
        finish(fig, axes, created=created, finding=growth_finding(growth, column),
               subtitles=[f"{column}: monthly volumes and the fitted growth with volatility"], footnote=footnote)
    return fig, a
