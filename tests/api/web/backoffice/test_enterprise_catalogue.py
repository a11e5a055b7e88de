"""An operator's products, spreadsheet import, brand applications, certifications and
notification settings, each through its page and the real catalog and notify."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from gachi_kit.dates import today_kst
from tests.api.web.backoffice.conftest import post_form, text_of
from tests.support.builders import create_product, register_enterprise
from tests.support.catalog_builders import approve, certify, create_brand, csv_bytes

PRODUCT = {
    "sku": "TOFU-SNACK-200",
    "name": "국산콩 두부과자 200g",
    "category": "food",
    "unit": "봉",
    "unit_price": "3,500",
    "tax_type": "taxable",
    "status": "active",
    "min_order_qty": "10",
    "lead_time_days": "3",
    "weekly_capacity": "500",
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def operator(api, token, people):
    admin = token("admin")
    tofu = register_enterprise(api["catalog"], admin, name="광명두부마을 협동조합")
    client = people("enterprise", tofu["id"], tofu["name"])
    return {"tofu": tofu, "admin": admin, "client": client}


def test_creating_a_product_shows_korean_errors_next_to_the_fields(operator):
    client = operator["client"]
    refused = post_form(
        client,
        "/enterprise/products/new",
        {**PRODUCT, "name": "", "unit_price": "삼천오백원"},
        page="/enterprise/products/new",
    )
    assert refused.status_code == 422
    page = text_of(refused)
    assert "상품명을 적어 주세요." in page and "단가는 0 이상의 숫자로 적어 주세요." in page
    created = post_form(
        client, "/enterprise/products/new", PRODUCT, page="/enterprise/products/new"
    )
    assert created.status_code == 302
    edit = text_of(client.get(created.headers["Location"]))
    assert "국산콩 두부과자 200g" in edit and "3,500원" in edit  # the price history
    listing = text_of(client.get("/enterprise/products"))
    assert "TOFU-SNACK-200" in listing and "판매중" in listing


def test_the_api_refusal_of_a_duplicate_sku_is_shown(operator):
    client = operator["client"]
    assert (
        post_form(
            client, "/enterprise/products/new", PRODUCT, page="/enterprise/products/new"
        ).status_code
        == 302
    )
    again = post_form(client, "/enterprise/products/new", PRODUCT, page="/enterprise/products/new")
    assert again.status_code in (409, 422)
    assert "bo-alert" in text_of(again)


def test_a_listed_product_warns_that_changes_go_back_to_the_committee(operator, api):
    create_brand(api["catalog"], operator["admin"])
    product = create_product(api["catalog"], operator["admin"], operator["tofu"]["id"])
    approve(api["catalog"], operator["admin"], "BITSONE", product["id"])
    page = text_of(operator["client"].get(f"/enterprise/products/{product['id']}"))
    assert "브랜드 승인 상품입니다" in page and "재심사 중에도 판매는 계속됩니다" in page
    changed = post_form(
        operator["client"],
        f"/enterprise/products/{product['id']}",
        {**PRODUCT, "name": product["name"], "unit_price": "9,000"},
        page=f"/enterprise/products/{product['id']}",
    )
    assert changed.status_code == 302
    listing = (
        api["catalog"]
        .get("/v1/listings?brand_code=BITSONE", headers=operator["admin"])
        .get_json()["items"][0]
    )
    assert listing["status"] == "approved" and listing["rereview"]["kind"] == "change"


def test_spreadsheet_import_shows_the_dry_run_table_then_applies_the_valid_rows(operator, api):
    rows = [
        ["상품코드", "상품명", "분류", "단위", "단가", "과세구분"],
        ["TOFU-1", "두부 1모", "식품", "모", "3,000", "면세"],
        ["TOFU-2", "두부과자", "식품", "봉", "삼천원", "과세"],
    ]
    client = operator["client"]
    dry = post_form(
        client,
        "/enterprise/products/import",
        {},
        page="/enterprise/products/import",
        files={"file": (io.BytesIO(csv_bytes(rows, "cp949")), "상품.csv")},
    )
    assert dry.status_code == 200
    page = text_of(dry)
    assert "검사 결과 (아직 저장하지 않았습니다)" in page
    assert "새로 등록 1" in page and "오류 1" in page and "올바른 행 1개만 적용" in page
    products = f"/v1/products?enterprise_id={operator['tofu']['id']}"
    assert api["catalog"].get(products, headers=operator["admin"]).get_json()["total"] == 0
    carried = {
        "upload": page.split('name="upload" value="')[1].split('"')[0],
        "filename": "상품.csv",
        "mode": "valid_rows",
    }
    applied = post_form(
        client, "/enterprise/products/import", carried, page="/enterprise/products/import"
    )
    assert applied.status_code == 200 and "적용 결과" in text_of(applied)
    assert api["catalog"].get(products, headers=operator["admin"]).get_json()["total"] == 1


def test_import_without_a_file_says_so(operator):
    response = post_form(
        operator["client"], "/enterprise/products/import", {}, page="/enterprise/products/import"
    )
    assert response.status_code == 422 and "올릴 CSV 파일을 골라 주세요." in text_of(response)


def test_brand_application_with_a_pdf_is_submitted_and_followed(operator, api):
    create_brand(api["catalog"], operator["admin"])
    product = create_product(api["catalog"], operator["admin"], operator["tofu"]["id"])
    client = operator["client"]
    missing = post_form(
        client, "/enterprise/applications/new", {}, page="/enterprise/applications/new"
    )
    assert missing.status_code == 422 and "브랜드를 적어 주세요." in text_of(missing)
    created = post_form(
        client,
        "/enterprise/applications/new",
        {"brand_code": "BITSONE", "product_id": product["id"], "pitch": "광명산 국산콩 100%"},
        page="/enterprise/applications/new",
    )
    assert created.status_code == 302
    page = created.headers["Location"]
    no_file = post_form(client, page + "/documents", {}, page=page)
    assert no_file.status_code == 422 and "붙일 파일을 골라 주세요." in text_of(no_file)
    uploaded = post_form(
        client,
        page + "/documents",
        {},
        page=page,
        files={"file": (io.BytesIO(PDF), "사업계획서.pdf")},
    )
    assert uploaded.status_code == 302
    detail = text_of(client.get(page))
    assert "사업계획서.pdf" in detail and "작성 중" in detail
    link = detail.split(f'href="{page}/documents/')[1].split('"')[0]
    document = client.get(f"{page}/documents/{link}")
    assert document.data == PDF and document.mimetype == "application/pdf"
    assert post_form(client, page + "/submit", {}, page=page).status_code == 302
    assert "접수" in text_of(client.get(page))
    assert "비츠원" in text_of(client.get("/enterprise/applications"))


def test_certifications_warn_before_expiry(operator, api):
    soon = today_kst() + timedelta(days=12)  # the app counts days in Korea
    certify(api["catalog"], operator["admin"], operator["tofu"]["id"], valid_to=soon)
    page = text_of(operator["client"].get("/enterprise/certifications"))
    assert "인증이 12일 뒤에 끝납니다." in page and "유효" in page


def test_webhook_secret_is_shown_once_and_rotated(operator, api):
    client = operator["client"]
    refused = post_form(
        client,
        "/enterprise/notifications/webhooks",
        {"address": "ftp://shop.example.kr/hook"},
        page="/enterprise/notifications",
    )
    assert refused.status_code == 422 and "https://" in text_of(refused)
    created = post_form(
        client,
        "/enterprise/notifications/webhooks",
        {"address": "http://127.0.0.1:9/gachi", "event_types": "supplier_order.*"},
        page="/enterprise/notifications",
    )
    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    secret = text_of(created).split(
        'id="secret-value" class="krds-input bo-mono" readonly value="'
    )[1]
    assert secret.startswith("whsec_")
    again = text_of(client.get("/enterprise/notifications"))
    assert "http://127.0.0.1:9/gachi" in again and "whsec_" not in again
    hook_id = again.split("/enterprise/notifications/webhooks/")[1].split("/rotate")[0]
    rotated = post_form(
        client,
        f"/enterprise/notifications/webhooks/{hook_id}/rotate",
        {},
        page="/enterprise/notifications",
    )
    assert rotated.status_code == 200 and "이전 비밀값도" in text_of(rotated)


def test_adding_an_email_contact_and_reading_the_delivery_log(operator):
    client = operator["client"]
    refused = post_form(
        client,
        "/enterprise/notifications/contacts",
        {"channel": "email"},
        page="/enterprise/notifications",
    )
    assert (
        refused.status_code == 422
        and "받을 주소(이메일 또는 전화번호)를 적어 주세요." in text_of(refused)
    )
    added = post_form(
        client,
        "/enterprise/notifications/contacts",
        {
            "channel": "email",
            "address": "order@tofu.example.kr",
            "event_types": "supplier_order.*",
            "digest": "daily",
        },
        page="/enterprise/notifications",
    )
    assert added.status_code == 302
    page = text_of(client.get("/enterprise/notifications"))
    assert "order@tofu.example.kr" in page and "하루에 한 번 모아서" in page
    assert client.get("/enterprise/notifications/deliveries").status_code == 200
