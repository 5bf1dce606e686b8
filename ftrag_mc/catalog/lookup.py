"""Lookups in the catalog: a hosted model (curated, else any model genai-prices knows), a GPU, an
open model to self-host and its serving throughput; and search by name. An unknown name raises
:class:`~ftrag_mc.errors.ScenarioError` with a "did you mean"."""

from __future__ import annotations

import difflib
import functools
from typing import Any, Iterable

from ftrag_mc.catalog.data import catalog_data, genai_model, genai_snapshot, normalise
from ftrag_mc.catalog.records import GpuPrices, ModelPrices, Serving
from ftrag_mc.errors import ScenarioError

__all__ = ["gpus", "latency_figures", "lookup_gpu", "lookup_model", "lookup_open_model", "lookup_serving", "models",
           "search"]


def models() -> tuple[ModelPrices, ...]:
    """The curated hosted models, in catalog order."""
    return tuple(catalog_data().models.values())


def gpus() -> tuple[GpuPrices, ...]:
    """The catalog's GPUs, in catalog order."""
    return tuple(catalog_data().gpus.values())


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
    return [m.id for p in genai_snapshot().providers for m in p.models]


@functools.cache
def lookup_model(name: str) -> ModelPrices:
    """A hosted model's prices: a curated entry, else any model genai-prices knows.

    Raises
    ------
    ScenarioError
        If no such model is known (the message has a "did you mean", and no key path: the caller adds it).
    """
    catalog = catalog_data()
    key = normalise(name)
    if key in catalog.models:
        return catalog.models[key]
    for model in catalog.models.values():
        if normalise(model.name) == key:
            return model
    for candidate in dict.fromkeys((name.strip().lower(), key)):
        try:
            return genai_model(catalog, candidate, None, {})
        except LookupError:
            continue
    raise _unknown("hosted model", name, [m.name for m in catalog.models.values()] + _genai_ids())


def lookup_gpu(name: str) -> GpuPrices:
    """A GPU's hourly rate ranges (``l40s``, ``a100-80gb``, ``h100``)."""
    catalog = catalog_data()
    try:
        return catalog.gpus[normalise(name)]
    except KeyError:
        raise _unknown("GPU", name, [g.name for g in catalog.gpus.values()]) from None


def lookup_open_model(name: str) -> tuple[str, float]:
    """An open model to self-host: its canonical key and size in billions of parameters."""
    catalog = catalog_data()
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
    catalog = catalog_data()
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
    return {k: dict(v) for k, v in catalog_data().latency_figures.items()}


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
    catalog = catalog_data()
    for provider in genai_snapshot().providers:
        for info in provider.models:
            if info.id in seen or not (needle in normalise(info.id) or needle in normalise(info.name or "")):
                continue
            seen.add(info.id)
            try:
                found.append(genai_model(catalog, info.id, provider.id, {}))
            except (LookupError, AttributeError, TypeError):
                continue  # a model priced per image or per second: no token prices to show
    return tuple(found)
