"""The year-end rush, headless: the platform on PostgreSQL (catalog, orders, notify under
gunicorn, one Celery worker each, Redis), a seeded December market, then Locust (a real
load client, in a virtual environment of its own: bench/requirements-bench.txt) running
bench/year_end_rush/locustfile.py. Prints Locust's figures per request type, the error
rate, the broker's queue depths over the run, and checks afterwards that every order
Locust saw acknowledged reached every one of its enterprises' inboxes exactly once.

    .venv/bin/python bench/year_end_rush/run.py [--users 24] [--spawn-rate 6] [--run-time 60s]

DATABASE_URL_BASE defaults to the local PostgreSQL. Against a deployment of several
machines, see docs/benchmarks.md (the same locustfile, a fixture file pointing at it).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
for path in (REPO, REPO / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
os.environ.setdefault("DATABASE_URL_BASE", "postgresql+psycopg://postgres@127.0.0.1:5432")

import bench_venv  # noqa: E402
import redis  # noqa: E402
import requests  # noqa: E402
from seeded_platform import ENTERPRISES  # noqa: E402

from gachi_kit.auth import generate_keypair  # noqa: E402
from tests.support import infra  # noqa: E402
from tests.support.builders import enterprise_body, product_body  # noqa: E402
from tests.support.catalog_builders import certification_body  # noqa: E402

LOCUST_VENV = Path(os.environ.get("BENCH_LOCUST_VENV", REPO / "data" / "bench" / "locust-venv"))
GROUPS = 6
SAMPLE_EVERY_S = 5.0


def seed(urls: dict, token: infra.Tokens) -> dict:
    """gachi's benchmark catalogue twice over (10 certified enterprises), 6 product groups
    of 3 suppliers each, 3 institutions with 2 departments: the Locust fixture."""
    admin, http = token("admin"), requests.Session()

    def post(url, body):
        response = http.post(url, json=body, headers=admin, timeout=60)
        if response.status_code != 201:
            raise RuntimeError(f"{url}: {response.status_code} {response.text[:300]}")
        return response.json()

    enterprises, products = [], []
    for round_ in range(2):
        for name, kind, sigungu, items in ENTERPRISES:
            e = post(
                f"{urls['catalog']}/v1/enterprises",
                enterprise_body(
                    name=f"{name} {round_ + 1}호", enterprise_type=kind, sigungu_code=sigungu
                ),
            )
            post(
                f"{urls['catalog']}/v1/enterprises/{e['id']}/certifications",
                certification_body(f"R-{len(enterprises):03d}"),
            )
            enterprises.append(e["id"])
            for product, price, tax, unit in items:
                body = product_body(
                    e["id"], name=product, unit_price=price, tax_type=tax, unit=unit
                )
                products.append(post(f"{urls['catalog']}/v1/products", body)["id"])
    groups = []
    for g in range(GROUPS):
        code = f"YEAR-END-{g:02d}"
        post(
            f"{urls['catalog']}/v1/product-groups",
            {"code": code, "name": f"연말 표준품목 {g}", "unit": "개"},
        )
        for k in range(3):
            post(
                f"{urls['catalog']}/v1/products",
                product_body(
                    enterprises[(g * 3 + k) % len(enterprises)],
                    name=f"연말 표준품목 {g} ({k})",
                    unit="개",
                    unit_price=3000 + 250 * g,
                    group_code=code,
                    lead_time_days=2,
                    weekly_capacity=1_000_000,
                ),
            )
        groups.append(code)
    buyers = []
    for n, name in enumerate(["광명시청", "전주시청", "제주특별자치도청"]):
        institution = post(
            f"{urls['orders']}/v1/institutions",
            {
                "name": name,
                "kind": "지자체",
                "sido_code": "41",
                "sigungu_code": "41210",
                "departments": ["총무과", "복지정책과"],
            },
        )
        for dept in ("총무과", "복지정책과"):
            jwt = token("buyer", institution["id"], dept=dept)["Authorization"].split()[1]
            buyers.append({"institution_id": institution["id"], "token": jwt, "n": n})
    operators = [
        {"enterprise_id": e, "token": token("enterprise", e)["Authorization"].split()[1]}
        for e in enterprises
    ]
    return {
        "urls": urls,
        "buyers": buyers,
        "operators": operators,
        "products": products,
        "groups": groups,
        "enterprises": enterprises,
    }


class QueueDepths(threading.Thread):
    """Every few seconds, the length of each Celery queue (a Redis list) on the broker."""

    def __init__(self, redis_url: str) -> None:
        super().__init__(daemon=True)
        self.client = redis.Redis.from_url(redis_url)
        self.samples: list[tuple[float, dict[str, int]]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        began = time.monotonic()
        while not self.stop.wait(SAMPLE_EVERY_S):
            depths = {
                key.decode(): self.client.llen(key)
                for key in self.client.scan_iter(count=1000)
                if b":" not in key  # Celery queues only, not the rate limiter's windows
                and not key.startswith((b"_kombu", b"LIMITS"))
                and self.client.type(key) == b"list"
            }
            self.samples.append((time.monotonic() - began, depths))

    def chart(self) -> list[str]:
        queues = sorted({q for _, depths in self.samples for q in depths})
        top = max((sum(d.values()) for _, d in self.samples), default=0) or 1
        lines = [f"{'t s':>5}  " + "".join(f"{q:>9}" for q in queues) + "  total"]
        for t, depths in self.samples:
            total = sum(depths.values())
            bar = "█" * round(40 * total / top)
            lines.append(
                f"{t:5.0f}  "
                + "".join(f"{depths.get(q, 0):>9}" for q in queues)
                + f"  {total:>5} {bar}"
            )
        return lines


def run_locust(args, fixture_path: Path, acked: Path, folder: Path) -> Path:
    bin_ = bench_venv.ensure(LOCUST_VENV, REPO / "bench" / "requirements-bench.txt")
    argv = [
        str(bin_ / "locust"),
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        args.run_time,
        "--csv",
        str(folder / "rush"),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    print("$ " + " ".join(argv[1:]).replace(str(REPO) + "/", ""), flush=True)
    env = {**os.environ, "YEAR_END_FIXTURE": str(fixture_path), "YEAR_END_ACKED": str(acked)}
    subprocess.run(argv, env=env, cwd=REPO, check=False, stdout=subprocess.DEVNULL)
    return folder / "rush_stats.csv"


def verify(fixture: dict, acked: Path, token: infra.Tokens) -> list[str]:
    """Every acknowledged supplier order once in its enterprise's inbox (waits for notify)."""
    expected = set()
    if acked.exists():
        for line in acked.read_text().splitlines():
            expected |= {tuple(part) for part in json.loads(line)["parts"]}

    def seen() -> Counter:
        notify = [fixture["urls"]["notify"]]
        return infra.supplier_orders_in_inboxes(notify, fixture["enterprises"], token)

    deadline = time.monotonic() + 300
    found = seen()
    while not expected <= set(found) and time.monotonic() < deadline:
        time.sleep(2)
        found = seen()
    problems = []
    missing = expected - set(found)
    duplicated = [key for key, n in found.items() if n > 1]
    print(
        f"acknowledged supplier orders: {len(expected)}; in inboxes: {sum(found.values())}"
        f" ({len(set(found) - expected)} of orders whose answer Locust did not see as 201)"
    )
    if missing:
        problems.append(f"{len(missing)} acknowledged supplier orders never reached their inbox")
    if duplicated:
        problems.append(f"{len(duplicated)} supplier orders in an inbox more than once")
    return problems


