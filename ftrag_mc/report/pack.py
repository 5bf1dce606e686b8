"""The standard report of a run: which analyses, which charts, and the run record."""

from __future__ import annotations

import functools
import platform
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import scipy

from ftrag_mc import analysis
from ftrag_mc._version import __version__
from ftrag_mc.analysis import charts_extra, regimes
from ftrag_mc.analysis.charts_extra import attach_marks
from ftrag_mc.report import charts
from ftrag_mc.report.style import RunInfo, fonts_for
from ftrag_mc.report.text import sampling_note
from ftrag_mc.simulate import BLOCK_SAMPLES, SimulationResult


def run_info(result: SimulationResult, summary: pd.DataFrame | None = None) -> RunInfo:
    """What the charts need to know about ``result``; ``summary`` (else computed) gives the
    main question's challenger (:func:`charts_extra.main_challenger`)."""
    scenario = result.scenario
    if summary is None:
        summary = analysis.compute_summary(result)
    return RunInfo(scenario=scenario.name, title=scenario.title, strategies=result.strategies,
                   labels={s: scenario.label(s) for s in result.strategies}, baseline=result.baseline,
                   samples=result.n_samples, seed=result.seed, sampler=result.sampler,
                   version=__version__, currency=scenario.meta.currency,
                   overrides=tuple(getattr(scenario, "overrides", ())),
                   queries_per_month=float(result.scenario_volume),
                   sweep_queries_per_month=(float(result.volumes[0]), float(result.volumes[-1])),
                   horizon_months=int(result.horizon_months),
                   main_challenger=charts_extra.main_challenger(summary))


def run_record(result: SimulationResult, **extra: Any) -> dict[str, Any]:
    """What reproduces the run: seed, samples, sampler, scenario hash, versions; and its timings."""
    scenario = result.scenario
    return {
        "scenario": scenario.name,
        "scenario_file": scenario.file,
        "scenario_sha256": scenario.source_hash,
        "overrides": list(getattr(scenario, "overrides", ())),
        "seed": result.seed,
        "samples": result.n_samples,
        "sampler": result.sampler,
        "chunk_size": result.chunk_size,
        "horizon_months": result.horizon_months,
        "analysis_horizons_months": list(result.horizons),
        "baseline": result.baseline,
        "strategies": list(result.strategies),
        "uncertain_inputs": len(scenario.uncertain_inputs),
        "engine": result.engine,
        "workers": result.workers,
        "block_samples": BLOCK_SAMPLES,
        "target_se": result.target_se,
        "requested_samples": result.requested_samples,
        "stopped": result.stopped,
        "percentile_error_bounds": {
            "breakeven_relative": result.breakeven_hist.bins.rel_error,
            "payback_months": result.payback_hist.bins.abs_error,
            "delta_npc_relative": result.delta_hist.bins.rel_error,
            "note": "percentiles, medians and CVaR are read from fixed fine histograms (memory flat in "
                    "samples); each is within one bin of the exact value, exact for constant inputs",
        },
        "queries_per_month": result.scenario_volume,
        "package_version": __version__,
        "versions": {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
                     "pandas": pd.__version__},
        "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "timings_s": {k: round(v, 4) for k, v in result.timings_s.items()},
        "note": sampling_note(result),
        "catalog_entries": _catalog_entries(scenario),
        **extra,
    }


def _catalog_entries(scenario: Any) -> list[dict[str, Any]]:
    """The price-catalog entries the scenario's ``model = ...`` keys used, and where."""
    entries: dict[tuple, dict[str, Any]] = {}
    for use in getattr(scenario, "catalog", ()):
        for entry in use.entries:
            record = entries.setdefault((entry.name, entry.as_of, entry.source), {
                "name": entry.name, "as_of": entry.as_of.isoformat(), "source": entry.source, "used_by": []})
            record["used_by"].append(use.path)
    return list(entries.values())


REPORT_KEPT_SAMPLES = 10_000


