"""One call per command: everything a command writes and prints, built as a :class:`Report`.

The command line and a notebook get the same report from the same call (as sqlite-utils keeps its
``cli.py`` thin over ``db.py``)::

    from ftrag_mc import load_scenario, simulate
    from ftrag_mc.report.builders import build_run_report

    report = build_run_report(simulate(load_scenario("scenarios/support-classifier.toml")))
    report.items["summary.csv"]        # a DataFrame; report.items["pwin_vs_volume.png"] a Figure
    print("\\n".join(report.lines))    # what `ftrag-mc run` prints
    report.write("reports")            # reports/support-classifier/, as `ftrag-mc run` writes it

Nothing is written until :meth:`Report.write`. Each builder takes the loaded scenario or the
simulation result; sampling settings and progress callbacks pass through to the analyses.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from ftrag_mc.analysis import sensitivity, voi
from ftrag_mc.analysis.compare import Variant, attach_headline, compute_compare
from ftrag_mc.analysis.decision import rank_strategies
from ftrag_mc.analysis.explain import compute_explain
from ftrag_mc.analysis.inputs import input_unit
from ftrag_mc.analysis.pilot import PilotStudy, compute_pilot_evsi, resolve_pilot
from ftrag_mc.analysis.policy import compute_policy
from ftrag_mc.analysis.sweep import (
    SweepAxis, attach_sweep_crossings, compute_sweep, compute_sweep_crossings, parse_sweep_values,
)
from ftrag_mc.overrides import format_value
from ftrag_mc.report import charts
from ftrag_mc.report.analyses import RunAnalyses, run_info
from ftrag_mc.report.charts import compare_run_info, plot_compare, plot_sweep_1d, plot_sweep_2d, sweep_run_info
from ftrag_mc.report.decision_words import decision_lines
from ftrag_mc.report.dictionary import columns_frame
from ftrag_mc.report.evidence_text import pilot_lines
from ftrag_mc.report.headline import headline
from ftrag_mc.report.items import build_report, close_figures
from ftrag_mc.report.pdf import build_pdf
from ftrag_mc.report.render import PngRenderer, render_processes
from ftrag_mc.report.policy_words import describe_policy, policy_headline
from ftrag_mc.report.records import (
    compare_record, explain_record, policy_record, run_record, sensitivity_record, sweep_record,
)
from ftrag_mc.report.summary import build_summary_md
from ftrag_mc.report.text import (
    describe_compare, describe_run, describe_sweep_crossings, run_header, run_top_inputs, top_inputs_lines,
)
from ftrag_mc.report.explain_text import add_breakeven_words, describe_explain
from ftrag_mc.report.voi_words import add_evppi_words, describe_voi
from ftrag_mc.report.writers import write_report
from ftrag_mc.scenario import Scenario, load_scenario
from ftrag_mc.simulate import SimulationResult

__all__ = [
    "Report", "build_compare_report", "build_explain_report", "build_policy_report", "build_run_report",
    "build_sensitivity_report", "build_sweep_report", "count_sweep_points",
]

#: The folder ``compare`` writes under the output folder (it spans several scenarios).
COMPARE_FOLDER = "compare"


@dataclass
class Report:
    """Everything one command writes and prints, built in memory.

    Attributes
    ----------
    folder_name : str
        The report's folder under the output folder: the scenario's name (``compare`` for a
        comparison of several).
    items : dict of str to DataFrame, Figure, dict, bytes or str
        File name -> content, in the order written: ``.csv`` a DataFrame, ``.png`` a matplotlib
        Figure, ``.json`` a dict, ``.pdf`` bytes, ``.md`` text
        (what :func:`~ftrag_mc.report.writers.write_report` takes).
    lines : list of str
        What the command prints before the line naming the files written.
    merge : bool
        True when the files join a report already in the folder (a study added to a run's
        report, whose files are kept); False when they replace the folder.

    A report is a context manager that closes its figures on exit (a long session draws many).
    """

    folder_name: str
    items: dict[str, Any]
    lines: list[str] = field(default_factory=list)
    merge: bool = False

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write the items into ``out_dir/<folder_name>/``, whole or not at all.

        The same as ``write_report(Path(out_dir) / report.folder_name, report.items,
        merge=report.merge)``; returns the paths written. Raises
        :class:`~ftrag_mc.report.writers.ReportError` when the folder cannot be written.
        """
        return write_report(Path(out_dir) / self.folder_name, self.items, merge=self.merge)

    def close(self) -> None:
        """Close the report's figures (they stay in ``items``, no longer drawable)."""
        close_figures(self.items)

    def __enter__(self) -> Report:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


