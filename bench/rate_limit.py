"""What the per-caller rate limit costs a request: the same authenticated catalog read with the
limit off and on (counted in Redis), and the unlimited /healthz, in one run.

    .venv/bin/python bench/rate_limit.py [--requests 3000]

In-process (Flask test client, no sockets), one caller, so the figures are the limiter's own
work: one moving-window check (a Lua script on Redis) per request. Embedded Redis and SQLite
unless TEST_REDIS_URL / DATABASE_URL_BASE are set (as in tests).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catalog import create_app
from gachi_kit.auth import generate_keypair, issue_token
from tests.support import infra


def timed(client, path: str, headers: dict, n: int) -> list[float]:
    for _ in range(50):  # warm up
        client.get(path, headers=headers)
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.get_json()
    return samples


def row(label: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    return (
        f"{label:<44}{len(samples):>7}{1000 / statistics.mean(samples):>9.0f}"
        f"{statistics.median(samples):>10.2f}{p99:>10.2f}"
    )


def in_process_catalog(folder: Path, redis_url: str, public_key: str, tag: str) -> dict:
    """Config of a catalog app called in this process (its database and data in `folder`).
    Also used by observability.py."""
    return {
        "GACHI_DATA_DIR": str(folder / "data"),
        "REDIS_URL": redis_url,
        "JWT_PUBLIC_KEY": public_key,
        "CATALOG_DATABASE_URL": infra.database_url("catalog", folder, tag),
        "LOG_LEVEL": "WARNING",
    }


def buyer_headers(private_key: str) -> dict:
    token = issue_token(private_key, sub="bench", role="buyer", org="INST", audience=["catalog"])
    return {"Authorization": f"Bearer {token}"}


def requests_arg(doc: str) -> int:
    """--requests (default 3000), held within [100, 100000]."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    return max(100, min(parser.parse_args().requests, 100_000))


def print_rows(title: str, rows: list[str]) -> None:
    print(title)
    print(f"{'request':<44}{'count':>7}{'per s':>9}{'p50 ms':>10}{'p99 ms':>10}")
    for line in rows:
        print(line)


def main() -> None:
    n = requests_arg(__doc__)
    private, public = generate_keypair()
    with tempfile.TemporaryDirectory() as tmp, infra.redis_server(Path(tmp)) as redis_url:
        base = in_process_catalog(Path(tmp), redis_url, public, "_bench_rl")
        # far out of reach: every request is counted, none is refused
        base["RATE_LIMIT"] = f"{10 * n}/minute"
        headers = buyer_headers(private)
        off = create_app({**base, "RATE_LIMIT_ENABLED": "0"}).test_client()
        on = create_app(base).test_client()
        results = [
            row("/healthz (never limited)", timed(on, "/healthz", {}, n)),
            row("GET /v1/brands, limit off", timed(off, "/v1/brands", headers, n)),
            row("GET /v1/brands, limit on (Redis)", timed(on, "/v1/brands", headers, n)),
            row("GET /v1/brands, limit off (again)", timed(off, "/v1/brands", headers, n)),
        ]
    print_rows(
        f"gachi rate-limit benchmark · {platform.python_version()} · "
        f"{'PostgreSQL' if os.environ.get('DATABASE_URL_BASE') else 'SQLite'} · "
        f"{'system Redis' if os.environ.get('TEST_REDIS_URL') else 'embedded Redis'} · "
        f"{os.cpu_count()} CPUs · one caller, in-process",
        results,
    )


if __name__ == "__main__":
    main()
