"""Splitting an order into one supplier order (tax invoice) per enterprise."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from orders.domain.money import Amounts
from orders.domain.pricing import Snapshot
from orders.domain.split import PricedLine, split_by_enterprise

ENTERPRISES = ("ent-gm-tofu", "ent-wj-kimchi", "ent-jb-rice", "ent-gm-bakery")


def _line(line_no: int, enterprise_id: str, quantity: int, unit_price: int, tax_type: str):
    return PricedLine(
        line_no=line_no,
        quantity=quantity,
        snapshot=Snapshot(
            product_id=f"product-{line_no}",
            product_version=1,
            sku=f"SKU-{line_no}",
            name=f"품목 {line_no}",
            unit="개",
            unit_price=unit_price,
            tax_type=tax_type,
            lead_time_days=3,
            enterprise_id=enterprise_id,
            enterprise_name=f"{enterprise_id} 협동조합",
            enterprise_type="cooperative",
            certified=True,
        ),
    )


def _lines(specs) -> list[PricedLine]:
    return [
        _line(index + 1, enterprise, quantity, price, tax)
        for index, (quantity, price, tax, enterprise) in enumerate(specs)
    ]


# --- examples -------------------------------------------------------------------------


def test_two_enterprises_interleaved():
    lines = [
        _line(1, "ent-gm-tofu", 8, 3_500, "taxable"),  # 두부과자 28,000
        _line(2, "ent-wj-kimchi", 3, 52_000, "exempt"),  # 포기김치 10kg 156,000
        _line(3, "ent-gm-tofu", 8, 1_280, "taxable"),  # 쌀과자 10,240
        _line(4, "ent-gm-tofu", 8, 1_250, "exempt"),  # 두부 10,000
    ]

    split = split_by_enterprise(lines)

    tofu, kimchi = split.parts
    assert tofu.enterprise_id == "ent-gm-tofu"
    assert [ln.line_no for ln in tofu.lines] == [1, 3, 4]
    assert tofu.amounts == Amounts(supply=48_240, vat=3_824, total=52_064)
    assert kimchi.enterprise_id == "ent-wj-kimchi"
    assert [ln.line_no for ln in kimchi.lines] == [2]
    assert kimchi.amounts == Amounts(supply=156_000, vat=0, total=156_000)
    assert split.amounts == Amounts(supply=204_240, vat=3_824, total=208_064)


def test_vat_is_computed_per_supplier_order():
    """Each supplier order is its own tax invoice, so each floors its own VAT."""
    lines = [_line(1, "ent-a", 1, 15, "taxable"), _line(2, "ent-b", 1, 15, "taxable")]

    split = split_by_enterprise(lines)

    assert [p.amounts.vat for p in split.parts] == [1, 1]
    assert split.amounts.vat == 2  # not floor(30 × 10%) = 3: the order is the sum of invoices


def test_one_enterprise_gives_one_part_equal_to_the_order():
    lines = [_line(1, "ent-a", 2, 10_000, "taxable"), _line(2, "ent-a", 5, 2_000, "exempt")]

    split = split_by_enterprise(lines)

    assert len(split.parts) == 1
    assert split.parts[0].amounts == split.amounts == Amounts(30_000, 2_000, 32_000)


def test_no_lines_no_parts():
    split = split_by_enterprise([])

    assert split.parts == ()
    assert split.amounts == Amounts(0, 0, 0)


def test_line_supply_comes_from_the_snapshot_price():
    assert _line(1, "ent-a", 12, 4_500, "taxable").supply == 54_000
    assert _line(1, "ent-a", 12, 4_500, "taxable").enterprise_id == "ent-a"


# --- properties ------------------------------------------------------------------------

line_specs = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=10**6),
        st.integers(min_value=0, max_value=10**7),
        st.sampled_from(["taxable", "exempt"]),
        st.sampled_from(ENTERPRISES),
    ),
    max_size=40,
)


@given(line_specs)
def test_parts_add_up_exactly_to_the_order(specs):
    split = split_by_enterprise(_lines(specs))

    assert sum(p.amounts.supply for p in split.parts) == split.amounts.supply
    assert sum(p.amounts.vat for p in split.parts) == split.amounts.vat
    assert sum(p.amounts.total for p in split.parts) == split.amounts.total
    assert split.amounts.supply == sum(q * price for q, price, _, _ in specs)


@given(line_specs)
def test_each_part_is_a_correct_tax_invoice_of_its_own_lines(specs):
    split = split_by_enterprise(_lines(specs))

    for part in split.parts:
        supply = sum(ln.quantity * ln.snapshot.unit_price for ln in part.lines)
        taxable = sum(
            ln.quantity * ln.snapshot.unit_price
            for ln in part.lines
            if ln.snapshot.tax_type == "taxable"
        )
        assert part.amounts.supply == supply == sum(ln.supply for ln in part.lines)
        assert part.amounts.vat == taxable // 10
        assert part.amounts.total == supply + taxable // 10
        assert {ln.enterprise_id for ln in part.lines} == {part.enterprise_id}


@given(line_specs)
def test_every_line_appears_exactly_once_in_input_order(specs):
    lines = _lines(specs)

    split = split_by_enterprise(lines)

    placed = [ln for part in split.parts for ln in part.lines]
    assert Counter(ln.line_no for ln in placed) == Counter(ln.line_no for ln in lines)
    assert all(any(ln is orig for orig in lines) for ln in placed)
    for part in split.parts:
        numbers = [ln.line_no for ln in part.lines]
        assert numbers == sorted(numbers)


@given(line_specs)
def test_parts_follow_first_appearance_one_per_enterprise(specs):
    lines = _lines(specs)

    split = split_by_enterprise(lines)

    assert [p.enterprise_id for p in split.parts] == list(
        dict.fromkeys(ln.enterprise_id for ln in lines)
    )
    assert all(p.lines for p in split.parts)


@given(line_specs)
def test_all_amounts_are_non_negative_ints(specs):
    split = split_by_enterprise(_lines(specs))

    for amounts in [split.amounts, *(p.amounts for p in split.parts)]:
        for value in (amounts.supply, amounts.vat, amounts.total):
            assert type(value) is int
            assert value >= 0
        assert amounts.total == amounts.supply + amounts.vat
        assert amounts.vat <= amounts.supply // 10


@given(line_specs)
def test_split_is_deterministic(specs):
    assert split_by_enterprise(_lines(specs)) == split_by_enterprise(_lines(specs))
