"""Fitting distributions and growth: data drawn from known distributions with a fixed seed come
back as the family and parameters they were drawn from, and every table the fit offers is one the
scenario parser accepts, with the fitted mean."""

from __future__ import annotations

import math
import tomllib

import numpy as np
import pytest
from scipy import integrate, stats

from ftrag_mc.distributions import parse_distribution
from ftrag_mc.fit import FIT_FAMILIES, FitResult, fit_distribution, fit_growth, format_table

N = 500


def draws(family: str) -> np.ndarray:
    rng = np.random.default_rng(17)
    return {
        "lognormal": lambda: rng.lognormal(3.0, 0.5, N),
        "normal": lambda: rng.normal(100.0, 10.0, N),
        "gamma": lambda: rng.gamma(3.0, 2.0, N),
        "exponential": lambda: rng.exponential(7.0, N),
        "beta": lambda: rng.beta(2.0, 8.0, N),
        "uniform": lambda: rng.uniform(2.0, 5.0, N),
    }[family]()


# (family, true parameters by name, absolute tolerance): about 3 standard errors at n = 500.
TRUTH = [
    ("lognormal", {"mu": 3.0, "sigma": 0.5}, 0.07),
    ("normal", {"mean": 100.0, "sd": 10.0}, 1.4),
    ("gamma", {"shape": 3.0, "scale": 2.0}, 0.6),
    ("exponential", {"mean": 7.0}, 1.0),
    ("beta", {"alpha": 2.0, "beta": 8.0}, 1.2),
    ("uniform", {"min": 2.0, "max": 5.0}, 0.03),
]


@pytest.fixture(scope="module")
def fits() -> dict[str, FitResult]:
    return {family: fit_distribution(draws(family)) for family, _, _ in TRUTH}


@pytest.mark.parametrize("family, truth, tol", TRUTH, ids=[t[0] for t in TRUTH])
def test_auto_finds_the_family_and_its_parameters(fits, family, truth, tol):
    fit = fits[family]
    true_fit = next(c for c in fit.candidates if c.family == family)
    assert fit.family == family or true_fit.delta_aic < 2, fit.ranking()
    for name, value in truth.items():
        assert true_fit.params[name] == pytest.approx(value, abs=tol), (name, true_fit.params)
    assert true_fit.ks_pvalue > 0.05


def test_ranking_is_by_aic(fits):
    fit = fits["lognormal"]
    table = fit.ranking()
    assert list(table.columns) == ["family", "parameters", "log_likelihood", "aic", "delta_aic",
                                   "ks_statistic", "ks_pvalue", "mean", "sd", "toml"]
    assert table["aic"].is_monotonic_increasing and table["delta_aic"].iloc[0] == 0.0
    assert fit.candidates[0].family == fit.family and fit.delta_aic == 0.0
    # AIC = 2 k - 2 log L, with the likelihood computed here from scipy's density.
    row = table.iloc[0]
    log_l = stats.lognorm.logpdf(draws("lognormal"), fit.params["sigma"], 0, math.exp(fit.params["mu"])).sum()
    assert row["aic"] == pytest.approx(2 * 2 - 2 * log_l, rel=1e-12)
    # Positive data admit the positive families; beta needs values inside (0, 1).
    assert set(table["family"]) == set(FIT_FAMILIES) - {"beta"}
    assert set(fits["beta"].ranking()["family"]) == set(FIT_FAMILIES)


def mean_of(dist) -> float:
    """E[X] = ∫ ppf(u) du over (0, 1), by quadrature on the parsed distribution alone."""
    return integrate.quad(lambda u: float(dist.ppf(np.array(u))), 0, 1, limit=200, epsabs=0)[0]


def every_table(fits: dict[str, FitResult]):
    return [c for fit in fits.values() for c in fit.candidates if c.table is not None]


def test_every_table_parses_with_the_fitted_mean_and_quantiles(fits):
    tables = every_table(fits)
    assert {c.family for c in tables} == {"normal", "lognormal", "exponential", "uniform", "beta"}
    for c in tables:
        pasted = tomllib.loads(f"x = {c.toml}")["x"]
        assert pasted["dist"] == c.table["dist"]
        dist = parse_distribution(pasted, "inputs.x")
        assert mean_of(dist) == pytest.approx(c.mean, rel=1e-4), c.toml
        u = np.array([0.05, 0.5, 0.95])
        # Six significant digits in the table: each parameter within 5e-6 of itself.
        scale = abs(c.mean) + c.sd
        np.testing.assert_allclose(dist.ppf(u), c.frozen().ppf(u), rtol=0, atol=1e-5 * scale, err_msg=c.toml)


def test_a_family_the_scenario_lacks_points_to_the_best_that_it_has(fits):
    fit = fits["gamma"]
    assert fit.family == "gamma" and fit.table is None and fit.toml is None
    best = fit.scenario_fit
    assert best is not None and best.table is not None and best.delta_aic > 0
    assert best is next(c for c in fit.candidates if c.table is not None)
    assert fits["normal"].scenario_fit is fits["normal"]


def test_one_family_on_request():
    fit = fit_distribution(draws("gamma"), "lognormal")
    assert fit.family == "lognormal" and len(fit.candidates) == 1 and fit.delta_aic == 0.0
    assert fit.toml.startswith('{ dist = "lognormal", median = ')
    # The normal's MLE by hand: the mean and the sd with ddof 0.
    x = np.array([1.0, 2.0, 4.0, 7.0])
    normal = fit_distribution(x, "normal")
    assert normal.params == pytest.approx({"mean": 3.5, "sd": math.sqrt(5.25)})
    assert normal.toml == '{ dist = "normal", mean = 3.5, sd = 2.29129 }'


