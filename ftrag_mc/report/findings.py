"""The sentences charts say: titles that state a finding only as far as the numbers support it.

Pure text from analysis frames and numbers (no matplotlib): "beats ... in most futures above
69.1k", "a coin flip at your volume", "rough estimate" below :data:`FEW_SAMPLES` futures, and
the sentence a chart shows instead of an empty axis. Every number goes through
:mod:`ftrag_mc.report.numbers`, the one formatter of everything a person reads.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ftrag_mc.report.numbers import format_months, format_share, format_volume

if TYPE_CHECKING:  # style imports matplotlib; the sentences need none
    from ftrag_mc.report.style import RunInfo

__all__ = [
    "FEW_SAMPLES", "Strip", "rough", "crossings_50", "crossing_50", "at_volume", "coin_flip",
    "volume_finding", "volume_kind", "narrow_win", "flat_pwin_sentence", "month_finding", "join_and", "verb", "breakeven_empty",
    "breakeven_finding", "payback_empty", "payback_finding", "too_close", "cheapest_finding",
]


@dataclass(frozen=True)
class Strip:
    """One distribution's percentile bar: P10/P50/P90 and the shares its texts state."""

    p10: float
    p50: float
    p90: float
    share_low: float  # share of futures below the axis range (e.g. "already wins")
    share_high: float  # share beyond it (e.g. "never")
    share_at_median: float


FEW_SAMPLES = 1_000  # below this many futures every estimate is called rough


def rough(info: RunInfo, finding: str) -> str:
    return (f"Rough estimate ({info.samples:,} samples): {finding}"
            if info.samples < FEW_SAMPLES else finding)


def crossings_50(q: np.ndarray, p: np.ndarray) -> list[float]:
    """Every volume where ``p`` crosses 0.5, interpolated in log volume, lowest first."""
    above = p >= 0.5
    out = []
    for i in np.flatnonzero(above[1:] != above[:-1]):
        t = (0.5 - p[i]) / (p[i + 1] - p[i])
        out.append(float(np.exp(np.log(q[i]) + t * (np.log(q[i + 1]) - np.log(q[i])))))
    return out


def crossing_50(q: np.ndarray, p: np.ndarray) -> float:
    """First volume where ``p`` crosses 0.5; NaN if it does not."""
    found = crossings_50(q, p)
    return found[0] if found else math.nan


def at_volume(c: pd.DataFrame, volume: float, column: str) -> tuple[float, float, float]:
    """``column`` and its band (``<column>_low``/``_high``) at ``volume``, interpolated in log
    volume (held at the ends of the grid); ``c`` is sorted by volume."""
    q = np.log(c["queries_per_month"].to_numpy(float))
    x = math.log(volume)
    return tuple(float(np.interp(x, q, c[k].to_numpy(float)))
                 for k in (column, f"{column}_low", f"{column}_high"))


def coin_flip(c: pd.DataFrame, volume: float, column: str, *, first: bool) -> str:
    """", a coin flip at your volume (...)" when the 95 % band at ``volume`` holds 50 %."""
    p, lo, hi = at_volume(c.sort_values("queries_per_month"), volume, column)
    if not lo <= 0.5 <= hi:
        return ""
    if first:
        return (f", but at your {format_volume(volume)} queries/month it is a coin flip "
                f"({format_share(p)}, 95 % band {format_share(lo)}–{format_share(hi)})")
    return f" (a coin flip at {format_volume(volume)})"


def volume_finding(kind: str, x: float, label: str, base: str, horizon: int,
                    vmin: float, vmax: float, *, first: bool) -> str:
    """One challenger's P(win)-vs-volume finding; ``first`` gives the full sentence."""
    if kind in ("above", "below"):
        full = f"beats {base} in most futures {kind} {format_volume(x)} queries/month"
        short = f"{kind} {format_volume(x)}"
    elif kind == "always":
        full = (f"beats {base} in most futures at every volume from {format_volume(vmin)} to "
                f"{format_volume(vmax)} queries/month")
        short = "at every volume"
    else:
        full = f"never beats {base} in most futures below {format_volume(vmax)} queries/month"
        short = f"never below {format_volume(vmax)}"
    return f"{label} {full} over {horizon} months" if first else f"{label} {short}"


def volume_kind(q: np.ndarray, p: np.ndarray, crossing: float) -> tuple[str, float]:
    """Where the curve sits against 50 %: ("above"|"below", volume) or ("always"|"never", nan)."""
    if np.all(p >= 0.5):
        return "always", math.nan
    if np.all(p < 0.5):
        return "never", math.nan
    found = crossings_50(q, p)
    # A curve that crosses more than once (self-hosting's GPU steps): from its last crossing
    # on it stays on one side, which is what the title can say.
    if len(found) > 1 or not math.isfinite(crossing):
        crossing = found[-1]
    return ("above" if p[-1] >= 0.5 else "below"), crossing


