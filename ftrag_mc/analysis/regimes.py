"""Volume regimes of the cheapest strategy: which strategy is most likely cheapest, and where it changes.

One rule, used by the chart, its title and ``cheapest_regimes.csv``: at each grid volume the
leader is the strategy with the highest P(cheapest of all); a run of one grid volume between two
runs of the same strategy is Monte Carlo noise and is merged into them; a boundary lies where
the two neighbouring leaders' P(cheapest) curves cross, linearly interpolated in log volume
between the last grid volume of one run and the first of the next. A boundary read from a grid
is an approximation: every row says so (``boundary_method``) and gives the two grid volumes it
lies between.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["compute_regimes", "attach_regimes", "leader_runs", "REGIME_COLUMNS", "INTERPOLATED", "SWEEP_START"]

INTERPOLATED = "interpolated"  # between two grid volumes, where the two leaders' curves cross
SWEEP_START = "sweep_start"  # the first regime starts at the bottom of the sweep: no boundary

REGIME_COLUMNS = (
    "horizon_months", "regime", "strategy", "label", "from_queries_per_month", "to_queries_per_month",
    "boundary_method", "boundary_grid_low_queries_per_month", "boundary_grid_high_queries_per_month",
    "p_cheapest_peak",
)


def leader_runs(leader: Sequence[str]) -> list[tuple[str, int, int]]:
    """Runs of the same leader along the grid: (strategy, first index, last index).

    A one-point run between two runs of the same strategy is Monte Carlo noise: merged away.

    >>> leader_runs(["a", "a", "b", "a", "c", "c"])
    [('a', 0, 3), ('c', 4, 5)]
    """
    runs: list[list] = []
    for i, s in enumerate(leader):
        if runs and runs[-1][0] == s:
            runs[-1][2] = i
        elif len(runs) >= 2 and runs[-1][1] == runs[-1][2] and runs[-2][0] == s:
            runs.pop()
            runs[-1][2] = i
        else:
            runs.append([s, i, i])
    return [(s, i0, i1) for s, i0, i1 in runs]


def compute_regimes(cheapest: pd.DataFrame) -> pd.DataFrame:
    """The volume ranges in which each strategy is the most likely cheapest, per horizon.

    Parameters
    ----------
    cheapest
        :func:`ftrag_mc.analysis.compute_cheapest_vs_volume`: ``strategy``, ``label``,
        ``horizon_months``, ``queries_per_month`` (the sweep grid) and ``p_cheapest`` (0..1).

    Returns
    -------
    DataFrame
        One row per (horizon, regime), lowest volume first, columns :data:`REGIME_COLUMNS`:
        the regime's leader (``strategy``, ``label``), the volume where it starts
        (``from_queries_per_month``: the sweep's bottom for the first regime, else the boundary)
        and ends (the next boundary, or the sweep's top), how the start was found
        (``boundary_method``: :data:`SWEEP_START` or :data:`INTERPOLATED`), the two grid
        volumes the boundary lies between (NaN for the first regime) and the leader's highest
        P(cheapest) inside the regime.
    """
    missing = [c for c in ("strategy", "label", "horizon_months", "queries_per_month", "p_cheapest")
               if c not in cheapest.columns]
    if missing:
        raise ValueError(f"cheapest lacks column(s) {missing}; it has {list(cheapest.columns)}")
    order = list(dict.fromkeys(cheapest["strategy"]))  # scenario order: ties go to the earlier
    labels = dict(zip(cheapest["strategy"], cheapest["label"]))
    rows = []
    for horizon, sub in cheapest.groupby("horizon_months", sort=True):
        table = sub.pivot_table(index="queries_per_month", columns="strategy",
                                values="p_cheapest").sort_index()[[s for s in order if s in set(sub["strategy"])]]
        q = table.index.to_numpy(float)
        p = table.to_numpy(float)
        names = list(table.columns)
        runs = leader_runs([names[i] for i in np.nanargmax(p, axis=1)])
        starts = [(SWEEP_START, float(q[0]), np.nan, np.nan)]
        for (s0, _, i0), (s1, i1, _) in zip(runs, runs[1:]):
            d0 = table[s0].iloc[i0] - table[s1].iloc[i0]
            d1 = table[s0].iloc[i1] - table[s1].iloc[i1]
            t = d0 / (d0 - d1) if d0 != d1 else 0.5
            x = float(np.exp(np.log(q[i0]) + t * (np.log(q[i1]) - np.log(q[i0]))))
            starts.append((INTERPOLATED, x, float(q[i0]), float(q[i1])))
        for k, ((s, i0, i1), (method, x0, g0, g1)) in enumerate(zip(runs, starts)):
            x1 = starts[k + 1][1] if k + 1 < len(runs) else float(q[-1])
            rows.append({"horizon_months": int(horizon), "regime": k + 1, "strategy": s, "label": labels[s],
                         "from_queries_per_month": x0, "to_queries_per_month": x1, "boundary_method": method,
                         "boundary_grid_low_queries_per_month": g0, "boundary_grid_high_queries_per_month": g1,
                         "p_cheapest_peak": float(table[s].iloc[i0:i1 + 1].max())})
    return pd.DataFrame(rows, columns=list(REGIME_COLUMNS))


def attach_regimes(cheapest: pd.DataFrame, regimes: pd.DataFrame) -> pd.DataFrame:
    """The P(cheapest) curves with the regime each grid volume lies in: the chart's one frame.

    Each row of ``cheapest`` gains ``regime`` and the regime's columns prefixed ``regime_``
    (``regime_strategy``, ``regime_label``, ``regime_from_queries_per_month``, ...), matched on
    the horizon and the last regime that starts at or below the row's volume.
    """
    marks = regimes.rename(columns={c: f"regime_{c}" for c in regimes.columns
                                    if c not in ("horizon_months", "regime")})
    parts = []
    for horizon, sub in cheapest.groupby("horizon_months", sort=False):
        own = marks[marks["horizon_months"] == horizon].sort_values("regime_from_queries_per_month")
        starts = own["regime_from_queries_per_month"].to_numpy(float)
        at = np.clip(np.searchsorted(starts, sub["queries_per_month"].to_numpy(float), side="right") - 1,
                     0, max(len(own) - 1, 0))
        extra = own.drop(columns="horizon_months").iloc[at].set_index(sub.index)
        parts.append(pd.concat([sub, extra], axis=1))
    return pd.concat(parts).loc[cheapest.index] if parts else cheapest.copy()
