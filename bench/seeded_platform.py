"""The whole platform as real processes, seeded through its APIs, for the benchmarks that
load it from outside (order_flow.py, order_cost.py, scale_out.py, peers/oscar/compare.py).

catalog, orders and notify under gunicorn as in the Procfile, one Celery worker each, on a
Redis and migrated databases in a temporary folder, exactly as the e2e test does; 5
enterprises x 4 products and the buying institution created through the HTTP API.
Embedded Redis and SQLite unless TEST_REDIS_URL / DATABASE_URL_BASE are set (as in tests).
"""

from __future__ import annotations

import os
import platform
import shutil
import signal
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import requests  # noqa: E402

from gachi_kit.auth import generate_keypair  # noqa: E402
from tests.support import infra  # noqa: E402
from tests.support.builders import enterprise_body, product_body  # noqa: E402

BUYER_DEPT = "총무과"

ENTERPRISES = [
    (
        "광명두부마을 협동조합",
        "cooperative",
        "41210",
        [
            ("국산콩 두부과자 200g", 3500, "taxable", "봉"),
            ("손두부 1kg", 6000, "exempt", "모"),
            ("콩물 1L", 4500, "taxable", "병"),
            ("비지 500g", 1500, "exempt", "봉"),
        ],
    ),
    (
        "완주 김치 마을기업",
        "village_enterprise",
        "52710",
        [
            ("포기김치 10kg", 65000, "exempt", "박스"),
            ("깍두기 3kg", 21000, "exempt", "통"),
            ("총각김치 5kg", 38000, "exempt", "통"),
            ("백김치 2kg", 16000, "exempt", "통"),
        ],
    ),
    (
        "전주 자활 비누공방",
        "self_reliance_enterprise",
        "52111",
        [
            ("천연 쌀비누 100g", 5000, "taxable", "개"),
            ("세탁비누 4입", 8000, "taxable", "세트"),
            ("주방세제 리필 1L", 7000, "taxable", "개"),
            ("손세정제 500ml", 6500, "taxable", "개"),
        ],
    ),
    (
        "성동 사회적협동조합 행복도시락",
        "social_cooperative",
        "11200",
        [
            ("한식 도시락", 7500, "taxable", "개"),
            ("샌드위치 세트", 6000, "taxable", "세트"),
            ("김밥 2줄", 5000, "taxable", "세트"),
            ("과일컵 300g", 4000, "exempt", "컵"),
        ],
    ),
    (
        "제주 감귤 영농조합",
        "cooperative",
        "50110",
        [
            ("감귤 5kg", 25000, "exempt", "박스"),
            ("한라봉 3kg", 32000, "exempt", "박스"),
            ("감귤즙 30포", 29000, "taxable", "박스"),
            ("감귤 초콜릿 12입", 9000, "taxable", "갑"),
        ],
    ),
]


class Platform(infra.Platform):
    """The e2e test's platform, quiet: Celery's per-task INFO lines stay out of the figures."""

    def __init__(
        self, folder: Path, redis_url: str, keys: tuple[str, str], publish: str = "background"
    ) -> None:
        super().__init__(
            folder,
            redis_url,
            keys,
            tag="_bench",
            log_level="WARNING",
            extra={"OUTBOX_PUBLISH": publish},
        )

    def dead(self) -> list[str]:
        return [n for n, p in self.processes.running.items() if p.poll() is not None]

    def log_tail(self, lines: int = 40) -> str:
        out = []
        for name in self.processes.running:
            text = self.processes.log(name).splitlines()
            interesting = [
                line
                for line in text
                if any(w in line.lower() for w in ("error", "warning", "traceback", "critical"))
                and "security" not in line.lower()  # Celery's "running as root" warning
            ]
            if interesting:
                out.append(f"--- {name}.log ({len(interesting)} warning/error lines, last shown)")
                out.extend(interesting[-lines:])
        return "\n".join(out)


Tokens = infra.Tokens


