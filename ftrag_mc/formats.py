"""Numbers as people say them, for charts, tables, sentences and CSV cells (pure Python: no matplotlib).

A neutral module below both ``analysis`` and ``report``: the report's words format every number
with these (:mod:`ftrag_mc.report.numbers` and :mod:`ftrag_mc.report.style` re-export them), and an
analysis that writes a CSV cell in words (``explain``'s months and details) formats it here, so the
same figure reads the same everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = [
    "currency_symbol", "format_count", "format_count_compact", "format_interval", "format_money_pm",
    "format_months", "format_months_interval", "format_number", "format_percent", "format_quantity", "format_share",
    "format_usd", "format_usd_exact", "format_volume", "format_volume_any", "format_volume_interval",
]

_CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}


def _compact(value: float, units: Sequence[tuple[float, str]], small_below: float) -> str:
    """``value`` >= 1 with the largest unit that fits: one decimal where the number in that unit
    is below ``small_below``, an integer from there on (so "1.5k", "72k" or "$12.3k", "$123k")."""
    for scale, suffix in units:
        # 999,600 is "1M", not "1000k".
        if value >= scale * 0.9995:
            m = value / scale
            text = f"{m:,.0f}" if m >= small_below else f"{m:.1f}".removesuffix(".0")
            return f"{text}{suffix}"
    raise AssertionError("the last unit has scale 1")


_VOLUME_UNITS = ((1e9, "B"), (1e6, "M"), (1e3, "k"))
_MONEY_UNITS = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def format_volume(queries_per_month: float) -> str:
    """A volume as people say it: ``250000 -> "250k"``, ``1.2e6 -> "1.2M"``, ``1e7 -> "10M"``.

    Two significant figures below 100 of a unit (a Monte Carlo estimate is no more precise
    than that); the unit "queries/month" is left to the caller.
    """
    q = float(queries_per_month)
    if math.isnan(q):
        return "n/a"
    if q < 0:
        return "-" + format_volume(-q)
    if math.isinf(q):
        return "∞"
    if q < 999.5:
        return f"{q:.2g}" if q < 1 else f"{q:.0f}"
    return _compact(q, _VOLUME_UNITS, small_below=10)


def format_volume_any(queries_per_month: float) -> str:
    """:func:`format_volume`, or three significant figures in scientific notation from 1e15
    queries/month on (``explain`` takes any volume; "1,000,000B" would say nothing)."""
    q = float(queries_per_month)
    return format_volume(q) if q < 1e15 else f"{q:.3g}"


def format_count_compact(x: float) -> str:
    """A count as people say it, three significant figures: ``3_333_333 -> "3.33M"``,
    ``100_000 -> "100k"``, ``33_333 -> "33.3k"``, ``999 -> "999"`` (calls, tokens)."""
    v = float(x)
    if math.isnan(v):
        return "n/a"
    if v < 0:
        return "-" + format_count_compact(-v)
    if math.isinf(v):
        return "∞"
    if v < 999.5:
        return f"{v:.3g}"
    for scale, suffix in ((1e12, "T"), *_VOLUME_UNITS):
        if v >= scale * 0.9995:
            text = f"{v / scale:.3g}"
            return (f"{v / scale:,.0f}" if "e" in text else text) + suffix
    raise AssertionError("the last unit is 1e3")


def format_number(x: float) -> str:
    """Any value as people say it, three significant figures and no scientific notation up to a
    trillion: ``684_123 -> "684k"``, ``2.345 -> "2.35"``, ``0.04372 -> "0.0437"`` (a swept input
    whose unit the caller names)."""
    v = float(x)
    if math.isnan(v) or math.isinf(v) or abs(v) >= 999.5:
        return format_count_compact(v)
    if v == 0:
        return "0"
    text = f"{v:.3g}"
    if "e" in text:  # below 1e-4: keep the digits, drop the exponent
        text = f"{v:.{3 - math.floor(math.log10(abs(v))) - 1}f}"
    return text


def format_count(x: float) -> str:
    """A whole count with separators, ``11289879.4 -> "11,289,879"``; scientific from 1e15."""
    return f"{x:,.0f}" if abs(x) < 1e15 else f"{x:.3e}"


def currency_symbol(currency: str = "USD") -> str:
    """``"USD" -> "$"``; codes without a common symbol come back as ``"CHF "``."""
    return _CURRENCY_SYMBOLS.get(currency.upper(), currency.upper() + " ")


def format_usd(amount: float, currency: str = "USD", *, significant: int | None = None) -> str:
    """Money, compact: ``12345 -> "$12.3k"``, ``1.2e6 -> "$1.2M"``, ``-350 -> "-$350"``.

    Parameters
    ----------
    amount
        The amount, in ``currency``.
    currency
        ISO code; ``USD``, ``EUR``, ``GBP``, ``JPY`` and ``INR`` get their symbol.
    significant
        From 1k, this many significant figures instead (``3``: ``1_433_277 -> "$1.43M"``), for
        amounts set side by side that differ in their third figure (expected costs).

    Returns
    -------
    str
        Below 1: two significant figures (a per-query price, ``"$0.0015"``); below 1,000: whole
        units; from 1k: one decimal below 100 of a unit (``"$12.3k"``), whole above (``"$350k"``).
    """
    x = float(amount)
    sym = currency_symbol(currency)
    if math.isnan(x):
        return "n/a"
    if x < 0:
        return "-" + format_usd(-x, currency, significant=significant)
    if significant is not None and 999.5 <= x < 1e15:
        return sym + _significant(x, significant)
    if math.isinf(x):
        return f"{sym}∞"
    if x == 0:
        return f"{sym}0"
    if x < 1:
        return f"{sym}{x:.2g}"
    if x < 999.5:
        return f"{sym}{x:.2f}".removesuffix(".00") if x < 10 else f"{sym}{x:,.0f}"
    return sym + _compact(x, _MONEY_UNITS, small_below=100)


def _significant(x: float, digits: int) -> str:
    for scale, suffix in _MONEY_UNITS:
        if x >= scale * (1 - 0.5 * 10.0 ** -digits):
            text = f"{x / scale:.{digits}g}"
            return (f"{x / scale:,.0f}" if "e" in text else text) + suffix
    return f"{x:.{digits}g}"


def format_usd_exact(x: float, digits: int = 3) -> str:
    """Money to check against a spreadsheet (``explain``), not compact like :func:`format_usd`:
    three significant figures below $1 ("$0.00181"), whole dollars with separators above $1,000
    ("$3,900"), cents between; "n/a" for NaN."""
    if x is None or math.isnan(x):
        return "n/a"
    if x < 0:
        return "-" + format_usd_exact(-x, digits)
    if x == 0:
        return "$0"
    if x < 1:
        return f"${x:.{digits}g}"
    if x < 1000:
        return f"${x:,.2f}".removesuffix(".00")
    return f"${x:,.0f}" if x < 1e15 else f"${x:.3e}"


def format_volume_interval(low: float, high: float) -> str:
    """An interval of volumes, as :func:`format_volume`: ``"67k–72k"``; ``0`` and ``∞`` for ends
    past what can be told (below, above). Ends that differ but would print alike get the digits
    that tell them apart (``"26,950–27,310"``, not ``"27k–27k"``); equal ends print once."""
    a, b = format_volume(low), format_volume(high)
    if a != b or not (math.isfinite(low) and math.isfinite(high)):
        return f"{a}–{b}"
    if low == high:
        return a
    return f"{low:,.0f}–{high:,.0f}"


def format_months_interval(low: float, high: float) -> str:
    """An interval of months, as :func:`format_months`: ``"4.4–4.7 months"``; an end that never
    comes is "never"."""
    def number(m: float) -> str:
        return "never" if math.isinf(m) else (f"{m:.0f}" if abs(m - round(m)) < 0.05 else f"{m:.1f}")
    if math.isinf(high):
        return "never" if math.isinf(low) else f"{number(low)} months to never"
    return f"{number(low)}–{number(high)} months"


def format_months(months: float) -> str:
    """A duration in months: ``6.3 -> "6.3 months"``, ``1 -> "1 month"``, ``12 -> "12 months"``."""
    m = float(months)
    if math.isinf(m):
        return "never"
    text = f"{m:.0f}" if abs(m - round(m)) < 0.05 else f"{m:.1f}"
    return f"{text} month" if text == "1" else f"{text} months"


def format_share(p: float) -> str:
    """A probability as a rounded percentage: ``0.2213 -> "22 %"``, ``0.004 -> "<1 %"``."""
    pct = 100 * float(p)
    if 0 < pct < 0.5:
        return "<1 %"
    if 99.5 <= pct < 100:
        return ">99 %"
    return f"{pct:.0f} %"


def format_percent(p: float) -> str:
    """An estimated probability as a percentage with one decimal: ``0.9361 -> "93.6 %"``; two
    decimals within 0.1 % of 0 or 1 (``0.9998 -> "99.98 %"``), so neither reads as certain."""
    return f"{_percent_number(p)} %"


def format_interval(low: float, high: float) -> str:
    """A 95 % interval of a probability, as :func:`format_percent`: ``"93.2–93.9 %"``."""
    return f"{_percent_number(low)}–{_percent_number(high)} %"


def _percent_number(p: float) -> str:
    pct = 100 * float(p)
    if 0 < pct < 0.005:  # never "0.00" for a share that is not nothing
        return "<0.01"
    if 99.995 <= pct < 100:  # nor "100.00" for one that is not everything
        return ">99.99"
    return f"{pct:.2f}" if (0 < pct < 0.1 or 99.9 < pct < 100) else f"{pct:.1f}"


def format_money_pm(amount: float, se: float, currency: str = "USD") -> str:
    """A mean and its standard error: ``"$223k ± $1.3k"`` (both as :func:`format_usd`). An error
    below a billionth of the mean is rounding in the sums (every future the same), shown as 0."""
    if abs(se) <= 1e-9 * abs(amount):
        se = 0.0
    return f"{format_usd(amount, currency)} ± {format_usd(se, currency)}"


def _number(x: float) -> str:
    """A plain quantity: three significant figures below 1,000 ("0.0234", "1.47", "350"), then
    as a volume is said ("1.4k", "2.5M")."""
    if not math.isfinite(x):
        return "n/a" if math.isnan(x) else ("∞" if x > 0 else "-∞")
    return f"{x:.3g}" if abs(x) < 999.5 else format_volume(x)


def _counted(x: float, one: str, many: str) -> str:
    text = _number(x)
    return f"{text} {one if text == '1' else many}"


_PER = {"million tokens": "M tokens", "second": "s"}


def format_quantity(value: float, unit: str, currency: str = "USD") -> str:
    """An input's value in its unit, as a reader says it (the schema's ``unit`` of the key).

    ``(0.0399, "fraction") -> "4.0 %"``, ``(2.64, "USD") -> "$2.64"``, ``(3, "USD per million
    tokens") -> "$3/M tokens"``, ``(4100, "USD/week") -> "$4.1k/week"``, ``(1800, "tokens") ->
    "1.8k tokens"``, ``(2.5, "months") -> "2.5 months"``; a unit it does not know follows the number.
    """
    x = float(value)
    if unit == "fraction":
        pct = 100 * x
        return "n/a" if math.isnan(pct) else (f"{pct:.1f} %" if abs(pct) < 10 else f"{pct:.0f} %")
    if unit.startswith("USD"):
        per = unit[3:].strip().removeprefix("per ").lstrip("/").strip()
        money = format_usd(x, currency)
        return f"{money}/{_PER.get(per, per)}" if per else money
    if unit == "months":
        return format_months(x)
    plurals = {"weeks": ("week", "weeks"), "hours": ("hour", "hours"), "tokens": ("token", "tokens")}
    if unit in plurals:
        return _counted(x, *plurals[unit])
    if unit == "queries/month":
        return f"{format_volume(x)}/month"
    if unit == "percentage points/quarter":
        return f"{x:.2g} pp/quarter"
    if unit == "seconds":
        return f"{x:.2g} s"
    return f"{_number(x)} {unit}".strip()
