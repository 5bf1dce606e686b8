"""The records of a run and of the studies: what reproduces a run, a sensitivity study, a sweep, a
comparison or an explanation, written beside its files as JSON.

Each record names the scenario (and its SHA-256, overrides included) and ``command``, the command
line that made it when there was one (None from a notebook).
"""

from __future__ import annotations

import platform
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

import numpy as np
import pandas as pd
import scipy

from ftrag_mc._version import __version__
from ftrag_mc.analysis.explain import Explanation
from ftrag_mc.report.explain_text import explain_notes
from ftrag_mc.report.text import sampling_note
from ftrag_mc.scenario import Scenario
from ftrag_mc.simulate import BLOCK_SAMPLES, SimulationResult


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
        "catalog_entries": catalog_entries(scenario),
        **extra,
    }


def catalog_entries(scenario: Any) -> list[dict[str, Any]]:
    """The price-catalog entries the scenario's ``model = ...`` keys used, and where."""
    entries: dict[tuple, dict[str, Any]] = {}
    for use in getattr(scenario, "catalog", ()):
        for entry in use.entries:
            record = entries.setdefault((entry.name, entry.as_of, entry.source), {
                "name": entry.name, "as_of": entry.as_of.isoformat(), "source": entry.source, "used_by": []})
            record["used_by"].append(use.path)
    return list(entries.values())


def sensitivity_record(result: SimulationResult, **extra: Any) -> dict[str, Any]:
    """What reproduces the study: the run's seed, samples, sampler, scenario hash, overrides, version."""
    scenario = result.scenario
    return {"scenario": scenario.name, "scenario_file": scenario.file, "scenario_sha256": scenario.source_hash,
            "overrides": list(scenario.overrides), "seed": result.seed, "samples": result.n_samples,
            "sampler": result.sampler, "baseline": result.baseline, "package_version": __version__,
            "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"), **extra}


def sweep_record(scenario: Scenario, frame: pd.DataFrame, *, x: str, y: str | None, points: int,
                 command: str | None = None) -> dict[str, Any]:
    """``sweep.json``: the swept keys as given (``KEY=VALUES``), the number of grid points, and
    :func:`~ftrag_mc.analysis.sweep.compute_sweep`'s ``frame.attrs`` (seed, sampler, samples,
    overrides, axis scales)."""
    return {"scenario": scenario.name, "scenario_sha256": scenario.source_hash, "x": x, "y": y, "points": points,
            **dict(frame.attrs), "command": command}


def compare_record(headline: pd.DataFrame, *, variants: Sequence[str], command: str | None = None) -> dict[str, Any]:
    """A comparison's ``run.json``: the variants' names, and the samples, seed, sampler and notes of
    :func:`~ftrag_mc.analysis.compare.compute_compare`'s ``headline.attrs``."""
    return {"command": command, "variants": list(variants), **headline.attrs}


def explain_record(scenario: Scenario, explained: Explanation, *, command: str | None = None) -> dict[str, Any]:
    """``explain.json``: the percentile and volume explained, the value every input was set to, and
    each strategy's notes (:func:`~ftrag_mc.report.explain_text.explain_notes`)."""
    return {"scenario": scenario.name, "scenario_sha256": scenario.source_hash, "version": __version__,
            "percentile": explained.percentile, "queries_per_month": explained.queries_per_month,
            "horizon_months": scenario.horizon_months, "inputs": explained.values,
            "notes": explain_notes(explained, scenario), "overrides": list(scenario.overrides), "command": command}


def policy_record(result: Any, *, command: str | None = None) -> dict[str, Any]:
    """``policy.json``: what reproduces a trigger search (the run, the two strategies, the trigger
    searched), its headline numbers and the meaning of each ``policy.csv`` column."""
    from ftrag_mc.analysis.policy import POLICY_COLUMNS

    scenario = result.scenario
    best = result.best_row
    return {"scenario": scenario.name, "scenario_file": scenario.file, "scenario_sha256": scenario.source_hash,
            "overrides": list(scenario.overrides), "seed": result.seed, "samples": result.samples,
            "sampler": result.sampler, "baseline": result.baseline, "start": result.start,
            "switch_to": result.switch_to, "trigger": result.kind, "for_months": result.for_months,
            "horizon_months": result.horizon_months, "queries_per_month": result.queries_per_month,
            "best_policy": str(best["policy"]), "best_volume_above_queries_per_month": _number(best["volume_above_queries_per_month"]),
            "best_month": _number(best["month"]), "flexibility_usd": result.flexibility_usd,
            "flexibility_se_usd": result.flexibility_se_usd, "package_version": __version__,
            "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"), "command": command,
            "columns": POLICY_COLUMNS}


def _number(x: Any) -> float | None:
    """A CSV number for JSON: NaN (not applicable) as null."""
    x = float(x)
    return None if x != x else x
