"""The catalog as tables: the rows ``ftrag-mc prices`` prints and writes as CSV."""

from __future__ import annotations

from typing import Any, Iterable

from ftrag_mc.catalog.data import catalog_data, normalise
from ftrag_mc.catalog.records import ModelPrices

__all__ = ["PRICE_COLUMNS", "gpu_rows", "price_rows"]

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
    catalog = catalog_data()
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
