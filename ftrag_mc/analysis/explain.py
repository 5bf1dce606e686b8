"""The deterministic cost breakdown behind a total, for checking against a spreadsheet (``ftrag-mc explain``).

Every uncertain input is set to its median (or, with ``percentile``, each to its own P-quantile),
and the scenario is evaluated once through the model's own entry points (:class:`CostModel` and
:func:`evaluate`, no second model). Three tables come out:

- line items: each strategy's one-time, monthly and per-query amounts by cost component, with the
  months they apply in and their share of the net present cost (NPC);
- months: the cost of every strategy in every month, by component, and its cumulative NPC;
- breakeven: for each challenger, the differences up front, per query and per month, the identity
  that adds them up to ΔNPC, the payback month and the breakeven start volume, in words.

Amounts in the line items are undiscounted, as a spreadsheet would write them; ``npc_usd`` and the
months table are discounted (``discount_factor`` is in the months table). Each line's ``npc_usd``
is its contribution to the strategy's NPC, and the lines of a strategy sum to it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from ftrag_mc.model import calendar
from ftrag_mc.model.components import BY_KEY, COMPONENTS, ITEM_KINDS, replica_detail
from ftrag_mc.model.costs import Context, Part
from ftrag_mc.model.strategy import end_of_life_month
from ftrag_mc.model.evaluate import CostModel, evaluate, input_values, payback_months
from ftrag_mc.formats import format_months, format_volume
from ftrag_mc.formats import format_usd_exact as _money  # exact dollars: a spreadsheet check
from ftrag_mc.scenario import Scenario
from ftrag_mc.simulate import volume_grid

__all__ = ["Explanation", "compute_explain", "explain_values", "describe_explain", "ITEM_COLUMNS", "MONTH_COLUMNS"]

ITEM_COLUMNS = ("strategy", "label", "component", "item", "kind", "amount_usd", "unit", "months", "varies",
                "min_usd", "max_usd", "npc_usd", "share_of_npc", "detail")
MONTH_COLUMNS = ("strategy", "label", "month", "queries", "discount_factor", "month_usd", "cumulative_usd",
                 "delta_vs_baseline_usd")

_UNITS = {"one-time": "USD one-time", "per month": "USD/month", "per event": "USD each time", "per query": "USD/query"}
_SUFFIXES = {"one-time": "", "per month": "/month", "per event": " each", "per query": "/query"}


@dataclass(frozen=True)
class Explanation:
    """What :func:`compute_explain` returns.

    Attributes
    ----------
    items : DataFrame
        One row per line item (:data:`ITEM_COLUMNS`): strategy in scenario order, then component
        in :data:`~ftrag_mc.model.costs.COMPONENTS` order, one-time before monthly before per query.
    months : DataFrame
        One row per strategy and month 0..H (:data:`MONTH_COLUMNS`, then ``<component>_usd`` for
        every component present): month 0 holds the one-time costs; ``month_usd`` and the
        component columns are that month's discounted cost, ``cumulative_usd`` the NPC through it.
    breakeven : DataFrame
        One row per challenger: the differences with the baseline, payback and breakeven figures
        and ``sentence``, the arithmetic in words.
    notes : dict of str to tuple of str
        Per strategy: its launch, interim, end of life and price trend, in words.
    values : dict of str to float
        The value every input was set to.
    percentile : float
        50 for the medians.
    queries_per_month : float
        The start volume evaluated.
    """

    items: pd.DataFrame
    months: pd.DataFrame
    breakeven: pd.DataFrame
    notes: dict[str, tuple[str, ...]]
    values: dict[str, float]
    percentile: float
    queries_per_month: float


def explain_values(scenario: Scenario, percentile: float = 50.0) -> dict[str, float]:
    """Every input at its median (``percentile=50``) or at its own ``percentile``-th percentile.

    Each input is moved to its own quantile, so at P90 a cost and a speed are both at their 90th
    percentile; the total is not the P90 of the total. Constants keep their value.
    """
    if not 0.0 < percentile < 100.0:
        raise ValueError(f"the percentile must lie strictly between 0 and 100 (got {percentile:g})")
    if percentile == 50.0:  # the medians exactly as evaluate() fills them in
        return {name: float(d.median) for name, d in scenario.inputs.items()}
    u = np.array(percentile / 100.0)
    return {name: float(d.median) if d.is_constant else float(d.ppf(u)) for name, d in scenario.inputs.items()}


def compute_explain(scenario: Scenario, *, percentile: float = 50.0, volume: float | None = None,
                    values: dict[str, float] | None = None) -> Explanation:
    """The deterministic breakdown of every strategy's cost at one set of input values.

    Parameters
    ----------
    scenario
        A validated scenario.
    percentile
        50 (the default) sets every uncertain input to its median; another value in (0, 100) sets
        each to its own percentile (:func:`explain_values`).
    volume
        Start volume, queries/month; default the scenario's.
    values
        Input name -> value, overriding ``percentile`` for the inputs given (e.g. one sample of a run).

    Raises
    ------
    ValueError
        For a percentile outside (0, 100), a volume that is not a finite positive number, a value
        that is not finite, or costs that overflow to infinity.
    """
    chosen = explain_values(scenario, percentile)
    chosen.update(values or {})
    q0 = float(scenario.volume.queries_per_month if volume is None else volume)
    if not (math.isfinite(q0) and q0 > 0):
        raise ValueError(f"the volume must be a finite number of queries/month above 0 (got {q0:g})")
    vals, _ = input_values(scenario, chosen)  # checks names and finiteness
    h = scenario.horizon_months
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused just below, in words
        model = CostModel(scenario, vals, 1, components=True)
        ev = evaluate(scenario, vals, volumes=[q0], months=np.arange(h + 1), components=True)
    if not np.all(np.isfinite(ev.npc_usd)):
        raise ValueError(f"the costs overflow at {q0:.3g} queries/month over {format_months(h)} (not finite): "
                         "use a smaller volume or horizon")
    strategies = ev.strategies
    cumulative = {s: ev.npc_usd[0, i, 0] for i, s in enumerate(strategies)}  # (H + 1,)

    rows = [row for s in strategies for row in _items(scenario, model, s, q0, vals, cumulative[s][h])]
    # One-time, then monthly, then per-query lines; components in report order within each.
    rows.sort(key=lambda r: (strategies.index(r["strategy"]), ITEM_KINDS.index(r["kind"])))
    items = pd.DataFrame(rows, columns=list(ITEM_COLUMNS))
    months = _months(scenario, model, ev, q0)
    breakeven = pd.DataFrame([_breakeven(scenario, model, items, cumulative, c, q0) for c in scenario.challengers])
    notes = {s: _notes(scenario, s, vals) for s in strategies}
    return Explanation(items=items, months=months, breakeven=breakeven, notes=notes,
                       values={k: float(v) for k, v in vals.items()}, percentile=float(percentile),
                       queries_per_month=q0)


# --- line items ------------------------------------------------------------------------------------


def _by_month(x, horizon: int) -> np.ndarray:
    """A monthly cost of the model's shapes ((H, 1), (1,) or a scalar, n = 1) as (H,) float64."""
    x = np.asarray(x, dtype=np.float64)
    return np.full(horizon, float(x.reshape(-1)[0])) if x.ndim <= 1 else x[:, 0].copy()


