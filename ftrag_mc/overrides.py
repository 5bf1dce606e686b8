"""What-ifs by dotted key path: ``--set strategies.ft.training.run_usd=8000``.

An override is ``KEY=VALUE``: KEY is a dotted TOML key (quoted parts allowed:
``strategies."gpt-4o".label``), VALUE a TOML value (number, string, boolean, array or inline table
such as ``{dist="uniform",min=0.2,max=0.4}``), parsed with :mod:`tomllib` and never evaluated. A bare
word that is not valid TOML (``rag``, ``ft_hosted``, ``inputs.price``) is taken as a string, so
``--set scenario.baseline=rag`` works without shell quoting.

Overrides are applied to the scenario's TOML table before validation
(:func:`ftrag_mc.scenario.load_scenario`), so an overridden value is checked exactly like one
written in the file; an error about it says the key came from ``--set``. ``--baseline NAME`` is the
override ``scenario.baseline=NAME`` (:func:`with_baseline`).
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from typing import Any

from ftrag_mc.errors import ScenarioError
from ftrag_mc.schema import did_you_mean

__all__ = [
    "OverrideError", "Override", "annotate_error", "apply_overrides", "format_override", "format_value", "override_digest",
    "parse_key", "parse_override", "parse_overrides", "parse_value", "split_override",
    "with_baseline",
]

SOURCE = "--set"
# A bare word taken as a string when it is not valid TOML: a strategy, sampler or input name.
_BARE_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
# tomllib ends its messages with the position in the text it was given ("v = " + VALUE).
_TOML_POSITION = re.compile(r"\s*\(at (line \d+, column \d+|end of document)\)$")

Override = tuple[tuple[str, ...], Any]
"""A parsed override: the key path and the value, e.g. ``(("volume", "queries_per_month"), 40000)``."""


class OverrideError(ScenarioError):
    """A :class:`ScenarioError` about a key given on the command line: the message says so.

    ``path`` stays the plain dotted key; ``source`` is what is shown after it, e.g. ``(from --set)``.
    """

    def __init__(self, message: str, *, path: str | None = None, file: str | None = None,
                 source: str = f"(from {SOURCE})"):
        super().__init__(message, path=path, file=file)
        self.source = source

    def with_file(self, file: str) -> OverrideError:
        return OverrideError(self.message, path=self.path, file=file, source=self.source)

    def __str__(self) -> str:
        where = [f"{self.path} {self.source}"] if self.path else []
        return ": ".join([*([self.file] if self.file else []), *where, self.message])


def _toml_reason(error: tomllib.TOMLDecodeError) -> str:
    return _TOML_POSITION.sub("", str(error)).strip() or "invalid TOML"


def parse_value(text: str, *, key: str | None = None) -> Any:
    """A TOML value from the command line; a bare word that is not TOML is a string.

    Raises
    ------
    OverrideError
        If ``text`` is empty, spans lines, or is neither TOML nor a bare word.
    """
    value = text.strip()
    if not value:
        raise OverrideError('the value is empty (write KEY="" for an empty string)', path=key)
    try:
        table = tomllib.loads(f"v = {value}")
    except tomllib.TOMLDecodeError as error:
        if _BARE_WORD.fullmatch(value):
            return value
        raise OverrideError(f"'{value}' is not a TOML value ({_toml_reason(error)}): give a number, a quoted "
                            'string (in the shell: \'KEY="some text"\'), true/false, [an, array] or '
                            '{an = "inline table"}', path=key) from None
    except RecursionError:  # tomllib recurses into nested arrays and tables
        raise OverrideError("the value is nested too deeply", path=key) from None
    if set(table) != {"v"}:
        raise OverrideError(f"'{value}' is more than one TOML value", path=key)
    return table["v"]


def parse_override(text: str) -> Override:
    """Parse one ``KEY=VALUE`` override.

    Parameters
    ----------
    text
        E.g. ``strategies.ft.training.run_usd=8000``, ``volume.growth_per_month={dist="uniform",min=0,max=0.03}``
        or ``scenario.baseline=rag``.

    Returns
    -------
    key_path : tuple of str
        ``("strategies", "ft", "training", "run_usd")``.
    value
        The TOML value: int, float, str, bool, list or dict.

    Raises
    ------
    OverrideError
        One line naming the override: no ``=``, an empty or malformed key, or a bad value.
    """
    path, value_text = split_override(text)
    return path, parse_value(value_text, key=".".join(path))


def split_override(text: str, *, option: str = SOURCE) -> tuple[tuple[str, ...], str]:
    """``KEY=REST`` -> (key path, REST unparsed); ``option`` names the flag in errors.

    The first ``=`` that ends a valid dotted key splits the text, so a quoted key may hold ``=``.
    """
    if "\n" in text or "\r" in text:
        raise OverrideError(f"{option} '{text.strip().splitlines()[0] if text.strip() else ''}...' spans "
                            f"several lines; give one KEY=VALUE per {option}")
    if "=" not in text:
        raise OverrideError(f"{option} '{text}' is not KEY=VALUE (e.g. {option} volume.queries_per_month=40000)")
    splits = [i for i, c in enumerate(text) if c == "="]
    for i in splits:
        path = parse_key(text[:i]) if text[:i].strip() else None
        if path is not None:
            return path, text[i + 1:]
    key = text[:splits[0]].strip()
    if not key:
        raise OverrideError(f"{option} '{text}' has an empty key (expected KEY=VALUE, e.g. "
                            "volume.queries_per_month=40000)")
    raise OverrideError(f"{option} '{text}': '{key}' is not a dotted key (e.g. strategies.ft.training.run_usd; "
                        'quote a part with other characters: strategies."my model".label)')


def parse_key(key: str) -> tuple[str, ...] | None:
    """The parts of a dotted TOML key (``strategies."gpt-4o".label``), or None when it is not one."""
    if "\n" in key or "\r" in key or not key.strip():
        return None
    try:
        table = tomllib.loads(f"{key.strip()} = 0")
    except tomllib.TOMLDecodeError:
        return None
    parts: list[str] = []
    node: Any = table
    while isinstance(node, dict):
        if len(node) != 1:
            return None
        (part, node), = node.items()
        parts.append(part)
    return tuple(parts) if node == 0 and not isinstance(node, bool) else None


def parse_overrides(overrides: Iterable[str | Override]) -> list[Override]:
    """Parse override texts; ``(key_path, value)`` pairs pass through (a key path may be a dotted
    string, ``("volume.queries_per_month", 40000)``)."""
    out = []
    for item in overrides:
        if isinstance(item, str):
            out.append(parse_override(item))
        else:
            path, value = item
            path = (parse_key(path) or ()) if isinstance(path, str) else tuple(path)
            if not path or not all(isinstance(p, str) and p for p in path):
                raise OverrideError(f"{SOURCE} {path!r}: not a key path (a tuple of non-empty strings)")
            out.append((path, value))
    return out


def apply_overrides(table: Mapping[str, Any], overrides: Iterable[str | Override]) -> dict[str, Any]:
    """A deep copy of ``table`` with every override set, in order (a later one wins).

    Missing intermediate tables are created (``strategies.ft.hosting.fee_usd_per_month=100`` adds
    ``hosting`` to ``ft``), except a new strategy: a key under ``strategies`` must name one that
    exists, so a typo is an error with a suggestion rather than an extra strategy.

    Raises
    ------
    OverrideError
        A bad override text, an unknown strategy, or a path that runs through a value that is not a
        table (``volume.queries_per_month.x``), naming the path.
    """
    out = copy.deepcopy(dict(table))
    for path, value in parse_overrides(overrides):
        node = out
        for depth, part in enumerate(path[:-1]):
            where = ".".join(path[:depth + 1])
            if part not in node:
                if depth == 1 and path[0] == "strategies":
                    raise OverrideError(f"'{part}' is not a strategy{did_you_mean(part, node)} "
                                        f"(strategies: {', '.join(node)}); --set cannot add one", path=where)
                node[part] = {}
            elif not isinstance(node[part], dict):
                raise OverrideError(f"{where} is {_kind(node[part])}, not a table, so {'.'.join(path)} "
                                    "cannot be set", path=".".join(path))
            node = node[part]
        node[path[-1]] = copy.deepcopy(value)
    return out


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"a number ({value:g})"
    return {str: "a string", list: "an array"}.get(type(value), type(value).__name__)


def with_baseline(overrides: Iterable[str], name: str | None) -> tuple[str, ...]:
    """The overrides with ``--baseline NAME`` appended as ``scenario.baseline=NAME`` (None: unchanged)."""
    overrides = tuple(overrides)
    if name is None:
        return overrides
    return (*overrides, format_override((("scenario", "baseline"), name)))


def format_value(value: Any) -> str:
    """A value as TOML text (``8000``, ``"rag"``, ``{dist = "uniform", min = 0.2, max = 0.4}``)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_format_key(k)} = {format_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as a TOML value")


def format_override(override: str | Override) -> str:
    """An override as ``KEY=VALUE`` text: a text as given (stripped), a parsed pair written out."""
    if isinstance(override, str):
        return override.strip()
    (path, value), = parse_overrides([override])
    # A bare word reads back as itself (parse_value), so it needs no quotes: scenario.baseline=rag.
    bare = isinstance(value, str) and _BARE_WORD.fullmatch(value) and _is_not_toml(value)
    return ".".join(_format_key(p) for p in path) + "=" + (value if bare else format_value(value))


def _format_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def _is_not_toml(word: str) -> bool:
    try:
        tomllib.loads(f"v = {word}")
    except tomllib.TOMLDecodeError:
        return True
    return False


def override_digest(overrides: Iterable[str | Override]) -> bytes:
    """Canonical bytes of the overrides (key paths and values, not their spelling) for a hash."""
    parsed = parse_overrides(overrides)
    return json.dumps([[list(path), value] for path, value in parsed], sort_keys=True, default=str).encode()


def annotate_error(error: ScenarioError, overrides: Iterable[str | Override],
                   table: Mapping[str, Any] | None = None) -> ScenarioError:
    """``error`` saying so when its key was set on the command line.

    An error on an overridden key, inside an overridden table, or on a table an override created
    (absent from ``table``, the one before the overrides) reads ``KEY (from --set)``; an error on
    a table an override changed reads ``TABLE (with --set KEY=...)``.
    """
    if error.path is None or isinstance(error, OverrideError):
        return error
    path = error.path
    given = list(overrides)
    keys = [".".join(key_path) for key_path, _ in parse_overrides(given)]
    for key in reversed(keys):
        if path == key or path.startswith((key + ".", key + "[")):
            return OverrideError(error.message, path=path, file=error.file)
    for key, original in zip(reversed(keys), reversed(given)):
        if key.startswith(path + ".") and table is not None and not _exists(table, path):
            return OverrideError(error.message, path=path, file=error.file)
        if key.startswith(path + "."):
            return OverrideError(error.message, path=path, file=error.file,
                                 source=f"(with {SOURCE} {format_override(original)})")
    return error


def _exists(table: Mapping[str, Any], path: str) -> bool:
    node: Any = table
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False
        node = node[part]
    return True
