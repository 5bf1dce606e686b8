"""The scenario: what a user writes in a TOML file, parsed into frozen, validated records.

:func:`parse_scenario` is pure (a table in, a :class:`Scenario` out); :func:`load_scenario` is the one
place that reads a file. Every error is a :class:`~ftrag_mc.errors.ScenarioError` naming the file and
the key path. A scenario is data: it is parsed, never evaluated.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import re
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from ftrag_mc.distributions import Distribution, parse_distribution
from ftrag_mc.errors import ScenarioError
from ftrag_mc.overrides import Override, annotate_error, apply_overrides, format_override, override_digest, parse_overrides
from ftrag_mc.sampling import SAMPLERS, RankCorrelation, parse_rank_correlation
from ftrag_mc.schema import (
    Quantity, Registry, check_table, describe_record, did_you_mean, drawable_range, flag, integer, integers,
    number, number_matrix, parse_quantity, parse_record, quantity, section, text, texts,
)

DEFAULT_SEED = 2026
WEEKS_PER_MONTH = 52 / 12
"""A month is 52/12 ≈ 4.33 weeks (launch delays are given in weeks)."""

# --- magnitude limits ------------------------------------------------------------------------------
# Why these numbers: every cost the model forms is a product of a few inputs, summed over at most
# 600 months and about twenty terms, and float64 holds up to 1.8e308. Within these limits a token
# cost is at most a volume (1e12 queries/month) x growth over the horizon (1e6, below) x tokens per
# query (1e8) x a price (1e5 USD per million tokens, / 1e6) x a multiple (1 + 1e3) = 1e28 USD a
# month; errors 1e18 queries x 1e12 USD = 1e30; the largest, GPU serving, needs 1e18 x 1e8 tokens /
# (1e-3 tokens/s x 1e-3 utilisation x 2.6e6 s) = 4e25 replicas at 1e12 USD x 730.5 hours = 3e40 USD
# a month; an amount (1e12 USD) x events a month (30, at the shortest cadence) or x weeks (1e5) is
# smaller. Twenty terms x 600 months x the largest discount factor (rate -0.5: 2^50 = 1e15 at month
# 600) give NPCs below 1e60 USD, 248 orders of magnitude inside the float range, so no sum,
# difference or breakeven ratio overflows into inf or nan. Each limit is also far beyond any real
# workload (the busiest assistants serve ~1e11 queries a month; context windows hold ~1e7 tokens;
# frontier output costs ~1e2-1e3 USD per million tokens), so a value past one is a typo, not a plan.
# Divisors get floors instead: a cadence (1/k events a month) below 1/30 month (daily) cannot be a
# schedule of months, and GPU capacity (throughput x utilisation) near zero would ask for infinitely
# many replicas. Underflow is harmless: a cost below 1e-300 USD is 0 to every cent.
MAX_QUERIES_PER_MONTH = 1e12
MAX_TOKENS_PER_QUERY = 1e8
MAX_CORPUS_TOKENS = 1e15  # a corpus or a training set (the public web is ~1e14 tokens)
MAX_USD_PER_MTOK = 1e5
MAX_USD = 1e12  # any amount: one-time, per month, per hour, per week, per error
MAX_MULTIPLE = 1e3  # premiums and cache price multiples
MAX_WEEKS = 1e5
MAX_HOURS = 1e7
MAX_EPOCHS = 1e3
MAX_MONTHS = 1e4  # an end-of-life month past the horizon means: not within it
MIN_CADENCE_MONTHS = 1 / 30
MIN_TOKENS_PER_SECOND, MAX_TOKENS_PER_SECOND = 1e-3, 1e9
MIN_UTILIZATION = 1e-3
MAX_WAIT_SECONDS = 1e5  # a fixed wait per query longer than a day is a unit slip
# Volume at month t is Q0 (1 + g)^(t - 1): its growth over the horizon, at the largest growth the
# distribution can draw, must stay below this (10x a year for six years); with a ceiling the
# uncapped volume only has to stay finite before the cap applies.
MAX_GROWTH_FACTOR = 1e6
MAX_GROWTH_FACTOR_WITH_CEILING = 1e100
# A report folder is OUT/<name>: names are limited well below the 255 bytes file systems allow, so
# the writer's hidden staging folder (the name plus a suffix of about 40 bytes) fits too.
MAX_NAME_BYTES = 120


# --- components ---------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class LlmCalls:
    """Per-query calls to the serving model."""

    prompt_tokens: Quantity = quantity("static prefix per query: system prompt, few-shot examples", unit="tokens", default=0, hi=MAX_TOKENS_PER_QUERY)
    context_tokens: Quantity = quantity("retrieved context per query", unit="tokens", default=0, hi=MAX_TOKENS_PER_QUERY)
    user_tokens: Quantity = quantity("user input per query", unit="tokens", default=0, hi=MAX_TOKENS_PER_QUERY)
    output_tokens: Quantity = quantity("output per query", unit="tokens", default=0, hi=MAX_TOKENS_PER_QUERY)
    input_usd_per_mtok: Quantity = quantity("base input price (0 when self-hosted); or from model", unit="USD per million tokens", hi=MAX_USD_PER_MTOK)
    output_usd_per_mtok: Quantity = quantity("base output price (0 when self-hosted); or from model", unit="USD per million tokens", hi=MAX_USD_PER_MTOK)
    input_premium: Quantity = quantity("tuned-model surcharge on input price: 0.3 = +30 %", unit="fraction", default=0, hi=MAX_MULTIPLE)
    output_premium: Quantity = quantity("tuned-model surcharge on output price", unit="fraction", default=0, hi=MAX_MULTIPLE)
    model: str | None = text("hosted model in the price catalog (ftrag-mc prices): fills the two prices", default=None)
    tuned: bool = flag("a fine-tuned variant of model: fills the premiums as tuned price / base price - 1")


@dataclass(frozen=True, kw_only=True)
class PromptCache:
    """Prompt caching of the static prefix."""

    hit_rate: Quantity = quantity("share of queries that read the prefix from cache", unit="fraction", hi=1)
    read_multiplier: Quantity = quantity("cache read price as a multiple of the input price (Anthropic 0.1)", default=0.1, hi=MAX_MULTIPLE)
    write_multiplier: Quantity = quantity("cache write price on a miss, multiple of the input price (Anthropic 1.25)", default=1.25, hi=MAX_MULTIPLE)
    cached_tokens: Quantity | None = quantity("cached prefix length; default: all of llm.prompt_tokens", unit="tokens", default=None, hi=MAX_TOKENS_PER_QUERY)
    model: str | None = text("catalog model whose cache prices fill the multipliers; default: llm.model", default=None)


@dataclass(frozen=True, kw_only=True)
class Retrieval:
    """Embeddings, vector store and (re-)indexing."""

    embedding_tokens_per_query: Quantity = quantity("tokens embedded per query", unit="tokens", default=0, hi=MAX_TOKENS_PER_QUERY)
    embedding_usd_per_mtok: Quantity = quantity("embedding price", unit="USD per million tokens", default=0, hi=MAX_USD_PER_MTOK)
    vector_store_usd_per_month: Quantity = quantity("vector store, fixed", unit="USD/month", default=0, hi=MAX_USD)
    corpus_tokens: Quantity = quantity("corpus size, embedded once at t = 0", unit="tokens", default=0, hi=MAX_CORPUS_TOKENS)
    reindex_every_months: Quantity | None = quantity("re-index cadence from t = 0 (fractional: 1.5 = months 2, 3, 5, 6, ...)", unit="months", default=None, lo=MIN_CADENCE_MONTHS)
    reindex_share: Quantity = quantity("share of the corpus re-embedded at each re-index", unit="fraction", default=1, hi=1)
    model: str | None = text("embedding model in the price catalog: fills embedding_usd_per_mtok", default=None)


@dataclass(frozen=True, kw_only=True)
class Training:
    """The fine-tune: one-time build and retraining."""

    curation_hours: Quantity = quantity("data curation and labelling (article: 40-200 h for 5k examples)", unit="hours", default=0, hi=MAX_HOURS)
    engineer_weeks: Quantity = quantity("engineering for the build: training, evals, integration", unit="weeks", default=0, hi=MAX_WEEKS)
    run_usd: Quantity | None = quantity("the training run (article: $50-$10,000); or give training_tokens x epochs x price", unit="USD", default=None, hi=MAX_USD)
    training_tokens: Quantity | None = quantity("tokens in the training set, counted once (one epoch): the run costs training_tokens x epochs x training_usd_per_mtok / 1e6", unit="tokens", default=None, hi=MAX_CORPUS_TOKENS)
    epochs: Quantity | None = quantity("passes over the training set (each pass bills training_tokens again)", default=None, positive=True, hi=MAX_EPOCHS)
    training_usd_per_mtok: Quantity | None = quantity("training price per million tokens processed (not affected by price_decline_per_year)", unit="USD per million tokens", default=None, hi=MAX_USD_PER_MTOK)
    eval_usd: Quantity = quantity("evaluation of a trained model", unit="USD", default=0, hi=MAX_USD)
    retrain_every_months: Quantity | None = quantity("retrain cadence from t = 0 (article: ~monthly to quarterly); absent = never", unit="months", default=None, lo=MIN_CADENCE_MONTHS)
    retrain_run_usd: Quantity | None = quantity("cost of a retraining run; default: the same draw as the first run", unit="USD", default=None, hi=MAX_USD)
    retrain_eval_usd: Quantity | None = quantity("evaluation per retrain; default: eval_usd", unit="USD", default=None, hi=MAX_USD)
    retrain_curation_share: Quantity = quantity("share of the curation hours redone at each retrain", unit="fraction", default=0, hi=1)
    retrain_engineer_weeks: Quantity = quantity("engineering per retrain", unit="weeks", default=0, hi=MAX_WEEKS)
    model: str | None = text("catalog model whose training price fills training_usd_per_mtok (unless run_usd is given); "
                             "default: llm.model when llm.tuned", default=None)

    def validate(self, path: str, registry: Registry) -> None:
        by_tokens = [self.training_tokens, self.epochs, self.training_usd_per_mtok]
        if self.run_usd is not None and any(v is not None for v in by_tokens):
            raise ScenarioError("give either run_usd or training_tokens, epochs and training_usd_per_mtok, not both", path=path)
        if self.run_usd is None and not all(v is not None for v in by_tokens):
            missing = [n for n, v in zip(("training_tokens", "epochs", "training_usd_per_mtok"), by_tokens) if v is None]
            if len(missing) == 3:
                raise ScenarioError("missing the training run: give run_usd, or training_tokens, epochs and training_usd_per_mtok", path=path)
            raise ScenarioError(f"missing {', '.join(missing)} to price the run from tokens (or give run_usd)", path=path)


@dataclass(frozen=True, kw_only=True)
class Hosting:
    """A provider-hosted tuned model's fixed fee."""

    fee_usd_per_month: Quantity = quantity("hosting fee for the tuned model (no price decline; pro rata before launch)", unit="USD/month", default=0, hi=MAX_USD)
    model: str | None = text("catalog model whose hosting fee fills fee_usd_per_month; default: llm.model when llm.tuned", default=None)


