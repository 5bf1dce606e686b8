"""A strategy: its scenario table, and its cost terms as the sum of its components.

:data:`Strategy` is the record of ``[strategies.<name>]``: its own keys (label, launch delay, price
trend, interim, other costs) and one optional section per component of the registry
(:data:`ftrag_mc.model.components.SECTIONS`), then ``end_of_life``. It is generated from the
registry, so a new component is a new table with nothing to add here.

:func:`build_cost_terms` turns sampled input values into every strategy's :class:`CostTerms`:
each component's part (:func:`own_cost_terms`), the interim strategy's costs before launch
(:func:`with_interim`) and the successor's after a platform closes (:func:`with_end_of_life`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, make_dataclass, replace
from typing import Any, Mapping

import numpy as np

from ftrag_mc.distributions import parse_distribution
from ftrag_mc.errors import ScenarioError
from ftrag_mc.limits import MAX_MONTHS, MAX_USD, MAX_WEEKS
from ftrag_mc.model import calendar
from ftrag_mc.model.components import SECTIONS, priced_in_order
from ftrag_mc.model.costs import Context, CostTerms, Part
from ftrag_mc.model.staged import (
    STAGED_KEYS, Trigger, check_staged_record, commit_now, compose, is_staged, month_trigger_tau, volume_triggered,
)
from ftrag_mc.schema import Quantity, Registry, quantity, section, text

__all__ = ["EndOfLife", "Strategy", "own_cost_terms", "with_interim", "end_of_life_month", "with_end_of_life",
           "build_cost_terms", "components_needing_team", "staged_cost_terms", "switch_months"]


@dataclass(frozen=True, kw_only=True)
class EndOfLife:
    """The platform closes: migrate to a successor strategy."""

    month: Quantity | None = quantity("month the platform closes (fractional months round up)", unit="months", default=None, hi=MAX_MONTHS, words="platform closing month")
    probability_per_year: Quantity | None = quantity("or: chance per year that the platform closes", unit="fraction", default=None, hi=1, words="yearly chance the platform closes")
    migration_usd: Quantity = quantity("one-time cost to move: re-curation, re-training, re-evaluation", unit="USD", default=0, hi=MAX_USD, words="migration cost")
    successor: str = text("strategy whose monthly costs apply from the closing month on")
    # An Exp(1) draw, registered when probability_per_year is given (not a key of the table).
    event: Quantity | None = field(default=None, metadata={"words": "platform closing date"})

    def validate(self, path: str, registry: Registry) -> None:
        if (self.month is None) == (self.probability_per_year is None):
            raise ScenarioError("give exactly one of month or probability_per_year", path=path)
        if self.probability_per_year is not None:
            event = registry.add(f"{path}.event", parse_distribution({"dist": "exponential", "mean": 1.0}, f"{path}.event"))
            object.__setattr__(self, "event", event)


@dataclass(frozen=True, kw_only=True)
class _OwnKeys:
    """The keys of a strategy that belong to no component."""

    label: str | None = text("name on charts; default: the strategy key", default=None)
    launch_weeks: Quantity = quantity("weeks from t = 0 until it serves (article: RAG ~1, fine-tune 3-6); see Launch delay below", unit="weeks", default=0, hi=MAX_WEEKS, words="launch time")
    delay_cost_usd_per_month: Quantity = quantity("value forgone per month before launch, pro rata", unit="USD/month", default=0, hi=MAX_USD, words="monthly cost of delay")
    interim: str | None = text("strategy that serves the queries until this one launches (e.g. the incumbent): its "
                               "monthly and per-query costs apply, pro rata, before launch; its one-time costs do not", default=None)
    price_decline_per_year: Quantity = quantity("yearly fall of token prices: LLM input and output (a tuned premium stays a share of the falling price), cache, embeddings per query and at re-indexes, frontier re-runs; month t pays (1 - d)^((t - 1) / 12) of today's price. Not the hosting fee, GPUs, vector store, training, labour or quality", unit="fraction", default=0, hi=0.99, words="yearly price decline")
    one_time_usd: Quantity = quantity("any other one-time cost at t = 0", unit="USD", default=0, hi=MAX_USD, words="other one-time cost")
    fixed_usd_per_month: Quantity = quantity("any other fixed monthly cost once launched", unit="USD/month", default=0, hi=MAX_USD, words="other fixed monthly cost")
    per_query_usd: Quantity = quantity("back-of-envelope cost per call, instead of (or on top of) llm tokens and prices: the "
                                       "article's '$0.0018 per call'; falls with price_decline_per_year like a token price",
                                       unit="USD/query", default=0, hi=MAX_USD, words="cost per call")
    start: str | None = text("a staged strategy: the strategy that serves from month 1 until the switch (with switch_to "
                             "and trigger, and no other key but label; see Staged strategies below)", default=None)
    switch_to: str | None = text("a staged strategy: the strategy adopted when the trigger fires", default=None)
    trigger: Trigger | None = section(Trigger, "a staged strategy's trigger: a volume held for some months, or a month")

    def validate(self, path: str, registry: Registry) -> None:
        """A component's presence may need another's (caching needs the LLM calls it caches); a
        staged strategy holds nothing but its stages."""
        check_staged_record(self, path, tuple(f.name for f in fields(self) if f.name not in STAGED_KEYS))
        for component in SECTIONS:
            if getattr(self, component.key) is not None and component.check is not None:
                problem = component.check(self)
                if problem:
                    raise ScenarioError(problem, path=f"{path}.{component.key}")


#: The record of ``[strategies.<name>]``: :class:`_OwnKeys`, then one optional table per component
#: of the registry, then ``end_of_life``.
Strategy = make_dataclass(
    "Strategy",
    [(c.key, f"{c.record.__name__} | None", section(c.record, c.doc)) for c in SECTIONS]
    + [("end_of_life", "EndOfLife | None", section(EndOfLife, "platform closing and migration"))],
    bases=(_OwnKeys,), frozen=True, kw_only=True,
    namespace={"__doc__": "One way to serve the workload: a sum of cost components.", "__module__": __name__})


def components_needing_team(strategy: Any) -> list[str]:
    """The components of ``strategy`` that price engineering time (so need ``[team]``)."""
    return [c.key for c in SECTIONS
            if c.needs_team is not None and getattr(strategy, c.key) is not None and c.needs_team(getattr(strategy, c.key))]


# --- cost terms -------------------------------------------------------------------------------------


def own_cost_terms(strategy: Any, values: Mapping[str, np.ndarray | float], scenario: Any, n: int, *,
                   start_months: np.ndarray | float = 0.0) -> CostTerms:
    """The cost terms of ``strategy`` alone, ignoring its end of life (``scenario``: its horizon, team).

    ``start_months`` (``(n,)`` or a scalar) is its own t = 0 in calendar months: a staged
    strategy's switch_to is adopted then, and its launch delay and schedules count from it.
    """
    horizon = scenario.horizon_months
    launch_months = values[strategy.launch_weeks.name] / calendar.WEEKS_PER_MONTH
    if not (np.ndim(start_months) == 0 and start_months == 0):
        launch_months = start_months + launch_months
    decline = values[strategy.price_decline_per_year.name]
    # A calendar that is the same in every month is the scalar 1.0: costs multiplied by it stay
    # per-sample rows, "constant over months", which the evaluator sums in closed form.
    if np.ndim(launch_months) == 0 and launch_months <= 0:
        active = launched = 1.0
    else:
        active = calendar.active_fraction(launch_months, horizon)
        launched = (active > 0).astype(np.float64)
    prices = 1.0 if np.ndim(decline) == 0 and decline == 0 else calendar.price_factors(decline, horizon)
    c = Context(values=values, scenario=scenario, n=n, active=active, launched=launched, prices=prices,
                start_months=start_months)

    parts: dict[str, Part] = {}
    for component in priced_in_order():
        if component.record is None or getattr(strategy, component.key) is not None:
            parts.update(component.cost(strategy, c))
    # Before launch nothing is served: per-query costs (and the quality of answers) start with it.
    for name, part in parts.items():
        if part.per_query_usd is not None:
            parts[name] = replace(part, per_query_usd=part.per_query_usd * active)
    return CostTerms(parts=parts, active=active, horizon=horizon)


def with_interim(own: CostTerms, interim: CostTerms) -> CostTerms:
    """Before launch, the interim strategy serves: its recurring costs apply for the unserved share."""
    before = 1.0 - own.active
    served = interim.total().masked(before, keep_one_time=False)
    return CostTerms(parts={**own.parts, "interim": served}, active=own.active, horizon=own.horizon)


def end_of_life_month(eol: EndOfLife, values: Mapping[str, np.ndarray | float]) -> np.ndarray:
    """The month (1, 2, ...) from which the successor's costs apply; ``inf`` = never. Shape (n,) or ()."""
    if eol.month is not None:
        return np.maximum(np.ceil(np.asarray(values[eol.month.name], dtype=np.float64) - 1e-9), 1.0)
    p = np.asarray(values[eol.probability_per_year.name], dtype=np.float64)
    # A chance so small that the closing month overflows to inf means never: no warning for it.
    with np.errstate(divide="ignore", over="ignore"):
        rate_per_month = -np.log1p(-p) / 12.0  # constant hazard that closes with chance p in a year
        months = values[eol.event.name] / rate_per_month
    return np.where(p > 0, np.maximum(np.ceil(months), 1.0), np.inf)


