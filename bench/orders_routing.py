"""Routing and capacity under load, side by side with their baselines, in one run.

1. Routing a 500-line order of product groups (6 candidate enterprises each): the pure
   routing function in-process, catalog's batch pricing of those 500 lines over HTTP, and the
   whole `POST /v1/orders` — next to `GET /healthz` on the same orders server.
2. Capacity contention: 20 buyers at once ordering from one product group whose weekly
   capacity runs out mid-run; throughput and latency of the answers (201 and 422) next to
   the same 20 threads on `GET /healthz`, then the ledger is checked: nothing oversold.

    .venv/bin/python bench/orders_routing.py [--orders 10] [--seconds 10] [--buyers 20]

Starts catalog and orders as real processes (gunicorn, like the Procfile) on their own
databases (SQLite, or PostgreSQL with DATABASE_URL_BASE) and Redis (embedded, or
TEST_REDIS_URL); only 127.0.0.1; every loop is bounded.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text

from gachi_kit.auth import generate_keypair
from orders.adapters.catalog_client import parse_pricing
from orders.domain import routing
from tests.support import infra
from tests.support.builders import enterprise_body, keyed, product_body

GROUPS, SUPPLIERS_PER_GROUP, ENTERPRISES = 100, 6, 30
SIGUNGU = ["41210", "41390", "52710", "52111", "11110", "26110"]
NEEDED_BY = date.today() + timedelta(days=14)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def row(label: str, samples_ms: list[float], extra: str = "") -> str:
    return (
        f"{label:<46}{len(samples_ms):>6}{statistics.median(samples_ms):>10.1f}"
        f"{pct(samples_ms, 95):>10.1f}{pct(samples_ms, 99):>10.1f}{max(samples_ms):>10.1f}"
        f"  {extra}"
    )


Tokens = infra.Tokens


def seed(urls: dict, token: Tokens) -> str:
    """30 certified enterprises; 100 groups × 6 suppliers (capacity ample); one contended
    group of 5 suppliers × 100 a week. Returns the buying institution's id."""
    admin, http = token("admin"), requests.Session()

    def post(url, body, method="post"):
        response = http.request(method, url, json=body, headers=admin, timeout=30)
        if response.status_code not in (200, 201):
            raise RuntimeError(f"{url}: {response.status_code} {response.text[:300]}")
        return response.json()

    enterprises = []
    for i in range(ENTERPRISES):
        e = post(
            f"{urls['catalog']}/v1/enterprises",
            enterprise_body(
                name=f"벤치 사회적협동조합 {i:02d}", sigungu_code=SIGUNGU[i % len(SIGUNGU)]
            ),
        )
        post(
            f"{urls['catalog']}/v1/enterprises/{e['id']}/certifications",
            {
                "kind": "social_enterprise",
                "number": f"B-{i:03d}",
                "issuer": "고용노동부",
                "valid_from": (date.today() - timedelta(days=10)).isoformat(),
                "valid_to": (date.today() + timedelta(days=400)).isoformat(),
            },
        )
        enterprises.append(e["id"])
    for g in range(GROUPS + 1):
        code = f"BENCH-G{g:03d}" if g < GROUPS else "BENCH-CONTENDED"
        post(
            f"{urls['catalog']}/v1/product-groups",
            {"code": code, "name": f"표준품목 {g:03d}", "unit": "개"},
        )
        suppliers = 5 if g == GROUPS else SUPPLIERS_PER_GROUP
        for k in range(suppliers):
            enterprise = enterprises[(g * 7 + k) % ENTERPRISES]
            post(
                f"{urls['catalog']}/v1/products",
                product_body(
                    enterprise,
                    name=f"표준품목 {g:03d} ({k})",
                    unit="개",
                    unit_price=1000 + 37 * ((g + k) % 50),
                    group_code=code,
                    lead_time_days=2,
                    weekly_capacity=100 if g == GROUPS else 1_000_000,
                ),
            )
    institution = post(
        f"{urls['orders']}/v1/institutions",
        {
            "name": "광명시청",
            "kind": "지자체",
            "sido_code": "41",
            "sigungu_code": "41210",
            "departments": ["총무과"],
        },
    )
    return institution["id"]


