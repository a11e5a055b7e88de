"""PostgreSQL restarted under load (the PostgreSQL pass: DATABASE_URL_BASE set). The services
run on a cluster of the test's own (initdb + pg_ctl on a free port in a temporary folder),
never the machine's: while it is down placements answer 503 problem+json quickly, never
500; when it is back the same processes recover (pool pre-ping) and every acknowledged
order reaches its inboxes exactly once."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from tests.support import infra
from tests.support.faults import (
    FaultPlatform,
    OrderLoad,
    PrivatePostgres,
    PrivateRedis,
    acknowledged,
    check_answers,
    open_shop,
    order_body,
    placed_again,
    postgres_binaries,
    wait_delivered_once,
)

BINARIES = postgres_binaries()
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.timeout(300),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL_BASE"),
        reason="PostgreSQL pass only (DATABASE_URL_BASE unset); SQLite has no server to restart",
    ),
    pytest.mark.skipif(
        BINARIES is None, reason="no PostgreSQL server binaries in /usr/lib/postgresql/*/bin"
    ),
]
ANSWER_BOUND_SECONDS = 8.0  # the outage lasts longer; the connect timeout is 3 s


@pytest.fixture(scope="module")
def cluster():
    # not under pytest's own 0700 folder: the cluster may run as the postgres account
    folder = Path(tempfile.mkdtemp(prefix="gachi-fault-pg-"))
    postgres = PrivatePostgres(folder, BINARIES).init()
    try:
        yield postgres
    finally:
        postgres.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def platform(cluster, jwt_keys, tmp_path_factory):
    redis = PrivateRedis(tmp_path_factory.mktemp("fault-pg-redis")).start()
    running = FaultPlatform(
        tmp_path_factory.mktemp("faults-pg"),
        redis.url,
        jwt_keys,
        tag="_faults_pg",
        extra={"OUTBOX_SWEEP_SECONDS": "2"},
        database_base=cluster.base_url,
    )
    try:
        with running:
            yield running
    finally:
        redis.stop()


def test_postgres_restarted_while_orders_are_placed(platform, cluster, jwt_keys):
    shop = open_shop(platform.urls, infra.Tokens(jwt_keys[0]))
    buyer = infra.Tokens(jwt_keys[0])("buyer", shop.institution)
    with OrderLoad(platform.urls["orders"], buyer, order_body(shop)) as load:
        time.sleep(2)
        cluster.stop("fast")  # every connection is closed under the services' feet
        down_from = len(load.answers)
        time.sleep(6)
        down = load.answers[down_from:]
        cluster.start()
        time.sleep(4)
    print(f"\npostgres down for 6 s: {load.summary()}")
    print("  while down: " + ", ".join(f"{a.status}/{a.code} {a.seconds:.2f}s" for a in down[:8]))
    check_answers(load.answers, ANSWER_BOUND_SECONDS)
    refused = [a for a in down if a.status == 503]
    assert refused, "no placement was refused while the database was down"
    assert {a.code for a in refused} <= {"database_unavailable", "catalog_unavailable"}

    t0 = time.monotonic()
    again = placed_again(platform, buyer, shop)
    print(f"postgres back: placing again after {time.monotonic() - t0:.1f} s, no restart")
    placed = [*acknowledged(load.answers), *again.supplier_orders]
    wait_delivered_once(platform.config["NOTIFY_DATABASE_URL"], placed)
