"""The records of the studies: what reproduces a sensitivity study, a sweep, a comparison or an
explanation, written beside its files as JSON (a run's own record is
:func:`ftrag_mc.report.pack.run_record`).

Each record names the scenario (and its SHA-256, overrides included) and ``command``, the command
line that made it when there was one (None from a notebook).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

import pandas as pd

from ftrag_mc._version import __version__
from ftrag_mc.analysis.explain import Explanation
from ftrag_mc.report.explain_text import explain_notes
from ftrag_mc.scenario import Scenario
from ftrag_mc.simulate import SimulationResult


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
