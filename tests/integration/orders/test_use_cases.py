"""Placing orders and opening group orders through the use cases, catalog faked in memory."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gachi_kit.dates import today_kst
from gachi_kit.domain_errors import TemporaryFailure
from gachi_kit.errors import Problem
from gachi_kit.events import utcnow
from orders.adapters.models import Order, RoutingDecision
from orders.services import placing
from orders.services.group_orders import organising
from tests.support.fake_catalog import listed, snapshot

NEEDED_BY = today_kst() + timedelta(days=14)


def order_fields(*lines, brand_code=None, **more):
    return {
        "delivery_address": "경기도 광명시 시청로 20 광명시청 총무과",
        "delivery_sigungu_code": "41210",
        "needed_by": NEEDED_BY,
        "brand_code": brand_code,
        "memo": "",
        "lines": list(lines),
    } | more


def place(wiring, buyer, fields):
    return placing.place_order(
        wiring, fields, buyer, idempotency_key=str(uuid.uuid4()), raw_body=str(fields)
    ).resource


def orders_written(wiring) -> int:
    with wiring.db.reading() as session:
        return session.scalar(select(func.count()).select_from(Order))


@pytest.fixture
def kimchi_group(fake_catalog):
    """포기김치 10kg from three enterprises; only 광명 and 시흥 are listed under 비츠원."""
    until = NEEDED_BY + timedelta(days=200)
    fake_catalog.add_brand("BITSONE", routing_policy="lowest_price", acceptance_hours=48)
    fake_catalog.add_group(
        "KIMCHI-POGI-10KG",
        "포기김치 10kg",
        "박스",
        [
            snapshot(
                "p-gm",
                "e-gm",
                name="포기김치 10kg",
                unit="박스",
                unit_price=65000,
                tax_type="exempt",
                listing=listed("BITSONE", until),
            ),
            snapshot(
                "p-sh",
                "e-sh",
                name="포기김치 10kg",
                unit="박스",
                unit_price=62000,
                tax_type="exempt",
                sigungu_code="41390",
                listing=listed("BITSONE", until),
            ),
            snapshot(
                "p-wj",
                "e-wj",
                name="포기김치 10kg",
                unit="박스",
                unit_price=50000,
                tax_type="exempt",
                sigungu_code="52710",
            ),
        ],
    )


def test_a_branded_order_asks_catalog_once_and_takes_the_brands_terms(
    wiring, fake_catalog, buyer, kimchi_group
):
    order = place(
        wiring,
        buyer,
        order_fields({"group_code": "KIMCHI-POGI-10KG", "quantity": 40}, brand_code="BITSONE"),
    )

    assert fake_catalog.calls == ["price"]
    assert (order.routing_policy, order.acceptance_hours) == ("lowest_price", 48)
    # lowest price among the listed: 시흥 (62,000), not 완주 (50,000, not listed)
    (supplier_order,) = order.supplier_orders
    assert supplier_order.enterprise_id == "e-sh"
    assert supplier_order.total_amount == 40 * 62000  # 면세: no VAT
    with wiring.db.reading() as session:
        (decision,) = session.scalars(select(RoutingDecision)).all()
    reasons = {c["product_id"]: [r["code"] for r in c["reasons"]] for c in decision.candidates}
    assert reasons == {
        "p-sh": ["policy_lowest_price"],
        "p-gm": ["not_needed"],
        "p-wj": ["not_listed"],
    }


def test_a_catalog_without_brand_terms_in_pricing_gets_a_second_call(
    wiring, fake_catalog, buyer, kimchi_group
):
    fake_catalog.sends_brand_terms = False

    order = place(
        wiring,
        buyer,
        order_fields({"group_code": "KIMCHI-POGI-10KG", "quantity": 5}, brand_code="BITSONE"),
    )

    assert fake_catalog.calls == ["price", "brand_terms"]
    assert (order.routing_policy, order.acceptance_hours) == ("lowest_price", 48)


def test_an_unbranded_order_uses_the_default_terms(wiring, fake_catalog, buyer):
    fake_catalog.add_product(snapshot("p-tofu", "e-gm", unit_price=3333))

    order = place(wiring, buyer, order_fields({"product_id": "p-tofu", "quantity": 3}))

    assert fake_catalog.calls == ["price"]
    assert order.routing_policy == wiring.settings.default_routing_policy
    assert order.acceptance_hours == wiring.settings.default_acceptance_hours
    assert (order.supply_amount, order.vat_amount, order.total_amount) == (9999, 999, 10998)


def test_a_product_too_slow_for_the_delivery_date_is_refused(wiring, fake_catalog, buyer):
    fake_catalog.add_product(snapshot("p-slow", "e-gm", lead_time_days=30))

    with pytest.raises(Problem) as refused:
        place(wiring, buyer, order_fields({"product_id": "p-slow", "quantity": 1}))

    assert refused.value.code == "order_lines_invalid"
    assert refused.value.errors["lines"]["0"]["code"] == "lead_time_not_met"
    assert orders_written(wiring) == 0


def test_catalog_down_is_a_temporary_failure_and_nothing_is_written(wiring, fake_catalog, buyer):
    """The use case lets the outage through as a TemporaryFailure: the route answers 503
    (api/errors.py), a closing group order retries next minute."""
    fake_catalog.add_product(snapshot("p-tofu", "e-gm"))
    fake_catalog.down = True

    with pytest.raises(TemporaryFailure):
        place(wiring, buyer, order_fields({"product_id": "p-tofu", "quantity": 1}))

    assert orders_written(wiring) == 0


def test_an_unknown_brand_is_a_field_error(wiring, fake_catalog, buyer):
    fake_catalog.add_product(snapshot("p-tofu", "e-gm"))

    with pytest.raises(Problem) as refused:
        place(
            wiring,
            buyer,
            order_fields({"product_id": "p-tofu", "quantity": 1}, brand_code="NOWHERE"),
        )

    assert refused.value.code == "unknown_brand"
    assert "brand_code" in refused.value.errors


def test_a_group_order_prices_a_minimum_order_product_again_at_the_cap(wiring, fake_catalog, buyer):
    fake_catalog.add_product(snapshot("p-bulk", "e-gm", min_order_qty=50, unit_price=1200))
    fields = {
        "title": "복지관 김장 나눔 단체 구매",
        "items": [{"product_id": "p-bulk"}],
        "deadline": utcnow() + timedelta(days=3),
        "minimum_quantity": 50,
        "needed_by": NEEDED_BY,
        "delivery_address": "경기도 광명시 오리로 613",
        "delivery_sigungu_code": "41210",
        "brand_code": None,
        "memo": "",
    }

    created = organising.open_group_order(
        wiring, fields, buyer, idempotency_key=str(uuid.uuid4()), raw_body=str(fields)
    )

    assert fake_catalog.calls == ["price", "price"]
    (item,) = created.resource.items
    assert (item.product_id, item.unit_price, item.total_quantity) == ("p-bulk", 1200, 0)
