"""Order-to-inbox tail for bench/order_flow.py: where a late inbox item spent its time.

`evidence(platform, supplier_order_ids)` reads, straight from the databases and Redis of
the platform the benchmark started, for each supplier order's `supplier_order.created`:

  order row → orders' outbox `published_at` (the publish after commit),
  published → notify's `inbound_event.received_at` (the first attempt started: queue wait),
  received → `done_at` (handling, retries included), and `attempts` (> 1: a retry).

`queue_depths(platform)` is every notify queue's length in Redis at one moment. Together
they tell a retry delay (received early, done late, attempts > 1) from head-of-line
blocking (received late, one attempt, a long queue ahead of it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import create_engine, text

from bench.load import percentile

# every queue notify's workers listen on (see Procfile); old layouts just show 0
NOTIFY_QUEUES = ("notify", "notify.email", "notify.text", "notify.webhook")


@dataclass
class Evidence:
    published: list[float] = field(default_factory=list)  # order row -> outbox published
    queued: list[float] = field(default_factory=list)  # published -> notify started it
    handled: list[float] = field(default_factory=list)  # started -> done (retries included)
    retried: int = 0  # events that needed more than one attempt
    late: list[str] = field(default_factory=list)  # one line per event later than 1 s


def _stamp(value) -> float:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:  # SQLite keeps UTC without an offset
        from datetime import UTC

        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def evidence(platform, supplier_order_ids: list[str]) -> Evidence:
    out = Evidence()
    if not supplier_order_ids:
        return out
    ids = list(supplier_order_ids)
    orders = create_engine(platform.config["ORDERS_DATABASE_URL"])
    notify = create_engine(platform.config["NOTIFY_DATABASE_URL"])
    try:
        with orders.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT id, aggregate_id, occurred_at, published_at FROM outbox "
                    "WHERE type = 'supplier_order.created' AND aggregate_id IN :ids"
                ).bindparams(_expanding("ids")),
                {"ids": ids},
            ).all()
        events = {r.id: (r.aggregate_id, _stamp(r.occurred_at), r.published_at) for r in rows}
        with notify.connect() as conn:
            handled = conn.execute(
                text(
                    "SELECT id, received_at, done_at, attempts FROM inbound_event WHERE id IN :ids"
                ).bindparams(_expanding("ids")),
                {"ids": list(events)},
            ).all()
    finally:
        orders.dispose()
        notify.dispose()
    for row in handled:
        so_id, occurred, published = events[row.id]
        if published is None or row.done_at is None:
            continue
        published, received, done = _stamp(published), _stamp(row.received_at), _stamp(row.done_at)
        out.published.append(published - occurred)
        out.queued.append(received - published)
        out.handled.append(done - received)
        if row.attempts > 1:
            out.retried += 1
        if done - occurred > 1.0:
            out.late.append(
                f"{so_id}: published +{(published - occurred) * 1000:.0f} ms, "
                f"started +{(received - occurred) * 1000:.0f} ms, "
                f"done +{(done - occurred) * 1000:.0f} ms, attempts {row.attempts}"
            )
    return out


def _expanding(name: str):
    from sqlalchemy import bindparam

    return bindparam(name, expanding=True)


def queue_depths(redis_url: str) -> dict[str, int]:
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        return {queue: client.llen(queue) for queue in NOTIFY_QUEUES}
    finally:
        client.close()


def print_evidence(found: Evidence, depths: dict[str, int]) -> None:
    waiting = ", ".join(f"{q} {n}" for q, n in depths.items())
    print(f"notify queues when the first of these orders was placed: {waiting}")
    print(f"{'from the databases (same clock)':<46}{'n':>5}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for label, values in (
        ("  order row -> outbox published (orders)", found.published),
        ("  published -> notify starts it (queue wait)", found.queued),
        ("  started -> handled (incl. retries)", found.handled),
    ):
        if values:
            print(
                f"{label:<46}{len(values):>5}{percentile(values, 50) * 1000:>9.1f}"
                f"{percentile(values, 99) * 1000:>9.1f}{max(values) * 1000:>9.1f}"
            )
    print(f"events that needed more than one attempt: {found.retried}")
    for line in found.late[:10]:
        print(f"  late: {line}")
