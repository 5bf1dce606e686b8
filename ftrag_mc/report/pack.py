"""The standard report of a run: which analyses, which charts, and the run record."""

from __future__ import annotations

import platform
from datetime import datetime, timezone
from typing import Any, Callable

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import scipy

from ftrag_mc import analysis
from ftrag_mc._version import __version__
from ftrag_mc.report import plots
from ftrag_mc.report.style import RunInfo
from ftrag_mc.report.text import sampling_note
from ftrag_mc.simulate import BLOCK_SAMPLES, SimulationResult


def run_info(result: SimulationResult) -> RunInfo:
    scenario = result.scenario
    return RunInfo(scenario=scenario.name, title=scenario.title, strategies=result.strategies,
                   labels={s: scenario.label(s) for s in result.strategies}, baseline=result.baseline,
                   samples=result.n_samples, seed=result.seed, sampler=result.sampler,
                   version=__version__, currency=scenario.meta.currency,
                   overrides=tuple(getattr(scenario, "overrides", ())))


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
        **extra,
    }


def build_report(result: SimulationResult, *, on_item: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Every table and chart of the standard report, by file name.

    Tables are DataFrames, charts matplotlib Figures; nothing is written here. ``on_item`` is
    called with each chart's file name before it is drawn (for progress).
    """
    step = on_item or (lambda name: None)
    info = run_info(result)
    volume = result.scenario_volume
    longest = max(result.horizons)
    volume_range = (float(result.volumes[0]), float(result.volumes[-1]))

    curves = analysis.compute_pwin_vs_volume(result)
    crossings = analysis.compute_crossings(curves, result)
    by_month = analysis.compute_pwin_vs_month(result)
    breakeven = analysis.compute_breakeven(result)
    breakeven_hist = analysis.compute_breakeven_histogram(result)
    payback = analysis.compute_payback(result)
    payback_hist = analysis.compute_payback_histogram(result)
    summary = analysis.compute_summary(result, curves)

    items: dict[str, Any] = {
        "summary.csv": summary,
        "pwin_vs_volume.csv": curves,
        "pwin_crossings.csv": crossings,
        "pwin_vs_month.csv": by_month,
        "breakeven.csv": breakeven,
        "breakeven_histogram.csv": breakeven_hist,
        "payback.csv": payback,
        "payback_histogram.csv": payback_hist,
    }
    step("pwin_vs_volume.png")
    items["pwin_vs_volume.png"] = plots.plot_pwin_vs_volume(curves, crossings, info, scenario_volume=volume)[0]
    step("pwin_vs_month.png")
    items["pwin_vs_month.png"] = plots.plot_pwin_vs_month(by_month, info, volume=volume)[0]
    step("breakeven.png")
    items["breakeven.png"] = plots.plot_breakeven(breakeven_hist, breakeven, info, volume_range=volume_range)[0]
    step("payback.png")
    items["payback.png"] = plots.plot_payback(payback_hist, payback, info, volume=volume,
                                                horizon_months=result.horizon_months)[0]
    if len(result.strategies) > 2:
        step("cheapest_vs_volume.png")
        cheapest = analysis.compute_cheapest_vs_volume(result)
        items["cheapest_vs_volume.csv"] = cheapest
        items["cheapest_vs_volume.png"] = plots.plot_cheapest_vs_volume(
            cheapest, info, horizon_months=longest, scenario_volume=volume)[0]
    return items


def close_figures(items: dict[str, Any]) -> None:
    for item in items.values():
        if isinstance(item, plt.Figure):
            plt.close(item)
