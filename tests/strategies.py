"""Hypothesis strategies that generate valid scenario tables, as ``tomllib`` would give them.

:func:`scenario_tables` draws a whole scenario: 2-5 strategies built from every component kind of
the schema (llm, cache, retrieval, training, hosting, self_hosted, labour, quality, escalation,
end_of_life, an interim, a launch delay and its cost, a price decline), a volume with growth and an
optional ceiling, discounting, a team, shared inputs referenced by several strategies, and a rank
correlation between some of them. Every quantity is a constant (a TOML integer or float) or a
distribution of any family the registry offers (fixed, uniform, triangular, PERT, normal and
lognormal with truncation, beta, exponential, choice), with its support inside the key's bounds.

Magnitudes are realistic but wide: each key has a range a decision analyst might type (token
prices $0.05-$120 per million, corpora up to 1e10 tokens, volumes 100-1e8 queries/month), drawn on
a log scale where the range spans decades. Everything drawn is valid by construction:
``parse_scenario`` must accept it, and a test asserts that it does.

:func:`ordered_pair_tables` draws a scenario whose challenger's per-query cost is below the
baseline's in every sample and month, by construction (see its docstring).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from hypothesis import strategies as st

# --- ranges -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Range:
    """What a key may hold: values in [low, high], drawn on a log scale when ``log``.

    ``low`` already respects the schema's bound (above it for a key that must be positive);
    ``zero`` allows an exact 0 besides the range (a price of 0 when self-hosted, no context).
    """

    low: float
    high: float
    log: bool = True
    zero: bool = False
    integer: bool = False  # whole numbers (token counts) are written as TOML integers


TOKENS = Range(1, 8_000, zero=True, integer=True)
USER_TOKENS = Range(10, 2_000, integer=True)
OUTPUT_TOKENS = Range(1, 2_000, integer=True)
INPUT_PRICE = Range(0.05, 30, zero=True)
OUTPUT_PRICE = Range(0.2, 120, zero=True)
PREMIUM = Range(0, 2, log=False)
SHARE = Range(0, 1, log=False)
READ_MULTIPLIER = Range(0.05, 1, log=False)
WRITE_MULTIPLIER = Range(1, 2, log=False)
EMBED_TOKENS = Range(1, 2_000, zero=True, integer=True)
EMBED_PRICE = Range(0.01, 0.2)
VECTOR_STORE = Range(10, 2_000, zero=True)
CORPUS = Range(1e5, 1e10, zero=True, integer=True)
CADENCE = Range(0.5, 24)
HOURS = Range(1, 500, zero=True)
WEEKS = Range(0.1, 30, zero=True)
RUN_USD = Range(10, 50_000)
TRAINING_TOKENS = Range(1e5, 1e9, integer=True)
EPOCHS = Range(1, 10, log=False)
TRAINING_PRICE = Range(0.5, 50)
EVAL_USD = Range(10, 5_000, zero=True)
FEE = Range(10, 5_000, zero=True)
GPU_HOURLY = Range(0.3, 10)
THROUGHPUT = Range(100, 50_000)
UTILIZATION = Range(0.1, 1, log=False)
OPS = Range(100, 20_000, zero=True)
MAINTENANCE = Range(0.01, 2, zero=True)
ERROR_RATE = Range(0.001, 0.5, zero=True)
COST_PER_ERROR = Range(0.01, 100, zero=True)
DRIFT = Range(0, 5, log=False)
ESCALATION_SHARE = Range(0, 0.5, log=False)
ESCALATION_IN = Range(100, 10_000, integer=True)
ESCALATION_OUT = Range(10, 2_000, integer=True)
EOL_PROBABILITY = Range(0, 0.8, log=False)
MIGRATION = Range(100, 100_000, zero=True)
LAUNCH_WEEKS = Range(0, 12, log=False)
DELAY_COST = Range(100, 50_000, zero=True)
DECLINE = Range(0, 0.6, log=False)
ONE_TIME = Range(100, 100_000, zero=True)
FIXED = Range(10, 10_000, zero=True)
ENGINEER_WEEK = Range(2_000, 8_000)
CURATION_HOURLY = Range(20, 200)
GROWTH = Range(-0.1, 0.2, log=False)
# Noise on top of the largest growth over 48 months stays inside the magnitude limit (1e6 x).
VOLATILITY = Range(0, 0.09, log=False)
DISCOUNT = Range(-0.05, 0.15, log=False)

#: Distribution families, by the key they are written with.
FAMILY_NAMES = ("fixed", "uniform", "triangular", "pert", "normal", "lognormal", "beta", "exponential", "choice")


# --- numbers and quantities ---------------------------------------------------------------------


def _round(x: float) -> float:
    """Six significant digits, as a person writes them; below 1e-9 in magnitude, 0 (a value such
    as 2e-311 is nobody's input, and the validation's bounds may refuse it)."""
    return 0.0 if abs(x) < 1e-9 else float(f"{x:.6g}")


@st.composite
def numbers(draw, r: Range, low: float | None = None, high: float | None = None) -> float:
    """A plain number in ``r`` (or in [low, high] inside it), log-uniform when ``r.log``."""
    lo = r.low if low is None else low
    hi = r.high if high is None else high
    if r.zero and low is None and draw(st.integers(0, 5)) == 0:
        return 0
    if r.log and lo > 0:
        x = 10 ** draw(st.floats(math.log10(lo), math.log10(hi)))
    else:
        x = draw(st.floats(lo, hi))
    x = min(max(_round(x), lo), hi)
    if r.integer and x >= 1 and draw(st.booleans()):
        return int(round(x))
    return x


@st.composite
def _interval(draw, r: Range) -> tuple[float, float]:
    """Two distinct points of ``r``, low first: the support of a distribution."""
    a, b = draw(numbers(r)), draw(numbers(r))
    a, b = float(min(a, b)), float(max(a, b))
    if b - a < 1e-6 * max(abs(b), 1.0):  # too narrow to be a distribution: widen inside the range
        a, b = r.low, r.high
    return a, b


@st.composite
def distributions(draw, r: Range, family: str | None = None) -> dict:
    """A distribution table of any family whose support lies inside ``r``."""
    family = family or draw(st.sampled_from(FAMILY_NAMES))
    a, b = draw(_interval(r))
    inside = st.floats(a, b)
    if family == "fixed":
        return {"dist": "fixed", "value": _round(draw(inside))}
    if family == "uniform":
        return {"dist": "uniform", "min": a, "max": b}
    if family in ("triangular", "pert"):
        table = {"dist": family, "min": a, "mode": min(max(_round(draw(inside)), a), b), "max": b}
        if family == "pert" and draw(st.booleans()):
            table["lambda"] = _round(draw(st.floats(0.5, 10)))
        return table
    if family == "normal":
        mean = _round(draw(inside))
        if draw(st.booleans()):
            table = {"dist": "normal", "mean": mean, "sd": _round(draw(st.floats(0.01, 1)) * (b - a))}
        else:  # the 90 % interval form, centred anywhere in the support
            half = _round(draw(st.floats(0.01, 1)) * (b - a))
            table = {"dist": "normal", "low": _round(mean - half), "high": _round(mean + half)}
            if table["low"] >= table["high"]:
                table = {"dist": "normal", "mean": mean, "sd": b - a}
        return {**table, "truncate": [a, b]}  # an unbounded family on a bounded key is truncated
    if family in ("lognormal", "exponential") and b <= 0:
        return {"dist": "uniform", "min": a, "max": b}
    if family in ("lognormal", "exponential"):
        positive_low = a if a > 0 else b * 1e-3
        centre = _round(10 ** draw(st.floats(math.log10(positive_low), math.log10(b))))
        if family == "exponential":
            return {"dist": "exponential", "mean": centre, "truncate": [a, b]}
        if draw(st.booleans()):
            table = {"dist": "lognormal", "median": centre, "sigma": _round(draw(st.floats(0.05, 1.5)))}
        else:
            table = {"dist": "lognormal", "low": centre, "high": _round(centre * draw(st.floats(1.5, 20)))}
        return {**table, "truncate": [a, b]}
    if family == "beta":
        return {"dist": "beta", "alpha": _round(draw(st.floats(0.5, 10))), "beta": _round(draw(st.floats(0.5, 10))),
                "min": a, "max": b}
    if family == "choice":
        values = draw(st.lists(st.floats(a, b).map(_round), min_size=1, max_size=4))
        values = [min(max(v, a), b) for v in values]
        table = {"dist": "choice", "values": values}
        if draw(st.booleans()):
            table["weights"] = draw(st.lists(st.integers(1, 5), min_size=len(values), max_size=len(values)))
        return table
    raise ValueError(family)


def quantities(r: Range) -> st.SearchStrategy:
    """A quantity: a plain number or a distribution table."""
    return st.one_of(numbers(r), distributions(r))


def chance(odds: float) -> st.SearchStrategy:
    """True with about ``odds`` odds. Not ``floats(0, 1) < odds``: hypothesis favours 0.0 and would
    turn on nearly every component; it shrinks towards the first entry, False (fewer components)."""
    k = round(10 * odds)
    return st.sampled_from([False] * (10 - k) + [True] * k)


# --- shared inputs --------------------------------------------------------------------------------

#: Shared inputs the generator may define, with the range of every key that may name them.
SHARED = {
    "model_input_price": INPUT_PRICE,
    "model_output_price": OUTPUT_PRICE,
    "prompt_tokens": TOKENS,
    "error_rate": ERROR_RATE,
    "cost_per_error": COST_PER_ERROR,
    "launch_weeks": LAUNCH_WEEKS,
    "price_decline": DECLINE,
}


class _Builder:
    """Draws the parts of one scenario, remembering the shared inputs it defined."""

    def __init__(self, draw, shared: dict[str, dict | float]):
        self.draw = draw
        self.shared = shared  # name -> its table (as written in [inputs])

    def q(self, r: Range, shared: str | None = None):
        """A quantity for a key of range ``r``; sometimes a reference to the shared input ``shared``."""
        if shared is not None and shared in self.shared and self.draw(st.booleans()):
            return self.draw(st.sampled_from([shared, f"inputs.{shared}"]))
        return self.draw(quantities(r))

    def maybe(self, odds: float = 0.5) -> bool:
        return self.draw(chance(odds))

    # -- components --

    def llm(self) -> dict:
        table = {"input_usd_per_mtok": self.q(INPUT_PRICE, "model_input_price"),
                 "output_usd_per_mtok": self.q(OUTPUT_PRICE, "model_output_price")}
        for key, r, shared in (("prompt_tokens", TOKENS, "prompt_tokens"), ("context_tokens", TOKENS, None),
                               ("user_tokens", USER_TOKENS, None), ("output_tokens", OUTPUT_TOKENS, None),
                               ("input_premium", PREMIUM, None), ("output_premium", PREMIUM, None)):
            if self.maybe(0.7):
                table[key] = self.q(r, shared)
        return table

    def cache(self) -> dict:
        table = {"hit_rate": self.q(SHARE)}
        if self.maybe():
            table["read_multiplier"] = self.q(READ_MULTIPLIER)
        if self.maybe():
            table["write_multiplier"] = self.q(WRITE_MULTIPLIER)
        if self.maybe(0.3):
            table["cached_tokens"] = self.q(TOKENS)
        return table

    def retrieval(self) -> dict:
        table = {}
        for key, r in (("embedding_tokens_per_query", EMBED_TOKENS), ("embedding_usd_per_mtok", EMBED_PRICE),
                       ("vector_store_usd_per_month", VECTOR_STORE), ("corpus_tokens", CORPUS)):
            if self.maybe(0.8):
                table[key] = self.q(r)
        if self.maybe():
            table["reindex_every_months"] = self.q(CADENCE)
            if self.maybe():
                table["reindex_share"] = self.q(SHARE)
        return table

    def training(self, team: bool) -> dict:
        if self.maybe():
            table = {"run_usd": self.q(RUN_USD)}
        else:
            table = {"training_tokens": self.q(TRAINING_TOKENS), "epochs": self.q(EPOCHS),
                     "training_usd_per_mtok": self.q(TRAINING_PRICE)}
        if team:  # engineering time needs [team] to price it
            for key, r in (("curation_hours", HOURS), ("engineer_weeks", WEEKS)):
                if self.maybe(0.7):
                    table[key] = self.q(r)
        if self.maybe():
            table["eval_usd"] = self.q(EVAL_USD)
        if self.maybe(0.7):
            table["retrain_every_months"] = self.q(CADENCE)
            for key, r in (("retrain_run_usd", RUN_USD), ("retrain_eval_usd", EVAL_USD),
                           ("retrain_curation_share", SHARE)):
                if self.maybe(0.4):
                    table[key] = self.q(r)
            if team and self.maybe(0.4):
                table["retrain_engineer_weeks"] = self.q(WEEKS)
        return table

    def self_hosted(self, has_llm: bool) -> dict:
        table = {"gpu_usd_per_hour": self.q(GPU_HOURLY), "throughput_tokens_per_second": self.q(THROUGHPUT),
                 "utilization": self.q(UTILIZATION)}
        if self.maybe():
            table["min_replicas"] = self.draw(st.integers(0, 4))
        if not has_llm or self.maybe(0.3):
            table["tokens_per_query"] = self.q(TOKENS)
        if self.maybe():
            table["ops_usd_per_month"] = self.q(OPS)
        return table

    def labour(self) -> dict:
        return {"setup_weeks": self.q(WEEKS), "maintenance_weeks_per_month": self.q(MAINTENANCE)}

    def quality(self) -> dict:
        table = {"error_rate": self.q(ERROR_RATE, "error_rate"), "cost_per_error_usd": self.q(COST_PER_ERROR, "cost_per_error")}
        if self.maybe():
            table["drift_pp_per_quarter"] = self.q(DRIFT)
        return table

    def escalation(self) -> dict:
        return {"share": self.q(ESCALATION_SHARE), "input_tokens": self.q(ESCALATION_IN),
                "output_tokens": self.q(ESCALATION_OUT), "input_usd_per_mtok": self.q(INPUT_PRICE),
                "output_usd_per_mtok": self.q(OUTPUT_PRICE)}

    def end_of_life(self, successor: str, horizon: int) -> dict:
        if self.maybe():
            table = {"month": self.q(Range(1, max(2, 1.5 * horizon), log=False))}
        else:
            table = {"probability_per_year": self.q(EOL_PROBABILITY)}
        if self.maybe(0.7):
            table["migration_usd"] = self.q(MIGRATION)
        return {**table, "successor": successor}

    def strategy(self, *, team: bool, components: set[str] | None = None) -> dict:
        """One strategy's table; ``components`` forces the set of component sections."""
        if components is None:
            odds = {"llm": 0.85, "cache": 0.3, "retrieval": 0.4, "training": 0.4, "hosting": 0.3,
                    "self_hosted": 0.12, "labour": 0.5, "quality": 0.5, "escalation": 0.2}
            components = {name for name, p in odds.items() if self.maybe(p)}
        table: dict = {}
        if self.maybe(0.3):
            table["label"] = self.draw(st.sampled_from(["RAG", "Fine-tune, hosted", "Self-hosted 8B",
                                                         "Hybrid (escalate)", "Prompt, cached", "Ünïcode $x$ 50 %"]))
        has_llm = "llm" in components
        if has_llm:
            table["llm"] = self.llm()
        if "cache" in components and has_llm:
            table["cache"] = self.cache()
        if "retrieval" in components:
            table["retrieval"] = self.retrieval()
        if "training" in components:
            table["training"] = self.training(team)
        if "hosting" in components:
            table["hosting"] = {"fee_usd_per_month": self.q(FEE)}
        if "self_hosted" in components:
            table["self_hosted"] = self.self_hosted(has_llm)
        if "labour" in components and team:
            table["labour"] = self.labour()
        if "quality" in components:
            table["quality"] = self.quality()
        if "escalation" in components:
            table["escalation"] = self.escalation()
        for key, r, shared, odds in (("launch_weeks", LAUNCH_WEEKS, "launch_weeks", 0.4),
                                     ("delay_cost_usd_per_month", DELAY_COST, None, 0.2),
                                     ("price_decline_per_year", DECLINE, "price_decline", 0.3),
                                     ("one_time_usd", ONE_TIME, None, 0.2),
                                     ("fixed_usd_per_month", FIXED, None, 0.2)):
            if self.maybe(odds):
                table[key] = self.q(r, shared)
        return table


