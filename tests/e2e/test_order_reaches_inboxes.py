"""All three services as real processes (gunicorn + Celery workers) on a real Redis:
an order placed over HTTP reaches both enterprises' inboxes, and nobody else's."""

import uuid
from datetime import date, timedelta

import pytest
import requests

from tests.support import infra
from tests.support.builders import enterprise_body, product_body

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def platform(service_config, jwt_keys, tmp_path_factory):
    running = infra.Platform(tmp_path_factory.mktemp("e2e"), service_config["REDIS_URL"], jwt_keys)
    try:
        running.start()
        yield running.urls
    finally:
        running.stop()


def test_order_placed_over_http_reaches_both_enterprises_inboxes(platform, token):
    catalog, orders, notify = platform["catalog"], platform["orders"], platform["notify"]
    admin = token("admin")

    def post(url, body, headers):
        response = requests.post(url, json=body, headers=headers, timeout=30)
        assert response.status_code == 201, response.text
        return response.json()

    tofu = post(f"{catalog}/v1/enterprises", enterprise_body(name="광명두부마을 협동조합"), admin)
    kimchi = post(
        f"{catalog}/v1/enterprises",
        enterprise_body(
            name="완주 김치 마을기업", enterprise_type="village_enterprise", sigungu_code="52710"
        ),
        admin,
    )
    bystander = post(f"{catalog}/v1/enterprises", enterprise_body(name="전주 자활 비누"), admin)
    snack = post(
        f"{catalog}/v1/products",
        product_body(name="두부과자 200g"),
        token("enterprise", tofu["id"]),
    )  # an operator adds its own product
    kimchi10 = post(
        f"{catalog}/v1/products",
        product_body(
            kimchi["id"], name="포기김치 10kg", unit_price=65000, tax_type="exempt", unit="박스"
        ),
        admin,
    )

    city = post(
        f"{orders}/v1/institutions",
        {
            "name": "광명시청",
            "kind": "지자체",
            "sido_code": "41",
            "sigungu_code": "41210",
            "departments": ["총무과"],
        },
        admin,
    )
    buyer = token("buyer", city["id"], dept="총무과")
    order = requests.post(
        f"{orders}/v1/orders",
        json={
            "delivery_address": "경기도 광명시 시청로 20",
            "needed_by": (date.today() + timedelta(days=7)).isoformat(),
            "lines": [
                {"product_id": snack["id"], "quantity": 40},
                {"product_id": kimchi10["id"], "quantity": 2},
            ],
        },
        headers={**buyer, "Idempotency-Key": str(uuid.uuid4()), "X-Request-ID": "e2e-order-1"},
        timeout=30,
    )
    assert order.status_code == 201, order.text
    assert order.headers["X-Request-ID"] == "e2e-order-1"
    supplier_orders = {so["enterprise_id"]: so["id"] for so in order.json()["supplier_orders"]}
    assert set(supplier_orders) == {tofu["id"], kimchi["id"]}

    def inbox(org, role="enterprise"):
        response = requests.get(f"{notify}/v1/inbox", headers=token(role, org), timeout=10)
        assert response.status_code == 200, response.text
        return response.json()["items"]

    for enterprise, name in ((tofu, "두부과자 200g"), (kimchi, "포기김치 10kg")):
        items = infra.wait_for(
            lambda e=enterprise: inbox(e["id"]), timeout=60, what=f"{enterprise['name']}'s inbox"
        )
        (item,) = items
        assert item["event_type"] == "supplier_order.created"
        assert item["subject_id"] == supplier_orders[enterprise["id"]]
        assert name in item["title"]
    institution = infra.wait_for(
        lambda: inbox(city["id"], "buyer"), timeout=60, what="the institution's inbox"
    )
    assert institution[0]["event_type"] == "order.placed"
    assert inbox(bystander["id"]) == []

    # the enterprise sees its own supplier order in orders, and not another's
    own = requests.get(
        f"{orders}/v1/supplier-orders/{supplier_orders[tofu['id']]}",
        headers=token("enterprise", tofu["id"]),
        timeout=10,
    )
    assert own.status_code == 200 and own.json()["lines"][0]["name"] == "두부과자 200g"
    foreign = requests.get(
        f"{orders}/v1/supplier-orders/{supplier_orders[kimchi['id']]}",
        headers=token("enterprise", tofu["id"]),
        timeout=10,
    )
    assert foreign.status_code == 404
