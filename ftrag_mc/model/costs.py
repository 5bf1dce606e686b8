"""Cost terms of a strategy, from sampled inputs, as pure array formulas.

A strategy's cost in month t at demand q_t (queries that month) is

    fixed[t] + per_query[t] * q_t + sum over GPU pools of weight[t] * price * replicas(q_t)

plus one-time costs at t = 0. Everything but the GPU pools is affine in volume, which lets the
simulator solve NPC and breakeven per sample in closed form when no pool (and no volume ceiling)
is present. Each ``*_terms`` function below adds one component; :func:`build_cost_terms` sums them.

Conventions: values are ``(n,)`` arrays of sampled inputs; monthly arrays are ``(n, H)``; money is
undiscounted USD (the simulator discounts).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping

import numpy as np

from ftrag_mc.model import calendar
from ftrag_mc.scenario import EndOfLife, Scenario, Strategy

MTOK = 1e6


@dataclass(frozen=True)
class GpuPool:
    """Self-hosted serving: replicas = max(min_replicas, ceil(q * tokens_per_query / capacity))."""

    tokens_per_query: np.ndarray  # (n,)
    capacity_tokens_per_month: np.ndarray  # (n,) per replica, after utilisation
    usd_per_replica_month: np.ndarray  # (n,)
    min_replicas: int
    weight: np.ndarray  # (n, H) share of the month the pool runs (launch, end of life)

    def replicas(self, demand: np.ndarray) -> np.ndarray:
        """Replicas needed for ``demand`` of shape ``(n, H)`` or ``(n, K, H)``."""
        shape = (-1,) + (1,) * (demand.ndim - 1)
        load = demand * self.tokens_per_query.reshape(shape) / self.capacity_tokens_per_month.reshape(shape)
        # A load of exactly one replica's capacity needs one replica, not two after rounding noise.
        return np.maximum(self.min_replicas, np.ceil(load - 1e-9))

    def monthly_usd(self, demand: np.ndarray) -> np.ndarray:
        shape = (-1,) + (1,) * (demand.ndim - 1)
        weight = self.weight if demand.ndim == 2 else self.weight[:, None, :]
        return weight * self.usd_per_replica_month.reshape(shape) * self.replicas(demand)


@dataclass(frozen=True)
class CostTerms:
    """The cost structure of one strategy for a block of samples."""

    one_time_usd: np.ndarray  # (n,)
    fixed_usd: np.ndarray  # (n, H) monthly, independent of volume
    per_query_usd: np.ndarray  # (n, H) monthly cost per query demanded
    active: np.ndarray  # (n, H) share of each month the strategy itself serves
    gpu_pools: tuple[GpuPool, ...] = field(default=())

    @property
    def is_affine(self) -> bool:
        return not self.gpu_pools

    def monthly_usd(self, demand: np.ndarray) -> np.ndarray:
        """Undiscounted cost per month for ``demand`` of shape ``(n, H)`` or ``(n, K, H)``."""
        if demand.ndim == 3:
            cost = self.fixed_usd[:, None, :] + self.per_query_usd[:, None, :] * demand
        else:
            cost = self.fixed_usd + self.per_query_usd * demand
        for pool in self.gpu_pools:
            cost = cost + pool.monthly_usd(demand)
        return cost


@dataclass(frozen=True)
class Context:
    """What every component of a strategy needs: sampled values and the strategy's calendar."""

    values: Mapping[str, np.ndarray]
    scenario: Scenario
    n: int
    active: np.ndarray  # (n, H) share of each month served
    launched: np.ndarray  # (n, H) 1 in months after launch (discrete events happen only then)
    prices: np.ndarray  # (n, H) token price multiple from the price trend

    def __call__(self, quantity) -> np.ndarray:
        return self.values[quantity.name]

    @property
    def horizon(self) -> int:
        return self.scenario.horizon_months

    def engineer_week(self) -> np.ndarray:
        return self(self.scenario.team.engineer_week_usd)

    def curation_hourly(self) -> np.ndarray:
        team = self.scenario.team
        if team.curation_usd_per_hour is not None:
            return self(team.curation_usd_per_hour)
        return self(team.engineer_week_usd) / team.hours_per_week

    def zeros(self) -> np.ndarray:
        return np.zeros((self.n, self.horizon))


