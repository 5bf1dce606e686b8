"""Distribution families against closed forms and scipy.stats, and the table parser's errors."""

from __future__ import annotations

import hashlib
import math
import pickle
import subprocess
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor

import cloudpickle
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from scipy import special, stats

from ftrag_mc.distributions import fast_inverse

from ftrag_mc.distributions import (
    FAMILIES,
    Beta,
    Choice,
    Continuous,
    Distribution,
    Fixed,
    Lognormal,
    Normal,
    Pert,
    Triangular,
    fixed,
    parse_distribution,
)
from ftrag_mc.errors import ScenarioError

# Probabilities strictly inside (0, 1), including the sampler's extreme clip values.
U_GRID = np.array(
    [2.0**-53, 1e-9, 0.001, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.999, 1 - 2.0**-53]
)
Z95 = 1.6448536269514722  # 95th percentile of the standard normal


def parse(**table):
    return parse_distribution(table, "inputs.x")


def midpoints(n: int) -> np.ndarray:
    """Deterministic quadrature nodes (i + 0.5)/n: the mean of ppf over them approximates E[X]."""
    return (np.arange(n) + 0.5) / n


# ------------------------------------------------------------------------------- registry


def test_registry_lists_every_family_with_docs():
    assert set(FAMILIES) == {
        "fixed", "uniform", "triangular", "pert", "normal", "lognormal", "beta", "choice",
        "exponential", "observed",
    }
    for name, cls in FAMILIES.items():
        assert cls.family == name
        assert issubclass(cls, Distribution)
        assert cls.params_doc


# ------------------------------------------------------------------------- closed forms


def test_fixed():
    d = parse(dist="fixed", value=3)
    assert d == fixed(3) == Fixed(3.0)
    assert d.is_constant and d.median == 3.0 and d.support == (3.0, 3.0)
    np.testing.assert_array_equal(d.ppf(np.full((2, 3), 0.3)), np.full((2, 3), 3.0))
    assert d.describe() == "fixed 3"


def test_uniform_ppf_is_linear():
    d = parse(dist="uniform", min=2, max=10)
    np.testing.assert_allclose(d.ppf(U_GRID), 2 + 8 * U_GRID, rtol=0, atol=1e-14)
    np.testing.assert_allclose(d.cdf(d.ppf(U_GRID)), U_GRID, atol=1e-15)
    assert d.support == (2.0, 10.0) and d.describe() == "uniform(2, 10)"


def test_triangular_known_points():
    d = parse(dist="triangular", min=0, mode=1, max=2)
    # Symmetric on [0, 2]: F(x) = x²/2 on the rising side, so ppf(1/8) = 0.5 and ppf(1/2) = 1.
    np.testing.assert_allclose(d.ppf(np.array([0.125, 0.5, 0.875])), [0.5, 1.0, 1.5], rtol=1e-15)
    left = parse(dist="triangular", min=0, mode=0, max=1)
    # Mode at min: F(x) = 1 - (1 - x)², ppf(u) = 1 - sqrt(1 - u).
    np.testing.assert_allclose(left.ppf(U_GRID), 1 - np.sqrt(1 - U_GRID), rtol=1e-14, atol=1e-16)
    skewed = Triangular(40, 100, 200)
    ref = stats.triang(c=60 / 160, loc=40, scale=160)
    np.testing.assert_allclose(skewed.ppf(U_GRID), ref.ppf(U_GRID), rtol=1e-12)
    np.testing.assert_allclose(skewed.cdf(ref.ppf(U_GRID)), U_GRID, rtol=1e-9, atol=1e-15)


def test_pert_mean_is_the_textbook_formula():
    d = parse(dist="pert", min=0, mode=0.02, max=0.06)
    expected_mean = (0 + 4 * 0.02 + 0.06) / 6  # 0.02333...
    # Variance of beta-PERT with lambda 4: (mean - min)(max - mean)/7.
    se = math.sqrt((expected_mean - 0) * (0.06 - expected_mean) / 7 / 200_000)
    x = d.ppf(np.random.default_rng(20240601).random(200_000))
    assert abs(x.mean() - expected_mean) < 5 * se
    assert x.min() >= 0 and x.max() <= 0.06


