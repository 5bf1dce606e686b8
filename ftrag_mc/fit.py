"""Distributions fitted to data a team has, as scenario tables, and growth from a volume history.

:func:`fit_distribution` fits each candidate family by maximum likelihood (scipy's
``rv_continuous.fit``, with the location fixed at 0 for the positive families and the beta on
[0, 1]), ranks them by AIC = 2 k - 2 log L (k free parameters; a difference below 2 is no real
preference) and reports a Kolmogorov-Smirnov test of each. The KS p-value is optimistic: it
assumes the parameters were known, while they were fitted to the same data, which makes the fit
look better than it is (Lilliefors); ``gof_resamples`` gives the honest Monte Carlo p-value of
:func:`scipy.stats.goodness_of_fit` (refitting each simulated sample) for the chosen family.

The result carries the inline table to paste into a scenario, in the syntax of
:func:`ftrag_mc.distributions.parse_distribution`. Gamma and Weibull are fitted and ranked but have
no scenario family: their ``table`` is None, and :attr:`FitResult.scenario_fit` names the best
family that has one. PERT and triangular are for expert estimates, not data (their maximum
likelihood puts the ends at the sample's extremes), and are not fitted.

:func:`fit_growth` reads a monthly volume history as MODEL.md §5b's noisy growth,
q_t = Q0 (1 + g)^(t - 1) exp(σ W_t - σ² t / 2): the log-returns r_t = log(q_t / q_(t-1)) are then
independent normals with mean log(1 + g) - σ² / 2 and sd σ, so σ = sd(r) and
g = exp(mean(r) + sd(r)² / 2) - 1 (the mean ratio of one month's volume to the last, minus 1).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ftrag_mc.schema import did_you_mean

__all__ = ["FIT_FAMILIES", "FitCurves", "FitResult", "GrowthFit", "compute_fit_curves", "compute_growth_path",
           "fit_distribution", "fit_growth", "format_table"]

MIN_VALUES = 3
"""Fewer values than this cannot be told apart from any family."""
TOML_DIGITS = 6
"""Significant digits of the numbers in a pasted table."""
_Z90 = stats.norm.ppf(0.95)


@dataclass(frozen=True)
class _Family:
    """A candidate family: scipy's distribution, the parameters it holds fixed, the values it
    admits, its parameters by name and, for scenario families, the scenario table."""

    scipy: Any
    fixed: Mapping[str, float]
    support: str  # "real", "positive" (> 0) or "unit" (strictly inside (0, 1))
    named: Callable[[tuple], dict[str, float]]
    table: Callable[[tuple], dict[str, Any]] | None = None


def _lognormal_table(p: tuple) -> dict[str, Any]:
    return {"dist": "lognormal", "median": p[2], "sigma": p[0]}


FIT_FAMILIES: dict[str, _Family] = {
    "normal": _Family(stats.norm, {}, "real", lambda p: {"mean": p[0], "sd": p[1]},
                      lambda p: {"dist": "normal", "mean": p[0], "sd": p[1]}),
    "lognormal": _Family(stats.lognorm, {"floc": 0.0}, "positive",
                         lambda p: {"mu": math.log(p[2]), "sigma": p[0]}, _lognormal_table),
    "gamma": _Family(stats.gamma, {"floc": 0.0}, "positive", lambda p: {"shape": p[0], "scale": p[2]}),
    "weibull": _Family(stats.weibull_min, {"floc": 0.0}, "positive",
                       lambda p: {"shape": p[0], "scale": p[2]}),
    "exponential": _Family(stats.expon, {"floc": 0.0}, "positive", lambda p: {"mean": p[1]},
                           lambda p: {"dist": "exponential", "mean": p[1]}),
    "uniform": _Family(stats.uniform, {}, "real", lambda p: {"min": p[0], "max": p[0] + p[1]},
                       lambda p: {"dist": "uniform", "min": p[0], "max": p[0] + p[1]}),
    "beta": _Family(stats.beta, {"floc": 0.0, "fscale": 1.0}, "unit",
                    lambda p: {"alpha": p[0], "beta": p[1]},
                    lambda p: {"dist": "beta", "alpha": p[0], "beta": p[1]}),
}
"""Families :func:`fit_distribution` knows, by name; those with a ``table`` are scenario families."""

_SUPPORT_WORDS = {"positive": "positive values", "unit": "values strictly between 0 and 1"}


def _admits(support: str, x: np.ndarray) -> bool:
    if support == "positive":
        return bool(np.all(x > 0))
    if support == "unit":
        return bool(np.all((x > 0) & (x < 1)))
    return True


def format_table(table: Mapping[str, Any], digits: int = TOML_DIGITS) -> str:
    """A scenario inline table as TOML text, e.g. ``{ dist = "normal", mean = 10, sd = 2.5 }``."""
    parts = [f'{k} = "{v}"' if isinstance(v, str) else f"{k} = {float(v):.{digits}g}"
             for k, v in table.items()]
    return "{ " + ", ".join(parts) + " }"


@dataclass(frozen=True)
class FitResult:
    """One family fitted to the data by maximum likelihood.

    Attributes
    ----------
    family
        Name in :data:`FIT_FAMILIES`.
    params
        The family's parameters by name, in the data's units (lognormal: mu, sigma of log X).
    scipy_params
        The same as scipy's (shapes, loc, scale), for :meth:`frozen`.
    n
        Number of values.
    log_likelihood, aic
        Maximised log-likelihood and AIC = 2 k - 2 log L.
    delta_aic
        AIC minus the lowest AIC among the families tried (0 for the best).
    ks_statistic, ks_pvalue
        Kolmogorov-Smirnov distance to the fitted CDF and its p-value (optimistic: see module).
    gof_pvalue
        Monte Carlo KS p-value with refitting (:func:`scipy.stats.goodness_of_fit`), or None.
    mean, sd
        Mean and standard deviation of the fitted distribution, in the data's units.
    table
        The scenario inline table (a dict with ``dist``), or None for a family the scenario lacks.
    candidates
        Every family tried, lowest AIC first (this one among them); empty on the candidates.
    """

    family: str
    params: dict[str, float]
    scipy_params: tuple[float, ...]
    n: int
    log_likelihood: float
    aic: float
    delta_aic: float
    ks_statistic: float
    ks_pvalue: float
    mean: float
    sd: float
    table: dict[str, Any] | None
    gof_pvalue: float | None = None
    candidates: tuple[FitResult, ...] = field(default=(), repr=False)

    @property
    def toml(self) -> str | None:
        """The table as TOML text to paste after ``key = ``, or None."""
        return None if self.table is None else format_table(self.table)

    @property
    def scenario_fit(self) -> FitResult | None:
        """The lowest-AIC candidate that has a scenario table (this one when it has one)."""
        if self.table is not None:
            return self
        return next((c for c in self.candidates if c.table is not None), None)

    def frozen(self):
        """The fitted distribution as a frozen scipy distribution."""
        return FIT_FAMILIES[self.family].scipy(*self.scipy_params)

    def ranking(self) -> pd.DataFrame:
        """One row per family tried, lowest AIC first: family, parameters (name -> value),
        log_likelihood, aic, delta_aic, ks_statistic, ks_pvalue, mean, sd, toml (missing where the
        scenario has no such family)."""
        rows = self.candidates or (self,)
        return pd.DataFrame([{
            "family": c.family, "parameters": dict(c.params), "log_likelihood": c.log_likelihood,
            "aic": c.aic, "delta_aic": c.delta_aic, "ks_statistic": c.ks_statistic,
            "ks_pvalue": c.ks_pvalue, "mean": c.mean, "sd": c.sd, "toml": c.toml,
        } for c in rows])


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def _as_values(values: Any, what: str = "values", *, constant_ok: bool = False) -> np.ndarray:
    """1-D finite float64 values, at least :data:`MIN_VALUES` of them, not all equal unless
    ``constant_ok``."""
    try:
        x = np.asarray(values)
    except (TypeError, ValueError):  # ragged nesting
        x = None
    if x is None or x.ndim > 1:
        raise ValueError(f"{what} must be one flat list of numbers (one column)")
    x = x.ravel()  # a scalar: one value
    if x.dtype.kind not in "iuf":
        odd = [v for v in x if not _is_number(v)][:1]
        if odd:
            shown = odd[0].item() if isinstance(odd[0], np.generic) else odd[0]
            raise ValueError(f"{what} must be numbers, not {shown!r}")
    x = x.astype(np.float64)
    if x.size == 0:
        raise ValueError(f"no {what} to fit: the list is empty")
    bad = int(np.sum(~np.isfinite(x)))
    if bad:
        raise ValueError(f"{what} hold {bad} NaN or infinite entries of {x.size}: drop empty cells first")
    if x.size < MIN_VALUES:
        raise ValueError(f"need at least {MIN_VALUES} {what} to fit, got {x.size}")
    if not constant_ok and np.all(x == x[0]):
        raise ValueError(f"all {x.size} {what} equal {x[0]:.6g}: a constant, write it as a plain number")
    return x


def _fit_one(name: str, x: np.ndarray) -> dict[str, Any]:
    fam = FIT_FAMILIES[name]
    p = tuple(float(v) for v in fam.scipy.fit(x, **fam.fixed))
    dist = fam.scipy(*p)
    log_l = float(np.sum(dist.logpdf(x)))
    k = len(p) - len(fam.fixed)
    ks = stats.kstest(x, dist.cdf)
    return dict(family=name, params=fam.named(p), scipy_params=p, n=int(x.size), log_likelihood=log_l,
                aic=2 * k - 2 * log_l, ks_statistic=float(ks.statistic), ks_pvalue=float(ks.pvalue),
                mean=float(dist.mean()), sd=float(dist.std()), table=None if fam.table is None else fam.table(p))


def _gof(name: str, x: np.ndarray, resamples: int, seed: int) -> float:
    fam = FIT_FAMILIES[name]
    known = {k[1:]: v for k, v in fam.fixed.items()}  # floc -> loc
    res = stats.goodness_of_fit(fam.scipy, x, known_params=known, statistic="ks",
                                n_mc_samples=resamples, rng=np.random.default_rng(seed))
    return float(res.pvalue)


def fit_distribution(values: Any, family: str = "auto", *, gof_resamples: int = 0,
                     seed: int = 0) -> FitResult:
    """Fit a distribution to observed values by maximum likelihood; with ``"auto"``, the best by AIC.

    Parameters
    ----------
    values
        (n,) observations in the input's units (e.g. a CSV column), n >= 3, finite, not all equal.
    family
        ``"auto"`` (every family in :data:`FIT_FAMILIES` whose support holds the data: the
        positive families for positive data, beta for rates strictly inside (0, 1)) or one name.
    gof_resamples
        Monte Carlo samples for :attr:`FitResult.gof_pvalue` of the chosen family; 0 skips it.
    seed
        Seeds that Monte Carlo test.

    Returns
    -------
    FitResult
        The chosen family, with every candidate in ``candidates`` (lowest AIC first).

    Raises
    ------
    ValueError
        One line, for no values, non-numbers, NaN or infinite values, fewer than 3 values, all
        values equal, an unknown family, or values outside the family's support (e.g. a value
        <= 0 for a lognormal).
    """
    x = _as_values(values)
    if family == "auto":
        names = [k for k, fam in FIT_FAMILIES.items() if _admits(fam.support, x)]
    elif family in FIT_FAMILIES:
        support = FIT_FAMILIES[family].support
        if not _admits(support, x):
            raise ValueError(f"a {family} distribution needs {_SUPPORT_WORDS[support]}; "
                             f"the values run from {x.min():.6g} to {x.max():.6g}")
        names = [family]
    else:
        raise ValueError(f"unknown family {family!r}{did_you_mean(family, FIT_FAMILIES)} "
                         f"(families: auto, {', '.join(FIT_FAMILIES)})")
    fits = sorted((_fit_one(k, x) for k in names), key=lambda f: f["aic"])
    best_aic = fits[0]["aic"]
    candidates = tuple(FitResult(**f, delta_aic=f["aic"] - best_aic) for f in fits)
    gof = _gof(candidates[0].family, x, int(gof_resamples), seed) if gof_resamples > 0 else None
    return FitResult(**{**fits[0], "delta_aic": 0.0, "gof_pvalue": gof, "candidates": candidates})


@dataclass(frozen=True)
class GrowthFit:
    """Monthly growth and volatility read from a volume history (module docstring).

    Attributes
    ----------
    growth_per_month
        g = exp(mean(r) + sd(r)² / 2) - 1, a fraction per month (0.05: 5 % a month).
    volatility_per_month
        σ = sd(r) (ddof 1), the sd of a month's log-return.
    mean_log_return
        mean(r), per month.
    growth_low, growth_high
        90 % interval of g from the t interval of mean(r) (σ held at its estimate).
    growth_sd
        Standard error of g, (1 + g) sd(r) / sqrt(months) (delta method).
    months
        Number of month-to-month returns (one fewer than the volumes).
    """

    growth_per_month: float
    volatility_per_month: float
    mean_log_return: float
    growth_low: float
    growth_high: float
    growth_sd: float
    months: int

    @property
    def growth_table(self) -> float | dict[str, Any]:
        """``volume.growth_per_month`` for a scenario: normal(g, its standard error), or g alone
        for a history without noise."""
        if self.growth_sd == 0:
            return self.growth_per_month
        return {"dist": "normal", "mean": self.growth_per_month, "sd": self.growth_sd}

    @property
    def growth_toml(self) -> str:
        table = self.growth_table
        return format_table(table) if isinstance(table, dict) else f"{table:.{TOML_DIGITS}g}"


def fit_growth(monthly_volumes: Any) -> GrowthFit:
    """Growth per month and volatility per month from a history of monthly volumes.

    Parameters
    ----------
    monthly_volumes
        (m,) queries per month, oldest first, m >= 3, every one positive and finite. Equal
        volumes are allowed (no growth, no volatility).

    Returns
    -------
    GrowthFit

    Raises
    ------
    ValueError
        One line, for no values, non-numbers, NaN or infinite values, fewer than 3 months, or a
        volume <= 0.
    """
    q = _as_values(monthly_volumes, "monthly volumes", constant_ok=True)  # flat is a history too
    if np.any(q <= 0):
        raise ValueError(f"monthly volumes must be positive; {int(np.sum(q <= 0))} of {q.size} are <= 0 "
                         f"(smallest {q.min():.6g})")
    r = np.diff(np.log(q))
    m, s = float(r.mean()), float(r.std(ddof=1))
    if s < 1e-12:  # the rounding of logs of an exact geometric series, not volatility
        s = 0.0
    se = s / math.sqrt(r.size)
    half = float(stats.t.ppf(0.95, r.size - 1)) * se
    growth = math.expm1(m + s * s / 2)
    return GrowthFit(growth_per_month=growth, volatility_per_month=s, mean_log_return=m,
                     growth_low=math.expm1(m - half + s * s / 2), growth_high=math.expm1(m + half + s * s / 2),
                     growth_sd=(1 + growth) * se, months=int(r.size))


@dataclass(frozen=True)
class FitCurves:
    """What a fit chart draws, computed here so the chart computes nothing a reader sees.

    Attributes
    ----------
    histogram
        One row per bar: left, right (the data's units), density (share of values per unit).
    curves
        One row per family and point: family, x, pdf, cdf (the fitted density and CDF), for the
        best families by AIC, best first.
    ecdf
        One row per value: x (sorted), ecdf (share of values at or below it).
    """

    histogram: pd.DataFrame
    curves: pd.DataFrame
    ecdf: pd.DataFrame


def compute_fit_curves(fit: FitResult, values: Any, *, top: int = 3, points: int = 200) -> FitCurves:
    """The histogram, the ECDF and the fitted densities and CDFs of the ``top`` families.

    Parameters
    ----------
    fit
        From :func:`fit_distribution` on ``values``.
    values
        The (n,) values fitted.
    top, points
        How many families (lowest AIC first) and how many points on each curve.
    """
    x = np.sort(_as_values(values))
    counts, edges = np.histogram(x, bins="auto")
    widths = np.diff(edges)
    histogram = pd.DataFrame({"left": edges[:-1], "right": edges[1:], "density": counts / (x.size * widths)})
    pad = 0.05 * (x[-1] - x[0])
    grid = np.linspace(x[0] - pad, x[-1] + pad, points)
    frames = []
    for c in (fit.candidates or (fit,))[:top]:
        frozen = c.frozen()
        frames.append(pd.DataFrame({"family": c.family, "x": grid, "pdf": frozen.pdf(grid), "cdf": frozen.cdf(grid)}))
    ecdf = pd.DataFrame({"x": x, "ecdf": np.arange(1, x.size + 1) / x.size})
    return FitCurves(histogram, pd.concat(frames, ignore_index=True), ecdf)


def compute_growth_path(growth: GrowthFit, monthly_volumes: Any) -> pd.DataFrame:
    """The history against the fitted model started at its first month (MODEL.md §5b).

    Returns
    -------
    DataFrame, one row per month t = 1..m: month, volume (observed), median (Q1 exp(mean(r) (t - 1)),
    the model's median path from the first volume), low and high (its 90 % band,
    ± 1.645 σ sqrt(t - 1) in logs: a random walk's spread).
    """
    q = _as_values(monthly_volumes, "monthly volumes", constant_ok=True)
    steps = np.arange(q.size, dtype=float)
    centre = math.log(q[0]) + growth.mean_log_return * steps
    spread = _Z90 * growth.volatility_per_month * np.sqrt(steps)
    return pd.DataFrame({"month": steps + 1, "volume": q, "median": np.exp(centre),
                         "low": np.exp(centre - spread), "high": np.exp(centre + spread)})