class _Analyses:
    """Every analysis of a run computed at most once, on first use, for the report items."""

    def __init__(self, result: SimulationResult):
        self.result = result
        self.info = run_info(result, self.summary)
        self.volume = result.scenario_volume
        self.volume_range = (float(result.volumes[0]), float(result.volumes[-1]))

    @functools.cached_property
    def curves(self):
        return analysis.compute_pwin_vs_volume(self.result)

    @functools.cached_property
    def crossings(self):
        return analysis.compute_crossings(self.curves, self.result)

    @functools.cached_property
    def by_month(self):
        return analysis.compute_pwin_vs_month(self.result)

    @functools.cached_property
    def breakeven(self):
        return analysis.compute_breakeven(self.result)

    @functools.cached_property
    def breakeven_hist(self):
        return analysis.compute_breakeven_histogram(self.result)

    @functools.cached_property
    def payback(self):
        return analysis.compute_payback(self.result)

    @functools.cached_property
    def payback_hist(self):
        return analysis.compute_payback_histogram(self.result)

    @functools.cached_property
    def summary(self):
        return analysis.compute_summary(self.result, self.curves)

    @functools.cached_property
    def cheapest(self):
        return analysis.compute_cheapest_vs_volume(self.result)

    @functools.cached_property
    def regimes(self):
        return regimes.compute_regimes(self.cheapest)

    @functools.cached_property
    def top_inputs(self):
        from ftrag_mc.analysis.sensitivity import compute_top_inputs

        return compute_top_inputs(self.result.scenario, challenger=self.info.main_challenger)

    @functools.cached_property
    def kept(self) -> SimulationResult:
        """A separate run that keeps every sample (10,000 at most: the report's memory stays
        under 300 MB), for the fan and the breakdown."""
        from ftrag_mc.simulate import simulate

        return simulate(self.result.scenario, samples=min(REPORT_KEPT_SAMPLES, self.result.n_samples),
                        seed=self.result.seed, sampler=self.result.sampler, keep_samples=True, workers=1)

    @functools.cached_property
    def delta_distribution(self):
        return charts_extra.compute_delta_distribution(self.result)

    @functools.cached_property
    def fan(self):
        return charts_extra.compute_fan(self.result.scenario, result=self.kept)

    @functools.cached_property
    def breakdown(self):
        return charts_extra.compute_breakdown(self.result.scenario, result=self.kept)


@dataclass(frozen=True)
class ReportItem:
    """One file of the standard report: its name, what it shows, and how it is made.

    ``build`` takes the run's analyses and returns a DataFrame (CSV) or a Figure (PNG); None for
    files the command writes itself (run.json, the documents). ``applies`` says whether a run
    has it (e.g. the cheapest-strategy chart needs three strategies or more).
    """

    name: str
    description: str
    build: Callable[[_Analyses], Any] | None = None
    applies: Callable[[SimulationResult], bool] = lambda result: True


def _three_or_more(result: SimulationResult) -> bool:
    return len(result.strategies) > 2