def with_end_of_life(own: CostTerms, successor: CostTerms, month: np.ndarray, migration_usd) -> CostTerms:
    """Switch to the successor's recurring costs from ``month`` on, paying the migration then."""
    t = calendar.month_index(own.horizon)[:, None]
    month = np.asarray(month, dtype=np.float64).reshape(1, -1)
    after = (t >= month).astype(np.float64)
    before = 1.0 - after
    parts = {name: part.masked(before) for name, part in own.parts.items()}
    parts["successor"] = successor.total().masked(after, keep_one_time=False)
    parts["migration"] = Part(fixed_usd=(t == month) * migration_usd)
    return CostTerms(parts=parts, active=own.active * before + successor.active * after, horizon=own.horizon)


def _collapsed(terms: CostTerms, components: bool) -> CostTerms:
    """``terms`` as they are, or (without ``components``) summed into one part ``"total"``."""
    return terms if components else CostTerms(parts={"total": terms.total()}, active=terms.active, horizon=terms.horizon)


def build_cost_terms(scenario: Any, values: Mapping[str, np.ndarray | float], n: int, *,
                     components: bool = True) -> dict[str, CostTerms]:
    """Cost terms of every strategy for one block of ``n`` samples, interim and end of life included.

    ``scenario`` is a parsed :class:`ftrag_mc.scenario.Scenario`; ``values`` maps every input name
    to an ``(n,)`` array or, for a constant, a float. Without ``components`` each strategy's own
    components are summed into one part ``"total"`` first, so interim and end-of-life masks apply
    once rather than per component (the simulator's case). Staged strategies on a month trigger
    are included (:func:`staged_cost_terms`); those on a volume trigger depend on the start volume
    and are left to :class:`ftrag_mc.model.evaluate.CostModel`.
    """
    plain = {name: s for name, s in scenario.strategies.items() if not is_staged(s)}
    own = {name: _collapsed(own_cost_terms(s, values, scenario, n), components) for name, s in plain.items()}
    for name, strategy in plain.items():
        if strategy.interim is not None:
            own[name] = with_interim(own[name], own[strategy.interim])
    terms = {}
    for name, strategy in plain.items():
        eol = strategy.end_of_life
        if eol is None:
            terms[name] = own[name]
        else:
            terms[name] = with_end_of_life(own[name], own[eol.successor], end_of_life_month(eol, values),
                                           values[eol.migration_usd.name])
    for name, strategy in scenario.strategies.items():
        if is_staged(strategy) and not volume_triggered(strategy):
            tau = month_trigger_tau(strategy.trigger, values, scenario.horizon_months)
            terms[name] = staged_cost_terms(scenario, strategy, terms, values, n, tau, components=components)
    return {name: terms[name] for name in scenario.strategies if name in terms}


