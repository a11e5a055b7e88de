"""Notification delivery benchmark: notify's real Celery workers on a real Redis.

Measures, in one run and on the same broker:
  * a no-op Celery task (the floor: broker round trip and worker overhead), and
  * notify: `notify.handle_event(supplier_order.created)` → an inbox item (written by the
    event's transaction) and a webhook (`notify.send_delivery`, signed per Standard
    Webhooks, to a receiver on 127.0.0.1).
Each in two phases: a burst of N messages (throughput, messages or notifications delivered
per second) and a paced sample sent one at a time (latency p50/p99 from send to effect:
the no-op's execution, the inbox row's created_at, the receiver's arrival time).

notify runs as the Procfile runs it: an events worker on `notify` (prefork, concurrency
C, like the no-op's worker) and a deliveries worker on the delivery queues (a pool of
--threads threads). CPU per message is summed over the workers (every child process) and
the Redis server (`INFO cpu`), read before and after each burst; the publishing bench
process is left out of both sides.

    .venv/bin/python bench/notify_delivery.py [--burst N] [--sample N] [--concurrency C]
        [--threads T] [--events-per-message K]

--events-per-message K sends the burst's events K to a message (`notify.handle_events`), as a
producer's commit hands them over. (The events worker also takes the messages waiting on
its queue several to a task: `notify/batching.py`.)

Embedded Redis and SQLite unless TEST_REDIS_URL / DATABASE_URL_BASE are set (as in tests).
Only 127.0.0.1 is contacted; every phase is bounded by a count and a time limit.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.load import percentile  # noqa: E402

NOOP_QUEUE = "bench_noop"
NOOP_KEY = "bench:noop:latency"
PHASE_TIMEOUT_S = 180.0


def noop_app(broker_url: str):
    from celery import Celery

    app = Celery("bench_noop", broker=broker_url)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_default_queue=NOOP_QUEUE,
        worker_hijack_root_logger=False,
    )

    @app.task(name="bench.noop")
    def noop(sent_at: float) -> None:
        import redis

        client = getattr(noop, "_redis", None) or redis.Redis.from_url(broker_url)
        noop._redis = client
        client.rpush(NOOP_KEY, f"{sent_at}:{time.time()}")

    return app


def row(
    name: str, count: int, seconds: float | None, latencies: list[float], cpu: float | None = None
) -> str:
    rate = f"{count / seconds:9.1f}" if seconds else f"{'':>9}"
    lat = latencies or [float("nan")]
    cost = f"{cpu * 1000 / count:>10.2f}" if cpu is not None else ""
    return (
        f"{name:<40}{count:>7}{rate}{percentile(lat, 50) * 1000:>10.1f}"
        f"{percentile(lat, 99) * 1000:>10.1f}{max(lat) * 1000:>10.1f}{cost}"
    )


class Bench:
    def __init__(self, folder: Path, redis_url: str, concurrency: int) -> None:
        from gachi_kit.auth import generate_keypair
        from tests.support import infra

        private, public = generate_keypair()
        self.config = {
            "GACHI_DATA_DIR": str(folder / "data"),
            "REDIS_URL": redis_url,
            "JWT_PUBLIC_KEY": public,
            "JWT_PRIVATE_KEY": private,
            "NOTIFY_DATABASE_URL": infra.database_url("notify", folder, "_bench"),
            "WEBHOOK_ALLOW_LOOPBACK": "1",
            "DELIVERY_SWEEP_SECONDS": "2",
            "LOG_LEVEL": "WARNING",
            **infra.UNLIMITED,
        }
        self.folder = folder
        self.redis_url = redis_url
        self.concurrency = concurrency
        self.processes = infra.Processes(folder, infra.service_env(self.config))

    def start_workers(self, threads: int) -> None:
        from tests.support import infra

        for name, queues, pool, concurrency in (
            ("notify", "notify", "prefork", self.concurrency),
            ("notify-deliveries", infra.NOTIFY_DELIVERY_QUEUES, "threads", threads),
        ):
            argv = [*infra.celery_worker_argv("notify", name=name), "--pool", pool]
            for option, value in (
                ("--queues", queues),
                ("--concurrency", str(concurrency)),
                ("--loglevel", "WARNING"),
            ):
                argv[argv.index(option) + 1] = value
            self.processes.start(f"{name}-worker", argv)
        self.processes.start(
            "noop-worker",
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--noop-worker",
                "--concurrency",
                str(self.concurrency),
            ],
        )
        self.wait_workers({"notify-test@", "notify-deliveries-test@", "bench-noop@"})

    def cpu_seconds(self, names: tuple[str, ...], broker) -> dict[str, float]:
        """CPU (user + system) so far of each named process with its children, and of
        the Redis server (key "redis")."""
        import psutil

        spent = {}
        for name in names:
            parent = psutil.Process(self.processes.running[name].pid)
            spent[name] = 0.0
            for proc in [parent, *parent.children(recursive=True)]:
                try:
                    times = proc.cpu_times()
                except psutil.NoSuchProcess:
                    continue
                spent[name] += times.user + times.system
        info = broker.info("cpu")
        spent["redis"] = info["used_cpu_user"] + info["used_cpu_sys"]
        return spent

    def wait_workers(self, wanted: set[str], timeout: float = 60.0) -> None:
        from celery import Celery

        control = Celery(broker=self.redis_url)
        try:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                for name, process in self.processes.running.items():
                    if process.poll() is not None:
                        raise SystemExit(f"{name} exited:\n{self.processes.log(name)[-3000:]}")
                replies = control.control.ping(timeout=1.0) or []
                names = {n.split("@")[0] + "@" for reply in replies for n in reply}
                if wanted <= names:
                    return
            raise SystemExit("workers not ready")
        finally:
            control.close()


def run(args) -> None:
    import redis
    from sqlalchemy import select

    import notify
    from gachi_kit.auth import issue_token
    from notify.adapters.models import Delivery, InboxItem
    from tests.support import infra
    from tests.support.notify_events import supplier_order_created
    from tests.support.notify_receivers import HTTPReceiver

    folder = Path(tempfile.mkdtemp(prefix="gachi-bench-notify-"))
    with infra.redis_server(folder / "redis") as redis_url, HTTPReceiver() as receiver:
        bench = Bench(folder, redis_url, args.concurrency)
        broker = redis.Redis.from_url(redis_url)
        broker.delete(NOOP_KEY)
        app = notify.create_app(bench.config)
        n = app.extensions["notify"]
        enterprises = [f"01JBENCHENTERPRISE{i:08d}" for i in range(args.enterprises)]
        client = app.test_client()
        for enterprise in enterprises:
            jwt = issue_token(
                bench.config["JWT_PRIVATE_KEY"],
                sub="bench",
                role="enterprise",
                org=enterprise,
                audience="notify",
            )
            response = client.post(
                "/v1/subscriptions",
                json={
                    "channel": "webhook",
                    "address": f"{receiver.url}/hook",
                    "event_types": ["supplier_order.created"],
                },
                headers={"Authorization": f"Bearer {jwt}"},
            )
            assert response.status_code == 201, response.get_json()
        bench.start_workers(args.threads)
        noop = noop_app(redis_url)
        celery = app.extensions["celery"]
        results = []
        rates: dict[str, float] = {}
        cpu_split: dict[str, float] = {}
        notify_workers = ("notify-worker", "notify-deliveries-worker")
        try:
            # --- no-op: burst, then paced ------------------------------------------------
            cpu0 = sum(bench.cpu_seconds(("noop-worker",), broker).values())
            t0 = time.time()
            for _ in range(args.burst):
                noop.send_task("bench.noop", args=[time.time()], queue=NOOP_QUEUE)
            infra.wait_for(
                lambda: broker.llen(NOOP_KEY) >= args.burst,
                timeout=PHASE_TIMEOUT_S,
                interval=0.01,
                what="no-op burst",
            )
            burst_s = time.time() - t0
            noop_cpu = sum(bench.cpu_seconds(("noop-worker",), broker).values()) - cpu0
            burst_lat = [
                float(b) - float(a)
                for a, b in (x.decode().split(":") for x in broker.lrange(NOOP_KEY, 0, -1))
            ]
            rates["no-op"] = args.burst / burst_s
            results.append(row("no-op task, burst", args.burst, burst_s, burst_lat, noop_cpu))
            broker.delete(NOOP_KEY)
            for i in range(args.sample):
                noop.send_task("bench.noop", args=[time.time()], queue=NOOP_QUEUE)
                infra.wait_for(
                    lambda i=i: broker.llen(NOOP_KEY) > i, timeout=30, interval=0.002, what="no-op"
                )
            paced = [
                float(b) - float(a)
                for a, b in (x.decode().split(":") for x in broker.lrange(NOOP_KEY, 0, -1))
            ]
            results.append(row("no-op task, one at a time", args.sample, None, paced))

            # --- notify: burst, then paced -----------------------------------------------
            def send_events(count: int, one_at_a_time: bool):
                sent: dict[str, float] = {}
                together = 1 if one_at_a_time else args.events_per_message
                waiting: list[dict] = []
                for i in range(count):
                    event = supplier_order_created(enterprises[i % len(enterprises)])
                    sent[event["id"]] = time.time()
                    waiting.append(event)
                    if len(waiting) < together and i < count - 1:
                        continue
                    if len(waiting) == 1:
                        celery.send_task("notify.handle_event", args=waiting, queue="notify")
                    else:  # as a producer's commit (or a batch on the consumer) hands them over
                        celery.send_task("notify.handle_events", args=[waiting], queue="notify")
                    waiting = []
                    if one_at_a_time:
                        infra.wait_for(
                            lambda e=event["id"]: webhook_arrivals().get(e),
                            timeout=30,
                            interval=0.002,
                            what="one webhook",
                        )
                return sent

            def webhook_arrivals() -> dict[str, float]:
                import json

                return {json.loads(r.body)["event_id"]: r.at for r in list(receiver.requests)}

            def inbox_times(ids) -> dict[str, float]:
                with n.db.reading() as session:
                    found = session.execute(
                        select(InboxItem.event_id, InboxItem.created_at).where(
                            InboxItem.event_id.in_(list(ids))
                        )
                    ).all()
                return {event_id: created.timestamp() for event_id, created in found}

            for label, count, paced_mode in (
                ("burst", args.burst, False),
                ("one at a time", args.sample, True),
            ):
                receiver.requests.clear()
                cpu0 = bench.cpu_seconds(notify_workers, broker)
                t0 = time.time()
                sent = send_events(count, paced_mode)
                infra.wait_for(
                    lambda s=sent: len(set(webhook_arrivals()) & set(s)) >= len(s),
                    timeout=PHASE_TIMEOUT_S,
                    interval=0.02,
                    what=f"webhooks ({label})",
                )
                cpu = None
                if not paced_mode:
                    cpu1 = bench.cpu_seconds(notify_workers, broker)
                    split = {name: cpu1[name] - cpu0[name] for name in cpu1}
                    cpu_split = {name: spent * 1000 / count for name, spent in split.items()}
                    cpu = sum(split.values())
                arrivals = webhook_arrivals()
                inbox = inbox_times(sent)
                webhook_done = max(arrivals[e] for e in sent) - t0
                inbox_done = max(inbox[e] for e in sent) - t0
                seconds = None if paced_mode else webhook_done
                results.append(
                    row(
                        f"notify webhook, {label}",
                        count,
                        seconds,
                        [arrivals[e] - sent[e] for e in sent],
                        cpu,  # the event, its inbox item and its webhook: all of it
                    )
                )
                results.append(
                    row(
                        f"notify inbox, {label}",
                        count,
                        None if paced_mode else inbox_done,
                        [inbox[e] - sent[e] for e in sent],
                    )
                )
                if not paced_mode:
                    rates["inbox"] = count / inbox_done
                    rates["webhook"] = count / webhook_done

            def all_settled():
                with n.db.reading() as session:
                    found = session.scalars(
                        select(Delivery.status).where(Delivery.channel == "webhook")
                    ).all()
                return found if all(s == "sent" for s in found) else None

            infra.wait_for(all_settled, timeout=60, what="every webhook row settled")
            with n.db.reading() as session:
                statuses = session.scalars(
                    select(Delivery.status).where(Delivery.channel == "webhook")
                ).all()
            duplicates = len(receiver.requests) - len(
                {r.headers["webhook-id"] for r in receiver.requests}
            )
        finally:
            bench.processes.stop_all()
            n.db.dispose()

    print(
        f"gachi notify delivery benchmark · {platform.python_version()} · "
        f"{'PostgreSQL' if os.environ.get('DATABASE_URL_BASE') else 'SQLite'} · "
        f"{'system Redis' if os.environ.get('TEST_REDIS_URL') else 'embedded Redis'} · "
        f"{os.cpu_count()} CPUs · no-op and notify events workers: prefork, concurrency "
        f"{args.concurrency} · notify deliveries worker: {args.threads} threads · "
        f"burst: {args.events_per_message} event(s) per message"
    )
    print(
        f"{'phase':<40}{'count':>7}{'per s':>9}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}"
        f"{'CPU ms/msg':>11}"
    )
    for line in results:
        print(line)
    for kind in ("inbox", "webhook"):
        print(
            f"{kind} burst / no-op burst: {rates[kind]:.1f}/s / {rates['no-op']:.1f}/s = "
            f"{rates[kind] / rates['no-op']:.2f} x"
        )
    print(
        "notify burst CPU ms/msg by process: "
        + ", ".join(f"{name} {ms:.2f}" for name, ms in cpu_split.items())
    )
    print(
        f"webhook deliveries: {len(statuses)} rows, "
        f"{sum(1 for s in statuses if s == 'sent')} sent, "
        f"{duplicates} duplicate webhook-ids at the receiver (last phase)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=300)
    parser.add_argument("--sample", type=int, default=50)
    parser.add_argument("--enterprises", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8, help="deliveries worker threads")
    parser.add_argument(
        "--events-per-message",
        type=int,
        default=1,
        help="the burst's events sent this many to a message (notify.handle_events)",
    )
    parser.add_argument("--noop-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.burst = max(1, min(args.burst, 5000))
    args.sample = max(2, min(args.sample, 500))
    args.events_per_message = max(1, min(args.events_per_message, 50))
    if args.noop_worker:
        app = noop_app(os.environ["REDIS_URL"])
        app.worker_main(
            [
                "worker",
                "--queues",
                NOOP_QUEUE,
                "--hostname",
                "bench-noop@%h",
                "--concurrency",
                str(args.concurrency),
                "--loglevel",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ]
        )
        return
    run(args)


if __name__ == "__main__":
    main()
