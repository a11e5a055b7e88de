"""What an operator relies on, against the services as gunicorn (2 workers) and Celery
worker processes sharing one PROMETHEUS_MULTIPROC_DIR, as `gachi up` runs them:

- one trace from placing an order to the e-mail about it, across every process;
- every service's `/metrics` after real traffic (an order placed, one refused for capacity,
  a webhook delivered, one dead-lettered);
- `gachi backup` of the live platform, `gachi restore` into a fresh data folder, the same
  orders, listings and deliveries there, and the queued Redis data; on PostgreSQL, the
  pg_dump / pg_restore commands of docs/operations.md instead.
"""

import subprocess
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
import redis
import requests
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from gachi_cli import embedded_redis
from gachi_cli.cli import main
from tests.support import infra
from tests.support.builders import enterprise_body, product_body
from tests.support.catalog_builders import brand_body
from tests.support.notify_receivers import HTTPReceiver, Reply
from tests.support.operations import exported_spans, rows, scrape, value

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def collector():
    """Stands in for an OpenTelemetry collector: takes OTLP/HTTP exports, answers 200."""
    with HTTPReceiver(Reply(200)) as receiver:
        yield receiver


@pytest.fixture(scope="module")
def platform(service_config, jwt_keys, tmp_path_factory, collector):
    # no tasks left queued by earlier tests: the counts below are this platform's own
    redis.Redis.from_url(service_config["REDIS_URL"]).flushdb()
    with infra.Platform(
        tmp_path_factory.mktemp("metrics"),
        service_config["REDIS_URL"],
        jwt_keys,
        services=infra.SERVICES,  # web included
        tag="_metrics",
        # a webhook that fails once is dead at once: no beat needed to see a dead letter
        extra={
            "WEBHOOK_ALLOW_LOOPBACK": "1",
            "DELIVERY_MAX_ATTEMPTS": "1",
            # tracing is configured by the standard variables only
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": f"{collector.url}/v1/traces",
            "OTEL_BSP_SCHEDULE_DELAY": "200",
        },
    ) as running:
        yield running


def test_placing_an_order_is_one_trace_from_orders_to_the_email(platform, token, collector):
    catalog, orders = platform.urls["catalog"], platform.urls["orders"]
    admin = token("admin")
    maker = requests.post(
        f"{catalog}/v1/enterprises", json=enterprise_body(name="광명 로컬 두부"), headers=admin
    ).json()
    tofu = requests.post(
        f"{catalog}/v1/products", json=product_body(maker["id"], name="모두부"), headers=admin
    ).json()
    city = requests.post(
        f"{orders}/v1/institutions",
        json={"name": "광명시청", "kind": "지자체", "sido_code": "41", "sigungu_code": "41210"},
        headers=admin,
    ).json()
    placed = requests.post(
        f"{orders}/v1/orders",
        json={
            "delivery_address": "경기도 광명시 시청로 20",
            "needed_by": (date.today() + timedelta(days=14)).isoformat(),
            "lines": [{"product_id": tofu["id"], "quantity": 7}],
        },
        headers={
            **token("buyer", city["id"]),
            "Idempotency-Key": str(uuid.uuid4()),
            "X-Request-ID": "trace-order-1",
        },
        timeout=30,
    )
    assert placed.status_code == 201, placed.text

    def the_trace():
        spans = exported_spans(collector)
        roots = [
            span
            for service, span in spans
            if service == "orders"
            and any(
                a.key == "gachi.correlation_id" and a.value.string_value == "trace-order-1"
                for a in span.attributes
            )
        ]
        if not roots:
            return None
        trace_id = roots[0].trace_id
        return {(service, span.name) for service, span in spans if span.trace_id == trace_id}

    wanted = {
        ("orders", "POST /v1/orders"),  # the request, by its route
        ("catalog", "POST /v1/pricing"),  # orders -> catalog over HTTP
        # the outbox relay: the order's events, one commit, in one message
        ("orders", "apply_async/notify.handle_events"),
        ("notify", "run/notify.handle_events"),  # the consumer
        ("notify", "run/notify.send_delivery"),  # the e-mail
    }
    # Each process exports its spans in its own batches, so the e-mail's span
    # may arrive before the event handler's: wait for every one of them.
    seen = {}

    def every_span():
        seen["spans"] = the_trace() or set()
        return wanted <= seen["spans"]

    try:
        infra.wait_for(every_span, timeout=60, what="the order's spans, e-mail included")
    except AssertionError as timed_out:
        missing = sorted(wanted - seen["spans"])
        raise AssertionError(f"spans never exported: {missing}") from timed_out