def staged_cost_terms(scenario: Any, strategy: Any, terms: Mapping[str, CostTerms],
                      values: Mapping[str, np.ndarray | float], n: int, tau, *, components: bool = True) -> CostTerms:
    """A staged strategy's terms for decision times ``tau`` (``(n,)`` or a scalar; H: no switch).

    ``terms`` holds the start strategy's full terms. switch_to is priced on its own calendar from
    τ, without its interim, its end of life in calendar time (:func:`ftrag_mc.model.staged.compose`).
    """
    horizon = scenario.horizon_months
    switch = scenario.strategies[strategy.switch_to]
    eol = switch.end_of_life
    tau = switch_months(scenario, strategy, values, tau)
    if np.all(np.asarray(tau) >= horizon):
        return compose(terms[strategy.start], None, tau, horizon)
    now = np.all(np.asarray(tau) == 0)
    start = 0.0 if now else np.where(np.asarray(tau) < horizon, tau, float(horizon))
    own = _collapsed(own_cost_terms(switch, values, scenario, n, start_months=start), components)
    if now:  # exactly switch_to with interim = start (the interim's terms before the end of life, too)
        own = commit_now(terms[strategy.start], own)
    if eol is not None:
        successor = scenario.strategies[eol.successor]
        after = _collapsed(own_cost_terms(successor, values, scenario, n), components)
        if successor.interim is not None:
            interim = scenario.strategies[successor.interim]
            after = with_interim(after, _collapsed(own_cost_terms(interim, values, scenario, n), components))
        own = with_end_of_life(own, after, end_of_life_month(eol, values), values[eol.migration_usd.name])
    return own if now else compose(terms[strategy.start], own, tau, horizon)


def switch_months(scenario: Any, strategy: Any, values: Mapping[str, np.ndarray | float], tau):
    """The decision times at which a staged strategy does switch: ``tau``, or H (no switch) where
    switch_to's platform has closed by then (a platform closed by the decision cannot be adopted)."""
    eol = scenario.strategies[strategy.switch_to].end_of_life
    if eol is None:
        return tau
    return np.where(np.asarray(tau) < end_of_life_month(eol, values), tau, float(scenario.horizon_months))
