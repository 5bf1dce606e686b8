"""Months, schedules and discounting as closed forms over arrays of samples.

Months are t = 1..H; month t spans the time interval (t - 1, t] measured in months from t = 0, when
one-time costs fall. Every function takes per-sample parameters of shape ``(n,)`` (or a scalar, for
a constant input) and returns month-major arrays ``(H, n)`` (or ``(H, 1)`` for a scalar), with no
loop over samples or months. Months come first because sums over months (cumulative costs) then run
over contiguous rows, several times faster than along the last axis, and a calendar that does not
depend on the sample stays one column that broadcasts.
"""

from __future__ import annotations

import numpy as np

SECONDS_PER_MONTH = 365.25 / 12 * 86_400
HOURS_PER_MONTH = 365.25 / 12 * 24
WEEKS_PER_MONTH = 52 / 12

# A schedule "every k months" puts events at times k, 2k, ... A time that is a whole month up to
# floating-point noise (3 * 1.1 = 3.3000000000000003) must land in that month, not the next.
_EPS = 1e-9


def month_index(horizon_months: int) -> np.ndarray:
    """Months 1..H as float64, shape ``(H,)``."""
    return np.arange(1, horizon_months + 1, dtype=np.float64)


def _months(horizon_months: int) -> np.ndarray:
    """Months 1..H as a column, ``(H, 1)``, to broadcast against per-sample rows."""
    return month_index(horizon_months)[:, None]


def _row(values) -> np.ndarray:
    """Per-sample parameters as a row ``(1, n)``, or ``(1, 1)`` for a scalar."""
    return np.asarray(values, dtype=np.float64).reshape(1, -1)


def _since(start_months) -> bool:
    """Whether a calendar starts later than t = 0 (a staged strategy's switch_to, shifted by τ)."""
    return not (np.ndim(start_months) == 0 and start_months == 0)


def event_counts(every_months: np.ndarray, horizon_months: int, start_months=0.0) -> np.ndarray:
    """How many events of a schedule "every k months" fall in each month.

    Events at times k, 2k, 3k, ... fall in month ceil(j k); the count in month t is
    floor(t / k) - floor((t - 1) / k). ``every_months`` is ``(n,)`` or a scalar; ``inf`` means never.
    ``start_months`` (s, ``(n,)`` or a scalar) shifts the schedule: events at s + k, s + 2k, ...

    Returns
    -------
    (H, n) float64, or (H, 1) for scalar parameters
    """
    t = _months(horizon_months)
    if _since(start_months):
        t = np.maximum(t - _row(start_months), 0.0)
    k = _row(every_months)
    with np.errstate(divide="ignore", invalid="ignore"):
        done = np.divide(t, k)  # then in place: events by the end of month t, floor(t / k + eps)
    done += _EPS
    np.floor(done, out=done)
    if not np.isfinite(k).all():
        done = np.where(np.isfinite(k), done, 0.0)  # never
    counts = np.empty_like(done)
    counts[0] = done[0]
    np.subtract(done[1:], done[:-1], out=counts[1:])
    return counts


def months_since_event(every_months: np.ndarray, horizon_months: int, start_months=0.0) -> np.ndarray:
    """Months since the last event (or since t = 0) at the start of each month.

    With events every 3 months: 0, 1, 2, 0, 1, 2, ... (an event at the end of month 3 resets the
    clock for month 4). ``inf`` means no events: t - 1. ``start_months`` s shifts the clock's
    t = 0 to s (0 before it).

    Returns
    -------
    (H, n) float64, or (H, 1) for scalar parameters
    """
    start = _months(horizon_months) - 1.0
    if _since(start_months):
        start = np.maximum(start - _row(start_months), 0.0)
    k = _row(every_months)
    with np.errstate(invalid="ignore"):
        last = np.floor(start / k + _EPS) * k
    return np.where(np.isfinite(k), np.maximum(start - last, 0.0), start)


def active_fraction(launch_months: np.ndarray, horizon_months: int) -> np.ndarray:
    """Share of each month during which a strategy launched at ``launch_months`` serves.

    Month t covers (t - 1, t]; the share is clip(t - L, 0, 1).

    Returns
    -------
    (H, n) float64, or (H, 1) for a scalar parameter
    """
    return np.clip(_months(horizon_months) - _row(launch_months), 0.0, 1.0)


def discount_factors(rate_per_year: np.ndarray, horizon_months: int) -> np.ndarray:
    """(1 + r) ** (-t / 12) for months 1..H: the present value of a cost paid in month t.

    Returns
    -------
    (H, n) float64, or (H, 1) for a scalar parameter
    """
    t = _months(horizon_months)
    r = _row(rate_per_year)
    return (1.0 + r) ** (-t / 12.0)


def growth_factors(growth_per_month: np.ndarray, horizon_months: int) -> np.ndarray:
    """(1 + g) ** (t - 1): month t's volume as a multiple of the start volume.

    Returns
    -------
    (H, n) float64, or (H, 1) for a scalar parameter
    """
    t = _months(horizon_months)
    g = _row(growth_per_month)
    return np.exp((t - 1.0) * np.log1p(g))  # exp is several times faster than ** here


def price_factors(decline_per_year: np.ndarray, horizon_months: int) -> np.ndarray:
    """(1 - d) ** ((t - 1) / 12): month t's token prices as a multiple of today's.

    Returns
    -------
    (H, n) float64, or (H, 1) for a scalar parameter
    """
    t = _months(horizon_months)
    d = _row(decline_per_year)
    return (1.0 - d) ** ((t - 1.0) / 12.0)


def noise_factors(volatility_per_month: np.ndarray, steps: np.ndarray | None, horizon_months: int,
                  step_limit: float) -> np.ndarray:
    """exp(σ W_t - σ² t / 2): month t's volume as a multiple of its noiseless value (mean 1).

    W_t = Z_1 + ... + Z_t is the random walk of the standard normal ``steps`` Z, ``(H, n)``, kept
    within ``step_limit`` sqrt(t) of 0 (see :mod:`ftrag_mc.sampling.paths`); ``steps=None`` is
    W = 0, every step at its median (the median path). ``volatility_per_month`` σ is ``(n,)`` or a
    scalar.

    Returns
    -------
    (H, n) float64, or (H, 1) for ``steps=None`` and a scalar σ
    """
    t = _months(horizon_months)
    sigma = _row(volatility_per_month)
    if steps is None:
        return np.exp(-0.5 * sigma * sigma * t)
    walk = np.array(steps, dtype=np.float64, copy=True)
    for month in range(1, walk.shape[0]):  # row by row: faster than np.cumsum along axis 0
        walk[month] += walk[month - 1]
    bound = step_limit * np.sqrt(t)
    np.clip(walk, -bound, bound, out=walk)
    return np.exp(sigma * walk - 0.5 * sigma * sigma * t)
