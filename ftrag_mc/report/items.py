"""The manifest of a run's report: every file, what it shows, how it is made and, for a CSV, what
each of its columns holds. ``ftrag-mc run``, its ``--help``, the README, the data dictionary
(:mod:`ftrag_mc.report.dictionary`) and the tests read :data:`REPORT_ITEMS`; a new chart or table
is its analysis, its chart module and one entry here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from ftrag_mc.analysis import regimes
from ftrag_mc.analysis.delta_distribution import compute_delta_marks
from ftrag_mc.analysis.marks import attach_marks
from ftrag_mc.model.components import component_values_text
from ftrag_mc.model.staged import is_staged
from ftrag_mc.report import charts
from ftrag_mc.report.analyses import RunAnalyses
from ftrag_mc.report.policy_words import policy_columns
from ftrag_mc.report.decision_columns import DECISION_COLUMNS, SUMMARY_ERROR_COLUMNS
from ftrag_mc.report.columns import (
    BREAKEVEN_SENTINELS, DELTA, PAYBACK_SENTINELS, Column, percentile_columns, shared,
)
from ftrag_mc.report.style import fonts_for
from ftrag_mc.simulate import SimulationResult

__all__ = ["DOCUMENT_FILES", "REPORT_ITEMS", "ReportItem", "build_report", "close_figures", "scenario_texts"]


@dataclass(frozen=True)
class ReportItem:
    """One file of the standard report: its name, what it shows, how it is made and what its
    columns hold.

    ``build`` takes the run's analyses (:class:`~ftrag_mc.report.analyses.RunAnalyses`) and
    returns a DataFrame (CSV) or a Figure (PNG); None for files the run's builder writes itself
    (run.json, the documents). ``applies`` says whether a run has it (e.g. the cheapest-strategy
    chart needs three strategies or more). ``columns`` describes each column of a CSV:
    column -> (meaning, unit); the data dictionary is made of them.
    """

    name: str
    description: str
    build: Callable[[RunAnalyses], Any] | None = None
    applies: Callable[[SimulationResult], bool] = lambda result: True
    columns: Mapping[str, Column] = field(default_factory=dict)


def _three_or_more(result: SimulationResult) -> bool:
    return len(result.strategies) > 2


def _has_staged(result: SimulationResult) -> bool:
    return any(is_staged(s) for s in result.scenario.strategies.values())


def _decision_panel(a: RunAnalyses) -> pd.DataFrame:
    """The rows of the P(win) chart's first panel (:attr:`RunAnalyses.hero`): recommended vs runner-up."""
    hero, decision = a.hero, a.decision
    first = hero[(hero["strategy"] == decision.recommended) & (hero["baseline"] == decision.runner_up)]
    return first.reset_index(drop=True)


#: A P(win) curve's 50 % crossing (pwin_crossings.csv, and on every row of pwin_decision.csv).
_CROSSING_COLUMNS = {
    "volume_at_50pct": ("starting volume where the P(win) curve first reaches 50 % (see method); "
                        "empty (NaN) = no upward crossing inside the sweep", "queries/month"),
    "method": ("how volume_at_50pct was found: the median of the per-sample breakeven volumes (exact "
               "within its bound, when P(win) never falls with volume) or interpolated in log volume "
               "between grid points; empty when there is no crossing", "text"),
    "p_win_at_min": ("p_win at the bottom of the sweep", "probability 0-1"),
    "p_win_at_max": ("p_win at the top of the sweep", "probability 0-1"),
    "volume_at_50pct_low": SUMMARY_ERROR_COLUMNS["volume_at_50pct_low"],
    "volume_at_50pct_high": SUMMARY_ERROR_COLUMNS["volume_at_50pct_high"],
}

