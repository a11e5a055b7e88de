"""CPU of notify's event handler per placed order, in one process (no HTTP, no worker).

An order reaches notify as one `order.placed` and one `supplier_order.created` per
enterprise (5 here, 4 lines each, as `order_cost.py` places), all six in one message
(`handle_events`, as the outbox relay sends one commit's events). This times notify's
handler on them with `time.thread_time()`, in blocks that alternate between its paths:
the six in one message on their first hand-over (one transaction); each in a message of
its own (one transaction each); and the counted two-step path a redelivery or a retry
takes. Beside them, a baseline timed in the same run: one raw write transaction of one
row on the same database. (A checkout from before `handle_events` runs the other two.)
The enqueue of the deliveries goes to a real Redis (embedded unless TEST_REDIS_URL), as in
the worker; nothing consumes them. After each block the bench sends that block's
deliveries (the deliveries worker's use case, file-backed e-mail and SMS), alternately one
task each and in the tasks notify's enqueue makes (`notify.send_deliveries`, up to 10).

    .venv/bin/python bench/notify_event_cost.py [--orders N] [--rounds R] [--profile]

Embedded Redis and SQLite unless TEST_REDIS_URL / DATABASE_URL_BASE are set (as in tests).
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import inspect
import platform
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

ENTERPRISES = 5
LINES_PER_ENTERPRISE = 4


def an_order() -> list[dict]:
    """The events orders publishes for one placed order, in the order it sends them."""
    from gachi_kit.events import new_id
    from tests.support.notify_events import envelope, supplier_order_created

    order_id = new_id()
    created = [
        supplier_order_created(f"01JBENCHENTERPRISE{i:08d}", lines=LINES_PER_ENTERPRISE)
        for i in range(ENTERPRISES)
    ]
    for event in created:
        event["data"]["order_id"] = order_id
    placed = envelope(
        "order.placed",
        {
            "order_id": order_id,
            "institution_id": "INST-GWANGMYEONG",
            "institution_name": "광명시청",
            "department": "총무과",
            "buyer_id": "buyer-kim",
            "brand_code": "BEATS1",
            "status": "placed",
            "needed_by": "2026-12-05",
            "supply_amount": 236655,
            "vat_amount": 23665,
            "total_amount": 260320,
            "line_names": [ln["name"] for e in created for ln in e["data"]["lines"]],
            "supplier_orders": [
                {
                    "supplier_order_id": e["data"]["supplier_order_id"],
                    "enterprise_id": e["data"]["enterprise_id"],
                    "enterprise_name": e["data"]["enterprise_name"],
                    "status": "pending",
                    "total_amount": e["data"]["total_amount"],
                }
                for e in created
            ],
        },
    )
    return [placed, *created]


def timed_block(app, orders: int, first_delivery: bool, together: bool = False) -> float:
    """CPU seconds this thread spent handling `orders` orders' events: one message per
    event, or (`together`) one message per order, as the outbox relay sends them."""
    from notify.services import events as notify_events
    from notify.services.events import handle_event

    n = app.extensions["notify"]
    if together:
        batches = [an_order() for _ in range(orders)]
        with app.app_context():
            start = time.thread_time()
            for events in batches:
                assert notify_events.handle_events(n, events, first_delivery) == ["done"] * 6
            return time.thread_time() - start
    # a checkout from before the one-transaction path (for a before/after) has one path
    paths = inspect.signature(handle_event).parameters
    options = {"first_delivery": first_delivery} if "first_delivery" in paths else {}
    batches = [an_order() for _ in range(orders)]
    with app.app_context():
        start = time.thread_time()
        for events in batches:
            for raw in events:
                assert handle_event(n, raw, **options) == "done"
        return time.thread_time() - start


def timed_deliveries(app, batched: bool = False) -> tuple[float, int]:
    """CPU seconds to send every pending delivery once (the deliveries worker's use case,
    to the default file-backed e-mail and SMS providers), and how many there were: one
    task each, or (`batched`) in the tasks `notify.queues.tasks_for` makes of them."""
    from sqlalchemy import select

    from notify.adapters.models import Delivery
    from notify.services import deliveries

    n = app.extensions["notify"]
    with n.db.reading() as session:
        pending = session.execute(
            select(Delivery.id, Delivery.channel, Delivery.address).where(
                Delivery.status == "pending"
            )
        ).all()
    if batched:
        from notify.queues import tasks_for

        tasks = [ids for _, ids in tasks_for([tuple(row) for row in pending])]
    else:
        tasks = [[delivery_id] for delivery_id, *_ in pending]
    with app.app_context():
        start = time.thread_time()
        for ids in tasks:
            if len(ids) == 1:
                results = [deliveries.send_delivery(n, ids[0])]
            else:
                results = deliveries.send_deliveries(n, ids)
            assert set(results) == {"sent"}, results
        return time.thread_time() - start, len(pending)


def deliveries_module():
    return importlib.import_module("notify.services.deliveries")


def raw_transactions(app, count: int) -> float:
    """The baseline: CPU seconds for `count` write transactions of one row each."""
    from sqlalchemy import insert

    from gachi_kit.events import new_id, utcnow
    from notify.adapters.models import InboundEvent

    db = app.extensions["notify"].db
    start = time.thread_time()
    for _ in range(count):
        with db.transaction() as session:
            session.execute(
                insert(InboundEvent).values(
                    id=new_id(),
                    type="bench.raw",
                    source="bench",
                    status="done",
                    attempts=1,
                    received_at=utcnow(),
                )
            )
    return time.thread_time() - start


def make_app(folder: Path, redis_url: str):
    import notify
    from gachi_kit.auth import generate_keypair
    from notify.services.events import handle_event
    from tests.support import infra
    from tests.support.notify_events import enterprise_registered

    private, public = generate_keypair()
    app = notify.create_app(
        {
            "GACHI_DATA_DIR": str(folder / "data"),
            "REDIS_URL": redis_url,
            "JWT_PUBLIC_KEY": public,
            "JWT_PRIVATE_KEY": private,
            "NOTIFY_DATABASE_URL": infra.database_url("notify", folder, "_evbench"),
            "LOG_LEVEL": "WARNING",
            "SMS_DAILY_CAP": "1000000",  # one enterprise gets every order's text here
        }
    )
    with app.app_context():
        for i in range(ENTERPRISES):  # inbox, e-mail and SMS subscriptions, as catalog's seed
            handle_event(
                app.extensions["notify"], enterprise_registered(f"01JBENCHENTERPRISE{i:08d}")
            )
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--orders", type=int, default=40, help="orders per timed block")
    parser.add_argument("--rounds", type=int, default=5, help="blocks of each path")
    parser.add_argument("--profile", action="store_true", help="cProfile the first hand-over")
    parser.add_argument("--profile-deliveries", action="store_true", help="profile sending too")
    parser.add_argument("--sort", default="cumulative", help="cProfile order (tottime, ...)")
    args = parser.parse_args()

    from tests.support import infra

    folder = Path(tempfile.mkdtemp(prefix="gachi-bench-events-"))
    with infra.redis_server(folder / "redis") as redis_url:
        app = make_app(folder, redis_url)
        together = "handle_events" in vars(importlib.import_module("notify.services.events"))
        paths = [(True, False), (False, False)] + ([(True, True)] if together else [])
        for first, one_message in paths:  # warm up: templates compiled, statements cached
            timed_block(app, 5, first, one_message)
        # a checkout from before send_deliveries sends one task each only
        batches = [False, True] if hasattr(deliveries_module(), "send_deliveries") else [False]
        for batched in batches:
            timed_deliveries(app, batched)
        per_order = {path: [] for path in paths}
        sending, sent = {batched: [] for batched in batches}, 0
        raw = []
        for round_no in range(args.rounds):
            for number, path in enumerate(paths):
                per_order[path].append(timed_block(app, args.orders, *path) / args.orders)
                batched = batches[(round_no + number) % len(batches)]  # alternated
                cpu, count = timed_deliveries(app, batched)
                sending[batched].append(cpu / args.orders)
                sent += count
            raw.append(raw_transactions(app, 100) / 100)
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            timed_block(app, args.orders, True, together)
            if args.profile_deliveries:
                timed_deliveries(app, batches[-1])
            profiler.disable()
        database = app.extensions["notify"].db.engine.dialect.name
        app.extensions["notify"].db.dispose()

    events = 1 + ENTERPRISES
    print("== notify: CPU of the event handler per placed order (one process, thread CPU) ==")
    print(f"python {platform.python_version()}, {platform.machine()}; database {database}")
    print(
        f"{ENTERPRISES} enterprises x {LINES_PER_ENTERPRISE} lines; {events} events per order; "
        f"{args.rounds} blocks of {args.orders} orders per path, alternated"
    )
    print(f"{'path':<44}{'median ms/order':>16}{'min':>8}{'max':>8}{'ms/event':>10}")
    labels = {
        (True, True): "one message per order (one transaction)",
        (True, False): "one message per event (one transaction each)",
        (False, False): "redelivery / retry (counted, two steps)",
    }
    for path, values in per_order.items():
        label = labels[path]
        ms = [v * 1000 for v in values]
        print(
            f"{label:<44}{statistics.median(ms):>16.2f}{min(ms):>8.2f}{max(ms):>8.2f}"
            f"{statistics.median(ms) / events:>10.2f}"
        )
    per = sent / (args.orders * sum(len(v) for v in sending.values()))
    for batched, values in sending.items():
        ms = [v * 1000 for v in values]
        how = "tasks of up to 10" if batched else "one task each"
        print(
            f"{f'sending {per:.0f} deliveries, {how}':<44}{statistics.median(ms):>16.2f}"
            f"{min(ms):>8.2f}{max(ms):>8.2f}"
        )
    base = [v * 1000 for v in raw]
    print(
        f"{'baseline: one raw write transaction':<44}{statistics.median(base):>16.3f}"
        f"{min(base):>8.3f}{max(base):>8.3f}"
    )
    if args.profile:
        print(f"\n-- cProfile, first hand-over path, by {args.sort} --")
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(40)


if __name__ == "__main__":
    main()
