"""Analyses of a :class:`~ftrag_mc.simulate.SimulationResult`: pure functions returning DataFrames."""

from ftrag_mc.analysis.breakeven import (
    compute_breakeven, compute_breakeven_histogram, compute_payback, compute_payback_histogram,
    compute_payback_months,
)
from ftrag_mc.analysis.probability import (
    compute_cheapest_vs_volume, compute_crossings, compute_pwin_vs_month, compute_pwin_vs_volume,
    crossing_volume,
)
from ftrag_mc.analysis.risk import compute_delta_npc, compute_summary
from ftrag_mc.analysis.stats import quantiles, wilson_interval

__all__ = [
    "compute_breakeven", "compute_breakeven_histogram", "compute_payback", "compute_payback_histogram",
    "compute_payback_months", "compute_cheapest_vs_volume", "compute_crossings", "compute_pwin_vs_month",
    "compute_pwin_vs_volume", "crossing_volume", "compute_delta_npc", "compute_summary", "quantiles",
    "wilson_interval",
]
