"""Cost terms of a strategy, from sampled inputs, as pure array formulas.

A strategy's cost in month t at demand q_t (queries that month) is

    fixed[t] + per_query[t] * q_t + sum over GPU pools of weight[t] * price * replicas(q_t)

plus one-time costs at t = 0. Everything but the GPU pools is affine in volume, which lets the
simulator solve NPC and breakeven per sample in closed form when no pool (and no volume ceiling)
is present. Each ``*_terms`` function below adds one component; :func:`build_cost_terms` sums them
and keeps each component's own terms too (:attr:`CostTerms.parts`) for cost breakdowns.

Conventions: an input is an ``(n,)`` array of samples or, when the input is constant, a Python
float; monthly arrays are month-major, ``(H, n)``, or ``(H, 1)`` when they do not depend on the
sample (so constant inputs cost no per-sample work); money is undiscounted USD (the evaluator
discounts).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping

import numpy as np

from ftrag_mc.model import calendar
from ftrag_mc.scenario import EndOfLife, Scenario, Strategy

MTOK = 1e6

#: Component names of the cost breakdown, in report order.
COMPONENTS = ("llm", "cache", "retrieval", "training", "hosting", "self_hosted", "labour", "quality",
              "escalation", "other", "delay", "interim", "successor", "migration", "latency")


@dataclass(frozen=True)
class GpuPool:
    """Self-hosted serving: replicas = max(min_replicas, ceil(q * tokens_per_query / capacity))."""

    tokens_per_query: np.ndarray  # (n,) or scalar
    capacity_tokens_per_month: np.ndarray  # (n,) or scalar, per replica, after utilisation
    usd_per_replica_month: np.ndarray  # (n,) or scalar
    min_replicas: int
    weight: np.ndarray | float  # (H, n), (H, 1) or 1.0: share of the month the pool runs

    def replicas(self, demand: np.ndarray) -> np.ndarray:
        """Replicas needed for ``demand`` of shape ``(H, n)`` or ``(K, H, n)`` (queries/month)."""
        load = demand * (self.tokens_per_query / self.capacity_tokens_per_month)
        # A load of exactly one replica's capacity needs one replica, not two after rounding noise.
        return np.maximum(self.min_replicas, np.ceil(load - 1e-9))

    def monthly_usd(self, demand: np.ndarray) -> np.ndarray:
        return (self.weight * self.usd_per_replica_month) * self.replicas(demand)

    def masked(self, mask: np.ndarray) -> GpuPool:
        return replace(self, weight=self.weight * mask)


@dataclass(frozen=True)
class Part:
    """One component's costs: one-time (n,), fixed and per-query monthly (H, n) or None, GPU pools."""

    one_time_usd: np.ndarray | float = 0.0
    fixed_usd: np.ndarray | None = None
    per_query_usd: np.ndarray | None = None
    gpu_pools: tuple[GpuPool, ...] = ()

    def masked(self, mask: np.ndarray, *, keep_one_time: bool = True) -> Part:
        """Recurring costs only in the share ``mask`` (H, n) of each month."""
        return Part(one_time_usd=self.one_time_usd if keep_one_time else 0.0,
                    fixed_usd=None if self.fixed_usd is None else self.fixed_usd * mask,
                    per_query_usd=None if self.per_query_usd is None else self.per_query_usd * mask,
                    gpu_pools=tuple(p.masked(mask) for p in self.gpu_pools))


def _sum(arrays) -> np.ndarray | None:
    total = None
    for a in arrays:
        if a is not None:
            total = a if total is None else total + a
    return total


@dataclass(frozen=True)
class CostTerms:
    """The cost structure of one strategy for a block of samples, by component.

    ``parts`` maps a component name (:data:`COMPONENTS`) to its :class:`Part`; the totals are
    their sums. Shapes: one-time ``(n,)`` or a scalar; monthly ``(H, n)`` or ``(H, 1)``, or
    ``(n,)`` or a scalar for a cost that is the same in every month.
    """

    parts: dict[str, Part]
    active: np.ndarray | float  # (H, n) or (H, 1), or 1.0: share of each month the strategy serves
    horizon: int

    @property
    def one_time_usd(self) -> np.ndarray | float:
        return sum((p.one_time_usd for p in self.parts.values()), 0.0)

    @property
    def fixed_usd(self) -> np.ndarray | float:
        total = _sum(p.fixed_usd for p in self.parts.values())
        return 0.0 if total is None else total

    @property
    def per_query_usd(self) -> np.ndarray | float:
        total = _sum(p.per_query_usd for p in self.parts.values())
        return 0.0 if total is None else total

    @property
    def gpu_pools(self) -> tuple[GpuPool, ...]:
        return tuple(pool for p in self.parts.values() for pool in p.gpu_pools)

    @property
    def is_affine(self) -> bool:
        return not self.gpu_pools

    def total(self) -> Part:
        """All components summed into one part (computed once by the caller and reused)."""
        return Part(one_time_usd=self.one_time_usd, fixed_usd=self.fixed_usd,
                    per_query_usd=self.per_query_usd, gpu_pools=self.gpu_pools)