#: The standard report, in the order it is written: run, --help, the README and the tests read it.
REPORT_ITEMS: tuple[ReportItem, ...] = (
    ReportItem("summary.csv", "one row per challenger and horizon: P(win) with interval, mean ΔNPC with its "
               "standard error, P5/P50/P95, P(loss), CVaR95, breakeven and payback percentiles",
               lambda a: a.summary, columns={
        **shared("strategy", "label", "horizon_months", "p_win", "p_win_low",
                                   "p_win_high", "samples"),
        "queries_per_month": ("the scenario's starting volume, at which this row is computed", "queries/month"),
        "mean_delta_usd": (f"mean {DELTA}", "USD (scenario currency), discounted"),
        "mean_delta_se_usd": ("Monte Carlo standard error of mean_delta_usd", "USD"),
        "p5_delta_usd": (f"5th percentile of ΔNPC ({DELTA}): the best 5 % of futures save at least "
                         "this much", "USD"),
        "p50_delta_usd": (f"median ΔNPC ({DELTA})", "USD"),
        "p95_delta_usd": ("95th percentile of ΔNPC: the worst 5 % of futures cost at least this much "
                          "more (negative = even they save)", "USD"),
        "p_loss": ("P(ΔNPC > 0): share of futures in which the challenger costs more", "probability 0-1"),
        "cvar95_delta_usd": ("CVaR95: mean ΔNPC over the worst 5 % of futures (the expected extra cost "
                             "in a bad case; negative = even those save)", "USD"),
        "mean_npc_usd": ("mean net present cost of the challenger", "USD, discounted"),
        "mean_baseline_npc_usd": ("mean net present cost of the baseline", "USD, discounted"),
        "delta_percentile_rel_error": ("bound on the relative error of the ΔNPC percentiles and CVaR "
                                       "(read from a fine histogram; exact for constant inputs)", "fraction"),
        "baseline": ("the strategy every challenger is compared with", "name"),
        "volume_at_50pct": ("starting volume where p_win first reaches 50 % in the sweep (as in "
                            "pwin_crossings.csv); empty (NaN) = no upward crossing inside the sweep",
                            "queries/month"),
        "breakeven_p10": (f"10th percentile of the per-future breakeven volume; {BREAKEVEN_SENTINELS}",
                          "queries/month"),
        "breakeven_p50": (f"median breakeven volume; {BREAKEVEN_SENTINELS}", "queries/month"),
        "breakeven_p90": (f"90th percentile of the breakeven volume; {BREAKEVEN_SENTINELS}",
                          "queries/month"),
        "breakeven_share_above_range": ("share of futures in which the challenger does not win even at "
                                        "the top of the sweep (breakeven = inf)", "probability 0-1"),
        "payback_p50_months": (f"median payback month at the scenario's volume; {PAYBACK_SENTINELS} "
                               "(this row's horizon)", "months"),
        "payback_share_never": ("share of futures that do not pay back within this row's horizon",
                                "probability 0-1"),
        **SUMMARY_ERROR_COLUMNS,
    }),
    ReportItem("decision.csv", "the decision among all strategies at your volume and the longest horizon: one row "
               "per strategy in rank order (expected NPC ± standard error, P(cheapest of all) with interval, "
               "dominated by); the runner-up's row also holds the recommended strategy's saving against it, "
               "its spread and the volume where the choice flips", lambda a: a.decision.table,
               columns=DECISION_COLUMNS),
    ReportItem("pwin_vs_volume.csv", "P(win) against start volume per horizon, with 95 % Wilson intervals",
               lambda a: a.curves, columns={
        **shared("strategy", "label", "horizon_months", "queries_per_month", "p_win",
                                   "p_win_low", "p_win_high", "wins", "samples"),
    }),
    ReportItem("pwin_vs_volume.png", "the same curves, the 50 % crossings marked; first the main question: "
               "the recommended strategy against the runner-up (decision.csv)",
               lambda a: charts.plot_pwin_vs_volume(a.hero, a.info)[0]),
    ReportItem("pwin_crossings.csv", "the volume where each curve reaches 50 % (exact: the median breakeven, "
               "where P(win) never falls with volume)", lambda a: a.crossings, columns={
        **shared("strategy", "label", "horizon_months"), **_CROSSING_COLUMNS,
    }),
    ReportItem("pwin_decision.csv", "the P(win) chart's first panel: the recommended strategy against the "
               "runner-up (decision.csv), per horizon and start volume, from the decision's own run with the "
               "runner-up as its baseline, its 50 % crossings on every row",
               _decision_panel, columns={
        **shared("horizon_months", "queries_per_month", "p_win", "p_win_low", "p_win_high", "wins", "samples"),
        "strategy": ("the recommended strategy", "name"),
        "label": ("its label", "text"),
        **_CROSSING_COLUMNS,
        "volume_at_50pct": ("starting volume where P(win) crosses 50 % (see method): where it first reaches 50 % "
                            "going up, or, where the recommended strategy wins below a volume, where it falls to "
                            "50 %; empty (NaN) = no crossing inside the sweep", "queries/month"),
        "method": ("how volume_at_50pct was found: the median of the per-sample breakeven volumes (exact "
                   "within its bound, when P(win) never falls with volume), or interpolated in log volume "
                   "between grid points (going up, or falling: the method says which); empty when there "
                   "is no crossing", "text"),
        "baseline": ("the runner-up, the strategy p_win is against", "name"),
        "baseline_label": ("its label", "text"),
    }),
    ReportItem("pwin_vs_month.csv", "at your volume: P(cumulative cost below the baseline's by month t)",
               lambda a: a.by_month, columns={
        **shared("strategy", "label", "wins", "samples"),
        "month": ("months since the start; 0 = after the one-time costs only", "month"),
        "p_win": ("P(challenger's cumulative discounted cost is below the baseline's by the end of this "
                  "month), at the scenario's volume", "probability 0-1"),
        **shared("p_win_low", "p_win_high"),
    }),
    ReportItem("pwin_vs_month.png", "the same, when the challenger pays back (a median payback of 0 said as "
               "the payback chart says it)",
               lambda a: charts.plot_pwin_vs_month(attach_marks(a.by_month, a.payback), a.info)[0]),
    ReportItem("breakeven.csv", "breakeven start volume percentiles; shares below and above the sweep "
               "(counted, never dropped)", lambda a: a.breakeven, columns={
        **shared("strategy", "label", "horizon_months", "share_at_median", "samples"),
        **percentile_columns("the breakeven volume (the starting volume above which the challenger "
                              "is cheaper)", "queries/month", BREAKEVEN_SENTINELS),
        "share_below_range": ("share of futures that already win at sweep_min (breakeven = 0)",
                              "probability 0-1"),
        "share_in_range": ("share of futures whose breakeven lies inside the sweep", "probability 0-1"),
        "share_above_range": ("share of futures that do not win even at sweep_max (breakeven = inf)",
                              "probability 0-1"),
        "sweep_min": ("bottom of the volume sweep", "queries/month"),
        "sweep_max": ("top of the volume sweep", "queries/month"),
        "percentile_rel_error": ("bound on the relative error of the percentiles (fine histogram; exact "
                                 "for constant inputs)", "fraction"),
    }),
    ReportItem("breakeven_histogram.csv", "the bars of the breakeven chart: share of all futures per bin",
               lambda a: a.breakeven_hist, columns={
        **shared("strategy", "label", "horizon_months", "futures", "share"),
        "bin_low": ("lower edge of the breakeven-volume bin (8 bins per decade)", "queries/month"),
        "bin_high": ("upper edge of the bin", "queries/month"),
    }),
    ReportItem("breakeven.png", "the breakeven distribution per horizon",
               lambda a: charts.plot_breakeven(attach_marks(a.breakeven_hist, a.breakeven), a.info)[0]),
    ReportItem("payback.csv", "payback month percentiles at your volume; the share that never pays back",
               lambda a: a.payback, columns={
        **shared("strategy", "label", "share_at_median", "samples"),
        "queries_per_month": ("the scenario's starting volume, at which payback is computed", "queries/month"),
        **percentile_columns("the payback month (the fractional month the cumulative saving turns "
                              "positive)", "months", PAYBACK_SENTINELS),
        "share_immediate": ("share of futures cheaper from day one (payback = 0)", "probability 0-1"),
        "share_never": ("share of futures that do not pay back within the horizon (payback = inf)",
                        "probability 0-1"),
        "horizon_months": ("the run's horizon, within which payback is sought", "months"),
        "percentile_abs_error_months": ("bound on the absolute error of the percentiles (exact for "
                                        "constant inputs)", "months"),
    }),
    ReportItem("payback_histogram.csv", "the bars of the payback chart: share of all futures per month",
               lambda a: a.payback_hist, columns={
        **shared("strategy", "label", "futures", "share"),
        "bin_low": ("lower edge of the one-month payback bin (payback 0 and never are not in the bars)",
                    "months"),
        "bin_high": ("upper edge of the bin", "months"),
    }),
    ReportItem("payback.png", "the payback distribution",
               lambda a: charts.plot_payback(attach_marks(a.payback_hist, a.payback), a.info)[0]),
    ReportItem("cheapest_vs_volume.csv", "with three strategies or more: P(each strategy is the cheapest) "
               "against volume", lambda a: a.cheapest, _three_or_more, columns={
        **shared("strategy", "label", "horizon_months", "queries_per_month", "samples"),
        "p_cheapest": ("P(this strategy, baseline included, has the lowest net present cost of all)",
                       "probability 0-1"),
        "p_cheapest_low": ("lower end of the 95 % Wilson interval of p_cheapest", "probability 0-1"),
        "p_cheapest_high": ("upper end of the 95 % Wilson interval of p_cheapest", "probability 0-1"),
    }),
    ReportItem("cheapest_regimes.csv", "with three strategies or more: the volume ranges in which each "
               "strategy is the most likely cheapest, and where the lead changes (interpolated between "
               "sweep volumes, said per row)", lambda a: a.regimes, _three_or_more, columns={
        **shared("horizon_months"),
        "regime": ("the volume range's rank, lowest volumes first (1, 2, ...)", "integer"),
        "strategy": ("the strategy most likely to be the cheapest of all in this range (highest "
                     "p_cheapest of cheapest_vs_volume.csv; a one-point blip between two runs of the same "
                     "leader is Monte Carlo noise and is merged into them)", "name"),
        "label": ("the strategy's label", "text"),
        "from_queries_per_month": ("where the range starts: the bottom of the sweep for regime 1, else the "
                                   "boundary with the previous leader (see boundary_method)", "queries/month"),
        "to_queries_per_month": ("where the range ends: the next regime's start, or the top of the sweep",
                                 "queries/month"),
        "boundary_method": ("how from_queries_per_month was found: sweep_start = the bottom of the sweep, not "
                            "a boundary; interpolated = an approximation, where the two leaders' p_cheapest "
                            "curves cross, linear in log volume between the two grid volumes given next",
                            "text"),
        "boundary_grid_low_queries_per_month": ("the grid volume just below the boundary (the previous "
                                                "leader's last); empty for regime 1", "queries/month"),
        "boundary_grid_high_queries_per_month": ("the grid volume just above the boundary (this leader's "
                                                 "first); empty for regime 1", "queries/month"),
        "p_cheapest_peak": ("the leader's highest p_cheapest inside its range", "probability 0-1"),
    }),
    ReportItem("cheapest_vs_volume.png", "the same",
               lambda a: charts.plot_cheapest_vs_volume(
                   regimes.attach_regimes(a.cheapest[a.cheapest["horizon_months"] == max(a.result.horizons)],
                                          a.regimes), a.info)[0], _three_or_more),
    ReportItem("delta_distribution.csv", "the distribution of ΔNPC at your volume and the longest horizon "
               "(share of all futures per bin)", lambda a: a.delta_distribution, columns={
        **shared("strategy", "label", "horizon_months", "queries_per_month", "samples"),
        "bin_low_usd": ("lower edge of the ΔNPC bin (ΔNPC = challenger's NPC minus the baseline's; "
                        "negative = saving; the chart draws the saving, -ΔNPC)", "USD"),
        "bin_high_usd": ("upper edge of the ΔNPC bin", "USD"),
        "share": ("share of ALL futures in this bin (the central P1-P99 range is binned, so a "
                  "challenger's bars add up to about 0.98)", "share 0-1"),
    }),
    ReportItem("delta_distribution.png", "the same as the saving (right of 0 = saves), the losing futures shaded, "
               "the expected saving and CVaR95 marked",
               lambda a: charts.plot_delta_distribution(
                   attach_marks(a.delta_distribution, compute_delta_marks(a.result)), a.info)[0]),
    ReportItem("fan.csv", "cumulative cost per strategy by month: P5, P10, P50, P90, P95 (from a separate "
               "run of up to 10,000 samples that keeps every path)", lambda a: a.fan, columns={
        **shared("strategy", "label", "queries_per_month", "samples"),
        "month": ("month t (0 = the one-time costs alone)", "months"),
        "p5_usd": ("5th percentile of the discounted cumulative cost through month t", "USD"),
        "p10_usd": ("10th percentile of the discounted cumulative cost through month t", "USD"),
        "p50_usd": ("median discounted cumulative cost through month t", "USD"),
        "p90_usd": ("90th percentile of the discounted cumulative cost through month t", "USD"),
        "p95_usd": ("95th percentile of the discounted cumulative cost through month t", "USD"),
        "seed": ("seed of the separate run the fan is read from", "integer"),
        "source": ("where the percentiles come from: a separate run that keeps every sample's path", "text"),
    }),
    ReportItem("fan.png", "the cumulative cost, one panel per strategy: median, P10-P90 and P5-P95 bands",
               lambda a: charts.plot_fan(a.fan, a.info)[0]),
    ReportItem("breakdown.csv", "each strategy's cost by component: at the medians and the mean, and each "
               "component's share", lambda a: a.breakdown, columns={
        **shared("strategy", "label", "horizon_months", "queries_per_month", "samples"),
        "component": (f"cost component: {component_values_text()}", "name"),
        "component_label": ("the component in words", "text"),
        "median_inputs_usd": ("the component's net present cost with every input at its median", "USD"),
        "mean_usd": ("the component's mean net present cost over the sampled futures", "USD"),
        "share_of_mean": ("mean_usd as a share of the strategy's mean total", "share 0-1"),
        "total_median_inputs_usd": ("the strategy's net present cost at the medians", "USD"),
        "total_mean_usd": ("the strategy's mean net present cost", "USD"),
        "seed": ("seed of the separate run the means are read from", "integer"),
        "source": ("where the numbers come from: evaluate() at the medians and over a separate run's inputs",
                   "text"),
    }),
    ReportItem("breakdown.png", "stacked bars of the mean cost by component",
               lambda a: charts.plot_breakdown(a.breakdown, a.info)[0]),
    ReportItem("top_inputs.csv", "the three uncertain inputs whose P10-P90 swing (others at their medians) "
               "moves the recommended strategy's ΔNPC against the runner-up most; the first is the headline's "
               "'what matters most'",
               lambda a: a.top_inputs, lambda result: bool(result.scenario.uncertain_inputs), columns={
        "rank": ("1 = the input that matters most (the headline names it), then 2, 3", "integer"),
        "strategy": ("the recommended strategy (as the headline and the first P(win) chart)", "name"),
        "strategy_label": ("its label", "text"),
        "baseline": ("the runner-up, the strategy it is compared with (ΔNPC = recommended − runner-up)", "name"),
        "baseline_label": ("its label", "text"),
        **shared("horizon_months", "queries_per_month"),
        "input": ("the uncertain input's key (inputs.x, or the strategy key path)", "name"),
        "label": ("its label in plain words", "text"),
        "delta_low_usd": (f"{DELTA}, with this input at its P10 and every other input at its median",
                          "currency"),
        "delta_high_usd": ("the same with this input at its P90", "currency"),
        "base_delta_usd": ("ΔNPC with every input at its median", "currency"),
        "swing_usd": ("|delta_high_usd − delta_low_usd|: how far this input alone moves ΔNPC (deterministic, "
                      "no Monte Carlo error)", "currency"),
    }),
    ReportItem("policy.csv", "with a staged strategy: the search of its trigger (ftrag-mc policy) on up to 20,000 "
               "futures of its own: per trigger the expected NPC and saving with paired standard errors, P(win), "
               "P(switch), switch-month percentiles, against committing now and never switching",
               lambda a: a.policy.frame, _has_staged, columns=policy_columns()),
    ReportItem("policy.png", "the same: the expected saving against the trigger, the best marked, the static "
               "policies as lines, and when the switch happens",
               lambda a: charts.plot_policy(a.policy.frame, charts.policy_run_info(a.policy))[0], _has_staged),
    ReportItem("report.pdf", "the board pack on one landscape sheet size (A4, or --paper letter): headline, "
               "decision table and hero chart, every chart, every input in words with its unit and source, the method"),
    ReportItem("summary.md", "the headline, key figures and the list of files"),
    ReportItem("columns.csv", "the data dictionary: every CSV column's meaning, unit, sign and sentinels",
               columns={
        "file": ("the CSV file of the report", "file name"),
        "column": ("the column of that file", "name"),
        "meaning": ("what the column holds, its sign and sentinel values", "text"),
        "unit": ("its unit", "text"),
    }),
    ReportItem("run.json", "seed, samples, sampler, engine, scenario SHA-256, overrides, versions, timings, "
               "percentile error bounds, the price-catalog entries used, the command"),
)


