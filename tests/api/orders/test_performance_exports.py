"""Exports (CSV UTF-8 with BOM and CP949, .xlsx with a sheet per view and charts), the
department ranking an institution may publish, and the behind-pace / package events."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from gachi_kit.dates import today_kst
from orders.adapters.models import OutboxMessage
from orders.services.performance import alerts
from tests.support.performance import a_year

YEAR = today_kst().year


@pytest.fixture
def year(orders_app, catalog_app, token):
    return a_year(orders_app.test_client(), catalog_app.test_client(), token)


def export(client, year, token, **params):
    iid = year["institution"]["id"]
    response = client.get(
        f"/v1/institutions/{iid}/performance/export",
        query_string={"fiscal_year": YEAR} | params,
        headers=token("institution_admin", iid),
    )
    assert response.status_code == 200, response.data[:300]
    return response


def test_csv_in_utf8_with_bom_and_in_cp949(orders_app, year, token):
    client = orders_app.test_client()
    utf8 = export(client, year, token, format="csv", view="lines").data
    assert utf8.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(utf8.decode("utf-8-sig"))))
    assert rows[0][0] == "구분" and rows[0][15] == "공급가액(품목)"
    # one row per supplier-order line behind the figures: 3 + 1 lines of 4 supplier orders
    assert len(rows) == 1 + 4
    totals = sum(int(r[17]) for r in rows[1:] if r[17])
    report = client.get(
        f"/v1/institutions/{year['institution']['id']}/performance",
        query_string={"fiscal_year": YEAR},
        headers=token("institution_admin", year["institution"]["id"]),
    ).get_json()
    assert totals == report["totals"]["total"]
    assert sum(int(r[15]) for r in rows[1:]) == report["totals"]["supply"]

    cp949 = export(client, year, token, format="csv", view="departments", encoding="cp949")
    assert "cp949" in cp949.headers["Content-Type"]
    text = cp949.data.decode("cp949")
    assert text.startswith("부서,공급가액") and "복지정책과" in text


def test_xlsx_has_a_sheet_per_view_korean_headers_won_format_and_charts(orders_app, year, token):
    data = export(orders_app.test_client(), year, token).data
    workbook = load_workbook(io.BytesIO(data))
    assert [s.title for s in workbook.worksheets][1:] == [
        "월별",
        "부서별",
        "기업유형별",
        "기업별",
        "실적 명세",
    ]
    assert workbook.worksheets[0].title.startswith("범주별 (검수일 기준")
    departments = workbook["부서별"]
    assert departments.freeze_panes == "A2"
    assert departments["B1"].value == "공급가액" and departments["B1"].font.bold
    assert departments["B2"].number_format == '#,##0"원"'
    assert isinstance(departments["B2"].value, int)
    charts = [n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if n.startswith("xl/charts/")]
    assert len(charts) == 3  # categories (bars), months (line), departments (bars)


def test_the_ranking_is_public_only_when_the_institution_publishes_it(orders_app, year, token):
    client, iid = orders_app.test_client(), year["institution"]["id"]
    url = f"/v1/public/institutions/{iid}/department-ranking"
    assert client.get(url, query_string={"fiscal_year": YEAR}).status_code == 404
    client.patch(
        f"/v1/institutions/{iid}/performance/settings",
        json={"publish_ranking": True},
        headers=token("institution_admin", iid),
    )
    response = client.get(url, query_string={"fiscal_year": YEAR})  # no sign-in
    assert response.status_code == 200
    body = response.get_json()
    assert [r["department"] for r in body["by_amount"]] == ["총무과", "복지정책과"]
    assert body["by_amount"][0]["rank"] == 1
    month = body["months"][today_kst().month - 1]
    assert [r["department"] for r in month["ranking"]] == ["총무과", "복지정책과"]
    assert "enterprises" not in body  # only departments are published


def outbox(app, kind):
    with app.extensions["orders"].db.reading() as session:
        return session.scalars(select(OutboxMessage).where(OutboxMessage.type == kind)).all()


def test_behind_pace_alerts_once_a_month_and_package_reminders(orders_app, year, token):
    client, iid = orders_app.test_client(), year["institution"]["id"]
    response = client.put(
        f"/v1/institutions/{iid}/performance/targets",
        json={
            "fiscal_year": YEAR,
            "category_code": "gwangmyeong_social_economy",
            "kind": "amount",
            "amount": 9_000_000_000,
        },
        headers=token("institution_admin", iid),
    )
    assert response.status_code == 201
    wiring = orders_app.extensions["orders"]
    today = today_kst()
    if today < date(YEAR, 1, 10):  # the line must be far enough along to be behind
        pytest.skip("too early in the year for a straight line to be measurable")
    assert alerts.behind_pace(wiring, today) == 1
    assert alerts.behind_pace(wiring, today) == 0  # once a month at most
    [event] = outbox(orders_app, "performance.behind_pace")
    assert event.data["institution_id"] == iid
    assert event.data["category"] == "gwangmyeong_social_economy"
    assert event.data["behind_percent"] >= 10

    assert alerts.package_due(wiring, date(YEAR, 2, 1)) >= 1
    assert alerts.package_due(wiring, date(YEAR, 2, 2)) == 0
    reminders = outbox(orders_app, "performance.package_due")
    social = [r for r in reminders if r.data["category"] == "social_enterprise_products"]
    assert social and social[0].data["receiving_body"] == "고용노동부장관"
    assert social[0].data["due_on"] == (date(YEAR, 3, 1) - timedelta(days=1)).isoformat()


def test_the_statutory_package_of_a_category(orders_app, year, token):
    client, iid = orders_app.test_client(), year["institution"]["id"]
    admin = token("institution_admin", iid)
    client.put(
        f"/v1/institutions/{iid}/performance/targets",
        json={
            "fiscal_year": YEAR + 1,
            "category_code": "social_enterprise_products",
            "kind": "amount",
            "amount": 50_000_000,
        },
        headers=admin,
    )
    response = client.get(
        f"/v1/institutions/{iid}/performance/package",
        query_string={
            "fiscal_year": YEAR + 1,
            "category": "social_enterprise_products",
            "total_purchases": 1_999_800,
        },
        headers=admin,
    )
    assert response.status_code == 200, response.data[:300]
    workbook = load_workbook(io.BytesIO(response.data))
    overview = {row[0]: row[1] for row in workbook["개요"].iter_rows(min_row=2, values_only=True)}
    assert overview["제출처"] == "고용노동부장관"
    assert overview["구매실적 연도"] == f"{YEAR}년"
    plan = list(workbook[f"{YEAR + 1} 구매계획"].iter_rows(min_row=2, values_only=True))
    assert plan == [("기관 전체", 50_000_000, "금액", None, None, None)]
    achieved, total, ratio, _ = next(
        workbook["총구매액 대비 비율"].iter_rows(min_row=2, values_only=True)
    )
    assert achieved == 19_998 and total == 1_999_800 and ratio == 1.0  # 6 × 3,333원
    buyer = client.get(
        f"/v1/institutions/{iid}/performance/package",
        query_string={"fiscal_year": YEAR + 1, "category": "social_enterprise_products"},
        headers=year["general"],
    )
    assert buyer.status_code == 403
