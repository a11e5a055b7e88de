"""Outbound webhooks to a real receiver on loopback, verified with the `standardwebhooks`
package exactly as a subscriber would: signatures, retries, 410, 3xx, timeouts, SSRF."""

from __future__ import annotations

import json

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from notify.adapters.models import Subscription
from tests.support.notify_events import ENTERPRISE_A, supplier_order_created
from tests.support.notify_receivers import Reply, deliveries, send_all


def subscribe(app, token, url, events=("supplier_order.*",), org=ENTERPRISE_A):
    response = app.test_client().post(
        "/v1/subscriptions",
        json={"channel": "webhook", "address": url + "/hooks/gachi", "event_types": list(events)},
        headers=token("enterprise", org),
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["secret"].startswith("whsec_")
    return body


def webhook_rows(app):
    return deliveries(app, channel="webhook")


def test_delivery_is_signed_per_standard_webhooks_and_verified_by_the_package(
    napp, token, receiver, feed
):
    sub = subscribe(napp, token, receiver.url)
    event = supplier_order_created(lines=5)
    assert feed(napp, event) == "done"

    (row,) = webhook_rows(napp)  # one message per supplier order, never one per line
    assert row.status == "pending"
    send_all(napp)

    (request,) = receiver.requests
    assert request.path == "/hooks/gachi"
    payload = Webhook(sub["secret"]).verify(request.body, request.headers)
    assert payload["type"] == "supplier_order.created"
    assert payload["event_id"] == event["id"]
    assert payload["data"]["supplier_order_id"] == event["data"]["supplier_order_id"]
    assert len(payload["data"]["lines"]) == 5
    assert request.headers["webhook-id"] == row.id
    assert request.headers["Content-Type"].startswith("application/json")
    (sent,) = webhook_rows(napp)
    assert (sent.status, sent.attempts, sent.response_code) == ("sent", 1, 200)

    with pytest.raises(WebhookVerificationError):  # a tampered body does not verify
        Webhook(sub["secret"]).verify(request.body.replace(b"52064", b"99999"), request.headers)
    with pytest.raises(WebhookVerificationError):  # nor does another endpoint's secret
        Webhook(subscribe(napp, token, receiver.url + "/x")["secret"]).verify(
            request.body, request.headers
        )


def test_rotation_signs_with_both_secrets_during_the_overlap(napp, token, receiver, feed):
    old = subscribe(napp, token, receiver.url)
    rotated = napp.test_client().post(
        f"/v1/subscriptions/{old['id']}/rotate-secret",
        json={"overlap_hours": 24},
        headers=token("enterprise", ENTERPRISE_A),
    )
    assert rotated.status_code == 200, rotated.get_json()
    new = rotated.get_json()
    assert new["secret"] != old["secret"] and new["secret_rotating_until"]

    feed(napp, supplier_order_created())
    send_all(napp)
    (request,) = receiver.requests
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    Webhook(old["secret"]).verify(request.body, request.headers)  # receivers not yet switched
    Webhook(new["secret"]).verify(request.body, request.headers)  # and those that did

    ended = napp.test_client().post(
        f"/v1/subscriptions/{old['id']}/rotate-secret",
        json={"overlap_hours": 0},
        headers=token("enterprise", ENTERPRISE_A),
    )
    newest = ended.get_json()["secret"]
    feed(napp, supplier_order_created())
    send_all(napp)
    last = receiver.requests[-1]
    assert len(last.headers["webhook-signature"].split(" ")) == 1
    Webhook(newest).verify(last.body, last.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new["secret"]).verify(last.body, last.headers)


def test_5xx_and_429_are_retried_with_backoff_and_the_same_webhook_id(napp, token, receiver, feed):
    sub = subscribe(napp, token, receiver.url)
    receiver.replies = [Reply(500), Reply(429, {"Retry-After": "0"}), Reply(503)]
    feed(napp, supplier_order_created())

    send_all(napp)

    (row,) = webhook_rows(napp)
    assert (row.status, row.attempts, row.response_code, row.last_error) == ("sent", 4, 200, None)
    ids = {r.headers["webhook-id"] for r in receiver.requests}
    assert ids == {row.id} and len(receiver.requests) == 4
    for request in receiver.requests:  # each attempt is signed afresh and verifies
        Webhook(sub["secret"]).verify(request.body, request.headers)
    gaps = [b.at - a.at for a, b in zip(receiver.requests, receiver.requests[1:], strict=False)]
    assert all(gap >= 0.02 for gap in gaps)  # base 0.05 s, equal jitter: never under half


def test_one_task_sends_a_receiver_s_webhooks_and_stops_at_its_first_failure(
    napp, token, receiver, feed
):
    from notify.services.deliveries import send_deliveries

    subscribe(napp, token, receiver.url)
    for _ in range(4):
        feed(napp, supplier_order_created())
    ids = [row.id for row in webhook_rows(napp)]
    receiver.replies = [Reply(200), Reply(503)]  # then it would answer again

    with napp.app_context():
        results = send_deliveries(napp.extensions["notify"], ids)

    # sent, failed, and the two after the failure deferred unsent: not one request more
    assert results == ["sent", "failed", "deferred", "deferred"]
    assert [r.headers["webhook-id"] for r in receiver.requests] == ids[:2]
    assert len(receiver.peers) == 1  # one kept-alive connection for the task's sends
    rows_now = {row.id: (row.status, row.attempts, row.max_attempts) for row in webhook_rows(napp)}
    assert rows_now == {
        ids[0]: ("sent", 1, 4),
        ids[1]: ("failed", 1, 4),
        ids[2]: ("pending", 1, 5),  # deferred: not counted against the allowance
        ids[3]: ("pending", 1, 5),
    }
    sent, _, *deferred = webhook_rows(napp)
    for row in deferred:  # the sweep sends them a little later
        assert row.last_error.startswith("같은 수신 서버로 먼저 보낸 메시지가 실패")
        assert row.next_attempt_at > sent.sent_at


def test_retries_stop_at_the_maximum_and_the_delivery_is_dead(napp, token, receiver, feed):
    subscribe(napp, token, receiver.url)
    receiver.default = Reply(502)
    feed(napp, supplier_order_created())

    send_all(napp)

    (row,) = webhook_rows(napp)
    assert (row.status, row.attempts, row.response_code) == ("dead", 4, 502)
    assert row.last_error == "HTTP 502" and row.next_attempt_at is None
    assert len(receiver.requests) == 4


def test_410_disables_the_endpoint_and_nothing_more_is_sent(napp, token, receiver, feed):
    sub = subscribe(napp, token, receiver.url)
    receiver.default = Reply(410)
    feed(napp, supplier_order_created())
    send_all(napp)

    (row,) = webhook_rows(napp)
    assert (row.status, row.attempts, row.response_code) == ("dead", 1, 410)
    with napp.extensions["notify"].db.reading() as session:
        subscription = session.get(Subscription, sub["id"])
    assert subscription.active is False and "410" in subscription.disabled_reason

    feed(napp, supplier_order_created())
    send_all(napp)
    assert len(webhook_rows(napp)) == 1 and len(receiver.requests) == 1


def test_a_redirect_is_a_failure_and_is_never_followed(napp, token, receiver, feed):
    subscribe(napp, token, receiver.url)
    receiver.replies = [Reply(302, {"Location": "http://169.254.169.254/latest/meta-data/"})]
    receiver.default = Reply(307, {"Location": receiver.url + "/elsewhere"})
    feed(napp, supplier_order_created())

    send_all(napp)

    (row,) = webhook_rows(napp)
    assert row.status == "dead" and row.response_code == 307
    assert "리디렉션" in row.last_error
    assert {r.path for r in receiver.requests} == {"/hooks/gachi"}  # never /elsewhere


def test_a_slow_receiver_times_out_and_is_retried(make_app, token, receiver, feed):
    app = make_app(WEBHOOK_ALLOW_LOOPBACK="1", WEBHOOK_TIMEOUT_SECONDS="0.3")
    subscribe(app, token, receiver.url)
    receiver.replies = [Reply(200, delay=1.0)]
    feed(app, supplier_order_created())

    send_all(app)

    (row,) = webhook_rows(app)
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(receiver.requests) == 2


def test_loopback_is_refused_at_send_time_when_not_allowed(make_app, napp, token, receiver, feed):
    subscribe(napp, token, receiver.url)  # registered while loopback was allowed
    strict = make_app()  # production settings: loopback refused
    feed(strict, supplier_order_created())

    send_all(strict)

    (row,) = webhook_rows(strict)
    assert row.status == "dead" and row.attempts == 1
    assert "루프백" in row.last_error
    assert receiver.requests == []


def test_two_tasks_for_one_delivery_send_once(napp, token, receiver, feed):
    from notify.services.deliveries import send_delivery

    subscribe(napp, token, receiver.url)
    feed(napp, supplier_order_created())
    (row,) = webhook_rows(napp)
    n = napp.extensions["notify"]
    with napp.app_context():
        assert send_delivery(n, row.id) == "sent"
        assert send_delivery(n, row.id) == "sent"  # the second finds it settled: no send
    assert len(receiver.requests) == 1


def test_the_same_event_twice_makes_one_delivery_per_channel(napp, token, receiver, feed):
    subscribe(napp, token, receiver.url)
    event = supplier_order_created()
    assert feed(napp, event) == "done"
    assert feed(napp, event) == "duplicate"
    send_all(napp)
    assert len(receiver.requests) == 1
    body = json.loads(receiver.requests[0].body)
    assert body["event_id"] == event["id"]


def test_a_destination_with_its_sends_in_flight_defers_without_counting_an_attempt(
    napp, token, receiver, feed
):
    from notify.adapters.bulkhead import destination
    from notify.services.deliveries import send_delivery

    subscribe(napp, token, receiver.url)
    feed(napp, supplier_order_created())
    (row,) = webhook_rows(napp)
    n = napp.extensions["notify"]
    where = destination("webhook", row.address)
    with n.channels.bulkhead.slot(where) as first, n.channels.bulkhead.slot(where) as second:
        assert first and second  # the destination's two slots are taken by other sends
        with napp.app_context():
            assert send_delivery(n, row.id) == "deferred"
    assert not receiver.requests  # nothing was sent, nothing waited for the receiver
    (deferred,) = webhook_rows(napp)
    assert deferred.status == "pending" and deferred.next_attempt_at > row.next_attempt_at
    assert deferred.max_attempts == row.max_attempts + 1  # the deferral is not counted
    assert "미뤘습니다" in deferred.last_error

    send_all(napp, wait=10)  # the slots are free again: sent on the next try
    (sent,) = webhook_rows(napp)
    assert sent.status == "sent" and len(receiver.requests) == 1


def test_deliveries_to_one_receiver_reuse_its_connection(napp, token, receiver, feed):
    subscribe(napp, token, receiver.url)
    for _ in range(3):
        feed(napp, supplier_order_created())
    send_all(napp)
    assert len(receiver.requests) == 3
    assert len(receiver.peers) == 1  # one kept-alive connection, not one per message
