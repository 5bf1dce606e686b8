"""Inputs from evidence: a rate from counts, and two candidates' error rates from a paired eval.

**A rate from counts** (the ``observed`` family). ``e`` events seen in ``n`` trials, with a
Beta(a, b) prior on the rate θ, give the conjugate posterior Beta(a + e, b + n − e). The prior is
``[1, 1]`` (uniform) unless given; Jeffreys' ``[0.5, 0.5]`` is the other common choice. It draws
like the ``beta`` family, through the same fast inverse CDF.

**A paired eval** (:class:`PairedEval`, the scenario's ``[evidence.<name>]``). Candidates A and B
are scored on the same n items (the article's design: "run both candidates ... on each of 200+
inputs ... McNemar's test"); each item falls in one of four cells, both right, only A right, only
B right, both wrong, with probabilities p = (p11, p10, p01, p00) and counts (n11, n10, n01, n00).
The counts are multinomial; a Dirichlet(c, c, c, c) prior on p gives the posterior
Dirichlet(α) with α = (c + n11, c + n10, c + n01, c + n00). The two error rates are sums of cells:

    θ_A = p01 + p00 (A wrong: only B right, or both wrong),   θ_B = p10 + p00.

By the Dirichlet's aggregation property each is exactly a Beta,
θ_A ~ Beta(α01 + α00, α11 + α10) and θ_B ~ Beta(α10 + α00, α11 + α01), so medians,
percentiles, the tornado and ``explain`` use those marginals. With c = 0.5 (the default) each
rate's own prior is Beta(1, 1), and its marginal is what ``observed`` gives for the same counts.
They are drawn jointly and exactly by stick-breaking (the Dirichlet's neutrality): θ_A, the
share s = p00 / θ_A of A's errors that B shares, and the share r = p10 / (1 − θ_A) of A's right
answers that B gets wrong are independent,

    θ_A ~ Beta(α01 + α00, α11 + α10),   s ~ Beta(α00, α01),   r ~ Beta(α10, α11),
    θ_B = s θ_A + r (1 − θ_A),

each from one uniform through its inverse CDF: θ_A from its own input's uniform (so a Latin
hypercube stratifies it), s from θ_B's, r from a third named after the eval. The rates'
correlation is the phi coefficient of the expected table, (p̄00 − p̄_A p̄_B) / sqrt(p̄_A (1 − p̄_A)
p̄_B (1 − p̄_B)) with p̄ = α / Σα (the Dirichlet's covariance).

The sampler finds a jointly drawn input by its ``joint`` (see :func:`joints_of`): the joint names
the uniform rows it consumes (:attr:`PairedEval.rows`) and turns them into its inputs' values
(:meth:`PairedEval.values`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ftrag_mc.distributions.base import Continuous, Distribution, _fmt
from ftrag_mc.distributions.families import FAMILIES, Beta, _ScaledBeta
from ftrag_mc.distributions.table import _Table
from ftrag_mc.errors import ScenarioError

__all__ = ["CELLS", "DEFAULT_CELL_PRIOR", "MAX_COUNT", "Observed", "PairedEval", "PairedRate", "joint_partner",
           "joints_of"]

MAX_COUNT = 1_000_000_000
"""The most events, trials or items per cell a count may hold (a billion)."""
CELLS = ("both_right", "only_a_right", "only_b_right", "both_wrong")
"""The paired eval's outcome cells, in the order of :attr:`PairedEval.counts`."""
DEFAULT_CELL_PRIOR = 0.5
"""The Dirichlet prior per cell: each error rate's own prior is then uniform, Beta(1, 1)."""


def check_count(key: str, value: float, *, lo: int = 0) -> None:
    """A count of items: a whole number between ``lo`` and :data:`MAX_COUNT`; errors name ``key``."""
    if not float(value).is_integer():
        raise ScenarioError(f"{key} must be a whole number of items (got {_fmt(value)})", path=key)
    if not lo <= value <= MAX_COUNT:
        raise ScenarioError(f"{key} must be between {lo} and {MAX_COUNT:,} (got {_fmt(value)})", path=key)


