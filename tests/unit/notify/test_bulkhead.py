"""The per-destination bulkhead of the deliveries worker, and which queue each channel uses."""

from __future__ import annotations

import threading

from notify import queues
from notify.adapters.bulkhead import Bulkhead, destination


def hold(bulkhead: Bulkhead, where: str, release: threading.Event) -> threading.Event:
    """Take a slot in another thread until `release` is set; returns when it is held."""
    holding = threading.Event()

    def run():
        with bulkhead.slot(where) as free:
            assert free
            holding.set()
            release.wait(30)

    threading.Thread(target=run, daemon=True).start()
    assert holding.wait(30)
    return holding


def test_a_destination_that_keeps_its_slots_too_long_is_deferred_not_waited_for():
    bulkhead = Bulkhead(2, slow_after=0.05)
    release = threading.Event()
    hold(bulkhead, "webhook:http://slow.example", release)
    hold(bulkhead, "webhook:http://slow.example", release)
    with bulkhead.slot("webhook:http://slow.example") as free:
        assert not free  # both slots held past slow_after: defer
    with bulkhead.slot("webhook:http://other.example") as free:
        assert free  # another destination is not affected
    release.set()


def test_a_busy_destination_that_answers_gets_the_next_free_slot():
    bulkhead = Bulkhead(1, slow_after=30)
    release = threading.Event()
    hold(bulkhead, "email", release)
    threading.Timer(0.05, release.set).start()
    with bulkhead.slot("email") as free:
        assert free  # waited for the slot instead of deferring
    with bulkhead.slot("email") as free:
        assert free  # and gave it back


def test_destination_is_the_webhook_origin_or_the_channel():
    assert destination("webhook", "https://ERP.example.kr:8443/hooks?x=1") == (
        "webhook:https://erp.example.kr:8443"
    )
    assert destination("webhook", "https://erp.example.kr/a") != destination(
        "webhook", "https://erp.example.kr:8443/a"
    )
    assert destination("email", "tofu@example.kr") == destination("email", "kimchi@example.kr")
    assert destination("sms", "010-1234-5678") == "sms"
    assert destination("alimtalk", "010-1234-5678") == "alimtalk"


def test_each_channel_has_its_queue_and_events_keep_theirs():
    assert queues.for_channel("email") == "notify.email"
    assert queues.for_channel("sms") == queues.for_channel("alimtalk") == "notify.text"
    assert queues.for_channel("webhook") == "notify.webhook"
    assert queues.EVENTS == "notify"  # producers send notify.handle_event here
    assert set(queues.ALL) == {"notify", "notify.email", "notify.text", "notify.webhook"}