def test_metrics_after_orders_webhooks_and_a_dead_letter(platform, token):
    catalog, orders, notify = (platform.urls[s] for s in ("catalog", "orders", "notify"))
    admin = token("admin")
    earlier = {url: scrape(url) for url in (catalog, orders, notify)}  # other tests' traffic

    def post(url, body, headers, status=201):
        response = requests.post(url, json=body, headers=headers, timeout=30)
        assert response.status_code == status, response.text
        return response.json()

    tofu = post(f"{catalog}/v1/enterprises", enterprise_body(name="광명두부마을 협동조합"), admin)
    soap = post(f"{catalog}/v1/enterprises", enterprise_body(name="전주 자활 비누"), admin)
    snack = post(f"{catalog}/v1/products", product_body(tofu["id"], name="두부과자"), admin)
    bar = post(
        f"{catalog}/v1/products",
        product_body(soap["id"], name="천연 비누", weekly_capacity=10),
        admin,
    )
    city = post(
        f"{orders}/v1/institutions",
        {"name": "광명시청", "kind": "지자체", "sido_code": "41", "sigungu_code": "41210"},
        admin,
    )
    with HTTPReceiver(Reply(200)) as ok, HTTPReceiver(Reply(500)) as broken:
        for enterprise, receiver in ((tofu, ok), (soap, broken)):
            post(
                f"{notify}/v1/subscriptions",
                {
                    "channel": "webhook",
                    "address": receiver.url,
                    "event_types": ["supplier_order.created"],
                },
                token("enterprise", enterprise["id"]),
            )
        buyer = {**token("buyer", city["id"]), "X-Request-ID": "metrics-order"}

        def place(lines, status):
            order = {
                "delivery_address": "경기도 광명시 시청로 20",
                "needed_by": (date.today() + timedelta(days=14)).isoformat(),
                "lines": lines,
            }
            keyed = {**buyer, "Idempotency-Key": str(uuid.uuid4())}
            return post(f"{orders}/v1/orders", order, keyed, status)

        place(
            [{"product_id": snack["id"], "quantity": 5}, {"product_id": bar["id"], "quantity": 3}],
            201,
        )
        refused = place([{"product_id": bar["id"], "quantity": 50}], 422)
        assert refused["code"] == "order_lines_invalid"
        missing = requests.get(f"{orders}/v1/orders/{'0' * 26}", headers=buyer, timeout=10)
        assert missing.status_code == 404

        infra.wait_for(lambda: ok.requests and broken.requests, timeout=60, what="both webhooks")

        def notify_settled():
            # both outcomes counted: the two webhooks settle in either order
            samples = scrape(notify)
            dead = any(n == "gachi_delivery_dead_letters_total" for n, _ in samples)
            sent = any(
                n == "gachi_delivery_attempts_total" and ("result", "sent") in labels
                for n, labels in samples
            )
            return samples if dead and sent else None

        delivered = infra.wait_for(
            notify_settled, timeout=60, what="the sent webhook and the dead letter counted"
        )

    # notify: one webhook sent, one dead; event tasks ran in the worker, counted on the API
    assert value(delivered, "gachi_delivery_attempts_total", channel="webhook", result="sent") == 1
    assert value(delivered, "gachi_delivery_attempts_total", channel="webhook", result="dead") == 1
    assert value(delivered, "gachi_delivery_dead_letters_total", channel="webhook") == 1
    handled = value(
        delivered,
        "gachi_celery_tasks_total",
        before=earlier[notify],
        service="notify",
        task="notify.handle_events",
        state="SUCCESS",
    )
    assert handled >= 1  # order.placed and two supplier_order.created: one commit, one message
    for task in ("notify.handle_event", "notify.handle_events"):
        assert value(delivered, "gachi_celery_task_duration_seconds_count", task=task) == value(
            delivered, "gachi_celery_tasks_total", task=task
        )

    # orders: per route rule (never the raw path), problem codes, capacity, outbox drained
    placed = scrape(orders)
    route = "gachi_http_request_duration_seconds_count"
    assert (
        value(
            placed, route, before=earlier[orders], route="/v1/orders", method="POST", status="201"
        )
        == 1
    )
    assert (
        value(
            placed, route, before=earlier[orders], route="/v1/orders", method="POST", status="422"
        )
        == 1
    )
    assert (
        value(
            placed,
            route,
            before=earlier[orders],
            route="/v1/orders/<order_id>",
            method="GET",
            status="404",
        )
        == 1
    )
    assert not [labels for (n, labels) in placed if n == route and ("route", "/metrics") in labels]
    assert (
        value(
            placed,
            "gachi_problems_total",
            before=earlier[orders],
            code="order_lines_invalid",
            status="422",
        )
        == 1
    )
    assert (
        value(
            placed,
            "gachi_problems_total",
            before=earlier[orders],
            code="order_not_found",
            status="404",
        )
        == 1
    )
    assert value(placed, "gachi_capacity_conflicts_total", before=earlier[orders]) == 1
    drained = infra.wait_for(
        lambda: (s := scrape(orders)) and value(s, "gachi_outbox_backlog") == 0 and s,
        timeout=30,
        what="orders' outbox to drain",
    )
    assert value(drained, "gachi_outbox_lag_seconds") == 0
    assert not [n for n, labels in placed if ("service", "notify") in labels]  # its own only

    # web (the portal) is measured like every API
    assert requests.get(f"{platform.urls['web']}/.well-known/jwks.json", timeout=10).ok
    portal = scrape(platform.urls["web"])
    assert value(portal, route, route="/.well-known/jwks.json", method="GET", status="200") >= 1
    assert ("gachi_outbox_backlog", frozenset({("service", "web")})) in portal

    # catalog priced both orders; its outbox reports too
    priced = scrape(catalog)
    assert (
        value(
            priced, route, before=earlier[catalog], route="/v1/pricing", method="POST", status="200"
        )
        == 2
    )
    assert ("gachi_outbox_backlog", frozenset({("service", "catalog")})) in priced


