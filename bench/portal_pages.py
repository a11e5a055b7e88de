"""Portal page benchmark: the time to render the search page and an order page, beside the
API calls each page makes, measured in one run on the same platform.

Starts catalog, orders and notify as live servers on migrated databases with the demo data,
and web in front of them (as the portal's tests do: Werkzeug threads in this process, not
gunicorn), signs in as the demo purchase officer through the sign-in form, places one
20-line order through the portal, then times N sequential requests of each:

- search page `GET /products?q=김치` beside `GET /v1/products?q=김치` (what it calls);
- order page `GET /orders/<id>` beside `GET /v1/orders/<id>` + `GET /v1/orders/<id>/routing`.

The page time includes the API calls, the header's inbox badge (one notify call) and
rendering; the difference is the portal's own cost.

    .venv/bin/python bench/portal_pages.py [--requests 200]

Embedded Redis and SQLite unless TEST_REDIS_URL / DATABASE_URL_BASE are set (as in tests).
Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import requests  # noqa: E402

from gachi_kit.auth import generate_keypair  # noqa: E402
from tests.support import infra  # noqa: E402
from tests.support.portal import (  # noqa: E402
    BUYER,
    DEPARTMENT,
    GWANGMYEONG_CITY,
    csrf_token,
    order_sheet_form,
    portal_platform,
)

QUERY = "김치"


def timed(get, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        response = get()
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return samples


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"median {statistics.median(ordered):6.1f} ms   p95 {p95:6.1f} ms"


def signed_in(web_url: str) -> requests.Session:
    from web.seed import DEMO_PASSWORD

    browser = requests.Session()
    token = csrf_token(browser.get(f"{web_url}/sign-in", timeout=10).text)
    answer = browser.post(
        f"{web_url}/sign-in",
        data={"csrf_token": token, "email": BUYER, "password": DEMO_PASSWORD},
        timeout=10,
    )
    assert answer.ok and "/sign-in" not in answer.url, "sign-in failed"
    return browser


def place_order(browser: requests.Session, web_url: str, lines: int = 20) -> str:
    """Fill the 주문서 with `lines` products from search results and place it."""
    added = 0
    for query in ("김치", "두부", "비누", "쌀", "과자"):
        page = browser.get(f"{web_url}/products", params={"q": query}, timeout=10).text
        for product in re.findall(r'name="product_id" value="([0-9A-Z]{26})"', page):
            if added == lines:
                break
            browser.post(
                f"{web_url}/order-sheet/lines",
                data={"csrf_token": csrf_token(page), "product_id": product, "quantity": 10},
                timeout=10,
            )
            added += 1
    sheet = browser.get(f"{web_url}/order-sheet", timeout=10).text
    placed = browser.post(f"{web_url}/order-sheet/place", data=order_sheet_form(sheet), timeout=30)
    found = re.search(r"/orders/([0-9A-Z]{26})", placed.url)
    assert found, f"placing failed: {placed.status_code}"
    return found.group(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    print(f"machine: {platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}")
    print(
        f"database: {os.environ.get('DATABASE_URL_BASE', 'SQLite')}; {args.requests} requests each"
    )
    with tempfile.TemporaryDirectory(prefix="gachi-portal-bench-") as tmp:
        folder = Path(tmp)
        with (
            infra.redis_server(folder / "redis") as redis_url,
            portal_platform(folder, redis_url, generate_keypair()) as portal,
        ):
            web, catalog, orders = (portal.urls[s] for s in ("web", "catalog", "orders"))
            browser = signed_in(web)
            order_id = place_order(browser, web)
            api = requests.Session()
            api.headers.update(portal.bearer("buyer", GWANGMYEONG_CITY, DEPARTMENT))
            params = {"q": QUERY, "page_size": 24}

            def both_order_calls():
                api.get(f"{orders}/v1/orders/{order_id}/routing", timeout=10)
                return api.get(f"{orders}/v1/orders/{order_id}", timeout=10)

            rows = [
                (
                    f"API  GET /v1/products?q={QUERY}",
                    lambda: api.get(f"{catalog}/v1/products", params=params, timeout=10),
                ),
                (
                    f"page GET /products?q={QUERY}",
                    lambda: browser.get(f"{web}/products", params={"q": QUERY}, timeout=10),
                ),
                ("API  GET /v1/orders/<id> + /routing", both_order_calls),
                (
                    "page GET /orders/<id> (20 lines)",
                    lambda: browser.get(f"{web}/orders/{order_id}", timeout=10),
                ),
            ]
            for _label, get in rows:  # warm the connections and caches
                timed(get, 5)
            for label, get in rows:
                print(f"{label:40s} {summary(timed(get, args.requests))}")


if __name__ == "__main__":
    main()