def _item_name(scenario: Scenario, strategy: str, component: str, kind: str) -> str:
    s = scenario.strategies[strategy]
    if component == "interim":
        return f"before launch (interim: {scenario.label(s.interim)})"
    if component == "successor":
        return f"after the platform closes (successor: {scenario.label(s.end_of_life.successor)})"
    return BY_KEY[component].item_name(kind)


def _items(scenario: Scenario, model: CostModel, strategy: str, q0: float, values, npc_total: float) -> list[dict]:
    h = model.horizon
    demand = np.asarray(model.demand(np.asarray(q0)), dtype=np.float64).reshape(h, -1)[:, :1]  # (H, 1)
    rows = []

    def add(component: str, kind: str, part: Part, monthly: np.ndarray | None, detail: str | None = None,
            item: str | None = None) -> None:
        npc = float(model.cumulative(strategy, q0, part=part)[h, 0])
        if kind == "one-time":
            amount, when, varies, low, high = float(np.asarray(part.one_time_usd).reshape(-1)[0]), "t = 0", False, None, None
            if amount == 0.0:
                return
        else:
            if not np.any(monthly):
                return
            amount, when, varies = _describe_months(monthly)
            if kind == "per month" and _is_event(component, monthly):
                kind = "per event"
            nonzero = monthly[monthly != 0]
            low, high = float(nonzero.min()), float(nonzero.max())
        if detail is None:
            detail = _detail(scenario, strategy, component, kind, values)
        rows.append({"strategy": strategy, "label": scenario.label(strategy), "component": component,
                     "item": item or _item_name(scenario, strategy, component, kind), "kind": kind,
                     "amount_usd": amount, "unit": _UNITS[kind], "months": when, "varies": varies,
                     "min_usd": low, "max_usd": high, "npc_usd": npc,
                     "share_of_npc": npc / npc_total if npc_total else math.nan, "detail": detail})

    parts = model.terms[strategy].parts
    for component in COMPONENTS:
        part = parts.get(component)
        if part is None:
            continue
        add(component, "one-time", Part(one_time_usd=part.one_time_usd), None)
        if part.fixed_usd is not None:
            add(component, "per month", Part(fixed_usd=part.fixed_usd), _by_month(part.fixed_usd, h))
        if part.per_query_usd is not None:
            add(component, "per query", Part(per_query_usd=part.per_query_usd), _by_month(part.per_query_usd, h))
        for pool in part.gpu_pools:
            replicas = np.asarray(pool.replicas(demand), dtype=np.float64)[:, 0]
            cost = np.asarray(pool.monthly_usd(demand), dtype=np.float64)[:, 0]
            per_replica = float(np.asarray(pool.usd_per_replica_month).reshape(-1)[0])
            detail = replica_detail(sorted({int(r) for r in replicas}), per_replica, _volume(q0), _money)
            own = BY_KEY[component].items.get("GPU replicas")
            name = own or f"{_item_name(scenario, strategy, component, 'per month')}: GPU replicas"
            add(component, "per month", Part(gpu_pools=(pool,)), cost, detail=detail, item=name)
    return rows