@dataclass(frozen=True, kw_only=True)
class SelfHosted:
    """Serving on rented GPUs: replicas = max(min_replicas, ceil(tokens / capacity))."""

    gpu_usd_per_hour: Quantity = quantity("price per GPU replica (article: L40S $0.65 reserved); a month is 730.5 hours; or from gpu", unit="USD/hour", hi=MAX_USD)
    throughput_tokens_per_second: Quantity = quantity("tokens one replica serves per second; a month is 2,629,800 seconds; or from model on gpu", unit="tokens/s", lo=MIN_TOKENS_PER_SECOND, hi=MAX_TOKENS_PER_SECOND)
    utilization: Quantity = quantity("average share of capacity usable (peaks, headroom)", unit="fraction", hi=1, lo=MIN_UTILIZATION)
    min_replicas: int = integer("replicas kept running however low the volume", default=1, lo=0, hi=1_000_000)
    tokens_per_query: Quantity | None = quantity("tokens per query the GPUs process; default: all llm input + output tokens", unit="tokens", default=None, hi=MAX_TOKENS_PER_QUERY)
    ops_usd_per_month: Quantity = quantity("operations (article: $2k+/month)", unit="USD/month", default=0, hi=MAX_USD)
    model: str | None = text("open model in the catalog (e.g. llama-3.1-8b): fills the throughput on gpu", default=None)
    gpu: str | None = text("GPU in the catalog (l40s, a100-80gb, h100): fills gpu_usd_per_hour, uniform over its range; "
                           "default with model: the one GPU the catalog has a throughput for", default=None)
    gpu_pricing: str = text("which catalog rate range gpu takes", default="on_demand", choices=("on_demand", "reserved"))


