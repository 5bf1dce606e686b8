"""The cost formulas of the components, from sampled inputs, as pure array functions.

A strategy's cost in month t at demand q_t (queries that month) is

    fixed[t] + per_query[t] * q_t + sum over GPU pools of weight[t] * price * replicas(q_t)

plus one-time costs at t = 0. Everything but the GPU pools is affine in volume, which lets the
simulator solve NPC and breakeven per sample in closed form when no pool (and no volume ceiling)
is present. Each ``*_cost`` function below prices one component of the registry
(:mod:`ftrag_mc.model.components`) and returns its :class:`Part` by component name;
:func:`ftrag_mc.model.strategy.build_cost_terms` sums them into a strategy's :class:`CostTerms`
and keeps each component's own part too (:attr:`CostTerms.parts`) for cost breakdowns.

A ``strategy`` here is a parsed strategy record (:class:`ftrag_mc.model.strategy.Strategy`): a
cost function reads its own section and, where its formula needs them, its siblings' (caching
reads the LLM's prices, drift the retrain cadence).

Conventions: an input is an ``(n,)`` array of samples or, when the input is constant, a Python
float; monthly arrays are month-major, ``(H, n)``, or ``(H, 1)`` when they do not depend on the
sample (so constant inputs cost no per-sample work); money is undiscounted USD (the evaluator
discounts).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping

import numpy as np

from ftrag_mc.model import calendar

MTOK = 1e6


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


def _times(x: np.ndarray, factor: np.ndarray | float) -> np.ndarray:
    """``x * factor``, or ``x`` itself for the calendar scalar 1.0 (the same numbers, one pass fewer)."""
    return x if np.ndim(factor) == 0 and factor == 1.0 else x * factor


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
    """What every component of a strategy needs: sampled values and the strategy's calendar.

    ``scenario`` is the parsed scenario (:class:`ftrag_mc.scenario.Scenario`): its horizon and
    team rates.
    """

    values: Mapping[str, np.ndarray | float]
    scenario: Any
    n: int
    active: np.ndarray | float  # (H, n) or (H, 1), or 1.0: share of each month served
    launched: np.ndarray | float  # 1 in months after launch (discrete events happen only then)
    prices: np.ndarray | float  # token price multiple from the price trend, 1.0 without one
    # The strategy's own t = 0 in calendar months: > 0 for a staged strategy's switch_to, whose
    # schedules (retrains, re-indexes) and drift count from the switch (prices stay in calendar time).
    start_months: np.ndarray | float = 0.0

    def __call__(self, quantity) -> np.ndarray | float:
        return self.values[quantity.name]

    def event_counts(self, every_months) -> np.ndarray:
        """Events per month of a schedule "every k months" on this strategy's calendar."""
        return calendar.event_counts(every_months, self.horizon, self.start_months)

    def months_since_event(self, every_months) -> np.ndarray:
        """Months since the last event (or since this strategy's t = 0) at the start of each month."""
        return calendar.months_since_event(every_months, self.horizon, self.start_months)

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


def input_tokens(llm, c: Context) -> np.ndarray | float:
    """Input tokens per query: the static prefix, retrieved context and the user's input."""
    return c(llm.prompt_tokens) + c(llm.context_tokens) + c(llm.user_tokens)


def llm_cost(strategy, c: Context) -> dict[str, Part]:
    """Token cost per query: input and output at tuned prices; the cached prefix as its own part."""
    llm = strategy.llm
    input_price = c(llm.input_usd_per_mtok) * (1.0 + c(llm.input_premium)) / MTOK
    output_price = c(llm.output_usd_per_mtok) * (1.0 + c(llm.output_premium)) / MTOK
    tokens = input_tokens(llm, c)
    cache = strategy.cache
    parts = {}
    if cache is None:
        per_query = tokens * input_price + c(llm.output_tokens) * output_price
    else:
        cached = c(cache.cached_tokens) if cache.cached_tokens is not None else c(llm.prompt_tokens)
        cached = np.minimum(cached, tokens)
        hit = c(cache.hit_rate)
        prefix_multiple = hit * c(cache.read_multiplier) + (1.0 - hit) * c(cache.write_multiplier)
        per_query = (tokens - cached) * input_price + c(llm.output_tokens) * output_price
        parts["cache"] = Part(per_query_usd=(cached * input_price * prefix_multiple) * c.prices)
    parts["llm"] = Part(per_query_usd=per_query * c.prices)
    return parts


