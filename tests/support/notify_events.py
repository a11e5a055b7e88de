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


# --- group orders (orders/services/published.py: the group_order.* payloads) ---------------

GROUP_ORDER = "01JGROUPORDER0000000000001"
INSTITUTION_ID = "01JINSTITUTIONGWANGMYEONG1"
ORGANISER = "buyer-organiser"
TITLE = "광명종합사회복지관 김장 나눔 단체 구매"
SNACK = {"item_no": 1, "name": "두부과자 200g", "unit": "봉"}
KIMCHI = {"item_no": 2, "name": "포기김치 10kg", "unit": "박스"}
WALNUT = {"item_no": 3, "name": "호두과자 20개입", "unit": "봉"}

# (participant id, name, contact, contact kind, quantities, supply, vat, amount) as joined;
# the amounts are orders' exact shares of one order of 52,064 + 195,000 원.
PEOPLE = {
    "kim": (
        "01JPARTICIPANTKIMSOONJA001",
        "김순자",
        "010-1234-5678",
        "phone",
        [(SNACK, 3), (KIMCHI, 1)],
        74_999,
        1_000,
        75_999,
    ),
    "lee": (
        "01JPARTICIPANTLEEJISU00002",
        "이지수",
        "jisu.lee@example.kr",
        "email",
        [(SNACK, 4), (WALNUT, 2)],
        37_332,
        3_733,
        41_065,
    ),
    "park": (  # a landline: no SMS
        "01JPARTICIPANTPARKMINHO003",
        "박민호",
        "02-123-4567",
        "phone",
        [(KIMCHI, 2)],
        130_000,
        0,
        130_000,
    ),
}


def participant(who: str, *, amounts: bool, **overrides) -> dict:
    pid, name, contact, kind, quantities, supply, vat, amount = PEOPLE[who]
    data = {
        "participant_id": pid,
        "name": name,
        "contact": contact,
        "contact_kind": kind,
        "quantities": [item | {"quantity": q} for item, q in quantities],
    }
    if amounts:
        data |= {"supply_amount": supply, "vat_amount": vat, "amount": amount}
    return data | overrides


def _group_order_base(status: str, group_order_id: str) -> dict:
    return {
        "group_order_id": group_order_id,
        "title": TITLE,
        "status": status,
        "institution_id": INSTITUTION_ID,
        "department": "총무과",
        "organiser_id": ORGANISER,
        "deadline": "2026-12-01T05:00:00+00:00",
        "needed_by": "2026-12-10",
    }


def group_order_closed(people=("kim", "lee", "park"), group_order_id=GROUP_ORDER, **extra):
    data = _group_order_base("closed", group_order_id) | {
        "order_id": "01JORDERFROMGROUPORDER0001",
        "supply_amount": 242_331,
        "vat_amount": 4_733,
        "total_amount": 247_064,
        "participants": [participant(p, amounts=True) for p in people],
    }
    return envelope("group_order.closed", data | extra)


def group_order_settled(
    kind: str,
    reason_code: str,
    reason: str,
    people=("kim", "lee", "park"),
    group_order_id=GROUP_ORDER,
    **extra,
) -> dict:
    """group_order.cancelled or group_order.failed, as orders' _settle writes them."""
    data = _group_order_base(kind, group_order_id) | {
        "reason_code": reason_code,
        "reason": reason,
        "total_quantity": 5,
        "minimum_quantity": 10,
        "participants": [participant(p, amounts=False) for p in people],
    }
    return envelope(f"group_order.{kind}", data | extra)
