"""Notify's Celery queues: one per kind of work, so nothing waits behind another kind.

- `notify` (EVENTS): `notify.handle_events` / `notify.handle_event`, which every producer
  sends here (taken several messages to a task, `batching.py`), `notify.retry_events` for
  the events of a batch that failed, and the beat tasks; the inbox item is written by the
  event's own transaction. Worker: `notify-worker`.
- `notify.email`, `notify.text` (SMS and 알림톡), `notify.webhook`: `notify.send_delivery`
  by channel (`notify.send_deliveries` for several to one destination, `tasks_for`).
  Worker: `notify-deliveries` (a pool of threads; compose may split it by queue).

An order's inbox item therefore never waits behind the e-mails, texts or webhooks of
earlier events; deliveries of one channel never wait behind another channel's backlog at
the broker, and inside the deliveries worker one slow destination holds at most its
share of the threads (`adapters/bulkhead.py`).
"""

from __future__ import annotations

from notify.adapters.bulkhead import destination

EVENTS = "notify"
EMAIL = "notify.email"
TEXT = "notify.text"
WEBHOOK = "notify.webhook"
DELIVERY_QUEUES = (EMAIL, TEXT, WEBHOOK)
ALL = (EVENTS, *DELIVERY_QUEUES)

_BY_CHANNEL = {"email": EMAIL, "sms": TEXT, "alimtalk": TEXT, "webhook": WEBHOOK}
# Deliveries of one destination go out several to a task (`notify.send_deliveries`): one
# claim and one settling transaction for them, sent one after another over a connection
# kept alive. A batch waits on no one else's receiver: a webhook batch is one receiver's.
PER_TASK = 10


def for_channel(channel: str) -> str:
    """The queue a delivery on `channel` is sent to (an unknown channel: the events queue,
    where its send settles it as a permanent failure)."""
    return _BY_CHANNEL.get(channel, EVENTS)


def tasks_for(deliveries: list[tuple[str, str, str]]) -> list[tuple[str, list[str]]]:
    """(queue, delivery ids) for each task that sends these (delivery id, channel, address)
    triples: up to PER_TASK ids of one queue together (of one receiver, for webhooks); in
    order."""
    by_destination: dict[tuple[str, str], list[str]] = {}
    for delivery_id, channel, address in deliveries:
        queue = for_channel(channel)  # one provider behind e-mail, one behind texts
        key = (queue, destination(channel, address) if queue == WEBHOOK else "")
        by_destination.setdefault(key, []).append(delivery_id)
    return [
        (queue, ids[start : start + PER_TASK])
        for (queue, _), ids in by_destination.items()
        for start in range(0, len(ids), PER_TASK)
    ]
