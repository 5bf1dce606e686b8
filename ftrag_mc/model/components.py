"""The registry of cost components: each one declared once, everything else derived from it.

A strategy's cost is a sum of components (LLM calls, retrieval, training, ...). A component's
:class:`Component` entry in :data:`REGISTRY` says all the product knows of it:

- ``record``: its scenario table ``[strategies.<name>.<key>]``, a schema record whose fields carry
  their doc, unit, bounds and ``words`` (what a sentence calls the input). The scenario parser, the
  generated reference (``ftrag-mc format``) and every input label read it;
- ``cost``: its cost function (:mod:`ftrag_mc.model.costs`), called for every strategy that has it;
- ``label`` and ``colour``: its name and colour on every chart and table (the breakdown);
- ``items`` and ``detail``: what ``explain`` calls its line items and the inputs behind each;
- ``absent``: what lint says a strategy without it is silently assumed to be;
- ``check``, ``needs_team``, ``affine``: rules that span components.

Components without a ``record`` come from a strategy's own keys (``other``, ``delay``) or from how
strategies combine (``interim``, ``successor``, ``migration``; :mod:`ftrag_mc.model.strategy`; and
``switch`` and ``start``, a staged strategy's one-time costs at the switch and its start strategy
before it, :mod:`ftrag_mc.model.staged`).

Adding a component: its record and entry here, its cost function in ``costs.py``, tests (the
README's "Extending ftrag-mc" walks through one).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ftrag_mc.errors import ScenarioError
from ftrag_mc.limits import (
    MAX_CORPUS_TOKENS, MAX_EPOCHS, MAX_HOURS, MAX_MULTIPLE, MAX_TOKENS_PER_QUERY, MAX_TOKENS_PER_SECOND, MAX_USD,
    MAX_USD_PER_MTOK, MAX_WAIT_SECONDS, MAX_WEEKS, MIN_CADENCE_MONTHS, MIN_TOKENS_PER_SECOND, MIN_UTILIZATION,
)
from ftrag_mc.model import costs
from ftrag_mc.model.calendar import HOURS_PER_MONTH
from ftrag_mc.schema import Quantity, Registry, flag, integer, quantity, text

# --- the scenario tables ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class LlmCalls:
    """Per-query calls to the serving model."""

    prompt_tokens: Quantity = quantity("static prefix per query: system prompt, few-shot examples", unit="tokens", default=0, hi=MAX_TOKENS_PER_QUERY, words="prompt length")
    context_tokens: Quantity = quantity("retrieved context per query", unit="tokens", default=0, hi=MAX_TOKENS_PER_QUERY, words="retrieved context length")
    user_tokens: Quantity = quantity("user input per query", unit="tokens", default=0, hi=MAX_TOKENS_PER_QUERY, words="user input length")
    output_tokens: Quantity = quantity("output per query", unit="tokens", default=0, hi=MAX_TOKENS_PER_QUERY, words="output length")
    input_usd_per_mtok: Quantity = quantity("base input price (0 when self-hosted); or from model", unit="USD per million tokens", hi=MAX_USD_PER_MTOK, words="input token price")
    output_usd_per_mtok: Quantity = quantity("base output price (0 when self-hosted); or from model", unit="USD per million tokens", hi=MAX_USD_PER_MTOK, words="output token price")
    input_premium: Quantity = quantity("tuned-model surcharge on input price: 0.3 = +30 %", unit="fraction", default=0, hi=MAX_MULTIPLE, words="input price premium")
    output_premium: Quantity = quantity("tuned-model surcharge on output price", unit="fraction", default=0, hi=MAX_MULTIPLE, words="output price premium")
    model: str | None = text("hosted model in the price catalog (ftrag-mc prices): fills the two prices", default=None)
    tuned: bool = flag("a fine-tuned variant of model: fills the premiums as tuned price / base price - 1")


@dataclass(frozen=True, kw_only=True)
class PromptCache:
    """Prompt caching of the static prefix."""

    hit_rate: Quantity = quantity("share of queries that read the prefix from cache", unit="fraction", hi=1, words="cache hit rate")
    read_multiplier: Quantity = quantity("cache read price as a multiple of the input price (Anthropic 0.1)", default=0.1, hi=MAX_MULTIPLE, words="cache read price multiple")
    write_multiplier: Quantity = quantity("cache write price on a miss, multiple of the input price (Anthropic 1.25)", default=1.25, hi=MAX_MULTIPLE, words="cache write price multiple")
    cached_tokens: Quantity | None = quantity("cached prefix length; default: all of llm.prompt_tokens", unit="tokens", default=None, hi=MAX_TOKENS_PER_QUERY, words="cached prefix length")
    model: str | None = text("catalog model whose cache prices fill the multipliers; default: llm.model", default=None)


@dataclass(frozen=True, kw_only=True)
class Retrieval:
    """Embeddings, vector store and (re-)indexing."""

    embedding_tokens_per_query: Quantity = quantity("tokens embedded per query", unit="tokens", default=0, hi=MAX_TOKENS_PER_QUERY, words="embedding tokens per query")
    embedding_usd_per_mtok: Quantity = quantity("embedding price", unit="USD per million tokens", default=0, hi=MAX_USD_PER_MTOK, words="embedding price")
    vector_store_usd_per_month: Quantity = quantity("vector store, fixed", unit="USD/month", default=0, hi=MAX_USD, words="vector store cost")
    corpus_tokens: Quantity = quantity("corpus size, embedded once at t = 0", unit="tokens", default=0, hi=MAX_CORPUS_TOKENS, words="corpus size")
    reindex_every_months: Quantity | None = quantity("re-index cadence from t = 0 (fractional: 1.5 = months 2, 3, 5, 6, ...)", unit="months", default=None, lo=MIN_CADENCE_MONTHS, words="re-index cadence")
    reindex_share: Quantity = quantity("share of the corpus re-embedded at each re-index", unit="fraction", default=1, hi=1, words="share of the corpus re-indexed")
    model: str | None = text("embedding model in the price catalog: fills embedding_usd_per_mtok", default=None)


@dataclass(frozen=True, kw_only=True)
class Training:
    """The fine-tune: one-time build and retraining."""

    curation_hours: Quantity = quantity("data curation and labelling (article: 40-200 h for 5k examples)", unit="hours", default=0, hi=MAX_HOURS, words="curation hours")
    engineer_weeks: Quantity = quantity("engineering for the build: training, evals, integration", unit="weeks", default=0, hi=MAX_WEEKS, words="engineer-weeks to build")
    run_usd: Quantity | None = quantity("the training run (article: $50-$10,000); or give training_tokens x epochs x price", unit="USD", default=None, hi=MAX_USD, words="training run cost")
    training_tokens: Quantity | None = quantity("tokens in the training set, counted once (one epoch): the run costs training_tokens x epochs x training_usd_per_mtok / 1e6", unit="tokens", default=None, hi=MAX_CORPUS_TOKENS, words="training set size")
    epochs: Quantity | None = quantity("passes over the training set (each pass bills training_tokens again)", default=None, positive=True, hi=MAX_EPOCHS, words="training epochs")
    training_usd_per_mtok: Quantity | None = quantity("training price per million tokens processed (not affected by price_decline_per_year)", unit="USD per million tokens", default=None, hi=MAX_USD_PER_MTOK, words="training price")
    eval_usd: Quantity = quantity("evaluation of a trained model", unit="USD", default=0, hi=MAX_USD, words="evaluation cost")
    retrain_every_months: Quantity | None = quantity("retrain cadence from t = 0 (article: ~monthly to quarterly); absent = never", unit="months", default=None, lo=MIN_CADENCE_MONTHS, words="retrain cadence")
    retrain_run_usd: Quantity | None = quantity("cost of a retraining run; default: the same draw as the first run", unit="USD", default=None, hi=MAX_USD, words="retraining run cost")
    retrain_eval_usd: Quantity | None = quantity("evaluation per retrain; default: eval_usd", unit="USD", default=None, hi=MAX_USD, words="evaluation cost per retrain")
    retrain_curation_share: Quantity = quantity("share of the curation hours redone at each retrain", unit="fraction", default=0, hi=1, words="share of curation redone per retrain")
    retrain_engineer_weeks: Quantity = quantity("engineering per retrain", unit="weeks", default=0, hi=MAX_WEEKS, words="engineer-weeks per retrain")
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

    fee_usd_per_month: Quantity = quantity("hosting fee for the tuned model (no price decline; pro rata before launch)", unit="USD/month", default=0, hi=MAX_USD, words="hosting fee")
    model: str | None = text("catalog model whose hosting fee fills fee_usd_per_month; default: llm.model when llm.tuned", default=None)


@dataclass(frozen=True, kw_only=True)
class SelfHosted:
    """Serving on rented GPUs: replicas = max(min_replicas, ceil(tokens / capacity))."""

    gpu_usd_per_hour: Quantity = quantity("price per GPU replica (article: L40S $0.65 reserved); a month is 730.5 hours; or from gpu", unit="USD/hour", hi=MAX_USD, words="GPU price")
    throughput_tokens_per_second: Quantity = quantity("tokens one replica serves per second; a month is 2,629,800 seconds; or from model on gpu", unit="tokens/s", lo=MIN_TOKENS_PER_SECOND, hi=MAX_TOKENS_PER_SECOND, words="GPU throughput")
    utilization: Quantity = quantity("average share of capacity usable (peaks, headroom)", unit="fraction", hi=1, lo=MIN_UTILIZATION, words="GPU utilisation")
    min_replicas: int = integer("replicas kept running however low the volume", default=1, lo=0, hi=1_000_000)
    tokens_per_query: Quantity | None = quantity("tokens per query the GPUs process; default: all llm input + output tokens", unit="tokens", default=None, hi=MAX_TOKENS_PER_QUERY, words="GPU tokens per query")
    ops_usd_per_month: Quantity = quantity("operations (article: $2k+/month)", unit="USD/month", default=0, hi=MAX_USD, words="operations cost")
    model: str | None = text("open model in the catalog (e.g. llama-3.1-8b): fills the throughput on gpu", default=None)
    gpu: str | None = text("GPU in the catalog (l40s, a100-80gb, h100): fills gpu_usd_per_hour, uniform over its range; "
                           "default with model: the one GPU the catalog has a throughput for", default=None)
    gpu_pricing: str = text("which catalog rate range gpu takes", default="on_demand", choices=("on_demand", "reserved"))


@dataclass(frozen=True, kw_only=True)
class Labour:
    """Engineering time priced at [team] engineer_week_usd."""

    setup_weeks: Quantity = quantity("one-time setup (article: RAG prototype ~1 week)", unit="weeks", default=0, hi=MAX_WEEKS, words="setup time")
    maintenance_weeks_per_month: Quantity = quantity("ongoing maintenance", unit="weeks/month", default=0, hi=MAX_WEEKS, words="maintenance effort")


@dataclass(frozen=True, kw_only=True)
class Quality:
    """Risk-adjusted cost of wrong answers."""

    error_rate: Quantity = quantity("share of queries answered wrongly (at the last retrain, for a tuned model)", unit="fraction", hi=1, words="error rate")
    cost_per_error_usd: Quantity = quantity("cost of one error: a human fix, a lost ticket", unit="USD", hi=MAX_USD, words="cost per error")
    drift_pp_per_quarter: Quantity = quantity("error-rate rise since the last retrain (article: 2-5 pp/quarter)", unit="percentage points/quarter", default=0, hi=100, words="quality drift")


@dataclass(frozen=True, kw_only=True)
class Escalation:
    """A share of queries re-run on a frontier model (hybrid)."""

    share: Quantity = quantity("share of queries escalated", unit="fraction", hi=1, words="escalation share")
    input_tokens: Quantity = quantity("input per escalated query", unit="tokens", hi=MAX_TOKENS_PER_QUERY, words="escalation input length")
    output_tokens: Quantity = quantity("output per escalated query", unit="tokens", hi=MAX_TOKENS_PER_QUERY, words="escalation output length")
    input_usd_per_mtok: Quantity = quantity("frontier input price; or from model", unit="USD per million tokens", hi=MAX_USD_PER_MTOK, words="frontier input price")
    output_usd_per_mtok: Quantity = quantity("frontier output price; or from model", unit="USD per million tokens", hi=MAX_USD_PER_MTOK, words="frontier output price")
    model: str | None = text("frontier model in the price catalog: fills the two prices", default=None)


@dataclass(frozen=True, kw_only=True)
class Latency:
    """The cost of users' wait, per query: time to first token plus generation time, priced per second."""

    prefill_tokens_per_second: Quantity = quantity(
        "input tokens read per second: time to first token = overhead_seconds + (llm prompt_tokens + context_tokens "
        "+ user_tokens) / prefill_tokens_per_second", unit="tokens/s", lo=MIN_TOKENS_PER_SECOND, hi=MAX_TOKENS_PER_SECOND,
        words="prefill speed")
    decode_tokens_per_second: Quantity = quantity(
        "output tokens generated per second: generation time = llm.output_tokens / decode_tokens_per_second",
        unit="tokens/s", lo=MIN_TOKENS_PER_SECOND, hi=MAX_TOKENS_PER_SECOND, words="decode speed")
    overhead_seconds: Quantity = quantity("fixed wait per query before the first token: network, queueing, retrieval",
                                          unit="seconds", default=0, hi=MAX_WAIT_SECONDS, words="wait before the first token")
    usd_per_second: Quantity = quantity(
        "value of one second of a user's wait: cost per query = (time to first token + generation time) x "
        "usd_per_second; usually a shared input, so every strategy prices a second alike", unit="USD/second", hi=MAX_USD,
        words="value of a second of wait")


