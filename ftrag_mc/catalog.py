"""The price catalog: hosted-model token prices, fine-tune and tuned-inference prices, GPU rates.

Hosted token prices (input, output, cache read and write, embeddings) come from the pinned
`genai-prices <https://pypi.org/project/genai-prices/>`_ package's bundled snapshot, read offline:
this module never starts its auto-updater and builds its own snapshot from the shipped data, so a
snapshot fetched elsewhere in the process is never used. What that package lacks (training prices,
tuned-inference prices, hosting fees, cache multipliers a provider does not publish as a price, GPU
hourly rates and serving throughputs) is in ``ftrag_mc/data/prices.toml``. Every record carries an
``as_of`` date and a ``source``.

The lookups are pure: the data is read once per process and cached. Names are normalised (case,
spaces, underscores and dots all become dashes), so ``claude-haiku-4.5``, ``Claude Haiku 4.5`` and
``claude-haiku-4-5`` are one model. An unknown name raises :class:`~ftrag_mc.errors.ScenarioError`
with a "did you mean".

:func:`resolve_strategy` fills a strategy table's price keys from the catalog at parse time
(``ftrag_mc.scenario`` calls it); :func:`price_warnings` and :func:`stale_notes` check a parsed
scenario's prices against the catalog.
"""

from __future__ import annotations

import contextlib
import datetime
import difflib
import functools
import json
import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any, Iterable, Mapping

from ftrag_mc.errors import ScenarioError

STALE_AFTER_DAYS = 365
"""A catalog price older than this (``as_of`` before today minus a year) gets a note in ``validate``."""

WARN_FACTOR = 10.0
"""An explicit price more than this factor outside the catalog's range for its kind gets a warning."""


# --- records ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CatalogEntry:
    """What a run records about one catalog entry it used."""

    name: str
    as_of: datetime.date
    source: str


@dataclass(frozen=True)
class ModelPrices:
    """A hosted model's prices; ``None`` where no source gives the figure.

    Multipliers are of the model's input price (Anthropic: read 0.1, write 1.25). Tuned prices are
    per token of a fine-tuned variant, not premiums.
    """

    name: str
    provider: str
    input_usd_per_mtok: float | None
    output_usd_per_mtok: float | None
    cache_read_multiplier: float | None
    cache_write_multiplier: float | None
    training_usd_per_mtok: float | None
    tuned_input_usd_per_mtok: float | None
    tuned_output_usd_per_mtok: float | None
    hosting_fee_usd_per_month: float | None
    prefill_tokens_per_second: float | None
    decode_tokens_per_second: float | None
    as_of: datetime.date
    source: str

    @property
    def is_embedding(self) -> bool:
        return self.output_usd_per_mtok is None and self.input_usd_per_mtok is not None

    @property
    def entry(self) -> CatalogEntry:
        return CatalogEntry(self.name, self.as_of, self.source)


@dataclass(frozen=True)
class GpuPrices:
    """A GPU's rental rate ranges, (low, high) USD per GPU-hour, ``None`` where no source gives one."""

    name: str
    title: str
    reserved_usd_per_hour: tuple[float, float] | None
    on_demand_usd_per_hour: tuple[float, float] | None
    as_of: datetime.date
    source: str

    def rate_usd_per_hour(self, pricing: str) -> tuple[float, float] | None:
        return {"reserved": self.reserved_usd_per_hour, "on_demand": self.on_demand_usd_per_hour}[pricing]

    @property
    def entry(self) -> CatalogEntry:
        return CatalogEntry(self.name, self.as_of, self.source)


@dataclass(frozen=True)
class Serving:
    """Tokens per second one GPU serves for an open model of a given size."""

    model: str
    gpu: str
    tokens_per_second: float
    as_of: datetime.date
    source: str

    @property
    def entry(self) -> CatalogEntry:
        return CatalogEntry(f"{self.model} on {self.gpu}", self.as_of, self.source)


@dataclass(frozen=True)
class CatalogUse:
    """Which price keys of which scenario table the catalog filled, and from which entries."""

    path: str                       # e.g. strategies.ft.llm
    entries: tuple[CatalogEntry, ...]
    values: tuple[tuple[str, Any], ...]  # (key, value) filled in, in the order filled


# --- the data --------------------------------------------------------------------------------------

def normalise(name: str) -> str:
    """The catalog key of a model or GPU name: lower case, runs of spaces, ``_`` and ``.`` as ``-``."""
    return re.sub(r"[\s_.]+", "-", name.strip().lower())


