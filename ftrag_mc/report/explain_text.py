"""``ftrag-mc explain`` in words: each challenger's breakeven arithmetic as a sentence, each
strategy's timeline as notes, and the terminal tables.

The numbers are :func:`ftrag_mc.analysis.explain.compute_explain`'s. Money is exact to the dollar
(:func:`ftrag_mc.formats.format_usd_exact`): the output is for checking against a spreadsheet.
"""

from __future__ import annotations

import math

import pandas as pd

from ftrag_mc.analysis.explain import Explanation
from ftrag_mc.formats import format_count, format_count_compact, format_months, format_volume_any
from ftrag_mc.formats import format_usd_exact as _money
from ftrag_mc.scenario import Scenario

__all__ = ["add_breakeven_words", "breakeven_arithmetic", "breakeven_sentence", "describe_explain", "explain_notes"]

_SUFFIXES = {"one-time": "", "per month": "/month", "per event": " each", "per query": "/query"}


# --- breakeven -----------------------------------------------------------------------------------


def _more_less(x: float, what: str) -> str:
    if abs(x) < 1e-12:
        return f"the same {what}"
    return f"{_money(abs(x))} {'more' if x > 0 else 'less'} {what}"


def _signed(x: float) -> str:
    return f"- {_money(-x)}" if x < 0 else f"+ {_money(x)}"


def breakeven_sentence(r) -> str:
    """The breakeven arithmetic in words, e.g. "Fine-tuned Haiku costs $3,900 more up front and
    $0.00141 less per query than ...: at 250k queries/month it pays back in month 7; ...".

    Parameters
    ----------
    r
        A row of :attr:`Explanation.breakeven <ftrag_mc.analysis.explain.Explanation>` (a mapping
        or a Series).
    """
    h = r["horizon_months"]
    parts = [_more_less(r["up_front_delta_usd"], "up front"), _more_less(r["per_query_delta_usd"], "per query")]
    if abs(r["per_month_delta_usd"]) >= 1e-12:
        parts.append(_more_less(r["per_month_delta_usd"], "per month"))
    costs = ", ".join(parts[:-1]) + " and " + parts[-1]
    payback = r["payback_months"]
    if payback == 0:
        when = "it is cheaper from day one"
    elif math.isinf(payback):
        when = f"it does not pay back within {format_months(h)}"
    else:
        when = (f"it pays back in month {max(1, math.ceil(payback - 1e-9))} (after {format_months(payback)}, "
                f"{format_count_compact(r['payback_queries'])} calls)")
    volume, direction = r["breakeven_queries_per_month"], r["breakeven_direction"]
    over = format_months(h)
    be = {"above": f"breakeven volume {format_count(volume)} queries/month over {over} (cheaper above it)",
          "below": f"breakeven volume {format_count(volume)} queries/month over {over} (cheaper below it)",
          "always": f"cheaper over {over} at every start volume",
          "never": f"not cheaper over {over} at any start volume"}[direction]
    return (f"{r['label']} costs {costs} than {r['baseline_label']}: at {format_volume_any(r['queries_per_month'])} "
            f"queries/month {when}; {be}.")


def breakeven_arithmetic(r) -> str:
    """How the differences add up to ΔNPC, with the discounted queries and months they multiply
    and each product in brackets (``r`` as for :func:`breakeven_sentence`): the per-query amount is
    shown to three figures, so its product is given too, and the three terms add up to ΔNPC."""
    queries, months = r["discounted_queries"], r["discounted_months"]
    per_query, per_month = r["per_query_delta_usd"], r["per_month_delta_usd"]
    return (f"Per query and per month are averages over the {format_months(r['horizon_months'])} at "
            f"{format_volume_any(r['queries_per_month'])} queries/month at the start "
            f"({format_count(queries)} queries and {months:,.4g} months, discounted): "
            f"ΔNPC = {_money(r['up_front_delta_usd'])} {_signed(per_query)} x {format_count(queries)} "
            f"({_money(abs(per_query) * queries)}) {_signed(per_month)} x {months:,.4g} ({_money(abs(per_month) * months)}) "
            f"= {_money(r['delta_npc_usd'])}.")


def add_breakeven_words(breakeven: pd.DataFrame) -> pd.DataFrame:
    """The breakeven frame as ``explain_breakeven.csv`` has it: with ``sentence``
    (:func:`breakeven_sentence`) and ``arithmetic`` (:func:`breakeven_arithmetic`) last."""
    rows = [row for _, row in breakeven.iterrows()]
    return breakeven.assign(sentence=[breakeven_sentence(r) for r in rows],
                            arithmetic=[breakeven_arithmetic(r) for r in rows])


# --- notes ---------------------------------------------------------------------------------------


