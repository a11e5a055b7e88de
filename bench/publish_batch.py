"""CPU of publishing an order's messages: one pipelined batch against one send each.

An order makes 6 events in orders' outbox and 10 delivery tasks in notify; both now publish
them through `gachi_kit.celery.pipelined` (kombu's `Producer.batch()`: one Redis round
trip). This times, in the publishing thread (`time.thread_time()`), `send_task` of N
messages over one producer, pipelined and not, alternated, on a real Redis (embedded unless
TEST_REDIS_URL), through the kit's Celery settings.

    .venv/bin/python bench/publish_batch.py [--messages N] [--rounds R]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

QUEUE = "bench_publish_batch"


def publish(celery, messages: int, batched: bool) -> None:
    from gachi_kit.celery import pipelined

    with pipelined(celery) if batched else celery.producer_or_acquire() as producer:
        _send(celery, producer, messages)


def _send(celery, producer, messages: int) -> None:
    for i in range(messages):
        celery.send_task(
            "notify.send_delivery",
            args=[f"01JBENCHDELIVERY{i:010d}"],
            queue=QUEUE,
            producer=producer,
            retry=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--messages", type=int, default=6, help="messages per publish")
    parser.add_argument("--rounds", type=int, default=5, help="blocks of each, alternated")
    parser.add_argument("--publishes", type=int, default=300, help="publishes per block")
    args = parser.parse_args()

    import redis
    from flask import Flask

    from gachi_kit.celery import make_celery
    from tests.support import infra

    folder = Path(tempfile.mkdtemp(prefix="gachi-bench-publish-"))
    with infra.redis_server(folder / "redis") as redis_url:
        celery = make_celery(Flask(__name__), queue=QUEUE, broker_url=redis_url)
        broker = redis.Redis.from_url(redis_url)
        cost: dict[bool, list[float]] = {True: [], False: []}
        for batched in (True, False):  # warm up: connection, queue declared
            publish(celery, args.messages, batched)
        for _ in range(args.rounds):
            for batched in (True, False):
                start = time.thread_time()
                for _ in range(args.publishes):
                    publish(celery, args.messages, batched)
                cost[batched].append((time.thread_time() - start) / args.publishes)
                broker.delete(QUEUE)
        with celery.producer_or_acquire() as producer:
            batching = producer.channel.supports_batch_publish

    print(f"== publishing {args.messages} messages over one producer (publishing thread CPU) ==")
    print(f"kombu batches on this broker: {batching}; {args.rounds} blocks of {args.publishes}")
    print(f"{'how':<28}{'median ms':>12}{'min':>8}{'max':>8}{'per message':>14}")
    for label, batched in (("one pipelined batch", True), ("one send each (baseline)", False)):
        ms = [v * 1000 for v in cost[batched]]
        print(
            f"{label:<28}{statistics.median(ms):>12.3f}{min(ms):>8.3f}{max(ms):>8.3f}"
            f"{statistics.median(ms) / args.messages:>14.3f}"
        )


if __name__ == "__main__":
    main()