def test_pert_matches_scipy_beta_and_lambda():
    d = parse(dist="pert", min=40, mode=100, max=200, **{"lambda": 6})
    a, b = 1 + 6 * 60 / 160, 1 + 6 * 100 / 160
    ref = stats.beta(a, b, loc=40, scale=160)
    # ppf is PINV (u-error ≤ 1e-10), not the exact inverse, so it is held to the exact CDF in
    # u rather than to scipy's bits in x; 1e-8 in x is what that u-error allows at this shape.
    x = d.ppf(U_GRID)
    np.testing.assert_allclose(ref.cdf(x), U_GRID, rtol=0, atol=1e-9)
    np.testing.assert_allclose(x, ref.ppf(U_GRID), rtol=1e-8)
    np.testing.assert_allclose(d.cdf(x), ref.cdf(x), rtol=1e-12, atol=1e-300)
    assert d.describe() == "PERT(40, 100, 200, lambda 6)"
    assert Pert(40, 100, 200).describe() == "PERT(40, 100, 200)"


def test_normal_from_interval_round_trips():
    d = parse(dist="normal", low=10, high=30)
    assert d == Normal(20.0, 10 / Z95)
    np.testing.assert_allclose(d.ppf(np.array([0.05, 0.95])), [10, 30], rtol=1e-12)
    m = parse(dist="normal", mean=5, sd=2)
    np.testing.assert_allclose(m.ppf(np.array(0.975)), 5 + 1.959963984540054 * 2, rtol=1e-14)
    assert np.isfinite(m.ppf(U_GRID)).all()
    assert m.describe() == "normal(mean 5, sd 2)"


def test_lognormal_parameterisations():
    by_interval = parse(dist="lognormal", low=0.5, high=4)
    np.testing.assert_allclose(by_interval.ppf(np.array([0.05, 0.95])), [0.5, 4], rtol=1e-12)
    assert by_interval.describe() == "lognormal 90% in [0.5, 4]"
    by_mu = parse(dist="lognormal", mu=1.3, sigma=0.7)
    assert by_mu.median == pytest.approx(math.exp(1.3), rel=1e-15)
    by_median = parse(dist="lognormal", median=12, sigma=0.7)
    assert by_median.median == pytest.approx(12, rel=1e-14)
    assert by_median == Lognormal(math.log(12), 0.7)
    ref = stats.lognorm(s=0.7, scale=math.exp(1.3))
    np.testing.assert_allclose(by_mu.ppf(U_GRID), ref.ppf(U_GRID), rtol=1e-12)
    np.testing.assert_allclose(by_mu.cdf(np.array([-1.0, 0.0])), [0.0, 0.0])


def test_beta_and_exponential_match_scipy():
    b = parse(dist="beta", alpha=2, beta=5, min=10, max=20)
    ref = stats.beta(2, 5, loc=10, scale=10)
    # PINV with u-error ≤ 1e-10 rather than the exact inverse: checked in u against the exact
    # CDF, and in x only to the 1e-8 that u-error allows.
    np.testing.assert_allclose(ref.cdf(b.ppf(U_GRID)), U_GRID, rtol=0, atol=1e-9)
    np.testing.assert_allclose(b.ppf(U_GRID), ref.ppf(U_GRID), rtol=1e-8)
    assert b.describe() == "beta(2, 5) on [10, 20]"
    e = parse(dist="exponential", mean=8)
    np.testing.assert_allclose(e.ppf(U_GRID), stats.expon(scale=8).ppf(U_GRID), rtol=1e-12)
    # Mean of an exponential is its parameter; the median is mean·ln 2.
    assert e.median == pytest.approx(8 * math.log(2), rel=1e-15)
    assert e.ppf(midpoints(200_000)).mean() == pytest.approx(8, rel=1e-3)


