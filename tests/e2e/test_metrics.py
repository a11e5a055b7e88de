"""Every service's `/metrics` after real traffic, with the services as gunicorn (2 workers)
and Celery worker processes sharing one PROMETHEUS_MULTIPROC_DIR, as `gachi up` runs them:
an order placed, one refused for capacity, a webhook delivered, one dead-lettered."""

import uuid
from datetime import date, timedelta

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.support import infra
from tests.support.builders import enterprise_body, product_body
from tests.support.notify_receivers import HTTPReceiver, Reply

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def platform(service_config, jwt_keys, tmp_path_factory):
    with infra.Platform(
        tmp_path_factory.mktemp("metrics"),
        service_config["REDIS_URL"],
        jwt_keys,
        services=("catalog", "orders", "notify"),
        tag="_metrics",
        # a webhook that fails once is dead at once: no beat needed to see a dead letter
        extra={"WEBHOOK_ALLOW_LOOPBACK": "1", "DELIVERY_MAX_ATTEMPTS": "1"},
    ) as running:
        yield running.urls


def scrape(url: str) -> dict[tuple[str, frozenset], float]:
    """{(sample name, labels): value} of one service's /metrics."""
    response = requests.get(f"{url}/metrics", timeout=10)  # no token: Prometheus has none
    assert response.status_code == 200, response.text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples, name: str, **labels) -> float:
    wanted = set(labels.items())
    found = [v for (n, have), v in samples.items() if n == name and wanted <= have]
    assert found, f"no {name}{labels} in {sorted(n for n, _ in samples)}"
    return sum(found)


def test_metrics_after_orders_webhooks_and_a_dead_letter(platform, token):
    catalog, orders, notify = platform["catalog"], platform["orders"], platform["notify"]
    admin = token("admin")

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
            samples = scrape(notify)
            names = {n for n, _ in samples}
            return samples if "gachi_delivery_dead_letters_total" in names else None

        delivered = infra.wait_for(notify_settled, timeout=60, what="the dead letter counted")

    # notify: one webhook sent, one dead; event tasks ran in the worker, counted on the API
    assert value(delivered, "gachi_delivery_attempts_total", channel="webhook", result="sent") == 1
    assert value(delivered, "gachi_delivery_attempts_total", channel="webhook", result="dead") == 1
    assert value(delivered, "gachi_delivery_dead_letters_total", channel="webhook") == 1
    handled = value(
        delivered,
        "gachi_celery_tasks_total",
        service="notify",
        task="notify.handle_event",
        state="SUCCESS",
    )
    assert handled >= 3  # order.placed and two supplier_order.created, at least
    assert value(
        delivered, "gachi_celery_task_duration_seconds_count", task="notify.handle_event"
    ) == value(delivered, "gachi_celery_tasks_total", task="notify.handle_event")

    # orders: per route rule (never the raw path), problem codes, capacity, outbox drained
    placed = scrape(orders)
    route = "gachi_http_request_duration_seconds_count"
    assert value(placed, route, route="/v1/orders", method="POST", status="201") == 1
    assert value(placed, route, route="/v1/orders", method="POST", status="422") == 1
    assert value(placed, route, route="/v1/orders/<order_id>", method="GET", status="404") == 1
    assert not [labels for (n, labels) in placed if n == route and ("route", "/metrics") in labels]
    assert value(placed, "gachi_problems_total", code="order_lines_invalid", status="422") == 1
    assert value(placed, "gachi_problems_total", code="order_not_found", status="404") == 1
    assert value(placed, "gachi_capacity_conflicts_total", service="orders") == 1
    drained = infra.wait_for(
        lambda: (s := scrape(orders)) and value(s, "gachi_outbox_backlog") == 0 and s,
        timeout=30,
        what="orders' outbox to drain",
    )
    assert value(drained, "gachi_outbox_lag_seconds") == 0
    assert not [n for n, labels in placed if ("service", "notify") in labels]  # its own only

    # catalog priced both orders; its outbox reports too
    priced = scrape(catalog)
    assert value(priced, route, route="/v1/pricing", method="POST", status="200") == 2
    assert ("gachi_outbox_backlog", frozenset({("service", "catalog")})) in priced
