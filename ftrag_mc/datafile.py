"""Reading a column of numbers from a CSV file a team has (``ftrag-mc fit``): the one data file read.

A header row names the columns; empty cells are skipped (and counted), any other cell must be a
finite number. Every problem is one :class:`DataError` line naming the file, the column and the
row: a missing file, a folder or a device instead of a file, a file over :data:`MAX_DATA_BYTES`,
text that is not UTF-8, no header, an unknown column, a cell that is not a number.
"""

from __future__ import annotations

import csv
import io
import math
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ftrag_mc.errors import did_you_mean

__all__ = ["Column", "DataError", "MAX_DATA_BYTES", "load_column"]

MAX_DATA_BYTES = 64 * 2**20
"""The largest data file read: 64 MiB (some eight million numbers)."""
_SNIFF_BYTES = 16_384


class DataError(ValueError):
    """A data file or column that cannot be read as numbers; the message is one line. ``columns``
    lists the file's columns when the one to read is missing or was not named."""

    def __init__(self, message: str, *, columns: tuple[str, ...] = ()):
        super().__init__(message)
        self.columns = columns


@dataclass(frozen=True)
class Column:
    """A column's values: ``values`` (n,) float64 in file order, its ``name``, the ``file`` it came
    from, and how many empty cells were ``skipped``."""

    values: np.ndarray
    name: str
    file: str
    skipped: int = 0


def _read_text(path: Path) -> str:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except OSError as error:
        raise DataError(f"{path}: cannot read it: {error.strerror or error}") from None
    if stat.S_ISDIR(info.st_mode):
        raise DataError(f"{path}: is a folder, not a CSV file")
    if not stat.S_ISREG(info.st_mode):
        raise DataError(f"{path}: is not a regular file (a device, a FIFO or a socket); give a CSV file")
    if info.st_size > MAX_DATA_BYTES:
        raise DataError(f"{path}: is {info.st_size:,} bytes; a data file may hold at most {MAX_DATA_BYTES:,} (64 MiB)")
    try:
        raw = path.read_bytes()[: MAX_DATA_BYTES + 1]
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(f"{path}: not a UTF-8 text file") from None
    except OSError as error:
        raise DataError(f"{path}: cannot read it: {error.strerror or error}") from None


def _rows(path: Path, text: str) -> list[list[str]]:
    try:
        dialect = csv.Sniffer().sniff(text[:_SNIFF_BYTES], delimiters=",;\t")
    except csv.Error:  # one column (no delimiter to find), or too little text
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as error:
        raise DataError(f"{path}: not a readable CSV file ({error})") from None
    return [row for row in rows if any(cell.strip() for cell in row)]


def load_column(path: str | Path, column: str | None = None) -> Column:
    """The numbers of one column of a CSV file with a header row.

    Parameters
    ----------
    path
        The CSV file (comma, semicolon or tab separated; UTF-8, a byte-order mark allowed).
    column
        The header of the column; None when the file has one column only.

    Raises
    ------
    DataError
        One line naming the file (and the column and row): see the module docstring.
    """
    path = Path(path)
    rows = _rows(path, _read_text(path))
    if not rows:
        raise DataError(f"{path}: is empty: no header row and no values")
    header = [cell.strip() for cell in rows[0]]
    if column is None:
        if len(header) != 1:
            raise DataError(f"{path}: has {len(header)} columns ({', '.join(header)}): name the one to read",
                            columns=tuple(header))
        column = header[0]
    if column not in header:
        raise DataError(f"{path}: no column '{column}'{did_you_mean(column, header)} (columns: {', '.join(header)})",
                        columns=tuple(header))
    j = header.index(column)
    values, skipped = [], 0
    for i, row in enumerate(rows[1:], start=1):
        cell = row[j].strip() if j < len(row) else ""
        if not cell:
            skipped += 1
            continue
        try:
            value = float(cell.replace("_", ""))
        except ValueError:
            shown = cell if len(cell) <= 40 else cell[:37] + "..."
            raise DataError(f"{path}: column '{column}', row {i}: '{shown}' is not a number") from None
        if not math.isfinite(value):
            raise DataError(f"{path}: column '{column}', row {i}: '{cell}' is not a finite number")
        values.append(value)
    if not values:
        raise DataError(f"{path}: column '{column}' has no values"
                        + (f" (all {skipped} cells are empty)" if skipped else " (only a header row)"))
    return Column(np.array(values, dtype=np.float64), column, str(path), skipped)