@pytest.mark.parametrize(
    "table",
    [
        {"dist": "uniform", "min": -1, "max": 3},
        {"dist": "triangular", "min": 0, "mode": 2, "max": 3},
        {"dist": "pert", "min": 0, "mode": 0, "max": 1},
        {"dist": "normal", "mean": 3, "sd": 0.1},
        {"dist": "lognormal", "mu": 0, "sigma": 2},
        {"dist": "beta", "alpha": 0.5, "beta": 0.5},
        {"dist": "exponential", "mean": 0.01},
        {"dist": "normal", "mean": 0, "sd": 1, "truncate": [-0.5, 3]},
    ],
)
def test_continuous_cdf_inverts_ppf_and_median(table):
    d = parse_distribution(table, "x")
    x = d.ppf(U_GRID[1:-1])
    assert np.all(np.diff(x) > 0)
    np.testing.assert_allclose(d.cdf(x), U_GRID[1:-1], rtol=1e-8, atol=1e-12)
    # PERT and beta medians are exact (betaincinv); their ppf is PINV's, good to ~1e-10 in u
    np.testing.assert_allclose(d.median, float(d.ppf(np.array(0.5))), rtol=1e-9)
    lo, hi = d.support
    assert np.all((x >= lo) & (x <= hi))
    assert not d.is_constant


# --------------------------------------------------------- PINV inverse for PERT and beta

# The edges a sampler can produce, points either side of the seams where the PINV table hands
# over to the exact tails, and 100k random points.
_TAIL = 1e-6
U_PINV = np.sort(
    np.concatenate(
        [
            [2.0**-53, 1e-12, 1e-9, 0.5, 1 - 1e-9, 1 - 1e-12, 1 - 2.0**-53],
            _TAIL * (1 + np.arange(-20, 21) * 2.0**-52),
            1 - _TAIL * (1 + np.arange(-20, 21) * 2.0**-52),
            np.geomspace(1e-15, 0.5, 300),
            1 - np.geomspace(1e-15, 0.5, 300),
            np.random.default_rng(20240602).random(100_000),
        ]
    )
)

PERT_CASES = [
    (lo, lo + (hi - lo) * where, hi, lam)
    for lo, hi in [(0.0, 1e-6), (1e3, 1e9), (0.0, 0.06), (40.0, 200.0)]
    for where in (0.0, 0.5, 1.0, 1 / 3)
    for lam in (1.0, 4.0, 10.0)
]
# (alpha, beta, takes the PINV path): shapes below 1 or above 1e4 must use betaincinv.
BETA_CASES = [
    (1.0, 1.0, True), (2.0, 5.0, True), (5.0, 2.0, True), (1.0, 1e4, True), (1e4, 1.5, True),
    (1e3, 1e3, True), (0.5, 0.5, False), (0.3, 2.0, False), (2.0, 0.7, False),
    (0.999, 1.0, False), (2e4, 3.0, False), (5.0, 1e5, False),
]


def _assert_non_decreasing(x, exact_everywhere):
    """x = ppf(U_PINV) never decreases, except by betaincinv's own rounding where it is used.

    betaincinv is not monotone at the last ulp (u two ulps apart can give x one ulp lower), as
    the old exact-only ppf was not; PINV's middle and the seams to the exact tails must be.
    """
    steps = np.diff(x)
    exact = U_PINV[1:] <= _TAIL if not exact_everywhere else np.ones_like(steps, dtype=bool)
    exact |= U_PINV[:-1] >= 1 - _TAIL
    assert np.all(steps[~exact] >= 0), "ppf must be non-decreasing in u"
    assert np.all(steps[exact] >= -2 * np.abs(np.spacing(x[1:][exact])))
    if not exact_everywhere:
        middle = (U_PINV >= _TAIL) & (U_PINV <= 1 - _TAIL)
        assert x[U_PINV < _TAIL].max() <= x[middle].min()
        assert x[middle].max() <= x[U_PINV > 1 - _TAIL].min()