# --- the registry ----------------------------------------------------------------------------------

#: Explain's kinds of line item, in the order a strategy's lines are listed.
ITEM_KINDS = ("one-time", "per month", "per event", "per query")


@dataclass(frozen=True)
class Absence:
    """What lint says of a strategy that lacks a component its comparator pays for."""

    assumed: str  # what a strategy without it is silently assumed to be
    paid_for: str  # what the other side pays for
    applies: Callable[[Any], bool] = lambda strategy: True  # whether the strategy needs it at all


@dataclass(frozen=True)
class Component:
    """One cost component: its table, cost function, words and colour (see the module doc).

    Attributes
    ----------
    key
        Its name in the breakdown and, for a component with a ``record``, its table in a strategy.
    label, colour
        How charts and tables name it, and the colour of its segment in every breakdown.
    record, doc
        The schema record of its scenario table and that table's one-line doc; None for a
        component derived from other keys.
    cost
        ``cost(strategy, context) -> {component: Part}``; None where :mod:`ftrag_mc.model.strategy`
        composes it (interim, successor, migration) or another component's function prices it
        (the prompt cache, with the LLM's prices).
    items
        Explain's name for its line of each kind (:data:`ITEM_KINDS`, and ``"GPU replicas"``); the
        label otherwise.
    detail
        ``detail(strategy, kind, context) -> str``: the inputs behind its line of ``kind``, in words.
    events_only
        Its monthly cost is nothing but events (a retrain, a migration): explain says "per event".
    check
        ``check(strategy) -> message or None``: a rule its presence puts on the rest of the strategy.
    needs_team
        ``needs_team(record) -> bool``: whether it prices engineering time, so needs ``[team]``.
    absent
        What lint says of a strategy that lacks it (None: lint does not compare it).
    affine
        False if its cost is not affine in volume (GPU replicas), which rules out the closed forms.
    """

    key: str
    label: str
    colour: str
    record: type | None = None
    doc: str = ""
    cost: Callable[[Any, costs.Context], dict[str, costs.Part]] | None = None
    items: Mapping[str, str] = field(default_factory=dict)
    detail: Callable[[Any, str, costs.Context], str] | None = None
    events_only: bool = False
    check: Callable[[Any], str | None] | None = None
    needs_team: Callable[[Any], bool] | None = None
    absent: Absence | None = None
    affine: bool = True

    def item_name(self, kind: str) -> str:
        """What explain calls this component's line of ``kind``."""
        return self.items.get(kind, self.label)


