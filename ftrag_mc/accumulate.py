"""Bounded summaries of per-sample values: what a run keeps instead of every sample.

A run of 10M samples cannot keep every sample's cost path, so the simulator reduces each block of
samples to these summaries and merges them in block order:

- :class:`Moments` — count, mean and the sum of squared deviations (Chan et al.'s parallel
  update), for means and their standard errors;
- :class:`LineMoments` — the same for a pair (a, b) per sample, with their co-moment, for a value
  that is a line in volume, a + b·v: its mean and standard error at any v, exactly;
- :class:`Histogram` — integer counts on a fixed set of bins chosen before the run (so merging is
  exact and order-free), the observed minimum and maximum, and counts of two sentinels ("below"
  and "above", e.g. 0 = already wins at the bottom of the sweep, +inf = never). Quantiles, shares
  and tail means are read from it by one rule (:meth:`Histogram.quantiles`), and a quantile's error
  is at most the width of the bin it falls in (:attr:`Histogram.rel_error` for log bins,
  :attr:`Histogram.abs_error` for linear ones); where every value is the same (constant inputs) the
  clamp to the observed range makes it exact.

Every merge is deterministic for a fixed order of blocks, and blocks have a fixed size, so a run
gives the same bits for any chunk size, worker count or engine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Histogram", "LineMoments", "Moments"]


@dataclass
class Moments:
    """Count, mean and M2 = sum((x - mean)^2) of values, for any leading shape of statistics."""

    count: int
    mean: np.ndarray
    m2: np.ndarray

    @classmethod
    def of(cls, x: np.ndarray) -> Moments:
        """Moments over the last axis of ``x``."""
        mean = x.mean(axis=-1)
        deviation = x - mean[..., None]
        return cls(count=x.shape[-1], mean=mean, m2=np.einsum("...i,...i->...", deviation, deviation))

    def merge(self, other: Moments) -> Moments:
        if other.count == 0:
            return self
        if self.count == 0:
            return other
        n = self.count + other.count
        delta = other.mean - self.mean
        return Moments(count=n, mean=self.mean + delta * (other.count / n),
                       m2=self.m2 + other.m2 + delta * delta * (self.count * other.count / n))

    @property
    def sd(self) -> np.ndarray:
        return np.sqrt(np.maximum(self.m2, 0.0) / max(self.count - 1, 1))

    @property
    def se(self) -> np.ndarray:
        """Standard error of the mean."""
        return self.sd / math.sqrt(max(self.count, 1))


@dataclass
class LineMoments:
    """Moments of a line per sample, a + b·v: count, the means of a and b and their co-moments
    M_aa, M_ab, M_bb (sums of products of deviations), for any leading shape of statistics.

    The mean of a + b·v over the samples is mean_a + v·mean_b and its variance is
    (M_aa + 2v·M_ab + v²·M_bb) / (count − 1): both exact at every v, from five numbers.
    """

    count: int
    mean_a: np.ndarray
    mean_b: np.ndarray
    m_aa: np.ndarray
    m_ab: np.ndarray
    m_bb: np.ndarray

    @classmethod
    def of(cls, a: np.ndarray, b: np.ndarray) -> LineMoments:
        """Moments over the last axis of ``a`` and ``b`` (the same shape)."""
        mean_a, mean_b = a.mean(axis=-1), b.mean(axis=-1)
        da, db = a - mean_a[..., None], b - mean_b[..., None]
        return cls(count=a.shape[-1], mean_a=mean_a, mean_b=mean_b,
                   m_aa=np.einsum("...i,...i->...", da, da), m_ab=np.einsum("...i,...i->...", da, db),
                   m_bb=np.einsum("...i,...i->...", db, db))

    def merge(self, other: LineMoments) -> LineMoments:
        if other.count == 0:
            return self
        if self.count == 0:
            return other
        n = self.count + other.count
        da, db = other.mean_a - self.mean_a, other.mean_b - self.mean_b
        w = self.count * other.count / n
        return LineMoments(count=n, mean_a=self.mean_a + da * (other.count / n),
                           mean_b=self.mean_b + db * (other.count / n),
                           m_aa=self.m_aa + other.m_aa + da * da * w, m_ab=self.m_ab + other.m_ab + da * db * w,
                           m_bb=self.m_bb + other.m_bb + db * db * w)

    def __getitem__(self, key) -> LineMoments:
        return LineMoments(count=self.count, mean_a=self.mean_a[key], mean_b=self.mean_b[key],
                           m_aa=self.m_aa[key], m_ab=self.m_ab[key], m_bb=self.m_bb[key])

    def mean_at(self, v) -> np.ndarray:
        """Mean of a + b·v (broadcast against ``v``)."""
        return self.mean_a + np.multiply.outer(np.asarray(v, dtype=np.float64), self.mean_b) \
            if np.ndim(v) else self.mean_a + v * self.mean_b

    def se_at(self, v) -> np.ndarray:
        """Standard error of the mean of a + b·v."""
        v = np.asarray(v, dtype=np.float64)
        outer = (lambda x, y: np.multiply.outer(x, y)) if v.ndim else (lambda x, y: x * y)
        m2 = self.m_aa + 2.0 * outer(v, self.m_ab) + outer(v * v, self.m_bb)
        return np.sqrt(np.maximum(m2, 0.0) / max(self.count - 1, 1) / max(self.count, 1))


@dataclass(frozen=True)
class Bins:
    """A fixed, increasing set of bin edges and how to find a value's bin fast."""

    edges: np.ndarray  # (nb + 1,) increasing
    kind: str  # "log", "linear" or "signed-log"
    step: float  # log10 step (log kinds) or width (linear)
    lo: float  # lowest edge of the log part (log kinds) or of the range (linear)
    zero_bins: int = 0  # signed-log: bins on each side of the zero bin

    @classmethod
    def log(cls, lo: float, hi: float, per_decade: int) -> Bins:
        """Log-spaced bins covering [lo, hi]."""
        n = max(1, math.ceil(math.log10(hi / lo) * per_decade - 1e-9))
        step = 1.0 / per_decade
        edges = lo * 10.0 ** (np.arange(n + 1) * step)
        edges[-1] = max(edges[-1], hi)
        return cls(edges=edges, kind="log", step=step, lo=lo)

    @classmethod
    def linear(cls, lo: float, hi: float, n: int) -> Bins:
        return cls(edges=np.linspace(lo, hi, n + 1), kind="linear", step=(hi - lo) / n, lo=lo)

    @classmethod
    def signed_log(cls, smallest: float, largest: float, per_decade: int) -> Bins:
        """Bins for values of either sign: log-spaced magnitudes from ``smallest`` to ``largest``
        on each side, and one bin (-smallest, smallest) around zero."""
        side = math.ceil(math.log10(largest / smallest) * per_decade)
        step = 1.0 / per_decade
        mags = smallest * 10.0 ** (np.arange(side + 1) * step)
        edges = np.concatenate([-mags[::-1], mags])
        return cls(edges=edges, kind="signed-log", step=step, lo=smallest, zero_bins=side)

    @property
    def n(self) -> int:
        return len(self.edges) - 1

    def index(self, x: np.ndarray) -> np.ndarray:
        """The bin of each finite value; values beyond the end edges go to the end bins."""
        n = self.n
        if self.kind == "linear":
            i = np.floor((x - self.lo) / self.step)
        elif self.kind == "log":
            with np.errstate(divide="ignore", invalid="ignore"):
                i = np.floor((np.log10(x) - math.log10(self.lo)) / self.step)
        else:
            side = self.zero_bins
            with np.errstate(divide="ignore", invalid="ignore"):
                m = np.floor((np.log10(np.abs(x)) - math.log10(self.lo)) / self.step)
            m = np.where(np.abs(x) < self.lo, -1.0, m)  # -1: the zero bin
            i = np.where(x >= 0, side + m, side - 1 - m)
            i = np.where(m < 0, side - 1, i)  # the zero bin is edges[side - 1]..edges[side]
        i = np.clip(np.nan_to_num(i, nan=0.0), 0, n - 1).astype(np.intp)
        # The computed index may be one off where a value sits on an edge up to rounding.
        i = np.where((i > 0) & (x < self.edges[i]), i - 1, i)
        return np.where((i < n - 1) & (x >= self.edges[np.minimum(i + 1, n)]), i + 1, i)

    @property
    def rel_error(self) -> float:
        """Largest relative width of a bin (log kinds): the relative error bound of a quantile."""
        return 10.0 ** self.step - 1.0 if self.kind != "linear" else math.nan

    @property
    def abs_error(self) -> float:
        """Width of a bin (linear kind): the absolute error bound of a quantile."""
        return self.step if self.kind == "linear" else math.nan


