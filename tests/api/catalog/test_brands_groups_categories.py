"""Brands (and the read side of listings), product groups and the managed category list."""

from datetime import timedelta

import pytest

from catalog.adapters.models import Brand, BrandListing, Category, ProductGroup
from gachi_kit.dates import today_kst
from tests.support.builders import create_product
from tests.support.catalog_builders import (
    approve,
    brand_body,
    certify,
    count,
    create_brand,
    create_group,
    events,
    group_body,
)

# -- brands ----------------------------------------------------------------------------------


def test_brand_create_read_update(client, admin, token):
    created = create_brand(client, admin)
    assert created["routing_policy"] == "local_first"
    assert (created["acceptance_hours"], created["price_tolerance_percent"]) == (24, 10)
    assert (created["sido_name"], created["sigungu_name"]) == ("경기도", "광명시")
    jahwal = create_brand(
        client,
        admin,
        code="JB-JAHWAL",
        name="자활생산품",
        sido_code="52",
        sigungu_code=None,
        routing_policy="fair_share",
        acceptance_hours=48,
        criteria=[],
    )
    assert jahwal["sigungu_code"] is None and jahwal["sido_name"] == "전북특별자치도"

    service = token("service")
    one = client.get("/v1/brands/BITSONE", headers=service).get_json()
    assert (one["routing_policy"], one["acceptance_hours"]) == ("local_first", 24)
    assert [c["code"] for c in one["criteria"]] == ["locality", "quality"]
    listed = client.get("/v1/brands", headers=token("buyer", "I")).get_json()["items"]
    assert [b["code"] for b in listed] == ["BITSONE", "JB-JAHWAL"]

    changed = client.patch(
        "/v1/brands/BITSONE",
        json={"routing_policy": "fastest", "acceptance_hours": 12},
        headers=admin,
    )
    assert changed.status_code == 200
    assert (changed.get_json()["routing_policy"], changed.get_json()["acceptance_hours"]) == (
        "fastest",
        12,
    )
    missing = client.get("/v1/brands/NOPE", headers=service)
    assert missing.status_code == 404 and missing.get_json()["code"] == "brand_not_found"


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"sido_code": "99"}, "unknown_region", "sido_code"),
        ({"sigungu_code": "52710"}, "unknown_region", "sigungu_code"),  # not in 경기도
        ({"routing_policy": "random"}, "validation_failed", "routing_policy"),
        ({"acceptance_hours": 0}, "validation_failed", "acceptance_hours"),
        ({"acceptance_hours": 24.5}, "validation_failed", "acceptance_hours"),
        ({"code": "bitsone"}, "validation_failed", "code"),
        (
            {"criteria": [{"code": "a", "name": "A", "weight": 1}] * 2},
            "validation_failed",
            "criteria",
        ),
        ({"criteria": [{"code": "a", "name": "A", "weight": 0}]}, "validation_failed", "criteria"),
        ({"listing_validity_months": 0}, "validation_failed", "listing_validity_months"),
    ],
)
def test_bad_brand_input(client, admin, overrides, code, field):
    response = client.post("/v1/brands", json=brand_body(**overrides), headers=admin)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["code"] == code and field in response.get_json()["errors"]
    assert count(client.application, Brand) == 0


def test_duplicate_brand_is_409(client, admin):
    create_brand(client, admin)
    again = client.post("/v1/brands", json=brand_body(), headers=admin)
    assert again.status_code == 409 and again.get_json()["code"] == "brand_exists"


def test_recorded_approval_and_what_carries_the_brand(client, admin, tofu, other, token):
    create_brand(client, admin)
    certify(client, admin, tofu["id"])
    snack = create_product(client, admin, tofu["id"], name="두부과자 200g", description="")
    walnut = create_product(client, admin, tofu["id"], name="호두과자", description="")
    kimchi = create_product(
        client, admin, other["id"], name="포기김치", description=""
    )  # uncertified

    recorded = approve(client, admin, "BITSONE", snack["id"])  # default: today + 24 months
    assert recorded["status"] == "approved"
    assert recorded["valid_until"] > (today_kst() + timedelta(days=700)).isoformat()
    approve(client, admin, "BITSONE", kimchi["id"])
    soon = today_kst() + timedelta(days=5)
    approve(client, admin, "BITSONE", walnut["id"], soon)
    again = approve(client, admin, "BITSONE", walnut["id"], soon)  # the same: no change
    assert again["valid_until"] == soon.isoformat()
    assert len(events(client.application, "listing.approved")) == 3
    event = events(client.application, "listing.approved")[0]
    assert event.data["decided"] == "offline" and event.data["enterprise_id"] == tofu["id"]

    buyer = token("buyer", "I")
    today = client.get("/v1/brands/BITSONE/products", headers=buyer).get_json()
    assert sorted(p["name"] for p in today["items"]) == ["두부과자 200g", "호두과자"]
    later = (soon + timedelta(days=1)).isoformat()
    after = client.get(f"/v1/brands/BITSONE/products?on={later}", headers=buyer).get_json()
    assert [p["name"] for p in after["items"]] == ["두부과자 200g"]
    assert after["on"] == later and after["brand_code"] == "BITSONE"
    missing = client.get("/v1/brands/NOPE/products", headers=buyer)
    assert missing.status_code == 404