@dataclass(frozen=True)
class Observed(_ScaledBeta, Continuous):
    """A rate seen as ``events`` in ``trials``: the posterior Beta(prior[0] + events, prior[1] + trials - events)."""

    family: ClassVar[str] = "observed"
    params_doc: ClassVar[str] = "events, trials, prior = [1, 1]"
    keys: ClassVar[tuple[str, ...]] = ("events", "trials", "prior")
    min: ClassVar[float] = 0.0
    max: ClassVar[float] = 1.0

    events: float
    trials: float
    prior: tuple[float, float] = (1.0, 1.0)

    def _validate(self) -> None:
        check_count("trials", self.trials, lo=1)
        check_count("events", self.events)
        if self.events > self.trials:
            raise ScenarioError(f"events ({_fmt(self.events)}) cannot exceed trials ({_fmt(self.trials)})",
                                path="events")
        if len(self.prior) != 2:
            raise ScenarioError(f"prior must be a list [a, b] of two numbers (got {len(self.prior)})", path="prior")
        for i, value in enumerate(self.prior):
            if not (math.isfinite(value) and 0 <= value <= MAX_COUNT):
                raise ScenarioError(f"prior[{i}] must be between 0 and {MAX_COUNT:,} (got {_fmt(value)})",
                                    path=f"prior[{i}]")
        if not (self.alpha > 0 and self.beta > 0):
            raise ScenarioError(
                f"improper posterior Beta({_fmt(self.alpha)}, {_fmt(self.beta)}) from prior "
                f"[{_fmt(self.prior[0])}, {_fmt(self.prior[1])}] with {_fmt(self.events)} of "
                f"{_fmt(self.trials)}: give a prior above 0 (e.g. [1, 1])", path="prior")

    @classmethod
    def from_params(cls, p: _Table) -> Observed:
        prior = tuple(p.numbers("prior")) if p.has("prior") else (1.0, 1.0)
        return p.build(cls, p.number("events"), p.number("trials"), prior)

    @property
    def alpha(self) -> float:
        return self.prior[0] + self.events

    @property
    def beta(self) -> float:
        return self.prior[1] + self.trials - self.events

    def _describe(self) -> str:
        return f"beta({_fmt(self.alpha)}, {_fmt(self.beta)}) from {_fmt(self.events)} of {_fmt(self.trials)} observed"


# A family a scenario names by its dist key; registered here, below families (which it builds on).
FAMILIES[Observed.family] = Observed


@dataclass(frozen=True)
class PairedRate(Beta):
    """One candidate's error rate from a paired eval: its exact Beta marginal, drawn jointly.

    ``joint`` is the :class:`PairedEval` it comes from; the sampler draws both of its rates
    together (:meth:`PairedEval.values`), every other use (medians, percentiles, the tornado,
    ``explain``) reads this marginal.
    """

    role: str = field(default="A", kw_only=True, metadata={"parameter": False})
    joint: Any = field(default=None, kw_only=True, compare=False, repr=False, metadata={"parameter": False})

    def _describe(self) -> str:
        name = self.joint.name if self.joint is not None else "a paired eval"
        return f"beta({_fmt(self.alpha)}, {_fmt(self.beta)}): candidate {self.role}'s error rate in [{name}]"


