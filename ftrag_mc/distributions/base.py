"""The interface every distribution family implements, and truncation for the continuous ones.

A family is a frozen dataclass whose fields are its parameters, validated at construction, and
whose draws go through its inverse CDF (``ppf``) from uniforms.
"""

from __future__ import annotations

import dataclasses
import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ftrag_mc.distributions.table import _Table
from ftrag_mc.errors import ScenarioError

__all__ = ["Continuous", "Distribution"]


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
            # Numbers only: tuples are checked by the family, and fields marked "parameter": False
            # (a paired eval's rate's role and joint) are not parameters.
            if not f.init or isinstance(value, (tuple, type(None))) or f.metadata.get("parameter") is False:
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