def _value(c: costs.Context, q: Quantity) -> float:
    return float(c(q))


def _premium(premium: float) -> str:
    return f" x (1 + {premium:.3g} premium)" if premium else ""


def _llm_detail(s, kind: str, c: costs.Context) -> str:
    llm, v = s.llm, (lambda q: _value(c, q))
    tokens = v(llm.prompt_tokens) + v(llm.context_tokens) + v(llm.user_tokens)
    cached = ""
    if s.cache is not None:
        prefix = v(s.cache.cached_tokens) if s.cache.cached_tokens is not None else v(llm.prompt_tokens)
        cached = f", of which {min(prefix, tokens):,.0f} cached (prompt cache line)"
    return (f"{tokens:,.0f} input tokens{cached} x ${v(llm.input_usd_per_mtok):.4g}/M{_premium(v(llm.input_premium))}"
            f" + {v(llm.output_tokens):,.0f} output tokens x ${v(llm.output_usd_per_mtok):.4g}/M"
            f"{_premium(v(llm.output_premium))}")


def _cache_detail(s, kind: str, c: costs.Context) -> str:
    cache, v = s.cache, (lambda q: _value(c, q))
    return (f"hit rate {v(cache.hit_rate):.3g}: reads at {v(cache.read_multiplier):.3g} x, misses write at "
            f"{v(cache.write_multiplier):.3g} x the input price")


