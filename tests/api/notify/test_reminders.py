"""A supplier order not acknowledged within half its acceptance deadline gets one reminder
on the enterprise's most direct channel (and its inbox); an acknowledgement cancels it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from gachi_kit.events import utcnow
from notify.adapters.models import InboxItem, SupplierOrderCopy
from notify.services import reminders
from tests.support.notify_events import (
    enterprise_registered,
    supplier_order_created,
    supplier_order_event,
)
from tests.support.notify_receivers import deliveries, send_all


def scan(app) -> int:
    with app.app_context():
        return reminders.scan(app.extensions["notify"])


def copy_of(app, created) -> SupplierOrderCopy:
    with app.extensions["notify"].db.reading() as session:
        return session.get(SupplierOrderCopy, created["data"]["supplier_order_id"])


def test_reminder_at_half_the_deadline_on_the_most_direct_channel_once(notify_app, feed):
    feed(notify_app, enterprise_registered(phone="010-1234-5678"))  # inbox, e-mail, SMS
    past = utcnow() - timedelta(hours=3)
    created = supplier_order_created(occurred_at=past, deadline_in=timedelta(hours=4))
    feed(notify_app, created)
    copy = copy_of(notify_app, created)
    assert copy.reminder_status == "scheduled"
    assert copy.remind_at == past + timedelta(hours=2)

    assert scan(notify_app) == 1
    assert scan(notify_app) == 0  # once

    reminder = deliveries(notify_app, event_type="supplier_order.reminder")
    assert sorted(r.channel for r in reminder) == ["inbox", "sms"]  # SMS beats e-mail
    send_all(notify_app)
    (sms,) = deliveries(notify_app, event_type="supplier_order.reminder", channel="sms")
    assert sms.status == "sent" and sms.payload["text"].startswith("[같이] 수락 대기 주문")
    with notify_app.extensions["notify"].db.reading() as session:
        titles = session.scalars(select(InboxItem.title).order_by(InboxItem.id)).all()
    assert titles[-1].startswith("[수락 요청] 두부과자 200g 외 1건")


def test_not_due_yet_means_no_reminder(notify_app, feed):
    feed(notify_app, supplier_order_created(deadline_in=timedelta(hours=24)))
    assert scan(notify_app) == 0


def test_acknowledgement_cancels_the_reminder(notify_app, feed):
    created = supplier_order_created(
        occurred_at=utcnow() - timedelta(hours=3), deadline_in=timedelta(hours=4)
    )
    feed(notify_app, created)
    feed(notify_app, supplier_order_event("accepted", created))
    assert copy_of(notify_app, created).reminder_status == "cancelled"
    assert scan(notify_app) == 0


def test_acknowledgement_that_overtakes_the_creation_still_cancels(notify_app, feed):
    created = supplier_order_created(
        occurred_at=utcnow() - timedelta(hours=3), deadline_in=timedelta(hours=4)
    )
    feed(notify_app, supplier_order_event("declined", created))  # arrives first
    feed(notify_app, created)
    copy = copy_of(notify_app, created)
    assert (copy.status, copy.reminder_status) == ("declined", "cancelled")
    assert scan(notify_app) == 0


def test_older_events_without_a_deadline_get_no_reminder(notify_app, feed):
    created = supplier_order_created()
    feed(notify_app, created)
    assert copy_of(notify_app, created).reminder_status == "none"
