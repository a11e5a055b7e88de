"""Fixtures shared by every tier. Real Redis, real databases (SQLite or PostgreSQL)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

from gachi_kit.auth import generate_keypair, issue_token
from tests.support import infra
from tests.support.portal_fixtures import portal  # noqa: F401 (one seeded platform for the portal's page and browser tests)


@pytest.fixture(scope="session")
def infra_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("infra")


@pytest.fixture(scope="session")
def redis_url(infra_dir):
    with infra.redis_server(infra_dir / "redis") as url:
        yield url


@pytest.fixture
def redis_client(redis_url):
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    return client


@pytest.fixture(scope="session")
def jwt_keys():
    return generate_keypair()


@pytest.fixture(scope="session")
def db_urls(infra_dir):
    return {service: infra.database_url(service, infra_dir) for service in infra.SERVICES}


@pytest.fixture(scope="session")
def service_config(redis_url, jwt_keys, db_urls, infra_dir):
    private, public = jwt_keys
    return {
        "GACHI_DATA_DIR": str(infra_dir / "data"),
        "REDIS_URL": redis_url,
        "JWT_PUBLIC_KEY": public,
        "JWT_PRIVATE_KEY": private,
        "CATALOG_DATABASE_URL": db_urls["catalog"],
        "ORDERS_DATABASE_URL": db_urls["orders"],
        "NOTIFY_DATABASE_URL": db_urls["notify"],
        "WEB_DATABASE_URL": db_urls["web"],
        "LOG_LEVEL": "WARNING",
        **infra.UNLIMITED,
    }


@pytest.fixture
def token(jwt_keys):
    """token(role, org=..., dept=..., aud=...) -> Authorization headers."""

    def make(role, org=None, *, sub=None, dept=None, aud=("catalog", "orders", "notify"), **kw):
        jwt = issue_token(
            jwt_keys[0],
            sub=sub or f"{role}-user",
            role=role,
            org=org,
            dept=dept,
            audience=list(aud),
            **kw,
        )
        return {"Authorization": f"Bearer {jwt}"}

    return make


def _service_app(name, config):
    module = __import__(name)
    return module.create_app(config)


# Tests that need committed rows: other connections must see them (worker processes, live
# servers of a second app on the same database, as the back-office pages use, threads racing
# each other).
NEEDS_COMMITS = ("make_app", "napp", "backoffice_stack")
API_TESTS = Path(__file__).parent / "api"


def _needs_commits(request) -> bool:
    return (
        request.node.get_closest_marker("committed") is not None
        or API_TESTS not in Path(str(request.node.path)).parents
        or any(name in request.fixturenames for name in NEEDS_COMMITS)
    )


@contextmanager
def _isolated(request, app, name):
    """API tests run inside a transaction rolled back at the end (each use case's own
    transaction becomes a savepoint); the rest commit for real and empty every table."""
    if _needs_commits(request):
        infra.as_new(app, name)
        yield app
        infra.as_new(app, name)
    else:
        # A committing test before this one may have left events with the process's
        # background publisher, whose thread would mark them published through the shared
        # rolled-back connection while this test is inside a savepoint on it ("no such
        # savepoint" on SQLite, seen once in CI). Let it finish first.
        outbox = getattr(app.extensions[name], "outbox", None)
        if outbox is not None:
            assert outbox.publisher.flush(), "the outbox publisher did not finish"
        with app.extensions[name].db.rolled_back():
            yield app


@pytest.fixture(scope="session")
def _catalog_app(service_config):
    return _service_app("catalog", service_config)


@pytest.fixture
def catalog_app(request, _catalog_app):
    with _isolated(request, _catalog_app, "catalog") as app:
        yield app


@pytest.fixture(scope="session")
def catalog_url(_catalog_app):
    with infra.live_server(_catalog_app) as url:
        yield url


@pytest.fixture(scope="session")
def _orders_app(service_config, catalog_url):
    return _service_app("orders", {**service_config, "CATALOG_URL": catalog_url})


@pytest.fixture(scope="session")
def orders_url(_orders_app):
    with infra.live_server(_orders_app) as url:
        yield url


@pytest.fixture
def orders_app(request, _orders_app, catalog_app):
    with _isolated(request, _orders_app, "orders") as app:
        yield app


@pytest.fixture(scope="session")
def _notify_app(service_config, orders_url):
    return _service_app("notify", {**service_config, "ORDERS_URL": orders_url})


@pytest.fixture
def notify_app(request, _notify_app):
    with _isolated(request, _notify_app, "notify") as app:
        yield app
