"""Fast inverse CDFs of the beta distribution: PINV tables for the middle, the exact inverse in the tails.

scipy's ``betaincinv`` costs ~1.3 µs a value; a NumericalInversePolynomial (PINV) table costs about
20 ns with u-error ≤ 1e-10. Tables are built once per process per shape pair and checked before
use; where a shape pair cannot get a sound table, :func:`_beta_inverse` says so and the caller uses
``betaincinv``.
"""

from __future__ import annotations

import functools
import math
import threading
import warnings
from typing import Any

import numpy as np
from scipy import special

# Beta inverse CDF by polynomial interpolation (PINV). The thresholds come from a scan of shapes
# 1 .. 1e6 against betaincinv/betainc (scipy 1.17): on the full (0, 1) domain PINV's setup hangs
# or fails for ordinary shapes such as Beta(5, 2), and its outermost intervals are not monotone
# within ~1e-9 of u = 0 and 1. Restricted to the middle, [ppf(1e-6), ppf(1 - 1e-6)], every shape
# in the scan built in under 4 ms with u-error below 1e-10 and no inversions of order; the tails,
# 2e-6 of the draws, go to the exact betaincinv at no visible cost and keep tail quantiles exact.
_PINV_U_RESOLUTION = 1e-10
_PINV_TAIL = 1e-6
# Shapes below 1 give an unbounded density at an end. Above 1e4 the log-density terms are large
# enough that rounding in them starts to show: the u-error reached 1.4e-10 at shape 1e6.
_PINV_MIN_SHAPE = 1.0
_PINV_MAX_SHAPE = 1e4
# A built table is accepted only if it meets this u-error, ten times the target, and stays
# monotone on a fixed check grid; otherwise that shape pair uses the exact inverse.
_PINV_CHECK_U_ERROR = 1e-9
_PINV_CHECK_U = np.sort(
    np.concatenate(
        [
            np.linspace(0.0, 1.0, 1001)[1:-1],
            _PINV_TAIL * np.array([1.0, 1.0 + 1e-9, 1.5, 2.0, 10.0, 100.0]),
            1.0 - _PINV_TAIL * np.array([1.0, 1.0 + 1e-9, 1.5, 2.0, 10.0, 100.0]),
        ]
    )
)


class _BetaDensity:
    """Beta(alpha, beta) density for PINV's setup, which calls it once per point with a float.

    Scalar ``math`` is several times faster than numpy on single floats and raises no numpy
    floating-point warnings; the ends return the density's limit so that a shape of exactly 1
    (a PERT mode at min or max) is not ``0·log 0 = nan``.
    """

    def __init__(self, alpha: float, beta: float):
        self.am1, self.bm1 = alpha - 1.0, beta - 1.0
        self.log_norm = float(special.betaln(alpha, beta))

    def pdf(self, x: float) -> float:
        if 0.0 < x < 1.0:
            return math.exp(self.am1 * math.log(x) + self.bm1 * math.log1p(-x) - self.log_norm)
        shape_at_end = self.am1 if x <= 0.0 else self.bm1
        return math.exp(-self.log_norm) if shape_at_end == 0.0 else 0.0


class _BetaInverse:
    """Inverse CDF of Beta(alpha, beta) on [0, 1]: a PINV table for the middle, exact tails.

    Shared by every thread of a process and never pickled (see :func:`_beta_inverse`). Only
    ``ppf`` is called on the UNU.RAN object after setup; it reads the table and holds the GIL
    for the whole array, so concurrent calls give the same bits as serial ones.
    """

    def __init__(self, alpha: float, beta: float, lo: float, hi: float, generator: Any):
        self.alpha, self.beta, self.lo, self.hi = alpha, beta, lo, hi
        self._generator = generator
        # The table covers u in [tail, 1 - tail]; its own u runs over [0, 1].
        self._u_scale = 1.0 / (1.0 - 2.0 * _PINV_TAIL)

    def __call__(self, u: np.ndarray) -> np.ndarray:
        v = np.subtract(u, _PINV_TAIL, dtype=np.float64)
        v *= self._u_scale
        t = np.asarray(self._generator.ppf(v), dtype=np.float64)  # a new array: changed in place below
        # scipy returns nan outside the table's [0, 1], i.e. for the tails (and for nan input):
        # those take the exact inverse.
        tail = np.isnan(t)
        if tail.any():
            u_tail = np.broadcast_to(u, t.shape)[tail]
            exact = exact_beta_inverse(self.alpha, self.beta, u_tail)
            # PINV clamps to its domain [lo, hi], the exact inverse at the tail thresholds;
            # betaincinv can wobble by an ulp, so the tails are clamped to the far side of the
            # seam too, which keeps ppf monotone across it.
            below = u_tail < 0.5
            t[tail] = np.where(below, np.minimum(exact, self.lo), np.maximum(exact, self.hi))
        return t


