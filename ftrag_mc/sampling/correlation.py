"""Rank correlations between inputs: a scenario's matrix, validated, and the copula's normal correlations."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ftrag_mc.errors import ScenarioError

__all__ = ["RankCorrelation", "parse_rank_correlation"]


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
    _check_names(names, path, names_path)
    n = len(names)
    rho = _read_matrix(matrix, n, matrix_path)
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


def _check_names(names: Sequence[str], path: str, names_path: str | None) -> None:
    """At least two distinct input names; errors name ``names_path[i]``, else ``path``."""

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
    if len(names) < 2:
        raise ScenarioError(
            f"correlation needs at least two inputs (got {len(names)})", path=names_path or path
        )


def _read_matrix(matrix: Sequence[Sequence[float]], n: int, matrix_path: str) -> np.ndarray:
    """The ``(n, n)`` entries as float64: a list of n rows of n finite numbers each."""

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
    return rho