@contextlib.contextmanager
def _closed_on_error(items: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The figures drawn so far are closed when a later item fails: no report holds them."""
    try:
        yield items
    except BaseException:
        close_figures(items)
        raise


def _no_step(_name: str) -> None:
    """The default ``on_item``: no progress to show."""


# --- run ---------------------------------------------------------------------------------------


def build_run_report(result: SimulationResult, *, command: str | None = None,
                     on_item: Callable[[str], None] | None = None, rule: str = "mean",
                     paper: str = "a4", render_png: bool = False) -> Report:
    """The standard report of a run, as ``ftrag-mc run`` writes and prints it.

    Parameters
    ----------
    result
        A finished :func:`~ftrag_mc.simulate.simulate` run.
    command
        The command line recorded in ``run.json`` (None from a notebook).
    on_item
        Called with each chart's file name, then ``"report.pdf"``, before it is drawn (progress).
    rule
        The decision rule: ``"mean"`` (the lowest expected NPC) or ``"cvar"`` (the lowest CVaR95
        of NPC); see :func:`~ftrag_mc.analysis.decision.compute_decision`.
    paper
        The sheet of every page of ``report.pdf``, landscape: ``"a4"`` or ``"letter"``.
    render_png
        Render every chart to its PNG bytes now, once (the PNG file and the PDF's page are the
        same pixels), in forked processes on the CPUs free while the PDF's title page is drawn
        (:class:`~ftrag_mc.report.render.PngRenderer`), and keep the bytes in ``items`` instead of
        the Figures: what ``ftrag-mc run`` does. Default: the Figures stay (to show or restyle).

    Returns
    -------
    Report
        Into the scenario's folder, replacing it: the tables and charts of
        :data:`~ftrag_mc.report.items.REPORT_ITEMS`, then ``run.json``, ``report.pdf``,
        ``summary.md`` and ``columns.csv``; lines: the headline, the decision among all
        strategies (:func:`~ftrag_mc.report.decision_words.decision_lines`), each challenger
        against the baseline (:func:`~ftrag_mc.report.text.describe_run`) and the inputs that
        matter most.
    """
    step = on_item or _no_step
    analyses = RunAnalyses(result, rule=rule)
    with PngRenderer(render_processes() if render_png else 0) as renderer:
        def rasterise(name: str, made: Any) -> None:
            # each chart to its PNG as soon as it is final, on the other CPUs, while the next is drawn
            if render_png and name.endswith(".png") and isinstance(made, Figure):
                renderer.submit(name, made)

        items = build_report(result, on_item=step, analyses=analyses, on_built=rasterise)
        with _closed_on_error(items):
            items["run.json"] = run_record(result, command=command, decision_rule=rule)
            step("report.pdf")
            csvs = [name for name in items if name.endswith(".csv")]
            charts = {name: fig for name, fig in items.items() if name.endswith(".png") and isinstance(fig, Figure)}
            items["report.pdf"] = build_pdf(items, result, record=items["run.json"], paper=paper, hero=analyses.hero,
                                            png=renderer.get if render_png else None)
            if render_png:
                items.update(renderer.results())
                close_figures(charts)
    with _closed_on_error(items):
        summary, decision, top_inputs = items["summary.csv"], items["decision.csv"], items.get("top_inputs.csv")
        items["summary.md"] = build_summary_md(result, summary, items)
        items["columns.csv"] = columns_frame(csvs + ["columns.csv"])
        lines = [headline(result, decision, top_inputs), *_policy_lines(result, items.get("policy.csv")),
                 *run_header(result),
                 *decision_lines(decision, result.scenario.meta.currency),
                 *describe_run(result, summary, _pair(decision)),
                 *run_top_inputs(result, top_inputs)]
    return Report(result.scenario.name, items, lines)


def _pair(decision: pd.DataFrame) -> tuple[str, str]:
    """(recommended, runner-up) of a decision table."""
    role = decision.set_index("role")["strategy"]
    return str(role["recommended"]), str(role["runner-up"])


def _policy_lines(result: SimulationResult, policy: pd.DataFrame | None) -> list[str]:
    """With a staged strategy, the headline of its trigger search (``policy.csv``)."""
    if policy is None:
        return []
    scenario = result.scenario
    labels = {s: scenario.label(s) for s in scenario.strategies}
    return [policy_headline(policy, labels, scenario.meta.currency, scenario.horizon_months)]


# --- sensitivity -------------------------------------------------------------------------------


def _csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells a CSV cannot hold as they are (tuples of member inputs) joined with ' + '."""
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].map(lambda v: isinstance(v, (tuple, list))).any():
            frame[column] = frame[column].map(lambda v: " + ".join(map(str, v)) if isinstance(v, (tuple, list)) else v)
    return frame


