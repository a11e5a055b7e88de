"""POST /v1/pricing: the contract orders is written against (product lines, group lines,
each error code, brand_code). Fields may be added, never renamed or removed."""

from datetime import date, timedelta

import pytest

from gachi_kit.dates import today_kst
from tests.support.builders import create_product, register_enterprise
from tests.support.catalog_builders import approve, certify, create_brand, create_group

SNAPSHOT_FIELDS = {
    "product_id",
    "product_version",
    "sku",
    "name",
    "unit",
    "unit_price",
    "tax_type",
    "lead_time_days",
    "enterprise_id",
    "enterprise_name",
    "enterprise_type",
    "enterprise_type_label",
    "sigungu_code",
    "certified",
    "certification",
    # added by issue 3
    "sido_code",
    "min_order_qty",
    "weekly_capacity",
    "stock",
    "group_code",
    "listing",
}
DELIVERY = date.today() + timedelta(days=10)


@pytest.fixture
def market(client, admin):
    create_brand(client, admin)  # BITSONE
    create_group(client, admin)  # KIMCHI-POGI-10KG
    create_group(client, admin, code="EMPTY-GROUP", name="빈 상품군", unit="개")
    tofu = register_enterprise(client, admin, name="광명두부마을 협동조합")
    certify(client, admin, tofu["id"])
    wanju = register_enterprise(
        client,
        admin,
        name="완주 김치 마을기업",
        enterprise_type="village_enterprise",
        sigungu_code="52710",
    )
    certify(client, admin, wanju["id"])
    gunsan = register_enterprise(  # not certified, not listed
        client,
        admin,
        name="군산 자활 김치",
        enterprise_type="self_reliance_enterprise",
        sigungu_code="52130",
    )
    closed = register_enterprise(client, admin, name="폐업한 김치 공방")
    p = {
        "snack": create_product(
            client,
            admin,
            tofu["id"],
            name="두부과자 200g",
            min_order_qty=10,
            weekly_capacity=500,
            stock=40,
        ),
        "unlisted": create_product(client, admin, tofu["id"], name="손두부 1kg"),
        "draft": create_product(client, admin, tofu["id"], name="신제품", status="draft"),
        "wj": create_product(
            client,
            admin,
            wanju["id"],
            name="포기김치 10kg",
            unit="박스",
            unit_price=65000,
            tax_type="exempt",
            group_code="KIMCHI-POGI-10KG",
        ),
        "gs": create_product(
            client,
            admin,
            gunsan["id"],
            name="포기김치 10kg",
            unit="박스",
            unit_price=59000,
            tax_type="exempt",
            group_code="KIMCHI-POGI-10KG",
        ),
        "gs_draft": create_product(
            client,
            admin,
            gunsan["id"],
            name="포기김치 10kg 시험",
            group_code="KIMCHI-POGI-10KG",
            status="draft",
        ),
        "closed": create_product(
            client, admin, closed["id"], name="포기김치 10kg", group_code="KIMCHI-POGI-10KG"
        ),
    }
    client.patch(f"/v1/enterprises/{closed['id']}", json={"status": "closed"}, headers=admin)
    approve(client, admin, "BITSONE", p["snack"]["id"], DELIVERY + timedelta(days=30))
    approve(client, admin, "BITSONE", p["wj"]["id"], DELIVERY - timedelta(days=1))  # lapses
    return {"tofu": tofu, "wanju": wanju, "gunsan": gunsan, **p}