def _is_event(component: str, monthly: np.ndarray) -> bool:
    """A cost paid in some months only (a retrain, a re-index, a migration), not a monthly fee."""
    months = np.flatnonzero(monthly)
    if len(months) == len(monthly):
        return False
    if BY_KEY[component].events_only:  # its monthly part is nothing but events
        return True
    return bool(np.any(np.diff(months) > 1)) and len(np.unique(np.round(monthly[months], 12))) == 1


def _describe_months(monthly: np.ndarray) -> tuple[float, str, bool]:
    """(headline amount, the months it applies in, whether it varies) for a cost by month (H,).

    The headline is the most common non-zero value when it holds in at least half the months that
    cost anything (a launch month paid pro rata is the exception, not the rule); otherwise the
    average over those months (drift, a price trend).
    """
    h = len(monthly)
    nonzero = np.flatnonzero(monthly)
    values = monthly[nonzero]
    key = np.round(values, 12)
    distinct, counts = np.unique(key, return_counts=True)
    varies = len(distinct) > 1
    common = distinct[np.argmax(counts)]
    headline = float(values[key == common][0]) if counts.max() * 2 >= len(values) else float(values.mean())
    months = nonzero + 1
    if not varies:
        if len(months) == h:
            return headline, f"months 1-{h}" if h > 1 else "month 1", False
        if np.all(np.diff(months) == 1):
            return headline, _span(months[0], months[-1]), False
        return headline, _month_list(months), False
    runs = _runs(monthly)
    if len(runs) <= 4:
        return headline, "; ".join(f"{_span(a, b)}: {_money(v)}" for a, b, v in runs), True
    first, last = months[0], months[-1]
    span = _span(first, last) if len(months) == last - first + 1 else _month_list(months)
    start, end = _money(monthly[first - 1]), _money(monthly[last - 1])
    if start == end:  # the change is below the precision shown
        return headline, f"{span}: about {start}, changing slightly month by month", True
    return headline, (f"{start} in month {first} to {end} in month {last}, changing month by month "
                      f"(average {_money(values.mean())})"), True