def test_approval_refusals(client, admin, tofu):
    create_brand(client, admin)
    product = create_product(client, admin, tofu["id"])
    url = f"/v1/brands/BITSONE/listings/{product['id']}"
    past = (today_kst() - timedelta(days=1)).isoformat()
    response = client.put(url, json={"valid_until": past}, headers=admin)
    assert response.status_code == 422 and response.get_json()["code"] == "invalid_period"
    nope = client.put("/v1/brands/BITSONE/listings/NOPE", json={}, headers=admin)
    assert nope.status_code == 404 and nope.get_json()["code"] == "product_not_found"
    no_brand = client.put(f"/v1/brands/NOPE/listings/{product['id']}", json={}, headers=admin)
    assert no_brand.status_code == 404 and no_brand.get_json()["code"] == "brand_not_found"
    status = client.put(url, json={"status": "approved"}, headers=admin)
    assert status.status_code == 422  # only valid_until is writable
    assert count(client.application, BrandListing) == 0


# -- product groups --------------------------------------------------------------------------


def test_group_crud_and_supplier_count(client, admin, tofu, token):
    created = create_group(client, admin)
    assert created["supplier_count"] == 0
    create_product(client, admin, tofu["id"], name="포기김치 10kg", group_code=created["code"])
    reader = token("buyer", "I")
    assert (
        client.get("/v1/product-groups", headers=reader).get_json()["items"][0]["supplier_count"]
        == 1
    )
    renamed = client.patch(
        "/v1/product-groups/KIMCHI-POGI-10KG", json={"name": "배추 포기김치 10kg"}, headers=admin
    )
    assert renamed.get_json()["name"] == "배추 포기김치 10kg"
    # the group name is searchable, and a rename reindexes its products
    found = client.get("/v1/products?q=배추포기", headers=reader).get_json()["items"]
    assert [p["group_code"] for p in found] == ["KIMCHI-POGI-10KG"]

    in_use = client.delete("/v1/product-groups/KIMCHI-POGI-10KG", headers=admin)
    assert in_use.status_code == 409 and in_use.get_json()["code"] == "product_group_in_use"
    create_group(client, admin, code="A4-PAPER-500", name="A4 복사용지 500매", unit="권")
    assert client.delete("/v1/product-groups/A4-PAPER-500", headers=admin).status_code == 204
    assert client.get("/v1/product-groups/A4-PAPER-500", headers=reader).status_code == 404
    assert count(client.application, ProductGroup) == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"code": "kimchi"}, "code"),
        ({"code": "A"}, "code"),
        ({"name": ""}, "name"),
        ({"unit": ""}, "unit"),
        ({"color": "red"}, "color"),
    ],
)
def test_bad_group_input(client, admin, overrides, field):
    response = client.post("/v1/product-groups", json=group_body(**overrides), headers=admin)
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert count(client.application, ProductGroup) == 0


def test_duplicate_group_is_409(client, admin):
    create_group(client, admin)
    again = client.post("/v1/product-groups", json=group_body(), headers=admin)
    assert again.status_code == 409 and again.get_json()["code"] == "product_group_exists"


# -- categories ------------------------------------------------------------------------------


def test_categories_are_a_managed_list(client, admin, tofu, token):
    reader = token("enterprise", tofu["id"])
    listed = client.get("/v1/categories", headers=reader).get_json()["items"]
    labels = [c["label"] for c in listed]
    for label in (
        "식품",
        "생활용품",
        "사무용품",
        "공예품",
        "서비스",
        "청소·방역",
        "선물세트",
        "농산물",
    ):
        assert label in labels
    added = client.post(
        "/v1/categories", json={"code": "furniture", "label": "가구·인테리어"}, headers=admin
    )
    assert added.status_code == 201, added.get_json()
    assert added.get_json()["sort_order"] > max(c["sort_order"] for c in listed)
    product = create_product(client, admin, tofu["id"], category="furniture")
    assert product["category_label"] == "가구·인테리어"
    for body in ({"code": "furniture", "label": "다른 이름"}, {"code": "food2", "label": "식품"}):
        dup = client.post("/v1/categories", json=body, headers=admin)
        assert dup.status_code == 409 and dup.get_json()["code"] == "category_exists"
    bad = client.post("/v1/categories", json={"code": "Bad Code", "label": "x"}, headers=admin)
    assert bad.status_code == 422 and "code" in bad.get_json()["errors"]
    assert count(client.application, Category) == len(listed) + 1  # the refusals added nothing
