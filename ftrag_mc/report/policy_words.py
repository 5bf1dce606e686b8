"""The words of a trigger search: the headline and the lines ``ftrag-mc policy`` prints.

Pure text from the numbers of :func:`ftrag_mc.analysis.policy.compute_policy` (no matplotlib; the
chart's title is :func:`ftrag_mc.report.charts.policy.policy_finding`):
the best policy with its interval (the triggers within Monte Carlo error of it), the value of
flexibility with its standard error, and how often the policy beats each static choice, each
probability with its 95 % interval.
"""

from __future__ import annotations

import math

import pandas as pd

from ftrag_mc.formats import (
    format_interval, format_money_pm, format_months, format_percent, format_usd, format_volume,
)

__all__ = ["describe_policy", "policy_columns", "policy_headline", "trigger_words"]


def trigger_words(row: pd.Series, *, short: bool = False) -> str:
    """When a trigger switches, in words: "once monthly volume has been above 120k for 2 months in
    a row" ("above 120k/month for 2 months" ``short``), "at the start of month 20"; a static
    policy's name ("commit now", "never switch")."""
    if row["policy"] != "trigger":
        return str(row["policy"])
    if row["trigger_kind"] == "month":
        return f"at the start of month {row['month']:.0f}"
    k = int(row["for_months"])
    volume = format_volume(row["volume_above_queries_per_month"])
    if short:
        return f"above {volume}/month" + ("" if k == 1 else f" for {k} months")
    return f"once monthly volume has been above {volume}" + ("" if k == 1 else f" for {k} months in a row")


def _neighbours(frame: pd.DataFrame, currency: str) -> str:
    """The best trigger's neighbours on the grid and how much more each costs."""
    triggers = frame[frame["policy"] == "trigger"].reset_index(drop=True)
    best = triggers.index[triggers["best"]]
    if not len(best):
        return ""
    b = int(best[0])
    month = triggers["trigger_kind"].iloc[0] == "month"
    said = [f"{'month ' if month else ''}{_trigger_value(triggers.iloc[k], month)} costs "
            f"{format_usd(triggers['delta_vs_best_usd'].iloc[k], currency)} more"
            for k in (b - 1, b + 1) if 0 <= k < len(triggers)]
    return f" (on the grid, {' and '.join(said)})" if said else ""


def _trigger_value(row: pd.Series, month: bool) -> str:
    return f"{row['month']:.0f}" if month else f"{format_volume(row['volume_above_queries_per_month'])}/month"


def _interval_words(frame: pd.DataFrame, currency: str = "USD") -> str:
    """The triggers as good as the best: "triggers from 110k to 125k/month are within Monte Carlo error"."""
    good = frame[frame["within_error_of_best"]]
    triggers = good[good["policy"] == "trigger"]
    statics = [p for p in ("commit now", "never switch") if p in set(good["policy"])]
    parts = []
    if len(triggers) > 1:
        if triggers["trigger_kind"].iloc[0] == "month":
            lo, hi = triggers["month"].min(), triggers["month"].max()
            parts.append(f"switching at the start of any month from {lo:.0f} to {hi:.0f}")
        else:
            lo, hi = triggers["volume_above_queries_per_month"].min(), triggers["volume_above_queries_per_month"].max()
            parts.append(f"any trigger from {format_volume(lo)} to {format_volume(hi)}/month")
    parts += statics if len(good) > 1 else []
    if not parts:
        return "no other policy comes within Monte Carlo error of it" + _neighbours(frame, currency)
    return " and ".join(parts) + " does as well within Monte Carlo error (1.96 paired standard errors)"


def _best_static(frame: pd.DataFrame) -> pd.Series:
    statics = frame[frame["policy"] != "trigger"]
    return statics.loc[statics["expected_npc_usd"].idxmin()]