def escalation_cost(strategy, c: Context) -> dict[str, Part]:
    """A share of queries re-run on a frontier model, at its falling token prices."""
    e = strategy.escalation
    frontier = (c(e.input_tokens) * c(e.input_usd_per_mtok) + c(e.output_tokens) * c(e.output_usd_per_mtok)) / MTOK
    return {"escalation": Part(per_query_usd=(c(e.share) * frontier) * c.prices)}


def quality_cost(strategy, c: Context) -> dict[str, Part]:
    """Expected cost of errors per query; a tuned model's error rate drifts up between retrains."""
    q = strategy.quality
    drift = c(q.drift_pp_per_quarter)
    if np.ndim(drift) == 0 and drift == 0:  # no drift: one rate in every month
        return {"quality": Part(per_query_usd=np.clip(c(q.error_rate), 0.0, 1.0) * c(q.cost_per_error_usd))}
    training = strategy.training
    every = np.inf
    if training is not None and training.retrain_every_months is not None:
        every = c(training.retrain_every_months)
    age_quarters = c.months_since_event(every) / 3.0
    rate = c(q.error_rate) + drift / 100.0 * age_quarters
    return {"quality": Part(per_query_usd=np.clip(rate, 0.0, 1.0) * c(q.cost_per_error_usd))}


def latency_seconds(strategy, c: Context) -> tuple[np.ndarray | float, np.ndarray | float]:
    """(time to first token, generation time) per query, seconds: overhead + input / prefill rate,
    and output / decode rate; the tokens are the strategy's llm tokens."""
    lat, llm = strategy.latency, strategy.llm
    ttft = c(lat.overhead_seconds) + input_tokens(llm, c) / c(lat.prefill_tokens_per_second)
    return ttft, c(llm.output_tokens) / c(lat.decode_tokens_per_second)


def latency_cost(strategy, c: Context) -> dict[str, Part]:
    """Value of the wait per query: seconds x USD per second (not a token price: no price trend)."""
    ttft, generation = latency_seconds(strategy, c)
    return {"latency": Part(per_query_usd=(ttft + generation) * c(strategy.latency.usd_per_second))}


def retrieval_cost(strategy, c: Context) -> dict[str, Part]:
    """Embeddings per query, the vector store, indexing once and re-indexing on a cadence."""
    r = strategy.retrieval
    embed_price = c(r.embedding_usd_per_mtok) / MTOK
    one_time = c(r.corpus_tokens) * embed_price
    fixed = c(r.vector_store_usd_per_month) * c.active
    if r.reindex_every_months is not None:
        reindex_usd = c(r.reindex_share) * c(r.corpus_tokens) * embed_price
        events = _times(c.event_counts(c(r.reindex_every_months)), c.launched)
        fixed = fixed + events * (reindex_usd * c.prices)
    per_query = (c(r.embedding_tokens_per_query) * embed_price) * c.prices
    return {"retrieval": Part(one_time_usd=one_time, fixed_usd=fixed, per_query_usd=per_query)}


def training_run_usd(t, c: Context) -> np.ndarray | float:
    """The training run: ``run_usd``, or training tokens x epochs x the price per million."""
    if t.run_usd is not None:
        return c(t.run_usd)
    return c(t.training_tokens) * c(t.epochs) * c(t.training_usd_per_mtok) / MTOK


def training_cost(strategy, c: Context) -> dict[str, Part]:
    """The one-time build of a fine-tune and its retraining."""
    t = strategy.training
    run = training_run_usd(t, c)
    needs_team = c.scenario.team is not None
    curation = c(t.curation_hours) * c.curation_hourly() if needs_team else 0.0
    weeks = c(t.engineer_weeks) * c.engineer_week() if needs_team else 0.0
    one_time = curation + weeks + run + c(t.eval_usd)
    if t.retrain_every_months is None:
        return {"training": Part(one_time_usd=one_time)}
    retrain_run = c(t.retrain_run_usd) if t.retrain_run_usd is not None else run
    retrain_eval = c(t.retrain_eval_usd) if t.retrain_eval_usd is not None else c(t.eval_usd)
    retrain = retrain_run + retrain_eval + c(t.retrain_curation_share) * curation
    if needs_team:
        retrain = retrain + c(t.retrain_engineer_weeks) * c.engineer_week()
    events = _times(c.event_counts(c(t.retrain_every_months)), c.launched)
    return {"training": Part(one_time_usd=one_time, fixed_usd=events * retrain)}


def hosting_cost(strategy, c: Context) -> dict[str, Part]:
    """A provider's fixed monthly fee for hosting the tuned model, while it serves."""
    return {"hosting": Part(fixed_usd=c(strategy.hosting.fee_usd_per_month) * c.active)}


def gpu_pool(strategy, c: Context) -> GpuPool:
    """Rented GPU replicas sized to the month's tokens (the one cost not affine in volume)."""
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


