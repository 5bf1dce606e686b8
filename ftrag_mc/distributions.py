"""Distribution families for uncertain inputs, and the parser for their scenario tables.

Every family maps uniforms to values through its inverse CDF (``ppf``), so plain Monte Carlo,
Latin hypercube, Sobol' and the Gaussian copula in :mod:`ftrag_mc.sampling` share one path.
A scenario names a family by its ``dist`` key, as in
``{ dist = "pert", min = 40, mode = 100, max = 200 }``; :data:`FAMILIES` maps those names to the
classes, and :func:`parse_distribution` turns a table into a frozen, validated object, converting
interval forms ("90 % between low and high") to the family's own parameters once, at
construction.

Accuracy: PERT and beta use scipy's NumericalInversePolynomial (PINV) with u-error ≤ 1e-10
(``|cdf(ppf(u)) - u|``), about 20 ns a value instead of ~1.3 µs; shapes below 1 or above 1e4, and
the outer 1e-6 of probability at each end, use the exact ``betaincinv``. The other families'
inverse CDFs are exact closed forms or special functions.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import math
import threading
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from scipy import special
from scipy.stats.sampling import NumericalInversePolynomial

from ftrag_mc.errors import ScenarioError

__all__ = [
    "FAMILIES",
    "Beta",
    "Choice",
    "Continuous",
    "Distribution",
    "Exponential",
    "Fixed",
    "Lognormal",
    "Normal",
    "Pert",
    "Triangular",
    "Uniform",
    "fixed",
    "parse_distribution",
]

# 90 % of a normal lies within mean ± _Z95·sd; the "low/high" forms are 5th/95th percentiles.
_Z95 = float(special.ndtri(0.95))


def _fits_float(value: Any) -> bool:
    """TOML integers are unbounded; one beyond float range must be an error, not an OverflowError."""
    try:
        float(value)
    except OverflowError:
        return False
    return True


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _as_float_array(a: Any) -> np.ndarray:
    return np.asarray(a, dtype=np.float64)


@dataclass(frozen=True)
class Distribution(ABC):
    """A univariate distribution evaluated through its inverse CDF.

    Subclasses are frozen dataclasses whose fields are the family's parameters; constructing one
    validates them and raises :class:`ScenarioError` whose ``path`` is the offending parameter's
    scenario key (``parse_distribution`` prefixes the table's path).
    """

    family: ClassVar[str]
    #: Parameters as a user writes them, for documentation, e.g. ``"min, mode, max, lambda = 4"``.
    params_doc: ClassVar[str]
    #: Scenario keys this family accepts besides ``dist`` (and ``truncate`` for continuous ones).
    keys: ClassVar[tuple[str, ...]]
    #: Dataclass fields whose scenario key differs from the field name.
    _key_of_field: ClassVar[dict[str, str]] = {}

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if not f.init or isinstance(value, (tuple, type(None))):
                continue
            key = self._key_of_field.get(f.name, f.name)
            if not math.isfinite(value):
                raise ScenarioError(f"{key} must be finite (got {value})", path=key)
            # Ints from TOML become floats so repr, equality and arithmetic are uniform.
            object.__setattr__(self, f.name, float(value))
        self._validate()

    def _validate(self) -> None:
        """Check parameter constraints; raise ScenarioError with the key as path."""

    @classmethod
    @abstractmethod
    def from_params(cls, p: _Table) -> Distribution:
        """Build from a scenario table whose keys have already been checked against ``keys``."""

    @abstractmethod
    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Inverse CDF.

        Parameters
        ----------
        u
            Probabilities strictly inside (0, 1), any shape, float64.

        Returns
        -------
        np.ndarray
            Values in the input's units, same shape as ``u``, float64; non-decreasing in ``u``.
        """

    @abstractmethod
    def cdf(self, x: np.ndarray) -> np.ndarray:
        """P(X <= x) for values ``x`` of any shape; float64 of the same shape."""

    @property
    @abstractmethod
    def support(self) -> tuple[float, float]:
        """Smallest and largest possible value (after truncation); may be ±inf."""

    @abstractmethod
    def describe(self) -> str:
        """Short human text such as ``PERT(40, 100, 200)``."""

    @property
    def is_constant(self) -> bool:
        """True when every draw gives the same value."""
        return False

    @property
    def median(self) -> float:
        return float(self.ppf(np.array(0.5)))


@dataclass(frozen=True)
class Continuous(Distribution):
    """A continuous family, optionally truncated to ``truncate = (lo, hi)``.

    Subclasses implement the untruncated ``_ppf``, ``_cdf``, ``_support`` and ``_describe``.
    Truncation rescales the uniform into ``[cdf(lo), cdf(hi)]`` so it stays on the inverse-CDF
    path (no rejection), which keeps draws addressable and chunk-invariant.
    """

    truncate: tuple[float, float] | None = field(default=None, kw_only=True)
    _cdf_lo: float = field(default=0.0, init=False, repr=False, compare=False)
    _mass: float = field(default=1.0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.truncate is None:
            return
        if len(self.truncate) != 2:
            raise ScenarioError("truncate must be a list [lo, hi]", path="truncate")
        lo, hi = (float(b) for b in self.truncate)
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise ScenarioError(
                f"truncate bounds must be finite (got [{lo}, {hi}])", path="truncate"
            )
        if not lo < hi:
            raise ScenarioError(
                f"truncate needs lo < hi (got [{_fmt(lo)}, {_fmt(hi)}])", path="truncate"
            )
        cdf_lo, cdf_hi = float(self._cdf(np.array(lo))), float(self._cdf(np.array(hi)))
        if not cdf_hi - cdf_lo > 0.0:
            a, b = self._support()
            raise ScenarioError(
                f"truncate [{_fmt(lo)}, {_fmt(hi)}] leaves no probability mass "
                f"(support is {_fmt(a)}..{_fmt(b)})",
                path="truncate",
            )
        object.__setattr__(self, "truncate", (lo, hi))
        object.__setattr__(self, "_cdf_lo", cdf_lo)
        object.__setattr__(self, "_mass", cdf_hi - cdf_lo)

    @abstractmethod
    def _ppf(self, u: np.ndarray) -> np.ndarray: ...

    @abstractmethod
    def _cdf(self, x: np.ndarray) -> np.ndarray: ...

    @abstractmethod
    def _support(self) -> tuple[float, float]: ...

    @abstractmethod
    def _describe(self) -> str: ...

    def ppf(self, u: np.ndarray) -> np.ndarray:
        u = _as_float_array(u)
        if self.truncate is None:
            return self._ppf(u)
        lo, hi = self.truncate
        # The clip absorbs round-off (and ±inf from a tail ppf) at the truncation points.
        return np.clip(self._ppf(self._cdf_lo + u * self._mass), lo, hi)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        x = _as_float_array(x)
        if self.truncate is None:
            return self._cdf(x)
        lo, hi = self.truncate
        return np.clip((self._cdf(np.clip(x, lo, hi)) - self._cdf_lo) / self._mass, 0.0, 1.0)

    @property
    def support(self) -> tuple[float, float]:
        a, b = self._support()
        if self.truncate is None:
            return a, b
        lo, hi = self.truncate
        return max(a, lo), min(b, hi)

    def describe(self) -> str:
        text = self._describe()
        if self.truncate is not None:
            lo, hi = self.truncate
            text += f" truncated to [{_fmt(lo)}, {_fmt(hi)}]"
        return text


def _check_range(lo: float, hi: float, lo_key: str = "min", hi_key: str = "max") -> None:
    if not lo < hi:
        raise ScenarioError(
            f"{hi_key} must be greater than {lo_key} "
            f"(got {lo_key} {_fmt(lo)}, {hi_key} {_fmt(hi)})",
            path=hi_key,
        )


def _check_mode(lo: float, mode: float, hi: float) -> None:
    _check_range(lo, hi)
    if not lo <= mode <= hi:
        raise ScenarioError(
            f"mode must lie between min and max (got {_fmt(mode)}, range {_fmt(lo)}..{_fmt(hi)})",
            path="mode",
        )


def _check_positive(key: str, value: float) -> None:
    if not value > 0:
        raise ScenarioError(f"{key} must be positive (got {_fmt(value)})", path=key)


# --------------------------------------------------------------------------------------------
# Families
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fixed(Distribution):
    """A known value: every draw is ``value``."""

    family: ClassVar[str] = "fixed"
    params_doc: ClassVar[str] = "value"
    keys: ClassVar[tuple[str, ...]] = ("value",)

    value: float

    @classmethod
    def from_params(cls, p: _Table) -> Fixed:
        return p.build(cls, p.number("value"))

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return np.full(np.shape(u), self.value)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        return np.where(_as_float_array(x) >= self.value, 1.0, 0.0)

    @property
    def support(self) -> tuple[float, float]:
        return self.value, self.value

    @property
    def is_constant(self) -> bool:
        return True

    @property
    def median(self) -> float:
        return self.value

    def describe(self) -> str:
        return f"fixed {_fmt(self.value)}"


@dataclass(frozen=True)
class Uniform(Continuous):
    family: ClassVar[str] = "uniform"
    params_doc: ClassVar[str] = "min, max"
    keys: ClassVar[tuple[str, ...]] = ("min", "max")

    min: float
    max: float

    def _validate(self) -> None:
        _check_range(self.min, self.max)

    @classmethod
    def from_params(cls, p: _Table) -> Uniform:
        return p.build(cls, p.number("min"), p.number("max"))

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        # min + width·u can round just outside [min, max]; the bounded families all clip.
        return np.clip(self.min + (self.max - self.min) * u, self.min, self.max)

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        return np.clip((x - self.min) / (self.max - self.min), 0.0, 1.0)

    def _support(self) -> tuple[float, float]:
        return self.min, self.max

    def _describe(self) -> str:
        return f"uniform({_fmt(self.min)}, {_fmt(self.max)})"


@dataclass(frozen=True)
class Triangular(Continuous):
    family: ClassVar[str] = "triangular"
    params_doc: ClassVar[str] = "min, mode, max"
    keys: ClassVar[tuple[str, ...]] = ("min", "mode", "max")

    min: float
    mode: float
    max: float

    def _validate(self) -> None:
        _check_mode(self.min, self.mode, self.max)

    @classmethod
    def from_params(cls, p: _Table) -> Triangular:
        return p.build(cls, p.number("min"), p.number("mode"), p.number("max"))

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        a, c, b = self.min, self.mode, self.max
        split = (c - a) / (b - a)
        rising = a + np.sqrt(u * (b - a) * (c - a))
        falling = b - np.sqrt((1.0 - u) * (b - a) * (b - c))
        return np.clip(np.where(u < split, rising, falling), a, b)

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        a, c, b = self.min, self.mode, self.max
        xc = np.clip(x, a, b)
        # A mode at an end leaves one side of zero width, whose formula would divide by zero.
        if c == a:
            return 1.0 - ((b - xc) / (b - a)) ** 2
        if c == b:
            return ((xc - a) / (b - a)) ** 2
        # Products of ratios at most 1 (each side's x clamped to its own half), rather than
        # (x - a)² / ((b - a)(c - a)), which can overflow for a mode very near an end.
        left, right = np.minimum(xc, c), np.maximum(xc, c)
        rising = (left - a) / (b - a) * ((left - a) / (c - a))
        falling = 1.0 - (b - right) / (b - a) * ((b - right) / (b - c))
        return np.where(xc <= c, rising, falling)

    def _support(self) -> tuple[float, float]:
        return self.min, self.max

    def _describe(self) -> str:
        return f"triangular({_fmt(self.min)}, {_fmt(self.mode)}, {_fmt(self.max)})"


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
            exact = special.betaincinv(self.alpha, self.beta, u_tail)
            # PINV clamps to its domain [lo, hi], the exact inverse at the tail thresholds;
            # betaincinv can wobble by an ulp, so the tails are clamped to the far side of the
            # seam too, which keeps ppf monotone across it.
            below = u_tail < 0.5
            t[tail] = np.where(below, np.minimum(exact, self.lo), np.maximum(exact, self.hi))
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


class _ScaledBeta:
    """A beta distribution on [min, max]: PERT is one, with shape parameters from its mode.

    Subclasses provide ``alpha``, ``beta``, ``min`` and ``max``.

    Accuracy: for shapes in [1, 1e4] (every PERT with lambda up to 1e4 - 1) ``ppf`` uses scipy's
    NumericalInversePolynomial (PINV) with u-error ``|cdf(ppf(u)) - u| ≤ 1e-10``, about 20 ns a
    value against 0.5-1.4 µs for the exact ``betaincinv``; values are monotone in ``u`` and the
    same bits in every process. Shapes below 1 or above 1e4, and u within 1e-6 of 0 or 1, use the
    exact ``betaincinv``.
    """

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        inverse = _beta_inverse(self.alpha, self.beta)
        if inverse is None:
            t = special.betaincinv(self.alpha, self.beta, u)
        else:
            t = inverse(u)
        x = np.empty(np.shape(t))  # in place from here: one array, not four (0-d for a scalar)
        np.multiply(t, self.max - self.min, out=x)
        x += self.min
        return np.clip(x, self.min, self.max, out=x)

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        t = np.clip((x - self.min) / (self.max - self.min), 0.0, 1.0)
        return special.betainc(self.alpha, self.beta, t)

    def _support(self) -> tuple[float, float]:
        return self.min, self.max


@dataclass(frozen=True)
class Pert(_ScaledBeta, Continuous):
    """Beta-PERT on [min, max] with the given mode; ``lam`` (``lambda``) weights the mode."""

    family: ClassVar[str] = "pert"
    params_doc: ClassVar[str] = "min, mode, max, lambda = 4"
    keys: ClassVar[tuple[str, ...]] = ("min", "mode", "max", "lambda")
    _key_of_field: ClassVar[dict[str, str]] = {"lam": "lambda"}

    min: float
    mode: float
    max: float
    lam: float = 4.0

    def _validate(self) -> None:
        _check_mode(self.min, self.mode, self.max)
        _check_positive("lambda", self.lam)

    @classmethod
    def from_params(cls, p: _Table) -> Pert:
        return p.build(
            cls, p.number("min"), p.number("mode"), p.number("max"), p.number("lambda", 4.0)
        )

    @property
    def alpha(self) -> float:
        return 1.0 + self.lam * (self.mode - self.min) / (self.max - self.min)

    @property
    def beta(self) -> float:
        return 1.0 + self.lam * (self.max - self.mode) / (self.max - self.min)

    def _describe(self) -> str:
        text = f"PERT({_fmt(self.min)}, {_fmt(self.mode)}, {_fmt(self.max)}"
        return text + (")" if self.lam == 4.0 else f", lambda {_fmt(self.lam)})")


@dataclass(frozen=True)
class Normal(Continuous):
    """Normal with ``mean`` and ``sd``; the scenario may give its 90 % interval instead."""

    family: ClassVar[str] = "normal"
    params_doc: ClassVar[str] = "mean, sd | low, high (90 % interval)"
    keys: ClassVar[tuple[str, ...]] = ("mean", "sd", "low", "high")

    mean: float
    sd: float

    def _validate(self) -> None:
        _check_positive("sd", self.sd)

    @classmethod
    def from_interval(cls, low: float, high: float, **kwargs: Any) -> Normal:
        """The normal whose 5th and 95th percentiles are ``low`` and ``high``."""
        _check_range(low, high, "low", "high")
        return cls((low + high) / 2.0, (high - low) / (2.0 * _Z95), **kwargs)

    @classmethod
    def from_params(cls, p: _Table) -> Normal:
        if p.choose(("mean", "sd"), ("low", "high")) == ("mean", "sd"):
            return p.build(cls, p.number("mean"), p.number("sd"))
        return p.build(cls.from_interval, p.number("low"), p.number("high"))

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        return self.mean + self.sd * special.ndtri(u)

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        return special.ndtr((x - self.mean) / self.sd)

    def _support(self) -> tuple[float, float]:
        return -math.inf, math.inf

    def _describe(self) -> str:
        return f"normal(mean {_fmt(self.mean)}, sd {_fmt(self.sd)})"


@dataclass(frozen=True)
class Lognormal(Continuous):
    """Lognormal: log X is normal with mean ``mu`` and sd ``sigma``."""

    family: ClassVar[str] = "lognormal"
    params_doc: ClassVar[str] = "mu, sigma | low, high (90 % interval) | median, sigma"
    keys: ClassVar[tuple[str, ...]] = ("mu", "sigma", "low", "high", "median")

    mu: float
    sigma: float

    def _validate(self) -> None:
        _check_positive("sigma", self.sigma)

    @classmethod
    def from_interval(cls, low: float, high: float, **kwargs: Any) -> Lognormal:
        """The lognormal whose 5th and 95th percentiles are ``low`` and ``high`` (both > 0)."""
        _check_positive("low", low)
        _check_range(low, high, "low", "high")
        log_low, log_high = math.log(low), math.log(high)
        return cls((log_low + log_high) / 2.0, (log_high - log_low) / (2.0 * _Z95), **kwargs)

    @classmethod
    def from_median(cls, median: float, sigma: float, **kwargs: Any) -> Lognormal:
        _check_positive("median", median)
        return cls(math.log(median), sigma, **kwargs)

    @classmethod
    def from_params(cls, p: _Table) -> Lognormal:
        given = p.choose(("mu", "sigma"), ("low", "high"), ("median", "sigma"))
        factory = {
            ("mu", "sigma"): cls,
            ("low", "high"): cls.from_interval,
            ("median", "sigma"): cls.from_median,
        }[given]
        return p.build(factory, *(p.number(key) for key in given))

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        return np.exp(self.mu + self.sigma * special.ndtri(u))

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        positive = x > 0
        # log only where defined; the other branch is discarded by np.where.
        z = (np.log(np.where(positive, x, 1.0)) - self.mu) / self.sigma
        return np.where(positive, special.ndtr(z), 0.0)

    def _support(self) -> tuple[float, float]:
        return 0.0, math.inf

    def _describe(self) -> str:
        low, high = self._ppf(np.array([0.05, 0.95]))
        return f"lognormal 90% in [{_fmt(low)}, {_fmt(high)}]"


@dataclass(frozen=True)
class Beta(_ScaledBeta, Continuous):
    """Beta(alpha, beta) rescaled from [0, 1] to [min, max]."""

    family: ClassVar[str] = "beta"
    params_doc: ClassVar[str] = "alpha, beta, min = 0, max = 1"
    keys: ClassVar[tuple[str, ...]] = ("alpha", "beta", "min", "max")

    alpha: float
    beta: float
    min: float = 0.0
    max: float = 1.0

    def _validate(self) -> None:
        _check_positive("alpha", self.alpha)
        _check_positive("beta", self.beta)
        _check_range(self.min, self.max)

    @classmethod
    def from_params(cls, p: _Table) -> Beta:
        return p.build(
            cls, p.number("alpha"), p.number("beta"), p.number("min", 0.0), p.number("max", 1.0)
        )

    def _describe(self) -> str:
        text = f"beta({_fmt(self.alpha)}, {_fmt(self.beta)})"
        if (self.min, self.max) != (0.0, 1.0):
            text += f" on [{_fmt(self.min)}, {_fmt(self.max)}]"
        return text


@dataclass(frozen=True)
class Exponential(Continuous):
    """Exponential with the given ``mean``, e.g. years until an end-of-life event."""

    family: ClassVar[str] = "exponential"
    params_doc: ClassVar[str] = "mean"
    keys: ClassVar[tuple[str, ...]] = ("mean",)

    mean: float

    def _validate(self) -> None:
        _check_positive("mean", self.mean)

    @classmethod
    def from_params(cls, p: _Table) -> Exponential:
        return p.build(cls, p.number("mean"))

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        return -self.mean * np.log1p(-u)

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        return np.where(x > 0, -np.expm1(-np.maximum(x, 0.0) / self.mean), 0.0)

    def _support(self) -> tuple[float, float]:
        return 0.0, math.inf

    def _describe(self) -> str:
        return f"exponential(mean {_fmt(self.mean)})"


@dataclass(frozen=True)
class Choice(Distribution):
    """One of ``values``, with probabilities proportional to ``weights`` (equal by default)."""

    family: ClassVar[str] = "choice"
    params_doc: ClassVar[str] = "values, weights = equal"
    keys: ClassVar[tuple[str, ...]] = ("values", "weights")

    values: tuple[float, ...]
    weights: tuple[float, ...] | None = None
    # Positive-weight values sorted ascending and their cumulative probabilities, so that ppf is
    # monotone in u (rank correlation needs that) and zero-weight values can never be drawn.
    _sorted: np.ndarray = field(init=False, repr=False, compare=False, default=None)
    _cum: np.ndarray = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", tuple(float(v) for v in self.values))
        if self.weights is not None:
            object.__setattr__(self, "weights", tuple(float(w) for w in self.weights))
        super().__post_init__()

    def _validate(self) -> None:
        if not self.values:
            raise ScenarioError("values must be a non-empty list of numbers", path="values")
        for i, v in enumerate(self.values):
            if not math.isfinite(v):
                raise ScenarioError(f"values must be finite (got {v})", path=f"values[{i}]")
        weights = np.ones(len(self.values)) if self.weights is None else np.array(self.weights)
        if len(weights) != len(self.values):
            raise ScenarioError(
                f"weights must have one entry per value ({len(self.values)}, got {len(weights)})",
                path="weights",
            )
        for i, w in enumerate(weights):
            if not (math.isfinite(w) and w >= 0):
                raise ScenarioError(
                    f"weights must be finite and non-negative (got {w})", path=f"weights[{i}]"
                )
        if not weights.sum() > 0:
            raise ScenarioError("weights must not all be zero", path="weights")
        values = np.array(self.values)[weights > 0]
        weights = weights[weights > 0]
        order = np.argsort(values, kind="stable")
        object.__setattr__(self, "_sorted", values[order])
        object.__setattr__(self, "_cum", np.cumsum(weights[order]) / weights.sum())

    @classmethod
    def from_params(cls, p: _Table) -> Choice:
        values = p.numbers("values")
        weights = p.numbers("weights") if p.has("weights") else None
        return p.build(cls, values, weights)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        # Searching all but the last edge maps every u < 1 to a valid index without a clip.
        return self._sorted[np.searchsorted(self._cum[:-1], _as_float_array(u), side="right")]

    def cdf(self, x: np.ndarray) -> np.ndarray:
        edges = np.concatenate(([0.0], self._cum[:-1], [1.0]))
        return edges[np.searchsorted(self._sorted, _as_float_array(x), side="right")]

    @property
    def support(self) -> tuple[float, float]:
        return float(self._sorted[0]), float(self._sorted[-1])

    @property
    def is_constant(self) -> bool:
        return bool(self._sorted[0] == self._sorted[-1])

    def describe(self) -> str:
        if self.weights is None:
            return "choice of " + ", ".join(_fmt(v) for v in self.values)
        total = sum(self.weights)
        return "choice of " + ", ".join(
            f"{_fmt(v)} ({100 * w / total:.3g}%)" for v, w in zip(self.values, self.weights)
        )


FAMILIES: dict[str, type[Distribution]] = {
    cls.family: cls
    for cls in (Fixed, Uniform, Triangular, Pert, Normal, Lognormal, Beta, Choice, Exponential)
}


def fixed(value: float) -> Fixed:
    """A constant input, for values given as a bare number in a scenario."""
    return Fixed(value)


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------


def _join(path: str, key: str) -> str:
    if not path:
        return key
    return path + key if key.startswith("[") else f"{path}.{key}"


def _type_name(value: Any) -> str:
    return {bool: "a boolean", str: "a string", list: "a list", dict: "a table"}.get(
        type(value), type(value).__name__
    )


def _is_number(value: Any) -> bool:
    # bool is an int subclass in Python, but `true` is never a sensible cost.
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


_MISSING = object()


class _Table:
    """A distribution's scenario table with its key path, for typed access with located errors."""

    def __init__(self, table: Mapping[str, Any], path: str, family: str):
        self.table, self.path, self.family = table, path, family

    def error(self, key: str | None, message: str) -> ScenarioError:
        return ScenarioError(message, path=self.path if key is None else _join(self.path, key))

    def has(self, key: str) -> bool:
        return key in self.table

    def _number_at(self, value: Any, key: str, what: str) -> float:
        if not _is_number(value):
            raise self.error(key, f"{what} must be a number (got {_type_name(value)})")
        if not _fits_float(value):
            raise self.error(key, f"{what} must be finite (got a number too large for a float)")
        if not math.isfinite(value):
            raise self.error(key, f"{what} must be finite (got {value})")
        return float(value)

    def number(self, key: str, default: Any = _MISSING) -> float:
        if key not in self.table:
            if default is _MISSING:
                raise self.error(key, f"missing key '{key}' for a {self.family} distribution")
            return default
        return self._number_at(self.table[key], key, key)

    def numbers(self, key: str) -> list[float]:
        if key not in self.table:
            raise self.error(key, f"missing key '{key}' for a {self.family} distribution")
        value = self.table[key]
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
            raise self.error(key, f"{key} must be a list of numbers (got {_type_name(value)})")
        return [self._number_at(v, f"{key}[{i}]", f"{key}[{i}]") for i, v in enumerate(value)]

    def choose(self, *sets: tuple[str, ...]) -> tuple[str, ...]:
        """The one parameter set fully given among alternatives; error on none, partial or mixed."""
        keys = {k for s in sets for k in s}
        given = {k for k in self.table if k in keys}
        alternatives = " or ".join(", ".join(s) for s in sets)
        complete = [s for s in sets if set(s) <= given]
        if len(complete) == 1 and given == set(complete[0]):
            return complete[0]
        if complete:
            return self._conflict(given, alternatives)
        candidates = [s for s in sets if given <= set(s)]
        if given and len(candidates) == 1:
            missing = next(k for k in candidates[0] if k not in given)
            raise self.error(
                missing, f"missing key '{missing}' for a {self.family} distribution given by "
                + ", ".join(candidates[0])
            )
        if not given:
            raise self.error(None, f"a {self.family} distribution needs {alternatives}")
        return self._conflict(given, alternatives)

    def _conflict(self, given: set[str], alternatives: str) -> tuple[str, ...]:
        listed = ", ".join(k for k in self.table if k in given)
        raise self.error(None, f"give exactly one of {alternatives} (got {listed})")

    def build(self, factory: Callable[..., Distribution], *args: Any) -> Distribution:
        """Call a constructor, prefixing the table path to the key its validation names."""
        try:
            return factory(*args)
        except ScenarioError as exc:
            raise ScenarioError(exc.message, path=_join(self.path, exc.path or "")) from None


def parse_distribution(table: Mapping[str, Any], path: str) -> Distribution:
    """Build a distribution from its scenario table.

    Parameters
    ----------
    table
        The inline table, e.g. ``{"dist": "pert", "min": 40, "mode": 100, "max": 200}``. The
        ``dist`` key names a family in :data:`FAMILIES`; the other keys are its parameters, plus
        ``truncate = [lo, hi]`` for continuous families.
    path
        Dotted key path of the table in the scenario, used in error messages.

    Returns
    -------
    Distribution
        A frozen, validated distribution.

    Raises
    ------
    ScenarioError
        For an unknown family or key, a missing key, a non-number (booleans included), a
        non-finite number, a violated constraint, or an ambiguous parameterisation; ``path`` names
        the offending key.
    """
    if not isinstance(table, Mapping):
        raise ScenarioError(
            f"expected a distribution table with a 'dist' key (got {_type_name(table)})", path=path
        )
    known = ", ".join(FAMILIES)
    if "dist" not in table:
        raise ScenarioError(
            f"missing key 'dist'; known families: {known}", path=_join(path, "dist")
        )
    name = table["dist"]
    if not isinstance(name, str) or name not in FAMILIES:
        shown = f"'{name}'" if isinstance(name, str) else _type_name(name)
        raise ScenarioError(
            f"unknown distribution {shown}; known families: {known}", path=_join(path, "dist")
        )
    cls = FAMILIES[name]
    truncatable = issubclass(cls, Continuous)
    expected = (*cls.keys, "truncate") if truncatable else cls.keys
    for key in table:
        if key == "dist" or key in expected:
            continue
        if key == "truncate":
            message = f"truncate applies to continuous distributions, not to a {name} distribution"
        else:
            close = difflib.get_close_matches(str(key), expected, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            message = (
                f"unknown key '{key}' for a {name} distribution{hint}; "
                f"expected {', '.join(expected)}"
            )
        raise ScenarioError(message, path=_join(path, str(key)))

    p = _Table(table, path, name)
    dist = cls.from_params(p)
    if truncatable and p.has("truncate"):
        bounds = p.numbers("truncate")
        if len(bounds) != 2:
            raise p.error(
                "truncate", f"truncate must be a list [lo, hi] (got {len(bounds)} numbers)"
            )
        dist = p.build(lambda: dataclasses.replace(dist, truncate=tuple(bounds)))
    return dist
