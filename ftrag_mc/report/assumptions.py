"""Every input of a scenario with its distribution and its source: the comment the scenario file
gives it, quoted on the PDF's assumptions pages.

The file is read with tomlkit, a TOML parser that keeps comments and where they stand; the
scenario itself was parsed (and validated) by :mod:`ftrag_mc.scenario`, so a file that tomlkit
cannot read only loses its sources.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import tomlkit
from tomlkit import items as toml_items
from tomlkit.exceptions import TOMLKitError

from ftrag_mc.simulate import SimulationResult

__all__ = ["assumptions_frame", "parse_input_sources"]

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