# --- whole scenarios ------------------------------------------------------------------------------


@st.composite
def _shared_inputs(draw) -> dict:
    names = draw(st.lists(st.sampled_from(sorted(SHARED)), unique=True, max_size=len(SHARED)))
    return {name: draw(quantities(SHARED[name])) for name in names}


def _correlatable(inputs: dict) -> list[str]:
    # Only continuous uncertain inputs: a constant cannot be correlated, and a choice may be constant.
    return sorted(n for n, t in inputs.items() if isinstance(t, dict) and t["dist"] not in ("fixed", "choice"))


@st.composite
def _correlation(draw, inputs: dict) -> dict | None:
    names = _correlatable(inputs)
    if len(names) < 2 or not draw(st.booleans()):
        return None
    chosen = draw(st.lists(st.sampled_from(names), min_size=2, max_size=min(3, len(names)), unique=True))
    # Equal correlations r > -1 / (k - 1) are positive definite, with room for the copula's
    # Spearman-to-Pearson conversion (2 sin(pi r / 6), slightly larger in magnitude).
    r = round(draw(st.floats(-0.4, 0.8)), 3)
    matrix = [[1.0 if i == j else r for j in range(len(chosen))] for i in range(len(chosen))]
    return {"inputs": draw(st.sampled_from([chosen, [f"inputs.{n}" for n in chosen]])), "matrix": matrix}


