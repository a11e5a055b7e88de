"""우선구매 data for the portal's page and browser tests, made through the real APIs of the
portal platform: a 광명시청 order delivered and inspected, the demo enterprise's
사업자등록번호, and an off-platform purchase CSV with one bad row."""

from __future__ import annotations

import uuid
from datetime import timedelta

import requests

from gachi_kit.dates import today_kst
from tests.support.portal import GWANGMYEONG_CITY

INSTITUTION_ADMIN = "institution@gachi.example"  # 한기관, 광명시청's institution admin
TOFU = "23KFF7TJ9W6P3ZPDERCAH15E5Z"  # 광명두부마을 협동조합 (demo data)
TOFU_SNACK = "63G7TW5EWP6FJH7Z6BBSVQKKXB"  # its 두부과자 (demo data)
LOCAL = "gwangmyeong_social_economy"  # 광명시 사회적경제기업 제품: every enterprise type
KIMCHI = [{"group_code": "KIMCHI-POGI-10KG", "quantity": 4}]


def api(portal, service: str, method: str, path: str, headers: dict, **kwargs):
    response = requests.request(
        method, portal.urls[service] + path, headers=headers, timeout=15, **kwargs
    )
    assert response.status_code < 300, (path, response.status_code, response.text)
    return response.json() if response.content else None


def inspected_order(portal, department: str = "총무과", lines: list | None = None) -> dict:
    """An order of `department` (포기김치 unless `lines` say otherwise), accepted, shipped,
    delivered and inspected in full."""
    buyer = portal.bearer("buyer", GWANGMYEONG_CITY, department)
    order = api(
        portal,
        "orders",
        "POST",
        "/v1/orders",
        {**buyer, "Idempotency-Key": str(uuid.uuid4())},
        json={
            "delivery_address": f"경기도 광명시 시청로 20 광명시청 {department}",
            "delivery_sigungu_code": "41210",
            "needed_by": (today_kst() + timedelta(days=21)).isoformat(),
            "lines": lines or KIMCHI,
        },
    )
    for so in order["supplier_orders"]:
        operator = portal.bearer("enterprise", so["enterprise_id"])
        path = f"/v1/supplier-orders/{so['id']}"
        api(portal, "orders", "POST", f"{path}/accept", operator, json={})
        api(
            portal,
            "orders",
            "POST",
            f"{path}/ship",
            operator,
            json={"carrier": "CJ대한통운", "tracking_number": "555-1234"},
        )
        api(portal, "orders", "POST", f"{path}/deliver", operator, json={})
        api(portal, "orders", "POST", f"{path}/inspect", buyer, json={})
    return api(portal, "orders", "GET", f"/v1/orders/{order['id']}", buyer)


def tofu_brn(portal) -> str:
    enterprise = api(portal, "catalog", "GET", f"/v1/enterprises/{TOFU}", portal.bearer("admin"))
    return enterprise["brn"]


def purchases_csv(brn: str) -> bytes:
    """Two good rows and one whose 사업자등록번호 fails its check digit (row 3)."""
    day = today_kst().replace(day=1).isoformat()
    rows = [
        "사업자등록번호,품명,공급가액,부가세,구매경로,부서,검수일,증빙",
        f"{brn},두부 선물세트 (나라장터),1200000,120000,나라장터,총무과,{day},나라장터-2026-001",
        f"123-45-67890,잘못된 번호의 기업,500000,50000,수의계약,총무과,{day},계약-2026-002",
        f"{brn},콩물 납품,300000,0,수의계약,회계과,{day},계약-2026-003",
    ]
    return ("\r\n".join(rows) + "\r\n").encode("utf-8")
