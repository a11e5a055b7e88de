"""Scale-out on one machine: order placement with one instance of each API and one Celery
worker per queue, then with two gunicorn instances of each API (the client spreads its
threads' orders over both orders instances; orders instance i calls catalog instance i)
and two workers per queue, on the same databases' engine and the same client. Each
configuration gets a fresh platform and its own `GET /healthz` ceiling; the run ends by
checking every supplier order reached its inbox exactly once.

    .venv/bin/python bench/scale_out.py [--seconds 10] [--concurrency 8]

PostgreSQL (DATABASE_URL_BASE, default the local one): SQLite serialises its writers, so a
second instance there only adds contention. Two cores: read the ratio, not the totals.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("DATABASE_URL_BASE", "postgresql+psycopg://postgres@127.0.0.1:5432")

from bench.load import print_phase_table, run_load  # noqa: E402
from bench.order_flow import OrderFlow  # noqa: E402
from bench.seeded_platform import Tokens, seed  # noqa: E402
from gachi_kit.auth import generate_keypair  # noqa: E402
from tests.support import infra  # noqa: E402


def measure(args, folder: Path, redis_url: str, instances: int) -> dict:
    keys = generate_keypair()
    token = Tokens(keys[0])
    platform_ = infra.Platform(
        folder / f"x{instances}",
        redis_url,
        keys,
        tag=f"_scale{instances}",
        log_level="WARNING",
        instances=instances,
        workers=instances,
    )
    try:
        platform_.start(timeout=180)
        seeded, institution_id = seed(platform_.urls, token)
        flows = [
            OrderFlow(
                {**platform_.urls, "orders": url},
                token,
                seeded,
                institution_id,
                args.seconds,
                args.concurrency,
            )
            for url in platform_.instance_urls["orders"]
        ]
        turn = itertools.count()

        def place(session):  # round robin over the orders instances
            return flows[next(turn) % len(flows)].place(session)

        def healthz(session):
            return flows[next(turn) % len(flows)].healthz(session)

        for flow in flows:
            flow.warm_up(flow.place, 3)
        label = f"{instances} instance{'s' if instances > 1 else ''}"
        ceiling = run_load(f"{label}: GET /healthz", healthz, args.seconds, args.concurrency)
        placing = run_load(f"{label}: POST /v1/orders", place, args.seconds, args.concurrency)
        for flow in flows[1:]:  # one flow knows every order placed, then checks every inbox
            flows[0].placed.update(flow.placed)
        flows[0].drain()
        problems = flows[0].verify([])
        return {"ceiling": ceiling, "placing": placing, "problems": problems}
    finally:
        platform_.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="gachi-scale-"))
    print("== gachi scale-out: 1 vs 2 instances of each API, 1 vs 2 workers per queue ==")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    print(f"database: postgres; load: {args.concurrency} threads x {args.seconds:g} s per phase")
    sys.stdout.flush()
    with infra.redis_server(folder / "redis") as redis_url:
        one = measure(args, folder, redis_url, 1)
        two = measure(args, folder, redis_url, 2)
    print_phase_table([one["ceiling"], one["placing"], two["ceiling"], two["placing"]])
    ratio = two["placing"].throughput / one["placing"].throughput
    print(f"\nplacement throughput, 2 instances / 1 instance: {ratio:.2f}")
    for name, run in (("1 instance", one), ("2 instances", two)):
        share = run["placing"].throughput / run["ceiling"].throughput
        print(f"placement / healthz ceiling, {name}: {share:.3f}")
    problems = one["problems"] + two["problems"]
    verdict = "OK: every supplier order in its inbox exactly once"
    print("FAILED: " + "; ".join(problems) if problems else verdict)
    shutil.rmtree(folder, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