def _date(value: Any) -> datetime.date:
    # tomllib gives a date for a bare TOML date, a string for a quoted one.
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def _base(value: Decimal | Any | None) -> Decimal | None:
    """A genai-prices price: the base tier of tiered prices (prompts under the threshold)."""
    return None if value is None else getattr(value, "base", value)


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _ratio(price: Decimal | None, base: Decimal | None) -> float | None:
    # In decimals, so 0.30 / 3 is 0.1 exactly, as published.
    return float(price / base) if price is not None and base else None


@dataclass(frozen=True)
class _Catalog:
    models: dict[str, ModelPrices]  # curated, by normalised name, in file order
    gpus: dict[str, GpuPrices]
    open_models: dict[str, tuple[str, str, float]]  # normalised name -> (name, title, params_billion)
    serving: tuple[tuple[str, float, float, float, datetime.date, str], ...]  # gpu, lo, hi, tok/s, as_of, source
    genai_version: str
    genai_as_of: datetime.date
    provider_extras: dict[str, dict[str, Any]]
    latency_figures: dict[str, dict[str, Any]]


@functools.cache
def _genai_snapshot():
    """genai-prices' shipped data as a snapshot of our own: never the auto-updated one, never fetched."""
    from genai_prices import data, data_snapshot

    return data_snapshot.DataSnapshot(providers=data.providers, from_auto_update=False)


def _genai_version() -> str:
    from importlib.metadata import version

    return version("genai-prices")


@functools.cache
def _catalog() -> _Catalog:
    raw = tomllib.loads(resources.files("ftrag_mc").joinpath("data/prices.toml").read_text("utf-8"))
    genai = raw["genai_prices"]
    installed = _genai_version()
    # The snapshot's date is the pinned release's; another installed version has other prices.
    genai_as_of = _date(genai["as_of"]) if installed == genai["version"] else None
    version = installed
    extras = raw.get("providers", {})
    gpus = {}
    for key, spec in raw.get("gpus", {}).items():
        gpus[normalise(key)] = GpuPrices(
            name=key, title=spec["name"],
            reserved_usd_per_hour=tuple(spec["reserved_usd_per_hour"]) if "reserved_usd_per_hour" in spec else None,
            on_demand_usd_per_hour=tuple(spec["on_demand_usd_per_hour"]) if "on_demand_usd_per_hour" in spec else None,
            as_of=_date(spec["as_of"]), source=spec["source"])
    open_models = {normalise(k): (k, v["name"], float(v["params_billion"])) for k, v in raw.get("open_models", {}).items()}
    serving = tuple((normalise(s["gpu"]), float(s["params_billion"][0]), float(s["params_billion"][1]),
                     float(s["tokens_per_second"]), _date(s["as_of"]), s["source"])
                    for s in raw.get("serving", []))
    catalog = _Catalog(models={}, gpus=gpus, open_models=open_models, serving=serving, genai_version=version,
                       genai_as_of=genai_as_of or datetime.date.today(), provider_extras=extras,
                       latency_figures=raw.get("latency", {}))
    for key, spec in raw.get("models", {}).items():
        catalog.models[normalise(key)] = _from_genai(catalog, key, spec["provider"], spec)
    return catalog


GENAI_CACHE = "data/genai_prices_cache.json"
"""What the curated models take from genai-prices, derived from the pinned release by
:func:`write_genai_cache` and checked against it by the tests: a run that names a curated model
reads these few numbers instead of importing the package's 1.6 MB data module (~1 s and ~20 MB)."""


def _genai_entry(name: str, provider_id: str | None, when: datetime.datetime) -> dict[str, Any]:
    """A curated model's figures from genai-prices itself: ids, names, and the base-tier prices
    (USD per million tokens, as decimal strings; None where unpublished) at ``when``."""
    provider, info = _genai_snapshot().find_provider_model(name, None, provider_id, None)
    prices = info.get_prices(when)
    tuned = next((m for m in provider.models if m.id == f"ft:{info.id}"), None)
    tuned_prices = tuned.get_prices(when) if tuned is not None else None

    def text(value: Any) -> str | None:
        value = _base(value)
        return None if value is None else str(value)

    return {"provider_id": provider.id, "provider_name": provider.name, "model_id": info.id,
            "input": text(prices.input_mtok), "output": text(prices.output_mtok),
            "cache_read": text(prices.cache_read_mtok), "cache_write": text(prices.cache_write_mtok),
            "tuned_id": tuned.id if tuned is not None else None,
            "tuned_input": text(tuned_prices.input_mtok) if tuned_prices is not None else None,
            "tuned_output": text(tuned_prices.output_mtok) if tuned_prices is not None else None}


