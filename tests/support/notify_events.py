"""Events as catalog and orders publish them (see placing.py / registry.py), for notify."""

from __future__ import annotations

from datetime import timedelta

from gachi_kit.events import Envelope, new_id, utcnow

ENTERPRISE_A = "01JENTERPRISEAAAAAAAAAAAAA"
ENTERPRISE_B = "01JENTERPRISEBBBBBBBBBBBBB"
INSTITUTION = "INST-GWANGMYEONG"


def envelope(type_: str, data: dict, source: str = "orders", occurred_at=None) -> dict:
    kwargs = {"occurred_at": occurred_at.isoformat()} if occurred_at else {}
    return Envelope(type=type_, source=source, data=data, **kwargs).to_dict()


def enterprise_registered(enterprise_id=ENTERPRISE_A, phone="010-1234-5678", email=None) -> dict:
    return envelope(
        "enterprise.registered",
        {
            "enterprise_id": enterprise_id,
            "name": "광명두부마을 협동조합",
            "enterprise_type": "cooperative",
            "sigungu_code": "41210",
            "email": email or f"tofu-{enterprise_id[-4:].lower()}@example.kr",
            "phone": phone,
        },
        source="catalog",
    )


def supplier_order_created(
    enterprise_id=ENTERPRISE_A,
    supplier_order_id=None,
    *,
    lines: int = 2,
    deadline_in: timedelta | None = None,
    occurred_at=None,
) -> dict:
    occurred = occurred_at or utcnow()
    data = {
        "supplier_order_id": supplier_order_id or new_id(),
        "order_id": new_id(),
        "enterprise_id": enterprise_id,
        "enterprise_name": "광명두부마을 협동조합",
        "institution_id": INSTITUTION,
        "department": "총무과",
        "needed_by": "2026-12-05",
        "delivery_address": "경기도 광명시 시청로 20",
        "supply_amount": 47331,
        "vat_amount": 4733,
        "total_amount": 52064,
        "lines": [
            {
                "line_no": i + 1,
                "product_id": f"p{i}",
                "sku": f"S{i}",
                "name": "두부과자 200g" if i == 0 else f"호두과자 {i}호",
                "unit": "봉",
                "quantity": 7,
                "unit_price": 3333,
                "tax_type": "taxable",
                "supply_amount": 23331,
            }
            for i in range(lines)
        ],
    }
    if deadline_in is not None:
        data["acceptance_deadline"] = (occurred + deadline_in).isoformat()
    return envelope("supplier_order.created", data, occurred_at=occurred)


def supplier_order_event(kind: str, created: dict, **extra) -> dict:
    data = created["data"]
    return envelope(
        f"supplier_order.{kind}",
        {
            "supplier_order_id": data["supplier_order_id"],
            "order_id": data["order_id"],
            "enterprise_id": data["enterprise_id"],
            "institution_id": data["institution_id"],
            "status": kind,
            **extra,
        },
    )
