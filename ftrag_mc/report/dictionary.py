"""The data dictionary (``columns.csv``): every column of every CSV of a run's report, with its
meaning, unit, sign and sentinels, as the report items (:data:`ftrag_mc.report.items.REPORT_ITEMS`)
describe them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from ftrag_mc.report.columns import Column
from ftrag_mc.report.items import REPORT_ITEMS

__all__ = ["columns_frame", "columns_of"]


def columns_of(name: str) -> Mapping[str, Column]:
    """The column descriptions of the report file ``name`` (empty for a file without columns)."""
    return next((item.columns for item in REPORT_ITEMS if item.name == name), {})


def columns_frame(files: Iterable[str] | None = None) -> pd.DataFrame:
    """The data dictionary as a table (for ``columns.csv``), in the order the files are written.

    Parameters
    ----------
    files
        Restrict to these file names (e.g. the CSVs of one report); default: every file.

    Returns
    -------
    DataFrame with columns file, column, meaning, unit.
    """
    wanted = None if files is None else set(files)
    rows = [{"file": item.name, "column": column, "meaning": meaning, "unit": unit}
            for item in REPORT_ITEMS if wanted is None or item.name in wanted
            for column, (meaning, unit) in item.columns.items()]
    return pd.DataFrame(rows, columns=["file", "column", "meaning", "unit"])
