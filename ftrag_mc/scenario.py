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
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from ftrag_mc.distributions import Distribution, parse_distribution
from ftrag_mc.errors import ScenarioError
from ftrag_mc.overrides import Override, annotate_error, apply_overrides, format_override, override_digest, parse_overrides
from ftrag_mc.sampling import SAMPLERS, RankCorrelation, parse_rank_correlation
from ftrag_mc.schema import (
    Quantity, Registry, check_table, describe_record, did_you_mean, flag, integer, integers, number,
    number_matrix, parse_quantity, parse_record, quantity, section, text, texts,
)

DEFAULT_SEED = 2026
WEEKS_PER_MONTH = 52 / 12
"""A month is 52/12 ≈ 4.33 weeks (launch delays are given in weeks)."""


# --- components ---------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class LlmCalls:
    """Per-query calls to the serving model."""

    prompt_tokens: Quantity = quantity("static prefix per query: system prompt, few-shot examples", unit="tokens", default=0)
    context_tokens: Quantity = quantity("retrieved context per query", unit="tokens", default=0)
    user_tokens: Quantity = quantity("user input per query", unit="tokens", default=0)
    output_tokens: Quantity = quantity("output per query", unit="tokens", default=0)
    input_usd_per_mtok: Quantity = quantity("base input price (0 when self-hosted); or from model", unit="USD per million tokens")
    output_usd_per_mtok: Quantity = quantity("base output price (0 when self-hosted); or from model", unit="USD per million tokens")
    input_premium: Quantity = quantity("tuned-model surcharge on input price: 0.3 = +30 %", unit="fraction", default=0)
    output_premium: Quantity = quantity("tuned-model surcharge on output price", unit="fraction", default=0)
    model: str | None = text("hosted model in the price catalog (ftrag-mc prices): fills the two prices", default=None)
    tuned: bool = flag("a fine-tuned variant of model: fills the premiums as tuned price / base price - 1")


@dataclass(frozen=True, kw_only=True)
class PromptCache:
    """Prompt caching of the static prefix."""

    hit_rate: Quantity = quantity("share of queries that read the prefix from cache", unit="fraction", hi=1)
    read_multiplier: Quantity = quantity("cache read price as a multiple of the input price (Anthropic 0.1)", default=0.1)
    write_multiplier: Quantity = quantity("cache write price on a miss, multiple of the input price (Anthropic 1.25)", default=1.25)
    cached_tokens: Quantity | None = quantity("cached prefix length; default: all of llm.prompt_tokens", unit="tokens", default=None)
    model: str | None = text("catalog model whose cache prices fill the multipliers; default: llm.model", default=None)


@dataclass(frozen=True, kw_only=True)
class Retrieval:
    """Embeddings, vector store and (re-)indexing."""

    embedding_tokens_per_query: Quantity = quantity("tokens embedded per query", unit="tokens", default=0)
    embedding_usd_per_mtok: Quantity = quantity("embedding price", unit="USD per million tokens", default=0)
    vector_store_usd_per_month: Quantity = quantity("vector store, fixed", unit="USD/month", default=0)
    corpus_tokens: Quantity = quantity("corpus size, embedded once at t = 0", unit="tokens", default=0)
    reindex_every_months: Quantity | None = quantity("re-index cadence from t = 0 (fractional: 1.5 = months 2, 3, 5, 6, ...)", unit="months", default=None, positive=True)
    reindex_share: Quantity = quantity("share of the corpus re-embedded at each re-index", unit="fraction", default=1, hi=1)
    model: str | None = text("embedding model in the price catalog: fills embedding_usd_per_mtok", default=None)


@dataclass(frozen=True, kw_only=True)
class Training:
    """The fine-tune: one-time build and retraining."""

    curation_hours: Quantity = quantity("data curation and labelling (article: 40-200 h for 5k examples)", unit="hours", default=0)
    engineer_weeks: Quantity = quantity("engineering for the build: training, evals, integration", unit="weeks", default=0)
    run_usd: Quantity | None = quantity("the training run (article: $50-$10,000); or give training_tokens x epochs x price", unit="USD", default=None)
    training_tokens: Quantity | None = quantity("tokens in the training set", unit="tokens", default=None)
    epochs: Quantity | None = quantity("passes over the training set", default=None, positive=True)
    training_usd_per_mtok: Quantity | None = quantity("training price", unit="USD per million tokens", default=None)
    eval_usd: Quantity = quantity("evaluation of a trained model", unit="USD", default=0)
    retrain_every_months: Quantity | None = quantity("retrain cadence from t = 0 (article: ~monthly to quarterly); absent = never", unit="months", default=None, positive=True)
    retrain_run_usd: Quantity | None = quantity("cost of a retraining run; default: the same draw as the first run", unit="USD", default=None)
    retrain_eval_usd: Quantity | None = quantity("evaluation per retrain; default: eval_usd", unit="USD", default=None)
    retrain_curation_share: Quantity = quantity("share of the curation hours redone at each retrain", unit="fraction", default=0, hi=1)
    retrain_engineer_weeks: Quantity = quantity("engineering per retrain", unit="weeks", default=0)
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

    fee_usd_per_month: Quantity = quantity("hosting fee for the tuned model", unit="USD/month", default=0)
    model: str | None = text("catalog model whose hosting fee fills fee_usd_per_month; default: llm.model when llm.tuned", default=None)


