"""The back-office pages against the real APIs: catalog, orders and notify as live servers
that trust web's keys (its JWKS, served by a live web), the portal's clients pointed at
them, and people of any role signed in through the server-side session."""

from __future__ import annotations

import re
import time
from contextlib import ExitStack
from dataclasses import dataclass

import pytest

from tests.support import infra

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Stack:
    catalog: object
    orders: object
    notify: object
    web: object
    urls: dict[str, str]


@pytest.fixture(scope="session")
def backoffice_stack(service_config):
    """catalog, orders and notify trusting web's JWKS, and a web whose portal calls them:
    live servers on the shared test databases, for the whole session."""
    import catalog
    import notify
    import orders
    import web

    web_port = infra.free_port()
    config = {
        **service_config,
        "WEB_URL": f"http://127.0.0.1:{web_port}",
        "WEBHOOK_ALLOW_LOOPBACK": "1",
    }
    with ExitStack() as running:
        apps, urls = {}, {}
        for name, module, needs in (
            ("catalog", catalog, {}),
            ("orders", orders, {"CATALOG_URL": "catalog"}),
            ("notify", notify, {"ORDERS_URL": "orders"}),
        ):
            apps[name] = module.create_app({**config, **{k: urls[v] for k, v in needs.items()}})
            urls[name] = running.enter_context(infra.live_server(apps[name]))
        apps["web"] = web.create_app({**config, **{f"{k.upper()}_URL": v for k, v in urls.items()}})
        urls["web"] = running.enter_context(infra.live_server(apps["web"], web_port))
        yield Stack(apps["catalog"], apps["orders"], apps["notify"], apps["web"], urls)


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

    w = stack.web.extensions["web"]

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
        client = stack.web.test_client()
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