def self_hosted_cost(strategy, c: Context) -> dict[str, Part]:
    """GPU serving: operations per month while serving, and the replicas the volume needs."""
    return {"self_hosted": Part(fixed_usd=c(strategy.self_hosted.ops_usd_per_month) * c.active,
                                gpu_pools=(gpu_pool(strategy, c),))}


def labour_cost(strategy, c: Context) -> dict[str, Part]:
    """Engineering time: setup at t = 0 and maintenance per month served."""
    week = c.engineer_week()
    labour = strategy.labour
    return {"labour": Part(one_time_usd=c(labour.setup_weeks) * week,
                           fixed_usd=(c(labour.maintenance_weeks_per_month) * week) * c.active)}


def per_call_cost(strategy, c: Context) -> dict[str, Part]:
    """A cost per call given as one number (``per_query_usd``), at the falling token prices."""
    usd = c(strategy.per_query_usd)
    if _is_zero(usd):
        return {}
    return {"per_call": Part(per_query_usd=usd * c.prices)}


def _is_zero(x) -> bool:
    return np.ndim(x) == 0 and float(x) == 0.0


def other_cost(strategy, c: Context) -> dict[str, Part]:
    """Any other one-time cost, and any other fixed monthly cost once launched."""
    once, fixed = c(strategy.one_time_usd), c(strategy.fixed_usd_per_month)
    if _is_zero(once) and _is_zero(fixed):
        return {}
    return {"other": Part(one_time_usd=once, fixed_usd=fixed * c.active)}


def delay_cost(strategy, c: Context) -> dict[str, Part]:
    """Before launch nothing is served; the value forgone accrues pro rata."""
    delay = c(strategy.delay_cost_usd_per_month)
    if _is_zero(delay):
        return {}
    return {"delay": Part(fixed_usd=delay * (1.0 - c.active))}


def model_notes() -> list[str]:
    """How the model reads a scenario's keys, in Markdown (the reference's "What the keys mean in
    the model"): the answers a user would otherwise guess, with numbers from the code's constants."""
    return [
        "#### What the keys mean in the model",
        "",
        "- **An absent component costs nothing.** No `[quality]` means the strategy is error-free: its wrong answers",
        "  cost $0, however many a competitor with `[quality]` pays for. Give every strategy the same components (an",
        "  error rate for each), or the comparison is decided by what was left out. The same holds for `labour`,",
        "  `retrieval`, `hosting` and the rest.",
        "- **Training tokens are per epoch.** A run given by tokens costs `training_tokens x epochs x",
        "  training_usd_per_mtok / 1e6`; a retrain costs the same draw again unless `retrain_run_usd` is given.",
        "- **Price decline** (`price_decline_per_year` = d) multiplies month t's token prices by",
        "  `(1 - d)^((t - 1) / 12)`: month 1 pays today's prices, month 13 pays `1 - d` of them, smoothly between.",
        "  It applies to LLM input and output tokens (a tuned premium is a share of the base price, so it falls with",
        "  it), the cached prefix, embeddings per query and at each re-index, and escalation. It does not apply to the",
        "  hosting fee, GPU hours, self-hosted ops, the vector store, the first index of the corpus (at t = 0), training",
        "  runs, labour, quality or other fixed costs.",
        f"- **Launch delay**: `launch_weeks` / {calendar.WEEKS_PER_MONTH:.4g} (52/12 weeks a month) = L months; month t",
        "  is served for the share `clip(t - L, 0, 1)`. Before launch there are no per-query costs (tokens, cache,",
        "  embeddings, errors, escalation) and the monthly costs (vector store, hosting fee, GPUs and ops, maintenance",
        "  labour, `fixed_usd_per_month`) are paid pro rata to the share served; one-time costs fall at t = 0 anyway;",
        "  retrains and re-indexes happen only from the first month served (their schedule still counts from t = 0).",
        "  The unserved share costs `delay_cost_usd_per_month` and, with `interim`, the interim strategy's monthly and",
        "  per-query costs.",
        f"- **GPU capacity**: a month is 365.25 / 12 days: {calendar.HOURS_PER_MONTH:g} hours of a replica's price and",
        f"  {calendar.SECONDS_PER_MONTH:,.0f} seconds of its throughput; replicas = max(min_replicas, ceil(queries x",
        "  tokens_per_query / (throughput x utilization x seconds))).",
        "- **Schedules** (`retrain_every_months`, `reindex_every_months` = k) put events at k, 2k, ... months from t = 0",
        "  (at least 1/30 month apart: daily). A tuned model's error rate drifts up from its last retrain.",
        "",
    ]
