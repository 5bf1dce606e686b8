"""The scenario reference's section on the catalog: what each table's ``model`` fills."""

from __future__ import annotations

__all__ = ["catalog_reference"]


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