def build_sensitivity_report(result: SimulationResult, *, challenger: str | None = None, low: float = 0.10,
                             high: float = 0.90, sobol: bool = True, sobol_samples: int | None = None,
                             pilot: PilotStudy | None = None, command: str | None = None,
                             on_item: Callable[[str], None] | None = None) -> Report:
    """Which inputs decide the answer and what learning them is worth, as ``ftrag-mc sensitivity``
    writes and prints it: tornado, spider, global indices, EVPPI and regret.

    Parameters
    ----------
    result
        A run that kept its samples (``simulate(..., keep_samples=True)``).
    challenger
        The strategy compared with the baseline; default the decision's pair: the recommended
        strategy against the runner-up (:func:`~ftrag_mc.analysis.decision.rank_strategies`, as
        the run's headline). The value of information is over every strategy.
    low, high
        The tornado's percentiles each input swings to, in (0, 0.5) and (0.5, 1).
    sobol, sobol_samples
        Whether to estimate Sobol indices, and the base samples of their design (a power of two).
    pilot
        An eval or pilot to value (:class:`~ftrag_mc.analysis.pilot.PilotStudy`): adds ``evsi.csv``
        and ``evsi.png`` (:func:`~ftrag_mc.analysis.pilot.compute_pilot_evsi`) and its headline.
    command
        The command line recorded in ``sensitivity.json``.
    on_item
        Called with each analysis's and chart's name before it is made (progress).

    Returns
    -------
    Report
        Merged into the scenario's folder: tornado, spider, global, evppi and regret (and evsi,
        with ``pilot``) as CSV, then as PNG, then ``sensitivity.json``; lines: the inputs that
        move ΔNPC most, then EVPI and the inputs most worth learning
        (:func:`~ftrag_mc.report.voi_words.describe_voi`), then what the eval is worth.

    Raises
    ------
    ValueError
        For a ``challenger`` that is not one, a run without its samples, or a ``pilot`` on no
        uncertain input of the scenario.
    """
    step = on_item or _no_step
    if pilot is not None:
        resolve_pilot(result.scenario, pilot)  # a misnamed input fails before the long analyses
    scenario, info, evpi = result.scenario, run_info(result), voi.compute_evpi(result)
    # The question that matters, the same as the run's hero chart and headline: the recommended
    # strategy against the runner-up (not, say, caching against no caching).
    if challenger is None:
        decision = rank_strategies(result)
        pair, against = decision.recommended, decision.runner_up
    else:
        pair, against = challenger, scenario.baseline
    tornado, spider, global_ = _input_studies(result, pair, against, low=low, high=high, sobol=sobol,
                                              sobol_samples=sobol_samples, step=step)
    step("value of information")
    evppi = add_evppi_words(voi.compute_evppi(result), scenario)  # evppi.csv says each row in words
    # The bar ends say each input's value in its unit (the CSV keeps the bare numbers).
    units = tornado.assign(unit=[input_unit(scenario, name) for name in tornado["input"]])
    drawn = [("tornado", charts.plot_tornado, units), ("spider", charts.plot_spider, spider),
             ("global", charts.plot_global, global_), ("evppi", charts.plot_evppi, evppi),
             ("regret", charts.plot_regret, evpi)]
    items: dict[str, Any] = {"tornado.csv": tornado, "spider.csv": spider, "global.csv": global_,
                             "evppi.csv": _csv_ready(evppi), "regret.csv": evpi}
    if pilot is not None:
        step("value of an eval")
        items["evsi.csv"] = evsi = compute_pilot_evsi(result, pilot)
        drawn.append(("evsi", charts.plot_evsi, evsi))
    with _closed_on_error(items):
        for name, plot, frame in drawn:
            step(f"{name}.png")
            items[f"{name}.png"] = plot(frame, info)[0]
    # The record keeps the challenger as asked (None: the default rule), not the one it chose.
    extra = {} if pilot is None else {"evsi": dataclasses.asdict(pilot)}
    items["sensitivity.json"] = sensitivity_record(result, challenger=challenger, pair=[pair, against], low=low,
                                                   high=high, sobol=sobol, command=command, **extra)
    lines = top_inputs_lines(tornado) + describe_voi(evpi, evppi, currency=scenario.meta.currency)
    if pilot is not None:
        lines += pilot_lines(items["evsi.csv"])
    return Report(scenario.name, items, lines, merge=True)