@dataclass(frozen=True, kw_only=True)
class SelfHosted:
    """Serving on rented GPUs: replicas = max(min_replicas, ceil(tokens / capacity))."""

    gpu_usd_per_hour: Quantity = quantity("price per GPU replica (article: L40S $0.65 reserved); or from gpu", unit="USD/hour")
    throughput_tokens_per_second: Quantity = quantity("tokens one replica serves per second; or from model on gpu", unit="tokens/s", positive=True)
    utilization: Quantity = quantity("average share of capacity usable (peaks, headroom)", unit="fraction", hi=1, positive=True)
    min_replicas: int = integer("replicas kept running however low the volume", default=1, lo=0)
    tokens_per_query: Quantity | None = quantity("tokens per query the GPUs process; default: all llm input + output tokens", unit="tokens", default=None)
    ops_usd_per_month: Quantity = quantity("operations (article: $2k+/month)", unit="USD/month", default=0)
    model: str | None = text("open model in the catalog (e.g. llama-3.1-8b): fills the throughput on gpu", default=None)
    gpu: str | None = text("GPU in the catalog (l40s, a100-80gb, h100): fills gpu_usd_per_hour, uniform over its range; "
                           "default with model: the one GPU the catalog has a throughput for", default=None)
    gpu_pricing: str = text("which catalog rate range gpu takes", default="on_demand", choices=("on_demand", "reserved"))


@dataclass(frozen=True, kw_only=True)
class Labour:
    """Engineering time priced at [team] engineer_week_usd."""

    setup_weeks: Quantity = quantity("one-time setup (article: RAG prototype ~1 week)", unit="weeks", default=0)
    maintenance_weeks_per_month: Quantity = quantity("ongoing maintenance", unit="weeks/month", default=0)


@dataclass(frozen=True, kw_only=True)
class Quality:
    """Risk-adjusted cost of wrong answers."""

    error_rate: Quantity = quantity("share of queries answered wrongly (at the last retrain, for a tuned model)", unit="fraction", hi=1)
    cost_per_error_usd: Quantity = quantity("cost of one error: a human fix, a lost ticket", unit="USD")
    drift_pp_per_quarter: Quantity = quantity("error-rate rise since the last retrain (article: 2-5 pp/quarter)", unit="percentage points/quarter", default=0)


@dataclass(frozen=True, kw_only=True)
class Escalation:
    """A share of queries re-run on a frontier model (hybrid)."""

    share: Quantity = quantity("share of queries escalated", unit="fraction", hi=1)
    input_tokens: Quantity = quantity("input per escalated query", unit="tokens")
    output_tokens: Quantity = quantity("output per escalated query", unit="tokens")
    input_usd_per_mtok: Quantity = quantity("frontier input price; or from model", unit="USD per million tokens")
    output_usd_per_mtok: Quantity = quantity("frontier output price; or from model", unit="USD per million tokens")
    model: str | None = text("frontier model in the price catalog: fills the two prices", default=None)


@dataclass(frozen=True, kw_only=True)
class Latency:
    """The cost of users' wait, per query: time to first token plus generation time, priced per second."""

    prefill_tokens_per_second: Quantity = quantity(
        "input tokens read per second: time to first token = overhead_seconds + (llm prompt_tokens + context_tokens "
        "+ user_tokens) / prefill_tokens_per_second", unit="tokens/s", positive=True)
    decode_tokens_per_second: Quantity = quantity(
        "output tokens generated per second: generation time = llm.output_tokens / decode_tokens_per_second",
        unit="tokens/s", positive=True)
    overhead_seconds: Quantity = quantity("fixed wait per query before the first token: network, queueing, retrieval",
                                          unit="seconds", default=0)
    usd_per_second: Quantity = quantity(
        "value of one second of a user's wait: cost per query = (time to first token + generation time) x "
        "usd_per_second; usually a shared input, so every strategy prices a second alike", unit="USD/second")


