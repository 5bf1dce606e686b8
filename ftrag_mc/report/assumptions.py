"""Every input of a scenario with its distribution and its source: the comment the scenario file
gives it, quoted on the PDF's assumptions pages (:func:`inputs_table`: in words, with units,
grouped by strategy, the defaults that are zero or absent left out).

The file is read with tomlkit, a TOML parser that keeps comments and where they stand; the
scenario itself was parsed (and validated) by :mod:`ftrag_mc.scenario`, so a file that tomlkit
cannot read only loses its sources.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import tomlkit
from tomlkit import items as toml_items
from tomlkit.exceptions import TOMLKitError

from ftrag_mc.analysis.inputs import input_label, input_unit, quantity_users
from ftrag_mc.formats import format_quantity
from ftrag_mc.report.findings import join_and, shorten
from ftrag_mc.scenario import Scenario
from ftrag_mc.simulate import SimulationResult

__all__ = ["INPUT_COLUMNS", "assumptions_frame", "inputs_table", "parse_input_sources"]

#: The columns of :func:`inputs_table`.
INPUT_COLUMNS = ["group", "input", "value", "distribution", "source"]

_TABLES = (toml_items.Table, toml_items.InlineTable)


def parse_input_sources(text: str) -> dict[str, str]:
    """Dotted key -> comment, for every key of a TOML text that has a comment.

    Keys are full paths (``strategies.ft.training.run_usd``). A key takes the comment at the end
    of its line, else the comment lines directly above it (no blank line between). The keys of
    an inline table on a commented line (``llm = { a = 1, b = 2 }  # note``) all take that
    comment; the comment lines above an inline table usually speak of one of its keys, so they
    are used for none. A distribution (``{ dist = "pert", ... }``) is one input, not a table.
    The first comment found for a key wins.
    """
    try:
        document = tomlkit.parse(text)
    except TOMLKitError:
        return {}
    sources: dict[str, str] = {}
    _collect(document.body, (), [], sources)
    return sources


def _collect(body: list, path: tuple[str, ...], above: list[str], sources: dict[str, str]) -> None:
    """The sources in one table's ``body`` ((key, item) pairs, comments and blank lines between)."""
    above = list(above)
    for key, item in body:
        if isinstance(item, toml_items.Comment):
            above.append(item.trivia.comment.lstrip("#").strip())
            continue
        if key is None:  # a blank line: what stood above it speaks of something else
            above = []
            continue
        here = (*path, key.key)
        if isinstance(item, toml_items.AoT):
            for table in item.body:
                _collect(table.value.body, here, [], sources)
        elif isinstance(item, toml_items.Table):
            # [a.b] starts afresh; a dotted key (a.b = 1) keeps the comment lines above it.
            _collect(item.value.body, here, above if key.is_dotted() else [], sources)
        else:
            _add(item, here, above, sources)
        above = []


def _add(item: toml_items.Item, path: tuple[str, ...], above: list[str], sources: dict[str, str]) -> None:
    trailing = item.trivia.comment[1:].strip() or None
    inline = _is_table(item)
    comment = trailing or (" ".join(above) if above and not inline else None)
    if comment:
        sources.setdefault(".".join(path), comment)
    if inline and trailing:
        _add_inline(item, path, trailing, sources)


def _add_inline(table: toml_items.InlineTable | toml_items.Table, path: tuple[str, ...], comment: str,
                sources: dict[str, str]) -> None:
    """Every key of an inline table (nested ones too, but not a distribution's own keys)."""
    for key, item in table.value.body:
        if key is None:
            continue
        here = (*path, key.key)
        sources.setdefault(".".join(here), comment)
        if _is_table(item):
            _add_inline(item, here, comment, sources)


def _is_table(item: toml_items.Item) -> bool:
    """A table of keys (not a distribution such as ``{ dist = "pert", ... }``)."""
    return isinstance(item, _TABLES) and "dist" not in item


def assumptions_frame(result: SimulationResult) -> pd.DataFrame:
    """Every input of the scenario (constants too): input, distribution, source.

    Parameters
    ----------
    result
        The run; its scenario's file is read for the sources.

    Returns
    -------
    DataFrame with columns input, distribution, source; the source is the comment of the
    input's key in the scenario file (empty when the file cannot be read or the value is a
    default).
    """
    scenario = result.scenario
    sources: dict[str, str] = {}
    if scenario.file:
        try:
            sources = parse_input_sources(Path(scenario.file).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            sources = {}
    rows = [{"input": name, "distribution": dist.describe(), "source": sources.get(name, "")}
            for name, dist in scenario.inputs.items()]
    return pd.DataFrame(rows, columns=["input", "distribution", "source"])


def _file_text(scenario: Scenario) -> str:
    if not scenario.file:
        return ""
    try:
        return Path(scenario.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _keys_given(text: str) -> set[str]:
    """The dotted keys a TOML text gives a value (a distribution table is one value)."""
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return set()
    keys: set[str] = set()

    def walk(node: dict, path: tuple[str, ...]) -> None:
        for key, value in node.items():
            here = (*path, key)
            keys.add(".".join(here))
            if isinstance(value, dict) and "dist" not in value:
                walk(value, here)

    walk(table, ())
    return keys


def _catalog_sources(scenario: Scenario) -> dict[str, str]:
    """Key -> "price catalog: <entry> (as of <date>)" for the values the catalog filled."""
    out = {}
    for use in scenario.catalog:
        said = "; ".join(f"{e.name} (as of {e.as_of:%Y-%m-%d}, {e.source})" for e in use.entries)
        for key, _value in use.values:
            out[f"{use.path}.{key}"] = f"price catalog: {said}"
    return out


def _value_words(distribution, unit: str, currency: str) -> str:
    """A constant in its unit; an uncertain input as its median and the range of 90 % of futures."""
    def q(v: float) -> str:  # a number and its unit never part at a line's end
        return format_quantity(v, unit, currency).replace(" ", "\u00a0")

    if distribution.is_constant:
        return q(distribution.median)
    p5, p50, p95 = (float(v) for v in distribution.ppf(np.array([0.05, 0.5, 0.95])))
    return f"median {q(p50)}\n90\u00a0% of futures: {q(p5)} to {q(p95)}"


def _group(scenario: Scenario, name: str) -> str:
    parts = name.split(".")
    if parts[0] == "strategies" and len(parts) > 2:
        return parts[1]
    return "inputs" if parts[0] == "inputs" else "settings"


def _input_words(scenario: Scenario, name: str, group: str) -> str:
    """The input's label; inside a strategy's group without "of <strategy>", for a shared input
    the strategies that use it."""
    words = input_label(scenario, name)
    if group in scenario.strategies:
        return words.removesuffix(f" of {scenario.label(group)}")
    if group == "inputs":
        users = quantity_users(scenario, name)
        if users:
            every = len(users) == len(scenario.strategies) and len(users) > 1
            words += "\nused by " + ("every strategy" if every else join_and([shorten(scenario.label(u), 30)
                                                                             for u in users]))
    return words


def inputs_table(result: SimulationResult) -> pd.DataFrame:
    """The inputs as the board pack lists them: grouped (shared inputs, the scenario's settings,
    then each strategy in scenario order), named in words, valued in their units, with the
    scenario file's comment (or the price catalog, or "default") as source; constants that are zero
    and not in the file (the defaults of keys not used) are left out.

    Returns
    -------
    DataFrame with columns :data:`INPUT_COLUMNS`: group (``"inputs"``, ``"settings"`` or a strategy's
    name), input (words; a second line says which strategies use a shared input), value (a constant,
    or the median and the range of 90 % of futures, in its unit), distribution (as written), source.
    """
    scenario = result.scenario
    text = _file_text(scenario)
    sources, given, catalog = parse_input_sources(text) if text else {}, _keys_given(text), _catalog_sources(scenario)
    rows = []
    for name, dist in scenario.inputs.items():
        in_file = name in given or name.startswith("inputs.")
        if dist.is_constant and dist.median == 0 and not in_file and name not in catalog:
            continue
        group = _group(scenario, name)
        source = sources.get(name) or catalog.get(name) or ("" if in_file or not scenario.file else "default")
        rows.append({"group": group, "input": _input_words(scenario, name, group),
                     "value": _value_words(dist, input_unit(scenario, name), scenario.meta.currency),
                     "distribution": "constant" if dist.is_constant else dist.describe(), "source": source})
    order = ["inputs", "settings", *scenario.strategies]
    frame = pd.DataFrame(rows, columns=INPUT_COLUMNS)
    return frame.sort_values("group", key=lambda g: g.map(order.index), kind="stable").reset_index(drop=True)