def _runs(monthly: np.ndarray) -> list[tuple[int, int, float]]:
    """Runs of equal values over months 1..H: (first month, last month, value)."""
    runs = []
    for t, v in enumerate(monthly, start=1):
        if runs and np.isclose(runs[-1][2], v, rtol=1e-12, atol=0):
            runs[-1] = (runs[-1][0], t, runs[-1][2])
        else:
            runs.append((t, t, float(v)))
    return runs


def _span(a: int, b: int) -> str:
    return f"month {a}" if a == b else f"months {a}-{b}"


def _month_list(months: np.ndarray) -> str:
    listed = ", ".join(str(m) for m in months[:4]) if len(months) <= 5 else \
        ", ".join(str(m) for m in months[:3]) + f", ..., {months[-1]}"
    return f"months {listed} ({len(months)} times)"


def _detail(scenario: Scenario, strategy: str, component: str, kind: str, values) -> str:
    """The inputs behind a line, in words, for a spreadsheet (the component's own ``detail``);
    the amount itself is the model's."""
    describe = BY_KEY[component].detail
    if describe is None:
        return ""
    c = Context(values=values, scenario=scenario, n=1, active=1.0, launched=1.0, prices=1.0)
    return describe(scenario.strategies[strategy], kind, c)


# --- months ---------------------------------------------------------------------------------------


def _months(scenario: Scenario, model: CostModel, ev, q0: float) -> pd.DataFrame:
    h = scenario.horizon_months
    t = np.arange(h + 1)
    queries = np.concatenate([[0.0], np.asarray(model.demand(np.asarray(q0)), dtype=np.float64).reshape(h, -1)[:, 0]])
    discount = np.concatenate([[1.0], np.asarray(model.discount, dtype=np.float64)[:, 0]])
    base = ev.strategies.index(scenario.baseline)
    frames = []
    for i, s in enumerate(ev.strategies):
        cum = ev.npc_usd[0, i, 0]
        frame = pd.DataFrame({"strategy": s, "label": scenario.label(s), "month": t, "queries": queries,
                              "discount_factor": discount, "month_usd": _per_month(cum), "cumulative_usd": cum,
                              "delta_vs_baseline_usd": cum - ev.npc_usd[0, base, 0]})
        for name, split in (ev.components or {}).items():
            frame[f"{name}_usd"] = _per_month(split[0, i, 0])
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _per_month(cum: np.ndarray) -> np.ndarray:
    return np.concatenate([cum[:1], np.diff(cum)])


# --- breakeven --------------------------------------------------------------------------------------


def _breakeven(scenario: Scenario, model: CostModel, items: pd.DataFrame, cumulative: dict, challenger: str,
               q0: float) -> dict:
    h = scenario.horizon_months
    base = scenario.baseline
    # Discounted queries and months over the horizon: what a per-query and a monthly difference
    # are multiplied by to add up to ΔNPC.
    queries = float(model.cumulative(base, q0, part=Part(per_query_usd=1.0))[h, 0])
    months = float(model.cumulative(base, q0, part=Part(fixed_usd=1.0))[h, 0])

    def npc_of(strategy: str, kind: str) -> float:
        rows = items[(items.strategy == strategy) & (items.kind == kind)]
        return float(rows.npc_usd.sum())

    up_front = float(cumulative[challenger][0] - cumulative[base][0])
    per_query = (npc_of(challenger, "per query") - npc_of(base, "per query")) / queries
    # Events (retrains, a migration) are recurring costs too: they count in the monthly average.
    recurring = lambda s: npc_of(s, "per month") + npc_of(s, "per event")  # noqa: E731
    per_month = (recurring(challenger) - recurring(base)) / months
    delta = float(cumulative[challenger][h] - cumulative[base][h])
    payback = float(payback_months((cumulative[challenger] - cumulative[base])[:, None])[0])
    volume, direction = _breakeven_volume(scenario, model, challenger, base)
    row = {"challenger": challenger, "label": scenario.label(challenger), "baseline": base,
           "baseline_label": scenario.label(base), "horizon_months": h, "queries_per_month": q0,
           "up_front_delta_usd": up_front, "per_query_delta_usd": per_query, "per_month_delta_usd": per_month,
           "discounted_queries": queries, "discounted_months": months, "delta_npc_usd": delta,
           "payback_months": payback, "breakeven_queries_per_month": volume, "breakeven_direction": direction}
    row["sentence"] = _sentence(row)
    row["arithmetic"] = _arithmetic(row)
    return row


