"""The ΔNPC distribution chart, counted: display bins regrouped from the main run's fine ΔNPC
histogram (no samples needed), and the figures the chart marks (P(loss), expected ΔNPC, CVaR95),
which are :func:`~ftrag_mc.analysis.risk.compute_delta_npc`'s own rows, so chart and table agree.

Every percentile here uses numpy's default (linear) rule, like :meth:`Histogram.quantiles`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ftrag_mc.analysis.risk import compute_delta_npc
from ftrag_mc.simulate import SimulationResult

__all__ = ["CENTRAL_RANGE", "DISPLAY_BINS", "compute_delta_distribution", "compute_delta_marks"]

DISPLAY_BINS = 40
CENTRAL_RANGE = (0.01, 0.99)  # the histogram shows P1..P99; the tails are in the marked figures


def _horizon(result: SimulationResult, horizon: int | None) -> int:
    if horizon is None:
        return max(result.horizons)
    if horizon not in result.horizons:
        raise ValueError(f"horizon {horizon} months is not one of the run's horizons {list(result.horizons)}")
    return int(horizon)


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