@dataclass(frozen=True, kw_only=True)
class Labour:
    """Engineering time priced at [team] engineer_week_usd."""

    setup_weeks: Quantity = quantity("one-time setup (article: RAG prototype ~1 week)", unit="weeks", default=0, hi=MAX_WEEKS)
    maintenance_weeks_per_month: Quantity = quantity("ongoing maintenance", unit="weeks/month", default=0, hi=MAX_WEEKS)


@dataclass(frozen=True, kw_only=True)
class Quality:
    """Risk-adjusted cost of wrong answers."""

    error_rate: Quantity = quantity("share of queries answered wrongly (at the last retrain, for a tuned model)", unit="fraction", hi=1)
    cost_per_error_usd: Quantity = quantity("cost of one error: a human fix, a lost ticket", unit="USD", hi=MAX_USD)
    drift_pp_per_quarter: Quantity = quantity("error-rate rise since the last retrain (article: 2-5 pp/quarter)", unit="percentage points/quarter", default=0, hi=100)


@dataclass(frozen=True, kw_only=True)
class Escalation:
    """A share of queries re-run on a frontier model (hybrid)."""

    share: Quantity = quantity("share of queries escalated", unit="fraction", hi=1)
    input_tokens: Quantity = quantity("input per escalated query", unit="tokens", hi=MAX_TOKENS_PER_QUERY)
    output_tokens: Quantity = quantity("output per escalated query", unit="tokens", hi=MAX_TOKENS_PER_QUERY)
    input_usd_per_mtok: Quantity = quantity("frontier input price; or from model", unit="USD per million tokens", hi=MAX_USD_PER_MTOK)
    output_usd_per_mtok: Quantity = quantity("frontier output price; or from model", unit="USD per million tokens", hi=MAX_USD_PER_MTOK)
    model: str | None = text("frontier model in the price catalog: fills the two prices", default=None)


@dataclass(frozen=True, kw_only=True)
class Latency:
    """The cost of users' wait, per query: time to first token plus generation time, priced per second."""

    prefill_tokens_per_second: Quantity = quantity(
        "input tokens read per second: time to first token = overhead_seconds + (llm prompt_tokens + context_tokens "
        "+ user_tokens) / prefill_tokens_per_second", unit="tokens/s", lo=MIN_TOKENS_PER_SECOND, hi=MAX_TOKENS_PER_SECOND)
    decode_tokens_per_second: Quantity = quantity(
        "output tokens generated per second: generation time = llm.output_tokens / decode_tokens_per_second",
        unit="tokens/s", lo=MIN_TOKENS_PER_SECOND, hi=MAX_TOKENS_PER_SECOND)
    overhead_seconds: Quantity = quantity("fixed wait per query before the first token: network, queueing, retrieval",
                                          unit="seconds", default=0, hi=MAX_WAIT_SECONDS)
    usd_per_second: Quantity = quantity(
        "value of one second of a user's wait: cost per query = (time to first token + generation time) x "
        "usd_per_second; usually a shared input, so every strategy prices a second alike", unit="USD/second", hi=MAX_USD)


@dataclass(frozen=True, kw_only=True)
class EndOfLife:
    """The platform closes: migrate to a successor strategy."""

    month: Quantity | None = quantity("month the platform closes (fractional months round up)", unit="months", default=None, hi=MAX_MONTHS)
    probability_per_year: Quantity | None = quantity("or: chance per year that the platform closes", unit="fraction", default=None, hi=1)
    migration_usd: Quantity = quantity("one-time cost to move: re-curation, re-training, re-evaluation", unit="USD", default=0, hi=MAX_USD)
    successor: str = text("strategy whose monthly costs apply from the closing month on")
    event: Quantity | None = None  # an Exp(1) draw, registered when probability_per_year is given

    def validate(self, path: str, registry: Registry) -> None:
        if (self.month is None) == (self.probability_per_year is None):
            raise ScenarioError("give exactly one of month or probability_per_year", path=path)
        if self.probability_per_year is not None:
            event = registry.add(f"{path}.event", parse_distribution({"dist": "exponential", "mean": 1.0}, f"{path}.event"))
            object.__setattr__(self, "event", event)


