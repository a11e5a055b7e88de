"""Builders for catalog tests: brands, product groups, certifications, CSV files, counting."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from sqlalchemy import func, select

from catalog.adapters.models import OutboxMessage
from tests.support.builders import create_product, register_enterprise

ROLES = ("admin", "enterprise", "buyer", "institution_admin", "committee", "service")


def brand_body(**overrides) -> dict:
    body = {
        "code": "BITSONE",
        "name": "비츠원",
        "sido_code": "41",
        "sigungu_code": "41210",
        "description": "광명시 사회적경제기업 공동브랜드",
        "criteria": [
            {"code": "locality", "name": "지역성", "description": "광명 소재", "weight": 40},
            {"code": "quality", "name": "품질", "description": "위생·반품률", "weight": 60},
        ],
        "listing_validity_months": 24,
        "routing_policy": "local_first",
    }
    return body | overrides


def group_body(**overrides) -> dict:
    body = {
        "code": "KIMCHI-POGI-10KG",
        "name": "포기김치 10kg",
        "unit": "박스",
        "description": "국산 배추 포기김치 10kg",
    }
    return body | overrides


def create_brand(client, admin, **overrides) -> dict:
    response = client.post("/v1/brands", json=brand_body(**overrides), headers=admin)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def create_group(client, admin, **overrides) -> dict:
    response = client.post("/v1/product-groups", json=group_body(**overrides), headers=admin)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def certification_body(number="2024-001", *, valid_from=None, valid_to=None) -> dict:
    """A 사회적기업 certification valid from a year ago to a year ahead, unless told."""
    today = date.today()
    return {
        "kind": "social_enterprise",
        "number": number,
        "issuer": "고용노동부",
        "valid_from": (valid_from or today - timedelta(days=365)).isoformat(),
        "valid_to": (valid_to or today + timedelta(days=365)).isoformat(),
    }


def certify(client, admin, enterprise_id, *, valid_from=None, valid_to=None, number="2024-001"):
    response = client.post(
        f"/v1/enterprises/{enterprise_id}/certifications",
        json=certification_body(number, valid_from=valid_from, valid_to=valid_to),
        headers=admin,
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def approve(client, admin, brand_code, product_id, valid_until=None):
    body = {} if valid_until is None else {"valid_until": valid_until.isoformat()}
    response = client.put(
        f"/v1/brands/{brand_code}/listings/{product_id}", json=body, headers=admin
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def supplier(client, admin, *, name, sigungu="41210", certified=True, **product):
    """An enterprise with one product (and, by default, a valid certification)."""
    enterprise = register_enterprise(client, admin, name=name, sigungu_code=sigungu)
    if certified:
        certify(client, admin, enterprise["id"])
    item = create_product(client, admin, enterprise["id"], **product)
    return enterprise, item


def events(app, type_=None) -> list[OutboxMessage]:
    with app.extensions["catalog"].db.reading() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if type_:
            query = query.where(OutboxMessage.type == type_)
        return list(session.scalars(query))


def count(app, model) -> int:
    with app.extensions["catalog"].db.reading() as session:
        return session.scalar(select(func.count()).select_from(model))


def csv_bytes(rows: list[list], encoding="utf-8") -> bytes:
    """A CSV file as Excel saves it: CRLF lines, in `encoding` (utf-8, utf-8-sig, cp949)."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)