#: The standard report, in the order it is written: run, --help, the README and the tests read it.
REPORT_ITEMS: tuple[ReportItem, ...] = (
    ReportItem("summary.csv", "one row per challenger and horizon: P(win) with interval, mean ΔNPC with its "
               "standard error, P5/P50/P95, P(loss), CVaR95, breakeven and payback percentiles",
               lambda a: a.summary),
    ReportItem("pwin_vs_volume.csv", "P(win) against start volume per horizon, with 95 % Wilson intervals",
               lambda a: a.curves),
    ReportItem("pwin_vs_volume.png", "the same curves, the 50 % crossings marked; the main question "
               "(baseline vs the challenger best on average, else the strongest) first",
               lambda a: charts.plot_pwin_vs_volume(attach_marks(a.curves, a.crossings), a.info)[0]),
    ReportItem("pwin_crossings.csv", "the volume where each curve reaches 50 % (exact: the median breakeven, "
               "where P(win) never falls with volume)", lambda a: a.crossings),
    ReportItem("pwin_vs_month.csv", "at your volume: P(cumulative cost below the baseline's by month t)",
               lambda a: a.by_month),
    ReportItem("pwin_vs_month.png", "the same, when the challenger pays back",
               lambda a: charts.plot_pwin_vs_month(a.by_month, a.info)[0]),
    ReportItem("breakeven.csv", "breakeven start volume percentiles; shares below and above the sweep "
               "(counted, never dropped)", lambda a: a.breakeven),
    ReportItem("breakeven_histogram.csv", "the bars of the breakeven chart: share of all futures per bin",
               lambda a: a.breakeven_hist),
    ReportItem("breakeven.png", "the breakeven distribution per horizon",
               lambda a: charts.plot_breakeven(attach_marks(a.breakeven_hist, a.breakeven), a.info)[0]),
    ReportItem("payback.csv", "payback month percentiles at your volume; the share that never pays back",
               lambda a: a.payback),
    ReportItem("payback_histogram.csv", "the bars of the payback chart: share of all futures per month",
               lambda a: a.payback_hist),
    ReportItem("payback.png", "the payback distribution",
               lambda a: charts.plot_payback(attach_marks(a.payback_hist, a.payback), a.info)[0]),
    ReportItem("cheapest_vs_volume.csv", "with three strategies or more: P(each strategy is the cheapest) "
               "against volume", lambda a: a.cheapest, _three_or_more),
    ReportItem("cheapest_regimes.csv", "with three strategies or more: the volume ranges in which each "
               "strategy is the most likely cheapest, and where the lead changes (interpolated between "
               "sweep volumes, said per row)", lambda a: a.regimes, _three_or_more),
    ReportItem("cheapest_vs_volume.png", "the same",
               lambda a: charts.plot_cheapest_vs_volume(
                   regimes.attach_regimes(a.cheapest[a.cheapest["horizon_months"] == max(a.result.horizons)],
                                          a.regimes), a.info)[0], _three_or_more),
    ReportItem("delta_distribution.csv", "the distribution of ΔNPC at your volume and the longest horizon "
               "(share of all futures per bin)", lambda a: a.delta_distribution),
    ReportItem("delta_distribution.png", "the same, with P(loss) shaded and the expected saving and CVaR95 marked",
               lambda a: charts.plot_delta_distribution(
                   attach_marks(a.delta_distribution, charts_extra.compute_delta_marks(a.result)), a.info)[0]),
    ReportItem("fan.csv", "cumulative cost per strategy by month: P5, P10, P50, P90, P95 (from a separate "
               "run of up to 10,000 samples that keeps every path)", lambda a: a.fan),
    ReportItem("fan.png", "the cumulative cost fan chart: median, P10-P90 and P5-P95 bands",
               lambda a: charts.plot_fan(a.fan, a.info)[0]),
    ReportItem("breakdown.csv", "each strategy's cost by component: at the medians and the mean, and each "
               "component's share", lambda a: a.breakdown),
    ReportItem("breakdown.png", "stacked bars of the mean cost by component",
               lambda a: charts.plot_breakdown(a.breakdown, a.info)[0]),
    ReportItem("top_inputs.csv", "the three uncertain inputs whose P10-P90 swing (others at their medians) "
               "moves the main question's ΔNPC most; the first is the headline's 'what matters most'",
               lambda a: a.top_inputs, lambda result: bool(result.scenario.uncertain_inputs)),
    ReportItem("report.pdf", "the board pack: headline and key figures, every chart, every input with its "
               "source, the method"),
    ReportItem("summary.md", "the headline, key figures and the list of files"),
    ReportItem("columns.csv", "the data dictionary: every CSV column's meaning, unit, sign and sentinels"),
    ReportItem("run.json", "seed, samples, sampler, engine, scenario SHA-256, overrides, versions, timings, "
               "percentile error bounds, the price-catalog entries used, the command"),
)


def build_report(result: SimulationResult, *, on_item: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Every table and chart of the standard report (:data:`REPORT_ITEMS`), by file name.

    Tables are DataFrames, charts matplotlib Figures; nothing is written here. ``on_item`` is
    called with each chart's file name before it is drawn (for progress).
    """
    step = on_item or (lambda name: None)
    analyses = _Analyses(result)
    items: dict[str, Any] = {}
    with fonts_for(scenario_texts(result.scenario)):
        for item in REPORT_ITEMS:
            if item.build is None or not item.applies(result):
                continue
            if item.name.endswith(".png"):
                step(item.name)
            items[item.name] = item.build(analyses)
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


def close_figures(items: dict[str, Any]) -> None:
    for item in items.values():
        if isinstance(item, plt.Figure):
            plt.close(item)