@functools.cache
def _genai_cache() -> dict[str, Any]:
    path = resources.files("ftrag_mc").joinpath(GENAI_CACHE)
    return json.loads(path.read_text("utf-8")) if path.is_file() else {}


def write_genai_cache(path: str | None = None) -> dict[str, Any]:
    """Derive :data:`GENAI_CACHE` from the installed genai-prices (run after changing its pin or
    the curated models: ``python -c "import ftrag_mc.catalog as c; c.write_genai_cache()"``)."""
    raw = tomllib.loads(resources.files("ftrag_mc").joinpath("data/prices.toml").read_text("utf-8"))
    when = datetime.datetime.combine(_date(raw["genai_prices"]["as_of"]), datetime.time(), tzinfo=datetime.timezone.utc)
    cache = {"genai_prices_version": _genai_version(), "as_of": str(_date(raw["genai_prices"]["as_of"])),
             "models": {key: _genai_entry(key, spec["provider"], when) for key, spec in raw.get("models", {}).items()}}
    target = path or str(resources.files("ftrag_mc").joinpath(GENAI_CACHE))
    with open(target, "w", encoding="utf-8") as out:
        json.dump(cache, out, indent=1, sort_keys=True)
        out.write("\n")
    _genai_cache.cache_clear()
    return cache


def _from_genai(catalog: _Catalog, name: str, provider_id: str | None, extra: Mapping[str, Any]) -> ModelPrices:
    when = datetime.datetime.combine(catalog.genai_as_of, datetime.time(), tzinfo=datetime.timezone.utc)
    cache = _genai_cache()
    fresh = cache.get("genai_prices_version") == catalog.genai_version and cache.get("as_of") == str(catalog.genai_as_of)
    entry = cache["models"].get(name) if fresh else None
    if entry is None:
        entry = _genai_entry(name, provider_id, when)

    def price(key: str) -> Decimal | None:
        return None if entry[key] is None else Decimal(entry[key])

    input_price = price("input")
    read, write = price("cache_read"), price("cache_write")
    provider_extra = catalog.provider_extras.get(entry["provider_id"], {})
    sources = [f"genai-prices {catalog.genai_version} ({entry['provider_name']})"]
    dates = [catalog.genai_as_of]
    write_multiplier = _ratio(write, input_price)
    if write_multiplier is None and "cache_write_multiplier" in provider_extra and read is not None:
        write_multiplier = float(provider_extra["cache_write_multiplier"])
        sources.append(f"cache write: {provider_extra['source']}")
        dates.append(_date(provider_extra["as_of"]))
    if "source" in extra:
        sources.append(extra["source"])
        dates.append(_date(extra["as_of"]))

    def get(key: str) -> float | None:
        return float(extra[key]) if key in extra else None

    # genai-prices keeps some fine-tuned variants as models of their own (ft:gpt-4o): their prices
    # are the tuned prices, and prices.toml gives only those it lacks.
    tuned_in, tuned_out = get("tuned_input_usd_per_mtok"), get("tuned_output_usd_per_mtok")
    if entry["tuned_id"] is not None and tuned_in is None and tuned_out is None:
        tuned_in, tuned_out = _float(price("tuned_input")), _float(price("tuned_output"))
        sources[0] = f"genai-prices {catalog.genai_version} ({entry['provider_name']}; tuned: {entry['tuned_id']})"

    return ModelPrices(
        name=entry["model_id"], provider=entry["provider_id"], input_usd_per_mtok=_float(input_price),
        output_usd_per_mtok=_float(price("output")),
        cache_read_multiplier=_ratio(read, input_price),
        cache_write_multiplier=write_multiplier,
        training_usd_per_mtok=get("training_usd_per_mtok"),
        tuned_input_usd_per_mtok=tuned_in, tuned_output_usd_per_mtok=tuned_out,
        hosting_fee_usd_per_month=get("hosting_fee_usd_per_month"),
        prefill_tokens_per_second=get("prefill_tokens_per_second"),
        decode_tokens_per_second=get("decode_tokens_per_second"),
        as_of=min(dates), source="; ".join(sources))