@dataclass
class Histogram:
    """Counts of values on fixed bins, with two sentinel counts and the observed range.

    Values equal to ``below_value`` (e.g. 0.0) and ``above_value`` (e.g. +inf) are counted
    apart; every other value falls in a bin. ``minimum``/``maximum`` are over binned values.
    """

    bins: Bins
    counts: np.ndarray  # (..., nb) int64
    below: np.ndarray  # (...) int64
    above: np.ndarray  # (...) int64
    minimum: np.ndarray  # (...) float64, +inf when nothing is binned
    maximum: np.ndarray  # (...) float64, -inf when nothing is binned
    below_value: float = -math.inf
    above_value: float = math.inf

    @classmethod
    def of(cls, bins: Bins, x: np.ndarray, *, below_value: float = -math.inf,
           above_value: float = math.inf) -> Histogram:
        """Histogram of ``x`` (..., n) over the last axis; NaN is not allowed."""
        lead = x.shape[:-1]
        flat = x.reshape(-1, x.shape[-1])
        counts = np.empty((flat.shape[0], bins.n), dtype=np.int64)
        below = np.empty(flat.shape[0], dtype=np.int64)
        above = np.empty(flat.shape[0], dtype=np.int64)
        lo = np.full(flat.shape[0], math.inf)
        hi = np.full(flat.shape[0], -math.inf)
        for r, row in enumerate(flat):
            is_below, is_above = row == below_value, row == above_value
            below[r], above[r] = is_below.sum(), is_above.sum()
            binned = row[~(is_below | is_above)] if below[r] or above[r] else row
            counts[r] = np.bincount(bins.index(binned), minlength=bins.n)
            if binned.size:
                lo[r], hi[r] = binned.min(), binned.max()
        return cls(bins=bins, counts=counts.reshape(*lead, bins.n), below=below.reshape(lead),
                   above=above.reshape(lead), minimum=lo.reshape(lead), maximum=hi.reshape(lead),
                   below_value=below_value, above_value=above_value)

    def absorb(self, other: Histogram) -> Histogram:
        """:meth:`merge` into these arrays, in place."""
        self.counts += other.counts
        self.below += other.below
        self.above += other.above
        np.minimum(self.minimum, other.minimum, out=self.minimum)
        np.maximum(self.maximum, other.maximum, out=self.maximum)
        return self

    def merge(self, other: Histogram) -> Histogram:
        return Histogram(bins=self.bins, counts=self.counts + other.counts, below=self.below + other.below,
                         above=self.above + other.above, minimum=np.minimum(self.minimum, other.minimum),
                         maximum=np.maximum(self.maximum, other.maximum), below_value=self.below_value,
                         above_value=self.above_value)

    def __getitem__(self, key) -> Histogram:
        return Histogram(bins=self.bins, counts=self.counts[key], below=self.below[key], above=self.above[key],
                         minimum=self.minimum[key], maximum=self.maximum[key], below_value=self.below_value,
                         above_value=self.above_value)

    def capped_above(self, limit: float) -> Histogram:
        """The same values with every bin at or above ``limit`` counted as "above" (e.g. a payback
        beyond a shorter horizon). ``limit`` should be a bin edge; a bin straddling it stays."""
        keep = self.bins.edges[:-1] < limit
        moved = self.counts[..., ~keep].sum(axis=-1)
        counts = np.where(keep, self.counts, 0)
        return Histogram(bins=self.bins, counts=counts, below=self.below, above=self.above + moved,
                         minimum=self.minimum, maximum=np.minimum(self.maximum, limit),
                         below_value=self.below_value, above_value=self.above_value)

    def coarsened(self, factor: int) -> tuple[np.ndarray, np.ndarray]:
        """Counts on bins ``factor`` times wider (edges of the fine bins): (edges, counts)."""
        nb = self.bins.n
        groups = -(-nb // factor)
        padded = np.zeros(self.counts.shape[:-1] + (groups * factor,), dtype=np.int64)
        padded[..., :nb] = self.counts
        counts = padded.reshape(self.counts.shape[:-1] + (groups, factor)).sum(axis=-1)
        edges = self.bins.edges[np.minimum(np.arange(groups + 1) * factor, nb)]
        return edges, counts

    @property
    def total(self) -> int:
        return int(self.counts.sum() + self.below + self.above)

    def _value_at_rank(self, rank: int) -> float:
        """The rank-th smallest value (0-based), binned values spread evenly inside their bin."""
        below = int(self.below)
        if rank < below:
            return self.below_value
        rank -= below
        binned = int(self.counts.sum())
        if rank >= binned:
            return self.above_value
        cumulative = np.cumsum(self.counts)
        j = int(np.searchsorted(cumulative, rank, side="right"))
        before = int(cumulative[j - 1]) if j else 0
        c = int(self.counts[j])
        lo, hi = self.bins.edges[j], self.bins.edges[j + 1]
        value = lo + (rank - before + 0.5) / c * (hi - lo)
        return float(min(max(value, float(self.minimum)), float(self.maximum)))

    def quantiles(self, q) -> np.ndarray:
        """Quantiles by numpy's default (linear) rule on the ranks, of one histogram (no leading axes).

        The value at a rank inside a bin is placed evenly within the bin and clamped to the
        observed range; between two ranks the value is interpolated linearly, except next to a
        sentinel (an infinite value or the "below" value), which is returned as it is.
        """
        n = self.total
        out = []
        for qi in np.atleast_1d(np.asarray(q, dtype=np.float64)):
            position = qi * (n - 1)
            i = int(math.floor(position))
            fraction = position - i
            lower = self._value_at_rank(i)
            if fraction == 0 or i + 1 >= n:
                out.append(lower)
                continue
            upper = self._value_at_rank(i + 1)
            sentinel = (upper == self.above_value or lower == self.below_value
                        or not (math.isfinite(lower) and math.isfinite(upper)))
            out.append(upper if sentinel and math.isinf(upper) else
                       lower if sentinel else lower + (upper - lower) * fraction)
        return np.asarray(out)

    def _upper_tail(self, share: float) -> tuple[list[tuple[float, int]], int]:
        """The largest ``m = max(1, ceil(share * n))`` values as (value, count) pairs, largest
        first (bin midpoints, clamped to the observed range; the sentinels as themselves), and m."""
        m = max(1, math.ceil(share * self.total))
        filled = np.flatnonzero(self.counts)[::-1]
        # only the bins the tail reaches into: the first whose running count (after the values
        # above the range) reaches m, and those above it
        reach = int(np.searchsorted(np.cumsum(self.counts[filled]), m - int(self.above))) + 1
        filled = filled[:max(reach, 0)]
        mids = np.clip((self.bins.edges[filled] + self.bins.edges[filled + 1]) / 2, float(self.minimum),
                       float(self.maximum))
        values = [(self.above_value, int(self.above))]
        values += [(float(v), int(c)) for v, c in zip(mids, self.counts[filled])]
        values += [(self.below_value, int(self.below))]
        taken, left = [], m
        for value, count in values:
            take = min(count, left)
            if take:
                taken.append((value, take))
                left -= take
            if not left:
                break
        return taken, m

    def upper_tail_mean(self, share: float) -> float:
        """Mean of the largest ``max(1, ceil(share * n))`` values (bin midpoints, clamped)."""
        taken, m = self._upper_tail(share)
        return sum(v * c for v, c in taken) / m

    def upper_tail_moments(self, share: float) -> tuple[float, float]:
        """Mean and variance of the largest ``max(1, ceil(share * n))`` values, by the rule of
        :meth:`upper_tail_mean` (bin midpoints, clamped): for a tail mean's standard error."""
        taken, m = self._upper_tail(share)
        mean = sum(v * c for v, c in taken) / m
        if not math.isfinite(mean):
            return mean, math.nan
        return mean, sum(c * (v - mean) ** 2 for v, c in taken) / m

    def share_equal(self, value: float) -> float:
        """Share of values equal to ``value``: exact for the sentinels and for a constant run."""
        n = self.total
        if value == self.below_value:
            return int(self.below) / n
        if value == self.above_value:
            return int(self.above) / n
        if float(self.minimum) == float(self.maximum) == value:
            return int(self.counts.sum()) / n
        j = int(self.bins.index(np.array([value]))[0])
        return int(self.counts[j]) / n  # the bin's share: an upper bound
