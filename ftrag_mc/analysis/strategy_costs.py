"""Each strategy's own cost, counted for the fan and the breakdown charts: percentiles of the
cumulative cost month by month, and the net present cost split by cost component.

Both need per-sample paths and inputs, which the main run does not keep. Each makes (or is given)
its own ``keep_samples=True`` run, by default 20,000 samples; its percentiles and means are
estimates of their own, not the main run's, and every row says so in ``source``. Percentiles use
numpy's default (linear) rule.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ftrag_mc.model.components import COMPONENTS, LABELS
from ftrag_mc.model.evaluate import evaluate
from ftrag_mc.scenario import Scenario
from ftrag_mc.simulate import SimulationResult, simulate

__all__ = ["COMPONENT_LABELS", "FAN_PERCENTILES", "KEPT_SAMPLES", "compute_breakdown", "compute_fan"]

FAN_PERCENTILES = (0.05, 0.10, 0.50, 0.90, 0.95)
KEPT_SAMPLES = 20_000

#: Cost component -> how a reader calls it, in :data:`COMPONENTS` order (the charts' stacking
#: order), from the component registry.
COMPONENT_LABELS: dict[str, str] = LABELS


# --- kept-sample runs ---------------------------------------------------------------------------


def _kept_run(scenario: Scenario, samples: int, seed: int | None,
              result: SimulationResult | None) -> SimulationResult:
    if result is None:
        return simulate(scenario, samples=samples, seed=seed, keep_samples=True)
    result.inputs  # noqa: B018 - raises a clear error when the run kept no samples
    return result


def _source(run: SimulationResult) -> str:
    return (f"its own keep_samples run: {run.n_samples:,} samples ({run.sampler}), seed {run.seed}; "
            "not the main run's estimates")


# --- cumulative cost fan ---------------------------------------------------------------------


def compute_fan(scenario: Scenario, *, samples: int = KEPT_SAMPLES, seed: int | None = None,
                result: SimulationResult | None = None) -> pd.DataFrame:
    """Percentiles of each strategy's cumulative discounted cost, month by month.

    The main run keeps no cost paths, so this is a separate ``keep_samples=True`` simulation of
    ``samples`` futures (20,000 by default): its percentiles are its own estimates, not the main
    run's, and the ``source`` column says so. Percentiles by numpy's linear rule over the kept
    paths ``result.cumulative_usd`` (n, S, H + 1) at the scenario's volume.

    Parameters
    ----------
    scenario
        The scenario (with any what-ifs already applied).
    samples, seed
        Size and seed of the separate run; seed None takes the scenario's [simulation] seed.
    result
        A run already made with ``keep_samples=True`` to read instead (``samples``, ``seed`` unused).

    Returns
    -------
    DataFrame, one row per strategy (scenario order) and month 0..H: strategy, label, month,
    queries_per_month, p5_usd, p10_usd, p50_usd, p90_usd, p95_usd, samples, seed, source.
    Month 0 is the one-time cost.
    """
    run = _kept_run(scenario, samples, seed, result)
    paths = run.cumulative_usd  # (n, S, H + 1)
    q = np.quantile(paths, FAN_PERCENTILES, axis=0, method="linear")  # (5, S, H + 1)
    months = np.arange(paths.shape[2])
    source = _source(run)
    frames = []
    for si, s in enumerate(run.strategies):
        frame = pd.DataFrame({"strategy": s, "label": run.scenario.label(s), "month": months,
                              "queries_per_month": run.scenario_volume})
        for k, p in enumerate(FAN_PERCENTILES):
            frame[f"p{round(100 * p)}_usd"] = q[k, si]
        frame["samples"], frame["seed"], frame["source"] = run.n_samples, run.seed, source
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


# --- cost breakdown --------------------------------------------------------------------------


_EVALUATE_CHUNK = 2048  # samples per evaluate() call: its (months x samples) arrays stay small


def _means_over_draws(scenario: Scenario, inputs: dict, where: dict, steps: np.ndarray | None = None):
    """Mean NPC per strategy and per component over the draws in ``inputs`` (and, with a noisy
    volume, the volume ``steps`` (n, H)), evaluated a chunk at a time (memory bounded); and which
    components are non-zero somewhere, per strategy."""
    if not inputs and steps is None:
        return None, {}, {}
    n = len(next(iter(inputs.values()))) if inputs else len(steps)
    totals, sums, present = None, {}, {}
    for lo in range(0, n, _EVALUATE_CHUNK):
        ev = evaluate(scenario, {k: v[lo:lo + _EVALUATE_CHUNK] for k, v in inputs.items()}, **where,
                      volume_steps=None if steps is None else steps[lo:lo + _EVALUATE_CHUNK])
        chunk_total = ev.npc_usd[:, :, 0, 0].sum(axis=0)
        totals = chunk_total if totals is None else totals + chunk_total
        for name, values in ev.components.items():
            sums[name] = sums.get(name, 0.0) + values[:, :, 0, 0].sum(axis=0)
            present[name] = present.get(name, False) | np.any(values[:, :, 0, 0] != 0, axis=0)
    return totals / n, {name: total / n for name, total in sums.items()}, present


def compute_breakdown(scenario: Scenario, *, samples: int = KEPT_SAMPLES, seed: int | None = None,
                      result: SimulationResult | None = None) -> pd.DataFrame:
    """Each strategy's net present cost over the horizon split by cost component.

    Two views through :func:`ftrag_mc.model.evaluate.evaluate` (the model's one entry point) at
    the scenario's volume and horizon: every input at its median (``median_inputs_usd``), and the
    mean over the input draws of a separate ``keep_samples=True`` run (``mean_usd``; 20,000
    futures by default, not the main run, as ``source`` says). Components of a strategy sum to its
    NPC (``total_*`` columns, from the same evaluation). A component may be negative (a credit).

    Parameters
    ----------
    scenario, samples, seed, result
        As for :func:`compute_fan`.

    Returns
    -------
    DataFrame, one row per strategy (scenario order) and component it has (:data:`COMPONENTS`
    order): strategy, label, component, component_label, horizon_months, queries_per_month,
    median_inputs_usd, mean_usd, share_of_mean (mean_usd / total_mean_usd), total_median_inputs_usd,
    total_mean_usd, samples, seed, source.
    """
    run = _kept_run(scenario, samples, seed, result)
    h = scenario.horizon_months
    where = {"volumes": [run.scenario_volume], "months": [h], "components": True}
    at_medians = evaluate(scenario, {}, **where)
    total_means, component_means, present = _means_over_draws(scenario, run.inputs, where, run.samples.volume_steps)
    source = _source(run)
    rows = []
    for si, s in enumerate(at_medians.strategies):
        total_median = float(at_medians.npc_usd[0, si, 0, 0])
        total_mean = float(total_means[si]) if total_means is not None else total_median
        for name in COMPONENTS:
            if name not in at_medians.components and name not in component_means:
                continue
            median = float(at_medians.components[name][0, si, 0, 0]) if name in at_medians.components else 0.0
            if name in component_means:
                mean = float(component_means[name][si])
            elif total_means is None:  # no uncertain inputs: the medians are every draw
                mean = median
            else:
                mean = 0.0
            if median == 0.0 and mean == 0.0 and not present.get(name, np.zeros(len(at_medians.strategies), bool))[si]:
                continue  # the strategy has no such component
            rows.append({"strategy": s, "label": scenario.label(s), "component": name,
                         "component_label": COMPONENT_LABELS[name], "horizon_months": h,
                         "queries_per_month": run.scenario_volume, "median_inputs_usd": median,
                         "mean_usd": mean, "share_of_mean": mean / total_mean if total_mean else math.nan,
                         "total_median_inputs_usd": total_median, "total_mean_usd": total_mean,
                         "samples": run.n_samples, "seed": run.seed, "source": source})
    return pd.DataFrame(rows)
