"""The board pack's three distribution charts, counted: ΔNPC histogram, cost fan, cost breakdown.

- :func:`compute_delta_distribution` reads the main run's fine ΔNPC histogram (no samples needed)
  and regroups it into display bins; the marked figures (P(loss), expected ΔNPC, CVaR95) are
  :func:`compute_delta_npc`'s own rows (:func:`compute_delta_marks`), so chart and table agree.
- :func:`compute_fan` and :func:`compute_breakdown` need per-sample paths and inputs, which the
  main run does not keep. Each makes (or is given) its own ``keep_samples=True`` run, by default
  20,000 samples; its percentiles and means are estimates of their own, not the main run's, and
  every row says so in ``source``.

Every percentile here uses numpy's default (linear) rule, like :meth:`Histogram.quantiles`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ftrag_mc.analysis.risk import compute_delta_npc
from ftrag_mc.model.components import COMPONENTS, LABELS
from ftrag_mc.model.evaluate import evaluate
from ftrag_mc.scenario import Scenario
from ftrag_mc.simulate import SimulationResult, simulate

__all__ = ["attach_marks", "main_challenger", "compute_delta_distribution", "compute_delta_marks", "compute_fan", "compute_breakdown",
           "COMPONENT_LABELS", "DISPLAY_BINS", "CENTRAL_RANGE", "FAN_PERCENTILES", "KEPT_SAMPLES"]

DISPLAY_BINS = 40

MARK_KEYS = ("strategy", "horizon_months")


def main_challenger(summary: pd.DataFrame) -> str:
    """The scenario's main question: which challenger the hero chart, the headline and the title
    page compare with the baseline (the rule the sensitivity study uses for its default pair).

    At the longest horizon: the decision best on average, i.e. the challenger with the most
    negative mean ΔNPC; when the baseline is best on average (no challenger saves), the strongest
    challenger: the highest P(win); among equals (e.g. several that win in no future at your
    volume) the one that wins in most futures from the lowest volume (``volume_at_50pct``: the
    closest to winning, not a variant of the baseline that never does), then the larger mean
    saving. Ties go to the earlier strategy.

    Parameters
    ----------
    summary
        :func:`ftrag_mc.analysis.compute_summary` (``strategy``, ``horizon_months``,
        ``mean_delta_usd``, ``p_win``, optional ``volume_at_50pct``), challengers in scenario order.
    """
    rows = summary[summary["horizon_months"] == summary["horizon_months"].max()].reset_index(drop=True)
    if rows.empty:
        raise ValueError("summary holds no rows")
    delta = rows["mean_delta_usd"].to_numpy(float)
    if delta.min() < 0:
        return str(rows["strategy"].iloc[int(np.argmin(delta))])
    crossing = (rows["volume_at_50pct"].to_numpy(float) if "volume_at_50pct" in rows.columns
                else np.full(len(rows), np.nan))
    soonest = np.where(np.isfinite(crossing), -crossing, -np.inf)
    keys = [(float(p), float(v), -float(d), -i)
            for i, (p, v, d) in enumerate(zip(rows["p_win"], soonest, delta))]
    return str(rows["strategy"].iloc[max(range(len(keys)), key=keys.__getitem__)])


def attach_marks(series: pd.DataFrame, marks: pd.DataFrame) -> pd.DataFrame:
    """A chart's one frame: the rows it draws (``series``: bins, curve points) with the figures it
    marks (``marks``: percentiles, crossings, P(loss)...) repeated on each row of their strategy.

    Rows are matched on the keys both frames have of ``strategy`` and ``horizon_months``; a
    column ``series`` already has is taken from ``series``. A strategy with marks and no series
    row keeps one row (its series columns empty): its marks are still drawn or stated.
    """
    on = [k for k in MARK_KEYS if k in series.columns and k in marks.columns]
    if "strategy" not in on:
        raise ValueError("series and marks must both have a 'strategy' column")
    extra = [c for c in marks.columns if c not in series.columns]
    return series.merge(marks[[*on, *extra]], on=on, how="outer", sort=False)
CENTRAL_RANGE = (0.01, 0.99)  # the histogram shows P1..P99; the tails are in the marked figures
FAN_PERCENTILES = (0.05, 0.10, 0.50, 0.90, 0.95)
KEPT_SAMPLES = 20_000

#: Cost component -> how a reader calls it, in :data:`COMPONENTS` order (the charts' stacking
#: order), from the component registry.
COMPONENT_LABELS: dict[str, str] = LABELS


def _horizon(result: SimulationResult, horizon: int | None) -> int:
    if horizon is None:
        return max(result.horizons)
    if horizon not in result.horizons:
        raise ValueError(f"horizon {horizon} months is not one of the run's horizons {list(result.horizons)}")
    return int(horizon)


# --- 1. ΔNPC distribution ----------------------------------------------------------------------


def _display_edges(edges: np.ndarray, counts: np.ndarray, low: float, high: float, bins: int) -> np.ndarray:
    """Indices into the fine ``edges`` of about ``bins`` display bins of near-equal width over
    [low, high], with zero an edge where it lies inside.

    The fine bins are signed-log (0.12 % of |ΔNPC| wide), so a fixed number of them per display
    bin would give bins a cent wide near zero and thousands of dollars wide far from it; snapping
    an even grid to fine edges keeps every share an exact count.
    """
    nb = len(edges) - 1
    first = int(np.clip(np.searchsorted(edges, low, side="right") - 1, 0, nb - 1))
    last = int(np.clip(np.searchsorted(edges, high, side="right") - 1, first, nb - 1))
    targets = np.linspace(low, high, bins + 1)[1:-1]
    if low < 0.0 < high:
        targets = np.append(targets, 0.0)
    inner = np.searchsorted(edges, targets)  # the fine edge at or just above each target
    below = np.maximum(inner - 1, 0)
    nearer = np.where(np.abs(edges[below] - targets) < np.abs(edges[np.minimum(inner, nb)] - targets), below, inner)
    picked = np.unique(np.concatenate([[first, last + 1], np.clip(nearer, first + 1, last)]))
    return picked


def compute_delta_distribution(result: SimulationResult, *, horizon: int | None = None,
                               bins: int = DISPLAY_BINS) -> pd.DataFrame:
    """ΔNPC = NPC(challenger) - NPC(baseline) at the scenario's volume, as display bins.

    Read from the run's fine histogram of ΔNPC (``result.delta_hist``): no per-sample values are
    needed. The display covers the central range P1..P99 of each challenger's ΔNPC in about
    ``bins`` bins of near-equal width whose edges are fine-bin edges, so each share is an exact
    count over all futures; the 2 % of futures outside the range are in no bin (shares sum to
    about 0.98). Where ΔNPC = 0 lies inside the range it is a bin edge (within a cent).

    Parameters
    ----------
    result
        A run with all outputs.
    horizon
        Months counted, one of ``result.horizons``; default the longest.
    bins
        About how many display bins.

    Returns
    -------
    DataFrame, one row per challenger and display bin, left to right: strategy, label,
    horizon_months, queries_per_month, bin_low_usd, bin_high_usd, share (of all
    ``samples`` futures), samples.
    """
    h = _horizon(result, horizon)
    hi = result.horizons.index(h)
    n = result.n_samples
    rows = []
    for ci, s in enumerate(result.challengers):
        hist = result.delta_hist[ci, hi]
        low, high = (float(v) for v in hist.quantiles(CENTRAL_RANGE))
        edges = hist.bins.edges
        picked = _display_edges(edges, hist.counts, low, high, bins)
        cumulative = np.concatenate([[0], np.cumsum(hist.counts)])
        counts = np.diff(cumulative[picked])
        for j in range(len(picked) - 1):
            rows.append({"strategy": s, "label": result.scenario.label(s), "horizon_months": h,
                         "queries_per_month": result.scenario_volume,
                         "bin_low_usd": float(edges[picked[j]]), "bin_high_usd": float(edges[picked[j + 1]]),
                         "share": int(counts[j]) / n, "samples": n})
    return pd.DataFrame(rows)


def compute_delta_marks(result: SimulationResult, *, horizon: int | None = None) -> pd.DataFrame:
    """The figures marked on the ΔNPC chart: :func:`compute_delta_npc`'s rows at ``horizon``.

    Returns
    -------
    DataFrame: the columns of :func:`compute_delta_npc` (``p_loss``, ``mean_delta_usd``,
    ``cvar95_delta_usd``, ``p5/p50/p95_delta_usd``, ...), one row per challenger.
    """
    h = _horizon(result, horizon)
    summary = compute_delta_npc(result)
    return summary[summary["horizon_months"] == h].reset_index(drop=True)


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


# --- 2. cumulative cost fan ---------------------------------------------------------------------


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


# --- 3. cost breakdown --------------------------------------------------------------------------


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
