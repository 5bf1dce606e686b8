"""Sums over months: the horizon-only running total is the same bits as the full cumulative rows."""

from __future__ import annotations

import numpy as np
import pytest

from ftrag_mc.model.month_sums import cumulative, cumulative_at


def test_a_small_case_by_hand() -> None:
    monthly = np.array([[1.0], [2.0], [4.0]])  # (H = 3, 1)
    discount = np.array([[1.0], [0.5], [0.25]])
    # t = 0: 10; then 10 + 1, 10 + 1 + 1, 10 + 1 + 1 + 1
    assert cumulative(monthly, discount, 10.0)[:, 0].tolist() == [10.0, 11.0, 12.0, 13.0]
    assert cumulative_at(monthly, discount, 10.0, [0, 2, 3])[:, 0].tolist() == [10.0, 12.0, 13.0]


@pytest.mark.parametrize("shapes", [((36, 500), (36, 1), (500,)), ((36, 500), (36, 500), ()),
                                    ((36, 1), (36, 500), (500,)), ((36, 1), (36, 1), (500,))])
@pytest.mark.parametrize("unit_discount", [True, False])
def test_horizon_sums_are_the_full_rows_bit_for_bit(shapes, unit_discount: bool) -> None:
    rng = np.random.default_rng(3)
    monthly_shape, discount_shape, first_shape = shapes
    monthly = rng.lognormal(5.0, 2.0, monthly_shape)
    discount = np.ones(discount_shape) if unit_discount else rng.uniform(0.9, 1.0, discount_shape)
    first = rng.lognormal(8.0, 1.0, first_shape)
    months = [12, 0, 36, 24, 1]
    full = cumulative(monthly, discount, first)
    at = cumulative_at(monthly, discount, first, months)
    assert at.shape == (len(months),) + full.shape[1:]
    assert np.array_equal(at, full[months])
