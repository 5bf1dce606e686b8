"""The lines the commands print: a run's summary, a study's top inputs, a sweep's crossings, a
comparison's headline and the price catalog's tables.

Every number goes through :mod:`ftrag_mc.formats`, as in the headline, ``summary.md``,
the PDF and the charts: the same figure reads the same everywhere ("69k", not "69.1k" here and
"69k" there).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from ftrag_mc.catalog import PRICE_COLUMNS
from ftrag_mc.formats import (
    format_interval, format_money_pm, format_months, format_percent, format_usd, format_volume,
)
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


def run_top_inputs(result: SimulationResult, top_inputs: pd.DataFrame | None) -> list[str]:
    """The line ``run`` prints from the report's ``top_inputs.csv``
    (:func:`~ftrag_mc.analysis.sensitivity.compute_top_inputs`, for the main question)."""
    if top_inputs is None or top_inputs.empty:
        return []
    currency = result.scenario.meta.currency
    parts = [f"{row.label} ({format_usd(row.swing_usd, currency)})" for row in top_inputs.itertuples()]
    who = top_inputs["strategy_label"].iloc[0]
    return [f"  inputs that move {who}'s ΔNPC most (P10-P90, others at medians): " + "; ".join(parts)]


def top_inputs_lines(tornado: pd.DataFrame, top: int = 3) -> list[str]:
    """'Inputs that move ΔNPC most: ...' from a tornado frame (largest swing first)."""
    if tornado.empty:
        return ["No uncertain inputs: every input is a constant."]
    rows = tornado.head(top)
    label = "label" if "label" in rows.columns else "input"
    parts = [f"{row[label]} ({format_usd(abs(row['swing_usd']))} swing)" for _, row in rows.iterrows()]
    return ["Inputs that move ΔNPC most (P10-P90 swings, others at their medians): " + "; ".join(parts)]


def describe_sweep_crossings(crossings: pd.DataFrame) -> list[str]:
    """One line per row of :func:`~ftrag_mc.analysis.sweep.compute_sweep_crossings`: where P(win)
    crosses 50 % along x (for each y of a 2-D sweep), or that it does not in the grid."""
    two_d = "y_key" in crossings.columns
    lines = []
    for row in crossings.itertuples():
        where = "no 50 % crossing in the grid" if row.x_at_50pct != row.x_at_50pct else \
            f"P(win) crosses 50 % at {row.x_key} = {row.x_at_50pct:,.4g} ({row.interpolation})"
        at = f" at {row.y_key} = {row.y_value}" if two_d else ""
        lines.append(f"{row.label}{at}: {where}")
    return lines


def describe_compare(headline: pd.DataFrame) -> list[str]:
    """One line per variant and challenger of :func:`~ftrag_mc.analysis.compare.compute_compare`'s
    headline (P(cheaper) with its interval at the variant's volume), then its notes."""
    lines = [f"{row.variant}: {row.label} vs {row.baseline_label}: P(cheaper) = {format_percent(row.p_win)} "
             f"(95 % CI {format_interval(row.p_win_low, row.p_win_high)}) at "
             f"{format_volume(row.queries_per_month)} queries/month over {row.horizon_months} months"
             for row in headline.itertuples()]
    return lines + [f"note: {note}" for note in headline.attrs.get("notes", [])]


SOURCE_WIDTH = 70  # terminal tables cut a long source; --csv has it whole
_MODEL_HEADER = ("model", "provider", "input", "output", "cache read", "cache write", "training", "tuned in",
                 "tuned out", "as of", "source")
_GPU_HEADER = ("gpu", "reserved", "on demand", "serving", "as of", "source")


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, tuple):
        return f"{value[0]:g}-{value[1]:g}"
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value)
    return text if len(text) <= SOURCE_WIDTH else text[:SOURCE_WIDTH - 1] + "…"


def _table(header: Sequence[str], rows: list[list[str]]) -> list[str]:
    """Columns padded to their widest cell, under a rule of dashes."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    return ["  ".join(str(cell).ljust(w) for cell, w in zip(line, widths)).rstrip()
            for line in (header, ["-" * w for w in widths], *rows)]


def describe_prices(models: list[dict], gpus: list[dict], *, search: str = "") -> list[str]:
    """The tables ``ftrag-mc prices`` prints: hosted models' token prices
    (:func:`~ftrag_mc.catalog.price_rows`), then GPU rates (:func:`~ftrag_mc.catalog.gpu_rows`);
    a long source is cut to :data:`SOURCE_WIDTH` characters."""
    if not models and not gpus:
        return [f"No catalog entry matches '{search}'."]
    lines = []
    if models:
        lines += ["Hosted models, USD per million tokens:",
                  *_table(_MODEL_HEADER, [[_cell(row[k]) for k in PRICE_COLUMNS] for row in models])]
    if gpus:
        lines += ["", "GPUs, USD per GPU-hour (ranges across providers), and vLLM serving throughput per GPU:",
                  *_table(_GPU_HEADER, [[row["gpu"], _cell(row["reserved_usd_per_hour"]),
                                         _cell(row["on_demand_usd_per_hour"]), row["serving"] or "-", row["as_of"],
                                         _cell(row["source"])] for row in gpus])]
    return lines
