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

Modules: :mod:`~ftrag_mc.distributions.base` (the ``Distribution`` and ``Continuous`` interface,
truncation), :mod:`~ftrag_mc.distributions.families` (each family and the :data:`FAMILIES`
registry), :mod:`~ftrag_mc.distributions.fast_inverse` (the PINV tables behind PERT and beta),
:mod:`~ftrag_mc.distributions.evidence` (inputs from evidence: ``observed`` counts, a paired eval's
two error rates drawn jointly) and
:mod:`~ftrag_mc.distributions.parse` (scenario tables to distributions, read through
:mod:`~ftrag_mc.distributions.table`'s typed access with located errors).
"""

from ftrag_mc.distributions.base import Continuous, Distribution
from ftrag_mc.distributions.families import (
    FAMILIES, Beta, Choice, Exponential, Fixed, Lognormal, Normal, Pert, Triangular, Uniform, fixed,
)
from ftrag_mc.distributions.evidence import Observed, PairedEval, PairedRate, joints_of
from ftrag_mc.distributions.parse import distribution_notes, parse_distribution

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
    "Observed",
    "PairedEval",
    "PairedRate",
    "Pert",
    "Triangular",
    "Uniform",
    "distribution_notes",
    "fixed",
    "joints_of",
    "parse_distribution",
]
