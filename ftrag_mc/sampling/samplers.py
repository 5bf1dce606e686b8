"""The three samplers behind :class:`InputSampler`: uniforms (MC, LHS, Sobol'), copula, marginals.

* ``mc``: each input's uniforms are its stream's blocks, one fresh PCG64 per (input, block).
* ``lhs``: sample ``i`` of input ``j`` is ``(perm_j(i) + v_ij) / n_total``, with ``perm_j`` a
  keyed bijection of ``[0, n_total)`` computed for any index (:func:`_permute`) and ``v_ij`` a
  jitter from the ``lhs`` stream, so the whole run is an exact Latin hypercube whatever the
  chunks.
* ``sobol``: one scrambled Sobol' sequence, positioned at ``start`` in O(bits) (not scipy's
  O(start) ``fast_forward``).
"""

from __future__ import annotations

import copy
import inspect
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from scipy import special

from ftrag_mc.distributions import Distribution, joints_of
from ftrag_mc.limits import U_MAX, U_MIN  # the sampler's uniforms stay in [U_MIN, U_MAX]
from ftrag_mc.sampling.correlation import RankCorrelation
from ftrag_mc.sampling.streams import BLOCK_SIZE, _block_rng, _name_key, _stream_key, normalize_seed

__all__ = ["SAMPLERS", "U_MAX", "U_MIN", "InputSampler"]

SAMPLERS = ("mc", "lhs", "sobol")

# Sobol' points are limited by the engine's default 30 bits.
_SOBOL_MAX_N = 2**30
# LHS stratification is exact in float64 up to 2**50 strata (see `_lhs_uniforms`).
_LHS_MAX_N = 2**50

# Spawn key of the single Sobol' stream; its length (1) keeps it apart from the per-input keys (4).
_SOBOL_KEY = (_name_key("sobol")[0],)

_PERM_ROUNDS = 4
# Odd multiplier of the round function's second step (lowbias32's and splitmix64's).
_PERM_MUL = {32: 0x846CA68B, 64: 0x94D049BB133111EB}


def _permutation_keys(seed: int, names: Sequence[str]) -> np.ndarray:
    """``(2, _PERM_ROUNDS, len(names))`` uint64: the xor key and multiplier of each round."""
    word = _name_key("lhs-permutation")[0]
    keys = [
        np.random.SeedSequence(seed, spawn_key=(*_name_key(name), word)).generate_state(
            2 * _PERM_ROUNDS, np.uint64
        )
        for name in names
    ]
    return np.stack(keys, axis=-1).reshape(2, _PERM_ROUNDS, len(names))