def _check_against_exact_inverse(d, a, b, lo, hi):
    """u-error, monotonicity, bounds and median, pinned to betainc/betaincinv, not to PINV."""
    x = d.ppf(U_PINV)
    assert x.dtype == np.float64 and x.shape == U_PINV.shape
    assert np.all((x >= lo) & (x <= hi))
    _assert_non_decreasing(x, exact_everywhere=fast_inverse._beta_inverse(a, b) is None)
    if min(a, b) >= 1:
        # With a shape below 1 the density is unbounded at an end, where one ulp of x moves
        # the CDF by ~1e-8: even the exact inverse misses 1e-9 there, so those shapes are
        # checked bit for bit against betaincinv instead.
        u_error = np.abs(special.betainc(a, b, (x - lo) / (hi - lo)) - U_PINV)
        assert u_error.max() <= 1e-9
    exact_median = lo + (hi - lo) * special.betaincinv(a, b, 0.5)
    assert d.median == pytest.approx(exact_median, rel=1e-9)
    grid = d.ppf(U_PINV[::997].reshape(-1, 1, 1))
    assert grid.shape == (U_PINV[::997].size, 1, 1) and grid.dtype == np.float64


@pytest.mark.parametrize(("lo", "mode", "hi", "lam"), PERT_CASES)
def test_pert_ppf_within_stated_accuracy_of_exact_inverse(lo, mode, hi, lam):
    d = Pert(lo, mode, hi, lam)
    a = 1 + lam * (mode - lo) / (hi - lo)
    b = 1 + lam * (hi - mode) / (hi - lo)
    assert (d.alpha, d.beta) == pytest.approx((a, b), rel=1e-15)
    # Every PERT shape lies in [1, 1 + lambda], inside the PINV range.
    assert fast_inverse._beta_inverse(d.alpha, d.beta) is not None
    _check_against_exact_inverse(d, d.alpha, d.beta, lo, hi)


@pytest.mark.parametrize(("a", "b", "pinv"), BETA_CASES)
def test_beta_ppf_within_stated_accuracy_and_exact_outside_pinv_range(a, b, pinv):
    d = Beta(a, b, min=-3.0, max=5.0)
    assert (fast_inverse._beta_inverse(a, b) is not None) == pinv
    _check_against_exact_inverse(d, a, b, -3.0, 5.0)
    if not pinv:
        exact = np.clip(-3.0 + 8.0 * special.betaincinv(a, b, U_PINV), -3.0, 5.0)
        np.testing.assert_array_equal(d.ppf(U_PINV), exact)


def test_pinv_tails_are_the_exact_inverse():
    d = Pert(0.0, 0.02, 0.06)
    u = np.concatenate([U_PINV[U_PINV < _TAIL], U_PINV[U_PINV > 1 - _TAIL]])
    assert u.size > 100
    exact = np.clip(0.06 * special.betaincinv(d.alpha, d.beta, u), 0.0, 0.06)
    np.testing.assert_array_equal(d.ppf(u), exact)
    # Edge values the truncation rescale can produce, and nan, behave as betaincinv does.
    np.testing.assert_array_equal(d.ppf(np.array([0.0, 1.0])), [0.0, 0.06])
    assert np.isnan(d.ppf(np.array([np.nan]))).all()


def test_truncated_pert_keeps_range_and_accuracy():
    d = parse(dist="pert", min=0, mode=0.02, max=0.06, truncate=[0.01, 0.05])
    a, b = d.alpha, d.beta
    x = d.ppf(U_PINV)
    assert x.min() >= 0.01 and x.max() <= 0.05
    assert np.all(np.diff(x) >= 0)
    f_lo, f_hi = special.betainc(a, b, [0.01 / 0.06, 0.05 / 0.06])
    u_error = np.abs((special.betainc(a, b, x / 0.06) - f_lo) / (f_hi - f_lo) - U_PINV)
    # The table's u-error, divided by the truncated mass.
    assert u_error.max() <= 1e-9 / (f_hi - f_lo)


