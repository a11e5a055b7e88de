"""Participants of a group order (단체 구매) over HTTP: joining with the share code, changing
and withdrawing with their secret, refused entries, the public view that never shows who
joined, and nothing accepted after the deadline."""

from __future__ import annotations

import json

from sqlalchemy import select

from orders.adapters.models import GroupOrderParticipant
from tests.support.group_orders import (
    KIM,
    LEE,
    count,
    events,
    join,
    joined,
    mine,
    organiser_view,
    participant_url,
    pass_deadline,
    put,
)


def test_participants_join_change_and_withdraw_with_their_secret(orders_app, opened):
    client, code = orders_app.test_client(), opened["share_code"]
    kim = joined(client, code, KIM, {1: 3, 2: 1})
    assert kim["secret"] and kim["status"] == "active"
    assert kim["contact"] == "010-1234-5678" and kim["contact_kind"] == "phone"
    assert [(q["name"], q["quantity"]) for q in kim["quantities"]] == [
        ("두부과자 200g", 3),
        ("포기김치 10kg", 1),
    ]
    assert kim["group_order"]["total_quantity"] == 4
    lee = joined(client, code, ("이지수", "Jisu.Lee@EXAMPLE.kr"), {1: 4, 3: 2, 2: 0})
    assert lee["contact"] == "Jisu.Lee@example.kr" and lee["contact_kind"] == "email"
    assert lee["group_order"]["total_quantity"] == 10
    assert lee["group_order"]["participant_count"] == 2
    assert lee["secret"] != kim["secret"]

    # change: a full replacement of one's quantities
    changed = put(client, code, kim, {1: 5})
    assert changed.status_code == 200, changed.get_json()
    assert [(q["item_no"], q["quantity"]) for q in changed.get_json()["quantities"]] == [(1, 5)]
    assert "secret" not in changed.get_json()
    public = client.get(f"/v1/group-orders/by-code/{code}").get_json()
    assert [i["total_quantity"] for i in public["items"]] == [9, 0, 2]
    assert (public["total_quantity"], public["minimum_met"]) == (11, True)

    # only with one's own secret
    refused = [
        (put(client, code, kim, {1: 1}, headers={}), "participant_secret_missing"),
        (put(client, code, kim, {1: 1}, headers=mine(lee)), "participant_secret_invalid"),
        (
            put(client, code, kim, {1: 1}, headers={"X-Participant-Secret": "guess"}),
            "participant_secret_invalid",
        ),
        (client.get(participant_url(code, kim)), "participant_secret_missing"),
        (
            client.delete(participant_url(code, kim), headers=mine(lee)),
            "participant_secret_invalid",
        ),
        (
            client.get(
                participant_url(code, {"id": "01JNOSUCHPARTICIPANT000000"}), headers=mine(kim)
            ),
            "participant_secret_invalid",
        ),
    ]
    for response, problem_code in refused:
        assert response.status_code == 403, response.get_json()
        assert response.get_json()["code"] == problem_code
    own = client.get(participant_url(code, kim), headers=mine(kim))
    assert own.status_code == 200 and own.get_json()["quantities"][0]["quantity"] == 5

    # withdraw
    gone = client.delete(participant_url(code, lee), headers=mine(lee))
    assert gone.status_code == 200 and gone.get_json()["status"] == "withdrawn"
    assert gone.get_json()["group_order"]["total_quantity"] == 5
    assert gone.get_json()["group_order"]["participant_count"] == 1
    for again in (
        put(client, code, lee, {1: 1}),
        client.delete(participant_url(code, lee), headers=mine(lee)),
    ):
        assert again.status_code == 409
        assert again.get_json()["code"] == "participant_withdrawn"
        assert again.get_json()["current_state"] == "withdrawn"

    # the secret is stored only as a hash
    with orders_app.extensions["orders"].db.reading() as session:
        rows = session.scalars(select(GroupOrderParticipant)).all()
    stored = json.dumps([[str(getattr(r, c.key)) for c in r.__table__.columns] for r in rows])
    assert kim["secret"] not in stored and lee["secret"] not in stored
    assert events(orders_app, "group_order.opened") and len(events(orders_app)) == 1


