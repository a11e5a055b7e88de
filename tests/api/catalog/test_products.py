"""Products: every field, bad input, edits with versions and price history, who may do what."""

import pytest

from catalog.adapters.models import OutboxMessage, PriceHistory, Product
from tests.support.builders import create_product, product_body
from tests.support.catalog_builders import count, create_group, events


def test_create_with_every_field_records_history_and_event(client, admin, tofu):
    create_group(client, admin, code="TOFU-SNACK-200G", name="두부과자 200g", unit="봉")
    body = product_body(
        tofu["id"],
        stock=120,
        weekly_capacity=500,
        image_urls=["https://cdn.gachi.kr/tofu.jpg"],
        tags=["간식", "국산콩"],
        group_code="TOFU-SNACK-200G",
        status="draft",
    )
    response = client.post("/v1/products", json=body, headers=admin)
    assert response.status_code == 201, response.get_json()
    product = response.get_json()
    assert product["version"] == 1
    assert (product["stock"], product["weekly_capacity"]) == (120, 500)
    assert product["category_label"] == "식품" and product["tax_type_label"] == "과세"
    assert product["group_code"] == "TOFU-SNACK-200G"
    assert product["enterprise_name"] == "광명두부마을 협동조합"

    history = client.get(f"/v1/products/{product['id']}/price-history", headers=admin)
    assert [(h["version"], h["unit_price"]) for h in history.get_json()["items"]] == [(1, 3500)]
    (event,) = events(client.application, "product.created")
    assert event.data["product_id"] == product["id"] and event.data["status"] == "draft"


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"unit_price": -1}, "validation_failed", "unit_price"),
        ({"unit_price": 3500.5}, "validation_failed", "unit_price"),
        ({"unit_price": 3500.0}, "validation_failed", "unit_price"),  # KRW are integers
        ({"unit_price": "3500"}, "validation_failed", "unit_price"),
        ({"unit_price": True}, "validation_failed", "unit_price"),
        ({"min_order_qty": 0}, "validation_failed", "min_order_qty"),
        ({"stock": -5}, "validation_failed", "stock"),
        ({"category": "weapons"}, "unknown_category", "category"),
        ({"group_code": "NO-SUCH-GROUP"}, "unknown_product_group", "group_code"),
        ({"image_urls": ["http://cdn.gachi.kr/a.jpg"]}, "validation_failed", "image_urls"),
        ({"image_urls": ["javascript:alert(1)"]}, "validation_failed", "image_urls"),
        ({"image_urls": ["https:///nohost.jpg"]}, "validation_failed", "image_urls"),
        ({"tax_type": "vat"}, "validation_failed", "tax_type"),
        ({"status": "discontinued"}, "validation_failed", "status"),  # not at creation
        ({"version": 7}, "validation_failed", "version"),  # not writable
        ({"search_text": "x"}, "validation_failed", "search_text"),
    ],
)
def test_bad_product_input_is_422_and_writes_nothing(client, admin, tofu, overrides, code, field):
    response = client.post(
        "/v1/products", json=product_body(tofu["id"], **overrides), headers=admin
    )
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == code
    assert field in response.get_json()["errors"]
    assert count(client.application, Product) == 0
    assert count(client.application, OutboxMessage) == 1  # the registration only


def test_material_edit_bumps_version_and_price_history(client, admin, tofu, token):
    product = create_product(client, admin, tofu["id"], unit_price=3500)
    operator = token("enterprise", tofu["id"])
    url = f"/v1/products/{product['id']}"

    stock = client.patch(url, json={"stock": 10, "lead_time_days": 5}, headers=operator)
    assert stock.status_code == 200, stock.get_json()
    assert stock.get_json()["version"] == 1  # not material

    price = client.patch(url, json={"unit_price": 3800, "tags": ["할인"]}, headers=operator)
    assert price.get_json()["version"] == 2
    name = client.patch(url, json={"name": "국산콩 두부과자 250g"}, headers=admin)
    assert name.get_json()["version"] == 3
    images = client.patch(url, json={"image_urls": ["https://cdn.gachi.kr/b.jpg"]}, headers=admin)
    assert images.get_json()["version"] == 4
    same = client.patch(url, json={"unit_price": 3800, "stock": 10}, headers=operator)
    assert same.get_json()["version"] == 4  # the current values: no change at all

    history = client.get(f"{url}/price-history", headers=token("buyer", "I")).get_json()["items"]
    assert [(h["version"], h["unit_price"]) for h in history] == [(2, 3800), (1, 3500)]
    updates = events(client.application, "product.updated")
    assert [e.data["version"] for e in updates] == [1, 2, 3, 4]
    assert updates[0].data["material_fields"] == []
    assert updates[0].data["changed_fields"] == ["lead_time_days", "stock"]
    assert updates[1].data["material_fields"] == ["unit_price"]
    assert updates[1].data["unit_price"] == {"old": 3500, "new": 3800}
    assert (updates[1].data["previous_version"], updates[1].data["version"]) == (1, 2)
    assert updates[2].data["material_fields"] == ["name"]


