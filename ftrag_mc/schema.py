"""A small declarative schema for TOML tables.

Sections of a scenario are frozen dataclasses whose fields carry metadata made by :func:`quantity`,
:func:`number`, :func:`integer`, :func:`text`, :func:`section` and friends. :func:`parse_record`
walks a table against such a class: unknown keys are errors (with a "did you mean" hint), every
error names the dotted key path, and every numeric input becomes a :class:`Quantity` — a constant,
a distribution, or a reference to a shared input — registered in a :class:`Registry` so the
sampler draws each input once and every strategy that names it sees the same draw.

The same metadata generates the scenario reference in the README (:func:`describe_record`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any, Callable, Mapping

import numpy as np

from ftrag_mc.distributions import Distribution, fixed, parse_distribution
from ftrag_mc.errors import ScenarioError, did_you_mean
from ftrag_mc.limits import U_MAX, U_MIN

REQUIRED = object()
"""Marks a field without a default."""


@dataclass(frozen=True)
class Quantity:
    """A numeric input of the model: which sampled input supplies it.

    ``name`` is the input's address: its own key path for a local value (``strategies.ft.training.run_usd``)
    or ``inputs.<name>`` for a shared input. The simulator samples every input once per sample and the
    model reads ``values[quantity.name]``.
    """

    name: str
    distribution: Distribution

    @property
    def is_constant(self) -> bool:
        return self.distribution.is_constant


@dataclass
class Registry:
    """Every input a scenario defines, by name, in the order met."""

    inputs: dict[str, Distribution] = field(default_factory=dict)
    shared: dict[str, Quantity] = field(default_factory=dict)

    def add(self, name: str, distribution: Distribution) -> Quantity:
        self.inputs[name] = distribution
        return Quantity(name, distribution)


def _meta(kind: str, doc: str, default: Any, **extra: Any) -> Any:
    metadata = {"kind": kind, "doc": doc, "default": default, **extra}
    if default is REQUIRED:
        return field(metadata=metadata)
    return field(default=None, metadata=metadata)


def quantity(doc: str, *, unit: str = "", default: Any = REQUIRED, lo: float = 0.0,
             hi: float = math.inf, positive: bool = False, words: str | None = None) -> Any:
    """A numeric input: a number, a distribution table, or the name of a shared input.

    ``lo``/``hi`` bound the support of whatever is given (a normal distribution on a rate must be
    truncated); ``positive`` excludes ``lo`` itself. ``default=None`` makes the key optional with no
    value; a numeric default makes it a constant when absent. ``words`` is what a sentence calls
    the input ("embedding price"; :func:`field_words`), when the key's own words would not do.
    """
    return _meta("quantity", doc, default, unit=unit, lo=lo, hi=hi, positive=positive, words=words)


def number(doc: str, *, unit: str = "", default: Any = REQUIRED, lo: float = -math.inf,
           hi: float = math.inf, positive: bool = False, words: str | None = None) -> Any:
    """A plain number that is never uncertain (a horizon, a sweep bound)."""
    return _meta("number", doc, default, unit=unit, lo=lo, hi=hi, positive=positive, words=words)


def integer(doc: str, *, unit: str = "", default: Any = REQUIRED, lo: int = 0, hi: float = math.inf,
            words: str | None = None) -> Any:
    return _meta("integer", doc, default, unit=unit, lo=lo, hi=hi, words=words)


def integers(doc: str, *, unit: str = "", default: Any = REQUIRED, lo: int = 1, hi: float = math.inf) -> Any:
    return _meta("integers", doc, default, unit=unit, lo=lo, hi=hi)


def text(doc: str, *, default: Any = REQUIRED, choices: tuple[str, ...] | None = None) -> Any:
    return _meta("text", doc, default, choices=choices)


def flag(doc: str, *, default: Any = False) -> Any:
    """A TOML boolean (``true`` / ``false``)."""
    return _meta("flag", doc, default)


def texts(doc: str, *, default: Any = REQUIRED) -> Any:
    return _meta("texts", doc, default)


def section(cls: type, doc: str, *, default: Any = None) -> Any:
    """A nested table parsed as ``cls``; optional (absent means the component is not used)."""
    return _meta("section", doc, default, cls=cls)


def number_matrix(doc: str, *, default: Any = REQUIRED) -> Any:
    return _meta("matrix", doc, default)


# --- value parsers -------------------------------------------------------------------------------

def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _as_float(value: Any, path: str) -> float:
    """TOML integers are unbounded: one too large for a float is an error, not an OverflowError."""
    try:
        return float(value)
    except OverflowError:
        raise ScenarioError("must be finite (got a number too large for a float)", path=path) from None


def _type_name(value: Any) -> str:
    return {bool: "a boolean", str: "a string", list: "an array", dict: "a table"}.get(
        type(value), "a number" if _is_number(value) else type(value).__name__)


def _check_bounds(value: float, path: str, meta: Mapping[str, Any]) -> None:
    lo, hi, positive = meta.get("lo", -math.inf), meta.get("hi", math.inf), meta.get("positive", False)
    if not math.isfinite(value):
        raise ScenarioError(f"must be a finite number (got {value})", path=path)
    if value < lo or value > hi or (positive and value <= lo):
        raise ScenarioError(f"must be {_range_text(meta)} (got {value:g})", path=path)


def _bound_text(value: float) -> str:
    """A bound as a reader writes it: 600, 100,000,000, 1e12, 0.03333."""
    if float(value).is_integer() and abs(value) < 1e9:
        return f"{int(value):,}"
    mantissa, _, exponent = f"{value:.4g}".partition("e")
    return f"{mantissa}e{int(exponent)}" if exponent else mantissa


def _range_text(meta: Mapping[str, Any]) -> str:
    lo, hi, positive = meta.get("lo", -math.inf), meta.get("hi", math.inf), meta.get("positive", False)
    if math.isinf(hi):
        return f"{'>' if positive else '>='} {_bound_text(lo)}"
    if math.isinf(lo):
        return f"<= {_bound_text(hi)}"
    if positive:
        return f"> {_bound_text(lo)} and <= {_bound_text(hi)}"
    return f"between {_bound_text(lo)} and {_bound_text(hi)}"


def drawable_range(distribution: Distribution) -> tuple[float, float]:
    """The smallest and largest values the sampler can draw from ``distribution``.

    Every draw is ``ppf(u)`` with u clipped to [U_MIN, U_MAX] = [2^-53, 1 - 2^-53]
    (:mod:`ftrag_mc.sampling`), so an unbounded tail (a lognormal's upper one) ends at ``ppf(U_MAX)``:
    exp(mu + 8.2 sigma) for a lognormal. Bounds are checked against this range, so a lognormal
    whose tail stays finite and below a field's limit is accepted, and one that would reach
    1e300 is not.
    """
    low, high = distribution.support
    if math.isinf(low) or math.isinf(high):
        with np.errstate(all="ignore"):
            ends = np.asarray(distribution.ppf(np.array([U_MIN, U_MAX])), dtype=np.float64)
        low = max(low, float(ends[0])) if math.isinf(low) else low
        high = min(high, float(ends[1])) if math.isinf(high) else high
    return low, high


def _check_support(distribution: Distribution, path: str, meta: Mapping[str, Any], what: str) -> None:
    with np.errstate(all="ignore"):  # describing a distribution with an overflowing tail
        _check_drawable(distribution, path, meta, what)


def _check_drawable(distribution: Distribution, path: str, meta: Mapping[str, Any], what: str) -> None:
    low, high = drawable_range(distribution)
    lo, hi, positive = meta["lo"], meta["hi"], meta["positive"]
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ScenarioError(
            f"{what} {distribution.describe()} can draw non-finite values (its tail reaches "
            f"{high if not math.isfinite(high) else low}); narrow it or add truncate = [low, high]", path=path)
    if low < lo or high > hi or (positive and low <= lo):
        reach = f"; its draws reach {_bound_text(low if low < lo or (positive and low <= lo) else high)}"
        raise ScenarioError(
            f"{what} {distribution.describe()} can take values outside the allowed range "
            f"({_range_text(meta)}){reach}; narrow it or add truncate = [low, high]", path=path)


def parse_quantity(value: Any, path: str, meta: Mapping[str, Any], registry: Registry) -> Quantity:
    """Turn a number, a distribution table or a shared-input name into a registered Quantity."""
    if _is_number(value):
        number = _as_float(value, path)
        _check_bounds(number, path, meta)
        return registry.add(path, fixed(number))
    if isinstance(value, str):
        name = value.removeprefix("inputs.")
        if name not in registry.shared:
            known = ", ".join(sorted(registry.shared)) or "none defined"
            hint = did_you_mean(name, registry.shared)
            raise ScenarioError(f"'{value}' is not a shared input in [inputs]{hint} (known: {known})", path=path)
        shared = registry.shared[name]
        _check_support(shared.distribution, path, meta, f"shared input '{name}' =")
        return shared
    if isinstance(value, dict):
        distribution = parse_distribution(value, path)
        _check_support(distribution, path, meta, "the distribution")
        return registry.add(path, distribution)
    raise ScenarioError(
        f"expected a number, a distribution table or a shared input name, got {_type_name(value)}", path=path)


def _parse_number(value: Any, path: str, meta: Mapping[str, Any], registry: Registry) -> float:
    if not _is_number(value):
        raise ScenarioError(f"expected a number, got {_type_name(value)}", path=path)
    number = _as_float(value, path)
    _check_bounds(number, path, meta)
    return number


def _parse_integer(value: Any, path: str, meta: Mapping[str, Any], registry: Registry) -> int:
    if not (_is_number(value) and _as_float(value, path).is_integer()):
        raise ScenarioError(f"expected a whole number, got {value!r}", path=path)
    _check_bounds(_as_float(value, path), path, meta)
    return int(value)


def _parse_integers(value: Any, path: str, meta: Mapping[str, Any], registry: Registry) -> tuple[int, ...]:
    if not isinstance(value, list) or not value:
        raise ScenarioError(f"expected a non-empty array of whole numbers, got {_type_name(value)}", path=path)
    return tuple(_parse_integer(v, f"{path}[{i}]", meta, registry) for i, v in enumerate(value))


def _parse_text(value: Any, path: str, meta: Mapping[str, Any], registry: Registry) -> str:
    if not isinstance(value, str):
        raise ScenarioError(f"expected a string, got {_type_name(value)}", path=path)
    choices = meta.get("choices")
    if choices and value not in choices:
        raise ScenarioError(f"must be one of {', '.join(choices)} (got '{value}')", path=path)
    return value


def _parse_flag(value: Any, path: str, meta: Mapping[str, Any], registry: Registry) -> bool:
    if not isinstance(value, bool):
        raise ScenarioError(f"expected true or false, got {_type_name(value)}", path=path)
    return value


def _parse_texts(value: Any, path: str, meta: Mapping[str, Any], registry: Registry) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ScenarioError(f"expected an array of strings, got {_type_name(value)}", path=path)
    return tuple(_parse_text(v, f"{path}[{i}]", {}, registry) for i, v in enumerate(value))


def _parse_matrix(value: Any, path: str, meta: Mapping[str, Any], registry: Registry) -> tuple[tuple[float, ...], ...]:
    if not isinstance(value, list) or not all(isinstance(row, list) for row in value):
        raise ScenarioError("expected an array of arrays of numbers", path=path)
    out = []
    for i, row in enumerate(value):
        out.append(tuple(_parse_number(v, f"{path}[{i}][{j}]", {}, registry) for j, v in enumerate(row)))
    return tuple(out)


def _parse_section(value: Any, path: str, meta: Mapping[str, Any], registry: Registry) -> Any:
    return parse_record(meta["cls"], value, path, registry)


_PARSERS: dict[str, Callable[[Any, str, Mapping[str, Any], Registry], Any]] = {
    "quantity": parse_quantity,
    "number": _parse_number,
    "integer": _parse_integer,
    "integers": _parse_integers,
    "text": _parse_text,
    "texts": _parse_texts,
    "flag": _parse_flag,
    "section": _parse_section,
    "matrix": _parse_matrix,
}


def schema_fields(cls: type) -> list[Any]:
    return [f for f in fields(cls) if "kind" in f.metadata]


def field_words(cls: type, name: str) -> str | None:
    """What a sentence calls the field ``name`` of the record ``cls`` (its ``words``), or None."""
    for f in fields(cls):
        if f.name == name:
            return f.metadata.get("words")
    return None


def section_record(cls: type, name: str) -> type | None:
    """The record class of the section ``name`` of ``cls``, or None if it is no section."""
    for f in fields(cls):
        if f.name == name and f.metadata.get("kind") == "section":
            return f.metadata["cls"]
    return None


def check_table(table: Any, path: str, what: str = "a table") -> dict:
    if not isinstance(table, dict):
        raise ScenarioError(f"expected {what}, got {_type_name(table)}", path=path or None)
    return table


def parse_record(cls: type, table: Any, path: str, registry: Registry) -> Any:
    """Parse ``table`` as the dataclass ``cls``; ``path`` is the table's own key path.

    After construction, a ``validate(path, registry)`` method on ``cls`` (if any) checks rules that
    span several keys.
    """
    table = check_table(table, path)
    known = {f.name: f for f in schema_fields(cls)}
    for key in table:
        if key not in known:
            raise ScenarioError(
                f"unknown key '{key}'{did_you_mean(key, known)} (expected one of: {', '.join(known)})",
                path=_join(path, key))
    kwargs: dict[str, Any] = {}
    for name, f in known.items():
        meta = f.metadata
        key_path = _join(path, name)
        if name in table:
            kwargs[name] = _PARSERS[meta["kind"]](table[name], key_path, meta, registry)
        elif meta["default"] is REQUIRED:
            raise ScenarioError(f"missing required key '{name}'", path=path or None)
        elif meta["kind"] == "quantity" and meta["default"] is not None:
            kwargs[name] = registry.add(key_path, fixed(float(meta["default"])))
        elif meta["kind"] in ("integers", "texts") and meta["default"] is not None:
            kwargs[name] = tuple(meta["default"])
        else:
            kwargs[name] = meta["default"]
    record = cls(**kwargs)
    validate = getattr(record, "validate", None)
    if validate is not None:
        validate(path, registry)
    return record


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# --- documentation -------------------------------------------------------------------------------

def _default_text(meta: Mapping[str, Any]) -> str:
    default = meta["default"]
    if default is REQUIRED:
        return "required"
    if default is None:
        return "optional"
    if isinstance(default, bool):
        return "true" if default else "false"
    if isinstance(default, (list, tuple)):
        return "[" + ", ".join(str(d) for d in default) + "]"
    if isinstance(default, str):
        return f'"{default}"'
    return f"{default:g}" if _is_number(default) else str(default)


def describe_record(cls: type, header: str) -> list[str]:
    """Markdown reference of a section and its nested sections, from the field metadata."""
    lines = [f"#### `{header}`", "", "| key | kind | default | meaning |", "| --- | --- | --- | --- |"]
    nested = []
    for f in schema_fields(cls):
        meta = f.metadata
        kind = {"quantity": "quantity", "number": "number", "integer": "integer",
                "integers": "integers", "text": "string", "texts": "strings",
                "section": "table", "matrix": "matrix", "flag": "boolean"}[meta["kind"]]
        if meta.get("unit"):
            kind += f" ({meta['unit']})"
        # Limits come from the same metadata the parser checks, so they cannot go out of date.
        if meta["kind"] in ("quantity", "number", "integer") and (
                meta.get("lo", -math.inf) > -math.inf or meta.get("hi", math.inf) < math.inf):
            kind += f", {_range_text(meta)}"
        elif meta["kind"] == "integers":
            kind += f", each {_range_text(meta)}"
        if meta.get("choices"):
            kind += ": " + " \\| ".join(meta["choices"])
        lines.append(f"| `{f.name}` | {kind} | {_default_text(meta)} | {meta['doc']} |")
        if meta["kind"] == "section":
            nested.append((meta["cls"], f"{header}.{f.name}"))
    lines.append("")
    for sub_cls, sub_header in nested:
        lines.extend(describe_record(sub_cls, sub_header))
    return lines

_UNIT_WORDS = {"usd": "cost", "mtok": "million tokens", "pp": "percentage points"}
# Words said as letters: a key's "rag_" is RAG in a chart's row, not "Rag".
_ACRONYMS = {w: w.upper() for w in ("rag", "llm", "gpu", "api", "ft", "sft", "kv", "ocr", "pdf", "sla", "qps")}
_ACRONYMS["lora"] = "LoRA"


def key_words(name: str) -> str:
    """A key's name in words: ``few_shot_error_rate -> "few shot error rate"``, ``misroute_usd ->
    "misroute cost"``; a unit's word already said is not said twice (``cost_per_error_usd -> "cost
    per error"``); acronyms in capitals (``rag_setup_weeks -> "RAG setup weeks"``)."""
    words: list[str] = []
    for w in (w for w in name.split("_") if w):
        if not (w in _UNIT_WORDS and _UNIT_WORDS[w] in words):
            words.append(_UNIT_WORDS.get(w, _ACRONYMS.get(w, w)))
    return " ".join(words)


__all__ = [
    "REQUIRED", "Quantity", "Registry", "quantity", "number", "integer", "integers", "text", "texts", "flag",
    "section", "number_matrix", "parse_record", "parse_quantity", "describe_record", "check_table",
    "did_you_mean", "field_words", "key_words", "section_record",
]