def _notes(scenario: Scenario, t, horizon: int) -> tuple[str, ...]:
    """One strategy's launch, end of life and price trend, from its row of the timeline."""
    notes = []
    weeks, months = t["launch_weeks"], t["launch_months"]
    if weeks > 0:
        served = (f"{scenario.label(t['interim'])} serves the queries until then (its monthly and per-query costs, "
                  "pro rata: the 'before launch' lines)" if not pd.isna(t["interim"]) else
                  "nothing is served until then and those queries cost nothing here (no interim strategy"
                  + (", but a delay cost is counted)" if t["delay_cost_usd_per_month"] else
                     " and no delay cost: give one, or a later launch looks cheaper)"))
        notes.append(f"launches after {weeks:.3g} week{'' if weeks == 1 else 's'} ({months:.3g} months): its monthly "
                     f"and per-query costs start pro rata in month {t['launch_month']}; {served}")
    if not pd.isna(t["successor"]):
        month, p = t["end_of_life_month"], t["end_of_life_probability_per_year"]
        how = "" if math.isnan(p) else \
            f" (a {p:.3g} chance a year; this is the closing date at the chosen percentile)"
        if month <= horizon:
            notes.append(f"its platform closes in month {month:.0f}{how}: from then on "
                         f"{scenario.label(t['successor'])}'s monthly and per-query costs apply, and the migration "
                         "is paid in that month")
        else:
            notes.append(f"its platform closes in month {month:,.0f}, after the horizon{how}")
    decline = t["price_decline_per_year"]
    if decline:
        notes.append(f"token prices fall {100 * decline:.3g} % a year, so token lines change month by month")
    if not pd.isna(t["start"]):
        notes.append(_switch_note(scenario, t, horizon))
    return tuple(notes)


def _switch_note(scenario: Scenario, t, horizon: int) -> str:
    """A staged strategy: when it switches in this future, and what that means for its lines."""
    start, switch, tau = scenario.label(t["start"]), scenario.label(t["switch_to"]), t["switch_after_month"]
    if math.isinf(tau):
        return (f"starts on {start} and does not switch to {switch} within {format_months(horizon)} here: "
                f"{start}'s costs throughout")
    when = "at once (t = 0)" if tau == 0 else f"at the end of month {tau:.0f}"
    return (f"starts on {start} and switches to {switch} {when}: {switch}'s one-time costs then, its launch delay, "
            f"retrains and drift counted from then; {start} serves until {switch} launches (the 'before the switch' "
            "lines)")


def explain_notes(ex: Explanation, scenario: Scenario) -> dict[str, tuple[str, ...]]:
    """Per strategy, its :attr:`timeline <ftrag_mc.analysis.explain.Explanation>` in words: when
    it launches and what serves before, when its platform closes, how its token prices move."""
    return {t["strategy"]: _notes(scenario, t, scenario.horizon_months) for _, t in ex.timeline.iterrows()}


# --- terminal text -------------------------------------------------------------------------------


def _table(header: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells):
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    return [line(header), *[line(r) for r in rows]]


def _shown_months(horizon: int) -> list[int]:
    if horizon <= 36:
        return list(range(horizon + 1))
    return sorted({0, 1, 2, 3, 6, 9, *range(12, horizon + 1, 12), horizon})


def describe_explain(ex: Explanation, scenario: Scenario) -> list[str]:
    """The explanation as terminal lines: a table of line items per strategy with its notes,
    cumulative NPC by month, and the breakeven arithmetic of each challenger."""
    h = scenario.horizon_months
    at = "every uncertain input at its median" if ex.percentile == 50 else \
        f"every uncertain input at its own P{ex.percentile:g} (not the P{ex.percentile:g} of the total)"
    rate = float(ex.values[scenario.meta.discount_rate_per_year.name])
    lines = [f"{scenario.title}: {at}; {format_volume_any(ex.queries_per_month)} queries/month at the start, "
             f"{format_months(h)}, {'no discounting' if rate == 0 else f'discounted at {100 * rate:.3g} % a year'}.",
             "Amounts are undiscounted; 'NPC' is each line's share of the net present cost through month "
             f"{h}."]
    notes = explain_notes(ex, scenario)
    for s in scenario.strategies:
        rows = ex.items[ex.items.strategy == s]
        total = float(ex.months[(ex.months.strategy == s) & (ex.months.month == h)].cumulative_usd.iloc[0])
        role = " (baseline)" if s == scenario.baseline else ""
        lines += ["", f"{scenario.label(s)}{role}: NPC {_money(total)} over {format_months(h)}"]
        body = [[r.kind, r.item, _money(r.amount_usd) + _SUFFIXES[r.kind],
                 r.months, _money(r.npc_usd)] for r in rows.itertuples()]
        lines += ["  " + x for x in _table(["", "item", "amount", "when", "NPC"], body, right={2, 4})] if body else \
            ["  no costs"]
        lines += ["  " + x for x in
                  [f"{r.item}: {r.detail}" for r in rows.itertuples() if r.detail]]
        lines += [f"  note: {n}" for n in notes[s]]
    shown = _shown_months(h)
    labels = [scenario.label(s) for s in scenario.strategies]
    body = []
    for m in shown:
        row = [str(m)]
        for s in scenario.strategies:
            cum = ex.months[(ex.months.strategy == s) & (ex.months.month == m)].cumulative_usd.iloc[0]
            row.append(_money(float(cum)))
        body.append(row)
    lines += ["", f"Cumulative NPC by month at {format_volume_any(ex.queries_per_month)} queries/month"
              + ("" if len(shown) == h + 1 else " (some months; explain_months.csv has all)")]
    lines += ["  " + x for x in _table(["month", *labels], body, right=set(range(len(labels) + 1)))]
    if len(ex.breakeven):
        lines += ["", "Breakeven arithmetic"]
        for _, r in ex.breakeven.iterrows():
            lines += [f"  {breakeven_sentence(r)}", f"    {breakeven_arithmetic(r)}"]
    return lines