# --- lookups ---------------------------------------------------------------------------------------

def models() -> tuple[ModelPrices, ...]:
    """The curated hosted models, in catalog order."""
    return tuple(_catalog().models.values())


def gpus() -> tuple[GpuPrices, ...]:
    return tuple(_catalog().gpus.values())


def _unknown(kind: str, name: str, known: Iterable[str]) -> ScenarioError:
    known = list(known)
    close = difflib.get_close_matches(normalise(name), [normalise(k) for k in known], n=1, cutoff=0.6)
    by_key = {normalise(k): k for k in known}
    hint = f"; did you mean '{by_key[close[0]]}'?" if close else ""
    return ScenarioError(f"'{_shown(name)}' is not a {kind} in the price catalog{hint} (see: ftrag-mc prices --search TEXT)")


def _shown(name: str, width: int = 60) -> str:
    """A name as an error line can carry it: printable, escaped otherwise, and cut when long."""
    cut = name[:width]
    shown = cut if cut.isprintable() else cut.encode("unicode_escape").decode("ascii")
    return shown + ("…" if len(name) > width else "")


def _genai_ids() -> list[str]:
    return [m.id for p in _genai_snapshot().providers for m in p.models]


@functools.cache
def lookup_model(name: str) -> ModelPrices:
    """A hosted model's prices: a curated entry, else any model genai-prices knows.

    Raises
    ------
    ScenarioError
        If no such model is known (the message has a "did you mean", and no key path: the caller adds it).
    """
    catalog = _catalog()
    key = normalise(name)
    if key in catalog.models:
        return catalog.models[key]
    for model in catalog.models.values():
        if normalise(model.name) == key:
            return model
    for candidate in dict.fromkeys((name.strip().lower(), key)):
        try:
            return _from_genai(catalog, candidate, None, {})
        except LookupError:
            continue
    raise _unknown("hosted model", name, [m.name for m in catalog.models.values()] + _genai_ids())


def lookup_gpu(name: str) -> GpuPrices:
    """A GPU's hourly rate ranges (``l40s``, ``a100-80gb``, ``h100``)."""
    catalog = _catalog()
    try:
        return catalog.gpus[normalise(name)]
    except KeyError:
        raise _unknown("GPU", name, [g.name for g in catalog.gpus.values()]) from None


def lookup_open_model(name: str) -> tuple[str, float]:
    """An open model to self-host: its canonical key and size in billions of parameters."""
    catalog = _catalog()
    key = normalise(name)
    if key not in catalog.open_models:
        raise _unknown("self-hostable model", name, [v[0] for v in catalog.open_models.values()])
    return catalog.open_models[key][0], catalog.open_models[key][2]


def lookup_serving(model: str, gpu: str | None = None) -> Serving:
    """vLLM throughput of one GPU for an open model; with ``gpu=None``, the one GPU the catalog has a figure for.

    Raises
    ------
    ScenarioError
        If the model or GPU is unknown, no figure exists for the pair, or several GPUs fit and none is named.
    """
    catalog = _catalog()
    key, params = lookup_open_model(model)
    gpu_key = normalise(lookup_gpu(gpu).name) if gpu is not None else None
    rows = [r for r in catalog.serving if r[1] <= params <= r[2] and (gpu_key is None or r[0] == gpu_key)]
    fits = sorted({r[0] for r in catalog.serving if r[1] <= params <= r[2]})
    if not rows:
        where = f" on {gpu}" if gpu is not None else ""
        others = f" (the catalog has: {', '.join(fits)})" if fits else ""
        raise ScenarioError(f"no serving throughput in the catalog for {key}{where}{others}; "
                            "give throughput_tokens_per_second")
    if len(rows) > 1:
        raise ScenarioError(f"{key} has throughput figures on several GPUs ({', '.join(fits)}); name one with gpu = ...")
    gpu_name, _, _, tokens_per_second, as_of, source = rows[0]
    return Serving(model=key, gpu=gpu_name, tokens_per_second=tokens_per_second, as_of=as_of, source=source)


def latency_figures() -> dict[str, dict[str, Any]]:
    """Sourced latency comparisons (the article's tuned Haiku vs Sonnet), as given in prices.toml."""
    return {k: dict(v) for k, v in _catalog().latency_figures.items()}