def test_monte_carlo_goodness_of_fit():
    fit = fit_distribution(draws("normal")[:100], gof_resamples=99, seed=1)
    assert fit.gof_pvalue is not None and 0.05 < fit.gof_pvalue <= 1
    assert fit_distribution(draws("normal")[:100]).gof_pvalue is None
    # A wrong family: the KS p-value with fitted parameters (0.039) is optimistic against the
    # Monte Carlo one with refitting (0.01, the smallest 99 resamples can give).
    wrong = fit_distribution(draws("lognormal")[:100], "normal", gof_resamples=99, seed=1)
    assert wrong.gof_pvalue == pytest.approx(0.01) and wrong.gof_pvalue < wrong.ks_pvalue < 0.05


def test_format_table():
    assert format_table({"dist": "beta", "alpha": 2, "beta": 1 / 3}) == '{ dist = "beta", alpha = 2, beta = 0.333333 }'
    assert tomllib.loads("x = " + format_table({"dist": "normal", "mean": 1.5e-7, "sd": 2e9}))["x"] == {
        "dist": "normal", "mean": 1.5e-7, "sd": 2e9}


@pytest.mark.parametrize("values, family, message", [
    ([], "auto", "empty"),
    (["a", "b", "c"], "auto", "must be numbers"),
    ([1.0, 2.0, None], "auto", "must be numbers"),
    ([True, False, True], "auto", "must be numbers"),
    ([1.0, float("nan"), 3.0], "auto", "NaN or infinite"),
    ([1.0, float("inf"), 3.0], "auto", "NaN or infinite"),
    ([5.0], "auto", "at least 3"),
    ([3.0, 3.0, 3.0, 3.0], "auto", "all 4 values equal 3"),
    ([[1.0, 2.0], [3.0, 4.0]], "auto", "one flat list"),
    ([-1.0, 2.0, 3.0], "lognormal", "needs positive values"),
    ([0.0, 2.0, 3.0], "gamma", "needs positive values"),
    ([0.2, 0.5, 1.0], "beta", "strictly between 0 and 1"),
    ([1.0, 2.0, 3.0], "lognorml", "did you mean 'lognormal'"),
])
def test_bad_data_raises_one_line(values, family, message):
    with pytest.raises(ValueError, match=message) as info:
        fit_distribution(values, family)
    assert "\n" not in str(info.value)


def test_negative_data_fit_the_real_line_families():
    fit = fit_distribution(draws("normal") - 100.0)
    assert fit.family == "normal" and {c.family for c in fit.candidates} == {"normal", "uniform"}


# --- growth ------------------------------------------------------------------------------------


def test_growth_by_hand():
    # 10 % a month without noise: every log-return is log 1.1.
    exact = fit_growth([100.0, 110.0, 121.0, 133.1])
    assert exact.growth_per_month == pytest.approx(0.1, rel=1e-12)
    assert exact.volatility_per_month == 0.0 and exact.months == 3 and exact.growth_toml == "0.1"
    # Up and back: r = (+ln 2, -ln 2), mean 0, sd (ddof 1) = sqrt(2) ln 2, g = exp((ln 2)²) - 1.
    seesaw = fit_growth([100.0, 200.0, 100.0])
    assert seesaw.volatility_per_month == pytest.approx(math.sqrt(2) * math.log(2), rel=1e-12)
    assert seesaw.growth_per_month == pytest.approx(math.exp(math.log(2) ** 2) - 1, rel=1e-12)
    assert seesaw.growth_per_month == pytest.approx(0.61681, abs=1e-5)
    flat = fit_growth([5, 5, 5])
    assert (flat.growth_per_month, flat.volatility_per_month, flat.growth_toml) == (0.0, 0.0, "0")


def test_growth_recovers_the_noisy_volume_model():
    """MODEL.md §5b: q_t = Q0 (1 + g)^(t - 1) exp(σ W_t - σ² t / 2), W a random walk."""
    g, sigma, months = 0.04, 0.08, 600
    t = np.arange(1, months + 1)
    w = np.cumsum(np.random.default_rng(5).standard_normal(months))
    q = 20_000 * (1 + g) ** (t - 1) * np.exp(sigma * w - sigma**2 * t / 2)
    fit = fit_growth(q)
    assert fit.months == months - 1
    assert abs(fit.growth_per_month - g) < 3 * fit.growth_sd
    assert fit.growth_low < g < fit.growth_high
    assert fit.volatility_per_month == pytest.approx(sigma, rel=0.1)
    table = tomllib.loads(f"x = {fit.growth_toml}")["x"]
    dist = parse_distribution(table, "volume.growth_per_month")
    assert dist.median == pytest.approx(fit.growth_per_month, rel=1e-5)


@pytest.mark.parametrize("values, message", [
    ([], "empty"),
    ([100.0, 0.0, 120.0], "must be positive"),
    ([100.0, -5.0, 120.0], "must be positive"),
    ([100.0, 110.0], "at least 3"),
    ([100.0, float("nan"), 120.0], "NaN"),
    (["100", "110", "120"], "must be numbers"),
])
def test_bad_volumes_raise_one_line(values, message):
    with pytest.raises(ValueError, match=message) as info:
        fit_growth(values)
    assert "\n" not in str(info.value)
