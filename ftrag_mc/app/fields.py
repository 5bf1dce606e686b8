"""The inputs the page shows for a scenario, each a dotted key as with ``--set``.

Start volume, growth and horizon; every uncertain input's distribution parameters (a PERT's
``min``, ``mode`` and ``max`` are three keys: ``inputs.misroute_usd.mode``); the strategies' key
prices (token prices and premiums, training runs, GPUs, fees). A field's value is the scenario's,
as TOML text. Any other key is typed as ``KEY=VALUE`` in a box of its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ftrag_mc.overrides import format_value
from ftrag_mc.scenario import Scenario, describe_input

__all__ = ["Field", "PRICE_KEYS", "scenario_fields"]

#: A constant of a strategy shown among its key prices: the last part of its key.
PRICE_KEYS = (
    "input_usd_per_mtok", "output_usd_per_mtok", "input_premium", "output_premium", "run_usd",
    "gpu_usd_per_hour", "fee_usd_per_month", "embedding_usd_per_mtok", "vector_store_usd_per_month",
    "per_query_usd", "fixed_usd_per_month", "one_time_usd",
)
#: Prices shown even at zero (a zero token price is a choice worth seeing).
_ALWAYS = ("input_usd_per_mtok", "output_usd_per_mtok")

#: Parameters of a distribution table that are not numbers a field can hold.
_NOT_FIELDS = ("dist", "truncate", "values", "weights")


@dataclass(frozen=True)
class Field:
    """One input of the page.

    Attributes
    ----------
    key : str
        The dotted key it sets, as ``--set KEY=VALUE`` (``volume.growth_per_month.mode``).
    id : str
        The page's id for it (letters, digits and ``_``).
    label : str
        What it is, in words ("Monthly volume growth: mode").
    group : str
        The panel it is shown in ("Volume and horizon", a strategy's label, "Shared inputs").
    value : str
        The scenario's value, as TOML text.
    """

    key: str
    id: str
    label: str
    group: str
    value: str


def _lookup(table: Mapping[str, Any], key: str) -> Any:
    node: Any = table
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _words(scenario: Scenario, key: str) -> str:
    words = describe_input(scenario, key).removeprefix("the ")
    owner = key.split(".")
    if owner[0] == "strategies" and len(owner) > 2:
        words = words.rsplit(" of ", 1)[0]  # the panel names the strategy
    return words[:1].upper() + words[1:]


def _group(scenario: Scenario, key: str) -> str:
    parts = key.split(".")
    if parts[0] == "strategies" and parts[1] in scenario.strategies:
        return scenario.label(parts[1])
    return {"inputs": "Shared inputs", "team": "Team", "volume": "Volume and horizon",
            "scenario": "Volume and horizon"}.get(parts[0], "Other inputs")


def _quantity_fields(scenario: Scenario, table: Mapping[str, Any], key: str) -> list[tuple[str, str, str]]:
    """(key, label, value) for a quantity: one per parameter of a distribution, else one."""
    raw = _lookup(table, key)
    words = _words(scenario, key)
    if isinstance(raw, Mapping) and "dist" in raw:
        return [(f"{key}.{p}", f"{words}: {p} ({raw['dist']})", format_value(v)) for p, v in raw.items()
                if p not in _NOT_FIELDS and isinstance(v, (int, float)) and not isinstance(v, bool)]
    distribution = scenario.inputs.get(key)
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return [(key, words, format_value(raw))]
    if raw is None and distribution is not None and distribution.is_constant:
        value = float(distribution.ppf([0.5])[0])  # a price the catalog filled, a default
        return [(key, words, format_value(int(value) if value.is_integer() else value))]
    return []


def _is_price(scenario: Scenario, key: str) -> bool:
    parts = key.split(".")
    if parts[0] != "strategies" or parts[-1] not in PRICE_KEYS:
        return False
    distribution = scenario.inputs[key]
    return distribution.is_constant and (parts[-1] in _ALWAYS or float(distribution.ppf([0.5])[0]) != 0)


def scenario_fields(scenario: Scenario, table: Mapping[str, Any]) -> tuple[Field, ...]:
    """The page's inputs for ``scenario``, read from its TOML ``table`` (before overrides).

    In order: start volume, growth (and any other uncertain volume input) and horizon; the uncertain inputs (shared ones, the team's,
    then each strategy's with its key prices); each key at most once.
    """
    keys: list[tuple[str, str, str, str]] = []  # key, label, value, group
    volume = [("volume.queries_per_month", "Start volume (queries/month)",
               format_value(_lookup(table, "volume.queries_per_month")))]
    volume_inputs = ["volume.growth_per_month", *(k for k in scenario.uncertain_inputs
                                                  if k.startswith("volume.") and k != "volume.growth_per_month")]
    for key in volume_inputs:
        volume += _quantity_fields(scenario, table, key)
    volume += [("scenario.horizon_months", "Horizon (months)", format_value(scenario.horizon_months))]
    keys += [(k, label, v, "Volume and horizon") for k, label, v in volume]
    uncertain = [k for k in scenario.uncertain_inputs if k not in volume_inputs]
    prices = [k for k in scenario.inputs if _is_price(scenario, k)]
    owners = ["inputs", "team", "scenario", *(f"strategies.{s}" for s in scenario.strategies)]
    for owner in owners:
        for key in [k for k in uncertain + prices if k == owner or k.startswith(owner + ".")]:
            keys += [(k, label, v, _group(scenario, key)) for k, label, v in _quantity_fields(scenario, table, key)]
    fields, seen, ids = [], set(), set()
    for key, label, value, group in keys:
        if key in seen:
            continue
        seen.add(key)
        fields.append(Field(key, _field_id(key, ids), label, group, value))
    return tuple(fields)


def _field_id(key: str, taken: set[str]) -> str:
    base = "k_" + re.sub(r"[^A-Za-z0-9]+", "_", key).strip("_")
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    taken.add(name)
    return name