def _input_studies(result: SimulationResult, pair: str, against: str, *, low: float, high: float, sobol: bool,
                   sobol_samples: int | None, step: Callable[[str], None]):
    """The tornado, the spider and the global indices of ``pair`` against ``against``."""
    scenario = result.scenario
    step("tornado")
    tornado = sensitivity.compute_tornado(scenario, challenger=pair, baseline=against, low=low, high=high,
                                          result=result)
    step("spider")
    spider = sensitivity.compute_spider(scenario, challenger=pair, baseline=against, result=result)
    step("global indices")
    kwargs = {} if sobol_samples is None else {"sobol_samples": sobol_samples}
    global_ = sensitivity.compute_global(result, challenger=pair, baseline=against, sobol=sobol, seed=result.seed,
                                         **kwargs)
    return tornado, spider, global_


# --- sweep -------------------------------------------------------------------------------------


def _sweep_axes(x: SweepAxis | str, y: SweepAxis | str | None) -> list[SweepAxis]:
    """The swept axes, ``KEY=VALUES`` texts parsed (errors name ``--x`` / ``--y``); no ``y`` (None
    or an empty text) is a 1-D sweep."""
    given = [(x, "--x")] + ([(y, "--y")] if y else [])
    return [parse_sweep_values(axis, option=option) if isinstance(axis, str) else axis for axis, option in given]


def count_sweep_points(x: SweepAxis | str, y: SweepAxis | str | None = None) -> int:
    """The grid points of a sweep over ``x`` (and ``y``): its values times ``y``'s, e.g. to size
    a progress bar (each point simulates the same number of samples).

    Raises
    ------
    ScenarioError
        For a ``KEY=VALUES`` text that does not parse.
    """
    points = 1
    for _key, values in _sweep_axes(x, y):
        points *= len(values)
    return points


def _swept_strategy(scenario: Scenario, axes: Sequence[SweepAxis]) -> str | None:
    """The challenger whose own input is swept (``strategies.NAME....``), when it is the only
    strategy named: a sweep of its training cost draws it alone. None otherwise."""
    named = {key.split(".")[1] for key, _values in axes if key.startswith("strategies.") and key.count(".") >= 2}
    if len(named) == 1 and next(iter(named)) in scenario.challengers:
        return next(iter(named))
    return None


def _sweep_base(scenario: Scenario | str | Path, overrides: Sequence[str]) -> Scenario:
    """The scenario a sweep starts from, with ``overrides`` (after a Scenario's own)."""
    if not isinstance(scenario, Scenario):
        return load_scenario(scenario, overrides)
    if overrides and scenario.file:
        return load_scenario(scenario.file, (*scenario.overrides, *overrides))
    return scenario  # one built in code: compute_sweep says it has no file to sweep


def _axis_text(axis: SweepAxis | str) -> str:
    """The ``KEY=VALUES`` text of an axis for the record: as given, or its values as TOML."""
    if isinstance(axis, str):
        return axis
    key, values = axis
    return f"{key}={','.join(map(format_value, values))}"


