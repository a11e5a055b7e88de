"""The back-office pages against the real APIs: catalog, orders and notify as live servers
that trust web's keys (its JWKS, served by a live web), the portal's clients pointed at
them, and people of any role signed in through the server-side session."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import pytest

from tests.support import infra

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Stack:
    catalog: object
    orders: object
    notify: object
    urls: dict[str, str]


def _started(name, config):
    module = __import__(name)
    app = module.create_app(config)
    server = infra.live_server(app)
    return app, server.__enter__(), server


@pytest.fixture(scope="session")
def backoffice_stack(_web_app, service_config):
    """One catalog, orders and notify trusting the live web's JWKS, for the whole session."""
    from web.portal.api import init_clients

    servers = []
    with infra.live_server(_web_app) as web_url:
        config = {**service_config, "WEB_URL": web_url, "WEBHOOK_ALLOW_LOOPBACK": "1"}
        try:
            catalog, catalog_url, server = _started("catalog", config)
            servers.append(server)
            orders, orders_url, server = _started("orders", {**config, "CATALOG_URL": catalog_url})
            servers.append(server)
            notify, notify_url, server = _started("notify", {**config, "ORDERS_URL": orders_url})
            servers.append(server)
            urls = {"catalog": catalog_url, "orders": orders_url, "notify": notify_url}
            _web_app.config.update({f"{k.upper()}_URL": v for k, v in urls.items()})
            init_clients(_web_app)
            yield Stack(catalog, orders, notify, urls)
        finally:
            for server in reversed(servers):
                server.__exit__(None, None, None)


@pytest.fixture
def stack(backoffice_stack, catalog_app, orders_app, notify_app, web_app):
    """Clean databases on every service (the shared fixtures empty them) for one test."""
    return backoffice_stack


@pytest.fixture
def api(stack):
    """Test clients of the three services (the same databases the live servers use)."""
    return {
        "catalog": stack.catalog.test_client(),
        "orders": stack.orders.test_client(),
        "notify": stack.notify.test_client(),
    }


@pytest.fixture
def people(web_app, stack):
    """people(role, org_id, org_name, sub=..., chair=...) -> a signed-in test client."""
    from web.identity.models import Membership, Organisation, Person

    w = web_app.extensions["web"]

    def add(role, org_id=None, org_name=None, *, sub=None, chair=False, name="김순자"):
        sub = sub or f"{role}-{org_id or 'platform'}"
        with w.db.transaction() as session:
            if org_id and session.get(Organisation, org_id) is None:
                kind = {"enterprise": "enterprise", "committee": "brand"}.get(role, "institution")
                session.add(Organisation(id=org_id, kind=kind, name=org_name or org_id))
            person = Person(
                sub=sub,
                email=f"{sub}@gachi.example".lower(),
                name=name,
                status="active",
                totp_enabled_at=time_now(),  # chairs and admins need a second factor
            )
            session.add(person)
            session.flush()
            membership = Membership(
                person_id=person.id, role=role, org_id=org_id, dept=None, chair=chair
            )
            session.add(membership)
            session.flush()
            ids = (person.id, membership.id)
        client = web_app.test_client()
        with client.session_transaction() as browser:
            browser["person_id"], browser["membership_id"] = ids
            browser["signed_in_at"] = time.time()
        return client

    return add


def time_now():
    from gachi_kit.events import utcnow

    return utcnow()


def csrf_of(response) -> str:
    found = CSRF.search(response.get_data(as_text=True))
    assert found, "the page has no CSRF token"
    return found.group(1)


def post_form(client, path, data, *, page, files=None):
    """Open `page` (for its CSRF token), then post the form to `path`."""
    token = csrf_of(client.get(page))
    body = {**data, "csrf_token": token, **(files or {})}
    return client.post(path, data=body, content_type="multipart/form-data" if files else None)


def text_of(response) -> str:
    return response.get_data(as_text=True)