def monthly_usd(part: Part, demand: np.ndarray) -> np.ndarray:
    """Undiscounted cost per month of ``part`` at ``demand`` (H, n) or (K, H, n), queries/month."""
    cost = 0.0
    if part.fixed_usd is not None:
        cost = part.fixed_usd
    if part.per_query_usd is not None:
        cost = cost + part.per_query_usd * demand
    for pool in part.gpu_pools:
        cost = cost + pool.monthly_usd(demand)
    return np.broadcast_to(cost, np.broadcast_shapes(np.shape(cost), np.shape(demand)))


@dataclass(frozen=True)
class Context:
    """What every component of a strategy needs: sampled values and the strategy's calendar."""

    values: Mapping[str, np.ndarray | float]
    scenario: Scenario
    n: int
    active: np.ndarray | float  # (H, n) or (H, 1), or 1.0: share of each month served
    launched: np.ndarray | float  # 1 in months after launch (discrete events happen only then)
    prices: np.ndarray | float  # token price multiple from the price trend, 1.0 without one

    def __call__(self, quantity) -> np.ndarray | float:
        return self.values[quantity.name]

    @property
    def horizon(self) -> int:
        return self.scenario.horizon_months

    def engineer_week(self) -> np.ndarray | float:
        return self(self.scenario.team.engineer_week_usd)

    def curation_hourly(self) -> np.ndarray | float:
        team = self.scenario.team
        if team.curation_usd_per_hour is not None:
            return self(team.curation_usd_per_hour)
        return self(team.engineer_week_usd) / team.hours_per_week


def _token_prices(strategy: Strategy, c: Context):
    llm = strategy.llm
    input_price = c(llm.input_usd_per_mtok) * (1.0 + c(llm.input_premium)) / MTOK
    output_price = c(llm.output_usd_per_mtok) * (1.0 + c(llm.output_premium)) / MTOK
    input_tokens = c(llm.prompt_tokens) + c(llm.context_tokens) + c(llm.user_tokens)
    return input_price, output_price, input_tokens


def llm_parts(strategy: Strategy, c: Context) -> dict[str, Part]:
    """Token cost per query: input and output at tuned prices; the cached prefix as its own part."""
    llm = strategy.llm
    input_price, output_price, input_tokens = _token_prices(strategy, c)
    cache = strategy.cache
    parts = {}
    if cache is None:
        per_query = input_tokens * input_price + c(llm.output_tokens) * output_price
    else:
        cached = c(cache.cached_tokens) if cache.cached_tokens is not None else c(llm.prompt_tokens)
        cached = np.minimum(cached, input_tokens)
        hit = c(cache.hit_rate)
        prefix_multiple = hit * c(cache.read_multiplier) + (1.0 - hit) * c(cache.write_multiplier)
        per_query = (input_tokens - cached) * input_price + c(llm.output_tokens) * output_price
        parts["cache"] = Part(per_query_usd=(cached * input_price * prefix_multiple) * c.prices)
    parts["llm"] = Part(per_query_usd=per_query * c.prices)
    return parts


def escalation_per_query(strategy: Strategy, c: Context) -> np.ndarray:
    e = strategy.escalation
    frontier = (c(e.input_tokens) * c(e.input_usd_per_mtok) + c(e.output_tokens) * c(e.output_usd_per_mtok)) / MTOK
    return (c(e.share) * frontier) * c.prices


