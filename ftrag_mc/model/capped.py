"""Per-query costs under a volume ceiling on a smooth (geometric) path, in closed form.

On a path without noise, months at the ceiling form one run at the end (growth) or the start
(decline) of the horizon, whose length is closed form; prefix sums of the capped and uncapped costs
then give any start volume and month without a (volumes x months) array. A noisy path has no such
run: :class:`ftrag_mc.model.evaluate.CostModel` sums it month by month instead.
"""

from __future__ import annotations

import numpy as np

__all__ = ["capped_sum"]


def capped_sum(uncapped: np.ndarray, capped: np.ndarray, log_rate: np.ndarray, log_room: np.ndarray,
                start_volume: np.ndarray, ceiling: float, month: int, horizon: int) -> np.ndarray:
    """Sum over months 1..month of d_t P_t min(Q0 g_t, ceiling), from prefix sums.

    ``uncapped`` and ``capped`` are the prefix sums (H + 1, n) of d P g and d P; ``log_rate`` is
    log(1 + g) per sample and ``log_room`` log(ceiling / Q0), broadcasting to the result's shape.
    With growth, months 1..u are below the ceiling (u = ceil(log_room / log_rate)); with a decline
    months 1..c are at it (c = floor(log_room / log_rate) + 1). At a tie both sides are equal.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        x = log_room / log_rate
    below_all = np.where(log_room > 0, horizon, 0)
    u = np.where(log_rate > 0, np.clip(np.ceil(x), 0, horizon), below_all).astype(np.intp)
    c = np.where(log_rate < 0, np.clip(np.floor(x) + 1, 0, horizon), 0).astype(np.intp)
    shape = np.broadcast_shapes(u.shape, c.shape, np.shape(start_volume))
    um = np.broadcast_to(np.minimum(u, month), shape)
    cm = np.broadcast_to(np.minimum(c, month), shape)

    cols = np.arange(shape[-1])

    def at(prefix, index):
        prefix = np.broadcast_to(prefix, (prefix.shape[0], shape[-1]))
        return prefix[index, cols]

    growing = start_volume * at(uncapped, um) + ceiling * (capped[month] - at(capped, um))
    declining = ceiling * at(capped, cm) + start_volume * (uncapped[month] - at(uncapped, cm))
    return np.where(log_rate < 0, declining, growing)