def _training_detail(s, kind: str, c: costs.Context) -> str:
    t, v = s.training, (lambda q: _value(c, q))
    hourly = week = 0.0
    if c.scenario.team is not None:
        week, hourly = float(c.engineer_week()), float(c.curation_hourly())
    if t.run_usd is not None:
        run_text = f"run ${v(t.run_usd):,.0f}"
    else:
        run_text = (f"run {v(t.training_tokens):,.0f} tokens x {v(t.epochs):.3g} epochs x "
                    f"${v(t.training_usd_per_mtok):.4g}/M")
    curation = f"curation {v(t.curation_hours):.3g} h x ${hourly:,.2f}/h"
    if kind == "one-time":
        return (f"{curation} + {v(t.engineer_weeks):.3g} engineer-weeks x ${week:,.0f} + {run_text} + "
                f"evaluation ${v(t.eval_usd):,.0f}")
    retrain_run = f"run ${v(t.retrain_run_usd):,.0f}" if t.retrain_run_usd is not None else run_text
    evaluation = v(t.retrain_eval_usd) if t.retrain_eval_usd is not None else v(t.eval_usd)
    words = f"{retrain_run} + evaluation ${evaluation:,.0f} + {v(t.retrain_curation_share):.3g} x ({curation})"
    weeks = v(t.retrain_engineer_weeks)
    if weeks:
        words += f" + {weeks:.3g} engineer-weeks x ${week:,.0f}"
    every = v(t.retrain_every_months) if t.retrain_every_months is not None else float("inf")
    return f"{words}, every {every:.3g} months from t = 0 once launched"


