"""Several e-mails or texts in one task (`notify.send_deliveries`): claimed in one
transaction, each sent to the provider (here the NHN Cloud SMS format on a local server),
the sent ones settled in one transaction; one that fails or is capped leaves the others
sent, and what is not due or already sent is left alone."""

from __future__ import annotations

import threading

from sqlalchemy import update

from notify.adapters.models import Delivery
from notify.services.deliveries import send_deliveries
from tests.support.notify_consumer import write_transactions
from tests.support.notify_events import (
    ENTERPRISE_A,
    ENTERPRISE_B,
    enterprise_registered,
    supplier_order_created,
)
from tests.support.notify_receivers import NHN_OK, HTTPReceiver, Reply, deliveries


def texting_app(make_app, provider, **settings):
    return make_app(
        SMS_PROVIDER="nhncloud",
        SMS_API_URL=provider.url,
        SMS_SENDER_NUMBER="0226800000",
        **settings,
    )


def texts_for(app, feed, orders: list[tuple[str, str]]) -> list[str]:
    """One supplier order per (enterprise, mobile number): the SMS deliveries' ids."""
    for enterprise, phone in dict(orders).items():
        feed(app, enterprise_registered(enterprise, phone=phone))
    for enterprise, _ in orders:
        feed(app, supplier_order_created(enterprise))
    return sorted(row.id for row in deliveries(app, channel="sms"))


def send(app, ids) -> list[str]:
    with app.app_context():
        return send_deliveries(app.extensions["notify"], ids)


def by_id(app) -> dict:
    return {row.id: row for row in deliveries(app, channel="sms")}


def test_several_texts_take_one_claim_and_one_settling_transaction(make_app, feed):
    with HTTPReceiver(default=NHN_OK) as provider:
        app = texting_app(make_app, provider)
        ids = texts_for(
            app, feed, [(ENTERPRISE_A, "010-1111-2222"), (ENTERPRISE_B, "010-3333-4444")]
        )
        begun = write_transactions(app)
        assert send(app, ids) == ["sent", "sent"]
    assert len(begun) == 2  # the claim of both, the settling of both
    assert sorted(r.json()["recipientList"][0]["recipientNo"] for r in provider.requests) == [
        "01011112222",
        "01033334444",
    ]
    assert [(row.status, row.attempts, row.lease_until) for row in by_id(app).values()] == [
        ("sent", 1, None),
        ("sent", 1, None),
    ]


def test_a_text_that_fails_leaves_the_others_of_its_task_sent(make_app, feed):
    with HTTPReceiver(default=NHN_OK) as provider:
        provider.replies = [Reply(503)]  # the provider's first answer: an outage
        app = texting_app(make_app, provider)
        ids = texts_for(
            app, feed, [(ENTERPRISE_A, "010-1111-2222"), (ENTERPRISE_B, "010-3333-4444")]
        )
        assert send(app, ids) == ["failed", "sent"]
    rows = by_id(app)
    failed, sent = rows[ids[0]], rows[ids[1]]
    assert (failed.status, failed.attempts, failed.next_attempt_at is not None) == (
        "failed",
        1,
        True,
    )
    assert "503" in failed.last_error
    assert (sent.status, sent.attempts) == ("sent", 1)


def test_the_daily_cap_holds_inside_one_task(make_app, feed):
    with HTTPReceiver(default=NHN_OK) as provider:
        app = texting_app(make_app, provider, SMS_DAILY_CAP="2")
        ids = texts_for(app, feed, [(ENTERPRISE_A, "010-1111-2222")] * 3)
        assert send(app, ids) == ["sent", "sent", "rate_capped"]
    assert len(provider.requests) == 2
    capped = by_id(app)[ids[2]]
    assert (capped.status, "2건" in capped.last_error) == ("skipped", True)


