"""The decision a report leads with: which challenger is the main question, against the baseline."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["main_challenger"]


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