@st.composite
def _meta_volume_team(draw, *, max_horizon: int, sweep_points: tuple[int, int],
                      sweep_decades: tuple[float, float] = (0.5, 4)) -> dict:
    horizon = draw(st.integers(1, max_horizon))
    meta: dict = {"horizon_months": horizon}
    if draw(st.booleans()):
        meta["analysis_horizons_months"] = draw(st.lists(st.integers(1, horizon), min_size=1, max_size=3))
    if draw(st.booleans()):
        meta["discount_rate_per_year"] = draw(quantities(DISCOUNT))
    if draw(st.booleans()):
        meta["title"] = "Generated scenario"
    sweep_min = draw(numbers(Range(100, 1e5)))
    volume = {"queries_per_month": draw(numbers(Range(100, 1e8))),
              "sweep_min": sweep_min, "sweep_max": _round(sweep_min * 10 ** draw(st.floats(*sweep_decades))),
              "sweep_points": draw(st.integers(*sweep_points))}
    if draw(st.booleans()):
        volume["growth_per_month"] = draw(quantities(GROWTH))
    if draw(chance(0.25)):
        volume["volatility_per_month"] = draw(quantities(VOLATILITY))
    if draw(chance(0.2)):
        volume["ceiling_queries_per_month"] = draw(numbers(Range(1e3, 1e9)))
    table = {"scenario": meta, "volume": volume,
             "simulation": {"seed": draw(st.integers(0, 2**32)), "sampler": draw(st.sampled_from(["mc", "lhs", "sobol"]))}}
    if draw(chance(0.85)):
        team: dict = {"engineer_week_usd": draw(quantities(ENGINEER_WEEK))}
        if draw(st.booleans()):
            team["curation_usd_per_hour"] = draw(quantities(CURATION_HOURLY))
        table["team"] = team
    return table


