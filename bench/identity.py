"""Identity benchmark: sign-in (one Argon2id verify), token issuance and token verification.

Starts web and orders as real processes (gunicorn as in the Procfile) on the embedded Redis
and SQLite in a temporary folder, seeds web's demo people and one API client, then for a
fixed duration with C client threads measures:

  a. GET /healthz on web                         the trivial endpoint (ceiling)
  b. POST /sign-in                               a form post with one Argon2id verify
  c. POST /oauth/token                           client credentials: one RS256 signature
  d. GET /v1/orders with today's token           developer key, no kid (static key)
  e. GET /v1/orders with web's token             kid → web's JWKS, fetched once, cached

and, in this process, the cost of one TokenVerifier.verify for both kinds of token.

    .venv/bin/python bench/identity.py [--seconds N] [--concurrency C]

Only 127.0.0.1 is contacted; every loop stops by duration and by a maximum count.
"""

from __future__ import annotations

import argparse
import platform as host
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import requests  # noqa: E402

from bench.load import print_phase_table, run_load  # noqa: E402
from gachi_kit.auth import TokenVerifier, generate_keypair  # noqa: E402
from gachi_kit.jwks import KeySet  # noqa: E402
from tests.support import infra  # noqa: E402
from tests.support.web_identity import seed_with_client  # noqa: E402
from web.seed import DEMO_PASSWORD  # noqa: E402

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
VERIFY_RUNS = 2000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="gachi-bench-identity-"))
    keys = generate_keypair()
    with infra.redis_server(folder / "redis") as redis_url:
        running = infra.Platform(
            folder,
            redis_url,
            keys,
            services=("web", "orders"),
            tag="_bench_identity",
            log_level="WARNING",
        )
        try:
            running.start()
            client_id, secret = seed_with_client(running.config)
            print("== gachi identity benchmark ==")
            print(f"machine:  {host.platform()}, {__import__('os').cpu_count()} CPUs")
            print(f"python:   {host.python_implementation()} {host.python_version()}")
            print(
                "servers:  gunicorn --workers 2 --threads 4 (web, orders); SQLite; embedded Redis"
            )
            print(f"load:     concurrency {args.concurrency}, {args.seconds:g} s per phase\n")
            phases(running, args, keys, (client_id, secret), DEMO_PASSWORD)
        finally:
            running.stop()
    shutil.rmtree(folder, ignore_errors=True)
    return 0


def phases(running, args, keys, client, demo_password) -> None:
    web_url, orders_url = running.urls["web"], running.urls["orders"]

    def healthz(session):
        r = session.get(f"{web_url}/healthz", timeout=30)
        return r.status_code, r.text

    def sign_in(session):
        # the form (for its CSRF token) is fetched outside the timed POST's own figure
        token = CSRF.search(session.get(f"{web_url}/sign-in", timeout=30).text).group(1)
        r = session.post(
            f"{web_url}/sign-in",
            data={"email": "buyer@gachi.example", "password": demo_password, "csrf_token": token},
            allow_redirects=False,
            timeout=30,
        )
        session.cookies.clear()
        return (200 if r.status_code == 302 else r.status_code), r.text

    def issue(session):
        r = session.post(
            f"{web_url}/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=client,
            timeout=30,
        )
        return r.status_code, r.text

    web_token = requests.post(
        f"{web_url}/oauth/token", data={"grant_type": "client_credentials"}, auth=client, timeout=30
    ).json()["access_token"]
    dev_token = infra.Tokens(keys[0])("institution_admin", org="7Y2JHG63R0ERCVKR9VTNZNWCCQ")

    def orders_with(headers):
        def call(session):
            r = session.get(f"{orders_url}/v1/orders", headers=headers, timeout=30)
            return r.status_code, r.text

        return call

    results = [
        run_load("a. GET /healthz (web)", healthz, args.seconds, args.concurrency),
        run_load("b. sign-in (GET form + POST)", sign_in, args.seconds, args.concurrency),
        run_load("c. POST /oauth/token", issue, args.seconds, args.concurrency),
        run_load(
            "d. orders, developer-key token", orders_with(dev_token), args.seconds, args.concurrency
        ),
        run_load(
            "e. orders, web token via JWKS",
            orders_with({"Authorization": f"Bearer {web_token}"}),
            args.seconds,
            args.concurrency,
        ),
    ]
    print_phase_table(results)
    a, b, c, d, e = results
    print(f"\nsign-in rounds / healthz       {b.throughput / a.throughput:8.3f}")
    print(f"token issuance / healthz       {c.throughput / a.throughput:8.3f}")
    print(f"orders read, JWKS / dev key    {e.throughput / d.throughput:8.3f} (throughput)")
    print(f"                               {e.pct(50) / d.pct(50):8.3f} (p50 latency)")
    verify_cost(keys, web_url, web_token, dev_token["Authorization"].split()[1])


def verify_cost(keys, web_url, web_token, dev_token) -> None:
    """One verify in this process, per kind of token (after one warm-up call each)."""
    today = TokenVerifier(keys[1], audience="orders")
    jwks = TokenVerifier(
        keys[1],
        audience="orders",
        keys=KeySet(developer_key_pem=keys[1], jwks_url=f"{web_url}/.well-known/jwks.json"),
    )
    print("\n-- TokenVerifier.verify in process --")
    for label, verifier, token in (
        ("developer key (today)", today, dev_token),
        ("web token, JWKS cached", jwks, web_token),
    ):
        verifier.verify(token)
        began = time.perf_counter()
        for _ in range(VERIFY_RUNS):
            verifier.verify(token)
        per_call = (time.perf_counter() - began) / VERIFY_RUNS
        print(f"{label:<28}{per_call * 1e6:9.1f} µs per verify ({VERIFY_RUNS} runs)")


if __name__ == "__main__":
    sys.exit(main())