def exact_beta_inverse(alpha: float, beta: float, u) -> np.ndarray:
    """Beta(alpha, beta)'s exact inverse CDF: ``betaincinv``, where it fails (scipy 1.17 returns
    nan for Beta(1.62, 1.0000000000000002) at u = 1 - 1.1e-16) by bisection on ``betainc``: 64
    halvings of [0, 1], below an ulp of any t; monotone in u as betainc is."""
    u = np.asarray(u, dtype=np.float64)
    t = np.asarray(special.betaincinv(alpha, beta, u), dtype=np.float64)
    failed = np.isnan(t) & ~np.isnan(u)
    if failed.any():
        target = np.broadcast_to(u, t.shape)[failed]
        low, high = np.zeros_like(target), np.ones_like(target)
        for _ in range(64):
            middle = 0.5 * (low + high)
            below = special.betainc(alpha, beta, middle) < target
            low = np.where(below, middle, low)
            high = np.where(below, high, middle)
        t = np.array(t, copy=True)
        t[failed] = high
    return t


def _build_beta_inverse(alpha: float, beta: float) -> _BetaInverse | None:
    """Set up PINV for Beta(alpha, beta); None if setup errs, warns or fails the check grid."""
    ends = special.betaincinv(alpha, beta, [_PINV_TAIL, 0.5, 1.0 - _PINV_TAIL])
    lo, median, hi = (float(v) for v in ends)
    if not 0.0 < lo < median < hi < 1.0:
        return None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            from scipy.stats.sampling import NumericalInversePolynomial  # scipy.stats: ~0.5 s, on first use

            generator = NumericalInversePolynomial(
                _BetaDensity(alpha, beta),
                domain=(lo, hi),
                # The default centre can fall outside the domain (a warning); the median is
                # always inside it, where the density is far from zero.
                center=median,
                u_resolution=_PINV_U_RESOLUTION,
                # Never drawn from (only ppf is used); a private generator leaves numpy's
                # global random state alone.
                random_state=np.random.default_rng(0),
            )
        except Exception:  # noqa: BLE001 - any UNU.RAN or callback failure means "use exact"
            generator = None
    # catch_warnings is process-wide: pass on what another thread warned meanwhile.
    ours = [w for w in caught if "PINV" in str(w.message)]
    for w in caught:
        if w not in ours:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if generator is None or ours:
        return None
    inverse = _BetaInverse(alpha, beta, lo, hi, generator)
    t = inverse(_PINV_CHECK_U)
    u_error = np.abs(special.betainc(alpha, beta, t) - _PINV_CHECK_U)
    if not (u_error.max() <= _PINV_CHECK_U_ERROR and np.all(np.diff(t) >= 0.0)):
        return None
    return inverse


_cached_beta_inverse = functools.lru_cache(maxsize=256)(_build_beta_inverse)
_BETA_INVERSE_LOCK = threading.Lock()


def _beta_inverse(alpha: float, beta: float) -> _BetaInverse | None:
    """The process's PINV inverse for Beta(alpha, beta), or None where betaincinv is used.

    Tables are built on first use, once per process per shape pair, and kept in a module-level
    cache rather than on the (frozen, pickled) distribution objects, so a Dask worker builds its
    own in a few milliseconds. The lock makes "once" hold when two threads ask at the same time
    (lru_cache alone would build twice) and serialises catch_warnings during setup.
    """
    if not (
        _PINV_MIN_SHAPE <= alpha <= _PINV_MAX_SHAPE and _PINV_MIN_SHAPE <= beta <= _PINV_MAX_SHAPE
    ):
        return None
    with _BETA_INVERSE_LOCK:
        return _cached_beta_inverse(alpha, beta)
