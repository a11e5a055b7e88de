"""Who may do what with a group order, on every endpoint.

The organiser's routes need a bearer token and are the organiser's alone (another buyer of
the same institution, or one of another institution with the same `sub`, gets 404: the
group order does not exist for them). The participants' routes need no token at all: the
share code opens the public view and joining; the participant's secret opens their entry.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from gachi_kit.events import utcnow
from orders.adapters.models import GroupOrder, GroupOrderParticipant, Order, OutboxMessage
from tests.support.builders import keyed, register_institution

NEEDED_BY = (date.today() + timedelta(days=10)).isoformat()


def open_body(p, minimum=5):
    return {
        "title": "총무과 연말 선물 단체 구매",
        "items": [{"product_id": p["snack"]["id"]}, {"product_id": p["kimchi10"]["id"]}],
        "deadline": (utcnow() + timedelta(hours=3)).isoformat(),
        "minimum_quantity": minimum,
        "delivery_address": "경기도 광명시 시청로 20 광명시청",
        "needed_by": NEEDED_BY,
    }


@pytest.fixture
def world(orders_app, two_suppliers, institution, token):
    """A group order with one participant, and every kind of caller."""
    client = orders_app.test_client()
    siheung = register_institution(
        client, token("admin"), name="시흥시청", sigungu_code="41390", departments=["총무과"]
    )
    organiser = token("buyer", institution["id"], dept="총무과")  # sub "buyer-user"
    go = client.post("/v1/group-orders", json=open_body(two_suppliers), headers=keyed(organiser))
    assert go.status_code == 201, go.get_json()
    go = go.get_json()
    participant = client.post(
        f"/v1/group-orders/by-code/{go['share_code']}/participants",
        json={
            "name": "김순자",
            "contact": "010-1234-5678",
            "quantities": [{"item_no": 1, "quantity": 2}],
        },
    ).get_json()
    return {
        "go": go,
        "participant": participant,
        "callers": {
            "organiser": organiser,
            "same_institution_buyer": token(
                "buyer", institution["id"], sub="buyer-2", dept="총무과"
            ),
            "same_institution_admin": token("institution_admin", institution["id"], sub="admin-1"),
            # the same `sub` at another institution is someone else
            "other_institution": token("buyer", siheung["id"], dept="총무과"),
            "enterprise": token("enterprise", two_suppliers["tofu"]["id"]),
            "committee": token("committee", "committee-1"),
            "service": token("service"),
            "admin": token("admin"),
            "anonymous": {},
        },
    }


def snapshot(app):
    with app.extensions["orders"].db.reading() as session:
        counts = {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (GroupOrder, GroupOrderParticipant, Order, OutboxMessage)
        }
        go = session.scalars(select(GroupOrder)).all()
        people = session.scalars(select(GroupOrderParticipant)).all()
    return (
        counts,
        sorted((g.id, g.status) for g in go),
        sorted((p.id, p.status, str(p.quantities)) for p in people),
    )


# Expected status of each organiser route for each caller who is not the organiser.
ORGANISER_ROUTES = {
    # caller: (list, get, close, cancel)
    "same_institution_buyer": (200, 404, 404, 404),
    "same_institution_admin": (200, 404, 404, 404),
    "other_institution": (200, 404, 404, 404),
    "enterprise": (403, 403, 403, 403),
    "committee": (403, 403, 403, 403),
    "service": (403, 403, 403, 403),
    "admin": (200, 200, 403, 403),
    "anonymous": (401, 401, 401, 401),
}


@pytest.mark.parametrize("caller", sorted(ORGANISER_ROUTES))
def test_only_the_organiser_manages_a_group_order(orders_app, world, caller):
    client, go = orders_app.test_client(), world["go"]
    headers = world["callers"][caller]
    before = snapshot(orders_app)
    listing = client.get("/v1/group-orders", headers=headers)
    responses = (
        listing,
        client.get(f"/v1/group-orders/{go['id']}", headers=headers),
        client.post(f"/v1/group-orders/{go['id']}/close", headers=headers),
        client.post(
            f"/v1/group-orders/{go['id']}/cancel", json={"reason": "취소"}, headers=headers
        ),
    )
    assert tuple(r.status_code for r in responses) == ORGANISER_ROUTES[caller], [
        r.get_json() for r in responses
    ]
    for response in responses:
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json"
    if listing.status_code == 200:
        ids = [g["id"] for g in listing.get_json()["items"]]
        assert ids == ([go["id"]] if caller == "admin" else [])
    assert snapshot(orders_app) == before


def test_the_organiser_sees_lists_closes_and_cancels(orders_app, world, two_suppliers):
    client, go, organiser = orders_app.test_client(), world["go"], world["callers"]["organiser"]
    assert [g["id"] for g in client.get("/v1/group-orders", headers=organiser).get_json()["items"]]
    view = client.get(f"/v1/group-orders/{go['id']}", headers=organiser)
    assert view.status_code == 200
    assert view.get_json()["participants"][0]["contact"] == "010-1234-5678"
    # below the minimum (2 of 5): the organiser may ask, and is told why not
    early = client.post(f"/v1/group-orders/{go['id']}/close", headers=organiser)
    assert early.status_code == 409 and early.get_json()["code"] == "minimum_not_met"
    cancelled = client.post(
        f"/v1/group-orders/{go['id']}/cancel", json={"reason": "취소"}, headers=organiser
    )
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"

    other = client.post(
        "/v1/group-orders", json=open_body(two_suppliers, 1), headers=keyed(organiser)
    )
    other = other.get_json()
    client.post(
        f"/v1/group-orders/by-code/{other['share_code']}/participants",
        json={
            "name": "이지수",
            "contact": "jisu@example.kr",
            "quantities": [{"item_no": 2, "quantity": 1}],
        },
    )
    closed = client.post(f"/v1/group-orders/{other['id']}/close", headers=organiser)
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    order = client.get(f"/v1/orders/{closed.get_json()['order_id']}", headers=organiser)
    assert order.status_code == 200  # the order is the organiser's, like any other


OPENERS = {
    "organiser": 201,
    "same_institution_buyer": 201,
    "same_institution_admin": 201,
    "other_institution": 201,
    "enterprise": 403,
    "committee": 403,
    "service": 403,
    "admin": 403,
    "anonymous": 401,
}


@pytest.mark.parametrize("caller", sorted(OPENERS))
def test_who_may_open_a_group_order(orders_app, world, two_suppliers, caller):
    response = orders_app.test_client().post(
        "/v1/group-orders", json=open_body(two_suppliers), headers=keyed(world["callers"][caller])
    )
    assert response.status_code == OPENERS[caller], response.get_json()
    if caller == "anonymous":
        assert response.get_json()["code"] == "token_missing"


@pytest.mark.parametrize("caller", ["anonymous", "organiser", "enterprise", "other_institution"])
def test_the_share_code_is_all_it_takes_to_see_and_join(orders_app, world, caller):
    client, code = orders_app.test_client(), world["go"]["share_code"]
    headers = world["callers"][caller]  # a token neither helps nor hurts
    assert client.get(f"/v1/group-orders/by-code/{code}", headers=headers).status_code == 200
    joined = client.post(
        f"/v1/group-orders/by-code/{code}/participants",
        json={
            "name": "박민호",
            "contact": "02-123-4567",
            "quantities": [{"item_no": 2, "quantity": 1}],
        },
        headers=headers,
    )
    assert joined.status_code == 201, joined.get_json()
    for wrong in ("WRONG234", "ZZZZZZZZ", world["go"]["id"]):
        assert client.get(f"/v1/group-orders/by-code/{wrong}", headers=headers).status_code == 404
        refused = client.post(
            f"/v1/group-orders/by-code/{wrong}/participants",
            json={
                "name": "박민호",
                "contact": "02-123-4567",
                "quantities": [{"item_no": 1, "quantity": 1}],
            },
            headers=headers,
        )
        assert refused.status_code == 404


@pytest.mark.parametrize("caller", ["anonymous", "organiser", "admin", "enterprise"])
def test_only_the_participants_secret_opens_their_entry(orders_app, world, caller):
    client, go, participant = orders_app.test_client(), world["go"], world["participant"]
    url = f"/v1/group-orders/by-code/{go['share_code']}/participants/{participant['id']}"
    token = world["callers"][caller]
    body = {"quantities": [{"item_no": 1, "quantity": 3}]}
    before = snapshot(orders_app)

    for secret, status in ((None, 403), ("not-the-secret", 403)):
        headers = token | ({"X-Participant-Secret": secret} if secret else {})
        assert client.get(url, headers=headers).status_code == status
        assert client.put(url, json=body, headers=headers).status_code == status
        assert client.delete(url, headers=headers).status_code == status
    wrong_code = url.replace(go["share_code"], "WRONG234")
    right = token | {"X-Participant-Secret": participant["secret"]}
    assert client.get(wrong_code, headers=right).status_code == 404
    assert client.put(wrong_code, json=body, headers=right).status_code == 404
    assert snapshot(orders_app) == before

    assert client.get(url, headers=right).status_code == 200
    assert client.put(url, json=body, headers=right).status_code == 200
    assert client.delete(url, headers=right).status_code == 200


def test_the_openapi_document_marks_the_participants_routes_public(orders_app):
    spec = orders_app.test_client().get("/openapi.json").get_json()
    paths = spec["paths"]
    assert paths["/v1/group-orders/by-code/{code}"]["get"]["security"] == []
    entry = paths["/v1/group-orders/by-code/{code}/participants/{participant_id}"]
    for method in ("get", "put", "delete"):
        assert entry[method]["security"] == []
        names = [p["name"] for p in entry[method].get("parameters", [])]
        assert "X-Participant-Secret" in names
    assert "security" not in paths["/v1/group-orders"]["post"]  # the bearer default
