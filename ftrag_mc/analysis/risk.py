"""The distribution of the cost difference at the scenario's volume, and the one-table summary."""

from __future__ import annotations

import pandas as pd

from ftrag_mc.analysis.probability import compute_crossings, compute_pwin_vs_volume
from ftrag_mc.analysis.stats import needs_all_outputs, quantile_interval, tail_mean_se, wilson_interval
from ftrag_mc.simulate import SimulationResult

TAIL = 0.05


def compute_delta_npc(result: SimulationResult) -> pd.DataFrame:
    """ΔNPC = NPC(challenger) - NPC(baseline) at the scenario's volume, per horizon.

    Negative ΔNPC is a saving. CVaR is the mean ΔNPC over the worst 5 % of futures (the largest
    extra cost of choosing the challenger). Means are exact; percentiles and CVaR come from the
    run's fine histogram of ΔNPC, within ``delta_percentile_rel_error`` (relative).

    Returns
    -------
    DataFrame with columns strategy, label, horizon_months, queries_per_month, p_win, p_win_low,
    p_win_high, mean_delta_usd, mean_delta_se_usd, p5_delta_usd, p50_delta_usd, p95_delta_usd,
    p_loss, cvar95_delta_usd, mean_npc_usd, mean_baseline_npc_usd, delta_percentile_rel_error, samples.
    """
    needs_all_outputs(result, "compute_delta_npc")
    n = result.n_samples
    b = result.index(result.baseline)
    rows = []
    for ci, s in enumerate(result.challengers):
        for hi, h in enumerate(result.horizons):
            hist = result.delta_hist[ci, hi]
            wins = int(result.wins_by_month[ci, h])
            low, high = wilson_interval(wins, n)
            p5, p50, p95 = hist.quantiles([0.05, 0.5, 0.95])
            rows.append({
                "strategy": s, "label": result.scenario.label(s), "horizon_months": h,
                "queries_per_month": result.scenario_volume,
                "p_win": wins / n, "p_win_low": float(low), "p_win_high": float(high),
                "mean_delta_usd": float(result.delta_moments.mean[ci, hi]),
                "mean_delta_se_usd": float(result.delta_moments.se[ci, hi]),
                "p5_delta_usd": p5, "p50_delta_usd": p50, "p95_delta_usd": p95,
                "p_loss": int(result.loss_counts[ci, hi]) / n, "cvar95_delta_usd": hist.upper_tail_mean(TAIL),
                "mean_npc_usd": float(result.npc_moments.mean[result.index(s), hi]),
                "mean_baseline_npc_usd": float(result.npc_moments.mean[b, hi]),
                "delta_percentile_rel_error": hist.bins.rel_error, "samples": n})
    return pd.DataFrame(rows)


def compute_summary(result: SimulationResult, curves: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per challenger and horizon: P(win), ΔNPC, breakeven and payback at a glance, and the
    Monte Carlo error of the figures a headline reads.

    Returns
    -------
    DataFrame: the columns of :func:`compute_delta_npc`, plus baseline, volume_at_50pct,
    breakeven_p10/p50/p90 and breakeven_share_above_range (queries/month; inf = above the sweep),
    payback_p50_months and payback_share_never (within that horizon); then the 95 % intervals
    volume_at_50pct_low/_high (as :func:`~ftrag_mc.analysis.probability.compute_crossings`),
    breakeven_p50_low/_high and payback_p50_low_months/_high_months (order statistics,
    :func:`~ftrag_mc.analysis.stats.quantile_interval`), and cvar95_delta_se_usd
    (:func:`~ftrag_mc.analysis.stats.tail_mean_se`).
    """
    if curves is None:
        curves = compute_pwin_vs_volume(result)
    summary = compute_delta_npc(result)
    crossings = compute_crossings(curves, result).set_index(["strategy", "horizon_months"])
    extra, error = [], []
    n = result.n_samples
    for row in summary.itertuples():
        ci, hi = result.challengers.index(row.strategy), result.horizons.index(row.horizon_months)
        be = result.breakeven_hist[ci, hi]
        p10, p50, p90 = be.quantiles([0.1, 0.5, 0.9])
        payback = result.payback_hist[ci].capped_above(row.horizon_months)
        crossing = crossings.loc[(row.strategy, row.horizon_months)]
        extra.append({"baseline": result.baseline,
                      "volume_at_50pct": crossing["volume_at_50pct"],
                      "breakeven_p10": p10, "breakeven_p50": p50, "breakeven_p90": p90,
                      "breakeven_share_above_range": int(be.above) / n,
                      "payback_p50_months": float(payback.quantiles([0.5])[0]),
                      "payback_share_never": int(payback.above) / n})
        (be_low, be_high), (pb_low, pb_high) = quantile_interval(be, 0.5), quantile_interval(payback, 0.5)
        error.append({"volume_at_50pct_low": crossing["volume_at_50pct_low"],
                      "volume_at_50pct_high": crossing["volume_at_50pct_high"],
                      "breakeven_p50_low": be_low, "breakeven_p50_high": be_high,
                      "payback_p50_low_months": pb_low, "payback_p50_high_months": pb_high,
                      "cvar95_delta_se_usd": tail_mean_se(result.delta_hist[ci, hi], TAIL)})
    return pd.concat([summary, pd.DataFrame(extra), pd.DataFrame(error)], axis=1)