def test_pinv_tables_are_deterministic_across_builds_and_processes():
    d = Pert(40, 100, 200, 6)
    first = d.ppf(U_PINV).tobytes()
    fast_inverse._cached_beta_inverse.cache_clear()
    assert d.ppf(U_PINV).tobytes() == first
    assert fast_inverse._cached_beta_inverse.cache_info().misses == 1
    code = (
        "import hashlib, sys, numpy as np\n"
        "from ftrag_mc.distributions import Pert\n"
        "u = np.frombuffer(sys.stdin.buffer.read(), dtype=np.float64)\n"
        "print(hashlib.sha256(Pert(40, 100, 200, 6).ppf(u).tobytes()).hexdigest())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], input=U_PINV.tobytes(), capture_output=True, check=True
    )
    assert out.stdout.decode().strip() == hashlib.sha256(first).hexdigest()


def test_pinv_concurrent_calls_match_serial_bits():
    dists = [Pert(0, 0.02, 0.06), Pert(40, 100, 200, 6), Beta(2, 5, min=10, max=20)]
    rng = np.random.default_rng(11)
    jobs = [(d, rng.random(50_000)) for d in dists for _ in range(8)]
    serial = [d.ppf(u).tobytes() for d, u in jobs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(lambda job: job[0].ppf(job[1]).tobytes(), jobs))
    assert parallel == serial


def test_pinv_table_is_built_once_under_concurrent_first_use():
    fast_inverse._cached_beta_inverse.cache_clear()
    d = Pert(1, 2, 7, 3)
    u = np.random.default_rng(5).random(1000)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: d.ppf(u).tobytes(), range(16)))
    assert len(set(results)) == 1
    assert fast_inverse._cached_beta_inverse.cache_info().misses == 1


@pytest.mark.parametrize("dumps", [pickle.dumps, cloudpickle.dumps], ids=["pickle", "cloudpickle"])
def test_beta_families_pickle_round_trip_after_use(dumps):
    for d in (
        Pert(0, 0.02, 0.06),
        parse(dist="pert", min=40, mode=100, max=200, truncate=[50, 190]),
        Beta(2, 5, min=10, max=20),
        Beta(0.5, 0.5),
    ):
        before = d.ppf(U_PINV)  # the table exists now; it must not travel with the object
        blob = dumps(d)
        assert b"NumericalInversePolynomial" not in blob and len(blob) < 2000
        back = pickle.loads(blob)
        assert back == d and hash(back) == hash(d)
        assert back.ppf(U_PINV).tobytes() == before.tobytes()


class _FailingPinv:
    def __init__(self, *args, **kwargs):
        raise RuntimeError("setup failed")


class _WarningPinv:
    def __init__(self, *args, **kwargs):
        warnings.warn("[objid: PINV.001] 98 : numeric integration did not reach full accuracy",
                      RuntimeWarning, stacklevel=1)


@pytest.mark.parametrize("fake", [_FailingPinv, _WarningPinv], ids=["error", "warning"])
def test_pinv_setup_error_or_warning_falls_back_to_exact(monkeypatch, fake):
    import scipy.stats.sampling  # fast_inverse imports it on first use, from there

    monkeypatch.setattr(scipy.stats.sampling, "NumericalInversePolynomial", fake)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the fallback must swallow PINV's warning, not pass it on
        assert fast_inverse._build_beta_inverse(2.5, 3.5) is None


# -------------------------------------------------------------------------------- choice


def test_choice_frequencies_match_weights():
    d = parse(dist="choice", values=[30, 10, 20], weights=[1, 2, 7])
    n = 100_000
    x = d.ppf(np.random.default_rng(7).random(n))
    for value, p in [(30, 0.1), (10, 0.2), (20, 0.7)]:
        se = math.sqrt(p * (1 - p) / n)
        assert abs(np.mean(x == value) - p) < 5 * se
    # Sorted by value so ppf is monotone, whatever the order given.
    np.testing.assert_array_equal(d.ppf(np.array([0.1, 0.25, 0.5, 0.95])), [10, 20, 20, 30])
    np.testing.assert_allclose(d.cdf(np.array([5, 10, 15, 20, 30])), [0, 0.2, 0.2, 0.9, 1.0])
    assert d.support == (10.0, 30.0)
    assert d.describe() == "choice of 30 (10%), 10 (20%), 20 (70%)"


