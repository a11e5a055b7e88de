"""Routing a product-group line: eligibility with reasons, the four policies, splitting."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orders.domain.pricing import Listing, Snapshot
from orders.domain.routing import RoutingContext, route

TODAY, NEEDED_BY = date(2026, 11, 25), date(2026, 12, 5)


def candidate(
    pid,
    enterprise,
    *,
    price=65000,
    lead=3,
    sigungu="41210",
    certified=True,
    listing=("BITSONE", "approved", "2027-06-30"),
    min_qty=1,
    capacity=None,
):
    return Snapshot(
        product_id=pid,
        product_version=1,
        sku=f"SKU-{pid}",
        name="포기김치 10kg",
        unit="박스",
        unit_price=price,
        tax_type="exempt",
        lead_time_days=lead,
        enterprise_id=enterprise,
        enterprise_name=f"{enterprise} 협동조합",
        enterprise_type="cooperative",
        certified=certified,
        min_order_qty=min_qty,
        weekly_capacity=capacity,
        sigungu_code=sigungu,
        listing=None
        if listing is None
        else Listing(listing[0], listing[1], date.fromisoformat(listing[2])),
    )


def ctx(policy="local_first", **kw):
    return RoutingContext(
        policy=policy,
        needed_by=NEEDED_BY,
        today=TODAY,
        delivery_sigungu=kw.pop("delivery_sigungu", "41210"),
        **kw,
    )


def reasons(result, pid):
    return next(
        [r["code"] for r in c["reasons"]] for c in result.explain() if c["product_id"] == pid
    )


def test_each_eligibility_rule_is_explained():
    pool = [
        candidate("ok", "e1"),
        candidate("unlisted", "e2", listing=None),
        candidate("lapsed", "e3", listing=("BITSONE", "approved", "2026-12-01")),
        candidate("uncertified", "e4", certified=False),
        candidate("slow", "e5", lead=30),
        candidate("full", "e6"),
        candidate("declined-before", "e7"),
    ]
    result = route(
        pool,
        10,
        ctx(
            brand_code="BITSONE", capacity_left={"full": 0}, excluded_enterprises=frozenset({"e7"})
        ),
    )
    assert [(a.snapshot.product_id, a.quantity) for a in result.allocations] == [("ok", 10)]
    assert reasons(result, "unlisted") == ["not_listed"]
    assert reasons(result, "lapsed") == ["not_listed"]  # expires before the delivery date
    assert reasons(result, "uncertified") == ["not_certified"]
    assert reasons(result, "slow") == ["lead_time"]
    assert reasons(result, "full") == ["no_capacity"]
    assert reasons(result, "declined-before") == ["excluded"]
    assert all(c["reasons"][0]["detail"] for c in result.explain() if c["reasons"])


def test_without_a_brand_listings_do_not_matter():
    result = route([candidate("a", "e1", listing=None)], 5, ctx())
    assert result.unallocated == 0


def test_local_first_prefers_same_sigungu_then_same_sido():
    pool = [
        candidate("far", "e1", sigungu="52710", price=100),
        candidate("sido", "e2", sigungu="41390", price=200),
        candidate("here", "e3", sigungu="41210", price=300),
    ]
    result = route(pool, 1, ctx("local_first"))
    assert [c["product_id"] for c in result.explain()] == ["here", "sido", "far"]
    assert reasons(result, "sido") == ["not_needed"]


def test_fair_share_prefers_who_sold_least_this_year():
    pool = [candidate("big", "e1"), candidate("small", "e2")]
    result = route(pool, 1, ctx("fair_share", fiscal_year_amounts={"e1": 9_000_000, "e2": 10}))
    assert result.allocations[0].snapshot.product_id == "small"


def test_lowest_price_and_fastest():
    pool = [
        candidate("cheap", "e1", price=60000, lead=5),
        candidate("quick", "e2", price=70000, lead=1),
    ]
    assert route(pool, 1, ctx("lowest_price")).allocations[0].snapshot.product_id == "cheap"
    assert route(pool, 1, ctx("fastest")).allocations[0].snapshot.product_id == "quick"


@pytest.mark.parametrize(
    ("policy", "figure"),
    [
        ("local_first", "납품지와 같은 시군구(41210)"),
        ("fair_share", "올해 배정액 10원"),
        ("lowest_price", "단가 60,000원"),
        ("fastest", "제작 기간 1일"),
    ],
)
def test_every_chosen_supplier_says_why_with_the_figures_compared(policy, figure):
    pool = [
        candidate("a", "e1", sigungu="41210", price=60000, lead=1),
        candidate("b", "e2", sigungu="52710", price=70000, lead=5),
    ]
    result = route(pool, 1, ctx(policy, fiscal_year_amounts={"e1": 10, "e2": 9_000_000}))

    (chosen,) = [c for c in result.explain() if c["allocated_quantity"]]
    (why,) = chosen["reasons"]
    assert why["code"] == f"policy_{policy}" and why["policy_rank"] == 1
    assert figure in why["detail"] and "1순위" in why["detail"]
    assert "다음 순위 e2 협동조합" in why["detail"]  # the figure it was compared with


def test_a_line_larger_than_one_capacity_is_split_in_rank_order():
    pool = [
        candidate("a", "e1", sigungu="41210"),
        candidate("b", "e2", sigungu="41390"),
        candidate("c", "e3", sigungu="52710"),
    ]
    result = route(pool, 250, ctx(capacity_left={"a": 100, "b": 100, "c": 100}))
    assert [(a.snapshot.product_id, a.quantity) for a in result.allocations] == [
        ("a", 100),
        ("b", 100),
        ("c", 50),
    ]
    assert result.unallocated == 0
    assert all(c["reasons"] for c in result.explain())


def test_what_nobody_can_supply_stays_unallocated():
    result = route([candidate("a", "e1")], 30, ctx(capacity_left={"a": 12}))
    assert result.unallocated == 18
    assert [a.quantity for a in result.allocations] == [12]


def test_a_remainder_below_the_minimum_order_skips_that_enterprise():
    pool = [
        candidate("a", "e1", sigungu="41210"),
        candidate("b", "e2", sigungu="41390", min_qty=50),
    ]
    result = route(pool, 110, ctx(capacity_left={"a": 100}))
    assert result.unallocated == 10
    assert reasons(result, "b") == ["below_minimum"]


def test_unknown_policy_is_a_programming_error():
    with pytest.raises(ValueError):
        route([candidate("a", "e1")], 1, ctx("random"))


@given(
    quantity=st.integers(1, 5000),
    capacities=st.lists(st.one_of(st.none(), st.integers(0, 2000)), min_size=1, max_size=8),
    policy=st.sampled_from(["local_first", "fair_share", "lowest_price", "fastest"]),
)
def test_allocations_never_exceed_capacity_and_always_add_up(quantity, capacities, policy):
    pool = [
        candidate(
            f"p{i}",
            f"e{i}",
            price=1000 + i * 7,
            lead=i % 4,
            sigungu=("41210", "41390", "52710")[i % 3],
        )
        for i in range(len(capacities))
    ]
    left = {f"p{i}": c for i, c in enumerate(capacities) if c is not None}
    result = route(pool, quantity, ctx(policy, capacity_left=left))
    assert sum(a.quantity for a in result.allocations) + result.unallocated == quantity
    for a in result.allocations:
        assert 0 < a.quantity <= left.get(a.snapshot.product_id, quantity)
    assert len({a.snapshot.product_id for a in result.allocations}) == len(result.allocations)
    if any(c is None for c in capacities):
        assert result.unallocated == 0
    assert route(pool, quantity, ctx(policy, capacity_left=left)) == result  # deterministic