@dataclass(frozen=True, kw_only=True)
class EndOfLife:
    """The platform closes: migrate to a successor strategy."""

    month: Quantity | None = quantity("month the platform closes (fractional months round up)", unit="months", default=None)
    probability_per_year: Quantity | None = quantity("or: chance per year that the platform closes", unit="fraction", default=None, hi=1)
    migration_usd: Quantity = quantity("one-time cost to move: re-curation, re-training, re-evaluation", unit="USD", default=0)
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
    launch_weeks: Quantity = quantity("weeks from t = 0 until it serves (article: RAG ~1, fine-tune 3-6)", unit="weeks", default=0)
    delay_cost_usd_per_month: Quantity = quantity("value forgone per month before launch, pro rata", unit="USD/month", default=0)
    interim: str | None = text("strategy that serves the queries until this one launches (e.g. the incumbent): its "
                               "monthly and per-query costs apply, pro rata, before launch; its one-time costs do not", default=None)
    price_decline_per_year: Quantity = quantity("yearly fall of token prices (LLM, cache, embeddings, escalation)", unit="fraction", default=0, hi=0.99)
    one_time_usd: Quantity = quantity("any other one-time cost at t = 0", unit="USD", default=0)
    fixed_usd_per_month: Quantity = quantity("any other fixed monthly cost once launched", unit="USD/month", default=0)
    llm: LlmCalls | None = section(LlmCalls, "per-query model calls")
    cache: PromptCache | None = section(PromptCache, "prompt caching (needs llm)")
    retrieval: Retrieval | None = section(Retrieval, "retrieval: embeddings, vector store, indexing")
    training: Training | None = section(Training, "fine-tuning: build and retraining")
    hosting: Hosting | None = section(Hosting, "hosted tuned model's fee")
    self_hosted: SelfHosted | None = section(SelfHosted, "GPU serving (needs llm for tokens)")
    labour: Labour | None = section(Labour, "engineering setup and maintenance")
    quality: Quality | None = section(Quality, "cost of errors, with drift between retrains")
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
    analysis_horizons_months: tuple[int, ...] | None = integers("horizons for P(win) curves; default 12/24/36 up to the horizon", unit="months", default=None)
    discount_rate_per_year: Quantity = quantity("annual discount rate (finance: 0.08-0.12)", unit="fraction", default=0, lo=-0.5, hi=1)
    baseline: str = text("the strategy every other is compared with")

    def validate(self, path: str, registry: Registry) -> None:
        # The name becomes a report folder: it must not climb out of --out or hide.
        if self.name is not None and not _NAME.fullmatch(self.name):
            raise ScenarioError(f"'{self.name}' is not a usable report name: use letters, digits, '.', '_' "
                                "and '-', starting with a letter or digit", path=f"{path}.name")


_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True, kw_only=True)
class Volume:
    queries_per_month: float = number("your volume at t = 1", unit="queries/month", lo=0, positive=True)
    growth_per_month: Quantity = quantity("monthly growth of volume", unit="fraction", default=0, lo=-0.5, hi=2)
    ceiling_queries_per_month: float | None = number("cap on monthly volume", unit="queries/month", default=None, lo=0, positive=True)
    sweep_min: float = number("lowest start volume of the P(win) sweep", unit="queries/month", default=1e3, lo=0, positive=True)
    sweep_max: float = number("highest start volume of the sweep", unit="queries/month", default=1e7, lo=0, positive=True)
    sweep_points: int = integer("log-spaced volumes in the sweep", default=41, lo=2, hi=1000)

    def validate(self, path: str, registry: Registry) -> None:
        if self.sweep_min >= self.sweep_max:
            raise ScenarioError(f"sweep_min ({self.sweep_min:g}) must be below sweep_max ({self.sweep_max:g})", path=f"{path}.sweep_min")


@dataclass(frozen=True, kw_only=True)
class Team:
    engineer_week_usd: Quantity = quantity("loaded cost of an engineer-week (MODEL.md §7: ~$4.1-4.7k)", unit="USD/week")
    hours_per_week: float = number("hours in an engineer-week", unit="hours", default=40, lo=0, positive=True)
    curation_usd_per_hour: Quantity | None = quantity("hourly rate for curation; default: engineer_week_usd / hours_per_week", unit="USD/hour", default=None)


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
    simulation = parse_record(Simulation, table.get("simulation", {}), "simulation", registry)

    strategy_tables = check_table(table["strategies"], "strategies")
    if len(strategy_tables) < 2:
        raise ScenarioError("define at least two strategies (a baseline and a challenger)", path="strategies")
    strategies = {}
    catalog_uses: list[Any] = []
    for key, strategy_table in strategy_tables.items():
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


def read_scenario_table(path: str | Path) -> tuple[dict[str, Any], bytes]:
    """Read a scenario file: its TOML table and its bytes (for the hash), not yet validated.

    Raises
    ------
    ScenarioError
        If the file cannot be read or is not valid UTF-8 TOML.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ScenarioError(f"cannot read the file: {error.strerror or error}", file=str(path)) from None
    return decode_scenario_bytes(raw, str(path)), raw


def decode_scenario_bytes(raw: bytes, file: str) -> dict[str, Any]:
    """The TOML table in ``raw`` (a file's bytes, or stdin's), not yet validated.

    Raises
    ------
    ScenarioError
        If ``raw`` is not valid UTF-8 TOML; the message names ``file``.
    """
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ScenarioError("not a UTF-8 text file", file=file) from None
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"invalid TOML: {error}", file=file) from None


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
    lines += _CATALOG_DOC
    return "\n".join(lines)
