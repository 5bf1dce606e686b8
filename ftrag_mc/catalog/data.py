"""The catalog's data, read once per process: the curated entries of ``data/prices.toml`` and the
hosted models' prices from genai-prices' shipped snapshot (through the small cache
:data:`GENAI_CACHE` for the curated models, so a run need not import the package's data module).
"""

from __future__ import annotations

import datetime
import functools
import json
import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any, Mapping

from ftrag_mc.catalog.records import GpuPrices, ModelPrices

__all__ = ["GENAI_CACHE", "CatalogData", "catalog_data", "genai_model", "genai_snapshot", "genai_version", "normalise",
           "write_genai_cache"]


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
class CatalogData:
    """Everything the catalog holds, as read from ``data/prices.toml`` (and genai-prices)."""

    models: dict[str, ModelPrices]  # curated, by normalised name, in file order
    gpus: dict[str, GpuPrices]
    open_models: dict[str, tuple[str, str, float]]  # normalised name -> (name, title, params_billion)
    serving: tuple[tuple[str, float, float, float, datetime.date, str], ...]  # gpu, lo, hi, tok/s, as_of, source
    genai_version: str
    genai_as_of: datetime.date
    provider_extras: dict[str, dict[str, Any]]
    latency_figures: dict[str, dict[str, Any]]


@functools.cache
def genai_snapshot():
    """genai-prices' shipped data as a snapshot of our own: never the auto-updated one, never fetched."""
    from genai_prices import data, data_snapshot

    return data_snapshot.DataSnapshot(providers=data.providers, from_auto_update=False)


def genai_version() -> str:
    """The installed genai-prices version (its prices are that release's)."""
    from importlib.metadata import version

    return version("genai-prices")


@functools.cache
def catalog_data() -> CatalogData:
    """The catalog, read once per process: ``prices.toml``'s GPUs, open models, serving figures and
    curated models, each model's prices from genai-prices as of the pinned release's date."""
    raw = tomllib.loads(resources.files("ftrag_mc").joinpath("data/prices.toml").read_text("utf-8"))
    genai = raw["genai_prices"]
    installed = genai_version()
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
    catalog = CatalogData(models={}, gpus=gpus, open_models=open_models, serving=serving, genai_version=version,
                          genai_as_of=genai_as_of or datetime.date.today(), provider_extras=extras,
                          latency_figures=raw.get("latency", {}))
    for key, spec in raw.get("models", {}).items():
        catalog.models[normalise(key)] = genai_model(catalog, key, spec["provider"], spec)
    return catalog


GENAI_CACHE = "data/genai_prices_cache.json"
"""What the curated models take from genai-prices, derived from the pinned release by
:func:`write_genai_cache` and checked against it by the tests: a run that names a curated model
reads these few numbers instead of importing the package's 1.6 MB data module (~1 s and ~20 MB)."""


def _genai_entry(name: str, provider_id: str | None, when: datetime.datetime) -> dict[str, Any]:
    """A curated model's figures from genai-prices itself: ids, names, and the base-tier prices
    (USD per million tokens, as decimal strings; None where unpublished) at ``when``."""
    provider, info = genai_snapshot().find_provider_model(name, None, provider_id, None)
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
    cache = {"genai_prices_version": genai_version(), "as_of": str(_date(raw["genai_prices"]["as_of"])),
             "models": {key: _genai_entry(key, spec["provider"], when) for key, spec in raw.get("models", {}).items()}}
    target = path or str(resources.files("ftrag_mc").joinpath(GENAI_CACHE))
    with open(target, "w", encoding="utf-8") as out:
        json.dump(cache, out, indent=1, sort_keys=True)
        out.write("\n")
    _genai_cache.cache_clear()
    return cache


def genai_model(catalog: CatalogData, name: str, provider_id: str | None, extra: Mapping[str, Any]) -> ModelPrices:
    """A hosted model's prices: genai-prices' (from :data:`GENAI_CACHE` when it is current) with
    ``extra``, its curated entry of ``prices.toml`` (training, tuned, hosting, speeds), on top.

    Raises
    ------
    LookupError
        If genai-prices knows no such model.
    """
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
