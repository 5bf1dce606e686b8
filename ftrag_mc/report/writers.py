"""Writing a report folder: whole or not at all.

Files go to a hidden temporary folder beside the destination; only when every file is written is
the folder moved into place (replacing an earlier report of the same scenario). A failure part way
leaves the earlier report untouched and no half-written files.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Mapping

import pandas as pd
from matplotlib.figure import Figure

from ftrag_mc.report.style import quiet_glyph_warnings, warn_undrawable

MARKER = "run.json"
#: Every report folder holds one of these records; a folder with none is never replaced.
MARKERS = (MARKER, "sensitivity.json", "sweep.json")


class ReportError(RuntimeError):
    """The report cannot be written where asked."""


def _write_item(path: Path, item: Any) -> None:
    suffix = path.suffix
    if suffix == ".pdf" and isinstance(item, (bytes, bytearray)):
        path.write_bytes(item)
    elif suffix == ".md" and isinstance(item, str):
        path.write_text(item, encoding="utf-8")
    elif suffix == ".csv" and isinstance(item, pd.DataFrame):
        item.to_csv(path, index=False, float_format="%.10g")
    elif suffix in (".png", ".pdf", ".svg") and isinstance(item, Figure):
        warn_undrawable(item)  # once, not once per glyph
        with quiet_glyph_warnings():
            item.savefig(path, dpi=150)
    elif suffix == ".json" and isinstance(item, Mapping):
        path.write_text(json.dumps(item, indent=2, default=_json_default) + "\n")
    else:
        raise TypeError(f"cannot write a {type(item).__name__} as {path.name}")


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, (set, tuple)):
        return list(value)
    return str(value)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_report(directory: str | Path, items: Mapping[str, Any], *, merge: bool = False) -> list[Path]:
    """Write ``items`` (file name -> content) into ``directory``; the folder appears whole or not at all.

    ``name.csv`` takes a DataFrame, ``name.png`` / ``.pdf`` / ``.svg`` a Figure, ``name.json`` a dict.
    With ``merge`` the files of an earlier report there are kept (those named in ``items`` are
    replaced), e.g. a sensitivity study added to a run's report; the swap is still atomic.

    Raises
    ------
    ReportError
        If ``directory`` exists, is not empty and is not an earlier report (no ``run.json``).
    """
    directory = Path(directory)
    if directory.exists():
        if not directory.is_dir():
            raise ReportError(f"{directory} exists and is not a folder")
        if any(directory.iterdir()) and not any((directory / m).exists() for m in MARKERS):
            raise ReportError(f"{directory} is not empty and holds no {MARKER}: not replacing it")
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes it private; a report is an ordinary folder
        if merge and directory.is_dir():
            for earlier in directory.iterdir():
                if earlier.is_file() and earlier.name not in items:
                    shutil.copy2(earlier, staging / earlier.name)
        for name, item in items.items():
            _write_item(staging / name, item)
        old = None
        if directory.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{directory.name}.old.", dir=directory.parent))
            os.replace(directory, old / directory.name)
        os.replace(staging, directory)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [directory / name for name in items]
