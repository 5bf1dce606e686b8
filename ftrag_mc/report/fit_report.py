"""One call for ``ftrag-mc fit``: the ranking and the line to paste, and the chart, built in memory.

    from ftrag_mc.datafile import load_column
    from ftrag_mc.report.fit_report import build_fit_report

    report = build_fit_report(load_column("runs.csv", "run_usd"), plot=True)
    print("\\n".join(report.lines))      # what `ftrag-mc fit runs.csv --column run_usd` prints
    report.figure                       # the chart `--plot` writes, or None

Nothing is written: the command saves the figure where ``--plot`` says
(:func:`~ftrag_mc.report.writers.write_figure_file`).
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ftrag_mc._version import __version__
from ftrag_mc.datafile import Column
from ftrag_mc.fit import FitResult, GrowthFit, compute_fit_curves, compute_growth_path, fit_distribution, fit_growth
from ftrag_mc.report.evidence_text import fit_lines, growth_lines
from ftrag_mc.report.charts.fit import plot_fit, plot_growth

__all__ = ["FitReport", "build_fit_report"]


@dataclass
class FitReport:
    """What ``fit`` prints (``lines``), its chart (``figure``, or None) and the ``result``
    (a :class:`~ftrag_mc.fit.FitResult`, or a :class:`~ftrag_mc.fit.GrowthFit` with ``growth``).
    A context manager that closes the figure on exit."""

    lines: list[str]
    figure: Figure | None
    result: FitResult | GrowthFit

    def close(self) -> None:
        if self.figure is not None:
            plt.close(self.figure)

    def __enter__(self) -> FitReport:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _footnote(column: Column, how: str) -> str:
    skipped = f", {column.skipped:,} empty skipped" if column.skipped else ""
    return f"Data: {column.file}, column {column.name}, {column.values.size:,} values{skipped} · {how} · ftrag-mc {__version__}"


def build_fit_report(column: Column, *, family: str = "auto", growth: bool = False, plot: bool = False,
                     unit: str | None = None, key: str | None = None, gof_resamples: int = 0,
                     seed: int = 0) -> FitReport:
    """Fit a distribution to a column (or, with ``growth``, read it as monthly volumes).

    Parameters
    ----------
    column
        From :func:`~ftrag_mc.datafile.load_column`.
    family
        ``"auto"`` (every family the data's range admits, ranked by AIC) or one of
        :data:`~ftrag_mc.fit.FIT_FAMILIES`.
    growth
        Read the values as monthly volumes, oldest first: growth and volatility per month.
    plot
        Draw the chart too.
    unit
        The values' unit, for the chart's axis.
    key
        The scenario key the pasted line sets; default the column's name.
    gof_resamples, seed
        A Monte Carlo goodness-of-fit test of the chosen family (0: none), and its seed.

    Raises
    ------
    ValueError
        One line, as :func:`~ftrag_mc.fit.fit_distribution` or :func:`~ftrag_mc.fit.fit_growth`.
    """
    plural = "s" if column.skipped != 1 else ""
    note = [f"  {column.skipped:,} empty cell{plural} of {column.name} skipped."] if column.skipped else []
    if growth:
        result = fit_growth(column.values)
        figure = None
        if plot:
            how = "growth and volatility from the monthly log-returns"
            figure = plot_growth(compute_growth_path(result, column.values), result, column=column.name,
                                 footnote=_footnote(column, how))[0]
        return FitReport(growth_lines(result, column.name, note), figure, result)
    result = fit_distribution(column.values, family, gof_resamples=gof_resamples, seed=seed)
    figure = None
    if plot:
        how = "maximum-likelihood fits ranked by AIC; KS p-values optimistic (parameters fitted)"
        figure = plot_fit(compute_fit_curves(result, column.values), result, column=column.name, unit=unit,
                          footnote=_footnote(column, how))[0]
    return FitReport(fit_lines(result, column.name, key, note), figure, result)
