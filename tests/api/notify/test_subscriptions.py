"""Subscriptions: defaults from enterprise contacts, the owner's CRUD, refusals that write
nothing (SSRF, unknown event types, mass assignment, oversized pages)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from notify.adapters.models import Subscription
from tests.support.notify_events import ENTERPRISE_A, ENTERPRISE_B, enterprise_registered, envelope


def subscriptions(app, **where):
    query = select(Subscription).order_by(Subscription.channel)
    for name, value in where.items():
        query = query.where(getattr(Subscription, name) == value)
    with app.extensions["notify"].db.reading() as session:
        return list(session.scalars(query))


def count(app) -> int:
    with app.extensions["notify"].db.reading() as session:
        return session.scalar(select(func.count()).select_from(Subscription))


def test_registration_creates_inbox_email_and_sms_from_the_contacts_once(notify_app, feed):
    event = enterprise_registered(phone="010-2680-2114", email="Tofu@Example.KR")
    assert feed(notify_app, event) == "done"
    feed(notify_app, {**event, "id": "01JREPLAYEDREGISTRATION000"})  # a replay, new id

    rows = subscriptions(notify_app, recipient_id=ENTERPRISE_A)
    assert [(s.channel, s.address, s.managed) for s in rows] == [
        ("email", "Tofu@example.kr", True),
        ("inbox", "", True),
        ("sms", "01026802114", True),
    ]
    assert rows[2].event_types == [
        "supplier_order.created",
        "supplier_order.reminder",
        "supplier_order.cancelled",
        "supplier_order.lines_cancelled",
    ]


def test_a_landline_gets_no_sms_subscription(notify_app, feed):
    feed(notify_app, enterprise_registered(phone="02-2680-2114"))
    assert [s.channel for s in subscriptions(notify_app)] == ["email", "inbox"]


def test_contact_changes_move_the_managed_subscriptions(notify_app, feed):
    feed(notify_app, enterprise_registered(phone="010-1111-2222"))
    feed(
        notify_app,
        envelope(
            "enterprise.updated",
            {"enterprise_id": ENTERPRISE_A, "email": "new@example.kr", "phone": "02-123-4567"},
            source="catalog",
        ),
    )
    by_channel = {s.channel: s for s in subscriptions(notify_app)}
    assert by_channel["email"].address == "new@example.kr"
    assert by_channel["sms"].active is False and by_channel["sms"].disabled_reason


def test_owner_creates_reads_changes_and_deletes_its_subscription(notify_app, token):
    client, mine = notify_app.test_client(), token("enterprise", ENTERPRISE_A)
    created = client.post(
        "/v1/subscriptions",
        json={"channel": "email", "address": "sales@tofu.kr", "event_types": ["supplier_order.*"]},
        headers=mine,
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["recipient_type"], body["recipient_id"]) == ("enterprise", ENTERPRISE_A)
    assert body["secret"] is None and created.headers["Location"].endswith(body["id"])

    listed = client.get("/v1/subscriptions", headers=mine).get_json()
    assert [s["id"] for s in listed["items"]] == [body["id"]]
    changed = client.patch(
        f"/v1/subscriptions/{body['id']}",
        json={"digest": "daily", "active": False},
        headers=mine,
    )
    assert changed.status_code == 200 and changed.get_json()["digest"] == "daily"
    duplicate = client.post(
        "/v1/subscriptions",
        json={"channel": "email", "address": "sales@tofu.kr", "event_types": ["*"]},
        headers=mine,
    )
    assert duplicate.status_code == 409 and duplicate.get_json()["code"] == "subscription_exists"
    assert client.delete(f"/v1/subscriptions/{body['id']}", headers=mine).status_code == 204
    assert count(notify_app) == 0


SSRF_URLS = [
    "http://127.0.0.1:8080/hook",
    "https://localhost/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://2130706433/hook",  # 127.0.0.1 as a decimal number
    "https://0x7f000001/hook",  # as hex
    "https://0177.0.0.1/hook",  # as octal
    "https://127.1/hook",  # short form
    "https://[::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",  # IPv4-mapped IPv6
    "https://[fd00:ec2::254]/latest",  # IPv6 ULA (a cloud metadata address)
    "https://[fe80::1]/hook",  # IPv6 link-local
    "https://10.0.0.5/hook",
    "https://172.16.3.4/hook",
    "https://192.168.0.1/hook",
    "https://100.64.0.1/hook",  # carrier-grade NAT
    "https://0.0.0.0/hook",
    "http://example.com/hook",  # plain http to a public host
    "ftp://example.com/hook",
    "https://user:pass@example.com/hook",
    "https://no-such-host.invalid/hook",
]


@pytest.mark.parametrize("url", SSRF_URLS)
def test_unsafe_webhook_urls_are_refused_at_registration_and_nothing_is_written(
    notify_app, token, url
):
    response = notify_app.test_client().post(
        "/v1/subscriptions",
        json={"channel": "webhook", "address": url, "event_types": ["*"]},
        headers=token("enterprise", ENTERPRISE_A),
    )
    assert response.status_code == 422, response.get_json()
    problem = response.get_json()
    assert response.mimetype == "application/problem+json"
    assert problem["code"].startswith("webhook_url_") and problem["errors"]["address"]
    assert count(notify_app) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"channel": "email", "address": "a@b.kr", "event_types": ["order.teleported"]},
            "event_types",
        ),
        ({"channel": "email", "address": "a@b.kr", "event_types": []}, "event_types"),
        ({"channel": "email", "address": "not-an-email", "event_types": ["*"]}, "address"),
        ({"channel": "sms", "address": "02-123-4567", "event_types": ["*"]}, "address"),
        ({"channel": "pigeon", "address": "x", "event_types": ["*"]}, "channel"),
        ({"channel": "webhook", "address": "", "event_types": ["*"]}, "address"),
        (
            {"channel": "sms", "address": "01012345678", "event_types": ["*"], "digest": "daily"},
            "digest",
        ),
        ({"channel": "inbox", "event_types": ["*"], "secret": "whsec_mine"}, "secret"),
        ({"channel": "inbox", "event_types": ["*"], "managed": True}, "managed"),
    ],
)
def test_bad_subscription_input_is_422_with_the_field_and_writes_nothing(
    notify_app, token, body, field
):
    response = notify_app.test_client().post(
        "/v1/subscriptions", json=body, headers=token("enterprise", ENTERPRISE_A)
    )
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert count(notify_app) == 0


@pytest.mark.parametrize(
    "path", ["/v1/subscriptions", "/v1/deliveries", "/v1/ops/dead-deliveries", "/v1/inbox"]
)
def test_page_size_is_capped(notify_app, token, path):
    response = notify_app.test_client().get(f"{path}?limit=1000000", headers=token("admin"))
    if path == "/v1/inbox":
        response = notify_app.test_client().get(
            f"{path}?limit=1000000", headers=token("enterprise", ENTERPRISE_A)
        )
    assert response.status_code == 422 and "limit" in response.get_json()["errors"]


def test_a_caller_cannot_subscribe_someone_else(notify_app, token):
    client = notify_app.test_client()
    for headers, target in [
        (token("enterprise", ENTERPRISE_B), ("enterprise", ENTERPRISE_A)),
        (token("buyer", "INST-1", dept="총무과"), ("institution", "INST-1")),
        (token("committee", "BEATS1"), ("enterprise", ENTERPRISE_A)),
    ]:
        response = client.post(
            "/v1/subscriptions",
            json={
                "recipient_type": target[0],
                "recipient_id": target[1],
                "channel": "email",
                "address": "x@y.kr",
                "event_types": ["*"],
            },
            headers=headers,
        )
        assert response.status_code == 403, response.get_json()
        assert response.get_json()["code"] == "forbidden_recipient"
    admin = client.post(
        "/v1/subscriptions",
        json={"channel": "email", "address": "x@y.kr", "event_types": ["*"]},
        headers=token("admin"),
    )
    assert admin.status_code == 422  # an admin names the recipient
    assert count(notify_app) == 0


def test_a_buyer_subscribes_itself_and_its_department(notify_app, token):
    client, buyer = notify_app.test_client(), token("buyer", "INST-1", sub="kim", dept="총무과")
    own = client.post(
        "/v1/subscriptions",
        json={"channel": "sms", "address": "010-9999-8888", "event_types": ["order.*"]},
        headers=buyer,
    )
    assert own.status_code == 201 and own.get_json()["recipient_id"] == "kim"
    dept = client.post(
        "/v1/subscriptions",
        json={
            "recipient_type": "department",
            "recipient_id": "INST-1/총무과",
            "channel": "email",
            "address": "chongmu@inst.go.kr",
            "event_types": ["supplier_order.*"],
        },
        headers=buyer,
    )
    assert dept.status_code == 201, dept.get_json()