def price(client, token, body, role="service"):
    response = client.post("/v1/pricing", json=body, headers=token(role))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_product_line_snapshot_has_every_contract_field(client, market, token):
    body = price(
        client,
        token,
        {
            "on_date": DELIVERY.isoformat(),
            "lines": [{"product_id": market["snack"]["id"], "quantity": 12}],
        },
    )
    assert body["on_date"] == DELIVERY.isoformat() and body["brand_code"] is None
    (line,) = body["lines"]
    assert set(line) == {"product_id", "quantity", "snapshot"}
    snap = line["snapshot"]
    assert set(snap) == SNAPSHOT_FIELDS
    assert snap["product_id"] == market["snack"]["id"] and snap["product_version"] == 1
    assert (snap["unit_price"], snap["tax_type"], snap["unit"]) == (3500, "taxable", "봉")
    assert (snap["min_order_qty"], snap["weekly_capacity"], snap["stock"]) == (10, 500, 40)
    assert (snap["sido_code"], snap["sigungu_code"]) == ("41", "41210")
    assert snap["enterprise_type_label"] == "협동조합"
    assert snap["certified"] is True
    assert set(snap["certification"]) == {"kind", "number", "valid_to"}
    assert snap["listing"] is None  # no brand asked
    assert snap["group_code"] is None


def test_each_product_error_code_in_request_order(client, admin, market, token):
    client.patch(
        f"/v1/enterprises/{market['gunsan']['id']}", json={"status": "suspended"}, headers=admin
    )
    lines = [
        {"product_id": "01NOSUCHPRODUCT0000000000", "quantity": 1},
        {"product_id": market["draft"]["id"], "quantity": 1},
        {"product_id": market["gs"]["id"], "quantity": 1},
        {"product_id": market["snack"]["id"], "quantity": 9},
        {"product_id": market["snack"]["id"], "quantity": 10},
    ]
    body = price(client, token, {"on_date": DELIVERY.isoformat(), "lines": lines})
    codes = [line.get("error", {}).get("code") for line in body["lines"]]
    assert codes == [
        "product_not_found",
        "product_unavailable",
        "enterprise_inactive",
        "below_minimum_order",
        None,
    ]
    assert [line["quantity"] for line in body["lines"]] == [1, 1, 1, 9, 10]
    assert all(set(line) == {"product_id", "quantity", "error"} for line in body["lines"][:4])
    assert all(line["error"]["detail"] for line in body["lines"][:4])


def test_brand_code_adds_the_listing_and_refuses_what_does_not_carry_it(client, market, token):
    lines = [
        {"product_id": market["snack"]["id"], "quantity": 10},  # approved, valid, certified
        {"product_id": market["unlisted"]["id"], "quantity": 1},  # no listing
        {"product_id": market["wj"]["id"], "quantity": 1},  # approval lapses before delivery
        {"product_id": market["gs"]["id"], "quantity": 1},  # not certified, not listed
    ]
    body = price(
        client, token, {"on_date": DELIVERY.isoformat(), "brand_code": "BITSONE", "lines": lines}
    )
    assert body["brand_code"] == "BITSONE"
    first, *refused = body["lines"]
    assert first["snapshot"]["listing"] == {
        "brand_code": "BITSONE",
        "status": "approved",
        "valid_until": (DELIVERY + timedelta(days=30)).isoformat(),
    }
    assert [line["error"]["code"] for line in refused] == ["not_listed_under_brand"] * 3
    # the same lapsed listing, priced for a day it was still valid, carries the brand
    early = price(
        client,
        token,
        {
            "on_date": today_kst().isoformat(),
            "brand_code": "BITSONE",
            "lines": [{"product_id": market["wj"]["id"], "quantity": 1}],
        },
    )
    assert early["lines"][0]["snapshot"]["listing"]["status"] == "approved"


def test_group_line_lists_every_supplier_on_sale_whatever_its_standing(client, market, token):
    body = price(
        client,
        token,
        {
            "on_date": DELIVERY.isoformat(),
            "brand_code": "BITSONE",
            "lines": [{"group_code": "KIMCHI-POGI-10KG", "quantity": 30}],
        },
    )
    (line,) = body["lines"]
    assert set(line) == {"group_code", "quantity", "group", "candidates"}
    assert line["group"] == {"code": "KIMCHI-POGI-10KG", "name": "포기김치 10kg", "unit": "박스"}
    by_id = {c["product_id"]: c for c in line["candidates"]}
    # the draft and the closed enterprise's product are not candidates
    assert set(by_id) == {market["wj"]["id"], market["gs"]["id"]}
    assert all(set(c) == SNAPSHOT_FIELDS for c in by_id.values())
    wj, gs = by_id[market["wj"]["id"]], by_id[market["gs"]["id"]]
    assert wj["listing"]["status"] == "expired" and wj["certified"] is True
    assert gs["listing"] is None and gs["certified"] is False
    assert (gs["sido_code"], gs["sigungu_code"], gs["group_code"]) == (
        "52",
        "52130",
        "KIMCHI-POGI-10KG",
    )