def test_choice_zero_weight_is_never_drawn_and_single_value_is_constant():
    d = Choice((1.0, 2.0, 3.0), (0.5, 0.0, 0.5))
    x = d.ppf(U_GRID)
    assert set(x) == {1.0, 3.0}
    assert not d.is_constant
    assert Choice((5.0,)).is_constant
    assert Choice((5.0, 6.0), (1.0, 0.0)).is_constant
    assert Choice((5.0,)).median == 5.0
    equal = parse(dist="choice", values=[1, 2, 3, 4])
    assert equal.describe() == "choice of 1, 2, 3, 4"
    np.testing.assert_array_equal(equal.ppf(np.array([0.2, 0.3, 0.6, 0.9])), [1, 2, 3, 4])


# ---------------------------------------------------------------------------- truncation


def test_truncated_normal_matches_scipy_truncnorm():
    d = parse(dist="normal", mean=10, sd=4, truncate=[8, 20])
    ref = stats.truncnorm((8 - 10) / 4, (20 - 10) / 4, loc=10, scale=4)
    x = d.ppf(midpoints(100_000))
    assert x.min() >= 8 and x.max() <= 20
    assert x.mean() == pytest.approx(ref.mean(), rel=1e-6)
    np.testing.assert_allclose(d.ppf(U_GRID), ref.ppf(U_GRID), rtol=1e-9)
    np.testing.assert_allclose(d.cdf(np.array([0.0, 8.0, 30.0])), [0.0, 0.0, 1.0])
    assert d.support == (8.0, 20.0)
    assert d.describe() == "normal(mean 10, sd 4) truncated to [8, 20]"


def test_truncation_keeps_every_value_in_range():
    d = parse(dist="lognormal", low=1, high=100, truncate=[0.5, 50])
    x = d.ppf(np.random.default_rng(3).random(50_000))
    assert x.min() >= 0.5 and x.max() <= 50
    assert d.support == (0.5, 50.0)
    # Truncation wider than the support leaves the family's own bounds.
    assert parse(dist="uniform", min=0, max=1, truncate=[-5, 0.5]).support == (0.0, 0.5)


# --------------------------------------------------------------------------- hypothesis

finite = st.floats(-1e6, 1e6, allow_nan=False)


@st.composite
def pert_params(draw):
    lo = draw(finite)
    width = draw(st.floats(1e-3, 1e6))
    mode = lo + width * draw(st.floats(0, 1))
    lam = draw(st.floats(0.1, 20))
    return lo, min(mode, lo + width), lo + width, lam


@given(pert_params(), st.lists(st.floats(2.0**-53, 1 - 2.0**-53), min_size=1, max_size=50))
@example((0.0, 0.0, 1.0, 4.0), [2.0**-53, 0.5, 1 - 2.0**-53])
@example((0.0, 1.0, 1.0, 4.0), [2.0**-53, 0.5, 1 - 2.0**-53])
# the mode an ulp below the max: scipy's betaincinv gave nan at u = 1 - 1.1e-16
@example((121621.0, 1048576.1587582966, 1048576.1587582969, 0.6202736168228155), [0.5, 0.9999999999999999])
def test_pert_ppf_monotone_and_bounded(params, us):
    lo, mode, hi, lam = params
    d = Pert(lo, mode, hi, lam)
    u = np.sort(np.array(us))
    x = d.ppf(u)
    assert np.all(np.diff(x) >= 0)
    assert np.all((x >= lo) & (x <= hi))


@given(pert_params(), st.floats(2.0**-53, 1 - 2.0**-53))
@example((0.0, 5e-324, 1.0, 1.0), 0.5)  # subnormal mode: the rising side's ratio overflowed
@example((2.0**-53, 2.0**-53, 17.0, 1.0), 2.0**-53)  # ppf rounded below min before clipping
def test_triangular_ppf_within_bounds_and_inverts(params, u):
    lo, mode, hi, _ = params
    d = Triangular(lo, mode, hi)
    x = float(d.ppf(np.array(u)))
    assert lo <= x <= hi
    assert float(d.cdf(np.array(x))) == pytest.approx(u, abs=1e-6)


