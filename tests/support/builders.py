"""Small builders for realistic Korean test data through the real APIs."""

from __future__ import annotations

import itertools
import uuid

from gachi_kit.brn import make_brn

_serial = itertools.count(1)


def enterprise_body(**overrides) -> dict:
    n = next(_serial)
    body = {
        "name": f"광명두부마을 협동조합 {n}호",
        "enterprise_type": "cooperative",
        "brn": make_brn(f"{120 + n % 800:03d}81{n:04d}"),
        "representative": "김순자",
        "sigungu_code": "41210",  # 경기도 광명시
        "address": "경기도 광명시 오리로 613",
        "phone": "02-2680-2114",
        "email": f"tofu{n}@example.kr",
    }
    return body | overrides


def product_body(enterprise_id: str | None = None, **overrides) -> dict:
    n = next(_serial)
    body = {
        "sku": f"SKU-{n:05d}",
        "name": "국산콩 두부과자 200g",
        "description": "광명에서 만든 바삭한 두부과자",
        "category": "food",
        "unit": "봉",
        "unit_price": 3500,
        "tax_type": "taxable",
        "min_order_qty": 1,
    }
    if enterprise_id is not None:
        body["enterprise_id"] = enterprise_id
    return body | overrides


def register_enterprise(client, admin_headers, **overrides) -> dict:
    response = client.post(
        "/v1/enterprises", json=enterprise_body(**overrides), headers=admin_headers
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def create_product(client, admin_headers, enterprise_id, **overrides) -> dict:
    response = client.post(
        "/v1/products", json=product_body(enterprise_id, **overrides), headers=admin_headers
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def register_institution(client, admin_headers, **overrides):
    body = {
        "name": "광명시청",
        "kind": "지자체",
        "sido_code": "41",
        "sigungu_code": "41210",
        "departments": ["총무과", "복지정책과"],
    } | overrides
    response = client.post("/v1/institutions", json=body, headers=admin_headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def keyed(headers: dict, key: str | None = None) -> dict:
    """`headers` with an Idempotency-Key (a fresh one unless given): creates need one."""
    return {**headers, "Idempotency-Key": key or str(uuid.uuid4())}
