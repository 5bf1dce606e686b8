"""Analyses against hand numbers and scipy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from ftrag_mc.analysis import compute_payback_months, crossing_volume, quantiles, wilson_interval


@pytest.mark.parametrize("k,n", [(0, 20), (1, 20), (7, 20), (20, 20), (4_321, 20_000), (1, 1_000_000)])
def test_wilson_interval_matches_scipy(k: int, n: int) -> None:
    expected = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    low, high = wilson_interval(k, n)
    assert low == pytest.approx(expected.low, abs=1e-12)
    assert high == pytest.approx(expected.high, abs=1e-12)


def test_payback_months_by_hand() -> None:
    # Support classifier: $2,200 up front, $350/month saving -> 2200/350 = 6.2857 months.
    months = np.arange(37)
    delta = np.stack([
        2200 - 350.0 * months,          # pays back inside month 7
        -10 + 0.0 * months,             # cheaper from t = 0
        100 + 1.0 * months,             # never
        np.where(months < 3, 50.0, -5.0),   # crosses at the end of month 3: 2 + 50/55
    ])
    got = compute_payback_months(delta)
    assert got[0] == pytest.approx(2200 / 350)
    assert got[1] == 0.0
    assert np.isinf(got[2])
    assert got[3] == pytest.approx(2 + 50 / 55)


def test_crossing_volume_interpolates_in_log_volume() -> None:
    volumes = np.array([1e3, 1e4, 1e5])
    # 0.25 at 1e4 and 0.75 at 1e5: halfway in log10 is 10**4.5.
    assert crossing_volume(volumes, np.array([0.0, 0.25, 0.75])) == pytest.approx(10**4.5)
    assert np.isnan(crossing_volume(volumes, np.array([0.6, 0.7, 0.8])))   # above 50 % from the start
    assert np.isnan(crossing_volume(volumes, np.array([0.1, 0.2, 0.3])))   # never reaches it


def test_quantiles_treat_never_as_infinite() -> None:
    x = np.array([1.0, 2.0, 3.0, np.inf, np.inf])
    q = quantiles(x, [0.0, 0.5, 0.75, 1.0])
    assert q[0] == 1.0 and q[1] == 3.0
    assert np.isinf(q[2]) and np.isinf(q[3])