@dataclass(frozen=True, kw_only=True)
class Strategy:
    """One way to serve the workload: a sum of cost components."""

    label: str | None = text("name on charts; default: the strategy key", default=None)
    launch_weeks: Quantity = quantity("weeks from t = 0 until it serves (article: RAG ~1, fine-tune 3-6); see Launch delay below", unit="weeks", default=0, hi=MAX_WEEKS)
    delay_cost_usd_per_month: Quantity = quantity("value forgone per month before launch, pro rata", unit="USD/month", default=0, hi=MAX_USD)
    interim: str | None = text("strategy that serves the queries until this one launches (e.g. the incumbent): its "
                               "monthly and per-query costs apply, pro rata, before launch; its one-time costs do not", default=None)
    price_decline_per_year: Quantity = quantity("yearly fall of token prices: LLM input and output (a tuned premium stays a share of the falling price), cache, embeddings per query and at re-indexes, escalation; month t pays (1 - d)^((t - 1) / 12) of today's price. Not the hosting fee, GPUs, vector store, training, labour or quality", unit="fraction", default=0, hi=0.99)
    one_time_usd: Quantity = quantity("any other one-time cost at t = 0", unit="USD", default=0, hi=MAX_USD)
    fixed_usd_per_month: Quantity = quantity("any other fixed monthly cost once launched", unit="USD/month", default=0, hi=MAX_USD)
    llm: LlmCalls | None = section(LlmCalls, "per-query model calls")
    cache: PromptCache | None = section(PromptCache, "prompt caching (needs llm)")
    retrieval: Retrieval | None = section(Retrieval, "retrieval: embeddings, vector store, indexing")
    training: Training | None = section(Training, "fine-tuning: build and retraining")
    hosting: Hosting | None = section(Hosting, "hosted tuned model's fee")
    self_hosted: SelfHosted | None = section(SelfHosted, "GPU serving (needs llm for tokens)")
    labour: Labour | None = section(Labour, "engineering setup and maintenance")
    quality: Quality | None = section(Quality, "cost of errors, with drift between retrains. ABSENT = ERROR-FREE: a strategy without it pays nothing for wrong answers")
    escalation: Escalation | None = section(Escalation, "share of queries re-run on a frontier model")
    latency: Latency | None = section(Latency, "users' wait priced per second (needs llm for tokens; "
                                      "prompt caching and escalated re-runs do not change it); absent = not counted")
    end_of_life: EndOfLife | None = section(EndOfLife, "platform closing and migration")

    def validate(self, path: str, registry: Registry) -> None:
        if self.cache is not None and self.llm is None:
            raise ScenarioError("prompt caching needs an [llm] section", path=f"{path}.cache")
        if self.self_hosted is not None and self.llm is None and self.self_hosted.tokens_per_query is None:
            raise ScenarioError("self-hosted serving needs an [llm] section or tokens_per_query", path=f"{path}.self_hosted")
        if self.latency is not None and self.llm is None:
            raise ScenarioError("latency needs an [llm] section (its tokens set the wait)", path=f"{path}.latency")


# --- scenario-level sections ----------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class Meta:
    name: str | None = text("short name for report folders; default: the file name", default=None)
    title: str | None = text("human title for charts", default=None)
    description: str | None = text("what the scenario models", default=None)
    sources: tuple[str, ...] = texts("where the figures come from", default=())
    currency: str = text("currency of every amount", default="USD")
    horizon_months: int = integer("months simulated", unit="months", default=36, lo=1, hi=600)
    analysis_horizons_months: tuple[int, ...] | None = integers("horizons for P(win) curves; default 12/24/36 up to the horizon", unit="months", default=None, hi=600)
    discount_rate_per_year: Quantity = quantity("annual discount rate (finance: 0.08-0.12)", unit="fraction", default=0, lo=-0.5, hi=1)
    baseline: str = text("the strategy every other is compared with")

    def validate(self, path: str, registry: Registry) -> None:
        if self.name is not None:
            problem = name_problem(self.name)
            if problem:
                raise ScenarioError(problem, path=f"{path}.name")


