"""web apps on the shared (cleaned) web database, with the demo people seeded."""

from __future__ import annotations

import re

import pytest

from tests.support import infra


@pytest.fixture(scope="session")
def _web_app(service_config):
    import web

    return web.create_app(service_config)


def clean_web(app) -> None:
    from web.identity.models import Base

    infra.truncate_all(app.extensions["web"].db, Base.metadata)


@pytest.fixture
def web_app(_web_app, redis_client):
    """Empty tables and no sessions (redis_client flushes the test Redis)."""
    clean_web(_web_app)
    yield _web_app
    clean_web(_web_app)


@pytest.fixture
def w(web_app):
    return web_app.extensions["web"]


@pytest.fixture
def demo(web_app, w):
    """The demo people (web.seed), as `make up` loads them."""
    from web import seed

    with web_app.app_context():
        seed.run(w)
    return seed


@pytest.fixture
def make_web_app(web_app, service_config):
    """make_web_app(**settings) -> a web app on the same database, with other settings."""
    import web

    made = []

    def make(**overrides):
        app = web.create_app({**service_config, **overrides})
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["web"].db.dispose()


CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_of(response) -> str:
    found = CSRF.search(response.get_data(as_text=True))
    assert found, "the page has no CSRF token"
    return found.group(1)


def post_form(client, path, data, *, page=None):
    """Open the form page (for its CSRF token), then post it."""
    token = csrf_of(client.get(page or path))
    return client.post(path, data={**data, "csrf_token": token})


def sign_in(client, email, password):
    return post_form(client, "/sign-in", {"email": email, "password": password})


def sent_events(w, event_type: str) -> list[dict]:
    """What web recorded in its outbox for notify, oldest first."""
    from sqlalchemy import select

    from web.identity.models import OutboxMessage

    with w.db.reading() as session:
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.type == event_type).order_by(OutboxMessage.id)
        )
        return [row.envelope().to_dict() for row in rows]


def link_path(event: dict) -> str:
    """The path of the link an e-mail event carries (its host is WEB_PUBLIC_URL)."""
    from urllib.parse import urlsplit

    return urlsplit(event["data"]["url"]).path


def signed_in_as(web_app, email, password, code=None):
    """A test client signed in (with the second factor when `code` is given)."""
    client = web_app.test_client()
    response = sign_in(client, email, password)
    if code is not None:
        assert response.headers["Location"].startswith("/sign-in/code")
        response = post_form(client, "/sign-in/code", {"code": code})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client
