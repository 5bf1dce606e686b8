"""Checks of a parsed scenario against the catalog: prices older than a year (``validate``'s
notes) and explicit prices far outside the catalog's range (a lint warning)."""

from __future__ import annotations

import datetime
from typing import Any

from ftrag_mc.catalog.lookup import gpus, models

__all__ = ["STALE_AFTER_DAYS", "WARN_FACTOR", "catalog_ranges", "price_warnings", "stale_notes"]

STALE_AFTER_DAYS = 365
"""A catalog price older than this (``as_of`` before today minus a year) gets a note in ``validate``."""

WARN_FACTOR = 10.0
"""An explicit price more than this factor outside the catalog's range for its kind gets a warning."""


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