#: The files a run's builder adds to the items :func:`build_report` makes: the PDF, summary.md, the
#: data dictionary and the run record.
DOCUMENT_FILES: tuple[str, ...] = tuple(item.name for item in REPORT_ITEMS if item.build is None)


def build_report(result: SimulationResult, *, on_item: Callable[[str], None] | None = None,
                 rule: str = "mean", analyses: RunAnalyses | None = None,
                 on_built: Callable[[str, Any], None] | None = None) -> dict[str, Any]:
    """Every table and chart of the standard report (:data:`REPORT_ITEMS`), by file name.

    Parameters
    ----------
    result
        A finished run.
    on_item
        Called with each chart's file name before it is drawn (for progress).
    rule
        The decision rule (``mean`` or ``cvar``; :func:`~ftrag_mc.analysis.decision.rank_strategies`).
    analyses
        The run's analyses, when the caller has them (else made here with ``rule``).
    on_built
        Called with each item's file name and its table or chart as soon as it is made (a chart
        is final then: the run's builder starts rasterising it while the next one is drawn).

    Returns
    -------
    dict of str to DataFrame or Figure
        Tables are DataFrames, charts matplotlib Figures; nothing is written here.
    """
    step = on_item or (lambda name: None)
    analyses = analyses if analyses is not None else RunAnalyses(result, rule=rule)
    items: dict[str, Any] = {}
    with fonts_for(scenario_texts(result.scenario)):
        for item in REPORT_ITEMS:
            if item.build is None or not item.applies(result):
                continue
            if item.name.endswith(".png"):
                step(item.name)
            items[item.name] = item.build(analyses)
            if on_built is not None:
                on_built(item.name, items[item.name])
    return items


def scenario_texts(scenario: Any) -> list[str]:
    """Every word of a scenario a report can draw: its name and file, title, description, sources,
    strategy keys and labels, input names, the --set texts, and the file's text (the PDF quotes
    its comments)."""
    texts = [scenario.name, scenario.file or "", scenario.title, scenario.meta.description or "",
             *scenario.meta.sources, *scenario.overrides, *scenario.strategies,
             *(scenario.label(s) for s in scenario.strategies), *scenario.inputs]
    if scenario.file:
        try:
            with open(scenario.file, encoding="utf-8") as stream:
                texts.append(stream.read())
        except (OSError, UnicodeDecodeError):
            texts.append("\u4e00")  # unknown: keep the fallback fonts
    return texts


def close_figures(items: Mapping[str, Any]) -> None:
    """Close every Figure among ``items`` (they stay in it, no longer drawable)."""
    for item in items.values():
        if isinstance(item, plt.Figure):
            plt.close(item)
