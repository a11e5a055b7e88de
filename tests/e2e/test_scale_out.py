"""Two of everything on PostgreSQL: two gunicorn instances of each API (buyers spread over
both orders instances, each calling its own catalog instance) and two Celery workers per
queue. Nothing is lost or duplicated — every placed supplier order reaches its enterprise's
inbox exactly once — and two writers never oversell a product group's weekly capacity. Two
outbox relays in separate processes sweeping the same rows publish each row exactly once
(SELECT … FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta

import pytest
import redis
import requests
from sqlalchemy import create_engine, func, insert, select, text

from tests.support import infra
from tests.support.builders import enterprise_body, keyed, product_body
from tests.support.catalog_builders import certification_body
from tests.support.queued import events_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL_BASE"),
        reason="two writers need PostgreSQL: SQLite serialises every writer (BEGIN IMMEDIATE)"
        " and has no SKIP LOCKED",
    ),
]

NEEDED_BY = (date.today() + timedelta(days=14)).isoformat()
GROUP = "SCALE-CONTENDED"
CAPACITY_EACH = 50  # two suppliers: 100 units a week in all
CONTENDED_ORDERS = 14  # 10 units each: 140 wanted, at most 10 orders fit
PLAIN_ORDERS = 10


@pytest.fixture(scope="module")
def platform(service_config, jwt_keys, tmp_path_factory):
    running = infra.Platform(
        tmp_path_factory.mktemp("scale"),
        service_config["REDIS_URL"],
        jwt_keys,
        tag="_scale",
        instances=2,
        workers=2,
    )
    try:
        running.start(timeout=120)
        yield running
    finally:
        running.stop()


def seed(urls, token):
    admin = token("admin")

    def post(url, body):
        response = requests.post(url, json=body, headers=admin, timeout=30)
        assert response.status_code == 201, response.text
        return response.json()

    enterprises = []
    for i, name in enumerate(["광명두부마을 협동조합", "완주 김치 마을기업", "전주 자활 비누공방"]):
        e = post(f"{urls['catalog']}/v1/enterprises", enterprise_body(name=name))
        post(
            f"{urls['catalog']}/v1/enterprises/{e['id']}/certifications",
            certification_body(f"S-{i:03d}"),
        )
        enterprises.append(e["id"])
    post(
        f"{urls['catalog']}/v1/product-groups",
        {"code": GROUP, "name": "포기김치 10kg", "unit": "개"},
    )
    for k, enterprise in enumerate(enterprises[:2]):
        post(
            f"{urls['catalog']}/v1/products",
            product_body(
                enterprise,
                name=f"포기김치 10kg ({k})",
                unit="개",
                unit_price=65000,
                group_code=GROUP,
                lead_time_days=2,
                weekly_capacity=CAPACITY_EACH,
            ),
        )
    plain = [
        post(f"{urls['catalog']}/v1/products", product_body(e, name=f"두부과자 {i}"))["id"]
        for i, e in enumerate(enterprises)
    ]
    city = post(
        f"{urls['orders']}/v1/institutions",
        {
            "name": "광명시청",
            "kind": "지자체",
            "sido_code": "41",
            "sigungu_code": "41210",
            "departments": ["총무과"],
        },
    )
    return enterprises, plain, city["id"]


def test_two_instances_and_two_workers_lose_nothing_duplicate_nothing_oversell_nothing(
    platform, token
):
    enterprises, plain, institution = seed(platform.urls, token)
    buyer = token("buyer", institution, dept="총무과")
    orders_urls = platform.instance_urls["orders"]
    assert len(orders_urls) == 2

    def contended(n: int) -> int:  # plain and contended orders interleaved, then contended
        return n % 2 if n < 2 * PLAIN_ORDERS else 1

    def place(n: int):
        lines = (
            [{"group_code": GROUP, "quantity": 10}]
            if contended(n)
            else [{"product_id": p, "quantity": 1 + n} for p in plain]
        )
        response = requests.post(
            f"{orders_urls[n % 4 // 2]}/v1/orders",  # both instances, both kinds of order
            json={
                "delivery_address": "경기도 광명시 시청로 20",
                "delivery_sigungu_code": "41210",
                "needed_by": NEEDED_BY,
                "lines": lines,
            },
            headers=keyed(buyer),
            timeout=60,
        )
        return n, response.status_code, response.json()

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(place, range(CONTENDED_ORDERS + PLAIN_ORDERS)))

    statuses = Counter((contended(n), status) for n, status, _ in answers)
    assert statuses[(0, 201)] == PLAIN_ORDERS, statuses
    assert set(statuses) <= {(0, 201), (1, 201), (1, 422)}, answers
    contended_placed = statuses[(1, 201)]
    assert 0 < contended_placed <= 10

    engine = create_engine(platform.config["ORDERS_DATABASE_URL"])
    with engine.connect() as conn:
        reserved, capacity = conn.execute(
            text(
                "SELECT SUM(reserved), SUM(capacity) FROM capacity_week WHERE product_id IN "
                "(SELECT DISTINCT sol.product_id FROM supplier_order_line sol JOIN order_line ol"
                " ON ol.id = sol.order_line_id WHERE ol.group_code = :group)"
            ),
            {"group": GROUP},
        ).one()
    engine.dispose()
    assert reserved == contended_placed * 10  # the ledger agrees with what was accepted
    assert reserved <= capacity == 2 * CAPACITY_EACH  # nothing oversold

    expected = {
        (so["enterprise_id"], so["id"])
        for _, status, body in answers
        if status == 201
        for so in body["supplier_orders"]
    }

    def inbox_items():
        return infra.supplier_orders_in_inboxes(
            platform.instance_urls["notify"], enterprises, token
        )

    seen = infra.wait_for(
        lambda: (found := inbox_items()) and set(found) >= expected and found,
        timeout=120,
        interval=1.0,
        what="every supplier order in its enterprise's inbox",
    )
    time.sleep(2)  # a duplicate delivered by the second worker would land by now
    seen = inbox_items()
    assert set(seen) == expected
    assert {key: n for key, n in seen.items() if n > 1} == {}


RELAY = """
import sys, time
from orders import create_app
outbox = create_app().extensions["orders"].outbox
start_at = float(sys.argv[1])
time.sleep(max(0.0, start_at - time.time()))
sent = 0
while n := outbox.publish(limit=25):
    sent += n
