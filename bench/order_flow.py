"""Order flow benchmark: the whole platform as real processes, measured from outside.

Starts catalog, orders and notify (gunicorn as in the Procfile, one Celery worker each) on
a Redis and migrated databases in a temporary folder, exactly as the e2e test does, seeds
5 enterprises x 4 products through the HTTP API and then measures, for a fixed duration
with C client threads: GET /healthz (the ceiling), GET /v1/orders/{id} (an authenticated
read), POST /v1/orders (20 lines over 5 enterprises) and, for orders placed one at a time,
the time until each enterprise's inbox shows its supplier order. Ends by checking that
every placed order can be read back and that every supplier order reached its inbox once.

    .venv/bin/python bench/order_flow.py [--seconds N] [--concurrency C] [--publish inline]

Embedded Redis and SQLite unless TEST_REDIS_URL / DATABASE_URL_BASE are set (as in tests).
Only 127.0.0.1 is contacted; every loop stops by duration and by a maximum count.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import requests  # noqa: E402

from bench import inbox_tail  # noqa: E402
from bench.load import ms, percentile, print_phase_table, run_load  # noqa: E402
from bench.seeded_platform import (  # noqa: E402
    BUYER_DEPT,
    BenchFailure,
    Platform,
    Tokens,
    context_lines,
    on_seeded_platform,
)
from tests.support.builders import keyed  # noqa: E402

LATENCY_SAMPLE = 50  # orders placed one at a time for order-to-inbox latency
LATENCY_BUDGET_S = 90.0  # the latency phase stops after this, even if short of the sample
POLL_INTERVAL_S = 0.010
INBOX_TIMEOUT_S = 30.0  # one supplier order not in its inbox after this: a failure
DRAIN_TIMEOUT_S = 180.0
ORDINALS = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th (all 5)"}


@dataclass
class LatencyResult:
    post: list[float] = field(default_factory=list)  # POST round trip, seconds
    per_supplier: list[float] = field(default_factory=list)  # POST sent -> seen in its inbox
    kth: dict[int, list[float]] = field(default_factory=dict)  # k-th of an order's 5 inboxes
    # where the time goes, from the server-side created_at of the order and the inbox item
    to_order_row: list[float] = field(default_factory=list)
    order_row_to_answer: list[float] = field(default_factory=list)
    order_row_to_inbox_row: list[float] = field(default_factory=list)
    inbox_row_to_seen: list[float] = field(default_factory=list)
    order_ids: list[str] = field(default_factory=list)
    supplier_order_ids: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def wall(iso: str) -> float:
    """A server timestamp (same machine, same clock) as seconds since the epoch."""
    return datetime.fromisoformat(iso).timestamp()


# --- the benchmark ----------------------------------------------------------------------


class OrderFlow:
    def __init__(
        self,
        urls: dict,
        token: Tokens,
        seeded,
        institution_id: str,
        seconds: float,
        concurrency: int,
    ):
        self.urls = urls
        self.token = token
        self.seconds = seconds
        self.concurrency = concurrency
        self.enterprises = [enterprise_id for enterprise_id, _ in seeded]
        self.buyer = token("buyer", institution_id, dept=BUYER_DEPT)
        self.enterprise_tokens = {e: token("enterprise", e) for e in self.enterprises}
        self.order_body = {
            "delivery_address": "경기도 광명시 시청로 20 광명시청 총무과",
            "delivery_sigungu_code": "41210",
            "needed_by": (date.today() + timedelta(days=7)).isoformat(),
            "memo": "벤치마크 주문",
            "lines": [
                {"product_id": product_id, "quantity": 1 + (i * 7) % 30}
                for i, product_id in enumerate(p for _, products in seeded for p in products)
            ],
        }
        self.placed: dict[str, list[tuple[str, str]]] = {}  # order id -> [(enterprise, so)]
        self.placed_lock = threading.Lock()

    # one request of each kind ------------------------------------------------------------

    def place(self, session: requests.Session):
        response = session.post(
            f"{self.urls['orders']}/v1/orders",
            json=self.order_body,
            headers=keyed(self.buyer),
            timeout=60,
        )
        if response.status_code == 201:
            body = response.json()
            with self.placed_lock:
                self.placed[body["id"]] = [
                    (so["enterprise_id"], so["id"]) for so in body["supplier_orders"]
                ]
            return response.status_code, body
        return response.status_code, response.text

    def healthz(self, session: requests.Session):
        response = session.get(f"{self.urls['orders']}/healthz", timeout=30)
        return response.status_code, response.text

    def read_order(self, order_id: str):
        def call(session: requests.Session):
            response = session.get(
                f"{self.urls['orders']}/v1/orders/{order_id}", headers=self.buyer, timeout=30
            )
            return response.status_code, response.text

        return call

    def inbox_page(self, session, enterprise_id: str, limit: int, cursor: str | None = None):
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        response = session.get(
            f"{self.urls['notify']}/v1/inbox",
            params=params,
            headers=self.enterprise_tokens[enterprise_id],
            timeout=30,
        )
        response.raise_for_status()
        return response.json()

    # phases ------------------------------------------------------------------------------

    def warm_up(self, call, n: int = 20) -> None:
        with requests.Session() as session:
            for _ in range(n):
                call(session)

    def burst(self, count: int) -> None:
        """`count` orders placed by `concurrency` clients as fast as they answer."""
        issued = itertools.count()

        def client():
            with requests.Session() as session:
                while next(issued) < count:
                    self.place(session)

        with ThreadPoolExecutor(self.concurrency) as pool:
            for future in [pool.submit(client) for _ in range(self.concurrency)]:
                future.result()

    def supplier_orders_by_enterprise(self) -> Counter:
        with self.placed_lock:
            return Counter(e for parts in self.placed.values() for e, _ in parts)

    def drain(self) -> float:
        """Wait until notify has stored every supplier order placed so far; returns seconds."""
        expected = self.supplier_orders_by_enterprise()
        t0 = time.perf_counter()
        with requests.Session() as session:
            while True:
                seen = {e: self.inbox_page(session, e, 1)["unread_count"] for e in expected}
                if all(seen[e] >= n for e, n in expected.items()):
                    return time.perf_counter() - t0
                if time.perf_counter() - t0 > DRAIN_TIMEOUT_S:
                    missing = {e: expected[e] - seen[e] for e in expected if seen[e] < expected[e]}
                    raise BenchFailure(f"inboxes not drained after {DRAIN_TIMEOUT_S}s: {missing}")
                time.sleep(0.2)

    def order_to_inbox(self, sample: int) -> LatencyResult:
        """Orders placed one at a time; per supplier order, time from POST to its inbox."""
        out = LatencyResult()
        local = threading.local()

        def session() -> requests.Session:
            if not hasattr(local, "session"):
                local.session = requests.Session()
            return local.session

        def wait_inbox(enterprise_id: str, supplier_order_id: str, t0: float):
            """(seconds from t0, wall clock when seen, the item's created_at) or None."""
            while time.perf_counter() - t0 < INBOX_TIMEOUT_S:
                items = self.inbox_page(session(), enterprise_id, 10)["items"]
                for item in items:
                    if (
                        item["subject_id"] == supplier_order_id
                        and item["event_type"] == "supplier_order.created"
                    ):
                        return time.perf_counter() - t0, time.time(), wall(item["created_at"])
                time.sleep(POLL_INTERVAL_S)
            return None

        budget_end = time.perf_counter() + LATENCY_BUDGET_S
        with requests.Session() as http, ThreadPoolExecutor(len(self.enterprises)) as pool:
            for _ in range(sample):
                if time.perf_counter() > budget_end:
                    break
                sent_wall, t0 = time.time(), time.perf_counter()
                status, body = self.place(http)
                answered_wall = time.time()
                out.post.append(time.perf_counter() - t0)
                if status != 201:
                    out.failures.append(f"POST /v1/orders -> {status}: {str(body)[:300]}")
                    continue
                out.order_ids.append(body["id"])
                order_row = wall(body["created_at"])
                out.to_order_row.append(order_row - sent_wall)
                out.order_row_to_answer.append(answered_wall - order_row)
                parts = [(so["enterprise_id"], so["id"]) for so in body["supplier_orders"]]
                out.supplier_order_ids.extend(so for _, so in parts)
                waits = [pool.submit(wait_inbox, e, so, t0) for e, so in parts]
                seen = [w.result() for w in waits]
                for (e, so), found in zip(parts, seen, strict=True):
                    if found is None:
                        out.failures.append(f"supplier order {so} not in {e}'s inbox after 30 s")
                        continue
                    elapsed, seen_wall, inbox_row = found
                    out.per_supplier.append(elapsed)
                    out.order_row_to_inbox_row.append(inbox_row - order_row)
                    out.inbox_row_to_seen.append(seen_wall - inbox_row)
                if all(found is not None for found in seen):
                    for k, elapsed in enumerate(sorted(found[0] for found in seen)):
                        out.kth.setdefault(k + 1, []).append(elapsed)
        return out

    def verify(self, latency_orders: list[str]) -> list[str]:
        """Every placed order readable; each supplier order once in its enterprise's inbox."""
        problems: list[str] = []
        with self.placed_lock:
            placed = dict(self.placed)
        with requests.Session() as http:
            for order_id, parts in placed.items():
                response = http.get(
                    f"{self.urls['orders']}/v1/orders/{order_id}", headers=self.buyer, timeout=30
                )
                if response.status_code != 200:
                    problems.append(f"GET order {order_id} -> {response.status_code}")
                    continue
                body = response.json()
                if {so["id"] for so in body["supplier_orders"]} != {so for _, so in parts}:
                    problems.append(f"order {order_id}: supplier orders differ from the POST")
                if sum(len(so["lines"]) for so in body["supplier_orders"]) != 20:
                    problems.append(f"order {order_id}: not 20 lines")
            in_inbox: Counter = Counter()
            for enterprise_id in self.enterprises:
                cursor = None
                for _ in range(10_000):  # bounded paging
                    page = self.inbox_page(http, enterprise_id, 100, cursor)
                    for item in page["items"]:
                        if item["event_type"] == "supplier_order.created":
                            in_inbox[(enterprise_id, item["subject_id"])] += 1
                    cursor = page["next_cursor"]
                    if not cursor:
                        break
        expected = {(e, so) for parts in placed.values() for e, so in parts}
        duplicates = {k: n for k, n in in_inbox.items() if n > 1}
        missing = expected - set(in_inbox)
        unexpected = set(in_inbox) - expected
        latency_sos = {(e, so) for o in latency_orders for e, so in placed.get(o, [])}
        found_latency = sum(in_inbox[k] for k in latency_sos)
        print(f"orders placed in the whole run:                 {len(placed)}")
        print(f"supplier orders placed in the whole run:        {len(expected)}")
        print(f"supplier_order.created inbox items (all):       {sum(in_inbox.values())}")
        print(f"supplier orders placed in the latency phase:    {len(latency_sos)}")
        print(f"their supplier_order.created inbox items:       {found_latency}")
        if found_latency != len(latency_sos):
            problems.append(
                f"latency phase: {found_latency} inbox items for {len(latency_sos)} supplier orders"
            )
        if missing:
            problems.append(f"{len(missing)} supplier orders missing from inboxes")
        if duplicates:
            problems.append(f"{len(duplicates)} supplier orders in an inbox more than once")
        if unexpected:
            problems.append(f"{len(unexpected)} inbox items for unknown supplier orders")
        return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each phase")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument(
        "--sample", type=int, default=LATENCY_SAMPLE, help="orders for order-to-inbox latency"
    )
    parser.add_argument(
        "--publish",
        choices=("background", "inline"),
        default="background",
        help="after-commit publish: the process's background publisher, or the request thread",
    )
    parser.add_argument(
        "--burst", type=int, default=500, help="orders in the burst before phase e (0: skip)"
    )
    args = parser.parse_args(argv)
    if not (0 < args.seconds <= 120 and 0 < args.concurrency <= 64 and 0 < args.sample <= 500):
        parser.error("--seconds in (0, 120], --concurrency in [1, 64], --sample in [1, 500]")

    return on_seeded_platform(
        "gachi order flow benchmark",
        lambda redis_url: context_lines(args, redis_url),
        lambda platform_, token, seeded, institution_id: run(
            args, platform_, token, seeded, institution_id
        ),
        publish=args.publish,
    )