def test_discontinue_and_clear_optional_fields(client, admin, tofu):
    product = create_product(client, admin, tofu["id"], stock=3, weekly_capacity=100)
    response = client.patch(
        f"/v1/products/{product['id']}",
        json={"status": "discontinued", "stock": None, "weekly_capacity": None},
        headers=admin,
    )
    body = response.get_json()
    assert (body["status"], body["stock"], body["weekly_capacity"]) == ("discontinued", None, None)


@pytest.mark.parametrize(
    "body",
    [{"sku": "NEW"}, {"enterprise_id": "X"}, {"version": 9}, {"unit_price": -3}, {}],
)
def test_patch_refuses_identity_fields_and_bad_values(client, admin, tofu, body):
    product = create_product(client, admin, tofu["id"])
    response = client.patch(f"/v1/products/{product['id']}", json=body, headers=admin)
    assert response.status_code == 422
    assert events(client.application, "product.updated") == []


def test_operator_touching_another_enterprises_product_gets_404(client, admin, tofu, other, token):
    theirs = create_product(client, admin, other["id"], unit_price=65000)
    mine = token("enterprise", tofu["id"])
    url = f"/v1/products/{theirs['id']}"
    response = client.patch(url, json={"unit_price": 1}, headers=mine)
    assert response.status_code == 404 and response.get_json()["code"] == "product_not_found"
    assert client.get(url, headers=admin).get_json()["unit_price"] == 65000
    creating = client.post("/v1/products", json=product_body(other["id"]), headers=mine)
    assert creating.status_code == 403 and creating.get_json()["code"] == "forbidden_enterprise"
    assert events(client.application, "product.updated") == []


def test_drafts_are_seen_only_by_their_enterprise_admins_and_committee(
    client, admin, tofu, other, token
):
    draft = create_product(client, admin, tofu["id"], status="draft")
    url = f"/v1/products/{draft['id']}"
    for headers in (admin, token("enterprise", tofu["id"]), token("committee", "C")):
        assert client.get(url, headers=headers).status_code == 200
    for headers in (token("enterprise", other["id"]), token("buyer", "I")):
        assert client.get(url, headers=headers).status_code == 404
        assert client.get(f"{url}/price-history", headers=headers).status_code == 404
    assert client.get(url).status_code == 401


def test_get_shows_listings_with_whether_the_product_carries_the_brand(client, admin, tofu):
    from datetime import date, timedelta

    from tests.support.catalog_builders import approve, certify, create_brand

    product = create_product(client, admin, tofu["id"])
    create_brand(client, admin)
    approve(client, admin, "BITSONE", product["id"], date.today() + timedelta(days=90))
    detail = client.get(f"/v1/products/{product['id']}", headers=admin).get_json()
    (listing,) = detail["listings"]
    assert (listing["brand_code"], listing["brand_name"], listing["status"]) == (
        "BITSONE",
        "비츠원",
        "approved",
    )
    assert listing["carries_brand"] is False  # the enterprise is not certified yet
    certify(client, admin, tofu["id"])
    detail = client.get(f"/v1/products/{product['id']}", headers=admin).get_json()
    assert detail["listings"][0]["carries_brand"] is True


def test_price_history_of_an_unknown_product_is_404(client, admin):
    response = client.get("/v1/products/NOPE/price-history", headers=admin)
    assert response.status_code == 404
    assert count(client.application, PriceHistory) == 0


def test_the_database_refuses_a_category_outside_the_managed_list(client, admin, tofu):
    """The use cases answer 422 first; the foreign key holds even for a write around them."""
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError

    product = create_product(client, admin, tofu["id"])
    db = client.application.extensions["catalog"].db
    with pytest.raises(IntegrityError), db.transaction() as session:
        session.execute(
            update(Product).where(Product.id == product["id"]).values(category="no-such")
        )
    assert client.get(f"/v1/products/{product['id']}", headers=admin).get_json()["category"] == (
        "food"
    )
