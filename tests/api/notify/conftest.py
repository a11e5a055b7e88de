"""notify apps configured for the test at hand, on the shared (cleaned) notify database."""

from __future__ import annotations

import pytest

from gachi_kit.events import Envelope
from tests.support.notify_receivers import NHN_OK, HTTPReceiver, smtp_server

FAST = {
    "DELIVERY_BACKOFF_BASE_SECONDS": "0.05",
    "DELIVERY_BACKOFF_MAX_SECONDS": "0.2",
    "DELIVERY_MAX_ATTEMPTS": "4",
    "DELIVERY_LEASE_SECONDS": "2",
    "WEBHOOK_TIMEOUT_SECONDS": "1",
}


@pytest.fixture
def make_app(notify_app, service_config, orders_url):
    """make_app(**settings) -> a notify app on the same database as `notify_app`."""
    import notify

    made = []

    def make(**overrides):
        app = notify.create_app({**service_config, "ORDERS_URL": orders_url, **FAST, **overrides})
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["notify"].db.dispose()


@pytest.fixture
def napp(make_app):
    """notify with loopback webhooks allowed (tests' receivers live on 127.0.0.1)."""
    return make_app(WEBHOOK_ALLOW_LOOPBACK="1")


@pytest.fixture
def receiver():
    with HTTPReceiver() as server:
        yield server


@pytest.fixture(scope="session")
def smtp():
    with smtp_server() as inbox:
        yield inbox


@pytest.fixture
def sms_provider():
    with HTTPReceiver(default=NHN_OK) as provider:
        yield provider


@pytest.fixture
def make_gapp(make_app, smtp, sms_provider):
    """notify sending e-mail to the SMTP server and SMS to the provider, both on loopback."""
    smtp.messages.clear()
    smtp.envelopes.clear()

    def make(**overrides):
        return make_app(
            SMTP_HOST=smtp.host,
            SMTP_PORT=str(smtp.port),
            MAIL_FROM="같이 알림 <noti@gachi.kr>",
            SMS_PROVIDER="nhncloud",
            SMS_API_URL=sms_provider.url,
            SMS_APP_KEY="appkey-123",
            SMS_SECRET_KEY="secret-456",
            SMS_SENDER_NUMBER="02-2680-0000",
            WEBHOOK_ALLOW_LOOPBACK="1",
            **overrides,
        )

    return make


@pytest.fixture
def gapp(make_gapp):
    return make_gapp()


def deliver(app, raw):
    from notify.services.events import handle_event

    with app.app_context():
        return handle_event(app.extensions["notify"], raw)


@pytest.fixture
def feed():
    return deliver


def as_envelope(raw) -> Envelope:
    return Envelope.from_dict(raw)


@pytest.fixture
def placed(orders_app, catalog_app, notify_app, token):
    """A real order placed in orders (two enterprises); returns its supplier_order.created
    events exactly as orders' outbox holds them, by enterprise name."""
    import uuid
    from datetime import date, timedelta

    from sqlalchemy import select

    from orders.adapters.models import OutboxMessage
    from tests.support.builders import create_product, register_enterprise, register_institution

    client, admin = catalog_app.test_client(), token("admin")
    tofu = register_enterprise(client, admin, name="광명두부마을 협동조합")
    kimchi = register_enterprise(
        client, admin, name="완주 김치 마을기업", enterprise_type="village_enterprise"
    )
    snack = create_product(client, admin, tofu["id"], name="두부과자 200g", unit_price=3333)
    kimchi10 = create_product(
        client, admin, kimchi["id"], name="포기김치 10kg", unit_price=65000, tax_type="exempt"
    )
    institution = register_institution(orders_app.test_client(), admin)
    response = orders_app.test_client().post(
        "/v1/orders",
        json={
            "delivery_address": "경기도 광명시 시청로 20",
            "needed_by": (date.today() + timedelta(days=10)).isoformat(),
            "lines": [
                {"product_id": snack["id"], "quantity": 7},
                {"product_id": kimchi10["id"], "quantity": 2},
            ],
        },
        headers={
            **token("buyer", institution["id"], dept="총무과"),
            "Idempotency-Key": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 201, response.get_json()
    with orders_app.extensions["orders"].db.reading() as session:
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.type == "supplier_order.created")
        ).all()
    events = {row.data["enterprise_name"]: row.envelope().to_dict() for row in rows}
    return {"tofu": events["광명두부마을 협동조합"], "kimchi": events["완주 김치 마을기업"]}