print(sent)
"""


def test_two_relay_processes_publish_each_outbox_row_exactly_once(
    service_config, tmp_path, redis_url
):
    from orders.adapters.models import OutboxMessage

    database = infra.database_url("orders", tmp_path, "_relay")
    # a Redis database of its own with no consumer: every published task stays countable
    base, _sep, db = redis_url.rpartition("/")
    broker = f"{base}/{(int(db or 0) + 3) % 16}"  # Redis has databases 0-15
    redis.Redis.from_url(broker).flushdb()
    rows = 1200
    engine = create_engine(database)
    with engine.begin() as conn:
        conn.execute(
            insert(OutboxMessage),
            [
                {
                    "id": f"01SCALE{i:019d}",
                    "type": "order.placed",
                    "version": 1,
                    "source": "orders",
                    "occurred_at": datetime.now().astimezone(),
                    "data": {"order_id": f"주문-{i}"},
                    "publish_attempts": 0,
                }
                for i in range(rows)
            ],
        )
    env = infra.service_env(
        service_config,
        ORDERS_DATABASE_URL=database,
        REDIS_URL=broker,
        CELERY_BROKER_URL=broker,
        LOG_LEVEL="WARNING",
    )
    start_at = f"{time.time() + 8:.3f}"  # both importing done: they sweep at the same moment
    relays = [
        subprocess.Popen(
            [sys.executable, "-c", RELAY, start_at],
            env=env,
            cwd=infra.REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [relay.communicate(timeout=120) for relay in relays]
    assert all(relay.returncode == 0 for relay in relays), outputs
    sent = [int(out.strip().splitlines()[-1]) for out, _ in outputs]

    with engine.connect() as conn:
        attempts = Counter(conn.scalars(select(OutboxMessage.publish_attempts)))
        unpublished = conn.scalar(select(func.count()).where(OutboxMessage.published_at.is_(None)))
    engine.dispose()
    # order.* goes to notify only; rows the sweep finds travel up to 50 to a message
    messages = redis.Redis.from_url(broker).lrange("notify", 0, -1)
    queued = Counter(event["id"] for raw in messages for event in events_in(raw))
    assert sum(sent) == rows, sent  # between them, every row once
    assert attempts == {1: rows}  # no row was taken by both relays
    assert unpublished == 0
    assert len(queued) == rows and set(queued.values()) == {1}  # each event in one message
