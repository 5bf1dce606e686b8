"""The few-line summary a run prints.

Every number goes through :mod:`ftrag_mc.report.numbers`, as in the headline, ``summary.md``,
the PDF and the charts: the same figure reads the same everywhere ("69k", not "69.1k" here and
"69k" there).
"""

from __future__ import annotations

import math

import pandas as pd

from ftrag_mc.report.numbers import format_interval, format_money_pm, format_months, format_percent, format_volume
from ftrag_mc.simulate import SimulationResult


def sampling_note(result: SimulationResult) -> str | None:
    """Scrambled Sobol points keep their balance only for a power-of-two number of samples."""
    n = result.n_samples
    if result.sampler != "sobol" or n & (n - 1) == 0:
        return None
    below = 1 << (n.bit_length() - 1)
    return (f"Sobol points are balanced only for a power-of-two sample count; {n:,} is not "
            f"({below:,} or {2 * below:,} would be)")


def describe_run(result: SimulationResult, summary: pd.DataFrame) -> list[str]:
    """Lines for the terminal: per challenger at the longest horizon, P(win) with its interval,
    the expected saving with its standard error, the 50 % volume and the payback."""
    scenario = result.scenario
    currency = scenario.meta.currency
    horizon = max(result.horizons)
    lines = [f"{scenario.title}: {result.n_samples:,} samples ({result.sampler}, seed {result.seed}), "
             f"{horizon}-month horizon, baseline {scenario.label(result.baseline)}"]
    if getattr(scenario, "overrides", ()):
        lines.append("  what-ifs (--set): " + "; ".join(scenario.overrides))
    rows = summary[summary.horizon_months == horizon]
    for row in rows.itertuples():
        saving = -row.mean_delta_usd
        lines.append(
            f"  {row.label}: P(cheaper) at {format_volume(row.queries_per_month)} queries/month = "
            f"{format_percent(row.p_win)} (95 % CI {format_interval(row.p_win_low, row.p_win_high)}); "
            f"mean {'saving' if saving >= 0 else 'extra cost'} "
            f"{format_money_pm(abs(saving), row.mean_delta_se_usd, currency)}")
        sweep = f"{format_volume(result.volumes[0])}–{format_volume(result.volumes[-1])} queries/month"
        if math.isfinite(row.volume_at_50pct):
            crossing = f"wins in most futures above {format_volume(row.volume_at_50pct)} queries/month"
        else:
            at_top = result.win_counts[result.challengers.index(row.strategy), -1, -1] / result.n_samples
            crossing = (f"wins in most futures across the whole sweep ({sweep})" if at_top >= 0.5
                        else f"does not win in most futures anywhere in the sweep ({sweep})")
        if row.payback_p50_months == 0:
            payback = "cheaper from day one in most futures"
        elif math.isfinite(row.payback_p50_months):
            payback = f"median payback {format_months(row.payback_p50_months)}"
        else:
            payback = f"pays back within {horizon} months in {format_percent(1 - row.payback_share_never)} of futures"
        lines.append(f"    {crossing}; {payback}")
    note = sampling_note(result)
    if note:
        lines.append(f"note: {note}")
    if result.stopped:
        lines.append(f"note: {result.stopped}")
    return lines