def quality_per_query(strategy: Strategy, c: Context) -> np.ndarray:
    """Expected cost of errors per query; a tuned model's error rate drifts up between retrains."""
    q = strategy.quality
    drift = c(q.drift_pp_per_quarter)
    if np.ndim(drift) == 0 and drift == 0:  # no drift: one rate in every month
        return np.clip(c(q.error_rate), 0.0, 1.0) * c(q.cost_per_error_usd)
    training = strategy.training
    every = np.inf
    if training is not None and training.retrain_every_months is not None:
        every = c(training.retrain_every_months)
    age_quarters = calendar.months_since_event(every, c.horizon) / 3.0
    rate = c(q.error_rate) + drift / 100.0 * age_quarters
    return np.clip(rate, 0.0, 1.0) * c(q.cost_per_error_usd)


def latency_seconds(strategy: Strategy, c: Context) -> tuple[np.ndarray | float, np.ndarray | float]:
    """(time to first token, generation time) per query, seconds: overhead + input / prefill rate,
    and output / decode rate; the tokens are the strategy's llm tokens."""
    lat, llm = strategy.latency, strategy.llm
    input_tokens = c(llm.prompt_tokens) + c(llm.context_tokens) + c(llm.user_tokens)
    ttft = c(lat.overhead_seconds) + input_tokens / c(lat.prefill_tokens_per_second)
    return ttft, c(llm.output_tokens) / c(lat.decode_tokens_per_second)


def strategy_latency_seconds(scenario: Scenario, strategy: str, values: Mapping[str, np.ndarray | float]):
    """:func:`latency_seconds` of ``scenario.strategies[strategy]`` for input ``values`` (as for
    :func:`build_cost_terms`), or None without a latency section: what ``explain`` shows."""
    s = scenario.strategies[strategy]
    if s.latency is None:
        return None
    c = Context(values=values, scenario=scenario, n=1, active=1.0, launched=1.0, prices=1.0)
    return latency_seconds(s, c)


def latency_per_query(strategy: Strategy, c: Context) -> np.ndarray | float:
    """Value of the wait per query: seconds x USD per second (not a token price: no price trend)."""
    ttft, generation = latency_seconds(strategy, c)
    return (ttft + generation) * c(strategy.latency.usd_per_second)


def retrieval_part(strategy: Strategy, c: Context) -> Part:
    """Embeddings per query, the vector store, indexing once and re-indexing on a cadence."""
    r = strategy.retrieval
    embed_price = c(r.embedding_usd_per_mtok) / MTOK
    one_time = c(r.corpus_tokens) * embed_price
    fixed = c(r.vector_store_usd_per_month) * c.active
    if r.reindex_every_months is not None:
        reindex_usd = c(r.reindex_share) * c(r.corpus_tokens) * embed_price
        events = calendar.event_counts(c(r.reindex_every_months), c.horizon) * c.launched
        fixed = fixed + events * (reindex_usd * c.prices)
    per_query = (c(r.embedding_tokens_per_query) * embed_price) * c.prices
    return Part(one_time_usd=one_time, fixed_usd=fixed, per_query_usd=per_query)


def training_part(strategy: Strategy, c: Context) -> Part:
    """The one-time build of a fine-tune and its retraining."""
    t = strategy.training
    if t.run_usd is not None:
        run = c(t.run_usd)
    else:
        run = c(t.training_tokens) * c(t.epochs) * c(t.training_usd_per_mtok) / MTOK
    needs_team = c.scenario.team is not None
    curation = c(t.curation_hours) * c.curation_hourly() if needs_team else 0.0
    weeks = c(t.engineer_weeks) * c.engineer_week() if needs_team else 0.0
    one_time = curation + weeks + run + c(t.eval_usd)
    if t.retrain_every_months is None:
        return Part(one_time_usd=one_time)
    retrain_run = c(t.retrain_run_usd) if t.retrain_run_usd is not None else run
    retrain_eval = c(t.retrain_eval_usd) if t.retrain_eval_usd is not None else c(t.eval_usd)
    retrain = retrain_run + retrain_eval + c(t.retrain_curation_share) * curation
    if needs_team:
        retrain = retrain + c(t.retrain_engineer_weeks) * c.engineer_week()
    events = calendar.event_counts(c(t.retrain_every_months), c.horizon) * c.launched
    return Part(one_time_usd=one_time, fixed_usd=events * retrain)


def gpu_pool(strategy: Strategy, c: Context) -> GpuPool:
    s = strategy.self_hosted
    if s.tokens_per_query is not None:
        tokens = c(s.tokens_per_query)
    else:
        llm = strategy.llm
        tokens = c(llm.prompt_tokens) + c(llm.context_tokens) + c(llm.user_tokens) + c(llm.output_tokens)
    capacity = c(s.throughput_tokens_per_second) * c(s.utilization) * calendar.SECONDS_PER_MONTH
    return GpuPool(tokens_per_query=tokens, capacity_tokens_per_month=capacity,
                   usd_per_replica_month=c(s.gpu_usd_per_hour) * calendar.HOURS_PER_MONTH,
                   min_replicas=s.min_replicas, weight=c.active)