def order_body(lines: list[dict]) -> dict:
    return {
        "delivery_address": "경기도 광명시 시청로 20",
        "delivery_sigungu_code": "41210",
        "needed_by": NEEDED_BY.isoformat(),
        "lines": lines,
    }


def phase_routing(urls: dict, buyer: dict, orders: int) -> list[str]:
    lines = [{"group_code": f"BENCH-G{i % GROUPS:03d}", "quantity": 10 + i % 7} for i in range(500)]
    http = requests.Session()
    health = []
    for _ in range(200):
        t0 = time.perf_counter()
        http.get(f"{urls['orders']}/healthz", timeout=10).raise_for_status()
        health.append((time.perf_counter() - t0) * 1000)
    pricing, priced = [], None
    for _ in range(orders):
        t0 = time.perf_counter()
        response = http.post(
            f"{urls['catalog']}/v1/pricing",
            headers=buyer,
            timeout=60,
            json={"on_date": NEEDED_BY.isoformat(), "lines": lines},
        )
        pricing.append((time.perf_counter() - t0) * 1000)
        response.raise_for_status()
        priced = parse_pricing(response.json()).lines  # as orders reads it
    pure = []
    for _ in range(max(orders, 20)):
        capacity = {}
        t0 = time.perf_counter()
        for line, answer in zip(lines, priced, strict=True):
            routing.route(
                answer.candidates,
                line["quantity"],
                routing.RoutingContext(
                    policy="local_first",
                    needed_by=NEEDED_BY,
                    today=date.today(),
                    delivery_sigungu="41210",
                    capacity_left=capacity,
                ),
            )
        pure.append((time.perf_counter() - t0) * 1000)
    placing, failures = [], 0
    for _ in range(orders):
        t0 = time.perf_counter()
        response = http.post(
            f"{urls['orders']}/v1/orders",
            json=order_body(lines),
            headers=keyed(buyer),
            timeout=120,
        )
        placing.append((time.perf_counter() - t0) * 1000)
        failures += response.status_code != 201
    if failures:
        raise RuntimeError(f"{failures} of {orders} 500-line orders were refused")
    return [
        "-- 1. a 500-line order of product groups (6 candidates each), one at a time --",
        f"{'measure':<46}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'max ms':>10}",
        row("GET /healthz on orders (baseline)", health),
        row("routing.route() × 500 lines, in-process", pure),
        row("catalog POST /v1/pricing, 500 group lines", pricing),
        row("POST /v1/orders, 500 group lines (all of it)", placing),
        f"placement p50 / healthz p50: "
        f"x{statistics.median(placing) / statistics.median(health):.0f}"
        f"; of placement p50: pricing {statistics.median(pricing) / statistics.median(placing):.0%}"
        f", pure routing {statistics.median(pure) / statistics.median(placing):.1%}",
    ]


def hammer(url_fn, buyers: int, seconds: float, request) -> dict:
    results, lock, stop = [], threading.Lock(), time.monotonic() + seconds
    barrier = threading.Barrier(buyers)

    def run():
        http = requests.Session()
        barrier.wait()
        count = 0
        while time.monotonic() < stop and count < 5000:
            t0 = time.perf_counter()
            status = request(http)
            with lock:
                results.append((status, (time.perf_counter() - t0) * 1000))
            count += 1

    threads = [threading.Thread(target=run) for _ in range(buyers)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"results": results, "elapsed": time.perf_counter() - started}


