"""Sums over months of month-major arrays ``(H, ...)``: running totals in month order.

Every helper adds month t's row to the total through month t - 1, and a one-time cost last, so
they give the same bits as each other (a P(win)-only run reads :func:`cumulative_at` where a
full run reads :func:`cumulative`)."""

from __future__ import annotations

import numpy as np


def cumsum_months(x: np.ndarray, axis: int = 0) -> np.ndarray:
    """Cumulative sum over the months axis of a month-major array (a new array).

    A loop adding whole rows: numpy's ``cumsum`` along a leading axis is ~30x slower than this
    on (36, 16384) arrays (numpy 2.4), and the result is the same sum in the same order.
    """
    out = np.array(x, dtype=np.float64, copy=True)
    if axis == 0:
        for t in range(1, out.shape[0]):
            out[t] += out[t - 1]
    else:
        for t in range(1, out.shape[1]):
            out[:, t] += out[:, t - 1]
    return out


def cumulative(monthly: np.ndarray, discount: np.ndarray, first) -> np.ndarray:
    """``prepend(cumsum_months(monthly * discount), first)`` in one array: the same sums in the
    same order (a discount of exactly 1 is not multiplied: x * 1.0 is x)."""
    first = np.asarray(first, dtype=np.float64)
    h = monthly.shape[0]
    width = np.broadcast_shapes(monthly.shape[1:], discount.shape[1:])
    if np.broadcast_shapes(width, first.shape) != width:  # a one-time cost wider than the months
        return prepend(cumsum_months(monthly * discount), first)
    out = np.empty((h + 1,) + width)
    rows = out[1:]
    if np.all(discount == 1.0):
        rows[...] = monthly
    else:
        np.multiply(monthly, discount, out=rows)
    for t in range(1, h):
        rows[t] += rows[t - 1]
    out[0] = first
    rows += first
    return out


def cumulative_at(monthly: np.ndarray, discount: np.ndarray, first, months) -> np.ndarray:
    """``cumulative(monthly, discount, first)[months]`` without the months x samples result: the
    same sums in the same order (each month's row added to a running total, the one-time cost
    last), so the same bits, with one row of temporaries."""
    first = np.asarray(first, dtype=np.float64)
    months = [int(m) for m in months]
    width = np.broadcast_shapes(monthly.shape[1:], discount.shape[1:])
    out = np.empty((len(months),) + np.broadcast_shapes(width, first.shape))
    unit = bool(np.all(discount == 1.0))
    total = np.empty(width)
    for t in range(1, max(months, default=0) + 1):
        row = monthly[t - 1] if unit else monthly[t - 1] * discount[t - 1]
        if t == 1:
            total[...] = row
        else:
            total += row
        for i, m in enumerate(months):
            if m == t:
                np.add(total, first, out=out[i])
    for i, m in enumerate(months):
        if m == 0:
            out[i] = first
    return out


def prepend(cum: np.ndarray, first) -> np.ndarray:
    """Cumulative rows 0..H: ``first`` (the one-time cost) at t = 0, then ``first + cum``."""
    first = np.asarray(first, dtype=np.float64)
    width = np.broadcast_shapes(cum.shape[1:], first.shape)
    out = np.empty((cum.shape[0] + 1,) + width)
    out[0] = first
    np.add(cum, first, out=out[1:])
    return out
