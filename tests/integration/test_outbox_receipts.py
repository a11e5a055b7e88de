"""Consumers confirm what they received; the producer's sweep sends the rest again.

A real catalog outbox (its database, a real Redis) asks a live notify over HTTP with
catalog's service token, and notify's own event handler takes the message: a message the
broker lost (kombu's BRPOP window, docs/operations.md) still reaches notify, once.
"""

from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import select

from catalog.adapters.models import OutboxMessage
from gachi_kit import receipts
from gachi_kit.jwks import own_service_tokens
from tests.support import infra
from tests.support.builders import enterprise_body

pytestmark = pytest.mark.committed


def queued_envelopes(redis_client) -> list[dict]:
    messages = [json.loads(raw) for raw in redis_client.lrange("notify", 0, -1)]
    return [json.loads(base64.b64decode(m["body"]))[0][0] for m in messages]


def outbox_row(cat, event_id: str) -> OutboxMessage:
    with cat.db.reading() as session:
        return session.scalars(select(OutboxMessage).where(OutboxMessage.id == event_id)).one()


@pytest.fixture
def catalog_asking(catalog_app, notify_app, service_config, monkeypatch):
    """catalog's outbox asking a live notify, due for confirmation as soon as it is sent."""
    cat = catalog_app.extensions["catalog"]
    with infra.live_server(notify_app) as notify_url:
        tokens = own_service_tokens(service_config, "catalog")
        lookup = receipts.over_http("notify", notify_url, tokens)
        monkeypatch.setattr(cat.outbox, "receipts", {"notify": lookup})
        monkeypatch.setattr(cat.outbox, "confirm_after", 0.0)
        yield cat


def register_enterprise(catalog_app, token, redis_client) -> dict:
    response = catalog_app.test_client().post(
        "/v1/enterprises", json=enterprise_body(name="광명 나눔 협동조합"), headers=token("admin")
    )
    assert response.status_code == 201, response.get_json()
    assert catalog_app.extensions["catalog"].outbox.publisher.flush()
    (envelope,) = queued_envelopes(redis_client)
    assert envelope["type"] == "enterprise.registered"
    return envelope


def test_an_event_the_broker_lost_is_sent_again_until_notify_has_it(
    catalog_asking, catalog_app, notify_app, token, redis_client
):
    from notify.services.events import handle_event

    cat = catalog_asking
    envelope = register_enterprise(catalog_app, token, redis_client)
    redis_client.delete("notify")  # lost between the broker and notify's worker

    assert receipts.confirm(cat.outbox) == (0, 1)  # notify never had it: sent again
    assert queued_envelopes(redis_client) == [envelope]  # to notify, the same event
    row = outbox_row(cat, envelope["id"])
    assert (row.resends, row.confirmed_at) == (1, None)

    with notify_app.app_context():  # notify's worker takes it
        assert handle_event(notify_app.extensions["notify"], envelope) == "done"
    assert receipts.confirm(cat.outbox) == (1, 0)
    row = outbox_row(cat, envelope["id"])
    assert row.confirmed_at is not None and row.check_after is None
    assert receipts.confirm(cat.outbox) == (0, 0)  # asked about once, not again
    assert queued_envelopes(redis_client) == [envelope]  # nothing more was sent


def test_an_event_notify_received_is_confirmed_without_a_second_message(
    catalog_asking, catalog_app, notify_app, token, redis_client
):
    from notify.services.events import handle_event

    envelope = register_enterprise(catalog_app, token, redis_client)
    redis_client.delete("notify")  # taken by notify's worker, which is slow to finish
    with notify_app.app_context():
        handle_event(notify_app.extensions["notify"], envelope)

    assert receipts.confirm(catalog_asking.outbox) == (1, 0)
    assert queued_envelopes(redis_client) == []


def test_a_consumer_that_cannot_be_asked_leaves_its_events_for_the_next_sweep(
    catalog_app, token, redis_client, service_config, monkeypatch
):
    cat = catalog_app.extensions["catalog"]
    down = f"http://127.0.0.1:{infra.free_port()}"
    tokens = own_service_tokens(service_config, "catalog")
    monkeypatch.setattr(
        cat.outbox, "receipts", {"notify": receipts.over_http("notify", down, tokens)}
    )
    monkeypatch.setattr(cat.outbox, "confirm_after", 0.0)
    envelope = register_enterprise(catalog_app, token, redis_client)
    before = outbox_row(cat, envelope["id"])

    assert receipts.confirm(cat.outbox) == (0, 0)  # neither confirmed nor sent blindly

    after = outbox_row(cat, envelope["id"])
    assert (after.check_after, after.resends, after.confirmed_at) == (before.check_after, 0, None)
    assert len(queued_envelopes(redis_client)) == 1


def test_events_are_not_asked_about_before_confirm_after(
    catalog_app, token, redis_client, monkeypatch
):
    cat = catalog_app.extensions["catalog"]

    def never(ids):
        raise AssertionError(f"asked about {ids} too early")

    monkeypatch.setattr(cat.outbox, "receipts", {"notify": never})
    monkeypatch.setattr(cat.outbox, "confirm_after", 600.0)
    register_enterprise(catalog_app, token, redis_client)
    assert receipts.confirm(cat.outbox) == (0, 0)


def test_the_wait_doubles_after_each_resend(catalog_app, token, redis_client, monkeypatch):
    cat = catalog_app.extensions["catalog"]
    monkeypatch.setattr(cat.outbox, "receipts", {"notify": lambda ids: set()})  # never has it
    monkeypatch.setattr(cat.outbox, "confirm_after", 0.0)
    envelope = register_enterprise(catalog_app, token, redis_client)
    assert receipts.confirm(cat.outbox) == (0, 1)
    monkeypatch.setattr(cat.outbox, "confirm_after", 60.0)
    with cat.db.transaction() as session:  # due again now
        session.get(OutboxMessage, envelope["id"]).check_after = outbox_row(
            cat, envelope["id"]
        ).published_at
    assert receipts.confirm(cat.outbox) == (0, 1)
    row = outbox_row(cat, envelope["id"])
    waited = (row.check_after - row.published_at).total_seconds()
    assert row.resends == 2 and waited >= 60 * 2**2 - 1  # 4 x confirm_after after two resends