@st.composite
def scenario_tables(draw, *, min_strategies: int = 2, max_strategies: int = 5, max_horizon: int = 48,
                    sweep_points: tuple[int, int] = (3, 6), links: bool = True, staged: bool = True) -> dict:
    """A valid scenario table with ``min_strategies``..``max_strategies`` strategies.

    ``links`` allows interims and ends of life. Strategies are ``s0``, ``s1``, ...; an interim or a
    successor is always one without links of its own (the schema refuses chains), and the
    baseline is any of them. ``staged`` sometimes adds ``st``, a staged strategy between two of them.
    """
    table = draw(_meta_volume_team(max_horizon=max_horizon, sweep_points=sweep_points))
    shared = draw(_shared_inputs())
    builder = _Builder(draw, shared)
    team = "team" in table
    n = draw(st.integers(min_strategies, max_strategies))
    keys = [f"s{i}" for i in range(n)]
    strategies = {key: builder.strategy(team=team) for key in keys}
    if links:
        linking = draw(st.lists(st.sampled_from(keys), unique=True, max_size=n - 1))
        plain = [k for k in keys if k not in linking]
        for key in linking:
            if draw(st.booleans()):
                strategies[key]["interim"] = draw(st.sampled_from(plain))
            if draw(st.booleans()):
                successor = draw(st.sampled_from(plain))
                strategies[key]["end_of_life"] = builder.end_of_life(successor, table["scenario"]["horizon_months"])
    if staged and draw(chance(0.35)):
        keys.append("st")
        strategies["st"] = draw(staged_strategy(keys[:-1], table["scenario"]["horizon_months"]))
    table["scenario"]["baseline"] = draw(st.sampled_from(keys))
    table["strategies"] = strategies
    if shared:
        table["inputs"] = shared
        correlation = draw(_correlation(shared))
        if correlation is not None:
            table["correlation"] = correlation
    return table


