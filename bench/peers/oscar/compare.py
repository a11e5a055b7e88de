"""gachi beside django-oscar: the same 20-line basket placed by the same client, at the same
concurrency and for the same time, on PostgreSQL, printed side by side.

    .venv/bin/python bench/peers/oscar/compare.py [--seconds 10] [--concurrency 8]

gachi: bench/order_flow.py's platform (catalog, orders, notify under gunicorn 2 x 4, one
Celery worker each, Redis) and one POST /v1/orders per order. Oscar: prepare.py's site
(django-oscar 4.2.1 + django-oscar-api 3.3.0, gunicorn 2 x 4) and, per order, 20 POST
/api/basket/add-product/ and one POST /api/checkout/ as a guest in a new session. CPU is
psutil's user + system time over each platform's process trees, its Redis and the
PostgreSQL backends of its databases; gachi's is given up to the end of the load (the
synchronous path) and up to every inbox holding its notice (notify's work included).
DATABASE_URL_BASE defaults to the local PostgreSQL (postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
for path in (REPO, HERE):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
os.environ.setdefault("DATABASE_URL_BASE", "postgresql+psycopg://postgres@127.0.0.1:5432")

import prepare  # noqa: E402
import requests  # noqa: E402

from bench.load import ms, run_load  # noqa: E402
from bench.order_flow import OrderFlow  # noqa: E402
from bench.platform_cpu import PlatformCpu  # noqa: E402
from bench.seeded_platform import ENTERPRISES, Platform, Tokens, seed  # noqa: E402
from gachi_kit.auth import generate_keypair  # noqa: E402
from tests.support import infra  # noqa: E402

ORDER_LINES = 20


class OscarClient:
    """One guest order: 20 add-product calls into a new session's basket, then checkout."""

    def __init__(self, url: str, product_ids: list[int]) -> None:
        self.api = f"{url}/api"
        self.lines = [
            (f"{self.api}/products/{pid}/", 1 + (i * 7) % 30) for i, pid in enumerate(product_ids)
        ]
        self.address = {
            "first_name": "구매",
            "last_name": "담당자",
            "line1": "시청로 20 광명시청 총무과",
            "line4": "광명시",
            "postcode": "14234",
            "country": f"{self.api}/countries/KR/",
        }

    def place(self, session: requests.Session):
        session.cookies.clear()  # a new guest, so a new basket
        basket = None
        for product_url, quantity in self.lines:
            response = session.post(
                f"{self.api}/basket/add-product/",
                json={"url": product_url, "quantity": quantity},
                timeout=120,
            )
            if response.status_code != 200:
                return response.status_code, response.text
            basket = response.json()["url"]
        response = session.post(
            f"{self.api}/checkout/",
            json={
                "basket": basket,
                "guest_email": "buyer@gwangmyeong.go.kr",
                "shipping_address": self.address,
            },
            timeout=120,
        )
        if response.status_code == 200 and response.json().get("number"):
            return 201, response.text  # placed (oscarapi answers 200)
        return response.status_code, response.text


def measure(name, place, cpu: PlatformCpu, args, drain=None) -> dict:
    """CPU seconds per process from the start of the load to its end (and, with `drain`,
    to the end of the platform's work after it)."""
    try:
        for _ in range(3):  # warm up: connections, caches
            with requests.Session() as session:
                place(session)
        before = cpu.snapshot()
        result = run_load(name, place, args.seconds, args.concurrency)
        loaded = PlatformCpu.delta(before, cpu.snapshot()).seconds
        placed = result.requests - sum(result.errors.values())
        row = {"result": result, "placed": placed, "cpu": loaded, "cpu_drained": None}
        if drain is not None:
            drain()
            row["cpu_drained"] = PlatformCpu.delta(before, cpu.snapshot()).seconds
        return row
    finally:
        cpu.close()