def _labour_detail(s, kind: str, c: costs.Context) -> str:
    week = float(c.engineer_week())
    if kind == "one-time":
        return f"{_value(c, s.labour.setup_weeks):.3g} weeks x ${week:,.0f} per engineer-week"
    return f"{_value(c, s.labour.maintenance_weeks_per_month):.3g} weeks a month x ${week:,.0f} per engineer-week"


def _quality_detail(s, kind: str, c: costs.Context) -> str:
    q, v = s.quality, (lambda q_: _value(c, q_))
    drift = v(q.drift_pp_per_quarter)
    rise = f", rising {drift:.3g} pp a quarter since the last retrain" if drift else ""
    return f"error rate {v(q.error_rate):.3g}{rise} x ${v(q.cost_per_error_usd):.4g} per error"


def _escalation_detail(s, kind: str, c: costs.Context) -> str:
    e, v = s.escalation, (lambda q: _value(c, q))
    return (f"{v(e.share):.3g} of queries x ({v(e.input_tokens):,.0f} input tokens x ${v(e.input_usd_per_mtok):.4g}/M"
            f" + {v(e.output_tokens):,.0f} output x ${v(e.output_usd_per_mtok):.4g}/M)")


def _latency_detail(s, kind: str, c: costs.Context) -> str:
    ttft, generation = costs.latency_seconds(s, c)
    return (f"time to first token {float(ttft):.3g} s + generation {float(generation):.3g} s = "
            f"{float(ttft + generation):.3g} s x ${_value(c, s.latency.usd_per_second):.4g} per second of wait")