def search(text: str = "") -> tuple[ModelPrices, ...]:
    """Curated models whose name or provider contains ``text`` (normalised), then genai-prices' others.

    An empty ``text`` gives the curated models only.
    """
    curated = models()
    if not text.strip():
        return curated
    needle = normalise(text)
    found = [m for m in curated if needle in normalise(m.name) or needle in normalise(m.provider)]
    seen = {m.name for m in found} | {m.name for m in curated}
    catalog = _catalog()
    for provider in _genai_snapshot().providers:
        for info in provider.models:
            if info.id in seen or not (needle in normalise(info.id) or needle in normalise(info.name or "")):
                continue
            seen.add(info.id)
            try:
                found.append(_from_genai(catalog, info.id, provider.id, {}))
            except (LookupError, AttributeError, TypeError):
                continue  # a model priced per image or per second: no token prices to show
    return tuple(found)


# --- the catalog as a table ---------------------------------------------------------------------------

PRICE_COLUMNS = ("model", "provider", "input_usd_per_mtok", "output_usd_per_mtok", "cache_read_usd_per_mtok",
                 "cache_write_usd_per_mtok", "training_usd_per_mtok", "tuned_input_usd_per_mtok",
                 "tuned_output_usd_per_mtok", "as_of", "source")
"""The columns of :func:`price_rows` (the CSV header of ``ftrag-mc prices --csv``)."""


def price_rows(found: Iterable[ModelPrices]) -> list[dict[str, Any]]:
    """One row per model for ``ftrag-mc prices``: cache prices in USD per million tokens, ``None`` where unknown."""
    rows = []
    for m in found:
        def times(multiplier: float | None) -> float | None:
            if multiplier is None or m.input_usd_per_mtok is None:
                return None
            return float(f"{multiplier * m.input_usd_per_mtok:.12g}")  # 0.8 x 0.1 is 0.08, as published

        rows.append({"model": m.name, "provider": m.provider, "input_usd_per_mtok": m.input_usd_per_mtok,
                     "output_usd_per_mtok": m.output_usd_per_mtok,
                     "cache_read_usd_per_mtok": times(m.cache_read_multiplier),
                     "cache_write_usd_per_mtok": times(m.cache_write_multiplier),
                     "training_usd_per_mtok": m.training_usd_per_mtok,
                     "tuned_input_usd_per_mtok": m.tuned_input_usd_per_mtok,
                     "tuned_output_usd_per_mtok": m.tuned_output_usd_per_mtok,
                     "as_of": m.as_of.isoformat(), "source": m.source})
    return rows


def gpu_rows(text: str = "") -> list[dict[str, Any]]:
    """GPUs (rate ranges) and the serving throughputs on each, whose name contains ``text``."""
    needle = normalise(text)
    catalog = _catalog()
    rows = []
    for gpu in catalog.gpus.values():
        if needle and needle not in normalise(gpu.name) and needle not in normalise(gpu.title):
            continue
        serving = [f"{lo:g}-{hi:g}B: {tps:,.0f} tokens/s" if lo != hi else f"{lo:g}B: {tps:,.0f} tokens/s"
                   for g, lo, hi, tps, _, _ in catalog.serving if g == normalise(gpu.name)]
        rows.append({"gpu": gpu.name, "reserved_usd_per_hour": gpu.reserved_usd_per_hour,
                     "on_demand_usd_per_hour": gpu.on_demand_usd_per_hour, "serving": "; ".join(serving),
                     "as_of": gpu.as_of.isoformat(), "source": gpu.source})
    return rows


# --- filling a scenario's tables ---------------------------------------------------------------------

_PRICING = ("on_demand", "reserved")