@st.composite
def staged_strategy(draw, keys: list[str], horizon: int) -> dict:
    """A staged strategy between two of ``keys``: a month trigger (sometimes past the horizon) or a
    volume trigger held 1-3 months, either one a number or a distribution."""
    start = draw(st.sampled_from(keys))
    switch_to = draw(st.sampled_from([k for k in keys if k != start]))
    if draw(st.booleans()):
        trigger = {"month": draw(quantities(Range(1, horizon + 6, log=False)))}
    else:
        trigger = {"volume_above": draw(quantities(Range(100, 1e9)))}
        if draw(st.booleans()):
            trigger["for_months"] = draw(st.integers(1, 3))
    return {"label": "Staged", "start": start, "switch_to": switch_to, "trigger": trigger}


@st.composite
def ordered_pair_tables(draw, *, max_horizon: int = 36, sweep_points: tuple[int, int] = (4, 8)) -> dict:
    """A scenario whose challenger ``cheap`` has a lower per-query cost than the baseline ``dear``
    in every sample and every month, by construction; plus up to two unrelated strategies.

    Both serve the same calls: one llm (and cache and per-query embedding) section whose every
    uncertain quantity is a shared input, the same price decline, so their token costs are the
    same numbers. On top, the baseline pays a strictly positive per-query extra (errors or
    escalations, any drift) and may run GPUs (cost non-decreasing in volume). Everything else is
    free on both sides: one-time and monthly costs, training, labour, hosting, the challenger's
    launch delay (it pays nothing per query before launch). The baseline launches at t = 0 and
    neither has an interim or an end of life, whose costs the construction cannot order.
    """
    # A wide sweep, so that the crossing often falls inside it and the curve has room to rise.
    table = draw(_meta_volume_team(max_horizon=max_horizon, sweep_points=sweep_points, sweep_decades=(3, 6)))
    builder = _Builder(draw, {})
    team = "team" in table
    shared: dict = {}

    def lift(section: dict, prefix: str) -> dict:
        # An uncertain quantity becomes a shared input, so both strategies see the same draw.
        out = {}
        for key, value in section.items():
            if isinstance(value, dict):
                shared[f"{prefix}_{key}"] = value
                value = f"{prefix}_{key}"
            out[key] = value
        return out

    calls = {"llm": lift(builder.llm(), "llm")}
    if builder.maybe(0.3):
        calls["cache"] = lift(builder.cache(), "cache")
    decline = builder.q(DECLINE)
    if isinstance(decline, dict):
        shared["decline"], decline = decline, "decline"
    embedding = None
    if builder.maybe(0.4):
        embedding = lift({"embedding_tokens_per_query": builder.q(EMBED_TOKENS),
                          "embedding_usd_per_mtok": builder.q(EMBED_PRICE)}, "embed")

    def side(components: set[str]) -> dict:
        s = builder.strategy(team=team, components=components)
        s.update({k: dict(v) for k, v in calls.items()})
        s["price_decline_per_year"] = decline
        if embedding is not None:
            s["retrieval"] = {**s.get("retrieval", {}), **embedding}
        return s

    free = ("training", "hosting", "labour")
    cheap = side({c for c in free if builder.maybe(0.5)})
    dear = side({c for c in free if builder.maybe(0.5)} | ({"self_hosted"} if builder.maybe(0.3) else set()))
    dear.pop("launch_weeks", None)
    # The extra: strictly positive in every sample, so the ordering is strict.
    positive_rate, positive_cost = Range(0.001, 0.5), Range(0.01, 100)
    if builder.maybe():
        dear["quality"] = {"error_rate": draw(quantities(positive_rate)),
                           "cost_per_error_usd": draw(quantities(positive_cost))}
        if builder.maybe():
            dear["quality"]["drift_pp_per_quarter"] = draw(quantities(DRIFT))
    else:
        dear["escalation"] = {"share": draw(quantities(Range(0.001, 0.5))), "input_tokens": draw(quantities(ESCALATION_IN)),
                              "output_tokens": draw(quantities(ESCALATION_OUT)),
                              "input_usd_per_mtok": draw(quantities(Range(0.05, 30))),
                              "output_usd_per_mtok": draw(quantities(Range(0.2, 120)))}
    strategies = {"dear": dear, "cheap": cheap}
    for i in range(draw(st.integers(0, 2))):
        strategies[f"other{i}"] = builder.strategy(team=team)
    table["scenario"]["baseline"] = "dear"
    table["strategies"] = strategies
    if shared:
        table["inputs"] = shared
    return table
