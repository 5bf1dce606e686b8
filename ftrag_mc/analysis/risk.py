"""The distribution of the cost difference at the scenario's volume, and the one-table summary."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ftrag_mc.analysis.breakeven import compute_payback_months
from ftrag_mc.analysis.probability import compute_crossings, compute_pwin_vs_volume, delta_paths
from ftrag_mc.analysis.stats import quantiles, wilson_interval
from ftrag_mc.simulate import SimulationResult

TAIL = 0.05


def compute_delta_npc(result: SimulationResult) -> pd.DataFrame:
    """ΔNPC = NPC(challenger) - NPC(baseline) at the scenario's volume, per horizon.

    Negative ΔNPC is a saving. CVaR is the mean ΔNPC over the worst 5 % of futures (the largest
    extra cost of choosing the challenger).

    Returns
    -------
    DataFrame with columns strategy, label, horizon_months, queries_per_month, p_win, p_win_low,
    p_win_high, mean_delta_usd, mean_delta_se_usd, p5_delta_usd, p50_delta_usd, p95_delta_usd,
    p_loss, cvar95_delta_usd, mean_npc_usd, mean_baseline_npc_usd, samples.
    """
    n = result.n_samples
    base = result.cumulative_usd[:, result.index(result.baseline)]
    rows = []
    for s in result.challengers:
        delta_by_month = delta_paths(result, s)
        own = result.cumulative_usd[:, result.index(s)]
        for h in result.horizons:
            delta = delta_by_month[:, h]
            wins = int(np.sum(delta < 0))
            low, high = wilson_interval(wins, n)
            p5, p50, p95 = quantiles(delta, [0.05, 0.5, 0.95])
            worst = np.sort(delta)[-max(1, int(np.ceil(TAIL * n))):]
            rows.append({
                "strategy": s, "label": result.scenario.label(s), "horizon_months": h,
                "queries_per_month": result.scenario_volume,
                "p_win": wins / n, "p_win_low": float(low), "p_win_high": float(high),
                "mean_delta_usd": float(delta.mean()),
                "mean_delta_se_usd": float(delta.std(ddof=1) / np.sqrt(n)),
                "p5_delta_usd": p5, "p50_delta_usd": p50, "p95_delta_usd": p95,
                "p_loss": float(np.mean(delta > 0)), "cvar95_delta_usd": float(worst.mean()),
                "mean_npc_usd": float(own[:, h].mean()), "mean_baseline_npc_usd": float(base[:, h].mean()),
                "samples": n})
    return pd.DataFrame(rows)


def compute_summary(result: SimulationResult, curves: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per challenger and horizon: P(win), ΔNPC, breakeven and payback at a glance.

    Returns
    -------
    DataFrame: the columns of :func:`compute_delta_npc`, plus baseline, volume_at_50pct,
    breakeven_p10/p50/p90 and breakeven_share_above_range (queries/month; inf = above the sweep),
    payback_p50_months and payback_share_never (within that horizon).
    """
    if curves is None:
        curves = compute_pwin_vs_volume(result)
    summary = compute_delta_npc(result)
    crossings = compute_crossings(curves).set_index(["strategy", "horizon_months"])["volume_at_50pct"]
    extra = []
    for row in summary.itertuples():
        ci, hi = result.challengers.index(row.strategy), result.horizons.index(row.horizon_months)
        be = result.breakeven_volume[:, ci, hi]
        p10, p50, p90 = quantiles(be, [0.1, 0.5, 0.9])
        payback = compute_payback_months(delta_paths(result, row.strategy)[:, : row.horizon_months + 1])
        extra.append({"baseline": result.baseline,
                      "volume_at_50pct": crossings[(row.strategy, row.horizon_months)],
                      "breakeven_p10": p10, "breakeven_p50": p50, "breakeven_p90": p90,
                      "breakeven_share_above_range": float(np.mean(np.isinf(be))),
                      "payback_p50_months": float(quantiles(payback, [0.5])[0]),
                      "payback_share_never": float(np.mean(np.isinf(payback)))})
    return pd.concat([summary, pd.DataFrame(extra)], axis=1)
