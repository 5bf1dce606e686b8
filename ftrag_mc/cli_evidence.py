"""The command line of evidence: ``ftrag-mc fit`` (a distribution from a column of data) and the
``--evsi`` options of ``ftrag-mc sensitivity`` (what an eval of n items is worth).

Kept beside :mod:`ftrag_mc.cli` (which registers the command and uses the options) so each stays
small; the same rules hold: options -> load -> one library call -> write -> echo, numpy and the
report imported inside the command bodies, every user error one line with exit status 2.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from ftrag_mc.cli_edge import UserError
from ftrag_mc.cli_options import _stacked
from ftrag_mc.limits import MAX_USD

F = TypeVar("F", bound=Callable)

#: ftrag_mc.fit.FIT_FAMILIES, without importing scipy for --help (a test keeps them equal).
FIT_FAMILY_NAMES = ("normal", "lognormal", "gamma", "weibull", "exponential", "uniform", "beta")
FIGURE_SUFFIXES = (".png", ".svg", ".pdf")


def evsi_options(command: F) -> F:
    """``--evsi INPUT``, ``--sizes``, ``--item-usd``, ``--fixed-usd`` and ``--item-sd``."""
    return _stacked(
        click.option("--evsi", "evsi_input", metavar="INPUT",
                     help="Value an eval or pilot of n items on INPUT (as the tornado names it, e.g. inputs.x or a "
                          "shared input's short name; a paired eval by its [evidence] name): writes evsi.csv and "
                          "evsi.png."),
        click.option("--sizes", metavar="N,N,...",
                     help="With --evsi: study sizes in items, whole numbers from 1 to 1,000,000, at most 20 "
                          "[default: 50,100,200,400,800]."),
        click.option("--item-usd", type=click.FloatRange(0, MAX_USD), metavar="USD",
                     help="With --evsi: cost per item of the study (0 to 1e12)."),
        click.option("--fixed-usd", type=click.FloatRange(0, MAX_USD), metavar="USD",
                     help="With --evsi: fixed cost of a study of any size (0 to 1e12)."),
        click.option("--item-sd", type=click.FloatRange(min=0, min_open=True), metavar="SD",
                     help="With --evsi: each item measures INPUT with normal noise of this sd (its units) "
                          "[default: a rate in [0, 1] is scored pass/fail]."),
    )(command)


def pilot_study(scenario, evsi_input: str | None = None, sizes: str | None = None, item_usd: float | None = None,
                fixed_usd: float | None = None, item_sd: float | None = None):
    """The ``PilotStudy`` the ``--evsi`` options ask for, checked against ``scenario`` before any
    sampling; None without ``--evsi``. Raises :class:`UserError` (one line) otherwise."""
    if evsi_input is None:
        given = [name for name, value in (("--sizes", sizes), ("--item-usd", item_usd), ("--fixed-usd", fixed_usd),
                                          ("--item-sd", item_sd)) if value is not None]
        if given:
            raise UserError(f"{given[0]} goes with --evsi INPUT")
        return None
    from ftrag_mc.analysis.pilot import DEFAULT_SIZES, PilotStudy, parse_sizes, resolve_pilot

    where = scenario.file or scenario.name
    try:
        parsed = DEFAULT_SIZES if sizes is None else parse_sizes(sizes)
    except ValueError as error:
        raise UserError(f"--sizes: {error}") from None
    try:
        study = PilotStudy(evsi_input, parsed, item_usd=item_usd, fixed_usd=fixed_usd, item_sd=item_sd)
        resolve_pilot(scenario, study)
    except ValueError as error:
        raise UserError(f"{where}: --evsi: {error}") from None
    return study


@click.command()
@click.argument("data", type=click.Path(path_type=str))
@click.option("--column", "-c", metavar="NAME", help="The column to read [default: the only one].")
@click.option("--family", type=click.Choice(("auto", *FIT_FAMILY_NAMES)), default="auto", show_default=True,
              help="Fit this family only; auto fits every family the values admit and ranks them by AIC.")
@click.option("--growth", is_flag=True,
              help="The column is monthly volumes, oldest first: print growth_per_month and volatility_per_month.")
@click.option("--plot", type=click.Path(path_type=Path), metavar="FILE",
              help="Also draw the fit to FILE (.png, .svg or .pdf; replaced if it exists).")
@click.option("--key", metavar="KEY", help="The scenario key of the line to paste [default: the column's name].")
@click.option("--unit", metavar="UNIT", help="The values' unit, for the chart's axis (e.g. USD).")
@click.option("--gof", "gof_resamples", type=click.IntRange(0, 10_000), default=0, show_default=True,
              help="Also a Monte Carlo goodness-of-fit test of the best family, refitting each of this many samples.")
def fit(data: str, column: str | None, family: str, growth: bool, plot: Path | None, key: str | None,
        unit: str | None, gof_resamples: int) -> None:
    """Fit a distribution to a column of DATA (a CSV file with a header row): the families ranked
    by AIC with a Kolmogorov-Smirnov test, then the scenario line to paste.

    With --growth the column is a history of monthly volumes: it prints the growth per month
    (with its standard error, as a normal distribution) and the volatility per month. Empty
    cells are skipped; anything else that is not a number is an error. Examples:

    \b
        ftrag-mc fit training_runs.csv --column run_usd --key run_usd --plot fit.png --unit USD
        ftrag-mc fit volumes.csv --column queries --growth --plot growth.png
    """
    if plot is not None and plot.suffix.lower() not in FIGURE_SUFFIXES:
        raise UserError(f"--plot: {plot}: give a file name ending in {', '.join(FIGURE_SUFFIXES)}")
    if growth and family != "auto":
        raise UserError("--family goes without --growth (a volume history is read as growth, not fitted)")
    from ftrag_mc.datafile import DataError, load_column

    try:
        values = load_column(data, column)
    except DataError as error:
        raise UserError(f"{error}{' with --column NAME' if error.columns and column is None else ''}") from None
    from ftrag_mc.report.fit_report import build_fit_report
    from ftrag_mc.report.writers import write_figure_file

    try:
        report = build_fit_report(values, family=family, growth=growth, plot=plot is not None, unit=unit, key=key,
                                  gof_resamples=gof_resamples)
    except ValueError as error:
        raise UserError(f"{values.file}: column '{values.name}': {error}") from None
    with report:
        if report.figure is not None:
            try:
                write_figure_file(plot, report.figure)
            except OSError as error:
                raise UserError(f"--plot: {plot}: cannot write it: {error.strerror or error}") from None
    for line in report.lines:
        click.echo(line)
    if plot is not None:
        click.echo(f"Wrote {plot}")
