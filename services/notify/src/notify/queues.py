"""Notify's Celery queues: one per kind of work, so nothing waits behind another kind.

- `notify` (EVENTS): `notify.handle_events` / `notify.handle_event`, which every producer
  sends here, and the beat tasks; the inbox item is written by the event's own
  transaction. Worker: `notify-worker`.
- `notify.email`, `notify.text` (SMS and 알림톡), `notify.webhook`: `notify.send_delivery`
  by channel (`notify.send_deliveries` for several e-mails or texts, `tasks_for`).
  Worker: `notify-deliveries` (a pool of threads; compose may split it by queue).

An order's inbox item therefore never waits behind the e-mails, texts or webhooks of
earlier events; deliveries of one channel never wait behind another channel's backlog at
the broker, and inside the deliveries worker one slow destination holds at most its
share of the threads (`adapters/bulkhead.py`).
"""

from __future__ import annotations

EVENTS = "notify"
EMAIL = "notify.email"
TEXT = "notify.text"
WEBHOOK = "notify.webhook"
DELIVERY_QUEUES = (EMAIL, TEXT, WEBHOOK)
ALL = (EVENTS, *DELIVERY_QUEUES)

_BY_CHANNEL = {"email": EMAIL, "sms": TEXT, "alimtalk": TEXT, "webhook": WEBHOOK}
# Queues whose deliveries go out several to a task (`notify.send_deliveries`): one provider
# is behind each, so a batch waits on no one else's receiver. Webhooks go one to a task.
BATCHED = (EMAIL, TEXT)
PER_TASK = 10


def for_channel(channel: str) -> str:
    """The queue a delivery on `channel` is sent to (an unknown channel: the events queue,
    where its send settles it as a permanent failure)."""
    return _BY_CHANNEL.get(channel, EVENTS)


def tasks_for(deliveries: list[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    """(queue, delivery ids) for each task that sends these (delivery id, channel) pairs:
    up to PER_TASK ids of one BATCHED queue together, one id otherwise; in order."""
    by_queue: dict[str, list[str]] = {}
    for delivery_id, channel in deliveries:
        by_queue.setdefault(for_channel(channel), []).append(delivery_id)
    tasks = []
    for queue, ids in by_queue.items():
        size = PER_TASK if queue in BATCHED else 1
        tasks += [(queue, ids[start : start + size]) for start in range(0, len(ids), size)]
    return tasks