def month_finding(paid: list[tuple[str, int | None]], base: str, volume: float,
                   horizon: int) -> str:
    head = f"At {format_volume(volume)} queries/month, "
    if len(paid) == 1:
        label, month = paid[0]
        if month is None:
            return head + f"{label} does not pay back in half of futures within {horizon} months"
        if month == 0:
            return head + f"{label} is cheaper than {base} from the start in half of futures"
        if month == 1:  # ahead by the end of the first month: nothing to pay back
            return head + f"{label} is cheaper than {base} from the first month in half of futures"
        return head + f"{label} has paid back in half of futures by month {month}"
    by_month = [f"by month {m} for {lab}" for lab, m in paid if m]
    start = [lab for lab, m in paid if m == 0]
    never = [lab for lab, m in paid if m is None]
    lead = "half of futures have paid back " + ", ".join(by_month) if by_month else None
    return head + _payback_clauses(lead, start, f"cheaper than {base} from the start in half of futures",
                                   never, f"not pay back in half of futures within {horizon} months")


def _payback_clauses(lead: str | None, start: Sequence[str], start_words: str, never: Sequence[str],
                     never_words: str) -> str:
    """"LEAD; A and B are START_WORDS; C does NEVER_WORDS": the payback sentence of several challengers."""
    parts = [lead] if lead else []
    if start:
        parts.append(f"{join_and(start)} {verb(start, 'is', 'are')} {start_words}")
    if never:
        parts.append(f"{join_and(never)} {verb(never, 'does', 'do')} {never_words}")
    return "; ".join(parts)


def join_and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def verb(subjects: Sequence[str], one: str, many: str) -> str:
    return one if len(subjects) == 1 else many


def breakeven_empty(drawn: Sequence[tuple[int, Strip, np.ndarray]], label: str,
                     vmin: float, vmax: float) -> str:
    """Why a breakeven panel has nothing to draw (every future outside the sweep), or ""."""
    if not drawn:
        return f"No breakeven volumes for {label} in this run: nothing to show"
    if any(strip.share_low + strip.share_high < 1 - 1e-9 for _, strip, _ in drawn):
        return ""
    where = ("already cheaper at " + format_volume(vmin)
             if all(strip.share_low >= 1 - 1e-9 for _, strip, _ in drawn)
             else "never breaks even below " + format_volume(vmax)
             if all(strip.share_high >= 1 - 1e-9 for _, strip, _ in drawn)
             else f"outside {format_volume(vmin)}–{format_volume(vmax)}")
    return (f"In every future, {label} is {where} queries/month at every horizon: "
            "no breakeven inside the sweep, nothing to show on a breakeven axis"
            if where.startswith("already") else
            f"In every future, {label} {where} queries/month at every horizon: "
            "nothing to show on a breakeven axis"
            if where.startswith("never") else
            f"In every future the breakeven of {label} is {where} queries/month: "
            "nothing to show on a breakeven axis")


def _in_most_futures(share: float) -> str:
    """"in most futures (93 %)", or "in every future" when the share is all of them."""
    return "in every future" if share >= 1 else f"in most futures ({format_share(share)})"


def breakeven_finding(medians: list[tuple[str, float, float, float]], horizon: int,
                       vmin: float, vmax: float) -> str:
    """Title from the longest horizon's median breakeven of each challenger."""
    if len(medians) == 1:
        label, p50, above, below = medians[0]
        if p50 > vmax:
            return (f"{label} never breaks even below {format_volume(vmax)} queries/month "
                    f"{_in_most_futures(above)} over {horizon} months")
        if p50 < vmin:
            return (f"{label} already wins at {format_volume(vmin)} queries/month in "
                    f"{format_share(below)} of futures over {horizon} months")
        text = f"Median breakeven: {format_volume(p50)} queries/month over {horizon} months"
        if above > 0:
            text += (f" ({format_share(above)} of futures never break even below "
                     f"{format_volume(vmax)})")
        return text
    parts = []
    for label, p50, _above, _below in medians:
        where = (f"above {format_volume(vmax)}" if p50 > vmax
                 else f"below {format_volume(vmin)}" if p50 < vmin else format_volume(p50))
        parts.append(f"{label} {where}")
    return (f"Median breakeven over {horizon} months: " + "; ".join(parts)
            + " queries/month")


def payback_empty(shares: Sequence[tuple[float, float]], horizon: int) -> str:
    """Why the payback axis has nothing to draw (every future pays back in month 0 or never
    within the horizon), or ""; ``shares`` are (share never, share from day one)."""
    full = 1 - 1e-9
    if any(never + day_one < full for never, day_one in shares):
        return ""
    if all(day_one >= full for _, day_one in shares):
        return "Every future is cheaper from day one: nothing to show on a payback axis"
    if all(never >= full for never, _ in shares):
        return (f"No future pays back within {horizon} months: nothing to show on a "
                "payback axis")
    return (f"Every future is either cheaper from day one or does not pay back within "
            f"{horizon} months: nothing to show on a payback axis")