def report(stats_csv: Path) -> float:
    """Locust's own figures per request type; returns the error rate."""
    rows = list(csv.DictReader(stats_csv.open(encoding="utf-8")))
    print(f"\n{'request':<44}{'n':>7}{'fail':>6}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}  (ms)")
    for row in rows:
        print(
            f"{row['Name'][:43]:<44}{row['Request Count']:>7}{row['Failure Count']:>6}"
            f"{float(row['Requests/s']):>8.1f}{row['50%']:>7}{row['95%']:>7}{row['99%']:>7}"
        )
    failures_csv = stats_csv.with_name("rush_failures.csv")
    if failures_csv.exists():
        for row in csv.DictReader(failures_csv.open(encoding="utf-8")):
            what = f"{row['Method']} {row['Name']}: {row['Error'][:160]}"
            print(f"  failed {row['Occurrences']}x {what}")
    total = next(r for r in rows if r["Name"] == "Aggregated")
    requests_, failures = int(total["Request Count"]), int(total["Failure Count"])
    return failures / requests_ if requests_ else 1.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=24)
    parser.add_argument("--spawn-rate", type=float, default=6)
    parser.add_argument("--run-time", default="60s")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="gachi-rush-"))
    print("== the year-end rush (Locust 2.47.0, headless, PostgreSQL) ==")
    print(
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start; {args.users} "
        f"users (6:2 purchase officers : enterprise operators), {args.run_time}"
    )
    with infra.redis_server(folder / "redis") as redis_url:
        keys = generate_keypair()
        token = infra.Tokens(keys[0])
        platform_ = infra.Platform(folder, redis_url, keys, tag="_rush", log_level="WARNING")
        try:
            platform_.start(timeout=180)
            fixture = seed(platform_.urls, token)
            fixture_path = folder / "fixture.json"
            fixture_path.write_text(json.dumps(fixture, ensure_ascii=False))
            acked = folder / "acked.jsonl"
            depths = QueueDepths(redis_url)
            depths.start()
            stats = run_locust(args, fixture_path, acked, folder)
            error_rate = report(stats)
            problems = verify(fixture, acked, token)
            depths.stop.set()
            print(f"\nerror rate: {error_rate * 100:.3f} %  (goal < 0.1 %)")
            print(f"\nqueue depths every {SAMPLE_EVERY_S:g} s (broker lists), load then drain:")
            print("\n".join(depths.chart()))
        finally:
            platform_.stop()
    print(
        "FAILED: " + "; ".join(problems)
        if problems
        else "OK: every acknowledged supplier order in its inbox exactly once"
    )
    if not problems:
        shutil.rmtree(folder, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