@given(
    st.lists(st.integers(-1000, 1000), min_size=1, max_size=8),
    st.data(),
)
def test_choice_ppf_monotone(values, data):
    weights = data.draw(st.lists(st.floats(0, 10), min_size=len(values), max_size=len(values)))
    if sum(weights) <= 0:
        weights = [1.0] * len(values)
    d = Choice(tuple(values), tuple(weights))
    x = d.ppf(np.sort(np.array(data.draw(st.lists(st.floats(2.0**-53, 1 - 2.0**-53), min_size=2)))))
    assert np.all(np.diff(x) >= 0)
    drawable = {v for v, w in zip(values, weights) if w > 0}
    assert set(x) <= drawable


# -------------------------------------------------------------------------------- errors

ERROR_CASES = [
    # (table, path, fragment of the message)
    ({"min": 1, "max": 2}, "inputs.x.dist", "missing key 'dist'"),
    ({"dist": "gauss"}, "inputs.x.dist", "unknown distribution 'gauss'; known families: fixed"),
    ({"dist": 3}, "inputs.x.dist", "unknown distribution"),
    ({"dist": "pert", "min": 40, "mode": 300, "max": 200}, "inputs.x.mode",
     "mode must lie between min and max (got 300, range 40..200)"),
    ({"dist": "pert", "min": 40, "mode": 100, "max": 200, "foo": 1}, "inputs.x.foo",
     "unknown key 'foo' for a pert distribution; expected min, mode, max, lambda, truncate"),
    ({"dist": "pert", "min": 40, "mdoe": 100, "max": 200}, "inputs.x.mdoe", "did you mean 'mode'"),
    ({"dist": "pert", "min": 40, "max": 200}, "inputs.x.mode", "missing key 'mode'"),
    ({"dist": "pert", "min": 0, "mode": 1, "max": 2, "lambda": 0}, "inputs.x.lambda",
     "lambda must be positive"),
    ({"dist": "pert", "min": True, "mode": 1, "max": 2}, "inputs.x.min", "must be a number (got a boolean)"),
    ({"dist": "pert", "min": "0", "mode": 1, "max": 2}, "inputs.x.min", "must be a number (got a string)"),
    ({"dist": "pert", "min": 0, "mode": 1, "max": math.inf}, "inputs.x.max", "must be finite"),
    ({"dist": "uniform", "min": 2, "max": 2}, "inputs.x.max", "max must be greater than min"),
    ({"dist": "uniform", "min": math.nan, "max": 2}, "inputs.x.min", "must be finite"),
    ({"dist": "triangular", "min": 0, "mode": -1, "max": 2}, "inputs.x.mode", "mode must lie between"),
    ({"dist": "triangular", "min": 0, "mode": 1, "max": 2, "lambda": 4}, "inputs.x.lambda",
     "unknown key 'lambda' for a triangular distribution"),
    ({"dist": "normal", "mean": 0, "sd": 0}, "inputs.x.sd", "sd must be positive"),
    ({"dist": "normal", "mean": 0}, "inputs.x.sd", "missing key 'sd'"),
    ({"dist": "normal", "high": 3}, "inputs.x.low", "missing key 'low'"),
    ({"dist": "normal"}, "inputs.x", "needs mean, sd or low, high"),
    ({"dist": "normal", "mean": 0, "sd": 1, "low": -1, "high": 1}, "inputs.x", "give exactly one of"),
    ({"dist": "normal", "low": 3, "high": 1}, "inputs.x.high", "high must be greater than low"),
    ({"dist": "lognormal", "low": 0, "high": 1}, "inputs.x.low", "low must be positive"),
    ({"dist": "lognormal", "median": -2, "sigma": 1}, "inputs.x.median", "median must be positive"),
    ({"dist": "lognormal", "mu": 0, "sigma": -1}, "inputs.x.sigma", "sigma must be positive"),
    ({"dist": "lognormal", "mu": 0, "median": 1, "sigma": 1}, "inputs.x", "give exactly one of"),
    ({"dist": "lognormal", "sigma": 1}, "inputs.x", "give exactly one of"),
    ({"dist": "beta", "alpha": 0, "beta": 1}, "inputs.x.alpha", "alpha must be positive"),
    ({"dist": "beta", "alpha": 1, "beta": 1, "min": 3, "max": 1}, "inputs.x.max", "greater than min"),
    ({"dist": "exponential", "mean": -1}, "inputs.x.mean", "mean must be positive"),
    ({"dist": "fixed"}, "inputs.x.value", "missing key 'value'"),
    ({"dist": "fixed", "value": False}, "inputs.x.value", "must be a number"),
    ({"dist": "fixed", "value": 1, "truncate": [0, 2]}, "inputs.x.truncate",
     "truncate applies to continuous distributions"),
    ({"dist": "choice", "values": []}, "inputs.x.values", "non-empty"),
    ({"dist": "choice", "values": 3}, "inputs.x.values", "must be a list of numbers"),
    ({"dist": "choice", "values": [1, True]}, "inputs.x.values[1]", "must be a number"),
    ({"dist": "choice", "values": [1, 2], "weights": [1]}, "inputs.x.weights", "one entry per value"),
    ({"dist": "choice", "values": [1, 2], "weights": [1, -1]}, "inputs.x.weights[1]", "non-negative"),
    ({"dist": "choice", "values": [1, 2], "weights": [0, 0]}, "inputs.x.weights", "not all be zero"),
    ({"dist": "choice", "values": [1, 2], "truncate": [0, 2]}, "inputs.x.truncate",
     "truncate applies to continuous distributions"),
    ({"dist": "uniform", "min": 0, "max": 1, "truncate": [2, 3]}, "inputs.x.truncate",
     "leaves no probability mass"),
    ({"dist": "uniform", "min": 0, "max": 1, "truncate": [0.5, 0.2]}, "inputs.x.truncate", "lo < hi"),
    ({"dist": "uniform", "min": 0, "max": 1, "truncate": [0.5]}, "inputs.x.truncate", "[lo, hi]"),
    ({"dist": "uniform", "min": 0, "max": 1, "truncate": 0.5}, "inputs.x.truncate", "list of numbers"),
    ({"dist": "uniform", "min": 0, "max": 1, "truncate": [0, "1"]}, "inputs.x.truncate[1]",
     "must be a number"),
]


