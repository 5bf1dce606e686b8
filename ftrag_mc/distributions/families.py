"""The distribution families a scenario may name, and their registry :data:`FAMILIES`.

Each family converts the forms a user may give (an interval, a median) to its own parameters once,
at construction, and draws through its inverse CDF; PERT and beta share a scaled beta whose
inverse CDF is :mod:`ftrag_mc.distributions.fast_inverse`'s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from scipy import special

from ftrag_mc.distributions.base import Continuous, Distribution, _as_float_array, _fmt
from ftrag_mc.distributions.fast_inverse import _beta_inverse, exact_beta_inverse
from ftrag_mc.distributions.table import _Table
from ftrag_mc.errors import ScenarioError

__all__ = ["FAMILIES", "Beta", "Choice", "Exponential", "Fixed", "Lognormal", "Normal", "Pert", "Triangular",
           "Uniform", "fixed"]


# 90 % of a normal lies within mean ± _Z95·sd; the "low/high" forms are 5th/95th percentiles.
_Z95 = float(special.ndtri(0.95))


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
            t = exact_beta_inverse(self.alpha, self.beta, u)
        else:
            t = inverse(u)
        x = np.empty(np.shape(t))  # in place from here: one array, not four (0-d for a scalar)
        np.multiply(t, self.max - self.min, out=x)
        x += self.min
        return np.clip(x, self.min, self.max, out=x)

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        t = np.clip((x - self.min) / (self.max - self.min), 0.0, 1.0)
        return special.betainc(self.alpha, self.beta, t)

    @property
    def median(self) -> float:
        """The exact median (``betaincinv``): one value needs no PINV table, and so no
        ``scipy.stats`` import (``validate`` evaluates the model at the medians in well under a
        second)."""
        u = 0.5 if self.truncate is None else self._cdf_lo + 0.5 * self._mass
        x = self.min + float(exact_beta_inverse(self.alpha, self.beta, u)) * (self.max - self.min)
        x = min(max(x, self.min), self.max)
        return x if self.truncate is None else min(max(x, self.truncate[0]), self.truncate[1])

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
