"""The delivery log per recipient and per event, the operator's dead letters and replay,
and the role matrix on every notify endpoint."""

from __future__ import annotations

import pytest

from tests.support.notify_events import (
    ENTERPRISE_A,
    ENTERPRISE_B,
    enterprise_registered,
    supplier_order_created,
)
from tests.support.notify_receivers import Reply, deliveries, send_all


def webhook(app, token, url, org=ENTERPRISE_A):
    response = app.test_client().post(
        "/v1/subscriptions",
        json={"channel": "webhook", "address": url, "event_types": ["*"]},
        headers=token("enterprise", org),
    )
    assert response.status_code == 201
    return response.get_json()


def test_log_per_recipient_and_per_event_shows_only_ones_own(napp, token, receiver, feed):
    client = napp.test_client()
    feed(napp, enterprise_registered(ENTERPRISE_A))
    feed(napp, enterprise_registered(ENTERPRISE_B))
    event_a = supplier_order_created(ENTERPRISE_A)
    feed(napp, event_a)
    feed(napp, supplier_order_created(ENTERPRISE_B))
    send_all(napp)

    mine = client.get("/v1/deliveries", headers=token("enterprise", ENTERPRISE_A)).get_json()
    assert mine["items"] and {d["recipient_id"] for d in mine["items"]} == {ENTERPRISE_A}
    per_event = client.get(
        f"/v1/events/{event_a['id']}/deliveries", headers=token("enterprise", ENTERPRISE_A)
    ).get_json()["items"]
    assert {d["channel"] for d in per_event} == {"inbox", "email", "sms"}
    assert all(d["status"] == "sent" for d in per_event)
    assert {d["summary"] for d in per_event if d["channel"] == "inbox"} == {
        "[새 주문] 두부과자 200g 외 1건 · 52,064원"
    }
    assert "payload" not in per_event[0]  # message bodies carry action links: never listed
    theirs = client.get(
        f"/v1/events/{event_a['id']}/deliveries", headers=token("enterprise", ENTERPRISE_B)
    ).get_json()["items"]
    assert theirs == []
    one = per_event[0]["id"]
    assert (
        client.get(f"/v1/deliveries/{one}", headers=token("enterprise", ENTERPRISE_B)).status_code
        == 404
    )
    assert (
        client.get(f"/v1/deliveries/{one}", headers=token("enterprise", ENTERPRISE_A)).status_code
        == 200
    )
    admin = client.get(
        f"/v1/deliveries?event_id={event_a['id']}", headers=token("admin")
    ).get_json()
    assert len(admin["items"]) == len(per_event)
    institution = client.get(
        "/v1/deliveries?recipient_type=institution",
        headers=token("institution_admin", "INST-GWANGMYEONG"),
    ).get_json()["items"]
    assert institution == []  # order.placed never came; nothing for the institution


def test_operator_lists_dead_deliveries_and_replays_them(napp, token, receiver, feed):
    client, admin = napp.test_client(), token("admin")
    webhook(napp, token, receiver.url)
    receiver.default = Reply(500)
    for _ in range(3):
        feed(napp, supplier_order_created())
    send_all(napp)
    dead = client.get("/v1/ops/dead-deliveries?channel=webhook", headers=admin).get_json()["items"]
    assert len(dead) == 3 and {d["attempts"] for d in dead} == {4}

    receiver.default = Reply(200)
    one = client.post(
        "/v1/ops/dead-deliveries/replay",
        json={"ids": [dead[0]["id"], "01JNOSUCHDELIVERY000000000"]},
        headers=admin,
    )
    assert one.status_code == 200, one.get_json()
    assert one.get_json() == {
        "replayed": [dead[0]["id"]],
        "skipped": [{"id": "01JNOSUCHDELIVERY000000000", "reason": "not_found"}],
    }
    rest = client.post(
        "/v1/ops/dead-deliveries/replay", json={"all": True, "channel": "webhook"}, headers=admin
    )
    assert sorted(rest.get_json()["replayed"]) == sorted(d["id"] for d in dead[1:])
    send_all(napp)
    rows = deliveries(napp, channel="webhook")
    assert {(r.status, r.attempts, r.replays) for r in rows} == {("sent", 1, 1)}
    assert client.get("/v1/ops/dead-deliveries", headers=admin).get_json()["items"] == []
    again = client.post("/v1/ops/dead-deliveries/replay", json={"ids": [rows[0].id]}, headers=admin)
    assert again.get_json()["skipped"] == [{"id": rows[0].id, "reason": "not_dead:sent"}]
    bad = client.post(
        "/v1/ops/dead-deliveries/replay", json={"ids": [rows[0].id], "all": True}, headers=admin
    )
    assert bad.status_code == 422 and bad.get_json()["code"] == "replay_selection"


# --- role matrix ------------------------------------------------------------------------

ROLES = {
    "anonymous": None,
    "committee": ("committee", "BEATS1"),
    "buyer": ("buyer", "INST-GWANGMYEONG"),
    "other_enterprise": ("enterprise", ENTERPRISE_B),
    "own_enterprise": ("enterprise", ENTERPRISE_A),
    "admin": ("admin", None),
}