def _per_query_only(detail: Callable[[Any, str, costs.Context], str]) -> Callable[[Any, str, costs.Context], str]:
    """A detail said for the per-query line alone (the one its inputs explain)."""
    return lambda s, kind, c: detail(s, kind, c) if kind == "per query" else ""


def _nonzero(*quantities: Quantity | None) -> bool:
    return any(q is not None and not (q.is_constant and q.distribution.median == 0) for q in quantities)


def _needs_llm(what: str, *, unless: Callable[[Any], bool] = lambda s: False) -> Callable[[Any], str | None]:
    return lambda s: None if s.llm is not None or unless(s) else what


def _has_context(strategy: Any) -> bool:
    llm = strategy.llm
    return llm is not None and not (llm.context_tokens.is_constant and llm.context_tokens.distribution.median == 0)


#: Every cost component, in report order (the breakdown's stacking order, explain's line order).
REGISTRY: tuple[Component, ...] = (
    Component("llm", "LLM calls", "#e69f00", LlmCalls, "per-query model calls", cost=costs.llm_cost,
              detail=_per_query_only(_llm_detail)),
    Component("per_call", "cost per call", "#8c564b", cost=costs.per_call_cost,
              items={"per query": "cost per call (given)"}),
    Component("cache", "prompt cache", "#56b4e9", PromptCache, "prompt caching (needs llm)",
              detail=_per_query_only(_cache_detail), check=_needs_llm("prompt caching needs an [llm] section")),
    Component("retrieval", "retrieval", "#009e73", Retrieval, "retrieval: embeddings, vector store, indexing",
              cost=costs.retrieval_cost,
              items={"per event": "re-indexing", "one-time": "indexing the corpus",
                     "per month": "vector store and re-indexing", "per query": "query embeddings"},
              absent=Absence("its retrieved context costs nothing to embed, store or index", "retrieval",
                             applies=_has_context)),
    Component("training", "training", "#0072b2", Training, "fine-tuning: build and retraining", cost=costs.training_cost,
              items={"one-time": "training build (curation, engineering, run, evaluation)", "per event": "retraining"},
              detail=_training_detail, events_only=True,
              needs_team=lambda t: _nonzero(t.engineer_weeks, t.curation_hours, t.retrain_engineer_weeks)),
    Component("hosting", "hosted model", "#d55e00", Hosting, "hosted tuned model's fee", cost=costs.hosting_cost),
    Component("self_hosted", "self-hosted GPUs", "#cc79a7", SelfHosted, "GPU serving (needs llm for tokens)",
              cost=costs.self_hosted_cost, items={"per month": "GPU operations", "GPU replicas": "GPU replicas"},
              check=_needs_llm("self-hosted serving needs an [llm] section or tokens_per_query",
                               unless=lambda s: s.self_hosted.tokens_per_query is not None),
              affine=False),
    Component("labour", "labour", "#999999", Labour, "engineering setup and maintenance", cost=costs.labour_cost,
              items={"one-time": "labour: setup", "per month": "labour: maintenance"}, detail=_labour_detail,
              needs_team=lambda labour: True,
              absent=Absence("no engineering time to set up or maintain it", "engineering time")),
    Component("quality", "quality", "#f2cf80", Quality,
              "cost of errors, with drift between retrains. ABSENT = ERROR-FREE: a strategy without it pays nothing "
              "for wrong answers", cost=costs.quality_cost, items={"per query": "quality: cost of errors"},
              detail=_per_query_only(_quality_detail), absent=Absence("treated as error-free", "errors")),
    Component("escalation", "escalation", "#abdaf4", Escalation, "share of queries re-run on a frontier model",
              cost=costs.escalation_cost, detail=_per_query_only(_escalation_detail)),
    Component("other", "other", "#80ceb9", cost=costs.other_cost,
              items={"one-time": "other one-time cost", "per month": "other monthly cost"}),
    Component("delay", "delay", "#80b9d8", cost=costs.delay_cost, items={"per month": "value forgone before launch"}),
    Component("interim", "interim", "#eaae80"),
    Component("successor", "successor", "#e6bcd3"),
    Component("migration", "migration", "#cccccc", items={"per event": "migration to the successor"}, events_only=True),
    Component("switch", "switching", "#ad8bc9", items={"one-time": "switch_to's one-time costs at the switch",
                                                      "per event": "switch_to's one-time costs at the switch"},
              events_only=True),
    Component("start", "start strategy", "#c5b0d5"),
    Component("latency", "latency", "#f0e442", Latency,
              "users' wait priced per second (needs llm for tokens; prompt caching and escalated re-runs do not change "
              "it); absent = not counted", cost=costs.latency_cost, items={"per query": "latency: users' wait"},
              detail=_per_query_only(_latency_detail),
              check=_needs_llm("latency needs an [llm] section (its tokens set the wait)"),
              absent=Absence("its users' wait costs nothing", "its users' wait")),
)

