"""The few-line summary a run prints."""

from __future__ import annotations

import math

import pandas as pd

from ftrag_mc.simulate import SimulationResult


def _usd(x: float) -> str:
    sign = "-" if x < 0 else ""
    x = abs(x)
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if x >= scale:
            return f"{sign}${x / scale:.3g}{suffix}"
    return f"{sign}${x:.0f}"


def _volume(q: float) -> str:
    if not math.isfinite(q):
        return "never"
    for scale, suffix in ((1e6, "M"), (1e3, "k")):
        if q >= scale:
            return f"{q / scale:.3g}{suffix}"
    return f"{q:.0f}"


def _pct(p: float) -> str:
    if 0 < p < 0.001 or 0.999 < p < 1:
        return f"{100 * p:.2f} %"
    return f"{100 * p:.1f} %"


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
    horizon = max(result.horizons)
    lines = [f"{scenario.title}: {result.n_samples:,} samples ({result.sampler}, seed {result.seed}), "
             f"{horizon}-month horizon, baseline {scenario.label(result.baseline)}"]
    if getattr(scenario, "overrides", ()):
        lines.append("  what-ifs (--set): " + "; ".join(scenario.overrides))
    rows = summary[summary.horizon_months == horizon]
    for row in rows.itertuples():
        saving = -row.mean_delta_usd
        lines.append(
            f"  {row.label}: P(cheaper) at {_volume(row.queries_per_month)} queries/month = {_pct(row.p_win)} "
            f"(95 % CI {_pct(row.p_win_low)}-{_pct(row.p_win_high)}); "
            f"mean {'saving' if saving >= 0 else 'extra cost'} {_usd(abs(saving))} ± {_usd(row.mean_delta_se_usd)}")
        if math.isfinite(row.volume_at_50pct):
            crossing = f"wins in most futures above {_volume(row.volume_at_50pct)} queries/month"
        else:
            sweep = f"{_volume(result.volumes[0])}-{_volume(result.volumes[-1])} queries/month"
            at_top = result.win_counts[result.challengers.index(row.strategy), -1, -1] / result.n_samples
            crossing = (f"wins in most futures across the whole sweep ({sweep})" if at_top >= 0.5
                        else f"does not win in most futures anywhere in the sweep ({sweep})")
        if row.payback_p50_months == 0:
            payback = "cheaper from day one in most futures"
        elif math.isfinite(row.payback_p50_months):
            payback = f"median payback {row.payback_p50_months:.1f} months"
        else:
            payback = f"pays back within {horizon} months in {_pct(1 - row.payback_share_never)} of futures"
        lines.append(f"    {crossing}; {payback}")
    note = sampling_note(result)
    if note:
        lines.append(f"note: {note}")
    if result.stopped:
        lines.append(f"note: {result.stopped}")
    return lines