def policy_headline(frame: pd.DataFrame, labels: dict[str, str], currency: str, horizon_months: int) -> str:
    """The headline sentence of a search's ``policy.csv``: the best policy, the triggers as good within
    Monte Carlo error, and the value of flexibility (the better static policy's expected NPC minus the
    best policy's, with its paired standard error)."""
    best = frame[frame["best"]].iloc[0]
    start, switch = labels[best["start"]], labels[best["switch_to"]]
    static = _best_static(frame)
    vs = "committing now" if static["policy"] == "commit now" else "never switching"
    if best["policy"] == "trigger":
        what = f"start on {start} and switch to {switch} {trigger_words(best)}"
    elif best["policy"] == "commit now":
        what = f"commit to {switch} now"
    else:
        what = f"stay on {start} (never switch to {switch})"
    flexibility = format_money_pm(static["delta_vs_best_usd"], static["delta_vs_best_se_usd"], currency)
    return (f"Best policy over {format_months(horizon_months)}: {what}; {_interval_words(frame, currency)}. Value of "
            f"flexibility {flexibility} against {vs}, the better static choice.")


def describe_policy(result) -> list[str]:
    """What ``ftrag-mc policy`` prints: the headline, how the best policy compares with each static
    choice and the baseline, when it switches, and the run."""
    frame, currency = result.frame, result.scenario.meta.currency
    best = result.best_row
    lines = [policy_headline(frame, result.labels, currency, result.horizon_months)]
    if best["policy"] == "trigger":
        lines.append(
            f"  It beats committing now in {format_percent(best['p_beats_now'])} of futures (95 % CI "
            f"{format_interval(best['p_beats_now_low'], best['p_beats_now_high'])}) and never switching in "
            f"{format_percent(best['p_beats_never'])} ({format_interval(best['p_beats_never_low'], best['p_beats_never_high'])}).")
    lines.append(
        f"  Expected NPC {format_money_pm(best['expected_npc_usd'], best['expected_npc_se_usd'], currency)}: "
        f"{_signed(best['delta_npc_usd'], best['delta_npc_se_usd'], currency, result.labels[result.baseline])}; "
        f"cheaper than it in {format_percent(best['p_win'])} of futures ({format_interval(best['p_win_low'], best['p_win_high'])}).")
    if best["policy"] == "trigger":
        lines.append(f"  It switches within the horizon in {format_percent(best['p_switch'])} of futures "
                     f"({format_interval(best['p_switch_low'], best['p_switch_high'])}); {_when(best)}.")
    for name in ("commit now", "never switch"):
        row = result.static(name)
        lines.append(f"  {name.capitalize()}: expected NPC {format_money_pm(row['expected_npc_usd'], row['expected_npc_se_usd'], currency)}"
                     f" ({_signed(row['delta_vs_best_usd'], row['delta_vs_best_se_usd'], currency, 'the best policy')}).")
    lines.append(f"  {result.samples:,} futures ({result.sampler}, seed {result.seed}), {len(frame) - 2} candidate "
                 f"{result.kind} triggers, a start volume of {format_volume(result.queries_per_month)} queries/month, "
                 f"baseline {result.labels[result.baseline]}.")
    return lines


def _signed(delta: float, se: float, currency: str, than: str) -> str:
    """"$4.1k ± $0.2k cheaper than X on average", "$1.2k ± $0.3k dearer than X", "the same as X"."""
    if delta == 0:
        return f"the same as {than}"
    word = "cheaper" if delta < 0 else "dearer"
    return f"{format_money_pm(abs(delta), se, currency)} {word} than {than} on average"


def _after(month: float) -> str:
    return "never" if math.isinf(month) else ("at once" if month == 0 else f"after month {month:.0f}")


def _when(row: pd.Series) -> str:
    p10, p50, p90 = row["switch_month_p10"], row["switch_month_p50"], row["switch_month_p90"]
    if math.isinf(p50):
        return "in most futures it never does"
    return f"the median decision comes {_after(p50)} (P10 {_after(p10)}, P90 {_after(p90)})"


def _unit(column: str) -> str:
    if column.endswith("_usd"):
        return "USD"
    if column.startswith("p_"):
        return "probability 0-1"
    if column.startswith("switch_month") or column in ("month", "for_months"):
        return "months"
    if column.endswith("queries_per_month"):
        return "queries/month"
    return "true/false" if column in ("within_error_of_best", "best") else "text"


def policy_columns() -> dict[str, tuple[str, str]]:
    """``policy.csv``'s columns for the data dictionary: column -> (meaning, unit)."""
    from ftrag_mc.analysis.policy import POLICY_COLUMNS

    return {column: (meaning, _unit(column)) for column, meaning in POLICY_COLUMNS.items()}
