"""Filling a scenario's tables from the catalog where a component names a ``model``, at parse time
(:func:`resolve_strategy`, called by :mod:`ftrag_mc.scenario`)."""

from __future__ import annotations

import contextlib
from typing import Any, Mapping

from ftrag_mc.catalog.lookup import lookup_gpu, lookup_model, lookup_open_model, lookup_serving
from ftrag_mc.catalog.records import CatalogEntry, CatalogUse, ModelPrices
from ftrag_mc.errors import ScenarioError

__all__ = ["resolve_strategy"]

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