@dataclass(frozen=True)
class PairedEval:
    """Two candidates scored on the same items: a Dirichlet posterior over the four outcome cells.

    Parameters
    ----------
    name
        Its scenario key, ``evidence.<name>``: the name of its third uniform row.
    inputs
        The input names of candidate A's and B's error rates (``inputs.<name>``).
    counts
        Items in each cell, in :data:`CELLS` order: both right, only A right, only B right, both wrong.
    prior
        The Dirichlet prior per cell (> 0, or 0 where the cell has items).

    Raises
    ------
    ScenarioError
        For counts that are not whole numbers in [0, :data:`MAX_COUNT`], no items at all, a
        negative prior, or a cell whose posterior parameter is 0 (improper); ``path`` names the key.
    """

    name: str
    inputs: tuple[str, str]
    counts: tuple[float, float, float, float]
    prior: float = DEFAULT_CELL_PRIOR

    def __post_init__(self) -> None:
        for key, value in zip(CELLS, self.counts, strict=True):
            check_count(key, value)
        if sum(self.counts) < 1:
            raise ScenarioError("a paired eval needs at least one item (every count is 0)", path=CELLS[0])
        if not (math.isfinite(self.prior) and 0 <= self.prior <= MAX_COUNT):
            raise ScenarioError(f"prior_per_cell must be between 0 and {MAX_COUNT:,} (got {_fmt(self.prior)})",
                                path="prior_per_cell")
        empty = [key for key, alpha in zip(CELLS, self.posterior) if not alpha > 0]
        if empty:
            raise ScenarioError(f"improper posterior: no items in {', '.join(empty)} and prior_per_cell "
                                f"{_fmt(self.prior)}; give prior_per_cell above 0 (e.g. 0.5)", path="prior_per_cell")

    @property
    def posterior(self) -> tuple[float, float, float, float]:
        """The Dirichlet's parameters (α11, α10, α01, α00), in :data:`CELLS` order."""
        return tuple(self.prior + c for c in self.counts)  # type: ignore[return-value]

    @property
    def items(self) -> int:
        return int(sum(self.counts))

    @property
    def rows(self) -> tuple[str, str, str]:
        """The uniform rows it consumes: A's input's (θ_A), B's input's (s) and its own (r)."""
        return (*self.inputs, self.name)

    def shapes(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """The Beta shapes of θ_A and θ_B, by aggregation of the posterior's cells."""
        a11, a10, a01, a00 = self.posterior
        return (a01 + a00, a11 + a10), (a10 + a00, a11 + a01)

    def rates(self) -> tuple[PairedRate, PairedRate]:
        """A's and B's error rates: their exact Beta marginals, each carrying this joint."""
        (a_a, b_a), (a_b, b_b) = self.shapes()
        return PairedRate(a_a, b_a, role="A", joint=self), PairedRate(a_b, b_b, role="B", joint=self)

    @property
    def correlation(self) -> float:
        """Pearson correlation of θ_A and θ_B under the posterior (exact)."""
        total = sum(self.posterior)
        p00 = self.posterior[3] / total
        (a_a, b_a), (a_b, b_b) = self.shapes()
        p_a, p_b = a_a / (a_a + b_a), a_b / (a_b + b_b)
        return (p00 - p_a * p_b) / math.sqrt(p_a * (1 - p_a) * p_b * (1 - p_b))

    def shares(self, uniforms: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """θ_A, s and r from the three uniform rows (:attr:`rows`), each ``(n,)`` float64."""
        a11, a10, a01, a00 = self.posterior
        u_a, u_s, u_r = (uniforms[row] for row in self.rows)
        theta_a = self.rates()[0].ppf(u_a)
        return theta_a, Beta(a00, a01).ppf(u_s), Beta(a10, a11).ppf(u_r)

    def values(self, uniforms: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Both error rates, drawn jointly: input name -> ``(n,)`` float64 in [0, 1]."""
        theta_a, s, r = self.shares(uniforms)
        theta_b = np.clip(s * theta_a + r * (1.0 - theta_a), 0.0, 1.0)  # a convex mix: only rounding clips
        return {self.inputs[0]: theta_a, self.inputs[1]: theta_b}

    def both_wrong(self, uniforms: Mapping[str, np.ndarray]) -> np.ndarray:
        """p00, the probability that both candidates get an item wrong, per sample ``(n,)``."""
        theta_a, s, _r = self.shares(uniforms)
        return s * theta_a

    def describe(self) -> str:
        counts = ", ".join(f"{key.replace('_', ' ')} {int(c)}" for key, c in zip(CELLS, self.counts))
        return f"paired eval of {self.items} items ({counts}), Dirichlet prior {_fmt(self.prior)} per cell"


def joints_of(inputs: Mapping[str, Distribution]) -> tuple[PairedEval, ...]:
    """The joints whose inputs are among ``inputs``, each once, in the order met.

    Raises
    ------
    ValueError
        If a joint's input is missing from ``inputs`` or named there with another distribution.
    """
    found: dict[str, PairedEval] = {}
    for dist in inputs.values():
        joint = getattr(dist, "joint", None)
        if joint is not None:
            found.setdefault(joint.name, joint)
    for joint in found.values():
        for name in joint.inputs:
            if getattr(inputs.get(name), "joint", None) != joint:
                raise ValueError(f"{joint.name}: its input {name!r} is not among the inputs drawn")
    return tuple(found.values())


def joint_partner(inputs: Mapping[str, Distribution], name: str) -> tuple[str, float] | None:
    """The input drawn jointly with ``name`` and their correlation, or None for an input drawn alone."""
    joint = getattr(inputs.get(name), "joint", None)
    if joint is None:
        return None
    other = joint.inputs[1] if name == joint.inputs[0] else joint.inputs[0]
    return other, joint.correlation