def phase_contention(
    urls: dict, buyer: dict, buyers: int, seconds: float, orders_db: str
) -> list[str]:
    ceiling = hammer(
        None,
        buyers,
        seconds,
        lambda http: http.get(f"{urls['orders']}/healthz", timeout=30).status_code,
    )
    body = order_body([{"group_code": "BENCH-CONTENDED", "quantity": 10}])
    contended = hammer(
        None,
        buyers,
        seconds,
        lambda http: (
            http.post(
                f"{urls['orders']}/v1/orders",
                json=body,
                headers=keyed(buyer),
                timeout=60,
            ).status_code
        ),
    )
    out = [
        "",
        f"-- 2. capacity contention: {buyers} buyers at once, 10 units per order, "
        "one group of 5 suppliers x 100 a week --",
        f"{'measure':<46}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'max ms':>10}",
    ]
    health = [ms for _, ms in ceiling["results"]]
    out.append(
        row(
            "GET /healthz, same threads (baseline)",
            health,
            f"{len(health) / ceiling['elapsed']:.0f} req/s",
        )
    )
    statuses = {}
    for status, ms in contended["results"]:
        statuses.setdefault(status, []).append(ms)
    for status in sorted(statuses):
        label = {201: "placed (201)", 422: "refused: capacity gone (422)"}.get(
            status, f"HTTP {status}"
        )
        out.append(
            row(
                f"POST /v1/orders → {label}",
                statuses[status],
                f"{len(statuses[status]) / contended['elapsed']:.0f} per s",
            )
        )
    engine = create_engine(orders_db)
    with engine.connect() as conn:
        reserved = conn.execute(
            text(
                "SELECT SUM(reserved), SUM(capacity) FROM capacity_week WHERE product_id IN "
                "(SELECT DISTINCT sol.product_id FROM supplier_order_line sol JOIN order_line ol "
                "ON ol.id = sol.order_line_id WHERE ol.group_code = 'BENCH-CONTENDED')"
            )
        ).one()
    engine.dispose()
    placed = len(statuses.get(201, []))
    out.append(
        f"ledger: reserved {reserved[0]} of capacity {reserved[1]}; placed orders × 10 = "
        f"{placed * 10}"
    )
    problems = []
    if reserved[0] != placed * 10 or reserved[0] > reserved[1]:
        problems.append("the capacity ledger disagrees with the orders placed")
    if set(statuses) - {201, 422}:
        problems.append(f"unexpected answers: { {s: len(v) for s, v in statuses.items()} }")
    out.append(
        "OK: nothing oversold, every answer 201 or 422"
        if not problems
        else "FAILED: " + "; ".join(problems)
    )
    if problems:
        raise RuntimeError("\n".join(out))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10, help="500-line orders to time")
    parser.add_argument("--seconds", type=float, default=10.0, help="contention duration")
    parser.add_argument("--buyers", type=int, default=20, help="concurrent buyers")
    args = parser.parse_args()
    if not (1 <= args.orders <= 50 and 0 < args.seconds <= 60 and 1 <= args.buyers <= 64):
        parser.error("--orders 1..50, --seconds (0, 60], --buyers 1..64")
    folder = Path(tempfile.mkdtemp(prefix="gachi-bench-routing-"))
    with infra.redis_server(folder / "redis") as redis_url:
        keys = generate_keypair()
        token = Tokens(keys[0])
        running = infra.Platform(
            folder,
            redis_url,
            keys,
            services=("catalog", "orders"),
            tag="_bench_routing",
            log_level="WARNING",
        )
        base = os.environ.get("DATABASE_URL_BASE")
        print("== gachi routing and capacity benchmark ==")
        print(
            f"machine:   {platform.platform()}, {os.cpu_count()} CPUs; "
            f"python {platform.python_version()}"
        )
        print(
            f"database:  {'postgres' if base else 'sqlite'}; broker: "
            f"{'system' if os.environ.get('TEST_REDIS_URL') else 'embedded'} redis"
        )
        print("servers:   catalog and orders, gunicorn --workers 2 --threads 4 each")
        try:
            running.start()
            t0 = time.perf_counter()
            institution = seed(running.urls, token)
            print(
                f"seeded {ENTERPRISES} enterprises, {GROUPS} groups x {SUPPLIERS_PER_GROUP} "
                f"suppliers in {time.perf_counter() - t0:.1f} s\n"
            )
            buyer = token("buyer", institution, "총무과")
            for line in phase_routing(running.urls, buyer, args.orders):
                print(line)
            for line in phase_contention(
                running.urls,
                buyer,
                args.buyers,
                args.seconds,
                running.config["ORDERS_DATABASE_URL"],
            ):
                print(line)
        finally:
            running.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