def test_what_is_sent_missing_or_not_due_is_left_alone(make_app, feed):
    with HTTPReceiver(default=NHN_OK) as provider:
        app = texting_app(make_app, provider)
        ids = texts_for(
            app, feed, [(ENTERPRISE_A, "010-1111-2222"), (ENTERPRISE_B, "010-3333-4444")]
        )
        assert send(app, ids[:1]) == ["sent"]
        # a resend of the sent one (a redelivered task), a row that does not exist
        assert send(app, [ids[0], "01JNOSUCHDELIVERY000000000", ids[1]]) == [
            "sent",
            "missing",
            "sent",
        ]
    assert len(provider.requests) == 2  # each text once


def test_a_text_claimed_again_while_it_was_sent_is_not_settled_by_the_first_task(make_app, feed):
    """The lease ran out while the provider took its time, and another worker claimed the
    row again (attempt 2): the first task's settling leaves that attempt's row alone, and
    settles the other text of its batch."""
    held = threading.Event()
    with HTTPReceiver(default=NHN_OK) as provider:
        provider.replies = [Reply(200, NHN_OK.headers, NHN_OK.body, hold=held)]
        app = texting_app(make_app, provider)
        ids = texts_for(
            app, feed, [(ENTERPRISE_A, "010-1111-2222"), (ENTERPRISE_B, "010-3333-4444")]
        )
        results = []
        task = threading.Thread(target=lambda: results.extend(send(app, ids)))
        task.start()
        assert provider.arrived.wait(10)
        with app.app_context(), app.extensions["notify"].db.transaction() as session:
            session.execute(
                update(Delivery).where(Delivery.id == ids[0]).values(attempts=2)
            )  # what a second claim of the row writes
        held.set()
        task.join(20)
    assert results == ["superseded", "sent"]
    rows = by_id(app)
    assert (rows[ids[0]].status, rows[ids[0]].attempts, rows[ids[0]].sent_at) == (
        "sending",
        2,
        None,
    )
    assert (rows[ids[1]].status, rows[ids[1]].attempts) == ("sent", 1)


def test_the_emails_of_one_task_share_one_smtp_connection(make_app, smtp, feed):
    app = make_app(SMTP_HOST=smtp.host, SMTP_PORT=str(smtp.port))
    smtp.messages.clear()
    smtp.peers.clear()
    for enterprise in (ENTERPRISE_A, ENTERPRISE_B):
        feed(app, enterprise_registered(enterprise, email=f"{enterprise[-4:]}@example.kr"))
        feed(app, supplier_order_created(enterprise))
    ids = sorted(row.id for row in deliveries(app, channel="email"))
    with app.app_context():
        assert send_deliveries(app.extensions["notify"], ids) == ["sent", "sent"]
    assert sorted(m["X-Gachi-Delivery"] for m in smtp.messages) == ids
    assert len(set(smtp.peers)) == 1  # one connection (one EHLO) for both
    # a task of its own opens a connection of its own
    feed(app, supplier_order_created(ENTERPRISE_A))
    (third,) = {row.id for row in deliveries(app, channel="email")} - set(ids)
    assert send(app, [third]) == ["sent"]
    assert len(set(smtp.peers)) == 2


def test_a_refused_mailbox_fails_alone_and_the_connection_sends_the_next(make_app, smtp, feed):
    app = make_app(SMTP_HOST=smtp.host, SMTP_PORT=str(smtp.port))
    smtp.messages.clear()
    smtp.peers.clear()
    feed(app, enterprise_registered(ENTERPRISE_A, email="nobody@example.kr"))
    feed(app, enterprise_registered(ENTERPRISE_B, email="tofu@example.kr"))
    for enterprise in (ENTERPRISE_A, ENTERPRISE_B):
        feed(app, supplier_order_created(enterprise))
    rows = {row.address: row.id for row in deliveries(app, channel="email")}
    refused, fine = rows["nobody@example.kr"], rows["tofu@example.kr"]
    assert send(app, [refused, fine]) == ["dead", "sent"]  # 550: permanent
    assert [m["X-Gachi-Delivery"] for m in smtp.messages] == [fine]
    assert len(smtp.peers) == 2 and len(set(smtp.peers)) == 1  # the refusal's connection
    (dead,) = deliveries(app, id=refused)
    assert (dead.response_code, dead.last_error) == (550, "받는 주소를 서버가 거부했습니다")
