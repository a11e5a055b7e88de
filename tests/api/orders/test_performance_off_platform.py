"""Purchases made outside the platform: one by one and by spreadsheet (CSV UTF-8/CP949,
.xlsx), matched against catalog by 사업자등록번호, marked off-platform in the report."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from gachi_kit.brn import make_brn
from gachi_kit.dates import today_kst
from orders.adapters.performance_models import OffPlatformPurchase
from tests.support.builders import register_enterprise, register_institution
from tests.support.performance import certify

YEAR = today_kst().year
DAY = date(YEAR, 1, 15).isoformat()
GOOD = make_brn("123456789")
WRONG_CHECK_DIGIT = GOOD[:-1] + str((int(GOOD[-1]) + 1) % 10)
HEADER = "사업자등록번호,품명,공급가액,부가세,구매경로,부서,계약일,검수일,증빙\n"


@pytest.fixture
def world(orders_app, catalog_app, token):
    admin = token("admin")
    catalog = catalog_app.test_client()
    social = register_enterprise(
        catalog, admin, name="햇살 사회적기업", enterprise_type="social_enterprise"
    )
    certify(catalog, admin, social["id"])
    village = register_enterprise(
        catalog, admin, name="완주 마을기업", enterprise_type="village_enterprise"
    )
    institution = register_institution(orders_app.test_client(), admin)
    return {
        "iid": institution["id"],
        "admin": token("institution_admin", institution["id"]),
        "social": social,
        "village": village,
    }


def stored(orders_app) -> int:
    with orders_app.extensions["orders"].db.reading() as session:
        return session.scalar(select(func.count()).select_from(OffPlatformPurchase))


def upload(client, world, data: bytes, name="purchases.csv", **params):
    return client.post(
        f"/v1/institutions/{world['iid']}/off-platform-purchases/import",
        query_string=params,
        data={"file": (io.BytesIO(data), name)},
        headers=world["admin"],
        content_type="multipart/form-data",
    )


def test_one_purchase_is_matched_and_counted_as_off_platform(orders_app, world):
    client = orders_app.test_client()
    response = client.post(
        f"/v1/institutions/{world['iid']}/off-platform-purchases",
        json={
            "enterprise_brn": world["social"]["brn"],
            "item_name": "청소 용역 (나라장터)",
            "supply_amount": 1_000_000,
            "vat_amount": 100_000,
            "channel": "narajangteo",
            "department": "총무과",
            "contract_on": DAY,
            "delivered_on": DAY,
            "evidence_reference": "나라장터 계약번호 R26BK0001",
        },
        headers=world["admin"],
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["off_platform"] is True and body["certified"] is True
    assert body["categories"] == ["gwangmyeong_social_economy", "social_enterprise_products"]
    report = client.get(
        f"/v1/institutions/{world['iid']}/performance",
        query_string={"fiscal_year": YEAR},
        headers=world["admin"],
    ).get_json()
    assert report["totals"]["off_platform"] == 1_000_000 and report["totals"]["platform"] == 0
    assert report["enterprises"][0]["off_platform"] is True
    lines = client.get(
        f"/v1/institutions/{world['iid']}/performance/lines",
        query_string={"fiscal_year": YEAR},
        headers=world["admin"],
    ).get_json()
    [entry] = lines["items"]
    # no inspection record (small contract): the delivery date is the evidence, and says so
    assert entry["off_platform"] is True and entry["evidence"] == "delivery"
    assert entry["evidence_label"] == "납품일(검수조서 없음)"


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"enterprise_brn": WRONG_CHECK_DIGIT}, "enterprise_brn", "validation_failed"),
        ({"enterprise_brn": make_brn("999889999")}, "enterprise_brn", "enterprise_not_found"),
        ({"supply_amount": 10.5}, "supply_amount", "validation_failed"),
        ({"delivered_on": None}, "inspected_on", "validation_failed"),
    ],
)
def test_a_bad_purchase_is_refused_per_field(orders_app, world, change, field, code):
    body = {
        "enterprise_brn": world["village"]["brn"],
        "item_name": "마을 도시락",
        "supply_amount": 200_000,
        "delivered_on": DAY,
        "evidence_reference": "지출결의 2026-001",
    } | change
    response = orders_app.test_client().post(
        f"/v1/institutions/{world['iid']}/off-platform-purchases", json=body, headers=world["admin"]
    )
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["code"] == code
    assert field in response.get_json()["errors"]
    assert stored(orders_app) == 0


def csv_rows(world) -> str:
    return (
        HEADER
        + f'{world["social"]["brn"]},사무용품,"1,200,000",120000,나라장터,총무과,'
        + f"{DAY},{DAY},R26-1\n"
        + f"{world['village']['brn']},도시락,300000원,0,수의계약,,{DAY},{DAY},지출-2\n"
        + f"{WRONG_CHECK_DIGIT},잘못된 번호,1000,0,기타,,{DAY},{DAY},x\n"
        + f"{make_brn('999889999')},모르는 기업,1000,0,기타,,{DAY},{DAY},y\n"
        + f"{world['village']['brn']},소수,1000.5,0,기타,,{DAY},{DAY},z\n"
    )


def test_import_dry_run_reports_every_row_and_writes_nothing(orders_app, world):
    client = orders_app.test_client()
    response = upload(client, world, csv_rows(world).encode("cp949"), dry_run="true")
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert report["encoding"] == "cp949" and report["rows"] == 5 and report["valid"] == 2
    problems = {(p["row"], p["column"]) for p in report["problems"]}
    assert problems == {(4, "사업자등록번호"), (5, "사업자등록번호"), (6, "공급가액")}
    assert any("검증번호" in p["problem"] for p in report["problems"])
    # every row of the file, numbered as a spreadsheet counts: refused ones as they were read
    preview = report["preview"]
    assert [item["row"] for item in preview] == [2, 3, 4, 5, 6]
    assert [item["refused"] for item in preview] == [False, False, True, True, True]
    assert preview[1]["item_name"] == "도시락" and preview[1]["total_amount"] == 300_000
    refused = {item["row"]: item for item in preview if item["refused"]}
    assert set(refused[4]) == {"row", "refused", "cells"}  # no id, nothing made up
    assert refused[4]["cells"]["enterprise_brn"] == WRONG_CHECK_DIGIT
    assert refused[4]["cells"]["item_name"] == "잘못된 번호"
    assert refused[5]["cells"]["item_name"] == "모르는 기업"  # read fine, unknown to catalog
    assert refused[6]["cells"]["supply_amount"] == "1000.5"
    assert refused[6]["cells"]["department"] == ""
    assert all(isinstance(v, str) for item in refused.values() for v in item["cells"].values())
    assert stored(orders_app) == 0

    refused = upload(client, world, csv_rows(world).encode("utf-8-sig"))
    assert refused.status_code == 422 and refused.get_json()["code"] == "import_rows_invalid"
    assert stored(orders_app) == 0

    partial = upload(client, world, csv_rows(world).encode("utf-8-sig"), mode="valid_rows")
    assert partial.status_code == 200 and partial.get_json()["imported"] == 2
    assert stored(orders_app) == 2


def test_import_reads_xlsx(orders_app, world):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["사업자등록번호", "품명", "공급가액", "부가세", "검수일", "증빙"])
    sheet.append([world["village"]["brn"], "마을 도시락", 450000, 0, date(YEAR, 2, 3), "지출-9"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(orders_app.test_client(), world, buffer.getvalue(), name="구매.xlsx")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["encoding"] == "xlsx" and body["imported"] == 1
    assert body["preview"][0]["categories"] == ["gwangmyeong_social_economy"]


def test_import_without_required_columns_is_refused(orders_app, world):
    response = upload(orders_app.test_client(), world, "품명,공급가액\n도시락,1000\n".encode())
    assert response.status_code == 422
    assert "사업자등록번호" in response.get_json()["errors"]["file"][0]
