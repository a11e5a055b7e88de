"""Largest-remainder apportioning: exact whole KRW, never lost, never invented."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orders.domain.shares import apportion

# --- examples -------------------------------------------------------------------------


def test_even_split_has_no_remainder():
    assert apportion(30_000, [1, 1, 1]) == [10_000, 10_000, 10_000]


def test_the_won_left_over_goes_to_the_largest_remainder():
    # 10,000 × 1/3, 2/3 … but with weights 1, 2: exact 3,333.33 and 6,666.67
    assert apportion(10_000, [1, 2]) == [3_333, 6_667]


def test_ties_go_to_the_earlier_weight():
    assert apportion(10, [1, 1, 1]) == [4, 3, 3]
    assert apportion(2, [1, 1, 1]) == [1, 1, 0]


def test_vat_of_a_supplier_order_over_three_households():
    # 두부과자 VAT 4,733원 over taxable supplies 16,665 / 23,331 / 7,335 (Σ 47,331)
    parts = apportion(4_733, [16_665, 23_331, 7_335])
    assert parts == [1_666, 2_333, 734]
    assert sum(parts) == 4_733


def test_zero_weights_get_nothing():
    assert apportion(7, [0, 3, 0, 4]) == [0, 3, 0, 4]
    assert apportion(5, [0, 1, 0]) == [0, 5, 0]


def test_nothing_to_split():
    assert apportion(0, [3, 4]) == [0, 0]
    assert apportion(0, [0, 0]) == [0, 0]
    assert apportion(0, []) == []


def test_large_amounts_stay_exact():
    # beyond what a float can hold to the won
    total = 9_999_989_000_001
    parts = apportion(total, [1, 1, 1, 7])
    assert sum(parts) == total
    assert parts[3] == total * 7 // 10 + (1 if (total * 7) % 10 >= 5 else 0)


@pytest.mark.parametrize(
    ("total", "weights", "error"),
    [
        (-1, [1], ValueError),
        (10, [1, -1], ValueError),
        (10, [0, 0], ValueError),
        (10, [], ValueError),
        (10.0, [1], TypeError),
        (10, [1.5], TypeError),
        (10, [True], TypeError),
        ("10", [1], TypeError),
    ],
)
def test_refuses_what_cannot_be_apportioned(total, weights, error):
    with pytest.raises(error):
        apportion(total, weights)


# --- properties -----------------------------------------------------------------------

totals = st.integers(min_value=0, max_value=10**15)
positive_weights = st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=60)


@given(totals, positive_weights)
def test_parts_are_whole_non_negative_and_add_up_exactly(total, weights):
    parts = apportion(total, weights)
    assert len(parts) == len(weights)
    assert all(isinstance(p, int) and p >= 0 for p in parts)
    assert sum(parts) == total


@given(totals, positive_weights)
def test_each_part_is_within_one_won_of_its_exact_share(total, weights):
    whole = sum(weights)
    for part, weight in zip(apportion(total, weights), weights, strict=True):
        exact = Fraction(total * weight, whole)
        assert abs(part - exact) < 1


@given(totals, positive_weights)
def test_same_input_same_parts(total, weights):
    assert apportion(total, weights) == apportion(total, list(weights))


@given(totals, positive_weights)
def test_a_larger_weight_never_gets_less(total, weights):
    parts = apportion(total, weights)
    for i in range(len(weights)):
        for j in range(len(weights)):
            if weights[i] > weights[j]:
                assert parts[i] >= parts[j]


@given(totals, st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=30))
def test_zero_weights_get_zero_and_the_rest_still_adds_up(total, weights):
    if sum(weights) == 0:
        weights = [*weights, 1]
    parts = apportion(total, weights)
    assert sum(parts) == total
    assert all(p == 0 for p, w in zip(parts, weights, strict=True) if w == 0)
