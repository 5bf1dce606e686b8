"""The price catalog: hosted-model token prices, fine-tune and tuned-inference prices, GPU rates.

Hosted token prices (input, output, cache read and write, embeddings) come from the pinned
`genai-prices <https://pypi.org/project/genai-prices/>`_ package's bundled snapshot, read offline:
this package never starts its auto-updater and builds its own snapshot from the shipped data, so a
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

Modules by concern: :mod:`~ftrag_mc.catalog.records` (the records, and what a scenario keeps of
the entries it used), :mod:`~ftrag_mc.catalog.data` (reading the data and genai-prices),
:mod:`~ftrag_mc.catalog.lookup` (lookups and search), :mod:`~ftrag_mc.catalog.tables` (``ftrag-mc
prices``' rows), :mod:`~ftrag_mc.catalog.fill` (filling a scenario's ``model = "..."`` tables),
:mod:`~ftrag_mc.catalog.checks` (stale and out-of-range prices) and
:mod:`~ftrag_mc.catalog.reference` (the reference text). Their public names are imported here.
"""

from ftrag_mc.catalog.checks import STALE_AFTER_DAYS, WARN_FACTOR, catalog_ranges, price_warnings, stale_notes
from ftrag_mc.catalog.data import GENAI_CACHE, normalise, write_genai_cache
from ftrag_mc.catalog.fill import resolve_strategy
from ftrag_mc.catalog.lookup import (
    gpus, latency_figures, lookup_gpu, lookup_model, lookup_open_model, lookup_serving, models, search,
)
from ftrag_mc.catalog.records import (
    CatalogEntry, CatalogUse, GpuPrices, ModelPrices, Serving, catalog_digest, used_entries,
)
from ftrag_mc.catalog.reference import catalog_reference
from ftrag_mc.catalog.tables import PRICE_COLUMNS, gpu_rows, price_rows

__all__ = [
    "catalog_reference",
    "CatalogEntry", "CatalogUse", "GpuPrices", "ModelPrices", "Serving", "catalog_ranges", "gpus",
    "latency_figures", "lookup_gpu", "lookup_model", "lookup_open_model", "lookup_serving", "models",
    "normalise", "price_warnings", "resolve_strategy", "search", "stale_notes", "used_entries",
    "GENAI_CACHE", "PRICE_COLUMNS", "STALE_AFTER_DAYS", "WARN_FACTOR", "catalog_digest", "gpu_rows", "price_rows",
    "write_genai_cache",
]