@pytest.mark.parametrize(("table", "path", "fragment"), ERROR_CASES)
def test_invalid_tables_name_the_key(table, path, fragment):
    with pytest.raises(ScenarioError) as info:
        parse_distribution(table, "inputs.x")
    assert info.value.path == path
    assert fragment in info.value.message
    assert not info.value.message.endswith(".")


def test_non_table_is_an_error():
    with pytest.raises(ScenarioError) as info:
        parse_distribution(3, "inputs.x")  # type: ignore[arg-type]
    assert info.value.path == "inputs.x"


def test_direct_construction_validates_with_relative_path():
    with pytest.raises(ScenarioError) as info:
        Pert(0, 5, 2)
    assert info.value.path == "mode"


def test_objects_are_frozen_and_hashable():
    d = parse(dist="pert", min=1, mode=2, max=3)
    with pytest.raises(AttributeError):
        d.min = 0  # type: ignore[misc]
    assert {d, parse(dist="pert", min=1.0, mode=2.0, max=3.0)} == {d}
    assert isinstance(d, Continuous)


def test_exact_beta_inverse_where_betaincinv_fails():
    """Beta(a, 1) has CDF t**a, so its inverse is u**(1/a) (closed form): the bisection that
    stands in where scipy's betaincinv returns nan (b an ulp above 1, u an ulp below 1) meets it."""
    from ftrag_mc.distributions.fast_inverse import exact_beta_inverse

    a, b = 1.6202736168228151, 1.0000000000000002
    u = np.array([0.5, 0.9, 1 - 1e-12, 0.9999999999999999])
    np.testing.assert_allclose(exact_beta_inverse(a, b, u), u ** (1 / a), rtol=1e-14)
    assert np.isnan(exact_beta_inverse(a, b, np.array([np.nan])))[0]