def llm_per_query(strategy: Strategy, c: Context) -> np.ndarray:
    """Token cost of one query, (n, H): input (with caching) and output at tuned prices."""
    llm = strategy.llm
    input_price = c(llm.input_usd_per_mtok) * (1.0 + c(llm.input_premium)) / MTOK
    output_price = c(llm.output_usd_per_mtok) * (1.0 + c(llm.output_premium)) / MTOK
    input_tokens = c(llm.prompt_tokens) + c(llm.context_tokens) + c(llm.user_tokens)
    cache = strategy.cache
    if cache is None:
        input_usd = input_tokens * input_price
    else:
        cached = c(cache.cached_tokens) if cache.cached_tokens is not None else c(llm.prompt_tokens)
        cached = np.minimum(cached, input_tokens)
        hit = c(cache.hit_rate)
        prefix_multiple = hit * c(cache.read_multiplier) + (1.0 - hit) * c(cache.write_multiplier)
        input_usd = (input_tokens - cached) * input_price + cached * input_price * prefix_multiple
    per_query = input_usd + c(llm.output_tokens) * output_price
    return per_query[:, None] * c.prices


def escalation_per_query(strategy: Strategy, c: Context) -> np.ndarray:
    e = strategy.escalation
    frontier = (c(e.input_tokens) * c(e.input_usd_per_mtok) + c(e.output_tokens) * c(e.output_usd_per_mtok)) / MTOK
    return (c(e.share) * frontier)[:, None] * c.prices


def quality_per_query(strategy: Strategy, c: Context) -> np.ndarray:
    """Expected cost of errors per query; a tuned model's error rate drifts up between retrains."""
    q = strategy.quality
    training = strategy.training
    every = np.full(c.n, np.inf)
    if training is not None and training.retrain_every_months is not None:
        every = c(training.retrain_every_months)
    age_quarters = calendar.months_since_event(every, c.horizon) / 3.0
    rate = c(q.error_rate)[:, None] + c(q.drift_pp_per_quarter)[:, None] / 100.0 * age_quarters
    return np.clip(rate, 0.0, 1.0) * c(q.cost_per_error_usd)[:, None]


