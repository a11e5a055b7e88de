"""Product CSV import: an operator's own products and an admin's for a named enterprise,
who may import, and errors that name the row, the column and the problem."""

import pytest

from catalog.adapters.models import PriceHistory, Product
from tests.support.catalog_builders import count, create_group, csv_bytes, events
from tests.support.catalog_imports import BRN, enterprise_rows, post_csv

PRODUCT_HEADER = [
    "상품코드(SKU)",
    "상품명",
    "분류",
    "단위",
    "단가",
    "과세구분",
    "최소주문수량",
    "납기일수",
    "주간공급능력",
    "재고",
    "상품설명",
    "태그",
    "이미지URL",
    "상품군코드",
    "판매상태",
]


def product_rows():
    return [
        PRODUCT_HEADER,
        [
            "TOFU-SNACK-200",
            "국산콩 두부과자 200g",
            "식품",
            "봉",
            "3,500",
            "과세",
            "10",
            "",
            "500",
            "",
            "바삭한 두부과자",
            "간식, 국산콩",
            "https://cdn.gachi.kr/tofu.jpg",
            "TOFU-SNACK-200G",
            "",
        ],
        [
            "TOFU-1KG",
            "손두부 1kg",
            "food",
            "모",
            "6000",
            "면세",
            "",
            "2",
            "",
            "30",
            "",
            "",
            "",
            "",
            "준비중",
        ],
        [
            "WALNUT-20",
            "호두과자 20개입",
            "식품",
            "상자",
            "12000",
            "taxable",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "판매중",
        ],
    ]


@pytest.fixture
def seller(client, admin):
    response = post_csv(client, "/v1/imports/enterprises", csv_bytes(enterprise_rows()), admin)
    ids = {r["key"]: r["id"] for r in response.get_json()["rows"]}
    create_group(client, admin, code="TOFU-SNACK-200G", name="두부과자 200g", unit="봉")
    return {"tofu": ids[BRN[0]], "kimchi": ids[BRN[1]]}


def test_operator_imports_its_products_and_reimport_changes_nothing(client, seller, token):
    operator = token("enterprise", seller["tofu"])
    data = csv_bytes(product_rows(), "utf-8-sig")
    response = post_csv(client, "/v1/imports/products", data, operator, multipart=False)
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert report["enterprise_id"] == seller["tofu"] and report["created"] == 3
    mine = client.get(
        f"/v1/products?enterprise_id={seller['tofu']}&sort=price_asc", headers=operator
    ).get_json()["items"]
    assert [(p["sku"], p["unit_price"], p["status"]) for p in mine] == [
        ("TOFU-SNACK-200", 3500, "active"),
        ("TOFU-1KG", 6000, "draft"),
        ("WALNUT-20", 12000, "active"),
    ]
    snack = mine[0]
    assert snack["tags"] == ["간식", "국산콩"] and snack["group_code"] == "TOFU-SNACK-200G"
    assert (snack["min_order_qty"], snack["lead_time_days"], snack["weekly_capacity"]) == (
        10,
        3,
        500,
    )
    assert snack["stock"] is None and mine[1]["stock"] == 30
    assert len(events(client.application, "product.created")) == 3

    again = post_csv(client, "/v1/imports/products", data, operator, multipart=False).get_json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    assert events(client.application, "product.updated") == []

    rows = product_rows()
    rows[1][4] = "3800"  # a new price
    rows[3][9] = "12"  # stock, not material
    changed = post_csv(client, "/v1/imports/products", csv_bytes(rows), operator).get_json()
    assert [r["action"] for r in changed["rows"]] == ["updated", "unchanged", "updated"]
    snack_after = client.get(f"/v1/products/{snack['id']}", headers=operator).get_json()
    assert (snack_after["unit_price"], snack_after["version"]) == (3800, 2)
    assert count(client.application, PriceHistory) == 4  # three first prices and one change
    updates = events(client.application, "product.updated")
    assert [e.data["material_fields"] for e in updates] == [["unit_price"], []]


def test_admin_imports_into_a_named_enterprise(client, admin, seller):
    data = csv_bytes(product_rows())
    missing = post_csv(client, "/v1/imports/products", data, admin)
    assert missing.status_code == 422 and "enterprise_id" in missing.get_json()["errors"]
    ok = post_csv(client, "/v1/imports/products", data, admin, enterprise_id=seller["kimchi"])
    assert ok.status_code == 200 and ok.get_json()["created"] == 3
    nowhere = post_csv(client, "/v1/imports/products", data, admin, enterprise_id="NOPE")
    assert nowhere.status_code == 404


def test_import_roles(client, seller, token):
    data = csv_bytes(product_rows())
    other = token("enterprise", seller["kimchi"])
    theirs = post_csv(client, "/v1/imports/products", data, other, enterprise_id=seller["tofu"])
    assert theirs.status_code == 404 and theirs.get_json()["code"] == "enterprise_not_found"
    for role in ("buyer", "institution_admin", "committee", "service"):
        refused = post_csv(client, "/v1/imports/products", data, token(role, "X"))
        assert refused.status_code == 403, role
        enterprises = post_csv(client, "/v1/imports/enterprises", data, token(role, "X"))
        assert enterprises.status_code == 403, role
    assert post_csv(client, "/v1/imports/enterprises", data, other).status_code == 403
    assert post_csv(client, "/v1/imports/products", data, {}).status_code == 401
    assert count(client.application, Product) == 0


@pytest.mark.parametrize(
    ("cell", "value", "message"),
    [
        (4, "3500.5", "정수"),
        (4, "-100", "0 이상"),
        (4, "", "비어"),
        (2, "무기류", "쓸 수 없습니다"),
        (5, "부가세", "과세, 면세"),
        (12, "http://cdn.gachi.kr/a.jpg", "https://"),
        (13, "NO-SUCH-GROUP", "상품군"),
        (0, "두부 과자!", "상품코드"),
    ],
)
def test_product_cell_errors_name_row_column_and_problem(
    client, seller, token, cell, value, message
):
    rows = product_rows()
    rows[2][cell] = value
    response = post_csv(
        client,
        "/v1/imports/products",
        csv_bytes(rows),
        token("enterprise", seller["tofu"]),
        dry_run="true",
    )
    assert response.status_code == 200
    (bad,) = [r for r in response.get_json()["rows"] if r["action"] == "invalid"]
    assert bad["row"] == 3
    (error,) = bad["errors"]
    assert error["column"] == PRODUCT_HEADER[cell] and message in error["message"]


def test_duplicate_sku_in_one_file_is_a_row_error(client, seller, token):
    rows = product_rows()
    rows.append(["", "", "", "", "", "", "", "", "", "", "", "", "", "", ""])  # blank row 5
    rows.append(list(rows[1]))  # row 6 repeats row 2
    response = post_csv(
        client,
        "/v1/imports/products",
        csv_bytes(rows),
        token("enterprise", seller["tofu"]),
        dry_run="true",
    )
    last = response.get_json()["rows"][-1]
    assert last["row"] == 6 and "2행" in last["errors"][0]["message"]
