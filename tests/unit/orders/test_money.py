"""Whole-KRW money rules: supply, VAT = floor(10% of taxable supply), 면세 without VAT."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders.domain.money import ZERO, Amounts, invoice_amounts, line_supply


def test_line_supply_is_quantity_times_unit_price():
    assert line_supply(8, 3500) == 28_000
    assert line_supply(0, 3500) == 0
    assert line_supply(120, 0) == 0


def test_line_supply_is_exact_for_large_orders():
    # 999,999 boxes at 9,999,999원: beyond what a float can hold to the won
    assert line_supply(999_999, 9_999_999) == 9_999_989_000_001


@pytest.mark.parametrize(
    ("quantity", "unit_price"),
    [(8.0, 3500), (8, 3500.0), (8, 3499.5), (8, Decimal("3500")), ("8", 3500), (8, None)],
)
def test_non_integer_amounts_are_a_type_error(quantity, unit_price):
    with pytest.raises(TypeError):
        line_supply(quantity, unit_price)


@pytest.mark.parametrize(("quantity", "unit_price"), [(-1, 3500), (8, -3500), (-8, -3500)])
def test_negative_amounts_are_refused(quantity, unit_price):
    with pytest.raises(ValueError):
        line_supply(quantity, unit_price)


def test_vat_is_ten_percent_of_taxable_supply():
    # 국산콩 두부과자 200g 8봉 × 3,500원 = 28,000원 (과세)
    assert invoice_amounts([(8, 3500, "taxable")]) == Amounts(
        supply=28_000, vat=2_800, total=30_800
    )


@pytest.mark.parametrize(
    ("taxable", "vat"),
    [(12_345, 1_234), (19, 1), (9, 0), (99_999, 9_999), (1_000_009, 100_000)],
)
def test_vat_drops_the_fraction_of_a_won(taxable, vat):
    """원 미만 절사: floor, never rounded up, even at .9."""
    amounts = invoice_amounts([(1, taxable, "taxable")])

    assert amounts.vat == vat
    assert amounts.total == taxable + vat


def test_exempt_lines_carry_no_vat():
    # 포기김치 10kg 3박스 × 52,000원 (면세 농산물 가공품)
    assert invoice_amounts([(3, 52_000, "exempt")]) == Amounts(supply=156_000, vat=0, total=156_000)


def test_mixed_invoice():
    lines = [
        (8, 3_500, "taxable"),  # 국산콩 두부과자 200g  28,000원
        (8, 1_280, "taxable"),  # 현미 쌀과자 150g     10,240원
        (8, 1_250, "exempt"),  # 국산콩 두부 500g     10,000원
    ]

    amounts = invoice_amounts(lines)

    # VAT is 10% of the taxable 38,240원 only, not of the 48,240원 supply
    assert amounts == Amounts(supply=48_240, vat=3_824, total=52_064)


def test_vat_is_floored_on_the_taxable_sum_not_per_line():
    # each line alone would floor 1.5 → 1 (2원 in all); the invoice floors 3.0 → 3
    assert invoice_amounts([(1, 15, "taxable"), (1, 15, "taxable")]).vat == 3


def test_empty_invoice_is_zero():
    assert invoice_amounts([]) == ZERO == Amounts(0, 0, 0)


def test_amounts_are_plain_ints():
    amounts = invoice_amounts([(3, 1_999, "taxable"), (2, 5_000, "exempt")])

    assert all(type(v) is int for v in (amounts.supply, amounts.vat, amounts.total))


@pytest.mark.parametrize("tax_type", ["zero_rated", "과세", "면세", "TAXABLE", "", None])
def test_unknown_tax_type_is_refused(tax_type):
    with pytest.raises(ValueError):
        invoice_amounts([(1, 1_000, tax_type)])


def test_float_inside_an_invoice_is_a_type_error():
    with pytest.raises(TypeError):
        invoice_amounts([(1, 1_000, "taxable"), (2, 999.9, "exempt")])


def test_negative_inside_an_invoice_is_refused():
    with pytest.raises(ValueError):
        invoice_amounts([(1, 1_000, "taxable"), (-2, 500, "exempt")])


def test_amounts_add_field_by_field():
    assert Amounts(28_000, 2_800, 30_800) + Amounts(10_000, 0, 10_000) == Amounts(
        38_000, 2_800, 40_800
    )
    assert ZERO + Amounts(1, 0, 1) == Amounts(1, 0, 1)


@pytest.mark.parametrize("args", [(True, 1000), (3, False)])
def test_booleans_are_not_amounts(args):
    with pytest.raises(TypeError):
        line_supply(*args)
