"""The recommendation in one sentence (the headline of the console, summary.md and the PDF's
title page) and the key figures table under it: the main question at the longest horizon."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ftrag_mc.analysis.decision import main_challenger
from ftrag_mc.report.findings import cut
from ftrag_mc.report.numbers import format_interval, format_money_pm, format_months, format_percent, format_usd, \
    format_volume
from ftrag_mc.simulate import SimulationResult

__all__ = ["MAIN_MARK_NOTE", "headline", "key_figures"]


def _p_with_ci(p: float, low: float, high: float) -> str:
    return f"{format_percent(p)} of futures (95 % CI {format_interval(low, high)})"


def _longest_rows(result: SimulationResult, summary: pd.DataFrame) -> pd.DataFrame:
    return summary[summary.horizon_months == max(result.horizons)]


def _strongest(result: SimulationResult, summary: pd.DataFrame) -> Any:
    """The row, at the longest horizon, of the main question's challenger (the hero chart's:
    :func:`ftrag_mc.analysis.decision.main_challenger`)."""
    rows = _longest_rows(result, summary)
    return rows[rows.strategy == main_challenger(rows)].iloc[0]


def _flip_clause(result: SimulationResult, row: Any, *, wins: bool) -> str:
    sweep = f"{format_volume(result.volumes[0])}–{format_volume(result.volumes[-1])} queries/month"
    if math.isfinite(row.volume_at_50pct):
        subject = "it wins" if wins else "it would win"
        return f"{subject} in most futures above {format_volume(row.volume_at_50pct)} queries/month"
    ci = result.challengers.index(row.strategy)
    hi = result.horizons.index(int(row.horizon_months))
    at_bottom = result.win_counts[ci, 0, hi] / result.n_samples
    at_top = result.win_counts[ci, -1, hi] / result.n_samples
    if at_bottom >= 0.5 and at_top >= 0.5:
        return f"it wins in most futures across the whole sweep ({sweep})"
    if at_bottom < 0.5 and at_top < 0.5:
        return f"it does not win in most futures anywhere in the sweep ({sweep})"
    return f"it wins in most futures at the bottom of the sweep but not at its top ({sweep})"


def _money_clause(row: Any, currency: str) -> str:
    """"expected saving $223k (P5–P95 $61k to $410k)"; an extra cost with its own P5–P95."""
    if row.mean_delta_usd <= 0:
        what, mean, low, high = "expected saving", -row.mean_delta_usd, -row.p95_delta_usd, -row.p5_delta_usd
    else:
        what, mean, low, high = "expected extra cost", row.mean_delta_usd, row.p5_delta_usd, row.p95_delta_usd
    return (f"{what} {format_usd(mean, currency)} "
            f"(P5–P95 {format_usd(low, currency)} to {format_usd(high, currency)})")


def headline(result: SimulationResult, summary: pd.DataFrame, top_inputs: pd.DataFrame | None = None, *,
             label_chars: int | None = None) -> str:
    """The recommendation in one sentence, for the main question at the longest horizon.

    The main question's challenger is the decision best on average (the most negative
    ``mean_delta_usd``), or, when that is the baseline, the strongest challenger (highest
    P(win)): :func:`ftrag_mc.analysis.decision.main_challenger`, as the hero chart. The
    sentence gives P(cheaper) with its 95 % interval, the expected saving with its P5–P95 range,
    and the volume above which the challenger wins in most futures. An interval that straddles
    50 % is called a coin flip; when no challenger saves on average and the strongest loses in
    most futures, the baseline stays cheapest.

    Parameters
    ----------
    result
        The run (its horizons, sweep volumes and win counts).
    summary
        :func:`ftrag_mc.analysis.compute_summary` of the run.
    top_inputs
        :func:`ftrag_mc.analysis.sensitivity.compute_top_inputs` for the main question (the
        report's ``top_inputs.csv``): its first row is named as the input that matters most.
    label_chars
        Cut the strategies' labels to this many characters (a page has room for so many);
        default whole.
    """
    sentence = _headline_sentence(result, summary, label_chars)
    if top_inputs is None or top_inputs.empty:
        return sentence
    first = top_inputs.iloc[0]
    return (f"{sentence} What matters most: {first['label']} (its P10–P90 swing moves ΔNPC by "
            f"{format_usd(first['swing_usd'], result.scenario.meta.currency)}).")


def _headline_sentence(result: SimulationResult, summary: pd.DataFrame, label_chars: int | None) -> str:
    scenario = result.scenario
    currency = scenario.meta.currency
    row = _strongest(result, summary)
    label, base = row.label, scenario.label(result.baseline)
    if label_chars is not None:
        label, base = cut(label, label_chars), cut(base, label_chars)
    horizon = int(row.horizon_months)
    money = _money_clause(row, currency)
    if row.p_win_low <= 0.5 <= row.p_win_high:
        return (f"{label} versus {base} over {horizon} months is a coin flip: {label} is cheaper in "
                f"{_p_with_ci(row.p_win, row.p_win_low, row.p_win_high)}; {money}; "
                f"{_flip_clause(result, row, wins=True)}.")
    if row.p_win_low > 0.5:
        return (f"{label} is cheaper than {base} over {horizon} months in "
                f"{_p_with_ci(row.p_win, row.p_win_low, row.p_win_high)}: {money}; "
                f"{_flip_clause(result, row, wins=True)}.")
    if row.mean_delta_usd >= 0:
        return (f"{base} stays cheapest over {horizon} months: even the strongest challenger, {label}, "
                f"costs as much or more in {_p_with_ci(1 - row.p_win, 1 - row.p_win_high, 1 - row.p_win_low)}; "
                f"{money}; {_flip_clause(result, row, wins=False)}.")
    return (f"{label} is cheaper than {base} over {horizon} months in only "
            f"{_p_with_ci(row.p_win, row.p_win_low, row.p_win_high)}, although a minority of large "
            f"savings gives an {money}; {_flip_clause(result, row, wins=False)}.")


def _breakeven_text(volume: float) -> str:
    if volume == 0:
        return "below the sweep"
    if math.isinf(volume):
        return "above the sweep"
    return f"{format_volume(volume)}/month"


def _payback_text(months: float, horizon: int) -> str:
    if months == 0:
        return "day one"
    if not math.isfinite(months):
        return f"> {horizon} months"  # not within the horizon (a cell: short)
    return format_months(months)


MAIN_MARK_NOTE = ("▶ the main question: the challenger best on average, or the strongest when the baseline "
                  "is (the headline's and the first P(win) chart's)")


def key_figures(result: SimulationResult, summary: pd.DataFrame) -> pd.DataFrame:
    """Per challenger at the longest horizon: P(cheaper) with CI, mean saving ± se, breakeven and
    payback medians, as display text (one row per challenger; the main question's first, marked
    "▶")."""
    currency = result.scenario.meta.currency
    longest = _longest_rows(result, summary)
    main = main_challenger(longest)
    longest = pd.concat([longest[longest.strategy == main], longest[longest.strategy != main]])
    rows = []
    for row in longest.itertuples():
        rows.append({
            # A prefix, not a suffix: a long label is cut at the cell's right edge.
            "Challenger": ("▶ " if row.strategy == main and len(longest) > 1 else "") + row.label,
            "P(cheaper) (95 % CI)": f"{format_percent(row.p_win)} ({format_interval(row.p_win_low, row.p_win_high)})",
            "Mean saving ± se": format_money_pm(-row.mean_delta_usd, row.mean_delta_se_usd, currency),
            "Breakeven P50": _breakeven_text(row.breakeven_p50),
            "Payback P50": _payback_text(row.payback_p50_months, int(row.horizon_months)),
        })
    return pd.DataFrame(rows)