def seed(urls: dict, token: Tokens) -> tuple[list[tuple[str, list[str]]], str]:
    """5 enterprises x 4 products and the buying institution, through the APIs;
    returns ([(enterprise_id, [product_id])], institution_id)."""
    admin = token("admin")
    seeded = []
    with requests.Session() as http:
        for name, kind, sigungu, products in ENTERPRISES:
            response = http.post(
                f"{urls['catalog']}/v1/enterprises",
                json=enterprise_body(name=name, enterprise_type=kind, sigungu_code=sigungu),
                headers=admin,
                timeout=30,
            )
            response.raise_for_status()
            enterprise_id = response.json()["id"]
            product_ids = []
            for product, price, tax, unit in products:
                response = http.post(
                    f"{urls['catalog']}/v1/products",
                    json=product_body(
                        enterprise_id, name=product, unit_price=price, tax_type=tax, unit=unit
                    ),
                    headers=admin,
                    timeout=30,
                )
                response.raise_for_status()
                product_ids.append(response.json()["id"])
            seeded.append((enterprise_id, product_ids))
        response = http.post(
            f"{urls['orders']}/v1/institutions",
            json={
                "name": "광명시청",
                "kind": "지자체",
                "sido_code": "41",
                "sigungu_code": "41210",
                "departments": [BUYER_DEPT],
            },
            headers=admin,
            timeout=30,
        )
        response.raise_for_status()
    return seeded, response.json()["id"]


class BenchFailure(Exception):
    pass


def context_lines(args, redis_url: str) -> list[str]:
    base = os.environ.get("DATABASE_URL_BASE")
    broker = infra.broker_config().get("CELERY_BROKER_URL", "").rsplit("@", 1)[-1]
    return [
        f"date:         {datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"machine:      {platform.platform()}, {os.cpu_count()} CPUs (os.cpu_count)",
        f"python:       {platform.python_implementation()} {platform.python_version()}",
        f"database:     {'postgres' if base else 'sqlite (WAL; writers BEGIN IMMEDIATE)'}",
        f"redis:        {'system redis' if os.environ.get('TEST_REDIS_URL') else 'embedded redis'}"
        f" ({redis_url.rsplit('@', 1)[-1]})",
        f"broker:       {broker or 'the redis above'}",
        "servers:      gunicorn --workers 2 --threads 4 per API; 1 Celery worker per service"
        " (concurrency 1, no beat: every event goes through the after-commit publish),"
        " and notify's deliveries worker (8 threads) as in the Procfile",
        f"publish:      {args.publish} (OUTBOX_PUBLISH; inline = in the request thread)",
        f"load:         concurrency {args.concurrency}, {args.seconds:g} s per phase,"
        " one requests.Session per client thread, LOG_LEVEL=WARNING",
    ]


def _interrupt(_signum, _frame):
    raise KeyboardInterrupt


def on_seeded_platform(title: str, header, run, *, publish: str = "background") -> int:
    """Start the platform in a temporary folder, seed it, print `header(redis_url)`'s lines
    and call `run(platform, tokens, seeded, institution_id)` (True when something failed);
    stops everything whatever happens and returns the exit status."""
    # Ctrl-C and SIGTERM both unwind through the finally blocks below.
    signal.signal(signal.SIGTERM, _interrupt)
    folder = Path(tempfile.mkdtemp(prefix="gachi-bench-"))
    platform_ = None
    failed = True
    try:
        with infra.redis_server(folder / "redis") as redis_url:
            print(f"== {title} ==")
            for line in header(redis_url):
                print(line)
            sys.stdout.flush()
            keys = generate_keypair()
            token = Tokens(keys[0])
            platform_ = Platform(folder, redis_url, keys, publish)
            try:
                t0 = time.perf_counter()
                platform_.start()
                seeded, institution_id = seed(platform_.urls, token)
                print(
                    f"platform up and seeded (5 enterprises x 4 products) in "
                    f"{time.perf_counter() - t0:.1f} s; logs in {folder} (kept on failure)"
                )
                failed = run(platform_, token, seeded, institution_id)
            finally:
                if failed:
                    print("\nwarning/error lines from the processes:")
                    print(platform_.log_tail() or "(none)")
                platform_.stop()
        if not failed:
            shutil.rmtree(folder, ignore_errors=True)
    except KeyboardInterrupt:
        print("\ninterrupted; platform stopped", file=sys.stderr)
        return 130
    except (BenchFailure, RuntimeError, AssertionError) as exc:
        print(f"\nFAILED: {exc}", file=sys.stderr)
        return 1
    return 1 if failed else 0