def resolve_strategy(table: Any, path: str) -> tuple[Any, tuple[CatalogUse, ...]]:
    """Fill a strategy table's price keys from the catalog where a component names a ``model``.

    The rules (also in the scenario reference): a key given explicitly always wins; ``llm.model``
    fills the input and output prices, and with ``tuned = true`` the premiums as the tuned price
    over the base price, minus one; ``cache``, ``training`` and ``hosting`` take the llm's model
    when they name none (training and hosting only for a tuned llm); ``retrieval.model`` fills the
    embedding price, ``escalation.model`` the frontier prices; ``self_hosted.model`` and ``gpu``
    fill the throughput and the hourly rate (uniform over the catalog's range).

    Parameters
    ----------
    table
        The strategy's TOML table (not changed); anything not a table is returned as is.
    path
        Its key path, ``strategies.<name>``.

    Returns
    -------
    The table with the filled keys, and what was filled from which entries.

    Raises
    ------
    ScenarioError
        A model is unknown, or has no price the table needs (e.g. ``tuned = true`` without tuned prices).
    """
    if not isinstance(table, dict):
        return table, ()
    table = dict(table)
    uses: list[CatalogUse] = []
    llm = table.get("llm") if isinstance(table.get("llm"), dict) else None
    llm_model = llm.get("model") if llm is not None else None
    tuned = llm is not None and llm.get("tuned") is True
    for component, fill in _FILLERS.items():
        sub = table.get(component)
        if not isinstance(sub, dict):
            continue
        sub_path = f"{path}.{component}"
        inherited = None
        if component == "cache" or (component in ("training", "hosting") and tuned):
            inherited = llm_model
        filled = fill(dict(sub), sub_path, inherited)
        if filled is not None:
            new_sub, use = filled
            table[component] = new_sub
            if use.values:
                uses.append(use)
    return table, tuple(uses)


def _name(sub: Mapping[str, Any], key: str, path: str) -> str | None:
    value = sub.get(key)
    if value is not None and not isinstance(value, str):
        raise ScenarioError(f"expected a model name (a string), got {type(value).__name__}", path=f"{path}.{key}")
    return value


@contextlib.contextmanager
def _at(path: str, key: str):
    """Run a lookup, giving its error the key path of the name that failed."""
    try:
        yield
    except ScenarioError as error:
        if error.path is not None:
            raise
        raise ScenarioError(error.message, path=f"{path}.{key}") from None


def _model_for(sub: Mapping[str, Any], path: str, inherited: str | None) -> ModelPrices | None:
    """The component's own model, else the inherited one (an unknown name is blamed where it is written)."""
    own = _name(sub, "model", path)
    if own is None and inherited is None:
        return None
    with _at(path, "model") if own is not None else _at(path.rsplit(".", 1)[0], "llm.model"):
        return lookup_model(own if own is not None else inherited)


def _put(sub: dict, values: list, key: str, value: Any) -> None:
    if key not in sub:
        sub[key] = value
        values.append((key, value))


def _put_token_prices(sub: dict, values: list, model: ModelPrices, path: str) -> None:
    for key, price, what in (("input_usd_per_mtok", model.input_usd_per_mtok, "input price"),
                             ("output_usd_per_mtok", model.output_usd_per_mtok, "output price")):
        if key not in sub and price is None:
            raise _missing(model, what, path, "model", key)
        _put(sub, values, key, price)


def _missing(model: ModelPrices, what: str, path: str, key: str, instead: str) -> ScenarioError:
    return ScenarioError(f"the catalog has no {what} for '{model.name}'; give {instead}", path=f"{path}.{key}")


def _fill_llm(sub: dict, path: str, inherited: str | None):
    tuned = sub.get("tuned")
    if not isinstance(tuned, bool):
        tuned = False  # absent, or not a boolean: the schema reports that
    model = _model_for(sub, path, None)
    if model is None:
        if tuned:
            raise ScenarioError("tuned = true takes its premiums from the catalog: name the model "
                                "(model = \"gpt-4.1-mini\") or give input_premium and output_premium instead",
                                path=f"{path}.tuned")
        return None
    values: list = []
    _put_token_prices(sub, values, model, path)
    if tuned:
        for key, tuned_price, base in (("input_premium", model.tuned_input_usd_per_mtok, model.input_usd_per_mtok),
                                       ("output_premium", model.tuned_output_usd_per_mtok, model.output_usd_per_mtok)):
            if key in sub:
                continue
            if tuned_price is None or not base:
                raise ScenarioError(f"the catalog has no tuned-inference price for '{model.name}' (no published "
                                    f"fine-tuning); give input_premium and output_premium, or drop tuned",
                                    path=f"{path}.tuned")
            # A premium, not a price: the scenario's price decline then moves base and tuned together.
            _put(sub, values, key, tuned_price / base - 1)
    return sub, CatalogUse(path, (model.entry,), tuple(values))


def _fill_cache(sub: dict, path: str, inherited: str | None):
    model = _model_for(sub, path, inherited)
    if model is None:
        return None
    values: list = []
    for key, multiplier, what in (("read_multiplier", model.cache_read_multiplier, "cache read price"),
                                  ("write_multiplier", model.cache_write_multiplier, "cache write price")):
        if key not in sub and multiplier is None:
            raise _missing(model, what, path, key if "model" not in sub else "model", key)
        _put(sub, values, key, multiplier)
    return sub, CatalogUse(path, (model.entry,), tuple(values))