def _permute(start: int, stop: int, keys: np.ndarray, n: int) -> np.ndarray:
    """``perm_j(i)`` for ``i`` in ``[start, stop)``, a row per key ``j``: bijections of ``[0, n)``.

    Why: a Latin hypercube needs a random permutation of the ``n`` strata per input, and numpy
    and scipy only build whole permutations (8·n bytes each). This one is evaluated at any
    index, so a chunk of a run costs memory in the chunk's size only.

    How: a 4-round Feistel network on the mixed-radix domain ``[0, b·2**w)``, ``w = ⌈m/2⌉``
    low bits and a high digit in ``[0, b)``, ``b = ⌈n / 2**w⌉`` (``m`` = bits of ``n - 1``).
    Even rounds xor the low part with a hash of the high one, odd rounds add a hash of the low
    part to the high one modulo ``b``; each round is invertible, so the network is a bijection.
    The domain exceeds ``n`` by less than ``2**w`` (under ~1/√n of it, against up to half for
    the next power of two), and values landing at or beyond ``n`` are walked through the
    network again (cycle-walking), which keeps a bijection of ``[0, n)``. The round hash is a
    keyed multiply–xorshift–multiply (a murmur finaliser), on uint32 while ``n <= 2**32``.

    Parameters
    ----------
    start, stop
        Index range, ``0 <= start <= stop <= n``.
    keys
        ``(2, _PERM_ROUNDS, rows)`` uint64 from :func:`_permutation_keys`.
    n
        Size of the permuted range.

    Returns
    -------
    np.ndarray
        ``(rows, stop - start)`` unsigned integers (uint32, or uint64 when ``n > 2**32``).
    """
    m = max(2, (n - 1).bit_length())
    w = (m + 1) // 2
    b = -(-n // (1 << w))
    dtype = np.uint32 if m <= 32 else np.uint64
    xor_keys = keys[0].astype(dtype)
    mul_keys = keys[1].astype(dtype) | dtype(1)
    index = np.empty((keys.shape[-1], stop - start), dtype=dtype)
    index[:] = np.arange(start, stop, dtype=dtype)
    out = _feistel(index, xor_keys[:, :, None], mul_keys[:, :, None], w, b)
    flat = out.reshape(-1)
    walk = np.flatnonzero(flat >= n)
    # Each further pass moves a value to a new point beyond n until it lands below n, so no
    # value needs more than (domain - n) passes; the expected count is under 1 + 2**w / n.
    for _ in range(b * (1 << w) - n):
        if not walk.size:
            break
        rows = walk // out.shape[1]
        stepped = _feistel(flat[walk], xor_keys[:, rows], mul_keys[:, rows], w, b)
        flat[walk] = stepped
        walk = walk[stepped >= n]
    if walk.size:
        raise AssertionError("cycle-walking did not end")  # unreachable, see above
    return out


def _feistel(x: np.ndarray, xor_key: np.ndarray, mul_key: np.ndarray, w: int, b: int) -> np.ndarray:
    """The network of :func:`_permute` on ``[0, b·2**w)``: overwrites x (a fresh array) with its image.

    ``x`` and the keys share one unsigned dtype (uint32 or uint64); ``xor_key[r]`` and
    ``mul_key[r]``, round r's keys, broadcast against ``x``.
    """
    dtype = x.dtype.type
    bits = x.dtype.itemsize * 8
    half, top, mul, radix = dtype(bits // 2), dtype(bits - w), dtype(_PERM_MUL[bits]), dtype(b)
    lo = x & dtype((1 << w) - 1)  # w bits
    hi = np.right_shift(x, dtype(w), out=x)  # in [0, b)
    t, s = np.empty_like(lo), np.empty_like(lo)
    for r in range(_PERM_ROUNDS):
        np.bitwise_xor(hi if r % 2 == 0 else lo, xor_key[r], out=t)
        t *= mul_key[r]
        np.right_shift(t, half, out=s)
        t ^= s
        t *= mul
        if r % 2 == 0:
            t >>= top  # the hash's top w bits
            lo ^= t
        else:
            t >>= half  # (h >> half) * b >> half lies in [0, b): Lemire's reduction
            t *= radix
            t >>= half
            hi += t
            np.subtract(hi, radix, out=t)
            np.minimum(hi, t, out=hi)  # hi mod b: hi - b wraps around when hi < b
    hi <<= dtype(w)
    hi |= lo
    return hi


class InputSampler:
    """Draws every input's values for any range of sample indices of one run.

    Parameters
    ----------
    inputs
        Input name → distribution. Constant inputs are broadcast and get no uniforms.
    n_total
        Number of samples in the run (needed by ``lhs``, whose design spans the whole run).
    seed
        The run's seed (see :func:`normalize_seed`).
    sampler
        One of :data:`SAMPLERS`: ``mc`` (independent uniforms), ``lhs`` (a Latin hypercube over
        the whole run: each input's ``n_total`` strata get one sample each) or ``sobol`` (one
        scrambled Sobol' sequence over the uncertain inputs in sorted name order; adding an input
        changes all Sobol' draws).
    correlation
        Spearman rank correlations imposed by a Gaussian copula. Names of constant inputs are
        ignored; every name must be an input, and none one drawn jointly.

    Notes
    -----
    ``draw`` over any partition of ``[0, n_total)`` concatenates to exactly ``draw(0, n_total)``.
    Under ``lhs`` the copula keeps each correlated marginal exact but not stratified.

    Inputs whose distribution carries a ``joint`` (a paired eval's two error rates,
    :mod:`ftrag_mc.distributions.evidence`) are drawn together from the uniform rows the joint
    names (:attr:`rows`), through its ``values``; each keeps its exact marginal.

    A sampler holds only per-input keys (and, for ``sobol``, a scrambled engine that is rebuilt
    rather than pickled), never drawn values: its memory and pickle do not grow with
    ``n_total``, a pickled copy draws the same bits, and ``draw`` may run in several threads at
    once. ``draw(start, stop)`` costs O(stop - start) time and memory plus, for ``mc`` and
    ``lhs``, the whole ``BLOCK_SIZE`` blocks that the range touches (drawn, then sliced).
    """

    def __init__(
        self,
        inputs: Mapping[str, Distribution],
        n_total: int,
        *,
        seed: int,
        sampler: str = "mc",
        correlation: RankCorrelation | None = None,
    ):
        if sampler not in _UNIFORM_DRAWERS:
            raise ValueError(f"sampler must be one of {', '.join(SAMPLERS)} (got {sampler!r})")
        if isinstance(n_total, bool) or not isinstance(n_total, (int, np.integer)) or n_total < 1:
            raise ValueError(f"n_total must be a positive integer (got {n_total!r})")
        if sampler == "sobol" and n_total > _SOBOL_MAX_N:
            raise ValueError(f"sobol supports at most 2**30 samples (got {n_total})")
        if sampler == "lhs" and n_total > _LHS_MAX_N:
            raise ValueError(f"lhs supports at most 2**50 samples (got {n_total})")
        self.inputs = dict(inputs)
        self.n_total = int(n_total)
        self.seed = normalize_seed(seed)
        self.sampler = sampler
        #: Names of the inputs that get uniforms, sorted; rows of :meth:`draw_uniforms`.
        self.uncertain: tuple[str, ...] = tuple(
            sorted(name for name, dist in self.inputs.items() if not dist.is_constant)
        )
        # Inputs drawn together (a paired eval's two error rates) and the uniforms they consume.
        self._joints = joints_of(self.inputs)
        #: Names of the rows of :meth:`draw_uniforms`, sorted: the uncertain inputs, plus the extra
        #: uniforms of inputs drawn jointly (``uncertain`` itself when there are none).
        self.rows: tuple[str, ...] = tuple(sorted(set(self.uncertain).union(*(j.rows for j in self._joints))))
        self._constants = {
            name: dist.median for name, dist in self.inputs.items() if dist.is_constant
        }
        # Everything below is a few words per input, fixed at construction and only read after.
        purpose = sampler if sampler in ("mc", "lhs") else None
        self._stream_keys = tuple(
            _stream_key(self.seed, name, purpose) for name in self.rows if purpose
        )
        self._perm_keys = (
            _permutation_keys(self.seed, self.rows)
            if sampler == "lhs" and self.rows
            else None
        )
        self._copula_rows, self._copula_factor = self._copula(correlation)
        self._sobol = self._sobol_engine()

    def __getstate__(self) -> dict[str, Any]:
        # The Sobol' engine (d x 30 direction numbers, a generator) is rebuilt, not shipped.
        return {key: value for key, value in self.__dict__.items() if key != "_sobol"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._sobol = self._sobol_engine()

    def _sobol_engine(self):
        """The run's scrambled engine (a ``scipy.stats.qmc.Sobol``), never drawn from:
        :meth:`_sobol_uniforms` draws copies."""
        if self.sampler != "sobol" or not self.rows:
            return None
        from scipy.stats import qmc  # scipy.stats costs ~0.5 s to import: only for Sobol runs

        # scipy renamed the qmc engines' `seed` argument to `rng` in 1.15; both accept a Generator.
        rng_arg = "rng" if "rng" in inspect.signature(qmc.Sobol).parameters else "seed"
        root = np.random.SeedSequence(self.seed, spawn_key=_SOBOL_KEY)
        return qmc.Sobol(d=len(self.rows), scramble=True, **{rng_arg: np.random.default_rng(root)})

    def _copula(self, correlation: RankCorrelation | None) -> tuple[np.ndarray, np.ndarray]:
        """Rows of correlated inputs in ``uncertain`` and the Cholesky factor of their normals."""
        empty = (np.empty(0, dtype=np.intp), np.empty((0, 0)))
        if correlation is None:
            return empty
        unknown = [name for name in correlation.names if name not in self.inputs]
        if unknown:
            raise ValueError(f"correlation names unknown inputs: {', '.join(unknown)}")
        joined = sorted({name for joint in self._joints for name in joint.inputs} & set(correlation.names))
        if joined:
            raise ValueError(f"correlation names inputs drawn jointly from evidence: {', '.join(joined)}")
        keep = [i for i, name in enumerate(correlation.names) if name in self.uncertain]
        if len(keep) < 2:
            return empty
        rows = np.array([self.rows.index(correlation.names[i]) for i in keep], dtype=np.intp)
        # A principal submatrix of a positive definite matrix is positive definite.
        normal = correlation.normal_correlation()[np.ix_(keep, keep)]
        return rows, np.linalg.cholesky(normal)

    def _check_range(self, start: int, stop: int) -> None:
        if not 0 <= start <= stop <= self.n_total:
            raise ValueError(
                f"need 0 <= start <= stop <= n_total (got start {start}, stop {stop}, "
                f"n_total {self.n_total})"
            )

    def draw_uniforms(self, start: int, stop: int) -> np.ndarray:
        """Uniforms of the uncertain inputs for samples ``[start, stop)``, copula applied.

        Returns
        -------
        np.ndarray
            ``(len(self.rows), stop - start)`` float64 in ``[2**-53, 1 - 2**-53]``, one row
            per name of ``self.rows``.
        """
        self._check_range(start, stop)
        if not self.rows:
            return np.empty((0, stop - start))
        u = _UNIFORM_DRAWERS[self.sampler](self, start, stop)  # a fresh array: clipped in place
        np.clip(u, U_MIN, U_MAX, out=u)
        rows, factor = self._copula_rows, self._copula_factor
        if len(rows):
            z = special.ndtri(u[rows])
            # z' = L z, summed term by term in a fixed order instead of a BLAS matmul, whose
            # kernels (and so round-off) may depend on how many samples a chunk holds.
            correlated = np.empty_like(z)
            for i in range(len(rows)):
                acc = factor[i, 0] * z[0]
                for j in range(1, i + 1):
                    acc = acc + factor[i, j] * z[j]
                correlated[i] = acc
            u[rows] = np.clip(special.ndtr(correlated), U_MIN, U_MAX)
        return u

    def prepare(self) -> None:
        """Build now what each input's first draw would build (the PINV tables of beta and PERT
        inputs, and the scipy modules behind them), so that worker processes forked from here
        inherit it instead of each building its own. Changes no draw."""
        middle = np.full(1, 0.5)
        for name in self.uncertain:
            self.inputs[name].ppf(middle)

    def draw(self, start: int, stop: int, *, constants: bool = True) -> dict[str, np.ndarray]:
        """Every input's values for samples ``[start, stop)``.

        Parameters
        ----------
        start, stop
            Sample index range, ``0 <= start <= stop <= n_total``.
        constants
            Whether constant inputs are included (as filled arrays); False leaves them out.

        Returns
        -------
        dict[str, np.ndarray]
            Input name → ``(stop - start,)`` float64 in the input's units, in ``inputs`` order.
        """
        u = self.draw_uniforms(start, stop)
        row_of = {name: i for i, name in enumerate(self.rows)}
        joint: dict[str, np.ndarray] = {}
        for group in self._joints:
            joint.update(group.values({row: u[row_of[row]] for row in group.rows}))
        return {
            name: (
                np.full(stop - start, self._constants[name])
                if name in self._constants
                else joint[name] if name in joint
                else np.asarray(dist.ppf(u[row_of[name]]), dtype=np.float64)
            )
            for name, dist in self.inputs.items()
            if constants or name not in self._constants
        }

    # The three ways to make raw uniforms, shape (len(rows), stop - start), fresh arrays.

    def _stream_uniforms(self, start: int, stop: int) -> np.ndarray:
        """Row j: samples ``[start, stop)`` of input j's stream (``self._stream_keys[j]``)."""
        out = np.empty((len(self._stream_keys), stop - start))
        if stop == start:
            return out
        for block in range(start // BLOCK_SIZE, (stop - 1) // BLOCK_SIZE + 1):
            first = block * BLOCK_SIZE
            lo, hi = max(start, first), min(stop, first + BLOCK_SIZE)
            for row, key in enumerate(self._stream_keys):
                rng = _block_rng(key, block)
                if hi - lo == BLOCK_SIZE:
                    rng.random(out=out[row, lo - start : hi - start])
                else:
                    # The whole block is drawn and sliced, so a value depends only on its index.
                    block_values = rng.random(BLOCK_SIZE)
                    out[row, lo - start : hi - start] = block_values[lo - first : hi - first]
        return out

    def _mc_uniforms(self, start: int, stop: int) -> np.ndarray:
        return self._stream_uniforms(start, stop)

    def _lhs_uniforms(self, start: int, stop: int) -> np.ndarray:
        n = self.n_total
        strata = _permute(start, stop, self._perm_keys, n)
        # u = (stratum + v) / n with the jitter v from the "lhs" stream, rounded down to a
        # multiple of 2**-q and centred: stratum + v is then exact (under 2**51) and stays
        # 2**-(q+1) away from the stratum's edges, more than the division's rounding, so
        # floor(u * n) is the stratum exactly (and u lies inside U_MIN..U_MAX).
        q = max(0, 50 - max(2, (n - 1).bit_length()))
        u = self._stream_uniforms(start, stop)
        u *= 2.0**q
        np.floor(u, out=u)
        u += 0.5
        u *= 2.0**-q
        u += strata
        u /= n
        return u

    def _sobol_uniforms(self, start: int, stop: int) -> np.ndarray:
        if stop == start:
            return np.empty((len(self.rows), 0))
        template = self._sobol
        assert template is not None
        # A shallow copy shares the read-only direction numbers; only its state is set. After
        # `first` points the state is point first - 1: the shift xor the direction numbers
        # picked by the bits of the Gray code of first - 1 (how scipy steps), so positioning
        # costs O(bits) where fast_forward(start) loops over start points. This uses scipy's
        # private _sv, _shift, _quasi and _first_point; test_sobol_positioning_equals_fast_forward
        # pins it.
        first = max(start, 1)
        engine = copy.copy(template)
        if all(hasattr(template, a) for a in ("_sv", "_shift", "_quasi", "_first_point")):
            gray = (first - 1) ^ ((first - 1) >> 1)
            columns = [k for k in range(template.bits) if gray >> k & 1]
            engine._quasi = template._shift ^ np.bitwise_xor.reduce(template._sv[:, columns], axis=1)
            engine.num_generated = first
        else:  # a scipy without those attributes: the public, O(start) way to the same points
            engine.reset()
            if start > 0:
                engine.fast_forward(start)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # power-of-2 balance: said once per run
                return np.ascontiguousarray(engine.random(stop - start).T)
        out = np.empty((len(self.rows), stop - start))
        out[:, first - start :] = engine.random(stop - first).T
        if start == 0:
            # Point 0 is the shift; handling it here also avoids scipy's power-of-2 warning
            # (and so warnings.catch_warnings, which is not thread-safe).
            out[:, 0] = template._first_point[0]
        return out


_UNIFORM_DRAWERS: dict[str, Callable[[InputSampler, int, int], np.ndarray]] = {
    "mc": InputSampler._mc_uniforms,
    "lhs": InputSampler._lhs_uniforms,
    "sobol": InputSampler._sobol_uniforms,
}