def build_sweep_report(scenario: Scenario | str | Path, x: SweepAxis | str, y: SweepAxis | str | None = None, *,
                       samples: int | None = None, seed: int | None = None, sampler: str | None = None,
                       challenger: str | None = None, horizon: int | None = None, overrides: Sequence[str] = (),
                       workers: int | None = None, command: str | None = None,
                       progress: Callable[[int], None] | None = None) -> Report:
    """P(win) and the mean saving over a grid of one or two inputs, as ``ftrag-mc sweep`` writes and
    prints it.

    Parameters
    ----------
    scenario
        A scenario file, or a :class:`~ftrag_mc.scenario.Scenario` loaded from one (its
        overrides are kept).
    x, y
        ``"KEY=v1,v2,..."``, ``"KEY=lo:hi:n[:log]"`` or ``(key, values)``
        (:func:`~ftrag_mc.analysis.sweep.compute_sweep`); with ``y`` a heatmap over the grid.
    samples, seed, sampler
        At every grid point, one seed for all (common random numbers); default the scenario's.
    challenger
        Draw this challenger only; default the one whose own input is swept, else every one.
    horizon
        Months drawn and searched for crossings; default each point's longest.
    overrides
        ``--set`` texts applied before the sweep.
    workers, progress
        Passed to :func:`~ftrag_mc.analysis.sweep.compute_sweep`: ``progress`` is called with
        samples done, :func:`count_sweep_points` x ``samples`` in all.
    command
        The command line recorded in ``sweep.json``.

    Returns
    -------
    Report
        Merged into the scenario's folder: ``sweep.csv`` (with ``x_label``/``y_label``, the
        inputs in words), ``sweep_crossings.csv``, ``sweep.png`` and ``sweep.json``; lines: where
        each challenger's P(win) crosses 50 %.

    Raises
    ------
    ScenarioError
        For an invalid scenario, grid point or ``KEY=VALUES`` text.
    ValueError
        For a Sobol sampler, an unknown challenger or a horizon the sweep lacks.
    """
    base = _sweep_base(scenario, overrides)
    axes = _sweep_axes(x, y)
    if challenger is None:
        challenger = _swept_strategy(base, axes)
    frame = compute_sweep(base, *axes, samples=samples, seed=seed, sampler=sampler, challenger=challenger,
                          workers=workers, progress=progress)
    for prefix, (key, _values) in zip("xy", axes):
        frame[f"{prefix}_label"] = voi.describe_input(base, key)
    crossings = compute_sweep_crossings(frame, horizon=horizon)
    plot = plot_sweep_2d if len(axes) == 2 else plot_sweep_1d
    drawn = attach_sweep_crossings(frame, crossings, horizon=horizon)
    items = {"sweep.csv": frame, "sweep_crossings.csv": crossings,
             "sweep.png": plot(drawn, sweep_run_info(base, frame))[0]}
    items["sweep.json"] = sweep_record(base, frame, x=_axis_text(x), y=None if y is None else _axis_text(y),
                                       points=count_sweep_points(*axes), command=command)
    return Report(base.name, items, describe_sweep_crossings(crossings), merge=True)


# --- compare -----------------------------------------------------------------------------------


def build_compare_report(pairs: Sequence[Variant], *, samples: int | None = None, seed: int | None = None,
                         sampler: str | None = None, horizon: int | None = None, workers: int | None = None,
                         command: str | None = None, progress: Callable[[int], None] | None = None) -> Report:
    """P(win) curves and headline figures of several scenarios (or one under several what-ifs), as
    ``ftrag-mc compare`` writes and prints them.

    Parameters
    ----------
    pairs
        ``(name, scenario)`` pairs, two or more, names unique
        (:func:`~ftrag_mc.analysis.compare.variant_name`).
    samples, seed, sampler, horizon, workers, progress
        As :func:`~ftrag_mc.analysis.compare.compute_compare`: one seed for every variant.
    command
        The command line recorded in ``run.json``.

    Returns
    -------
    Report
        Into ``compare/``, replacing it: ``compare.csv``, ``compare_headline.csv``,
        ``compare_decision.csv`` (per variant: the recommended strategy, the runner-up, the expected
        saving, P(loss), P(cheapest of all)), ``compare.png`` and ``run.json``; lines: each
        variant's decision, each challenger's P(cheaper), then the notes.

    Raises
    ------
    ValueError
        As :func:`~ftrag_mc.analysis.compare.compute_compare` (checked before simulating).
    """
    curves, headline, decisions = compute_compare(pairs, samples=samples, seed=seed, sampler=sampler,
                                                  horizon=horizon, workers=workers, progress=progress, decision=True)
    lines = describe_compare(headline, decisions)
    items = {"compare.csv": curves, "compare_headline.csv": headline, "compare_decision.csv": decisions,
             "compare.png": plot_compare(attach_headline(curves, headline, decisions), compare_run_info(headline))[0],
             "run.json": compare_record(headline, variants=[name for name, _scenario in pairs], command=command)}
    return Report(COMPARE_FOLDER, items, lines)


