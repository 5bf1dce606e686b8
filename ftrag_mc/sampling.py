"""Seeds, addressed random streams, uniforms, rank correlation and the three samplers.

The path for every input is: uniforms in (0, 1) → (optionally) a Gaussian copula that imposes
Spearman rank correlations → the input's inverse CDF. Uniforms come from streams *addressed* by
(seed, input name, purpose, block) rather than consumed in order, so one user seed reproduces a
run bit for bit whatever the chunk size or worker count, and adding an input leaves the draws of
the others unchanged (for ``mc`` and ``lhs``). numpy's ``random/parallel.rst`` explains why
``seed + i`` would not be safe; ``SeedSequence(seed, spawn_key=...)`` is.
"""

from __future__ import annotations

import hashlib
import inspect
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special
from scipy.stats import qmc

from ftrag_mc.distributions import Distribution
from ftrag_mc.errors import ScenarioError

__all__ = [
    "BLOCK_SIZE",
    "SAMPLERS",
    "InputSampler",
    "RankCorrelation",
    "normalize_seed",
    "parse_rank_correlation",
    "stream_rng",
]

SAMPLERS = ("mc", "lhs", "sobol")
#: Samples per addressed stream block under ``mc``. Changing it changes every ``mc`` draw.
BLOCK_SIZE = 8192

# Uniforms are kept this far from 0 and 1 so that ppf of unbounded families stays finite
# (ndtri(2**-53) ≈ -8.2); 1 - 2**-53 is the largest double below 1.
U_MIN = 2.0**-53
U_MAX = 1.0 - 2.0**-53

# scipy renamed the qmc engines' `seed` argument to `rng` in 1.15; both accept a Generator.
_QMC_RNG_ARG = "rng" if "rng" in inspect.signature(qmc.Sobol).parameters else "seed"
# Sobol' points are limited by the engine's default 30 bits.
_SOBOL_MAX_N = 2**30


def normalize_seed(seed: int | None) -> int:
    """The seed a run uses: the user's, or fresh OS entropy when none is given.

    Parameters
    ----------
    seed
        A non-negative integer, or None for a fresh seed (report it so the run can be repeated).

    Returns
    -------
    int
        A non-negative integer usable as ``np.random.SeedSequence`` entropy.

    Raises
    ------
    ValueError
        If ``seed`` is negative or not an integer (booleans included).
    """
    if seed is None:
        return int(np.random.SeedSequence().entropy)
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be a non-negative integer (got {seed!r})")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer (got {seed})")
    return int(seed)