def _fill_training(sub: dict, path: str, inherited: str | None):
    if "run_usd" in sub or "training_usd_per_mtok" in sub:
        return None  # priced by the scenario: nothing to fill
    model = _model_for(sub, path, inherited)
    if model is None:
        return None
    if model.training_usd_per_mtok is None:
        raise _missing(model, "fine-tuning training price", path, "model" if "model" in sub else "run_usd",
                       "run_usd or training_usd_per_mtok")
    values: list = []
    _put(sub, values, "training_usd_per_mtok", model.training_usd_per_mtok)
    return sub, CatalogUse(path, (model.entry,), tuple(values))


def _fill_hosting(sub: dict, path: str, inherited: str | None):
    if "fee_usd_per_month" in sub:
        return None
    model = _model_for(sub, path, inherited)
    if model is None:
        return None
    if model.hosting_fee_usd_per_month is None:
        raise _missing(model, "hosting fee", path, "model" if "model" in sub else "fee_usd_per_month", "fee_usd_per_month")
    values: list = []
    _put(sub, values, "fee_usd_per_month", model.hosting_fee_usd_per_month)
    return sub, CatalogUse(path, (model.entry,), tuple(values))


def _fill_retrieval(sub: dict, path: str, inherited: str | None):
    model = _model_for(sub, path, None)
    if model is None:
        return None
    if not model.is_embedding and "embedding_usd_per_mtok" not in sub:
        raise ScenarioError(f"'{model.name}' is not an embedding model (it has an output price)", path=f"{path}.model")
    values: list = []
    _put(sub, values, "embedding_usd_per_mtok", model.input_usd_per_mtok)
    return sub, CatalogUse(path, (model.entry,), tuple(values))


def _fill_escalation(sub: dict, path: str, inherited: str | None):
    model = _model_for(sub, path, None)
    if model is None:
        return None
    values: list = []
    _put_token_prices(sub, values, model, path)
    return sub, CatalogUse(path, (model.entry,), tuple(values))


def _fill_self_hosted(sub: dict, path: str, inherited: str | None):
    model_name, gpu_name = _name(sub, "model", path), _name(sub, "gpu", path)
    pricing = sub.get("gpu_pricing", "on_demand")
    if model_name is None and gpu_name is None:
        return None
    if pricing not in _PRICING:
        return None  # the schema reports the choice
    values: list = []
    entries: list[CatalogEntry] = []
    if model_name is not None:
        with _at(path, "model"):
            lookup_open_model(model_name)
        if "throughput_tokens_per_second" not in sub:
            with _at(path, "gpu" if gpu_name is not None else "model"):
                serving = lookup_serving(model_name, gpu_name)
            _put(sub, values, "throughput_tokens_per_second", serving.tokens_per_second)
            entries.append(serving.entry)
            gpu_name = gpu_name or serving.gpu
    if gpu_name is not None and "gpu_usd_per_hour" not in sub:
        with _at(path, "gpu" if "gpu" in sub else "model"):
            gpu = lookup_gpu(gpu_name)
        rate = gpu.rate_usd_per_hour(pricing)
        if rate is None:
            other = [p for p in _PRICING if gpu.rate_usd_per_hour(p) is not None]
            raise ScenarioError(f"the catalog has no {pricing.replace('_', '-')} rate for {gpu.name} "
                                f"(it has: {', '.join(other)}); set gpu_pricing or give gpu_usd_per_hour",
                                path=f"{path}.gpu_pricing")
        low, high = rate
        value = low if low == high else {"dist": "uniform", "min": low, "max": high}
        _put(sub, values, "gpu_usd_per_hour", value)
        entries.append(gpu.entry)
    return sub, CatalogUse(path, tuple(entries), tuple(values))


_FILLERS = {
    "llm": _fill_llm,
    "cache": _fill_cache,
    "training": _fill_training,
    "hosting": _fill_hosting,
    "retrieval": _fill_retrieval,
    "escalation": _fill_escalation,
    "self_hosted": _fill_self_hosted,
}


# --- checks of a parsed scenario ---------------------------------------------------------------------

def used_entries(uses: Iterable[CatalogUse]) -> list[CatalogEntry]:
    """Each catalog entry the uses name, once, in the order met."""
    return list(dict.fromkeys(entry for use in uses for entry in use.entries))


