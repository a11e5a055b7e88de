"""An event on its first hand-over is recorded and applied in one transaction; anything
else (a duplicate, a retry, a redelivery, a failure) takes the counted two-step path."""

from __future__ import annotations

import pytest

from notify.services.events import handle_event
from tests.support.notify_consumer import stored, write_transactions
from tests.support.notify_events import ENTERPRISE_A, supplier_order_created


def handle(app, raw, first_delivery):
    with app.app_context():
        return handle_event(app.extensions["notify"], raw, first_delivery)


def test_a_first_delivery_is_recorded_and_applied_in_one_transaction(napp):
    raw = supplier_order_created(ENTERPRISE_A)
    begun = write_transactions(napp)
    assert handle(napp, raw, first_delivery=True) == "done"
    assert len(begun) == 1
    (row, items) = stored(napp, raw)
    assert row == ("done", 1, False)
    assert [title.startswith("[새 주문] 두부과자 200g") for title in items] == [True]


def test_the_same_event_sent_again_as_new_is_a_duplicate_without_effects(napp):
    raw = supplier_order_created(ENTERPRISE_A)
    assert handle(napp, raw, first_delivery=True) == "done"
    begun = write_transactions(napp)
    # a resend after a lost receipt, or a relay publishing twice: not marked redelivered
    assert handle(napp, raw, first_delivery=True) == "duplicate"
    assert handle(napp, raw, first_delivery=False) == "duplicate"
    assert len(begun) == 3  # the refused insert, then the counted path's look each time
    row, items = stored(napp, raw)
    assert row == ("done", 1, False)
    assert len(items) == 1


def test_a_first_delivery_that_fails_counts_its_attempt_and_leaves_no_effect(make_app):
    app = make_app(MAX_EVENT_ATTEMPTS="2")
    poison = supplier_order_created(ENTERPRISE_A)
    del poison["data"]["lines"]  # a producer bug: the handler fails on it every time
    with pytest.raises(Exception, match="lines"):
        handle(app, poison, first_delivery=True)
    assert stored(app, poison) == (("processing", 1, True), [])
    with pytest.raises(Exception, match="lines"):
        handle(app, poison, first_delivery=False)  # Celery's retry
    assert stored(app, poison) == (("processing", 2, True), [])
    assert handle(app, poison, first_delivery=False) == "dead"  # the cap holds as before
    assert stored(app, poison)[0] == ("dead", 3, True)


def test_a_redelivered_event_is_counted_before_it_is_applied(napp):
    raw = supplier_order_created(ENTERPRISE_A)
    begun = write_transactions(napp)
    # a worker died holding it: the broker hands it over again, marked redelivered
    assert handle(napp, raw, first_delivery=False) == "done"
    assert len(begun) == 2
    assert stored(napp, raw)[0] == ("done", 1, False)
