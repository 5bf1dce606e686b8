"""Writing a report folder: whole or not at all.

Files go to a hidden staging folder beside the destination; only when every file is written is
the folder moved into place (replacing an earlier report of the same scenario). A failure part way,
Ctrl-C included, leaves the earlier report untouched and no half-written files; a staging folder a
killed run left behind (kill -9, a power cut) is removed by the next write of that report.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import tempfile
import time
from pathlib import Path
from typing import Any, Mapping

import pandas as pd
from matplotlib.figure import Figure

from ftrag_mc.report.render import PNG_DPI, png_bytes
from ftrag_mc.report.style import quiet_glyph_warnings, warn_undrawable

MARKER = "run.json"
#: Every report folder holds one of these records; a folder with none is never replaced.
MARKERS = (MARKER, "sensitivity.json", "sweep.json", "explain.json", "policy.json")


class ReportError(RuntimeError):
    """The report cannot be written where asked."""


def _write_item(path: Path, item: Any) -> None:
    suffix = path.suffix
    if suffix in (".pdf", ".png") and isinstance(item, (bytes, bytearray)):
        path.write_bytes(item)  # rendered already (the PDF; a run's PNGs, see report.render)
    elif suffix == ".md" and isinstance(item, str):
        path.write_text(item, encoding="utf-8")
    elif suffix == ".csv" and isinstance(item, pd.DataFrame):
        item.to_csv(path, index=False, float_format="%.10g")
    elif suffix == ".png" and isinstance(item, Figure):
        path.write_bytes(png_bytes(item))
    elif suffix in (".pdf", ".svg") and isinstance(item, Figure):
        warn_undrawable(item)  # once, not once per glyph
        with quiet_glyph_warnings():
            item.savefig(path, dpi=PNG_DPI)
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


# Staging folders are named .<name>.ftrag-tmp-<host>-<pid>-<random> (".ftrag-old-" for an earlier
# report being swapped out), so a later run can tell one left by a killed run (its process is gone)
# from one a concurrent run is still writing.
_STAGING = re.compile(r"\.(?P<name>.+)\.ftrag-(?:tmp|old)-(?P<host>[^-]*)-(?P<pid>\d+)-[^.]+")
#: Staging folders of another host (a shared file system) are removed once this old.
STALE_AFTER_S = 24 * 3600


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9]", "", socket.gethostname())[:32] or "host"


def _staging_prefix(directory: Path, kind: str) -> str:
    return f".{directory.name}.ftrag-{kind}-{_host()}-{os.getpid()}-"


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def remove_stale_staging(directory: Path) -> list[Path]:
    """Remove staging folders of ``directory`` left by killed runs; returns those removed."""
    removed = []
    try:
        entries = list(directory.parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = _STAGING.fullmatch(entry.name)
        if not match or match["name"] != directory.name or not entry.is_dir() or entry.is_symlink():
            continue
        if match["host"] == _host():
            stale = not _is_running(int(match["pid"]))
        else:
            try:
                stale = time.time() - entry.stat().st_mtime > STALE_AFTER_S
            except OSError:
                continue
        if stale:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _existing_ancestor(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _check_destination(directory: Path) -> None:
    """Name a destination problem by the user's path, before any staging folder is made."""
    if directory.exists() or directory.is_symlink():
        if not directory.is_dir():
            raise ReportError(f"{directory} exists and is not a folder")
        if any(directory.iterdir()) and not any((directory / m).exists() for m in MARKERS):
            raise ReportError(f"{directory} is not empty and holds no {MARKER}: not replacing it")
    parent = directory.parent
    ancestor = _existing_ancestor(parent)
    if not ancestor.is_dir():
        raise ReportError(f"cannot write {directory}: {ancestor} is a file, not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        what = "the output folder" if ancestor == parent else "a folder on the way"
        raise ReportError(f"cannot write {directory}: {what} {ancestor} is not writable")


def write_report(directory: str | Path, items: Mapping[str, Any], *, merge: bool = False) -> list[Path]:
    """Write ``items`` (file name -> content) into ``directory``; the folder appears whole or not at all.

    ``name.csv`` takes a DataFrame, ``name.png`` / ``.pdf`` / ``.svg`` a Figure, ``name.json`` a dict.
    With ``merge`` the files of an earlier report there are kept (those named in ``items`` are
    replaced), e.g. a sensitivity study added to a run's report; the swap is still atomic.
    Staging folders that killed runs left beside ``directory`` are removed first. On any failure,
    Ctrl-C included, the staging folder and any output folder this call created are removed and
    an earlier report is left (or put back) in place.

    Raises
    ------
    ReportError
        If ``directory`` exists, is not empty and is not an earlier report (no ``run.json``), or it
        cannot be written (a file in the way, no permission, no space): named by ``directory``,
        never by the hidden staging folder.
    """
    directory = Path(directory)
    _check_destination(directory)
    created = []  # output folders made here, removed again on failure
    for folder in reversed([directory.parent, *directory.parent.parents]):
        if not folder.exists():
            created.append(folder)
    staging = old = None
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(directory)
        staging = Path(tempfile.mkdtemp(prefix=_staging_prefix(directory, "tmp"), dir=directory.parent))
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes it private; a report is an ordinary folder
        if merge and directory.is_dir():
            for earlier in directory.iterdir():
                if earlier.is_file() and earlier.name not in items:
                    shutil.copy2(earlier, staging / earlier.name)
        for name, item in items.items():
            _write_item(staging / name, item)
        if directory.exists():
            old = Path(tempfile.mkdtemp(prefix=_staging_prefix(directory, "old"), dir=directory.parent))
            os.replace(directory, old / directory.name)
        os.replace(staging, directory)
        staging = None
    except BaseException as error:
        if old is not None and (old / directory.name).exists() and not directory.exists():
            os.replace(old / directory.name, directory)  # put the earlier report back
        for folder in (staging, old):
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
        for folder in reversed(created):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if still empty
        if isinstance(error, OSError):
            reason = error.strerror or str(error)
            raise ReportError(f"cannot write {directory}: {reason}") from None
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return [directory / name for name in items]


def write_text_file(path: str | Path, text: str, *, overwrite: bool = False) -> Path:
    """Write ``text`` to ``path`` whole or not at all: a temporary file beside it, then moved in.

    Without ``overwrite`` an existing file is never replaced, even one that appears meanwhile (the
    temporary file is hard-linked into place, which fails if the name is taken).

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is false.
    OSError
        If the folder does not exist or cannot be written.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(path)
    fd, staging = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(staging, 0o666 & ~_umask())  # mkstemp makes it private; a scenario is an ordinary file
        if overwrite:
            os.replace(staging, path)
        else:
            try:
                os.link(staging, path)
            except FileExistsError:
                raise
            except OSError:  # a file system without hard links: the check above has to do
                os.replace(staging, path)
    finally:
        if os.path.exists(staging):
            os.unlink(staging)
    return path


def write_figure_file(path: str | Path, figure: Figure) -> Path:
    """Save ``figure`` to ``path`` (.png, .svg or .pdf) whole or not at all: a temporary file
    beside it, then moved in (an existing file is replaced).

    Raises
    ------
    OSError
        If the folder does not exist or cannot be written.
    """
    path = Path(path)
    fd, staging = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        _write_item(Path(staging), figure)
        os.chmod(staging, 0o666 & ~_umask())
        os.replace(staging, path)
    finally:
        if os.path.exists(staging):
            os.unlink(staging)
    return path