# --- explain -----------------------------------------------------------------------------------


def build_explain_report(scenario: Scenario, *, percentile: float = 50.0, volume: float | None = None,
                         command: str | None = None) -> Report:
    """The cost breakdown behind the totals at one set of input values, as ``ftrag-mc explain``
    writes and prints it (no sampling).

    Parameters
    ----------
    scenario
        A validated scenario.
    percentile, volume
        As :func:`~ftrag_mc.analysis.explain.compute_explain`: every uncertain input at its own
        percentile (50: the medians); the start volume, default the scenario's.
    command
        The command line recorded in ``explain.json``.

    Returns
    -------
    Report
        Merged into the scenario's folder: ``explain_items.csv``, ``explain_months.csv``,
        ``explain_breakeven.csv`` and ``explain.json``; lines: the breakdown in words and tables
        (:func:`~ftrag_mc.report.explain_text.describe_explain`).

    Raises
    ------
    ValueError
        As :func:`~ftrag_mc.analysis.explain.compute_explain`.
    """
    explained = compute_explain(scenario, percentile=percentile, volume=volume)
    items = {"explain_items.csv": explained.items, "explain_months.csv": explained.months,
             "explain_breakeven.csv": add_breakeven_words(explained.breakeven),
             "explain.json": explain_record(scenario, explained, command=command)}
    return Report(scenario.name, items, describe_explain(explained, scenario), merge=True)


# --- policy ------------------------------------------------------------------------------------


def build_policy_report(scenario: Scenario, *, start: str | None = None, switch_to: str | None = None,
                        trigger: str | None = None, for_months: int | None = None, points: int = 40,
                        samples: int | None = None, seed: int | None = None, sampler: str | None = None,
                        workers: int | None = None, command: str | None = None,
                        progress: Callable[[int], None] | None = None) -> Report:
    """When to switch from one strategy to another, as ``ftrag-mc policy`` writes and prints it.

    Parameters
    ----------
    scenario
        A validated scenario.
    start, switch_to, trigger, for_months, points, samples, seed, sampler, workers, progress
        As :func:`~ftrag_mc.analysis.policy.compute_policy` (A and B default to the scenario's
        staged strategy's, else the baseline and the challenger with the lowest expected NPC).
    command
        The command line recorded in ``policy.json``.

    Returns
    -------
    Report
        Merged into the scenario's folder: ``policy.csv``, ``policy.png`` and ``policy.json``; lines:
        the best policy with its interval, the value of flexibility, how often it beats each static
        choice (:func:`~ftrag_mc.report.policy_words.describe_policy`).

    Raises
    ------
    ValueError
        As :func:`~ftrag_mc.analysis.policy.compute_policy` (checked before the search).
    """
    result = compute_policy(scenario, start=start, switch_to=switch_to, trigger=trigger, for_months=for_months,
                            points=points, samples=samples, seed=seed, sampler=sampler, workers=workers,
                            progress=progress)
    items: dict[str, Any] = {"policy.csv": result.frame}
    with _closed_on_error(items):
        items["policy.png"] = charts.plot_policy(result.frame, charts.policy_run_info(result))[0]
        items["policy.json"] = policy_record(result, command=command)
    return Report(scenario.name, items, describe_policy(result), merge=True)