# The name becomes a report folder: it must not climb out of --out (no '/', no '..'), hide (no
# leading '.'), break a one-line message (no control characters) or exceed the file system's name
# length. Letters of any script are fine.
_NAME = re.compile(r"[^\W_][\w.-]*")


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a report folder, or None if it can."""
    shown = name if name.isprintable() else name.encode("unicode_escape").decode("ascii")
    if not name:
        return "the report name is empty"
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return (f"the report name is {len(name.encode('utf-8'))} bytes long (UTF-8); "
                f"the limit is {MAX_NAME_BYTES}")
    if not _NAME.fullmatch(name) or ".." in name:
        return (f"'{shown}' is not a usable report name: use letters, digits, '.', '_' and '-' "
                "(no '..'), starting with a letter or digit")
    return None


def report_name_from_file(stem: str) -> str:
    """The default report name: the file stem, made safe where it must be.

    A stem is kept as it is (spaces and any script included) unless it holds characters a
    folder name must not: each run of control characters (a newline, NUL) becomes one '-',
    leading dots are dropped (a hidden folder), so are dashes and spaces at either end, and a stem over :data:`MAX_NAME_BYTES` bytes is cut
    there. A stem left empty is an error asking for ``[scenario] name``.
    """
    name = re.sub(r"[^\S ]+|[\x00-\x1f\x7f-\x9f]+", "-", stem)  # whitespace but spaces, controls
    name = "".join(c if c.isprintable() else "-" for c in name).lstrip(". ")
    while len(name.encode("utf-8")) > MAX_NAME_BYTES:
        name = name[:-1]
    name = name.strip("- ")
    if not name or name.strip(".") == "" or "/" in name:
        raise ScenarioError(f"the file name '{stem.encode('unicode_escape').decode('ascii')}' gives no usable "
                            "report name; set [scenario] name = \"...\" (letters, digits, '.', '_', '-')",
                            path="scenario.name")
    return name


@dataclass(frozen=True, kw_only=True)
class Volume:
    queries_per_month: float = number("your volume at t = 1", unit="queries/month", lo=0, hi=MAX_QUERIES_PER_MONTH, positive=True)
    growth_per_month: Quantity = quantity("monthly growth of volume", unit="fraction", default=0, lo=-0.5, hi=2)
    ceiling_queries_per_month: float | None = number("cap on monthly volume", unit="queries/month", default=None, lo=0, hi=MAX_QUERIES_PER_MONTH, positive=True)
    sweep_min: float = number("lowest start volume of the P(win) sweep", unit="queries/month", default=1e3, lo=1, hi=MAX_QUERIES_PER_MONTH)
    sweep_max: float = number("highest start volume of the sweep", unit="queries/month", default=1e7, lo=1, hi=MAX_QUERIES_PER_MONTH)
    sweep_points: int = integer("log-spaced volumes in the sweep", default=41, lo=2, hi=1000)

    def validate(self, path: str, registry: Registry) -> None:
        if self.sweep_min >= self.sweep_max:
            raise ScenarioError(f"sweep_min ({self.sweep_min:g}) must be below sweep_max ({self.sweep_max:g})", path=f"{path}.sweep_min")


@dataclass(frozen=True, kw_only=True)
class Team:
    engineer_week_usd: Quantity = quantity("loaded cost of an engineer-week (MODEL.md §7: ~$4.1-4.7k)", unit="USD/week", hi=MAX_USD)
    hours_per_week: float = number("hours in an engineer-week", unit="hours", default=40, lo=1, hi=168)
    curation_usd_per_hour: Quantity | None = quantity("hourly rate for curation; default: engineer_week_usd / hours_per_week", unit="USD/hour", default=None, hi=MAX_USD)


@dataclass(frozen=True, kw_only=True)
class Simulation:
    samples: int = integer("Monte Carlo samples", default=20_000, lo=2, hi=100_000_000)
    seed: int = integer("seed: the same seed reproduces the run bit for bit", default=DEFAULT_SEED, lo=0, hi=2**63 - 1)
    sampler: str = text("sampling scheme", default="lhs", choices=SAMPLERS)


@dataclass(frozen=True, kw_only=True)
class Correlation:
    inputs: tuple[str, ...] = texts("names of shared inputs (from [inputs] or team.engineer_week_usd)")
    matrix: tuple[tuple[float, ...], ...] = number_matrix("Spearman rank correlations, one row per input")


# --- the scenario ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scenario:
    """A validated scenario. ``inputs`` maps every input name to its distribution."""

    name: str
    meta: Meta
    volume: Volume
    team: Team | None
    simulation: Simulation
    strategies: dict[str, Strategy]
    inputs: dict[str, Distribution]
    correlation: RankCorrelation | None
    source_hash: str
    analysis_horizons: tuple[int, ...]  # sorted, each <= the horizon; defaults filled in
    file: str | None = None
    overrides: tuple[str, ...] = ()  # the --set KEY=VALUE texts applied to the file, in order
    catalog: tuple[Any, ...] = ()  # ftrag_mc.catalog.CatalogUse: price keys the catalog filled, and from what

    @property
    def title(self) -> str:
        return self.meta.title or self.name

    @property
    def baseline(self) -> str:
        return self.meta.baseline

    @property
    def horizon_months(self) -> int:
        return self.meta.horizon_months

    @property
    def challengers(self) -> tuple[str, ...]:
        return tuple(s for s in self.strategies if s != self.baseline)

    def label(self, strategy: str) -> str:
        return self.strategies[strategy].label or strategy

    @property
    def uncertain_inputs(self) -> dict[str, Distribution]:
        return {k: d for k, d in self.inputs.items() if not d.is_constant}


_TOP_LEVEL = {
    "scenario": "horizon, discounting, baseline, title",
    "volume": "start volume, growth, ceiling, sweep",
    "team": "loaded engineer cost",
    "simulation": "samples, seed, sampler",
    "inputs": "shared inputs, named once and used by several strategies",
    "correlation": "rank correlations between shared inputs",
    "strategies": "the strategies, one table each",
}


def parse_scenario(table: Mapping[str, Any], *, name: str = "scenario", file: str | None = None,
                   source_hash: str | None = None) -> Scenario:
    """Validate a parsed TOML table and build a :class:`Scenario`.

    Raises
    ------
    ScenarioError
        Naming the file (when given), the key path and what is wrong.
    """
    try:
        return _parse(table, name=name, file=file, source_hash=source_hash)
    except ScenarioError as error:
        raise error.with_file(file) if file else error


def _parse(table: Mapping[str, Any], *, name: str, file: str | None, source_hash: str | None) -> Scenario:
    table = check_table(dict(table), "", "a table")
    for key in table:
        if key not in _TOP_LEVEL:
            raise ScenarioError(f"unknown section [{key}]{did_you_mean(key, _TOP_LEVEL)} "
                                f"(expected: {', '.join(_TOP_LEVEL)})", path=key)
    for required in ("scenario", "volume", "strategies"):
        if required not in table:
            raise ScenarioError(f"missing section [{required}] ({_TOP_LEVEL[required]})")

    registry = Registry()
    for input_name, value in check_table(table.get("inputs", {}), "inputs").items():
        path = f"inputs.{input_name}"
        any_value = {"kind": "quantity", "lo": -math.inf, "hi": math.inf, "positive": False}
        if isinstance(value, str):
            raise ScenarioError("a shared input must be a number or a distribution table, not a reference", path=path)
        registry.shared[input_name] = parse_quantity(value, path, any_value, registry)

    team = parse_record(Team, table["team"], "team", registry) if "team" in table else None
    if team is not None:
        registry.shared.setdefault("team.engineer_week_usd", team.engineer_week_usd)
    meta = parse_record(Meta, table["scenario"], "scenario", registry)
    volume = parse_record(Volume, table["volume"], "volume", registry)
    _check_growth(volume, meta.horizon_months)
    if meta.name is None:
        name = report_name_from_file(name)
    simulation = parse_record(Simulation, table.get("simulation", {}), "simulation", registry)

    strategy_tables = check_table(table["strategies"], "strategies")
    if len(strategy_tables) < 2:
        raise ScenarioError("define at least two strategies (a baseline and a challenger)", path="strategies")
    strategies = {}
    catalog_uses: list[Any] = []
    for key, strategy_table in strategy_tables.items():
        if not key.strip() or not key.isprintable():
            shown = key.encode("unicode_escape").decode("ascii")
            raise ScenarioError("a strategy key must be a non-empty name without control characters "
                                f"(got \"{shown}\")", path=f'strategies."{shown}"')
        strategy_table, uses = _resolve_models(strategy_table, f"strategies.{key}")
        catalog_uses.extend(uses)
        strategies[key] = parse_record(Strategy, strategy_table, f"strategies.{key}", registry)

    _check_references(meta, strategies, team)

    correlation = None
    if "correlation" in table:
        spec = parse_record(Correlation, table["correlation"], "correlation", registry)
        correlation = _parse_correlation(spec, registry)

    if source_hash is None:
        source_hash = hashlib.sha256(json.dumps(table, sort_keys=True, default=str).encode()).hexdigest()
    if catalog_uses:
        # The file names a model, the catalog supplies the price: a new catalog price is a new scenario.
        from ftrag_mc.catalog import catalog_digest
        source_hash = hashlib.sha256(source_hash.encode() + b"\0catalog\0" + catalog_digest(catalog_uses)).hexdigest()
    return Scenario(name=meta.name or name, meta=meta, volume=volume, team=team, simulation=simulation,
                    strategies=strategies, inputs=dict(registry.inputs), correlation=correlation,
                    source_hash=source_hash, analysis_horizons=_analysis_horizons(meta), file=file,
                    catalog=tuple(catalog_uses))


_CATALOG_DOC = [
    "#### Prices from the catalog", "",
    "A component that names a `model` takes its prices from the price catalog (`ftrag-mc prices`); any key",
    "given explicitly wins over the catalog, and `--set` overrides both. What each `model` fills:", "",
    "| table | `model` fills | default `model` |", "| --- | --- | --- |",
    "| `llm` | `input_usd_per_mtok`, `output_usd_per_mtok`; with `tuned = true` also `input_premium` and "
    "`output_premium`, each the tuned price / base price − 1 | — |",
    "| `cache` | `read_multiplier`, `write_multiplier` (the model's cache prices over its input price) | `llm.model` |",
    "| `training` | `training_usd_per_mtok`, unless `run_usd` is given | `llm.model` when `llm.tuned` |",
    "| `hosting` | `fee_usd_per_month` | `llm.model` when `llm.tuned` |",
    "| `retrieval` | `embedding_usd_per_mtok` (an embedding model) | — |",
    "| `escalation` | `input_usd_per_mtok`, `output_usd_per_mtok` | — |",
    "| `self_hosted` | `throughput_tokens_per_second` (an open model on `gpu`); `gpu` fills `gpu_usd_per_hour`, "
    "uniform over the catalog's `gpu_pricing` range | — |", "",
    "A tuned model is its base model with premiums, so a price decline moves both together. A price the",
    "catalog lacks is an error naming the key to give instead (e.g. `tuned = true` for a model with no",
    "published fine-tuning: give the premiums). Token prices are the base tier (prompts under any long-",
    "context threshold). The scenario hash covers the filled-in prices, `run.json` lists the catalog entries",
    "used (`catalog_entries`: name, as_of, source), and `validate` notes any older than a year.",
]

_CATALOG_KEYS = frozenset({"model", "gpu", "tuned"})


def _resolve_models(table: Any, path: str) -> tuple[Any, tuple[Any, ...]]:
    """Fill price keys from the price catalog where a component names a model (the catalog loads only then)."""
    if not isinstance(table, dict) or not any(isinstance(v, dict) and _CATALOG_KEYS & v.keys() for v in table.values()):
        return table, ()
    from ftrag_mc.catalog import resolve_strategy

    return resolve_strategy(table, path)


def _check_growth(volume: Volume, horizon_months: int) -> None:
    """Volume grows by (1 + g)^(H - 1) over the horizon; at the largest g drawable it must stay
    below :data:`MAX_GROWTH_FACTOR` (see the magnitude limits)."""
    g_high = drawable_range(volume.growth_per_month.distribution)[1]
    capped = volume.ceiling_queries_per_month is not None
    limit = MAX_GROWTH_FACTOR_WITH_CEILING if capped else MAX_GROWTH_FACTOR
    log_factor = (horizon_months - 1) * math.log1p(g_high)
    if log_factor > math.log(limit):
        hint = "narrow it or shorten the horizon" if capped else "give ceiling_queries_per_month, narrow it or shorten the horizon"
        raise ScenarioError(
            f"growth of up to {g_high:.4g} a month compounds to {math.exp(min(log_factor, 700)):.3g}x over "
            f"{horizon_months} months, above the {_power_text(limit)}x limit; {hint}", path="volume.growth_per_month")


def _power_text(value: float) -> str:
    return f"{value:.0e}".replace("e+0", "e").replace("e+", "e")


def _analysis_horizons(meta: Meta) -> tuple[int, ...]:
    horizon = meta.horizon_months
    if meta.analysis_horizons_months is None:
        return tuple(sorted({h for h in (12, 24, 36) if h < horizon} | {horizon}))
    for i, h in enumerate(meta.analysis_horizons_months):
        if h > horizon:
            raise ScenarioError(f"{h} months is beyond horizon_months ({horizon})", path=f"scenario.analysis_horizons_months[{i}]")
    return tuple(sorted(set(meta.analysis_horizons_months)))


def _check_references(meta: Meta, strategies: dict[str, Strategy], team: Team | None) -> None:
    if meta.baseline not in strategies:
        raise ScenarioError(f"'{meta.baseline}' is not a strategy (strategies: {', '.join(strategies)})", path="scenario.baseline")
    for key, strategy in strategies.items():
        path = f"strategies.{key}"
        if strategy.interim is not None:
            _check_link(strategy.interim, key, strategies, f"{path}.interim", "interim",
                        chained=strategies.get(strategy.interim, strategy).interim is not None)
        if strategy.end_of_life is not None:
            successor = strategy.end_of_life.successor
            _check_link(successor, key, strategies, f"{path}.end_of_life.successor", "successor",
                        chained=strategies.get(successor, strategy).end_of_life is not None)
        needs_team = [
            (strategy.labour, "labour"),
            (strategy.training is not None and _nonzero(strategy.training.engineer_weeks, strategy.training.curation_hours,
                                                        strategy.training.retrain_engineer_weeks), "training"),
        ]
        for used, where in needs_team:
            if used and team is None:
                raise ScenarioError("engineering time is priced by [team] engineer_week_usd; add a [team] section",
                                    path=f"{path}.{where}")


def _check_link(target: str, key: str, strategies: dict[str, Strategy], path: str, role: str, *, chained: bool) -> None:
    """An interim or a successor must be another strategy, and not one that links on again."""
    if target not in strategies or target == key:
        raise ScenarioError(f"{role} '{target}' must be another strategy (strategies: {', '.join(strategies)})", path=path)
    if chained:
        kind = "an interim" if role == "interim" else "an end_of_life"
        raise ScenarioError(f"{role} '{target}' has {kind} of its own; chains are not supported", path=path)


def _nonzero(*quantities: Quantity) -> bool:
    return any(not (q.is_constant and q.distribution.median == 0) for q in quantities)


def _parse_correlation(spec: Correlation, registry: Registry) -> RankCorrelation:
    names = []
    for i, input_name in enumerate(spec.inputs):
        name = input_name.removeprefix("inputs.")
        if name not in registry.shared:
            raise ScenarioError(f"'{input_name}' is not a shared input (known: {', '.join(registry.shared)})",
                                path=f"correlation.inputs[{i}]")
        quantity_ = registry.shared[name]
        if quantity_.is_constant:
            raise ScenarioError(f"'{input_name}' is a constant; only uncertain inputs can be correlated",
                                path=f"correlation.inputs[{i}]")
        names.append(quantity_.name)
    return parse_rank_correlation(names, [list(row) for row in spec.matrix], "correlation.matrix",
                                  names_path="correlation.inputs")


#: A scenario is a page of TOML; the largest shipped one is ~7 KB. Larger files are refused before
#: they are read (at most this many bytes plus one are ever read).
MAX_FILE_BYTES = 2**20
#: Tables and arrays nested deeper than this are refused: a scenario nests four levels (strategies,
#: a strategy, a component, a distribution), and deep nesting exhausts Python's recursion.
MAX_NESTING = 16


def read_scenario_table(path: str | Path) -> tuple[dict[str, Any], bytes]:
    """Read a scenario file: its TOML table and its bytes (for the hash), not yet validated.

    Only a regular file of at most :data:`MAX_FILE_BYTES` is read: a folder, a device
    (/dev/zero), a FIFO or a socket is refused without blocking (it is opened non-blocking and
    checked before any read), and TOML nested deeper than :data:`MAX_NESTING` is refused.

    Raises
    ------
    ScenarioError
        If the file cannot be read, is not a regular file, is too large, or is not valid UTF-8 TOML.
    """
    path = Path(path)
    raw = _read_limited(path)
    return decode_scenario_bytes(raw, str(path)), raw


def decode_scenario_bytes(raw: bytes, file: str) -> dict[str, Any]:
    """The TOML table in ``raw`` (a file's bytes, or stdin's), not yet validated.

    Raises
    ------
    ScenarioError
        If ``raw`` is larger than :data:`MAX_FILE_BYTES`, not valid UTF-8 TOML, or nested too deep;
        the message names ``file``.
    """
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(f"is larger than {MAX_FILE_BYTES:,} bytes (1 MiB), the limit for a scenario file", file=file)
    try:
        table = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ScenarioError("not a UTF-8 text file", file=file) from None
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"invalid TOML: {error}", file=file) from None
    except RecursionError:
        raise ScenarioError(f"invalid scenario: tables or arrays nested deeper than {MAX_NESTING} levels",
                            file=file) from None
    except ValueError as error:  # an integer of more digits than Python converts (4,300)
        raise ScenarioError(f"invalid TOML: {str(error).split(';')[0]}", file=file) from None
    where = _too_deep(table, MAX_NESTING)
    if where is not None:
        raise ScenarioError(f"tables or arrays nested deeper than {MAX_NESTING} levels", path=where or None,
                            file=file)
    return table


def _read_limited(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_FILE_BYTES; never blocks on a FIFO or a device."""
    def refuse(message: str) -> ScenarioError:
        return ScenarioError(message, file=str(path))

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except IsADirectoryError:
        raise refuse("is a folder, not a scenario file") from None
    except OSError as error:
        raise refuse(f"cannot read the file: {error.strerror or error}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise refuse("is a folder, not a scenario file")
        if not stat.S_ISREG(info.st_mode):
            raise refuse("is not a regular file (a device, a FIFO or a socket); give a .toml file")
        if info.st_size > MAX_FILE_BYTES:
            raise refuse(f"is {info.st_size:,} bytes; a scenario file may hold at most {MAX_FILE_BYTES:,} (1 MiB)")
        with os.fdopen(fd, "rb", closefd=True) as f:
            fd = -1
            raw = f.read(MAX_FILE_BYTES + 1)  # the size can change between fstat and read
    except OSError as error:
        raise refuse(f"cannot read the file: {error.strerror or error}") from None
    finally:
        if fd >= 0:
            os.close(fd)
    if len(raw) > MAX_FILE_BYTES:
        raise refuse(f"is larger than {MAX_FILE_BYTES:,} bytes (1 MiB), the limit for a scenario file")
    return raw


def _too_deep(value: Any, limit: int) -> str | None:
    """The key path of the first table or array nested deeper than ``limit``, or None (iterative)."""
    stack = [(value, "", 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, dict):
            children = ((f"{path}.{k}" if path else str(k), v) for k, v in item.items())
        elif isinstance(item, list):
            children = ((f"{path}[{i}]", v) for i, v in enumerate(item))
        else:
            continue
        if depth >= limit:
            return path
        stack.extend((child, child_path, depth + 1) for child_path, child in children)
    return None


def load_scenario(path: str | Path, overrides: Iterable[str | Override] = ()) -> Scenario:
    """Read and validate a scenario file, with what-if overrides applied before validation.

    Parameters
    ----------
    path
        The TOML file.
    overrides
        ``KEY=VALUE`` texts (``--set``), e.g. ``strategies.ft.training.run_usd=8000``, applied in
        order; see :mod:`ftrag_mc.overrides`. Each is validated like the file, and an error about
        one says ``(from --set)``. ``source_hash`` covers the file's bytes and the overrides, and
        ``Scenario.overrides`` keeps the texts.

    Raises
    ------
    ScenarioError
        If the file cannot be read, is not valid TOML, an override is malformed, or validation fails.
    """
    table, raw = read_scenario_table(path)
    return parse_scenario_with_overrides(table, overrides, name=Path(path).stem, file=str(path), source_bytes=raw)


def load_scenario_bytes(raw: bytes, overrides: Iterable[str | Override] = (), *, file: str = "<stdin>",
                        name: str = "stdin") -> Scenario:
    """:func:`load_scenario` of bytes read elsewhere (``validate -`` reads stdin); errors name ``file``."""
    return parse_scenario_with_overrides(decode_scenario_bytes(raw, file), overrides, name=name, file=file,
                                         source_bytes=raw)


def parse_scenario_with_overrides(table: Mapping[str, Any], overrides: Iterable[str | Override] = (), *,
                                  name: str = "scenario", file: str | None = None,
                                  source_bytes: bytes | None = None) -> Scenario:
    """:func:`parse_scenario` of ``table`` with ``overrides`` set first (``table`` is not changed).

    ``source_bytes`` are what the scenario was read from (the file's bytes); without them the
    table's canonical JSON stands in. With no overrides the result equals ``parse_scenario``'s.
    """
    overrides = list(overrides)
    if source_bytes is None:
        source_bytes = json.dumps(table, sort_keys=True, default=str).encode()
    if not overrides:
        return parse_scenario(table, name=name, file=file, source_hash=hashlib.sha256(source_bytes).hexdigest())
    try:
        parsed = parse_overrides(overrides)
        changed = apply_overrides(table, parsed)
    except ScenarioError as error:
        raise (error.with_file(file) if file else error) from None
    source_hash = hashlib.sha256(source_bytes + b"\0overrides\0" + override_digest(parsed)).hexdigest()
    try:
        scenario = parse_scenario(changed, name=name, file=file, source_hash=source_hash)
    except ScenarioError as error:
        raise annotate_error(error, overrides, table) from None
    return dataclasses.replace(scenario, overrides=tuple(format_override(o) for o in overrides))


def describe_format() -> str:
    """The scenario file reference, in Markdown, generated from the schema and the distribution registry."""
    from ftrag_mc.distributions import FAMILIES

    lines = ["#### Distributions", "",
             "Any quantity may be a distribution: an inline table whose `dist` names the family. Continuous",
             "families also take `truncate = [low, high]`.", "",
             "| `dist` | parameters |", "| --- | --- |"]
    lines += [f"| `{name}` | {family.params_doc.replace(' | ', ' *or* ')} |" for name, family in FAMILIES.items()]
    lines += ["", "A quantity is a number, a distribution table, or the name of a shared input in `[inputs]`",
              "(written `\"name\"` or `\"inputs.name\"`). `[inputs]` holds `name = number or distribution` lines.", ""]
    for cls, header in ((Meta, "[scenario]"), (Volume, "[volume]"), (Team, "[team]"), (Simulation, "[simulation]"),
                        (Correlation, "[correlation]"), (Strategy, "[strategies.<name>]")):
        lines.extend(describe_record(cls, header))
    lines.extend(_model_notes())
    lines += ["", *_CATALOG_DOC]
    return "\n".join(lines)


def _model_notes() -> list[str]:
    """How the model reads the keys above: the answers a user would otherwise guess (numbers from
    the code's own constants)."""
    from ftrag_mc.model import calendar

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
        "#### Limits",
        "",
        "Every bounded key above states its range; a distribution must keep the values the sampler can draw",
        "(u between 2^-53 and 1 - 2^-53, so a lognormal's tail counts) inside it. The magnitude limits keep every",
        "cost the model forms finite with a wide margin (the largest product of inputs is about 3e40 USD a month,",
        f"against float64's 1.8e308): volumes up to {_power_text(MAX_QUERIES_PER_MONTH)} queries/month, tokens per query up to",
        f"{_power_text(MAX_TOKENS_PER_QUERY)}, corpus and training tokens up to {_power_text(MAX_CORPUS_TOKENS)}, prices up to",
        f"{_power_text(MAX_USD_PER_MTOK)} USD per million tokens, amounts up to {_power_text(MAX_USD)} USD, weeks up to {_power_text(MAX_WEEKS)}.",
        f"Volume growth over the horizon, (1 + g)^(H - 1) at the largest g drawable, is at most {_power_text(MAX_GROWTH_FACTOR)}x",
        f"({_power_text(MAX_GROWTH_FACTOR_WITH_CEILING)}x with `ceiling_queries_per_month`). A scenario file is a regular file",
        f"of at most {MAX_FILE_BYTES:,} bytes (1 MiB) with tables nested at most {MAX_NESTING} deep. The report folder",
        f"is `OUT/<name>`: `[scenario] name` (letters of any script, digits, `.`, `_`, `-`; no `..`; at most",
        f"{MAX_NAME_BYTES} bytes in UTF-8), or by default the file name without `.toml`, kept as it is except that",
        "control characters (a newline, NUL) become `-`, leading dots are dropped and it is cut at the byte limit.",
        "A strategy key must be non-empty, without control characters; its `label` may be any text.",
    ]
