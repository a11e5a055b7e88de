"""Helpers for the group-order (단체 구매) API tests in tests/api/orders: the opening body,
joining and changing with the share code and the participant's secret, the deadline, and
what orders wrote (its outbox, its rows, the organiser's view)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select, update

from gachi_kit.events import utcnow
from orders.adapters.models import GroupOrder, OutboxMessage
from orders.services.group_orders import closing

NEEDED_BY = (date.today() + timedelta(days=10)).isoformat()
KIM = ("김순자", "010-1234-5678")
LEE = ("이지수", "jisu.lee@example.kr")
PARK = ("박민호", "02-123-4567")


def open_body(p, **overrides):
    body = {
        "title": "광명종합사회복지관 김장 나눔 단체 구매",
        "items": [
            {"product_id": p["snack"]["id"]},  # 1: 두부과자 200g 3,333원 과세
            {"product_id": p["kimchi10"]["id"]},  # 2: 포기김치 10kg 65,000원 면세
            {"product_id": p["snack2"]["id"]},  # 3: 호두과자 20개입 12,000원 과세
        ],
        "deadline": (utcnow() + timedelta(hours=2)).isoformat(),
        "minimum_quantity": 10,
        "delivery_address": "경기도 광명시 오리로 613 광명종합사회복지관",
        "delivery_sigungu_code": "41210",
        "needed_by": NEEDED_BY,
        "memo": "복지관 1층 로비로 배송해 주세요",
    }
    return body | overrides


def join(client, code, who, quantities):
    name, contact = who
    return client.post(
        f"/v1/group-orders/by-code/{code}/participants",
        json={
            "name": name,
            "contact": contact,
            "quantities": [{"item_no": n, "quantity": q} for n, q in quantities.items()],
        },
    )


def joined(client, code, who, quantities):
    response = join(client, code, who, quantities)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def mine(participant):
    return {"X-Participant-Secret": participant["secret"]}


def participant_url(code, participant):
    return f"/v1/group-orders/by-code/{code}/participants/{participant['id']}"


def put(client, code, participant, quantities, headers=None):
    return client.put(
        participant_url(code, participant),
        json={"quantities": [{"item_no": n, "quantity": q} for n, q in quantities.items()]},
        headers=mine(participant) if headers is None else headers,
    )


def pass_deadline(app, group_order_id):
    with app.extensions["orders"].db.transaction() as session:
        session.execute(
            update(GroupOrder)
            .where(GroupOrder.id == group_order_id)
            .values(deadline=utcnow() - timedelta(minutes=1))
        )


def close_due(app):
    with app.app_context():
        return closing.close_due(app.extensions["orders"])


def events(app, *types):
    with app.extensions["orders"].db.reading() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    return [r for r in rows if not types or r.type in types]


def count(app, model):
    with app.extensions["orders"].db.reading() as session:
        return session.scalar(select(func.count()).select_from(model))


def organiser_view(client, go, headers):
    response = client.get(f"/v1/group-orders/{go['id']}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()