def print_latency(lat: LatencyResult, found, depths: dict[str, int]) -> None:
    print(f"{'measure':<46}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    rows = [
        ("POST /v1/orders round trip (alone)", lat.post),
        ("POST sent -> supplier order in its inbox", lat.per_supplier),
        *((f"  {ORDINALS[k]} of the order's 5 inboxes", v) for k, v in sorted(lat.kth.items())),
        ("where it goes (server created_at, same clock):", []),
        ("  POST sent -> order row stamped", lat.to_order_row),
        ("  order row stamped -> POST answered", lat.order_row_to_answer),
        ("  order row stamped -> inbox row stamped", lat.order_row_to_inbox_row),
        ("  inbox row stamped -> seen by the poller", lat.inbox_row_to_seen),
    ]
    for label, values in rows:
        if not values:
            print(label)
            continue
        print(
            f"{label:<46}{len(values):>5}{ms(percentile(values, 50)):>9}"
            f"{ms(percentile(values, 95)):>9}{ms(percentile(values, 99)):>9}"
            f"{ms(max(values)):>9}"
        )
    print(f"(inbox polled every {POLL_INTERVAL_S * 1000:.0f} ms per enterprise, 5 pollers)")

    p50, p99 = percentile(lat.per_supplier, 50), percentile(lat.per_supplier, 99)
    print(f"order -> inbox p99 / p50: {p99 / p50:.1f} x")
    inbox_tail.print_evidence(found, depths)