def test_backup_of_the_live_platform_restores_into_a_fresh_folder(platform, token, tmp_path):
    if platform.config["ORDERS_DATABASE_URL"].startswith("postgresql"):
        pytest.skip("PostgreSQL is backed up with pg_dump (the next test)")
    catalog, orders = platform.urls["catalog"], platform.urls["orders"]
    admin = token("admin")

    def call(method, url, body, headers, status):
        response = requests.request(method, url, json=body, headers=headers, timeout=30)
        assert response.status_code == status, response.text
        return response.json()

    call("POST", f"{catalog}/v1/brands", brand_body(code="BACKUP", name="백업브랜드"), admin, 201)
    maker = call(
        "POST", f"{catalog}/v1/enterprises", enterprise_body(name="완주 로컬푸드"), admin, 201
    )
    jam = call(
        "POST", f"{catalog}/v1/products", product_body(maker["id"], name="딸기잼"), admin, 201
    )
    call("PUT", f"{catalog}/v1/brands/BACKUP/listings/{jam['id']}", {}, admin, 200)
    city = call(
        "POST",
        f"{orders}/v1/institutions",
        {"name": "완주군청", "kind": "지자체", "sido_code": "52", "sigungu_code": "52710"},
        admin,
        201,
    )
    order = call(
        "POST",
        f"{orders}/v1/orders",
        {
            "delivery_address": "전북 완주군 삼례읍 삼례로 443",
            "needed_by": (date.today() + timedelta(days=14)).isoformat(),
            "lines": [{"product_id": jam["id"], "quantity": 12}],
        },
        {**token("buyer", city["id"]), "Idempotency-Key": str(uuid.uuid4())},
        201,
    )
    buyer_inbox = f"{platform.urls['notify']}/v1/inbox"

    def settled():  # the order reached notify, and no delivery is still in flight
        items = requests.get(buyer_inbox, headers=token("buyer", city["id"]), timeout=10).json()
        in_flight = [
            row
            for row in rows(platform.config["NOTIFY_DATABASE_URL"], "delivery").values()
            if "pending" in row or "sending" in row
        ]
        return items["items"] and not in_flight

    infra.wait_for(settled, timeout=60, what="notify to settle the order's deliveries")

    data = Path(platform.config["GACHI_DATA_DIR"])
    port = infra.free_port()
    broker = embedded_redis.start(data / "redis", port)  # the embedded default's AOF
    try:
        redis.Redis(port=port).set("gachi:queued", "주문 알림")
    finally:
        broker.terminate()
        broker.wait(timeout=10)

    env = {k: v for k, v in platform.config.items() if k.endswith("_DATABASE_URL")}
    saved, fresh = tmp_path / "backup", tmp_path / "restored"
    runner = CliRunner()
    made = runner.invoke(
        main, ["backup", "--out", str(saved)], env={**env, "GACHI_DATA_DIR": str(data)}
    )
    assert made.exit_code == 0, made.output
    back = runner.invoke(main, ["restore", str(saved), "--data", str(fresh)])
    assert back.exit_code == 0, back.output
    assert "orders" in back.output

    for service, tables in {
        "catalog": ("enterprise", "product", "brand_listing", "brand"),
        "orders": ("purchase_order", "supplier_order", "order_line", "institution"),
        "notify": ("delivery", "inbox_item", "inbound_event"),
    }.items():
        live_url = platform.config[f"{service.upper()}_DATABASE_URL"]
        restored_url = f"sqlite:///{fresh / (service + '.db')}"
        for table in tables:
            live, restored = rows(live_url, table), rows(restored_url, table)
            assert restored and restored.keys() == live.keys(), f"{service}.{table}"
            for key in sorted(live)[:: max(1, len(live) // 5)]:  # a sample of whole rows
                assert restored[key] == live[key], f"{service}.{table} {key}"
    assert order["id"] in rows(f"sqlite:///{fresh / 'orders.db'}", "purchase_order")
    listings = rows(f"sqlite:///{fresh / 'catalog.db'}", "brand_listing")
    assert any(jam["id"] in row for row in listings.values())

    port = infra.free_port()
    restored_broker = embedded_redis.start(fresh / "redis", port)
    try:
        assert redis.Redis(port=port).get("gachi:queued").decode() == "주문 알림"
    finally:
        restored_broker.terminate()
        restored_broker.wait(timeout=10)

    again = runner.invoke(main, ["restore", str(saved), "--data", str(fresh)])
    assert again.exit_code != 0 and "not empty" in again.output  # never over live files


def test_postgresql_databases_round_trip_through_pg_dump_and_pg_restore(platform):
    """The commands docs/operations.md gives for PostgreSQL, run once (CI's PostgreSQL pass)."""
    if not platform.config["ORDERS_DATABASE_URL"].startswith("postgresql"):
        pytest.skip("the embedded default is backed up with gachi backup")
    from sqlalchemy import create_engine, inspect, text

    def counts(engine_url) -> dict[str, int]:
        engine = create_engine(engine_url)
        with engine.connect() as connection:
            tables = inspect(connection).get_table_names()
            found = {
                t: connection.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables
            }
        engine.dispose()
        return found

    for service in platform.services:
        url = make_url(platform.config[f"{service.upper()}_DATABASE_URL"])
        libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
        copy_name = f"{url.database}_restored"
        copy = url.set(database=copy_name)
        dump = platform.folder / f"{service}.dump"
        before = counts(url)  # the workers may still be writing: the dump lies in between
        subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", libpq], check=True)
        after = counts(url)
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{copy_name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{copy_name}"'))
        target = copy.set(drivername="postgresql").render_as_string(hide_password=False)
        subprocess.run(["pg_restore", "--no-owner", f"--dbname={target}", str(dump)], check=True)

        restored = counts(copy)
        assert restored.keys() == before.keys() and sum(restored.values()) > 0, service
        for table, rows_ in restored.items():
            assert before[table] <= rows_ <= after[table], f"{service}.{table}"
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{copy_name}" WITH (FORCE)'))
        admin.dispose()