def _breakeven_volume(scenario: Scenario, model: CostModel, challenger: str, base: str) -> tuple[float, str]:
    """The start volume where ΔNPC over the horizon crosses zero, and on which side the challenger wins.

    Direction: ``above`` (wins above the volume), ``below``, ``always`` or ``never``; the volume is
    NaN for the last two. Affine costs: -Δfixed / Δslope, exact at any volume. Otherwise (GPU
    replicas, a ceiling): the lowest crossing on the sweep's grid, refined by Brent's method.
    """
    h = scenario.horizon_months
    month = np.array([h])
    if model.is_affine:
        a = float((model.fixed_at(challenger, month) - model.fixed_at(base, month)).reshape(-1)[0])
        b = float((model.slope_at(challenger, month) - model.slope_at(base, month)).reshape(-1)[0])
        if b == 0.0:
            return math.nan, "always" if a < 0 else "never"
        crossing = -a / b
        if crossing <= 0:
            return math.nan, "always" if b < 0 else "never"
        return crossing, "above" if b < 0 else "below"
    grid = volume_grid(scenario)
    delta = model.npc_function(challenger, h, np.arange(1), minus=base)
    signs = np.array([float(delta(np.array([q]))[0]) for q in grid])
    wins = signs < 0
    if wins.all():
        return math.nan, "always"
    if not wins.any():
        return math.nan, "never"
    j = int(np.argmax(wins != wins[0]))  # the first change of side on the grid
    crossing = brentq(lambda x: float(delta(np.array([math.exp(x)]))[0]), math.log(grid[j - 1]), math.log(grid[j]),
                      xtol=1e-10)
    return math.exp(crossing), "above" if not wins[0] else "below"


def _volume(q: float) -> str:
    """A volume as people say it ("250k"); an absurd one in scientific notation."""
    return format_volume(q) if q < 1e15 else f"{q:.3g}"


def _count(x: float) -> str:
    return f"{x:,.0f}" if abs(x) < 1e15 else f"{x:.3e}"


def _more_less(x: float, what: str) -> str:
    if abs(x) < 1e-12:
        return f"the same {what}"
    return f"{_money(abs(x))} {'more' if x > 0 else 'less'} {what}"


def _signed(x: float) -> str:
    return f"- {_money(-x)}" if x < 0 else f"+ {_money(x)}"


def _sentence(r: dict) -> str:
    """The breakeven arithmetic in words, e.g. "Fine-tuned Haiku costs $3,900 more up front and
    $0.00141 less per query than ...: at 250k queries/month it pays back in month 7; ..."."""
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
        when = f"it pays back in month {max(1, math.ceil(payback - 1e-9))} (after {format_months(payback)})"
    volume, direction = r["breakeven_queries_per_month"], r["breakeven_direction"]
    over = format_months(h)
    be = {"above": f"breakeven volume {_count(volume)} queries/month over {over} (cheaper above it)",
          "below": f"breakeven volume {_count(volume)} queries/month over {over} (cheaper below it)",
          "always": f"cheaper over {over} at every start volume",
          "never": f"not cheaper over {over} at any start volume"}[direction]
    return (f"{r['label']} costs {costs} than {r['baseline_label']}: at {_volume(r['queries_per_month'])} "
            f"queries/month {when}; {be}.")