def run(args, platform_: Platform, token: Tokens, seeded, institution_id: str) -> bool:
    """All phases; returns True when something failed."""
    flow = OrderFlow(platform_.urls, token, seeded, institution_id, args.seconds, args.concurrency)
    with requests.Session() as http:
        status, body = flow.place(http)
    if status != 201:
        raise BenchFailure(f"could not place the first order: {status} {body}")
    first_order = body["id"]

    print(f"\n-- load phases: {args.concurrency} threads x {args.seconds:g} s each --")
    flow.warm_up(flow.healthz)
    healthz = run_load("a. GET /healthz (ceiling)", flow.healthz, args.seconds, args.concurrency)
    read = flow.read_order(first_order)
    flow.warm_up(read)
    reading = run_load("b. GET /v1/orders/{id}", read, args.seconds, args.concurrency)
    flow.warm_up(flow.place, 5)
    placing = run_load("c. POST /v1/orders (20 lines)", flow.place, args.seconds, args.concurrency)
    results = [healthz, reading, placing]
    print_phase_table(results)

    drained = flow.drain()
    so_count = sum(flow.supplier_orders_by_enterprise().values())
    print(
        f"\nnotify backlog after c: every inbox complete {drained:.1f} s after the load ended "
        f"({so_count} supplier orders so far)"
    )

    print(f"\n-- d. order-to-inbox latency: {args.sample} orders placed one at a time --")
    depths = inbox_tail.queue_depths(platform_.redis_url)
    lat = flow.order_to_inbox(args.sample)
    print_latency(lat, inbox_tail.evidence(platform_, lat.supplier_order_ids), depths)
    latencies = [lat]
    if args.burst:
        print(
            f"\n-- e. a burst of {args.burst} orders ({args.concurrency} clients); as soon as "
            f"their inboxes are complete, {args.sample} orders one at a time --"
        )
        t0 = time.perf_counter()
        flow.burst(args.burst)
        print(
            f"burst placed in {time.perf_counter() - t0:.1f} s; inboxes complete after "
            f"{flow.drain():.1f} s more"
        )
        depths = inbox_tail.queue_depths(platform_.redis_url)
        after = flow.order_to_inbox(args.sample)
        print_latency(after, inbox_tail.evidence(platform_, after.supplier_order_ids), depths)
        latencies.append(after)

    print("\n-- comparison --")

    def ratio(a: float, b: float) -> str:
        return f"{a / b:.3f}" if b else "n/a"

    comparisons = (
        ("placement throughput / healthz throughput", placing.throughput, healthz.throughput, ""),
        ("placement throughput / read throughput", placing.throughput, reading.throughput, ""),
        ("placement p50 / healthz p50", placing.pct(50), healthz.pct(50), "x"),
        ("placement p99 / healthz p99", placing.pct(99), healthz.pct(99), "x"),
        ("placement p50 / read p50", placing.pct(50), reading.pct(50), "x"),
        ("placement p99 / read p99", placing.pct(99), reading.pct(99), "x"),
    )
    for label, a, b, unit in comparisons:
        print(f"{label:<44}{unit}{ratio(a, b)}")

    print("\n-- verification --")
    problems = flow.verify([o for x in latencies for o in x.order_ids])
    problems += [f for x in latencies for f in x.failures]
    non_2xx = {r.name: dict(r.errors) for r in results if r.errors}
    if non_2xx:
        problems.append(f"non-2xx answers under load: {non_2xx}")
    dead = platform_.dead()
    if dead:
        problems.append(f"processes exited during the run: {dead}")
    if problems:
        print("FAILED:")
        for problem in problems:
            print(f"  - {problem}")
        return True
    print("OK: every placed order readable; every supplier order in its inbox exactly once")
    return False


if __name__ == "__main__":
    sys.exit(main())