def payback_finding(medians: list[tuple[str, float, float, float]], volume: float,
                     horizon: int) -> str:
    head = f"At {format_volume(volume)} queries/month, "
    if len(medians) == 1:
        label, p50, never, day_one = medians[0]
        if math.isinf(p50):
            return head + f"{label} does not pay back within {horizon} months {_in_most_futures(never)}"
        if p50 == 0:
            return head + f"{label} is cheaper from day one {_in_most_futures(day_one)}"
        text = head + f"{label} pays back in {format_months(p50)} (median)"
        if never > 0:
            text += f"; {format_share(never)} of futures never do within {horizon} months"
        return text
    finite = [f"{format_months(p50)} for {label}" for label, p50, _, _ in medians
              if 0 < p50 < math.inf]
    day_one = [label for label, p50, _, _ in medians if p50 == 0]
    never = [label for label, p50, _, _ in medians if math.isinf(p50)]
    lead = "median payback is " + ", ".join(finite) if finite else None
    return head + _payback_clauses(lead, day_one, "cheaper from day one in most futures",
                                   never, f"not pay back within {horizon} months in most futures")


def too_close(sub: pd.DataFrame, strategies: Sequence[str], volume: float,
               label: Callable[[str], str]) -> str:
    """"; too close to call at your volume" when the two likeliest strategies' 95 % bands
    overlap there, else ""."""
    at = []
    for s in strategies:
        c = sub[sub["strategy"] == s].sort_values("queries_per_month")
        at.append((*at_volume(c, volume, "p_cheapest"), s))
    at.sort(reverse=True)
    if len(at) < 2:
        return ""
    (p0, lo0, _hi0, s0), (p1, _lo1, hi1, s1) = at[0], at[1]
    if hi1 < lo0:
        return ""
    return (f"; at your {format_volume(volume)} queries/month {label(s0)} "
            f"({format_share(p0)}) and {label(s1)} ({format_share(p1)}) are too close to call")


def cheapest_finding(leaders: Sequence[str], bounds: Sequence[float], q: np.ndarray,
                      horizon: int) -> str:
    head = f"Most likely cheapest over {horizon} months: "
    if len(leaders) == 1:
        return head + (f"{leaders[0]} at every volume from {format_volume(q[0])} to "
                       f"{format_volume(q[-1])} queries/month")
    # Boundaries are read between grid volumes: "~" says they are approximate.
    parts = [f"{leaders[0]} below ~{format_volume(bounds[0])} queries/month"]
    for k in range(1, len(leaders) - 1):
        parts.append(f"{leaders[k]} ~{format_volume(bounds[k - 1])}–{format_volume(bounds[k])}")
    parts.append(f"{leaders[-1]} above" if len(leaders) == 2
                 else f"{leaders[-1]} above ~{format_volume(bounds[-1])}")
    return head + ("; " if any("," in lab for lab in leaders) else ", ").join(parts)

NARROW_WIN = 0.6  # a P(win) that never exceeds this where the challenger "wins" wins only just


def narrow_win(kind: str, x: float, q: np.ndarray, p: np.ndarray, p_low: np.ndarray, *,
               first: bool) -> str:
    """", but only just (at most 53 %)" when, where the curve says the challenger wins (above or
    below ``x``, or everywhere), P(win) stays under :data:`NARROW_WIN`; a coin flip when even its
    highest point's 95 % band holds 50 %. "" otherwise."""
    side = {"above": q >= x, "below": q <= x, "always": np.ones_like(q, bool)}.get(kind)
    if side is None or not side.any():
        return ""
    i = int(np.flatnonzero(side)[np.argmax(p[side])])
    if p[i] >= NARROW_WIN:
        return ""
    if p_low[i] <= 0.5:
        return (f", but even there it is a coin flip (at most {format_share(p[i])})" if first
                else " (a coin flip)")
    return f", but only just (at most {format_share(p[i])})" if first else " (only just)"


def flat_pwin_sentence(label: str, base: str, high_max: float, low_min: float, p_max: float,
                       p_min: float, vmin: float, vmax: float) -> str:
    """Why a P(win) panel has no curve worth drawing (flat at 0 % or 100 % at every volume and
    horizon, 95 % bands included), or ""."""
    sweep = f"at every volume from {format_volume(vmin)} to {format_volume(vmax)} queries/month and every horizon"
    if high_max < 0.01:
        share = "no future" if p_max == 0 else "fewer than 1 % of futures"
        return f"{label} is cheaper than {base} in {share} {sweep}: no curve to draw"
    if low_min > 0.99:
        share = "every future" if p_min == 1 else "more than 99 % of futures"
        return f"{label} is cheaper than {base} in {share} {sweep}: no curve to draw"
    return ""
