"""The words of the data dictionary that several CSVs share: what a column holds, its unit, sign and
sentinels. Each report item (:mod:`ftrag_mc.report.items`) describes its own CSV's columns with
them; :mod:`ftrag_mc.report.dictionary` gathers the descriptions into ``columns.csv``."""

from __future__ import annotations

#: A column's description: (meaning, unit).
Column = tuple[str, str]

_SHARED: dict[str, Column] = {
    "strategy": ("the challenger's name in the scenario file (cheapest_vs_volume.csv: any strategy, "
                 "baseline included)", "name"),
    "label": ("the strategy's human label", "text"),
    "horizon_months": ("analysis horizon: costs are summed (discounted) over months 1..H", "months"),
    "queries_per_month": ("starting volume (before growth)", "queries/month"),
    "samples": ("Monte Carlo samples (futures) drawn", "count"),
    "p_win": ("P(challenger's net present cost < baseline's): share of futures in which it is strictly "
              "cheaper", "probability 0-1"),
    "p_win_low": ("lower end of the 95 % Wilson interval of p_win (conservative under lhs/sobol)",
                  "probability 0-1"),
    "p_win_high": ("upper end of the 95 % Wilson interval of p_win", "probability 0-1"),
    "wins": ("futures in which the challenger is cheaper (p_win = wins / samples)", "count"),
    "futures": ("futures whose value falls in this bin", "count"),
    "share": ("futures in this bin as a share of all futures (not only those in the chart)",
              "probability 0-1"),
    "share_at_median": ("share of all futures at or below the reported p50 (0.5 unless a sentinel "
                        "holds the median)", "probability 0-1"),
}

_PERCENTILES = {"p5": 5, "p10": 10, "p25": 25, "p50": 50, "p75": 75, "p90": 90, "p95": 95}

BREAKEVEN_SENTINELS = ("0 = already wins at the bottom of the sweep (breakeven below sweep_min), "
                       "inf = does not win even at the top (above sweep_max)")
PAYBACK_SENTINELS = "0 = cheaper from day one, inf = does not pay back within the horizon"
DELTA = "ΔNPC = challenger's net present cost minus the baseline's; negative = saving"


def shared(*names: str) -> dict[str, Column]:
    """The shared descriptions of ``names`` (strategy, label, horizon_months, p_win, ...)."""
    return {name: _SHARED[name] for name in names}


def percentile_columns(what: str, unit: str, sentinels: str) -> dict[str, Column]:
    """p5, p10, p25, p50, p75, p90 and p95 of ``what``, in ``unit``, with its ``sentinels``."""
    return {name: (f"{q}th percentile of {what} over all futures; {sentinels}", unit)
            for name, q in _PERCENTILES.items()}
