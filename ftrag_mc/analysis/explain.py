"""The deterministic cost breakdown behind a total, for checking against a spreadsheet (``ftrag-mc explain``).

Every uncertain input is set to its median (or, with ``percentile``, each to its own P-quantile),
and the scenario is evaluated once through the model's own entry points (:class:`CostModel` and
:func:`evaluate`, no second model). Three tables come out:

- line items: each strategy's one-time, monthly and per-query amounts by cost component, with the
  months they apply in and their share of the net present cost (NPC);
- months: the cost of every strategy in every month, by component, and its cumulative NPC;
- breakeven: for each challenger, the differences up front, per query and per month, the
  discounted queries and months that add them up to ΔNPC, the payback month and the breakeven
  start volume;
- timeline: each strategy's launch, interim, end of life and price trend.

The tables' words are labels (an item's name, the months it applies in, the inputs behind it);
the sentences and terminal tables that say all this are the report's
(:mod:`ftrag_mc.report.explain_text`).

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
from ftrag_mc.model.staged import is_staged, month_trigger_tau
from ftrag_mc.model.strategy import end_of_life_month, switch_months
from ftrag_mc.model.evaluate import CostModel, evaluate, input_values, payback_months
from ftrag_mc.formats import format_months, format_volume_any
from ftrag_mc.formats import format_usd_exact as _money  # exact dollars: a spreadsheet check
from ftrag_mc.scenario import Scenario
from ftrag_mc.simulate import volume_grid

__all__ = ["Explanation", "compute_explain", "explain_values", "BREAKEVEN_COLUMNS", "ITEM_COLUMNS", "MONTH_COLUMNS",
           "TIMELINE_COLUMNS"]

ITEM_COLUMNS = ("strategy", "label", "component", "item", "kind", "amount_usd", "unit", "months", "varies",
                "min_usd", "max_usd", "npc_usd", "share_of_npc", "detail")
MONTH_COLUMNS = ("strategy", "label", "month", "queries", "discount_factor", "month_usd", "cumulative_usd",
                 "delta_vs_baseline_usd")
BREAKEVEN_COLUMNS = ("challenger", "label", "baseline", "baseline_label", "horizon_months", "queries_per_month",
                     "up_front_delta_usd", "per_query_delta_usd", "per_month_delta_usd", "discounted_queries",
                     "discounted_months", "delta_npc_usd", "payback_months", "breakeven_queries_per_month",
                     "breakeven_direction")
TIMELINE_COLUMNS = ("strategy", "label", "launch_weeks", "launch_months", "launch_month", "interim",
                    "delay_cost_usd_per_month", "end_of_life_month", "end_of_life_probability_per_year", "successor",
                    "price_decline_per_year", "start", "switch_to", "switch_after_month")

_UNITS = {"one-time": "USD one-time", "per month": "USD/month", "per event": "USD each time", "per query": "USD/query"}


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
        One row per challenger (:data:`BREAKEVEN_COLUMNS`): the differences with the baseline up
        front (USD), per query (USD/query) and per month (USD/month), the last two averages over the
        horizon that, times ``discounted_queries`` and ``discounted_months``, add up to
        ``delta_npc_usd`` with the first; ``payback_months`` (0: from day one, inf: not within the
        horizon) and ``breakeven_queries_per_month`` with ``breakeven_direction`` (``above``: the
        challenger wins above that start volume; ``below``; ``always`` and ``never`` with NaN).
    timeline : DataFrame
        One row per strategy (:data:`TIMELINE_COLUMNS`): ``launch_weeks`` and ``launch_months``
        before it serves, ``launch_month`` (the first month its costs are paid, pro rata),
        ``interim`` (the strategy serving until then; missing without one), ``delay_cost_usd_per_month``,
        ``end_of_life_month`` (the month its platform closes at these values; NaN without an end of
        life, inf for never), ``end_of_life_probability_per_year`` (NaN for a fixed month),
        ``successor`` (missing without an end of life), ``price_decline_per_year``.
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
    timeline: pd.DataFrame
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
    breakeven = pd.DataFrame([_breakeven(scenario, model, items, cumulative, c, q0) for c in scenario.challengers],
                             columns=list(BREAKEVEN_COLUMNS))
    timeline = pd.DataFrame([_timeline(scenario, s, vals) | _stages(scenario, model, s, q0) for s in strategies],
                            columns=list(TIMELINE_COLUMNS))
    return Explanation(items=items, months=months, breakeven=breakeven, timeline=timeline,
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
        return f"after the platform closes (successor: {scenario.label(_priced(scenario, strategy).end_of_life.successor)})"
    if component == "start":
        return f"before the switch (start: {scenario.label(s.start)})"
    return BY_KEY[component].item_name(kind)


def _priced(scenario: Scenario, strategy: str):
    """The record whose components ``strategy``'s lines price: its own, or a staged one's switch_to."""
    s = scenario.strategies[strategy]
    return scenario.strategies[s.switch_to] if is_staged(s) else s


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

    parts = model.terms_at(strategy, q0).parts
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
            detail = replica_detail(sorted({int(r) for r in replicas}), per_replica, format_volume_any(q0), _money)
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
    return describe(_priced(scenario, strategy), kind, c)


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
    return {"challenger": challenger, "label": scenario.label(challenger), "baseline": base,
            "baseline_label": scenario.label(base), "horizon_months": h, "queries_per_month": q0,
            "up_front_delta_usd": up_front, "per_query_delta_usd": per_query, "per_month_delta_usd": per_month,
            "discounted_queries": queries, "discounted_months": months, "delta_npc_usd": delta,
            "payback_months": payback, "breakeven_queries_per_month": volume, "breakeven_direction": direction}


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


# --- timeline ----------------------------------------------------------------------------------------


def _timeline(scenario: Scenario, strategy: str, values) -> dict:
    """When a strategy serves and what changes over the horizon, at these input values."""
    s = scenario.strategies[strategy]
    weeks = float(values[s.launch_weeks.name])
    months = weeks / calendar.WEEKS_PER_MONTH
    eol = s.end_of_life
    closes = math.nan if eol is None else float(np.asarray(end_of_life_month(eol, values)).reshape(-1)[0])
    return {"strategy": strategy, "label": scenario.label(strategy), "launch_weeks": weeks, "launch_months": months,
            "launch_month": max(math.ceil(months - 1e-9), 1), "interim": s.interim,
            "delay_cost_usd_per_month": float(values[s.delay_cost_usd_per_month.name]),
            "end_of_life_month": closes,
            "end_of_life_probability_per_year": (float(values[eol.probability_per_year.name])
                                                 if eol is not None and eol.month is None else math.nan),
            "successor": eol.successor if eol is not None else None,
            "price_decline_per_year": float(values[s.price_decline_per_year.name])}


def _stages(scenario: Scenario, model: CostModel, strategy: str, q0: float) -> dict:
    """A staged strategy's stages and the month after which it switches in this future (its
    decision time τ; inf: not within the horizon); None and NaN for any other strategy."""
    s = scenario.strategies[strategy]
    if not is_staged(s):
        return {"start": None, "switch_to": None, "switch_after_month": math.nan}
    if s.trigger.month is not None:
        tau = month_trigger_tau(s.trigger, model.values, model.horizon)
    else:
        tau = model.staged[strategy].decision_months(q0)
    tau = float(np.asarray(switch_months(scenario, s, model.values, tau)).reshape(-1)[0])
    return {"start": s.start, "switch_to": s.switch_to,
            "switch_after_month": math.inf if tau >= model.horizon else tau}