def test_operator_lists_events_given_up_after_their_attempts(make_app, token, feed):
    """A poison event (one notify's handler cannot apply) is tried MAX_EVENT_ATTEMPTS times,
    then parked as dead, listed for operators with its last error, and counted."""
    from gachi_kit.consumer import DEAD_EVENTS

    app = make_app(MAX_EVENT_ATTEMPTS="2")
    poison = supplier_order_created(ENTERPRISE_A)
    del poison["data"]["lines"]  # a producer bug: notify's handler fails on it every time
    dead_before = DEAD_EVENTS.labels("notify", "supplier_order.created")._value.get()
    for _ in range(2):  # KeyError, or the template's UndefinedError, depending on the path
        with pytest.raises(Exception, match="lines"):
            feed(app, poison)
    assert feed(app, poison) == "dead"  # the third delivery is not handled again
    assert feed(app, poison) == "dead"
    healthy = supplier_order_created(ENTERPRISE_A)
    assert feed(app, healthy) == "done"  # the others still flow

    client = app.test_client()
    listed = client.get("/v1/ops/dead-events", headers=token("admin")).get_json()["items"]
    assert [(e["id"], e["type"], e["attempts"]) for e in listed] == [
        (poison["id"], "supplier_order.created", 3)
    ]
    assert "lines" in listed[0]["last_error"]
    other = client.get("/v1/ops/dead-events?type=order.placed", headers=token("admin"))
    assert other.get_json()["items"] == []
    assert DEAD_EVENTS.labels("notify", "supplier_order.created")._value.get() == dead_before + 1


@pytest.fixture
def world(napp, token, receiver, feed):
    """Enterprise A has a webhook subscription and a delivered supplier order."""
    sub = webhook(napp, token, receiver.url)
    event = supplier_order_created(ENTERPRISE_A)
    feed(napp, event)
    send_all(napp)
    (delivery,) = deliveries(napp, channel="webhook")
    return {"sub": sub["id"], "event": event["id"], "delivery": delivery.id}


MATRIX = [
    # (method, path, body, expected for: anonymous, committee, buyer, other enterprise,
    #  own enterprise, admin)
    ("GET", "/v1/subscriptions", None, (401, 200, 200, 200, 200, 200)),
    (
        "POST",
        "/v1/subscriptions",
        {"channel": "email", "address": "m@x.kr", "event_types": ["*"]},
        (401, 201, 201, 201, 201, 422),
    ),
    ("GET", "/v1/subscriptions/{sub}", None, (401, 404, 404, 404, 200, 200)),
    ("PATCH", "/v1/subscriptions/{sub}", {"active": True}, (401, 404, 404, 404, 200, 200)),
    ("POST", "/v1/subscriptions/{sub}/rotate-secret", {}, (401, 404, 404, 404, 200, 200)),
    ("DELETE", "/v1/subscriptions/{sub}", None, (401, 404, 404, 404, 204, 204)),
    ("GET", "/v1/deliveries", None, (401, 200, 200, 200, 200, 200)),
    ("GET", "/v1/deliveries/{delivery}", None, (401, 404, 404, 404, 200, 200)),
    ("GET", "/v1/events/{event}/deliveries", None, (401, 200, 200, 200, 200, 200)),
    ("GET", "/v1/ops/dead-deliveries", None, (401, 403, 403, 403, 403, 200)),
    ("POST", "/v1/ops/dead-deliveries/replay", {"all": True}, (401, 403, 403, 403, 403, 200)),
    ("GET", "/v1/ops/dead-events", None, (401, 403, 403, 403, 403, 200)),
    ("GET", "/v1/inbox", None, (401, 200, 200, 200, 200, 403)),
    ("POST", "/v1/inbox/01JNOSUCHITEM0000000000000/read", None, (401, 404, 404, 404, 404, 403)),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX]
)
def test_role_matrix(napp, token, receiver, world, method, path, body, expected):
    """Every role on every endpoint: 2xx for whom it is for, 403 for a role it is not for,
    404 for someone else's object (its existence is not revealed), 401 without a token."""
    client = napp.test_client()
    for role, want in zip(ROLES, expected, strict=True):
        who = ROLES[role]
        if method == "DELETE" and role == "admin":  # the owner deleted it a moment ago
            world["sub"] = webhook(napp, token, receiver.url + "/again")["id"]
        headers = {}
        if who is not None:
            headers = token(who[0], who[1], dept="총무과" if who[0] == "buyer" else None)
        response = client.open(path.format(**world), method=method, json=body, headers=headers)
        assert response.status_code == want, (role, response.get_json())
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json" and response.get_json()["code"]


def test_own_view_lists_no_one_elses_rows(napp, token, world):
    client = napp.test_client()
    for role in ("other_enterprise", "buyer", "committee"):
        kind, org = ROLES[role]
        headers = token(kind, org, dept="총무과" if kind == "buyer" else None)
        assert client.get("/v1/subscriptions", headers=headers).get_json()["items"] == []
        assert (
            client.get(f"/v1/events/{world['event']}/deliveries", headers=headers).get_json()[
                "items"
            ]
            == []
        )
