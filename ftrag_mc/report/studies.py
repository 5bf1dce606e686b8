"""The sensitivity and value-of-information study of a run: which analyses, which charts, one record.

Like :mod:`ftrag_mc.report.pack` for ``run``: tables are DataFrames, charts Figures, nothing is
written here. The study answers for one pair (a challenger against the baseline; by default the
strongest challenger) and, for the value of information, for the whole set of strategies.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable

import pandas as pd

from ftrag_mc._version import __version__
from ftrag_mc.analysis import sensitivity, voi
from ftrag_mc.analysis import compute_summary
from ftrag_mc.analysis.charts_extra import main_challenger
from ftrag_mc.report import sensitivity_plots, voi_plots
from ftrag_mc.report.numbers import format_usd
from ftrag_mc.report.pack import run_info
from ftrag_mc.simulate import SimulationResult

def _csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells a CSV cannot hold as they are (tuples of member inputs) joined with ' + '."""
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].map(lambda v: isinstance(v, (tuple, list))).any():
            frame[column] = frame[column].map(lambda v: " + ".join(map(str, v)) if isinstance(v, (tuple, list)) else v)
    return frame


def build_sensitivity_report(result: SimulationResult, *, challenger: str | None = None, low: float = 0.10,
                             high: float = 0.90, sobol: bool = True, sobol_samples: int | None = None,
                             on_item: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Tornado, spider, global indices, EVPPI and regret of ``result`` (a run with per-sample arrays).

    Returns
    -------
    dict of file name to DataFrame or Figure, plus ``"lines"``: the plain sentences to print.
    """
    step = on_item or (lambda name: None)
    scenario = result.scenario
    info = run_info(result)
    evpi = voi.compute_evpi(result)
    if challenger is None:
        # The question that matters, the same as the run's hero chart and headline: the decision
        # best on average against the baseline (not, say, caching against no caching); the
        # strongest challenger when that is the baseline.
        challenger = main_challenger(compute_summary(result))
    step("tornado")
    tornado = sensitivity.compute_tornado(scenario, challenger=challenger, low=low, high=high, result=result)
    step("spider")
    spider = sensitivity.compute_spider(scenario, challenger=challenger, result=result)
    step("global indices")
    kwargs = {} if sobol_samples is None else {"sobol_samples": sobol_samples}
    global_ = sensitivity.compute_global(result, challenger=challenger, sobol=sobol, seed=result.seed, **kwargs)
    step("value of information")
    evppi = voi.compute_evppi(result)
    items: dict[str, Any] = {
        "tornado.csv": tornado, "spider.csv": spider, "global.csv": global_,
        "evppi.csv": _csv_ready(evppi), "regret.csv": evpi,
    }
    for name, plot, frame, extra in (
            ("tornado", sensitivity_plots.plot_tornado, tornado, {}),
            ("spider", sensitivity_plots.plot_spider, spider, {}),
            ("global", sensitivity_plots.plot_global, global_, {}),
            ("evppi", voi_plots.plot_evppi, evppi, {}),
            ("regret", voi_plots.plot_regret, evpi, {})):
        step(f"{name}.png")
        items[f"{name}.png"] = plot(frame, info, **extra)[0]
    items["lines"] = top_inputs_lines(tornado) + voi.describe_voi(evpi, evppi, currency=scenario.meta.currency)
    return items


def top_inputs_lines(tornado: pd.DataFrame, top: int = 3) -> list[str]:
    """'Inputs that move ΔNPC most: ...' from a tornado frame (largest swing first)."""
    if tornado.empty:
        return ["No uncertain inputs: every input is a constant."]
    rows = tornado.head(top)
    label = "label" if "label" in rows.columns else "input"
    parts = [f"{row[label]} ({format_usd(abs(row['swing_usd']))} swing)" for _, row in rows.iterrows()]
    return ["Inputs that move ΔNPC most (P10-P90 swings, others at their medians): " + "; ".join(parts)]


def run_top_inputs(result: SimulationResult, top_inputs: pd.DataFrame) -> list[str]:
    """The line ``run`` prints from the report's ``top_inputs.csv``
    (:func:`~ftrag_mc.analysis.sensitivity.compute_top_inputs`, for the main question)."""
    if top_inputs is None or top_inputs.empty:
        return []
    currency = result.scenario.meta.currency
    parts = [f"{row.label} ({format_usd(row.swing_usd, currency)})" for row in top_inputs.itertuples()]
    who = top_inputs["strategy_label"].iloc[0]
    return [f"  inputs that move {who}'s ΔNPC most (P10-P90, others at medians): " + "; ".join(parts)]


def sensitivity_record(result: SimulationResult, **extra: Any) -> dict[str, Any]:
    """What reproduces the study: the run's seed, samples, sampler, scenario hash, overrides, version."""
    scenario = result.scenario
    return {"scenario": scenario.name, "scenario_file": scenario.file, "scenario_sha256": scenario.source_hash,
            "overrides": list(scenario.overrides), "seed": result.seed, "samples": result.n_samples,
            "sampler": result.sampler, "baseline": result.baseline, "package_version": __version__,
            "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"), **extra}
