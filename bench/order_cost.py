"""Cost per order: CPU milliseconds per placed order over every process of the platform,
placement throughput against the healthz ceiling, and placement's tail under load.

Starts the platform as `order_flow.py` does (catalog, orders and notify under gunicorn, one
Celery worker each, Redis, SQLite or PostgreSQL), seeds 5 enterprises x 4 products, then:

  a. GET /healthz from C clients (the ceiling, same client, same run);
  b. POST /v1/orders (20 lines, 5 enterprises) one at a time: the unloaded latency;
  c. POST /v1/orders from C clients for N seconds, then waits until notify has written
     every supplier order's inbox item. psutil snapshots of every platform process (APIs,
     workers, Redis, PostgreSQL backends of the platform's databases) before c, when the
     load ends and when notify is done give the CPU per order, synchronous and afterwards,
     split by process; snapshots around a give the CPU of one healthz request, and the
     order's cost is also printed in that unit (it drifts with the machine's speed).

    .venv/bin/python bench/order_cost.py [--seconds 10] [--concurrency 8] [--alone 40]
        [--py-spy DIR]   # also sample every platform Python process during c (py-spy)

Embedded Redis and SQLite unless TEST_REDIS_URL / DATABASE_URL_BASE are set (as in tests).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import requests  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from bench.load import percentile, print_phase_table, run_load  # noqa: E402
from bench.order_flow import OrderFlow  # noqa: E402
from bench.platform_cpu import PG_ALL, PlatformCpu, own_cpu  # noqa: E402
from bench.seeded_platform import (  # noqa: E402
    BenchFailure,
    Platform,
    Tokens,
    context_lines,
    on_seeded_platform,
)
from tests.support import infra  # noqa: E402

DRAIN_TIMEOUT_S = 300.0
STALL_S = 10.0  # deliveries waiting and nothing moving this long: sweep, as the beat would
IDLE_S = 3.0
GOALS = {"cpu_ms": 15.0, "throughput_ratio": 0.12, "tail_ratio": 5.0}


class InboxCount:
    """Supplier-order inbox items and deliveries not yet attempted, read directly from
    notify's database (on PostgreSQL this connection's backend is not counted)."""

    def __init__(self, url: str, broker_url: str) -> None:
        self.engine = create_engine(url)
        self.broker_url = broker_url
        self.sweeps = 0
        self.stalled: list[dict[str, int]] = []  # what waited, at each sweep

    def __call__(self) -> tuple[int, int]:
        with self.engine.connect() as conn:
            items = conn.scalar(
                text("SELECT count(*) FROM inbox_item WHERE event_type = 'supplier_order.created'")
            )
            waiting = conn.scalar(
                text("SELECT count(*) FROM delivery WHERE status IN ('pending', 'sending')")
            )
        return items, waiting

    def wait_for(self, expected: int) -> float:
        """Until every expected inbox item is written and every delivery attempted. The
        platform runs no beat, so when deliveries wait and nothing moves for STALL_S, the
        bench sends `notify.sweep_deliveries` as the beat would: a send the bulkhead
        deferred (its destination slow under this load) is `pending` until a sweep."""
        t0 = time.perf_counter()
        last, moved = None, t0
        while (seen := self())[0] < expected or seen[1]:
            now = time.perf_counter()
            if now - t0 > DRAIN_TIMEOUT_S:
                raise BenchFailure(
                    f"notify wrote {seen[0]} of {expected} inbox items, {seen[1]} deliveries"
                    f" waiting ({self.waiting()}), in time"
                )
            if seen != last:
                last, moved = seen, now
            elif seen[1] and now - moved > STALL_S:
                self.stalled.append(self.waiting())
                self.sweep()
                moved = now
            time.sleep(0.2)
        return time.perf_counter() - t0

    def waiting(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT status, attempts > 0, count(*) FROM delivery"
                    " WHERE status IN ('pending', 'sending') GROUP BY 1, 2"
                )
            )
            return {f"{status}{' retried' if tried else ''}": n for status, tried, n in rows}

    def sweep(self) -> None:
        from celery import Celery

        app = Celery(broker=self.broker_url)
        try:
            app.send_task("notify.sweep_deliveries", queue="notify")
        finally:
            app.close()
        self.sweeps += 1

    def close(self) -> None:
        self.engine.dispose()


def place_alone(flow: OrderFlow, count: int) -> list[float]:
    latencies = []
    with requests.Session() as http:
        for _ in range(count):
            t0 = time.perf_counter()
            status, body = flow.place(http)
            latencies.append(time.perf_counter() - t0)
            if status != 201:
                raise BenchFailure(f"POST /v1/orders -> {status}: {str(body)[:300]}")
    return latencies


def start_py_spy(folder: Path, cpu: PlatformCpu, seconds: float) -> list[subprocess.Popen]:
    """One `py-spy record` per Python process of the platform, for the load phase."""
    folder.mkdir(parents=True, exist_ok=True)
    spies = []
    for pid, label in cpu.python_processes().items():
        out = folder / f"{label.replace(' ', '_')}-{pid}.txt"
        argv = [infra._bin("py-spy"), "record", "--pid", str(pid), "--rate", "250"]
        argv += ["--duration", str(int(seconds) + 1), "--format", "raw", "--gil", "--nonblocking"]
        argv += ["--output", str(out)]
        spies.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return spies


def summarize_py_spy(folder: Path, top: int = 18) -> None:
    """Per service kind, the functions where most samples were (inclusive and self)."""
    groups: dict[str, list[Path]] = {}
    for path in sorted(folder.glob("*.txt")):
        groups.setdefault(path.stem.rsplit("-", 1)[0], []).append(path)
    for label, paths in groups.items():
        inclusive: Counter = Counter()
        own: Counter = Counter()
        total = 0
        for path in paths:
            for line in path.read_text(errors="replace").splitlines():
                stack, _, count = line.rpartition(" ")
                if not stack or not count.isdigit():
                    continue
                frames = stack.split(";")
                if "(idle)" in stack or any(_waiting(f) for f in frames[-2:]):
                    continue
                total += int(count)
                for frame in set(frames):
                    inclusive[_short(frame)] += int(count)
                own[_short(frames[-1])] += int(count)
        if not total:
            continue
        print(f"\n{label}: {total} busy samples ({len(paths)} processes); top by inclusive")
        for frame, n in inclusive.most_common(top):
            print(f"  {100 * n / total:5.1f}%  self {100 * own[frame] / total:5.1f}%  {frame}")


def _waiting(frame: str) -> bool:
    return any(w in frame for w in ("select (", "poll (", "accept (", "wait (", "recv_into ("))


def _short(frame: str) -> str:
    """`func (path/to/module.py:12)` -> `func (module.py)`."""
    name, _, where = frame.partition(" (")
    module = where.rsplit("/", 1)[-1].split(":", 1)[0]
    return f"{name} ({module})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="load phase duration")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--alone", type=int, default=40, help="orders placed one at a time")
    parser.add_argument("--py-spy", type=Path, help="sample the platform during c into DIR")
    args = parser.parse_args(argv)
    if not (0 < args.seconds <= 120 and 0 < args.concurrency <= 64 and 0 < args.alone <= 500):
        parser.error("--seconds in (0, 120], --concurrency in [1, 64], --alone in [1, 500]")
    # context_lines() names order_flow's arguments; the platform publishes as by default
    args.sample, args.publish = 0, "background"

    def header(redis_url: str) -> list[str]:
        load = f"load:         {args.concurrency} clients x {args.seconds:g} s"
        return [*context_lines(args, redis_url)[:-1], load]

    return on_seeded_platform(
        "gachi cost per order",
        header,
        lambda platform_, token, seeded, institution_id: run(
            args, platform_, token, seeded, institution_id
        ),
    )


def run(args, platform_: Platform, token: Tokens, seeded, institution_id) -> bool:
    flow = OrderFlow(platform_.urls, token, seeded, institution_id, args.seconds, args.concurrency)
    cpu = PlatformCpu.of(platform_)
    broker = platform_.config.get("CELERY_BROKER_URL", platform_.redis_url)
    inbox = InboxCount(platform_.config["NOTIFY_DATABASE_URL"], broker)
    try:
        return _phases(args, flow, cpu, inbox, platform_)
    finally:
        inbox.close()
        cpu.close()


def _phases(args, flow: OrderFlow, cpu: PlatformCpu, inbox: InboxCount, platform_) -> bool:
    flow.warm_up(flow.place, 5)
    flow.warm_up(flow.healthz)
    healthz_before = cpu.snapshot()
    healthz = run_load("a. GET /healthz (ceiling)", flow.healthz, args.seconds, args.concurrency)
    healthz_cpu = PlatformCpu.delta(healthz_before, cpu.snapshot())
    alone = place_alone(flow, args.alone)
    inbox.wait_for(sum(flow.supplier_orders_by_enterprise().values()))

    idle_before = cpu.snapshot()
    time.sleep(IDLE_S)
    idle = PlatformCpu.delta(idle_before, cpu.snapshot())

    already = len(flow.placed)
    spies = start_py_spy(args.py_spy, cpu, args.seconds) if args.py_spy else []
    before, client_before = cpu.snapshot(), own_cpu()
    placing = run_load("c. POST /v1/orders (20 lines)", flow.place, args.seconds, args.concurrency)
    loaded, client_after = cpu.snapshot(), own_cpu()
    drained = inbox.wait_for(sum(flow.supplier_orders_by_enterprise().values()))
    after = cpu.snapshot()
    for spy in spies:
        spy.wait(timeout=60)
    orders = len(flow.placed) - already

    print(f"\n-- load phases: {args.concurrency} clients x {args.seconds:g} s --")
    print_phase_table([healthz, placing])
    print(
        f"unloaded placement, {args.alone} orders one at a time: p50 "
        f"{percentile(alone, 50) * 1000:.1f} ms, p99 {percentile(alone, 99) * 1000:.1f} ms"
    )
    print(f"notify finished c's inbox items and deliveries {drained:.1f} s after the load ended")
    if inbox.sweeps:
        print(
            f"  (deliveries stalled: the bench swept {inbox.sweeps} times, as notify's beat"
            f" would; waiting then: {inbox.stalled})"
        )

    sync, later = PlatformCpu.delta(before, loaded), PlatformCpu.delta(loaded, after)
    total = PlatformCpu.delta(before, after)
    print(f"\n-- CPU per placed order ({orders} orders in c), ms --")
    print(f"{'process':<38}{'during c':>10}{'after c':>10}{'total':>10}{'idle ms/s':>11}")
    for label in sorted(total.seconds, key=lambda k: -total.seconds[k]):
        print(
            f"{label:<38}{_per(sync.seconds[label], orders):>10}"
            f"{_per(later.seconds[label], orders):>10}{_per(total.seconds[label], orders):>10}"
            f"{idle.seconds[label] * 1000 / IDLE_S:>11.1f}"
        )
    print(
        f"{'ALL PLATFORM PROCESSES':<38}{_per(sync.total, orders):>10}"
        f"{_per(later.total, orders):>10}{_per(total.total, orders):>10}"
        f"{idle.total * 1000 / IDLE_S:>11.1f}"
    )
    if cpu.pg_databases:
        print(f"{PG_ALL:<38}{'':>10}{'':>10}{_per(total.context_seconds, orders):>10}")
    print(f"{'(load client, not summed)':<38}{_per(client_after - client_before, orders):>10}")
    exited = total.exited
    if exited:
        print(f"processes that exited during c (their CPU is missing): {Counter(exited)}")

    per_order = total.total * 1000 / orders if orders else float("nan")
    ratio = placing.throughput / healthz.throughput if healthz.throughput else float("nan")
    tail = placing.pct(99) / percentile(alone, 50)
    # The machine's speed drifts between runs; CPU per healthz request, measured over the
    # same processes in phase a, is a unit that drifts with it (not across a change to the
    # request pipeline itself: that changes the unit too).
    per_healthz = healthz_cpu.total * 1000 / healthz.requests
    print(f"\nCPU per healthz request in a, all processes: {per_healthz:.3f} ms")
    print("\n-- against the goals --")
    print(
        f"CPU per order, all processes:        {per_order:8.1f} ms   (goal <= 15)"
        f" = {per_order / per_healthz:.0f} healthz requests' CPU"
    )
    print(f"placement / healthz throughput:      {ratio:8.3f}      (goal >= 0.12)")
    print(f"placement p99 under load / alone p50:{tail:8.2f} x    (goal <= 5)")
    if args.py_spy:
        summarize_py_spy(args.py_spy)

    problems = [f"{dict(r.errors)} non-2xx in {r.name}" for r in (healthz, placing) if r.errors]
    if platform_.dead():
        problems.append(f"processes exited: {platform_.dead()}")
    for problem in problems:
        print(f"FAILED: {problem}")
    return bool(problems)


def _per(seconds: float, orders: int) -> str:
    return f"{seconds * 1000 / orders:.1f}" if orders else "n/a"


if __name__ == "__main__":
    sys.exit(main())