#: Component names, in report order.
COMPONENTS: tuple[str, ...] = tuple(c.key for c in REGISTRY)
#: The components a strategy declares as tables of its own, in the order of a strategy's keys.
SECTIONS: tuple[Component, ...] = tuple(c for c in REGISTRY if c.record is not None)
BY_KEY: dict[str, Component] = {c.key: c for c in REGISTRY}
#: Component -> how a reader calls it; component -> its colour in every breakdown.
LABELS: dict[str, str] = {c.key: c.label for c in REGISTRY}
COLOURS: dict[str, str] = {c.key: c.colour for c in REGISTRY}


def priced_in_order() -> tuple[Component, ...]:
    """The components a strategy's own cost sums, in the order it adds them: its tables first
    (their cost functions may price several, e.g. the LLM's the prompt cache), then those from
    its own keys. The order is the floating-point summation order of every total."""
    return tuple(c for c in SECTIONS if c.cost is not None) + tuple(
        c for c in REGISTRY if c.record is None and c.cost is not None)


def is_affine(strategy: Any) -> bool:
    """Whether every component ``strategy`` has costs an affine function of volume, and its switch
    month (a staged strategy's) does not depend on volume (a volume trigger reads it)."""
    trigger = getattr(strategy, "trigger", None)
    if trigger is not None and trigger.volume_above is not None:
        return False
    return all(c.affine or getattr(strategy, c.key) is None for c in SECTIONS)


def component_values_text() -> str:
    """The values of a breakdown's ``component`` column, with their labels (the data dictionary)."""
    return "; ".join(f"{c.key} = {c.label}" for c in REGISTRY)


def replica_detail(replicas: list[int], per_replica_month: float, volume_text: str, money: Callable[[float], str]) -> str:
    """Explain's words for a GPU pool's line: replicas x the price of a replica-month."""
    count = str(replicas[0]) if len(replicas) == 1 else f"{replicas[0]}-{replicas[-1]}"
    return (f"{count} replica{'s' if replicas != [1] else ''} x {money(per_replica_month)} per replica-month "
            f"({per_replica_month / HOURS_PER_MONTH:.4g} USD/hour x {HOURS_PER_MONTH:g} h) at {volume_text} queries/month")
