"""The recommendation (the headline of the console, summary.md and the PDF's title page) and the
tables under it: the decision among all strategies, then each challenger against the baseline."""

from __future__ import annotations

import math

import pandas as pd

from ftrag_mc.report.decision_words import amount_words, cvar_words, decision_headline, range_words, se_words
from ftrag_mc.report.numbers import (
    format_interval, format_months, format_months_interval, format_percent, format_usd, format_volume,
    format_volume_interval,
)
from ftrag_mc.simulate import SimulationResult

__all__ = ["DECISION_MARK_NOTE", "headline", "key_figures", "pair_headline"]

DECISION_MARK_NOTE = ("▶ the recommended strategy (the headline's); the decision is among all strategies, "
                      "the table below it compares each challenger with the file's baseline")


def headline(result: SimulationResult, decision: pd.DataFrame, top_inputs: pd.DataFrame | None = None, *,
             label_chars: int | None = None) -> str:
    """The recommendation: the strategy to choose, against the best alternative, and how sure.

    The sentences are :func:`~ftrag_mc.report.decision_words.decision_headline`'s, read from the
    decision table (``decision.csv``): the recommended strategy and P(it is the cheapest of all)
    with its 95 % interval; against the runner-up, the expected saving with its standard error,
    its P5–P95, P(loss) and the average loss in the worst 5 % of futures; the volume where the
    choice flips; the dominated strategies, each named once.

    Parameters
    ----------
    result
        The run (its currency and sweep volumes).
    decision
        :attr:`Decision.table <ftrag_mc.analysis.decision.Decision>` of the run (``decision.csv``).
    top_inputs
        :func:`ftrag_mc.analysis.sensitivity.compute_top_inputs` for the recommended strategy
        against the runner-up (``top_inputs.csv``): its first row is named as what matters most.
    label_chars
        Cut the strategies' labels to this many characters (a page has room for so many);
        default whole.
    """
    currency = result.scenario.meta.currency
    sentence = decision_headline(decision, currency=currency, label_chars=label_chars,
                                 sweep=(float(result.volumes[0]), float(result.volumes[-1])))
    return sentence + _matters_most(top_inputs, currency)


def _matters_most(top_inputs: pd.DataFrame | None, currency: str) -> str:
    if top_inputs is None or top_inputs.empty:
        return ""
    first = top_inputs.iloc[0]
    return (f" What matters most: {first['label']} (its P10–P90 swing moves the saving by "
            f"{format_usd(first['swing_usd'], currency)}).")


def pair_headline(result: SimulationResult, summary: pd.DataFrame, challenger: str,
                  top_inputs: pd.DataFrame | None = None) -> str:
    """One challenger against the run's baseline in words, at the longest horizon and the
    scenario's volume (a pair someone picked, not the decision): P(cheaper) with its 95 % interval,
    the expected saving with its standard error and P5–P95, the average loss in the worst 5 % of
    futures, and where it wins in most futures. One sign convention, as the decision's words: a
    saving is said as a saving, a loss as a loss.

    Parameters
    ----------
    result, summary
        The run and :func:`ftrag_mc.analysis.compute_summary` of it (ΔNPC = challenger − baseline).
    challenger
        One of the run's challengers.
    top_inputs
        :func:`ftrag_mc.analysis.sensitivity.compute_top_inputs` for this pair: its first row is
        named as what matters most.
    """
    scenario = result.scenario
    currency = scenario.meta.currency
    rows = summary[(summary["strategy"] == challenger) & (summary["horizon_months"] == max(result.horizons))]
    if rows.empty:
        raise ValueError(f"{challenger!r} is not a challenger of the run (against {result.baseline!r})")
    row = rows.iloc[0]
    label, base = str(row["label"]), scenario.label(result.baseline)
    cheaper = (f"{format_percent(row['p_win'])} of futures (95 % CI "
               f"{format_interval(row['p_win_low'], row['p_win_high'])})")
    if row["p_win_low"] <= 0.5 <= row["p_win_high"]:
        cheaper += ": a coin flip"
    saving = -float(row["mean_delta_usd"])
    text = (f"{label} against {base} over {int(row['horizon_months'])} months at "
            f"{format_volume(row['queries_per_month'])} queries/month: cheaper in {cheaper}. "
            f"It {amount_words(saving, currency)} on average ({se_words(row['mean_delta_se_usd'], currency, saving)}; "
            f"P5–P95: {range_words(-float(row['p95_delta_usd']), -float(row['p5_delta_usd']), currency)}); "
            f"{cvar_words(float(row['cvar95_delta_usd']), float(row['cvar95_delta_se_usd']), currency)}. "
            f"{_wins_where(result, row)}.")
    return text + _matters_most(top_inputs, currency)


def _wins_where(result: SimulationResult, row: pd.Series) -> str:
    """Where the challenger is cheaper in most futures, on the run's volume sweep."""
    sweep = f"{format_volume(result.volumes[0])}–{format_volume(result.volumes[-1])} queries/month"
    if math.isfinite(row["volume_at_50pct"]):
        return (f"It is cheaper in most futures above {format_volume(row['volume_at_50pct'])} queries/month "
                f"(95 % CI {format_volume_interval(row['volume_at_50pct_low'], row['volume_at_50pct_high'])})")
    ci, hi = result.challengers.index(row["strategy"]), result.horizons.index(int(row["horizon_months"]))
    bottom, top = (result.win_counts[ci, i, hi] / result.n_samples >= 0.5 for i in (0, -1))
    if bottom and top:
        return f"It is cheaper in most futures across the whole sweep ({sweep})"
    if not bottom and not top:
        return f"It is not cheaper in most futures anywhere in the sweep ({sweep})"
    where = "bottom" if bottom else "top"
    return f"It is cheaper in most futures at the {where} of the sweep only ({sweep})"


def _breakeven_text(volume: float, low: float, high: float) -> str:
    if volume == 0:
        return "below the sweep"
    if math.isinf(volume):
        return "above the sweep"
    return f"{format_volume(volume)}/month ({format_volume_interval(low, high)})"


def _payback_text(months: float, low: float, high: float, horizon: int) -> str:
    if months == 0:
        return "day one"
    if not math.isfinite(months):
        return f"> {horizon} months"  # not within the horizon (a cell: short)
    return f"{format_months(months)} ({format_months_interval(low, high).removesuffix(' months')})"


def key_figures(result: SimulationResult, summary: pd.DataFrame) -> pd.DataFrame:
    """Per challenger against the file's baseline at the longest horizon, as display text: P(cheaper)
    with its 95 % interval, the expected saving ± its standard error, and the breakeven and payback
    medians with their 95 % intervals (one row per challenger, scenario order)."""
    currency = result.scenario.meta.currency
    longest = summary[summary.horizon_months == max(result.horizons)]
    rows = []
    for row in longest.itertuples():
        rows.append({
            "Challenger": row.label,
            "P(cheaper) (95 % CI)": f"{format_percent(row.p_win)} ({format_interval(row.p_win_low, row.p_win_high)})",
            "Expected saving ± se": f"{amount_words(-row.mean_delta_usd, currency)} ± "
                                    f"{format_usd(row.mean_delta_se_usd, currency)}",
            "Breakeven P50 (95 % CI)": _breakeven_text(row.breakeven_p50, row.breakeven_p50_low,
                                                       row.breakeven_p50_high),
            "Payback P50 (95 % CI)": _payback_text(row.payback_p50_months, row.payback_p50_low_months,
                                                   row.payback_p50_high_months, int(row.horizon_months)),
        })
    return pd.DataFrame(rows)
