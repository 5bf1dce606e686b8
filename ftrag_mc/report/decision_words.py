"""The decision in words: the headline's sentences, the console's decision lines and the decision
table of ``summary.md`` and the PDF's title page, all read from ``decision.csv``
(:func:`~ftrag_mc.analysis.decision.compute_decision`'s table), so the words and the CSV cannot
disagree.

One sign convention: a saving is said as a saving ("saves $208k"), a loss as a loss ("costs $30k
more"); CVaR95 is "the average loss in the worst 5 % of futures" (a positive amount is a loss);
never "saving -$X". Every estimate carries its Monte Carlo error: a standard error for means, a 95 %
interval for probabilities, quantiles and the flip volume.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ftrag_mc.report.findings import cut
from ftrag_mc.report.numbers import (
    format_interval, format_months, format_months_interval, format_percent, format_usd, format_volume,
    format_volume_interval,
)

__all__ = ["amount_words", "cvar_words", "decision_display", "decision_headline", "decision_lines", "pair_facts",
           "range_words", "se_words"]


def amount_words(saving: float, currency: str = "USD") -> str:
    """A saving as it is said: ``208_000 -> "saves $208k"``, ``-30_000 -> "costs $30k more"``."""
    if saving > 0:
        return f"saves {format_usd(saving, currency)}"
    if saving < 0:
        return f"costs {format_usd(-saving, currency)} more"
    return "costs the same"


def _ing(saving: float, currency: str) -> str:
    if saving > 0:
        return f"saving {format_usd(saving, currency)}"
    if saving < 0:
        return f"costing {format_usd(-saving, currency)} more"
    return "costing the same"


def range_words(p5: float, p95: float, currency: str = "USD") -> str:
    """The P5-P95 range of a saving: ``"from costing $30k more to saving $559k"``."""
    return f"from {_ing(p5, currency)} to {_ing(p95, currency)}"


def se_words(se: float, currency: str, of: float = 0.0) -> str:
    """``"standard error $3.3k"`` (0 where it is rounding in the sums of ``of``)."""
    return f"standard error {format_usd(_error(se, of), currency)}"


def _error(se: float, of: float) -> float:
    """A standard error, 0 where it is rounding in the sums (below a billionth of the figure: every
    future the same), as :func:`~ftrag_mc.formats.format_money_pm` says it."""
    return 0.0 if abs(se) <= 1e-9 * abs(of) else se


def _label(row: Any, chars: int | None) -> str:
    return cut(row["label"], chars) if chars else str(row["label"])


def _rows(table: pd.DataFrame) -> tuple[Any, Any]:
    """(recommended, runner-up) rows of a decision table."""
    return (table[table["role"] == "recommended"].iloc[0], table[table["strategy"] == _runner_up(table)].iloc[0])


def _runner_up(table: pd.DataFrame) -> str:
    return str(table[table["role"] == "runner-up"]["strategy"].iloc[0])


def _beats_all(table: pd.DataFrame) -> bool:
    others = table[table["role"] != "recommended"]
    return bool((others["p_recommended_cheaper"] >= 0.99).all())


# --- the headline ----------------------------------------------------------------------------------


def decision_headline(table: pd.DataFrame, *, currency: str = "USD", sweep: tuple[float, float],
                      label_chars: int | None = None) -> str:
    """The recommendation, against the best alternative, in a few sentences.

    Parameters
    ----------
    table
        ``decision.csv`` (:func:`~ftrag_mc.analysis.decision.compute_decision`'s table).
    currency
        Of every amount.
    sweep
        The run's lowest and highest start volume (queries/month): where the flip is sought.
    label_chars
        Cut labels to this many characters (a page has room for so many); default whole.
    """
    rec, ru = _rows(table)
    parts = [_choice(table, rec, currency, label_chars), _against(table, rec, ru, currency, label_chars),
             _flip(ru, rec, sweep, label_chars)]
    dominated = _dominated(table, rec, label_chars)
    return " ".join(p for p in [*parts, dominated] if p)


def _choice(table: pd.DataFrame, rec: Any, currency: str, chars: int | None) -> str:
    n = len(table)
    volume, horizon = format_volume(rec["queries_per_month"]), int(rec["horizon_months"])
    cheapest = (f"{format_percent(rec['p_cheapest'])} of futures "
                f"(95 % CI {format_interval(rec['p_cheapest_low'], rec['p_cheapest_high'])})")
    which = "the cheaper of the two" if n == 2 else "the cheapest of all"
    if rec["rule"] == "cvar":
        why = (f"under the risk rule, the lowest average cost in its worst 5 % of futures "
               f"({format_usd(rec['cvar95_npc_usd'], currency, significant=3)}, "
               f"{se_words(rec['cvar95_npc_se_usd'], currency, rec['cvar95_npc_usd'])})")
    else:
        why = f"the lowest expected net present cost of the {n} strategies"
    text = (f"{_label(rec, chars)} is the recommended choice over {horizon} months at {volume} queries/month: "
            f"it has {why} and is {which} in {cheapest}")
    if _beats_all(table) and n > 2:
        text += "; it beats every alternative in at least 99 % of futures"
    return text + "."


def _against(table: pd.DataFrame, rec: Any, ru: Any, currency: str, chars: int | None) -> str:
    who = "the alternative" if len(table) == 2 else (
        "the best alternative on average" if rec["rule"] == "cvar" else "the best alternative")
    loss = f"{format_percent(ru['p_loss'])} of futures (95 % CI {format_interval(ru['p_loss_low'], ru['p_loss_high'])})"
    if ru["p_loss_low"] <= 0.5 <= ru["p_loss_high"]:
        loss_clause = f"costs more in {loss}: a coin flip"
    else:
        loss_clause = f"costs more in {loss}"
    text = (f"Against {who}, {_label(ru, chars)}, it {amount_words(ru['saving_usd'], currency)} on average "
            f"({se_words(ru['saving_se_usd'], currency, ru['saving_usd'])}; P5–P95: "
            f"{range_words(ru['saving_p5_usd'], ru['saving_p95_usd'], currency)}) and {loss_clause}")
    return f"{text}; {cvar_words(ru['cvar95_loss_usd'], ru['cvar95_loss_se_usd'], currency)}."


def cvar_words(cvar: float, se: float, currency: str) -> str:
    """CVaR95 of a loss in words: a positive amount is a loss."""
    if not math.isfinite(cvar):
        return "its average loss in the worst 5 % of futures is unbounded"
    if cvar > 0:
        return (f"its average loss in the worst 5 % of futures is {format_usd(cvar, currency)} "
                f"({se_words(se, currency, cvar)})")
    return f"even its worst 5 % of futures save {format_usd(-cvar, currency)} on average ({se_words(se, currency, cvar)})"


def _flip(ru: Any, rec: Any, sweep: tuple[float, float], chars: int | None) -> str:
    volume = ru["flip_queries_per_month"]
    if not _finite(volume):
        return (f"Against {_label(ru, chars)} the choice holds at every volume swept "
                f"({format_volume(sweep[0])}–{format_volume(sweep[1])} queries/month).")
    interval = format_volume_interval(ru["flip_low_queries_per_month"], ru["flip_high_queries_per_month"])
    where = f"{ru['flip_side']} {format_volume(volume)} queries/month (95 % CI {interval})"
    if ru["flip_to"] == ru["strategy"]:
        return f"The choice flips to {_label(ru, chars)} {where}, where its expected cost is the lower one."
    return (f"On average {_label(ru, chars)} costs less at your volume; {_label(rec, chars)} costs less on "
            f"average {where}.")


def _dominated(table: pd.DataFrame, rec: Any, chars: int | None) -> str:
    """Dominated strategies, each named once (in the headline's comparison they are not)."""
    beats_all = _beats_all(table)
    rows = [r for _, r in table.iterrows() if isinstance(r["dominated_by"], str) and r["role"] != "runner-up"
            and not (beats_all and r["dominated_by"] == rec["strategy"])]
    if not rows:
        return ""
    by = (lambda r: cut(r["dominated_by_label"], chars)) if chars else (lambda r: r["dominated_by_label"])
    return " ".join(f"{_label(r, chars)}: beaten by {by(r)} in {format_percent(r['p_dominated'])} of futures "
                    "(dominated)." for r in rows)


# --- the console and the tables ------------------------------------------------------------------------


def pair_facts(table: pd.DataFrame, currency: str = "USD") -> list[tuple[str, str]]:
    """The recommended strategy against the runner-up, one (figure, value with its error) per line:
    for summary.md and the console."""
    rec, ru = _rows(table)
    be = ru["volume_at_50pct"]
    facts = [
        ("expected saving", f"{amount_words(ru['saving_usd'], currency)} on average "
                            f"({se_words(ru['saving_se_usd'], currency, ru['saving_usd'])})"),
        ("P5–P95 of the saving", range_words(ru["saving_p5_usd"], ru["saving_p95_usd"], currency)),
        ("P(loss)", f"costs more in {format_percent(ru['p_loss'])} of futures "
                    f"(95 % CI {format_interval(ru['p_loss_low'], ru['p_loss_high'])})"),
        ("CVaR95", cvar_words(ru["cvar95_loss_usd"], ru["cvar95_loss_se_usd"], currency)),
        ("cheaper in most futures", f"{ru['wins_side']} {format_volume(be)} queries/month (95 % CI "
         f"{format_volume_interval(ru['volume_at_50pct_low'], ru['volume_at_50pct_high'])})" if _finite(be) else
         {"everywhere": "at every volume swept", "nowhere": "at no volume swept"}.get(
             ru["wins_side"], "on no one side of a volume in the sweep")),
        ("median payback", _payback(ru)),
    ]
    volume = ru["flip_queries_per_month"]
    flip = ("none inside the sweep" if not _finite(volume) else
            f"{ru['flip_side']} {format_volume(volume)} queries/month (95 % CI "
            f"{format_volume_interval(ru['flip_low_queries_per_month'], ru['flip_high_queries_per_month'])})")
    return facts + [("the choice flips (their expected costs cross)", flip)]


def _finite(x: Any) -> bool:
    return isinstance(x, float) and math.isfinite(x)


def _payback(row: Any) -> str:
    months = row["payback_p50_months"]
    if months == 0:
        return "from day one"
    interval = format_months_interval(row["payback_p50_low_months"], row["payback_p50_high_months"])
    return f"{format_months(months)} (95 % CI {interval})"


def decision_lines(table: pd.DataFrame, currency: str = "USD") -> list[str]:
    """The console's decision block: each strategy in rank order with its expected NPC ± standard
    error and P(cheapest of all) with its interval, its role or what dominates it; then where the
    recommended strategy is cheaper than the runner-up in most futures and its median payback
    against it (the headline has the rest)."""
    rec, ru = _rows(table)
    rule = "lowest CVaR95 of net present cost" if rec["rule"] == "cvar" else "lowest expected net present cost"
    lines = [f"Decision at {format_volume(rec['queries_per_month'])} queries/month over {int(rec['horizon_months'])} "
             f"months ({rule}; ± standard error; P(cheapest of all) with its 95 % CI):"]
    for _, row in table.iterrows():
        text = (f"  {int(row['rank'])}. {row['label']}: expected NPC "
                f"{format_usd(row['mean_npc_usd'], currency, significant=3)} ± "
                f"{format_usd(_error(row['mean_npc_se_usd'], row['mean_npc_usd']), currency)}; cheapest of all in "
                f"{format_percent(row['p_cheapest'])} "
                f"({format_interval(row['p_cheapest_low'], row['p_cheapest_high'])})")
        if row["role"] in ("recommended", "runner-up"):
            text += f"; {row['role']}"
        if isinstance(row["dominated_by"], str):
            text += f"; beaten by {row['dominated_by_label']} in {format_percent(row['p_dominated'])} of futures"
        lines.append(text)
    facts = dict(pair_facts(table, currency))
    lines.append(f"  {rec['label']} against {ru['label']}: cheaper in most futures "
                 f"{facts['cheaper in most futures']}; median payback {facts['median payback']}")
    return lines


def decision_display(table: pd.DataFrame, currency: str = "USD") -> pd.DataFrame:
    """The decision table as display text (summary.md, the PDF's title page): per strategy its rank,
    expected NPC ± standard error, P(cheapest of all) with its interval, and what dominates it."""
    rows = []
    for _, row in table.iterrows():
        role = {"recommended": "▶ ", "runner-up": ""}.get(row["role"], "")
        rows.append({
            "Rank": str(int(row["rank"])),
            "Strategy": role + str(row["label"]),
            "Expected NPC ± se": f"{format_usd(row['mean_npc_usd'], currency, significant=3)} ± "
                                 f"{format_usd(_error(row['mean_npc_se_usd'], row['mean_npc_usd']), currency)}",
            "P(cheapest) (95 % CI)": f"{format_percent(row['p_cheapest'])} "
                                            f"({format_interval(row['p_cheapest_low'], row['p_cheapest_high'])})",
            "Dominated by": (f"{row['dominated_by_label']} ({format_percent(row['p_dominated'])})"
                             if isinstance(row["dominated_by"], str) else "—"),
        })
    return pd.DataFrame(rows)
