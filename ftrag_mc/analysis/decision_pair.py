"""The recommended strategy against the runner-up: the distribution of the saving, and where the
choice flips on the volume sweep.

Read from a run in which the runner-up is the baseline and the recommended strategy a challenger
(:func:`~ftrag_mc.analysis.decision.decision_pair_run`), so every figure is the run's own
statistic of ΔNPC = NPC(recommended) − NPC(runner-up): its percentiles, CVaR, breakeven and
payback with their Monte Carlo intervals (:func:`~ftrag_mc.analysis.risk.compute_summary`), and
the **flip volume**: the start volume nearest to the scenario's at which the runner-up's expected
NPC becomes the lower one (exact where costs are affine in volume: the root of the line of mean
ΔNPC; otherwise interpolated between sweep volumes), with the interval of volumes where the 95 %
interval of mean ΔNPC holds zero.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ftrag_mc.analysis.probability import WIN_THRESHOLD, compute_pwin_vs_volume, crossing_volume
from ftrag_mc.analysis.risk import compute_summary
from ftrag_mc.analysis.stats import z_score
from ftrag_mc.simulate import SimulationResult

__all__ = ["CROSSING_FALLING", "FLIP_EXACT", "FLIP_INTERPOLATED", "PAIR_COLUMNS", "compute_flip", "pair_curves", "pair_figures",
           "with_falling_crossings"]

FLIP_EXACT = "exact: the root of mean ΔNPC, a line in volume"
FLIP_INTERPOLATED = "interpolated in log volume between sweep volumes"

#: The pair's columns of decision.csv (on the runner-up's row).
PAIR_COLUMNS = [
    "saving_p5_usd", "saving_p50_usd", "saving_p95_usd", "cvar95_loss_usd", "cvar95_loss_se_usd",
    "wins_side", "volume_at_50pct", "volume_at_50pct_low", "volume_at_50pct_high",
    "payback_p50_months", "payback_p50_low_months", "payback_p50_high_months",
    "flip_queries_per_month", "flip_low_queries_per_month", "flip_high_queries_per_month", "flip_side",
    "flip_to", "flip_method",
]


def pair_figures(pair_result: SimulationResult, recommended: str, runner_up: str, horizon: int) -> dict:
    """The recommended strategy against the runner-up at ``horizon``, from their pair run.

    Returns
    -------
    dict
        :data:`PAIR_COLUMNS` (the saving = NPC(runner-up) − NPC(recommended): its P5, P50, P95;
        CVaR95 of the loss = the mean extra cost of the recommended strategy in the worst 5 % of
        futures, positive = a loss, and its standard error; the 50 % crossing of P(recommended
        cheaper) with its interval; the median payback with its interval; the flip volume), and
        ``summary``: the pair run's summary row (a dict, ΔNPC = recommended − runner-up).
    """
    if pair_result.baseline != runner_up or recommended not in pair_result.challengers:
        raise ValueError(f"pair_result must have {runner_up!r} as its baseline and {recommended!r} a challenger")
    curves = compute_pwin_vs_volume(pair_result)
    summary = compute_summary(pair_result, curves)
    row = summary[(summary["strategy"] == recommended) & (summary["horizon_months"] == horizon)].iloc[0]
    flip = compute_flip(pair_result, recommended, horizon)
    wins = _wins_where(curves[(curves["strategy"] == recommended) & (curves["horizon_months"] == horizon)], row)
    return {
        "saving_p5_usd": -float(row["p95_delta_usd"]), "saving_p50_usd": -float(row["p50_delta_usd"]),
        "saving_p95_usd": -float(row["p5_delta_usd"]),
        "cvar95_loss_usd": float(row["cvar95_delta_usd"]), "cvar95_loss_se_usd": float(row["cvar95_delta_se_usd"]),
        **wins,
        "payback_p50_months": float(row["payback_p50_months"]),
        "payback_p50_low_months": float(row["payback_p50_low_months"]),
        "payback_p50_high_months": float(row["payback_p50_high_months"]),
        "flip_queries_per_month": flip["volume"], "flip_low_queries_per_month": flip["low"],
        "flip_high_queries_per_month": flip["high"], "flip_side": flip["side"],
        "flip_to": flip["to"] and (runner_up if flip["to"] == "baseline" else recommended),
        "flip_method": flip["method"],
        "summary": row.to_dict(),
    }


def pair_curves(pair_result: SimulationResult, recommended: str) -> pd.DataFrame:
    """P(recommended cheaper than the runner-up) against volume: the pair run's curves of the
    recommended strategy (:func:`~ftrag_mc.analysis.probability.compute_pwin_vs_volume`), with
    ``baseline`` and ``baseline_label`` naming the runner-up."""
    curves = compute_pwin_vs_volume(pair_result)
    curves = curves[curves["strategy"] == recommended].reset_index(drop=True)
    return curves.assign(baseline=pair_result.baseline,
                         baseline_label=pair_result.scenario.label(pair_result.baseline))


#: pwin_decision.csv's ``method`` where the recommended strategy wins below a volume.
CROSSING_FALLING = "interpolated in log volume where P(win) falls through 50 % (the recommended strategy wins below it)"


def with_falling_crossings(curves: pd.DataFrame, crossings: pd.DataFrame) -> pd.DataFrame:
    """``crossings`` (one row per strategy and horizon, :func:`compute_crossings`) with, where a
    curve has no upward crossing but falls through 50 %, that volume and its interval as
    :func:`pair_figures` reads them (method :data:`CROSSING_FALLING`): the recommended strategy
    against the runner-up often wins below a volume, and its chart marks where."""
    out = crossings.copy()
    for i, row in out.iterrows():
        if math.isfinite(row["volume_at_50pct"]):
            continue
        curve = curves[(curves["strategy"] == row["strategy"]) & (curves["horizon_months"] == row["horizon_months"])]
        wins = _wins_where(curve.sort_values("queries_per_month"), row)
        if wins["wins_side"] == "below":
            for column in ("volume_at_50pct", "volume_at_50pct_low", "volume_at_50pct_high"):
                out.at[i, column] = wins[column]
            out.at[i, "method"] = CROSSING_FALLING
    return out


def _wins_where(curve: pd.DataFrame, row: pd.Series) -> dict:
    """Where the recommended strategy is cheaper than the runner-up in most futures: ``wins_side``
    "above" the 50 % crossing (the summary's, exact where it can be), "below" the volume where
    P(win) falls to 50 % (interpolated, its interval where the 95 % band's edges do), or
    "everywhere" / "nowhere" in the sweep (the volume then NaN)."""
    q, p = curve["queries_per_month"].to_numpy(float), curve["p_win"].to_numpy(float)
    if math.isfinite(row["volume_at_50pct"]):
        return {"wins_side": "above", "volume_at_50pct": float(row["volume_at_50pct"]),
                "volume_at_50pct_low": float(row["volume_at_50pct_low"]),
                "volume_at_50pct_high": float(row["volume_at_50pct_high"])}
    falls = crossing_volume(q, 1.0 - p) if p[0] >= WIN_THRESHOLD else math.nan
    if not math.isfinite(falls):
        side = "everywhere" if p.min() >= WIN_THRESHOLD else "nowhere" if p.max() < WIN_THRESHOLD else ""
        return {"wins_side": side, "volume_at_50pct": math.nan, "volume_at_50pct_low": math.nan,
                "volume_at_50pct_high": math.nan}
    ends = []
    for column, missing in (("p_win_low", 0.0), ("p_win_high", math.inf)):
        edge = 1.0 - curve[column].to_numpy(float)
        x = crossing_volume(q, edge)
        ends.append(x if math.isfinite(x) else (missing if edge[0] >= WIN_THRESHOLD else math.inf))
    return {"wins_side": "below", "volume_at_50pct": falls, "volume_at_50pct_low": ends[0],
            "volume_at_50pct_high": ends[1]}


# --- the flip volume -----------------------------------------------------------------------------


def compute_flip(pair_result: SimulationResult, challenger: str, horizon: int) -> dict:
    """Where mean ΔNPC (``challenger`` − the run's baseline) changes sign on the volume sweep,
    nearest to the scenario's volume.

    Returns
    -------
    dict
        ``volume`` (NaN: no change of sign in the sweep), ``low`` and ``high`` (the volumes around
        it where the 95 % interval of mean ΔNPC holds zero; 0 / inf where that reaches past the
        volumes the line or the sweep can say), ``side`` ("below" or "above" the scenario's
        volume, "" when none), ``to`` ("baseline" when past the flip the baseline's expected NPC
        is the lower one, "challenger" otherwise, "" when none) and ``method``.
    """
    ci, hi = pair_result.challengers.index(challenger), pair_result.horizons.index(int(horizon))
    d = pair_result.decision
    volumes, v0 = pair_result.volumes, pair_result.scenario_volume
    if d.sweep_line is not None:
        found = _line_flip(d.sweep_line[ci, hi], volumes)
    else:
        grid = d.sweep_grid
        found = _grid_flip(volumes, grid.mean[ci, :, hi], grid.se[ci, :, hi], v0)
    if found is None:
        return {"volume": math.nan, "low": math.nan, "high": math.nan, "side": "", "to": "", "method": ""}
    volume, low, high, sign_after, method = found
    side = "below" if volume < v0 else "above"
    # Past the flip (away from the scenario's volume) mean ΔNPC has the sign of that side.
    after = sign_after if side == "above" else -sign_after
    return {"volume": volume, "low": low, "high": high, "side": side,
            "to": "baseline" if after > 0 else "challenger", "method": method}


def _line_flip(line, volumes: np.ndarray):
    """The root of mean ΔNPC = mean_a + mean_b·v inside the sweep, and the roots of
    (mean ΔNPC)² = z²·se² around it (where the 95 % interval holds zero)."""
    ma, mb = float(line.mean_a), float(line.mean_b)
    if mb == 0.0:
        return None
    root = -ma / mb
    if not volumes[0] <= root <= volumes[-1]:
        return None
    n = line.count
    scale = 1.0 / (max(n - 1, 1) * max(n, 1))
    z2 = z_score() ** 2
    # (ma + mb v)^2 - z^2 (A + 2 B v + C v^2) = 0, with se^2 = A + 2 B v + C v^2.
    a, b, c = float(line.m_aa) * scale, float(line.m_ab) * scale, float(line.m_bb) * scale
    qa, qb, qc = mb * mb - z2 * c, 2.0 * (ma * mb - z2 * b), ma * ma - z2 * a
    disc = qb * qb - 4.0 * qa * qc
    if qa <= 0.0:  # the slope is not told apart from zero: no bounded interval
        low, high = 0.0, math.inf
    else:
        # At the root the quadratic is -z² se² <= 0, so with qa > 0 it has real roots: a negative
        # discriminant is rounding (exactly 0 in exact arithmetic when nothing is uncertain,
        # whose interval is then the root itself, not 0-inf).
        r = math.sqrt(max(disc, 0.0))
        low, high = sorted(((-qb - r) / (2.0 * qa), (-qb + r) / (2.0 * qa)))
        low, high = max(min(low, root), 0.0), max(high, root)
        if high - low <= 1e-9 * root:  # no Monte Carlo error (constant inputs): the root itself
            low = high = root
    # Above the root mean ΔNPC has the slope's sign.
    return root, low, high, (1.0 if mb > 0 else -1.0), FLIP_EXACT


def _log_cross(v: np.ndarray, f: np.ndarray, j: int) -> float:
    """Where ``f`` crosses zero between grid points j and j + 1, linear in log volume."""
    t = f[j] / (f[j] - f[j + 1])
    return float(np.exp(np.log(v[j]) + t * (np.log(v[j + 1]) - np.log(v[j]))))


def _grid_flip(volumes: np.ndarray, mean: np.ndarray, se: np.ndarray, v0: float):
    """The sign change of ``mean`` on the grid nearest to ``v0``; its interval where mean ± z·se
    holds zero, walking out from it on the grid (0 / inf past the sweep's ends)."""
    sign = np.sign(mean)
    changes = [j for j in range(len(mean) - 1) if sign[j] != sign[j + 1] and sign[j] * sign[j + 1] <= 0
               and not (sign[j] == 0 and sign[j + 1] == 0)]
    if not changes:
        return None
    flips = [_log_cross(volumes, mean, j) if mean[j] != mean[j + 1] else float(volumes[j]) for j in changes]
    best = min(range(len(flips)), key=lambda i: abs(math.log(flips[i] / v0)))
    j, volume = changes[best], flips[best]
    z = z_score()
    holds = (mean - z * se <= 0.0) & (mean + z * se >= 0.0)
    low, high = _walk(volumes, mean, se, holds, j, z, down=True), _walk(volumes, mean, se, holds, j, z, down=False)
    sign_after = float(np.sign(mean[j + 1])) or -float(np.sign(mean[j]))
    return volume, min(low, volume), max(high, volume), sign_after, FLIP_INTERPOLATED


def _walk(volumes, mean, se, holds, j: int, z: float, *, down: bool) -> float:
    """From the flip between j and j + 1, the last volume (interpolated) where the interval of
    mean ΔNPC still holds zero, going down or up the grid."""
    k = j if down else j + 1
    step = -1 if down else 1
    if not holds[k]:  # the interval leaves zero between the flip and this grid volume
        edge = mean - z * se if mean[k] - z * se[k] > 0 else mean + z * se
        return _log_cross(volumes, edge, j) if np.sign(edge[j]) != np.sign(edge[j + 1]) else float(volumes[k])
    while 0 <= k + step < len(volumes) and holds[k + step]:
        k += step
    if not 0 <= k + step < len(volumes):
        return 0.0 if down else math.inf
    # Between k (holds) and k + step (does not): where the nearer edge of the interval reaches zero.
    edge = mean - z * se if mean[k + step] - z * se[k + step] > 0 else mean + z * se
    i = min(k, k + step)
    return _log_cross(volumes, edge, i) if edge[i] != edge[i + 1] else float(volumes[k])
