"""Month-to-month volume noise: one standard normal step per sample and month, from addressed streams.

A noisy volume path (``volume.volatility_per_month`` = σ > 0) is
q_t = Q0 (1 + g)^(t - 1) exp(σ W_t - σ² t / 2) with W_t = Z_1 + ... + Z_t, a random walk of standard
normal steps Z (MODEL.md §5b). The steps of samples ``[start, stop)`` come from the stream addressed
by (seed, :data:`STEPS_NAME`, :data:`STEPS_PURPOSE`, block) of :func:`ftrag_mc.sampling.streams.stream_rng`,
one block of ``BLOCK_SIZE`` samples at a time, so a sample's steps depend only on its index: the
same bits for any chunk size, worker count or engine. Every sampler (``mc``, ``lhs``, ``sobol``)
draws the steps this way; only the scenario's inputs are stratified.

A block's steps are drawn month by month (row t - 1 holds month t for the whole block), so a
longer horizon keeps the steps of the months a shorter one has.
"""

from __future__ import annotations

import numpy as np

from ftrag_mc.limits import STEP_LIMIT
from ftrag_mc.sampling.streams import BLOCK_SIZE, _block_rng, _stream_key

__all__ = ["STEPS_NAME", "STEPS_PURPOSE", "STEP_LIMIT", "draw_volume_steps"]

#: The stream's name and purpose (a name no scenario input can take: inputs are dotted key paths).
STEPS_NAME = "volume.volatility_per_month"
STEPS_PURPOSE = "steps"
# |W_t| is kept within STEP_LIMIT sqrt(t) (ftrag_mc.limits): a path is as bounded as any sampled input.


def draw_volume_steps(seed: int, horizon_months: int, start: int, stop: int) -> np.ndarray:
    """Standard normal steps of samples ``[start, stop)``: ``(horizon_months, stop - start)`` float64.

    Parameters
    ----------
    seed
        The run's normalised seed (:func:`ftrag_mc.sampling.normalize_seed`).
    horizon_months
        Months H; row t - 1 holds month t's step.
    start, stop
        Sample indices, ``0 <= start <= stop``.
    """
    if not 0 <= start <= stop:
        raise ValueError(f"need 0 <= start <= stop (got {start}, {stop})")
    out = np.empty((horizon_months, stop - start))
    key = _stream_key(seed, STEPS_NAME, STEPS_PURPOSE)
    for block in range(start // BLOCK_SIZE, (stop - 1) // BLOCK_SIZE + 1 if stop > start else 0):
        first = block * BLOCK_SIZE
        lo, hi = max(start, first), min(stop, first + BLOCK_SIZE)
        steps = _block_rng(key, block).standard_normal((horizon_months, BLOCK_SIZE))
        out[:, lo - start:hi - start] = steps[:, lo - first:hi - first]
    return out
