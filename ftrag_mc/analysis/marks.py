"""A chart's one frame: the series it draws with the figures it marks (percentiles, crossings,
P(loss)...), joined per strategy and horizon, so the chart draws and never counts."""

from __future__ import annotations

import pandas as pd

__all__ = ["MARK_KEYS", "attach_marks"]

MARK_KEYS = ("strategy", "horizon_months")


def attach_marks(series: pd.DataFrame, marks: pd.DataFrame) -> pd.DataFrame:
    """A chart's one frame: the rows it draws (``series``: bins, curve points) with the figures it
    marks (``marks``: percentiles, crossings, P(loss)...) repeated on each row of their strategy.

    Rows are matched on the keys both frames have of ``strategy`` and ``horizon_months``; a
    column ``series`` already has is taken from ``series``. A strategy with marks and no series
    row keeps one row (its series columns empty): its marks are still drawn or stated.
    """
    on = [k for k in MARK_KEYS if k in series.columns and k in marks.columns]
    if "strategy" not in on:
        raise ValueError("series and marks must both have a 'strategy' column")
    extra = [c for c in marks.columns if c not in series.columns]
    return series.merge(marks[[*on, *extra]], on=on, how="outer", sort=False)
