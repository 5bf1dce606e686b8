"""The catalog's records: a model's prices, a GPU's rates, a serving throughput, and what a scenario
records about the entries it used (its hash covers them)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, Iterable

__all__ = ["CatalogEntry", "CatalogUse", "GpuPrices", "ModelPrices", "Serving", "catalog_digest", "used_entries"]


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
        """An embedding model: an input price and no output price."""
        return self.output_usd_per_mtok is None and self.input_usd_per_mtok is not None

    @property
    def entry(self) -> CatalogEntry:
        """What a run records of this entry."""
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
        """The (low, high) rate for ``pricing`` (``"reserved"`` or ``"on_demand"``), None if unknown."""
        return {"reserved": self.reserved_usd_per_hour, "on_demand": self.on_demand_usd_per_hour}[pricing]

    @property
    def entry(self) -> CatalogEntry:
        """What a run records of this entry."""
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
        """What a run records of this figure."""
        return CatalogEntry(f"{self.model} on {self.gpu}", self.as_of, self.source)


@dataclass(frozen=True)
class CatalogUse:
    """Which price keys of which scenario table the catalog filled, and from which entries."""

    path: str                       # e.g. strategies.ft.llm
    entries: tuple[CatalogEntry, ...]
    values: tuple[tuple[str, Any], ...]  # (key, value) filled in, in the order filled


def used_entries(uses: Iterable[CatalogUse]) -> list[CatalogEntry]:
    """Each catalog entry the uses name, once, in the order met."""
    return list(dict.fromkeys(entry for use in uses for entry in use.entries))


def catalog_digest(uses: Iterable[CatalogUse]) -> bytes:
    """What the scenario hash adds for catalog-filled values: change a used price, change the hash."""
    return repr([(u.path, u.values, [(e.name, e.as_of.isoformat(), e.source) for e in u.entries])
                 for u in uses]).encode()