def _name_key(name: str) -> tuple[int, int]:
    """Two uint32 words identifying ``name``, stable across processes (unlike ``hash``)."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest[:4], "little"), int.from_bytes(digest[4:], "little")


# Spawn key of the single Sobol' stream; its length (1) keeps it apart from the per-input keys (4).
_SOBOL_KEY = (_name_key("sobol")[0],)


def stream_rng(seed: int, name: str, purpose: str, block: int = 0) -> np.random.Generator:
    """The addressed random stream for one input, purpose and block.

    Parameters
    ----------
    seed
        The run's normalised seed.
    name
        The input's name (dotted scenario key).
    purpose
        What the stream is for, e.g. ``"mc"`` or ``"lhs"``; different purposes never share draws.
    block
        Block index (``mc`` uses one block per ``BLOCK_SIZE`` samples).

    Returns
    -------
    np.random.Generator
        A fresh generator from ``SeedSequence(seed, spawn_key=(*name_key, purpose_word, block))``.
    """
    spawn_key = (*_name_key(name), _name_key(purpose)[0], block)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=spawn_key))


# --------------------------------------------------------------------------------------------
# Rank correlation
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class RankCorrelation:
    """Target Spearman rank correlations between named inputs.

    Attributes
    ----------
    names
        Input names, one per row/column of ``matrix``.
    matrix
        ``(len(names), len(names))`` float64, symmetric, unit diagonal, read-only.
    """

    names: tuple[str, ...]
    matrix: np.ndarray

    def normal_correlation(self) -> np.ndarray:
        """Pearson correlations of the copula's normals that give these Spearman correlations.

        For a bivariate normal, Spearman's rho = (6/π)·arcsin(r/2), hence r = 2·sin(π·rho/6).
        """
        return 2.0 * np.sin(np.pi * self.matrix / 6.0)


def parse_rank_correlation(
    names: Sequence[str],
    matrix: Sequence[Sequence[float]],
    path: str,
    *,
    names_path: str | None = None,
) -> RankCorrelation:
    """Validate a rank-correlation block of a scenario.

    Parameters
    ----------
    names
        Input names (at least two, distinct).
    matrix
        Square list of lists of Spearman correlations, one row per name.
    path
        Dotted key path of the matrix, e.g. ``correlation.matrix``; errors in it name ``path``,
        ``path[i]`` or ``path[i][j]``.
    names_path
        Key path of the list of names, e.g. ``correlation.inputs``; errors in it name
        ``names_path[i]``. Without it they name ``path``.

    Returns
    -------
    RankCorrelation

    Raises
    ------
    ScenarioError
        If the names or the matrix are malformed, the matrix is not symmetric (within 1e-12), its
        diagonal is not 1, an entry lies outside [-1, 1], or the correlations are inconsistent
        (the implied normal correlation matrix is not positive definite; this includes ±1).
    """
    matrix_path = path

    def name_at(i: int) -> str:
        return path if names_path is None else f"{names_path}[{i}]"

    if isinstance(names, (str, bytes)) or not isinstance(names, Sequence):
        raise ScenarioError("names must be a list of input names", path=names_path or path)
    for i, name in enumerate(names):
        if not isinstance(name, str):
            raise ScenarioError(
                f"names must be strings (got {type(name).__name__})", path=name_at(i)
            )
        if name in names[:i]:
            raise ScenarioError(f"input '{name}' is listed twice", path=name_at(i))
    n = len(names)
    if n < 2:
        raise ScenarioError(
            f"correlation needs at least two inputs (got {n})", path=names_path or path
        )

    def is_list(value: Any) -> bool:
        return isinstance(value, Sequence) and not isinstance(value, (str, bytes))

    if not is_list(matrix) or len(matrix) != n:
        got = f"{len(matrix)} rows" if is_list(matrix) else type(matrix).__name__
        raise ScenarioError(
            f"matrix must be a list of {n} rows, one per name (got {got})", path=matrix_path
        )
    rho = np.empty((n, n))
    for i, row in enumerate(matrix):
        if not is_list(row) or len(row) != n:
            got = f"{len(row)} entries" if is_list(row) else type(row).__name__
            raise ScenarioError(
                f"each row must have {n} entries (got {got})", path=f"{matrix_path}[{i}]"
            )
        for j, value in enumerate(row):
            at = f"{matrix_path}[{i}][{j}]"
            if isinstance(value, (bool, np.bool_)) or not isinstance(
                value, (int, float, np.integer, np.floating)
            ):
                raise ScenarioError(f"correlation must be a number (got {value!r})", path=at)
            if not math.isfinite(value):
                raise ScenarioError(f"correlation must be finite (got {value})", path=at)
            rho[i, j] = value
    for i in range(n):
        if abs(rho[i, i] - 1.0) > 1e-12:
            raise ScenarioError(
                f"diagonal entries must be 1 (got {rho[i, i]:g})", path=f"{matrix_path}[{i}][{i}]"
            )
        for j in range(i):
            if abs(rho[i, j] - rho[j, i]) > 1e-12:
                raise ScenarioError(
                    f"matrix must be symmetric (matrix[{j}][{i}] = {rho[j, i]:g}, "
                    f"matrix[{i}][{j}] = {rho[i, j]:g})",
                    path=f"{matrix_path}[{i}][{j}]",
                )
            if abs(rho[i, j]) > 1.0:
                raise ScenarioError(
                    f"correlation must lie in [-1, 1] (got {rho[i, j]:g})",
                    path=f"{matrix_path}[{i}][{j}]",
                )
    # Exactly symmetric with an exact unit diagonal, so the copula factor is well defined.
    rho = (rho + rho.T) / 2.0
    np.fill_diagonal(rho, 1.0)
    rho.setflags(write=False)
    result = RankCorrelation(tuple(names), rho)
    try:
        np.linalg.cholesky(result.normal_correlation())
    except np.linalg.LinAlgError:
        raise ScenarioError(
            "matrix is not positive definite: the correlations are inconsistent with one another "
            "(perfect correlations of ±1 are not allowed either)",
            path=matrix_path,
        ) from None
    return result


# --------------------------------------------------------------------------------------------
# Samplers
# --------------------------------------------------------------------------------------------


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
        One of :data:`SAMPLERS`: ``mc`` (independent uniforms), ``lhs`` (a Latin hypercube column
        per input) or ``sobol`` (one scrambled Sobol' sequence over the uncertain inputs in sorted
        name order; adding an input changes all Sobol' draws).
    correlation
        Spearman rank correlations imposed by a Gaussian copula. Names of constant inputs are
        ignored; every name must be an input.

    Notes
    -----
    ``draw`` over any partition of ``[0, n_total)`` concatenates to exactly ``draw(0, n_total)``.
    Under ``lhs`` the copula keeps each correlated marginal exact but not stratified.
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
        self.inputs = dict(inputs)
        self.n_total = int(n_total)
        self.seed = normalize_seed(seed)
        self.sampler = sampler
        #: Names of the inputs that get uniforms, sorted; rows of :meth:`draw_uniforms`.
        self.uncertain: tuple[str, ...] = tuple(
            sorted(name for name, dist in self.inputs.items() if not dist.is_constant)
        )
        self._constants = {
            name: dist.median for name, dist in self.inputs.items() if dist.is_constant
        }
        self._lhs_columns: dict[str, np.ndarray] = {}
        self._copula_rows, self._copula_factor = self._copula(correlation)

    def _copula(self, correlation: RankCorrelation | None) -> tuple[np.ndarray, np.ndarray]:
        """Rows of correlated inputs in ``uncertain`` and the Cholesky factor of their normals."""
        empty = (np.empty(0, dtype=np.intp), np.empty((0, 0)))
        if correlation is None:
            return empty
        unknown = [name for name in correlation.names if name not in self.inputs]
        if unknown:
            raise ValueError(f"correlation names unknown inputs: {', '.join(unknown)}")
        keep = [i for i, name in enumerate(correlation.names) if name in self.uncertain]
        if len(keep) < 2:
            return empty
        rows = np.array([self.uncertain.index(correlation.names[i]) for i in keep], dtype=np.intp)
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
            ``(len(self.uncertain), stop - start)`` float64 in ``[2**-53, 1 - 2**-53]``, one row
            per name of ``self.uncertain``.
        """
        self._check_range(start, stop)
        if not self.uncertain:
            return np.empty((0, stop - start))
        u = np.clip(_UNIFORM_DRAWERS[self.sampler](self, start, stop), U_MIN, U_MAX)
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

    def draw(self, start: int, stop: int) -> dict[str, np.ndarray]:
        """Every input's values for samples ``[start, stop)``.

        Parameters
        ----------
        start, stop
            Sample index range, ``0 <= start <= stop <= n_total``.

        Returns
        -------
        dict[str, np.ndarray]
            Input name → ``(stop - start,)`` float64 in the input's units, in ``inputs`` order.
        """
        u = self.draw_uniforms(start, stop)
        row_of = {name: i for i, name in enumerate(self.uncertain)}
        return {
            name: (
                np.full(stop - start, self._constants[name])
                if name in self._constants
                else np.asarray(dist.ppf(u[row_of[name]]), dtype=np.float64)
            )
            for name, dist in self.inputs.items()
        }

    # The three ways to make raw uniforms, shape (len(uncertain), stop - start).

    def _mc_uniforms(self, start: int, stop: int) -> np.ndarray:
        out = np.empty((len(self.uncertain), stop - start))
        if stop == start:
            return out
        first, last = start // BLOCK_SIZE, (stop - 1) // BLOCK_SIZE
        offset = first * BLOCK_SIZE
        for row, name in enumerate(self.uncertain):
            # Whole blocks are drawn and sliced, so a sample's value depends only on its index.
            blocks = [
                stream_rng(self.seed, name, "mc", b).random(BLOCK_SIZE)
                for b in range(first, last + 1)
            ]
            out[row] = np.concatenate(blocks)[start - offset : stop - offset]
        return out

    def _lhs_uniforms(self, start: int, stop: int) -> np.ndarray:
        out = np.empty((len(self.uncertain), stop - start))
        for row, name in enumerate(self.uncertain):
            column = self._lhs_columns.get(name)
            if column is None:
                # scipy's LatinHypercube cannot produce a slice of one design (strata are a
                # permutation of the whole run), so each column is built once and cached.
                engine = qmc.LatinHypercube(
                    d=1, **{_QMC_RNG_ARG: stream_rng(self.seed, name, "lhs")}
                )
                column = engine.random(self.n_total)[:, 0]
                self._lhs_columns[name] = column
            out[row] = column[start:stop]
        return out

    def _sobol_uniforms(self, start: int, stop: int) -> np.ndarray:
        if stop == start:
            return np.empty((len(self.uncertain), 0))
        root = np.random.SeedSequence(self.seed, spawn_key=_SOBOL_KEY)
        with warnings.catch_warnings():
            # Non-power-of-2 counts are reported once per run by the caller, not per chunk here.
            warnings.filterwarnings(
                "ignore", message=r"The balance properties of Sobol", category=UserWarning
            )
            # A fresh engine with the same scrambling for every chunk: fast_forward(start) then
            # random(stop - start) equals rows [start, stop) of one random(n_total) (tested).
            engine = qmc.Sobol(
                d=len(self.uncertain),
                scramble=True,
                **{_QMC_RNG_ARG: np.random.default_rng(root)},
            )
            if start > 0:  # fast_forward(0) fails in scipy 1.17
                engine.fast_forward(start)
            points = engine.random(stop - start)
        return np.ascontiguousarray(points.T)


_UNIFORM_DRAWERS: dict[str, Callable[[InputSampler, int, int], np.ndarray]] = {
    "mc": InputSampler._mc_uniforms,
    "lhs": InputSampler._lhs_uniforms,
    "sobol": InputSampler._sobol_uniforms,
}