def test_bad_entries_are_refused_and_nothing_is_written(orders_app, opened):
    client, code = orders_app.test_client(), opened["share_code"]
    cases = [
        (("김순자", "010-12"), {1: 1}, "contact"),
        (("김순자", "kim@"), {1: 1}, "contact"),
        (("", "010-1234-5678"), {1: 1}, "name"),
        (("  ", "010-1234-5678"), {1: 1}, "name"),
        (KIM, {9: 1}, "quantities"),
        (KIM, {1: 0, 2: 0}, "quantities"),
        (KIM, {1: -1}, "quantities"),
        (KIM, {1: 10_000_001}, "quantities"),
        (KIM, {}, "quantities"),
    ]
    for who, quantities, field in cases:
        response = join(client, code, who, quantities)
        assert response.status_code == 422, (who, quantities, response.get_json())
        assert field in response.get_json()["errors"], response.get_json()
    extra = client.post(
        f"/v1/group-orders/by-code/{code}/participants",
        json={
            "name": "김순자",
            "contact": "010-1234-5678",
            "quantities": [{"item_no": 1, "quantity": 1}],
            "status": "withdrawn",
        },
    )
    assert extra.status_code == 422 and "status" in extra.get_json()["errors"]
    for unknown in ("ZZZZ2222", "abc", "01234567"):
        missing = join(client, unknown, KIM, {1: 1})
        assert missing.status_code == 404 and missing.get_json()["code"] == "group_order_not_found"
        assert client.get(f"/v1/group-orders/by-code/{unknown}").status_code == 404
    assert count(orders_app, GroupOrderParticipant) == 0


def test_an_item_total_cannot_exceed_what_one_order_line_carries(orders_app, opened):
    client, code = orders_app.test_client(), opened["share_code"]
    joined(client, code, KIM, {1: 6_000_000})
    response = join(client, code, LEE, {1: 4_000_001})
    assert response.status_code == 422
    assert count(orders_app, GroupOrderParticipant) == 1


def test_the_public_view_never_shows_who_joined(orders_app, opened, token):
    client, code = orders_app.test_client(), opened["share_code"]
    joined(client, code, KIM, {1: 3})
    joined(client, code, LEE, {2: 2})
    typed = f"{code[:4].lower()}-{code[4:].lower()}"  # as a person might type it
    for headers in ({}, token("enterprise", "x")):
        response = client.get(f"/v1/group-orders/by-code/{typed}", headers=headers)
        assert response.status_code == 200
        body = response.get_json()
        text = response.get_data(as_text=True)
        for secret_word in (*KIM, *LEE, "jisu", "010", "participants", "secret", "organiser"):
            assert secret_word not in text, secret_word
        assert set(body) == {
            "share_code",
            "title",
            "status",
            "status_label",
            "deadline",
            "accepting",
            "minimum_quantity",
            "total_quantity",
            "minimum_met",
            "participant_count",
            "needed_by",
            "delivery_address",
            "brand_code",
            "memo",
            "items",
        }
        assert (body["total_quantity"], body["participant_count"]) == (5, 2)
    # the organiser sees everyone
    view = organiser_view(client, opened, token("buyer", opened["institution_id"], dept="총무과"))
    assert [(p["name"], p["contact"]) for p in view["participants"]] == [KIM, LEE]


def test_after_the_deadline_no_one_joins_changes_or_withdraws(orders_app, opened):
    client, code = orders_app.test_client(), opened["share_code"]
    kim = joined(client, code, KIM, {1: 3})
    pass_deadline(orders_app, opened["id"])
    for response in (
        join(client, code, LEE, {1: 1}),
        put(client, code, kim, {1: 9}),
        client.delete(participant_url(code, kim), headers=mine(kim)),
    ):
        assert response.status_code == 409, response.get_json()
        problem = response.get_json()
        assert problem["code"] == "group_order_not_accepting"
        assert problem["title"] == "참여 마감 시간이 지났습니다"
        assert problem["current_state"] == "open"
    public = client.get(f"/v1/group-orders/by-code/{code}").get_json()
    assert (public["accepting"], public["total_quantity"]) == (False, 3)