def run_oscar(args, folder: Path) -> dict:
    product_ids = prepare.seed(prepare.catalogue_of(ENTERPRISES))
    assert len(product_ids) == ORDER_LINES
    port = infra.free_port()
    log = open(folder / "oscar.log", "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        prepare.gunicorn_argv(port), env=prepare.gunicorn_env(), stdout=log, stderr=log
    )
    try:
        url = f"http://127.0.0.1:{port}"
        infra.wait_http_ok(f"{url}/api/", timeout=120)
        client = OscarClient(url, product_ids)
        name = os.environ.get("OSCAR_DB_NAME", "gachi_bench_oscar")  # as settings.py
        database = f"{os.environ['DATABASE_URL_BASE'].rstrip('/')}/{name}"
        cpu = PlatformCpu({"gunicorn (2 x 4)": process}, None, [database], label=str)
        return measure("oscar", client.place, cpu, args) | {"http_calls": ORDER_LINES + 1}
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def run_gachi(args, folder: Path) -> dict:
    with infra.redis_server(folder / "redis") as redis_url:
        keys = generate_keypair()
        token = Tokens(keys[0])
        platform_ = Platform(folder, redis_url, keys)
        try:
            platform_.start(timeout=180)
            seeded, institution_id = seed(platform_.urls, token)
            flow = OrderFlow(
                platform_.urls, token, seeded, institution_id, args.seconds, args.concurrency
            )
            cpu = PlatformCpu.of(platform_)
            return measure("gachi", flow.place, cpu, args, drain=flow.drain) | {"http_calls": 1}
        finally:
            platform_.stop()


def report(gachi: dict, oscar: dict) -> None:
    def line(label, a, b):
        print(f"{label:<46}{a:>16}{b:>16}")

    def per_order(row, cpu):
        return f"{sum(cpu.values()) / row['placed'] * 1000:.1f}" if row["placed"] else "n/a"

    g, o = gachi["result"], oscar["result"]
    print(f"\n{'':<46}{'gachi':>16}{'oscar':>16}")
    line("orders placed", gachi["placed"], oscar["placed"])
    line("errors", sum(g.errors.values()), sum(o.errors.values()))
    line("orders/s", f"{g.throughput:.2f}", f"{o.throughput:.2f}")
    line("p50 ms (whole order)", ms(g.pct(50)).strip(), ms(o.pct(50)).strip())
    line("p99 ms (whole order)", ms(g.pct(99)).strip(), ms(o.pct(99)).strip())
    line("client HTTP calls per order", gachi["http_calls"], oscar["http_calls"])
    during = (per_order(gachi, gachi["cpu"]), per_order(oscar, oscar["cpu"]))
    line("CPU ms per order, during the load", *during)
    line("CPU ms per order, to every inbox", per_order(gachi, gachi["cpu_drained"]), "-")
    if o.throughput:
        print(f"\ngachi orders/s / oscar orders/s: {g.throughput / o.throughput:.1f}")
    for name, row in (("gachi", gachi), ("oscar", oscar)):
        cpu = row["cpu_drained"] or row["cpu"]
        split = ", ".join(f"{k} {v * 1000 / max(row['placed'], 1):.1f}" for k, v in cpu.items())
        print(f"{name} CPU ms per order by process: {split}")
        for sample in row["result"].error_samples:
            print(f"  {name} error: {sample}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args(argv)
    if not (0 < args.seconds <= 120 and 0 < args.concurrency <= 64):
        parser.error("--seconds in (0, 120], --concurrency in [1, 64]")
    folder = Path(tempfile.mkdtemp(prefix="gachi-peer-"))
    print("== gachi beside django-oscar 4.2.1 + django-oscar-api 3.3.0 (PostgreSQL) ==")
    print(f"load: {args.concurrency} client threads x {args.seconds:g} s each, one")
    print(f"      requests.Session per thread, {ORDER_LINES} lines over 5 suppliers per order")
    print(
        f"date: {time.strftime('%Y-%m-%dT%H:%M:%S%z')}, {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f} at start"
    )
    sys.stdout.flush()
    oscar = run_oscar(args, folder)
    gachi = run_gachi(args, folder)
    report(gachi, oscar)
    shutil.rmtree(folder, ignore_errors=True)
    failed = gachi["placed"] == 0 or oscar["placed"] == 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