def _arithmetic(r: dict) -> str:
    """How the differences add up to ΔNPC, with the discounted queries and months they multiply."""
    return (f"Per query and per month are averages over the {format_months(r['horizon_months'])} at "
            f"{_volume(r['queries_per_month'])} queries/month at the start ({_count(r['discounted_queries'])} queries "
            f"and {r['discounted_months']:,.4g} months, discounted): ΔNPC = {_money(r['up_front_delta_usd'])} "
            f"{_signed(r['per_query_delta_usd'])} x {_count(r['discounted_queries'])} {_signed(r['per_month_delta_usd'])} "
            f"x {r['discounted_months']:,.4g} = {_money(r['delta_npc_usd'])}.")


# --- notes -------------------------------------------------------------------------------------------


def _notes(scenario: Scenario, strategy: str, values) -> tuple[str, ...]:
    s = scenario.strategies[strategy]
    h = scenario.horizon_months
    notes = []
    weeks = float(values[s.launch_weeks.name])
    if weeks > 0:
        months = weeks / calendar.WEEKS_PER_MONTH
        served = (f"{scenario.label(s.interim)} serves the queries until then (its monthly and per-query costs, "
                  "pro rata: the 'before launch' lines)" if s.interim is not None else
                  "nothing is served until then and those queries cost nothing here (no interim strategy"
                  + (", but a delay cost is counted)" if float(values[s.delay_cost_usd_per_month.name]) else
                     " and no delay cost: give one, or a later launch looks cheaper)"))
        notes.append(f"launches after {weeks:.3g} week{'' if weeks == 1 else 's'} ({months:.3g} months): its monthly and per-query costs "
                     f"start pro rata in month {math.ceil(months - 1e-9) or 1}; {served}")
    if s.end_of_life is not None:
        eol = s.end_of_life
        month = float(np.asarray(end_of_life_month(eol, values)).reshape(-1)[0])
        how = "" if eol.month is not None else \
            f" (a {float(values[eol.probability_per_year.name]):.3g} chance a year; this is the closing date at " \
            "the chosen percentile)"
        if month <= h:
            notes.append(f"its platform closes in month {month:.0f}{how}: from then on "
                         f"{scenario.label(eol.successor)}'s monthly and per-query costs apply, and the migration "
                         "is paid in that month")
        else:
            notes.append(f"its platform closes in month {month:,.0f}, after the horizon{how}")
    decline = float(values[s.price_decline_per_year.name])
    if decline:
        notes.append(f"token prices fall {100 * decline:.3g} % a year, so token lines change month by month")
    return tuple(notes)


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
    """The explanation as terminal lines: a table of line items per strategy, cumulative NPC by
    month, and the breakeven arithmetic of each challenger."""
    h = scenario.horizon_months
    at = "every uncertain input at its median" if ex.percentile == 50 else \
        f"every uncertain input at its own P{ex.percentile:g} (not the P{ex.percentile:g} of the total)"
    rate = float(ex.values[scenario.meta.discount_rate_per_year.name])
    lines = [f"{scenario.title}: {at}; {_volume(ex.queries_per_month)} queries/month at the start, "
             f"{format_months(h)}, {'no discounting' if rate == 0 else f'discounted at {100 * rate:.3g} % a year'}.",
             "Amounts are undiscounted; 'NPC' is each line's share of the net present cost through month "
             f"{h}."]
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
        lines += [f"  note: {n}" for n in ex.notes[s]]
    shown = _shown_months(h)
    labels = [scenario.label(s) for s in scenario.strategies]
    body = []
    for m in shown:
        row = [str(m)]
        for s in scenario.strategies:
            cum = ex.months[(ex.months.strategy == s) & (ex.months.month == m)].cumulative_usd.iloc[0]
            row.append(_money(float(cum)))
        body.append(row)
    lines += ["", f"Cumulative NPC by month at {_volume(ex.queries_per_month)} queries/month"
              + ("" if len(shown) == h + 1 else " (some months; explain_months.csv has all)")]
    lines += ["  " + x for x in _table(["month", *labels], body, right=set(range(len(labels) + 1)))]
    if len(ex.breakeven):
        lines += ["", "Breakeven arithmetic"]
        for r in ex.breakeven.itertuples():
            lines += [f"  {r.sentence}", f"    {r.arithmetic}"]
    return lines
