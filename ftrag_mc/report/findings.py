"""The words every chart's finding shares: "rough estimate" below :data:`FEW_SAMPLES` futures,
"in most futures (93 %)", "A, B and C", a value read at your volume, "; 5 more challengers: see
the chart", and the user's text cut to fit (:func:`shorten`, :func:`cut`).

Each chart's own finding (its title sentence) is in its module of :mod:`ftrag_mc.report.charts`;
this module is pure text from numbers, with no matplotlib. Every number goes through
:mod:`ftrag_mc.report.numbers`, the one formatter of everything a person reads.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

import numpy as np
import pandas as pd

from ftrag_mc.report.numbers import format_share

__all__ = [
    "DAY_ONE", "FEW_SAMPLES", "LABEL_MAX_CHARS", "MAX_TITLE_SENTENCES", "TEXT_MAX_CHARS", "VISIBLE_BAND", "at_volume",
    "band_note", "cut", "day_one_words", "in_most_futures", "join_and", "more_clause", "payback_clauses", "rough",
    "shorten", "verb",
]


class _Run(Protocol):
    """What a sentence reads of a chart's run (:class:`~ftrag_mc.report.style.RunInfo`, whose
    module imports matplotlib and these words: the sentences need neither)."""

    samples: int


FEW_SAMPLES = 1_000  # below this many futures every estimate is called rough

MAX_TITLE_SENTENCES = 3  # challengers a title names one by one

LABEL_MAX_CHARS = 40  # a strategy label in a legend or a panel's title is cut with an ellipsis

# User text in a sentence (a chart's title, subtitle, the PDF's title page) is cut here: a
# 5,000-character label or title would otherwise wrap to more lines than the page has room for.
TEXT_MAX_CHARS = 120


def shorten(text: str, limit: int = LABEL_MAX_CHARS) -> str:
    """One line of at most ``limit`` characters, cut at a word if one is near, with "…"."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut_text = text[: limit - 1]
    space = cut_text.rfind(" ")
    if space >= limit * 0.6:
        cut_text = cut_text[:space]
    return cut_text.rstrip(" ,;:-·") + "…"


def cut(text: str, limit: int = TEXT_MAX_CHARS) -> str:
    """``text`` as it is up to ``limit`` characters; longer, :func:`shorten`-ed to one line."""
    text = str(text)
    return text if len(text) <= limit else shorten(text, limit)


def rough(info: _Run, finding: str) -> str:
    """``finding``, called a rough estimate when the run has fewer than :data:`FEW_SAMPLES` futures."""
    return (f"Rough estimate ({info.samples:,} samples): {finding}"
            if info.samples < FEW_SAMPLES else finding)


def more_clause(n: int, where: str) -> str:
    """"; 5 more challengers: see the chart" when a title names only the first few of ``n``."""
    extra = n - MAX_TITLE_SENTENCES
    return f"; {extra} more challenger{'s' if extra != 1 else ''}: see {where}" if extra > 0 else ""


def at_volume(c: pd.DataFrame, volume: float, column: str) -> tuple[float, float, float]:
    """``column`` and its band (``<column>_low``/``_high``) at ``volume``, interpolated in log
    volume (held at the ends of the grid); ``c`` is sorted by volume."""
    q = np.log(c["queries_per_month"].to_numpy(float))
    x = math.log(volume)
    return tuple(float(np.interp(x, q, c[k].to_numpy(float)))
                 for k in (column, f"{column}_low", f"{column}_high"))


def payback_clauses(lead: str | None, start: Sequence[str], start_words: str, never: Sequence[str],
                    never_words: str) -> str:
    """"LEAD; A and B are START_WORDS; C does NEVER_WORDS": the payback sentence of several challengers."""
    parts = [lead] if lead else []
    if start:
        parts.append(f"{join_and(start)} {verb(start, 'is', 'are')} {start_words}")
    if never:
        parts.append(f"{join_and(never)} {verb(never, 'does', 'do')} {never_words}")
    return "; ".join(parts)


def join_and(items: Sequence[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def verb(subjects: Sequence[str], one: str, many: str) -> str:
    """The verb's form for one subject or several."""
    return one if len(subjects) == 1 else many


def in_most_futures(share: float) -> str:
    """"in most futures (93 %)", or "in every future" when the share is all of them."""
    return "in every future" if share >= 1 else f"in most futures ({format_share(share)})"


#: What every chart and table says of a payback of 0: the challenger's cumulative cost is below the
#: baseline's from the start (the payback chart, P(win) by month, the key figures).
DAY_ONE = "cheaper from day one"


def day_one_words(shares: Sequence[float]) -> str:
    """"cheaper from day one in every future" (every share 1) or "... in most futures": the one
    phrase of a median payback of 0, for the challengers whose shares from day one are ``shares``."""
    return f"{DAY_ONE} {'in every future' if min(shares) >= 1 else 'in most futures'}"


#: A 95 % band narrower than this (probability) is hidden under a 3-point line on a chart's
#: probability axis: the footnote says so instead of promising a band no one can see.
VISIBLE_BAND = 0.03


def band_note(low: Sequence[float], high: Sequence[float]) -> str:
    """What a P(win) chart's footnote says of its 95 % Wilson bands: that they are drawn, or, when
    every one is narrower than :data:`VISIBLE_BAND`, how wide the widest is (they hide under the lines)."""
    widths = np.asarray(high, float) - np.asarray(low, float)
    widest = float(np.nanmax(widths)) if widths.size else 0.0
    if widest >= VISIBLE_BAND:
        return "shaded bands: 95 % Wilson intervals (Monte Carlo error)"
    points = 100 * widest
    # two significant figures below 1 point: "0.019", never "0.0" for a band that is not nothing
    width = f"{points:.1f}" if points >= 1.0 else f"{points:.2g}" if points > 0 else "0"
    return (f"Monte Carlo error: every 95 % Wilson interval is at most {width} percentage points "
            "wide, narrower than the lines (see the CSV)")