def _is_zero(x) -> bool:
    return np.ndim(x) == 0 and float(x) == 0.0


def own_cost_terms(strategy: Strategy, values: Mapping[str, np.ndarray | float], scenario: Scenario,
                   n: int) -> CostTerms:
    """The cost terms of ``strategy`` alone, ignoring its end of life."""
    horizon = scenario.horizon_months
    launch_months = values[strategy.launch_weeks.name] / calendar.WEEKS_PER_MONTH
    decline = values[strategy.price_decline_per_year.name]
    # A calendar that is the same in every month is the scalar 1.0: costs multiplied by it stay
    # per-sample rows, "constant over months", which the evaluator sums in closed form.
    if np.ndim(launch_months) == 0 and launch_months <= 0:
        active = launched = 1.0
    else:
        active = calendar.active_fraction(launch_months, horizon)
        launched = (active > 0).astype(np.float64)
    prices = 1.0 if np.ndim(decline) == 0 and decline == 0 else calendar.price_factors(decline, horizon)
    c = Context(values=values, scenario=scenario, n=n, active=active, launched=launched, prices=prices)

    parts: dict[str, Part] = {}
    if strategy.llm is not None:
        parts.update(llm_parts(strategy, c))
    if strategy.retrieval is not None:
        parts["retrieval"] = retrieval_part(strategy, c)
    if strategy.training is not None:
        parts["training"] = training_part(strategy, c)
    if strategy.hosting is not None:
        parts["hosting"] = Part(fixed_usd=c(strategy.hosting.fee_usd_per_month) * active)
    if strategy.self_hosted is not None:
        parts["self_hosted"] = Part(fixed_usd=c(strategy.self_hosted.ops_usd_per_month) * active,
                                    gpu_pools=(gpu_pool(strategy, c),))
    if strategy.labour is not None:
        week = c.engineer_week()
        parts["labour"] = Part(one_time_usd=c(strategy.labour.setup_weeks) * week,
                               fixed_usd=(c(strategy.labour.maintenance_weeks_per_month) * week) * active)
    if strategy.quality is not None:
        parts["quality"] = Part(per_query_usd=quality_per_query(strategy, c))
    if strategy.escalation is not None:
        parts["escalation"] = Part(per_query_usd=escalation_per_query(strategy, c))
    if strategy.latency is not None:
        parts["latency"] = Part(per_query_usd=latency_per_query(strategy, c))
    once, fixed = c(strategy.one_time_usd), c(strategy.fixed_usd_per_month)
    if not (_is_zero(once) and _is_zero(fixed)):
        parts["other"] = Part(one_time_usd=once, fixed_usd=fixed * active)
    delay = c(strategy.delay_cost_usd_per_month)
    if not _is_zero(delay):  # before launch nothing is served; the value forgone accrues pro rata
        parts["delay"] = Part(fixed_usd=delay * (1.0 - active))
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


def build_cost_terms(scenario: Scenario, values: Mapping[str, np.ndarray | float], n: int, *,
                     components: bool = True) -> dict[str, CostTerms]:
    """Cost terms of every strategy for one block of ``n`` samples, interim and end of life included.

    ``values`` maps every input name to an ``(n,)`` array or, for a constant, a float. Without
    ``components`` each strategy's own components are summed into one part ``"total"`` first, so
    interim and end-of-life masks apply once rather than per component (the simulator's case).
    """
    own = {name: own_cost_terms(s, values, scenario, n) for name, s in scenario.strategies.items()}
    if not components:
        own = {name: CostTerms(parts={"total": t.total()}, active=t.active, horizon=t.horizon)
               for name, t in own.items()}
    for name, strategy in scenario.strategies.items():
        if strategy.interim is not None:
            own[name] = with_interim(own[name], own[strategy.interim])
    terms = {}
    for name, strategy in scenario.strategies.items():
        eol = strategy.end_of_life
        if eol is None:
            terms[name] = own[name]
        else:
            terms[name] = with_end_of_life(own[name], own[eol.successor], end_of_life_month(eol, values),
                                           values[eol.migration_usd.name])
    return terms
