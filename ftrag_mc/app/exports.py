"""What the page hands over: the edited scenario as TOML, the run's CSVs, the board pack.

The TOML is the scenario file with the page's edits written into it (its comments kept, by
tomlkit) and the page's samples and seed in ``[simulation]``, so that ``ftrag-mc run`` on it gives
the page's numbers. The CSVs and the board pack are the report ``ftrag-mc run`` writes
(:func:`~ftrag_mc.report.builders.build_run_report` and the report manifest), written by the
report's own writer into a temporary folder and zipped.
"""

from __future__ import annotations

import io
import tempfile
import tomllib
import zipfile
from pathlib import Path
from typing import Any

from ftrag_mc.app.state import PageState
from ftrag_mc.app.views import Source
from ftrag_mc.overrides import apply_overrides, format_override, parse_overrides

__all__ = ["board_pack_zip", "csv_zip", "edited_toml", "settings_overrides"]


def settings_overrides(state: PageState) -> tuple[str, ...]:
    """The page's samples and seed as overrides of ``[simulation]``: a file written with them
    runs as the page did."""
    return (format_override((("simulation", "samples"), state.samples)),
            format_override((("simulation", "seed"), state.seed)))


def _toml_item(value: Any):
    """A TOML value for tomlkit: tables inline (a value set by ``--set`` sits on one line)."""
    import tomlkit

    if isinstance(value, dict):
        table = tomlkit.inline_table()
        for key, item in value.items():
            table[key] = _toml_item(item)
        return table
    if isinstance(value, list):
        array = tomlkit.array()
        array.extend(_toml_item(v) for v in value)
        return array
    return value


def _set(doc, path: tuple[str, ...], value: Any) -> None:
    """``doc[path] = value`` in a tomlkit document, making missing tables (inline inside inline)."""
    import tomlkit
    from tomlkit.items import InlineTable

    node = doc
    for part in path[:-1]:
        if part not in node:
            node[part] = tomlkit.inline_table() if isinstance(node, InlineTable) else tomlkit.table()
        node = node[part]
    node[path[-1]] = _toml_item(value)


def edited_toml(source: Source, state: PageState) -> str:
    """The scenario file with the page's edits, samples and seed written in, comments kept.

    Each ``--set`` key is set where the file has it (a new key is added to its table), so the
    file's other lines and comments stay as they are; a comment at the top lists the edits.

    Raises
    ------
    ScenarioError
        If the edits are not valid (the page downloads only a view it shows).
    ValueError
        If the written file would not read back as the edited table (a bug, never a wrong file).
    """
    import tomlkit

    overrides = (*state.overrides, *settings_overrides(state))
    source.load(overrides)  # the edits validate, as the page showed them
    text = source.raw.decode("utf-8")
    doc = tomlkit.parse(text)
    for path, value in parse_overrides(overrides):
        _set(doc, path, value)
    header = [f"# Edited in ftrag-mc app from {Path(source.file).name}; ftrag-mc run on this file gives the page's "
              "numbers. The edits:"]
    header += [f"#   --set {text}" for text in overrides]
    written = "\n".join(header) + "\n\n" + tomlkit.dumps(doc)
    if tomllib.loads(written) != apply_overrides(tomllib.loads(text), overrides):
        raise ValueError("the edited scenario did not read back as edited")
    return written


def _zip_folder(folder: Path) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"{folder.name}/{path.relative_to(folder)}")
    return out.getvalue()


def csv_zip(result) -> bytes:
    """The run's tables, as ``ftrag-mc run`` writes them (the manifest's CSVs, the data
    dictionary ``columns.csv``), zipped in a folder named after the scenario."""
    from ftrag_mc.report.analyses import RunAnalyses
    from ftrag_mc.report.dictionary import columns_frame
    from ftrag_mc.report.items import REPORT_ITEMS
    from ftrag_mc.report.writers import write_report

    analyses = RunAnalyses(result)
    items = {item.name: item.build(analyses) for item in REPORT_ITEMS
             if item.name.endswith(".csv") and item.build is not None and item.applies(result)}
    items["columns.csv"] = columns_frame([*items, "columns.csv"])
    with tempfile.TemporaryDirectory(prefix="ftrag-app-") as tmp:
        folder = Path(tmp) / result.scenario.name
        write_report(folder, items)
        return _zip_folder(folder)


def board_pack_zip(result, *, command: str) -> bytes:
    """The run's whole report, as ``ftrag-mc run`` writes it (the PDF board pack, charts, tables,
    summary.md, run.json recording ``command``), zipped in a folder named after the scenario."""
    from ftrag_mc.report.builders import build_run_report

    with tempfile.TemporaryDirectory(prefix="ftrag-app-") as tmp, build_run_report(result, command=command) as report:
        report.write(tmp)
        return _zip_folder(Path(tmp) / report.folder_name)