def stale_notes(scenario: Any, today: datetime.date | None = None) -> list[str]:
    """A note for each catalog price a scenario uses that is older than a year.

    Parameters
    ----------
    scenario
        A parsed :class:`~ftrag_mc.scenario.Scenario`.
    today
        The date to measure from; default ``datetime.date.today()``.
    """
    today = today or _today()
    notes = []
    for use in getattr(scenario, "catalog", ()):
        for entry in use.entries:
            age_days = (today - entry.as_of).days
            if age_days > STALE_AFTER_DAYS:
                notes.append(f"{use.path}: the catalog price of {entry.name} is from {entry.as_of.isoformat()}, "
                             f"{age_days} days ago; check it ({entry.source})")
    return notes


_today = datetime.date.today  # a seam for tests of the CLI's notes


# Which explicit price keys are compared with which catalog range: (component, key) -> kind.
_KINDS = {
    ("llm", "input_usd_per_mtok"): "input",
    ("llm", "output_usd_per_mtok"): "output",
    ("escalation", "input_usd_per_mtok"): "input",
    ("escalation", "output_usd_per_mtok"): "output",
    ("retrieval", "embedding_usd_per_mtok"): "embedding",
    ("training", "training_usd_per_mtok"): "training",
    ("self_hosted", "gpu_usd_per_hour"): "gpu",
}


def catalog_ranges() -> dict[str, tuple[float, float]]:
    """The lowest and highest catalog price of each kind (input, output, embedding, training, gpu)."""
    chat = [m for m in models() if not m.is_embedding]
    values = {
        "input": [m.input_usd_per_mtok for m in chat],
        "output": [m.output_usd_per_mtok for m in chat],
        "embedding": [m.input_usd_per_mtok for m in models() if m.is_embedding],
        "training": [m.training_usd_per_mtok for m in models()],
        "gpu": [x for g in gpus() for r in (g.reserved_usd_per_hour, g.on_demand_usd_per_hour) if r for x in r],
    }
    return {kind: (min(v for v in vs if v is not None), max(v for v in vs if v is not None)) for kind, vs in values.items()}


def price_warnings(scenario: Any) -> list[tuple[str, str]]:
    """Explicit token and GPU prices more than 10x outside the catalog's range for their kind.

    A price is compared by its median (a distribution's middle, a constant's value); zero is never
    flagged (self-hosted llm tables give 0), nor a price the catalog filled in.

    Returns
    -------
    (key path, message) pairs, in scenario order.
    """
    ranges = catalog_ranges()
    filled = {f"{use.path}.{key}" for use in getattr(scenario, "catalog", ()) for key, _ in use.values}
    warnings = []
    for name, strategy in scenario.strategies.items():
        for (component, key), kind in _KINDS.items():
            record = getattr(strategy, component, None)
            quantity = getattr(record, key, None) if record is not None else None
            path = f"strategies.{name}.{component}.{key}"
            if quantity is None or path in filled:
                continue
            value = quantity.distribution.median
            low, high = ranges[kind]
            if value > 0 and not (low / WARN_FACTOR <= value <= high * WARN_FACTOR):
                unit = "USD/GPU-hour" if kind == "gpu" else "USD per million tokens"
                side = "below" if value < low else "above"
                warnings.append((path, f"{value:g} {unit} is more than {WARN_FACTOR:g}x {side} the catalog's "
                                       f"{kind} prices ({low:g} to {high:g}); a unit slip (per token, per thousand)?"))
    return warnings


def catalog_digest(uses: Iterable[CatalogUse]) -> bytes:
    """What the scenario hash adds for catalog-filled values: change a used price, change the hash."""
    return repr([(u.path, u.values, [(e.name, e.as_of.isoformat(), e.source) for e in u.entries])
                 for u in uses]).encode()


def catalog_reference() -> list[str]:
    """The reference's "Prices from the catalog": what each table's ``model`` fills, in Markdown."""
    return list(_CATALOG_DOC)


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


__all__ = [
    "catalog_reference",
    "CatalogEntry", "CatalogUse", "GpuPrices", "ModelPrices", "Serving", "catalog_ranges", "gpus",
    "latency_figures", "lookup_gpu", "lookup_model", "lookup_open_model", "lookup_serving", "models",
    "normalise", "price_warnings", "resolve_strategy", "search", "stale_notes", "used_entries",
]
