"""Lines named by an enterprise's own product code (SKU), as purchase officers copy them
from a catalogue or a spreadsheet: a SKU is unique per enterprise only."""

import io
import uuid
from datetime import date, timedelta

import pytest

from tests.support.builders import create_product, register_enterprise

NEEDED_BY = (date.today() + timedelta(days=10)).isoformat()


@pytest.fixture
def same_sku(catalog_app, token):
    client, admin = catalog_app.test_client(), token("admin")
    a = register_enterprise(client, admin, name="광명 김치 협동조합")
    b = register_enterprise(client, admin, name="완주 김치 마을기업", sigungu_code="52710")
    create_product(
        client,
        admin,
        a["id"],
        sku="KIMCHI-10",
        name="포기김치 10kg (광명)",
        unit_price=66000,
        tax_type="exempt",
        unit="박스",
    )
    create_product(
        client,
        admin,
        b["id"],
        sku="KIMCHI-10",
        name="포기김치 10kg (완주)",
        unit_price=60000,
        tax_type="exempt",
        unit="박스",
    )
    only = create_product(client, admin, a["id"], sku="TOFU-SNACK", name="두부과자 200g")
    return {"a": a, "b": b, "only": only}


def place(client, headers, lines):
    return client.post(
        "/v1/orders",
        json={"delivery_address": "광명시청", "needed_by": NEEDED_BY, "lines": lines},
        headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
    )


def test_a_sku_names_a_product_when_unique_or_with_the_enterprise(orders_app, same_sku, buyer):
    client = orders_app.test_client()
    ambiguous = place(client, buyer(), [{"sku": "KIMCHI-10", "quantity": 2}])
    assert ambiguous.status_code == 422
    error = ambiguous.get_json()["errors"]["lines"]["0"]
    assert error["code"] == "ambiguous_sku" and "사업자등록번호" in error["detail"]
    unknown = place(client, buyer(), [{"sku": "NO-SUCH", "quantity": 1}])
    assert unknown.get_json()["errors"]["lines"]["0"]["code"] == "product_not_found"

    brn = same_sku["b"]["brn"]
    placed = place(
        client,
        buyer(),
        [
            {
                "sku": "KIMCHI-10",
                "enterprise_brn": f"{brn[:3]}-{brn[3:5]}-{brn[5:]}",
                "quantity": 2,
            },
            {"sku": "TOFU-SNACK", "quantity": 5},
        ],
    )
    assert placed.status_code == 201, placed.get_json()
    names = sorted(ln["name"] for so in placed.get_json()["supplier_orders"] for ln in so["lines"])
    assert names == ["두부과자 200g", "포기김치 10kg (완주)"]
    line = next(ln for ln in placed.get_json()["lines"] if ln["line_no"] == 2)
    assert line["product_id"] == same_sku["only"]["id"]


def test_brn_only_goes_with_a_sku(orders_app, same_sku, buyer):
    response = place(
        orders_app.test_client(),
        buyer(),
        [
            {
                "product_id": same_sku["only"]["id"],
                "enterprise_brn": same_sku["a"]["brn"],
                "quantity": 1,
            }
        ],
    )
    assert (
        response.status_code == 422
        and "enterprise_brn" in response.get_json()["errors"]["lines"]["0"]
    )


def test_csv_with_sku_and_business_number_columns_in_cp949(orders_app, same_sku, buyer):
    text = (
        f"상품코드(SKU),사업자등록번호,수량\nKIMCHI-10,{same_sku['a']['brn']},3\nTOFU-SNACK,,10\n"
    )
    response = orders_app.test_client().post(
        "/v1/orders/csv?dry_run=true",
        data={
            "delivery_address": "광명시청",
            "needed_by": NEEDED_BY,
            "file": (io.BytesIO(text.encode("cp949")), "주문.csv"),
        },
        headers=buyer(),
        content_type="multipart/form-data",
    )
    report = response.get_json()
    assert report["ok"], report
    assert report["preview"]["total_amount"] == 3 * 66000 + 10 * 3500 + 3500