def retrieval_terms(strategy: Strategy, c: Context) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(one-time, fixed monthly, per query) of embeddings, the vector store and (re-)indexing."""
    r = strategy.retrieval
    embed_price = c(r.embedding_usd_per_mtok) / MTOK
    one_time = c(r.corpus_tokens) * embed_price
    fixed = c(r.vector_store_usd_per_month)[:, None] * c.active
    if r.reindex_every_months is not None:
        reindex_usd = c(r.reindex_share) * c(r.corpus_tokens) * embed_price
        events = calendar.event_counts(c(r.reindex_every_months), c.horizon) * c.launched
        fixed = fixed + events * reindex_usd[:, None] * c.prices
    per_query = (c(r.embedding_tokens_per_query) * embed_price)[:, None] * c.prices
    return one_time, fixed, per_query


def training_terms(strategy: Strategy, c: Context) -> tuple[np.ndarray, np.ndarray]:
    """(one-time build, monthly retraining) of a fine-tune."""
    t = strategy.training
    if t.run_usd is not None:
        run = c(t.run_usd)
    else:
        run = c(t.training_tokens) * c(t.epochs) * c(t.training_usd_per_mtok) / MTOK
    needs_team = c.scenario.team is not None
    curation = c(t.curation_hours) * c.curation_hourly() if needs_team else np.zeros(c.n)
    weeks = c(t.engineer_weeks) * c.engineer_week() if needs_team else np.zeros(c.n)
    one_time = curation + weeks + run + c(t.eval_usd)
    if t.retrain_every_months is None:
        return one_time, c.zeros()
    retrain_run = c(t.retrain_run_usd) if t.retrain_run_usd is not None else run
    retrain_eval = c(t.retrain_eval_usd) if t.retrain_eval_usd is not None else c(t.eval_usd)
    retrain = retrain_run + retrain_eval + c(t.retrain_curation_share) * curation
    if needs_team:
        retrain = retrain + c(t.retrain_engineer_weeks) * c.engineer_week()
    events = calendar.event_counts(c(t.retrain_every_months), c.horizon) * c.launched
    return one_time, events * retrain[:, None]


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


def own_cost_terms(strategy: Strategy, values: Mapping[str, np.ndarray], scenario: Scenario, n: int) -> CostTerms:
    """The cost terms of ``strategy`` alone, ignoring its end of life."""
    horizon = scenario.horizon_months
    launch_months = values[strategy.launch_weeks.name] / calendar.WEEKS_PER_MONTH
    active = calendar.active_fraction(launch_months, horizon)
    c = Context(values=values, scenario=scenario, n=n, active=active, launched=(active > 0).astype(np.float64),
                prices=calendar.price_factors(values[strategy.price_decline_per_year.name], horizon))

    one_time = c(strategy.one_time_usd).copy()
    # Before launch nothing is served; the value forgone accrues pro rata.
    fixed = (c(strategy.fixed_usd_per_month)[:, None] * active
             + c(strategy.delay_cost_usd_per_month)[:, None] * (1.0 - active))
    per_query = c.zeros()
    pools: list[GpuPool] = []

    if strategy.llm is not None:
        per_query += llm_per_query(strategy, c)
    if strategy.escalation is not None:
        per_query += escalation_per_query(strategy, c)
    if strategy.quality is not None:
        per_query += quality_per_query(strategy, c)
    if strategy.retrieval is not None:
        r_once, r_fixed, r_per_query = retrieval_terms(strategy, c)
        one_time += r_once
        fixed += r_fixed
        per_query += r_per_query
    if strategy.training is not None:
        t_once, t_monthly = training_terms(strategy, c)
        one_time += t_once
        fixed += t_monthly
    if strategy.hosting is not None:
        fixed += c(strategy.hosting.fee_usd_per_month)[:, None] * active
    if strategy.self_hosted is not None:
        fixed += c(strategy.self_hosted.ops_usd_per_month)[:, None] * active
        pools.append(gpu_pool(strategy, c))
    if strategy.labour is not None:
        week = c.engineer_week()
        one_time += c(strategy.labour.setup_weeks) * week
        fixed += (c(strategy.labour.maintenance_weeks_per_month) * week)[:, None] * active
    return CostTerms(one_time_usd=one_time, fixed_usd=fixed, per_query_usd=per_query * active,
                     active=active, gpu_pools=tuple(pools))


def with_interim(own: CostTerms, interim: CostTerms) -> CostTerms:
    """Before launch, the interim strategy serves: its recurring costs apply for the unserved share."""
    before = 1.0 - own.active
    pools = own.gpu_pools + tuple(replace(p, weight=p.weight * before) for p in interim.gpu_pools)
    return CostTerms(one_time_usd=own.one_time_usd, fixed_usd=own.fixed_usd + interim.fixed_usd * before,
                     per_query_usd=own.per_query_usd + interim.per_query_usd * before,
                     active=own.active, gpu_pools=pools)


def end_of_life_month(eol: EndOfLife, values: Mapping[str, np.ndarray]) -> np.ndarray:
    """The month (1, 2, ...) from which the successor's costs apply; ``inf`` = never. Shape (n,)."""
    if eol.month is not None:
        return np.maximum(np.ceil(values[eol.month.name] - 1e-9), 1.0)
    p = values[eol.probability_per_year.name]
    with np.errstate(divide="ignore"):
        rate_per_month = -np.log1p(-p) / 12.0  # constant hazard that closes with chance p in a year
        months = values[eol.event.name] / rate_per_month
    return np.where(p > 0, np.maximum(np.ceil(months), 1.0), np.inf)


def with_end_of_life(own: CostTerms, successor: CostTerms, month: np.ndarray, migration_usd: np.ndarray) -> CostTerms:
    """Switch to the successor's recurring costs from ``month`` on, paying the migration then."""
    horizon = own.fixed_usd.shape[1]
    t = calendar.month_index(horizon)
    after = (t >= month[:, None]).astype(np.float64)
    before = 1.0 - after
    migration = (t == month[:, None]) * migration_usd[:, None]
    pools = tuple(replace(p, weight=p.weight * before) for p in own.gpu_pools)
    pools += tuple(replace(p, weight=p.weight * after) for p in successor.gpu_pools)
    return CostTerms(one_time_usd=own.one_time_usd,
                     fixed_usd=own.fixed_usd * before + successor.fixed_usd * after + migration,
                     per_query_usd=own.per_query_usd * before + successor.per_query_usd * after,
                     active=own.active * before + successor.active * after, gpu_pools=pools)


def build_cost_terms(scenario: Scenario, values: Mapping[str, np.ndarray], n: int) -> dict[str, CostTerms]:
    """Cost terms of every strategy for one block of ``n`` samples, interim and end of life included."""
    own = {name: own_cost_terms(s, values, scenario, n) for name, s in scenario.strategies.items()}
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