def test_group_errors_and_mixed_lines(client, market, token):
    body = price(
        client,
        token,
        {
            "lines": [
                {"group_code": "NO-SUCH-GROUP", "quantity": 1},
                {"group_code": "EMPTY-GROUP", "quantity": 1},
                {"product_id": market["snack"]["id"], "quantity": 10},
                {"group_code": "KIMCHI-POGI-10KG", "quantity": 2},
            ]
        },
    )
    assert body["on_date"] == today_kst().isoformat()  # the Korean calendar day
    first, second, third, fourth = body["lines"]
    assert first == {
        "group_code": "NO-SUCH-GROUP",
        "quantity": 1,
        "error": {"code": "group_not_found", "detail": first["error"]["detail"]},
    }
    assert second["error"]["code"] == "no_supplier"
    assert "snapshot" in third and len(fourth["candidates"]) == 2


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"lines": [{"quantity": 1}]}, 422, "validation_failed"),
        (
            {"lines": [{"product_id": "P", "group_code": "G", "quantity": 1}]},
            422,
            "validation_failed",
        ),
        ({"lines": [{"product_id": "P", "quantity": 0}]}, 422, "validation_failed"),
        ({"lines": [{"product_id": "P", "quantity": 1.5}]}, 422, "validation_failed"),
        ({"lines": []}, 422, "validation_failed"),
        ({"lines": [{"product_id": "P", "quantity": 1}] * 501}, 422, "validation_failed"),
        (
            {"brand_code": "NOPE", "lines": [{"product_id": "P", "quantity": 1}]},
            422,
            "unknown_brand",
        ),
        ({"lines": [{"product_id": "P", "quantity": 1}], "extra": 1}, 422, "validation_failed"),
    ],
)
def test_bad_pricing_requests(client, token, body, status, code):
    response = client.post("/v1/pricing", json=body, headers=token("service"))
    assert response.status_code == status, response.get_json()
    assert response.get_json()["code"] == code


def test_pricing_roles(client, market, token):
    body = {"lines": [{"product_id": market["snack"]["id"], "quantity": 10}]}
    for role in ("service", "admin", "buyer", "institution_admin"):
        assert client.post("/v1/pricing", json=body, headers=token(role, "X")).status_code == 200
    for role in ("enterprise", "committee"):
        assert client.post("/v1/pricing", json=body, headers=token(role, "X")).status_code == 403
    assert client.post("/v1/pricing", json=body).status_code == 401


def test_candidates_endpoint_gives_the_same_snapshots(client, market, token):
    url = f"/v1/product-groups/KIMCHI-POGI-10KG/candidates?on={DELIVERY.isoformat()}&brand=BITSONE"
    body = client.get(url, headers=token("service")).get_json()
    priced = price(
        client,
        token,
        {
            "on_date": DELIVERY.isoformat(),
            "brand_code": "BITSONE",
            "lines": [{"group_code": "KIMCHI-POGI-10KG", "quantity": 1}],
        },
    )
    assert body["group"]["code"] == "KIMCHI-POGI-10KG" and body["brand_code"] == "BITSONE"
    assert body["candidates"] == priced["lines"][0]["candidates"]
    missing = client.get("/v1/product-groups/NOPE/candidates", headers=token("service"))
    assert missing.status_code == 404 and missing.get_json()["code"] == "group_not_found"
    unknown = client.get(
        "/v1/product-groups/KIMCHI-POGI-10KG/candidates?brand=NOPE", headers=token("service")
    )
    assert unknown.status_code == 422 and unknown.get_json()["code"] == "unknown_brand"
