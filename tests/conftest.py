"""Fixtures shared by every tier. Real Redis, real databases (SQLite or PostgreSQL)."""

from __future__ import annotations

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


def _clean(app, name):
    models = __import__(f"{name}.adapters.models", fromlist=["Base"])
    db = app.extensions[name].db
    infra.truncate_all(db, models.Base.metadata)
    if name == "catalog":  # the reference rows its migrations add, as in a new database
        from catalog.seed import ensure_categories

        with db.transaction() as session:
            ensure_categories(session)


@pytest.fixture(scope="session")
def _catalog_app(service_config):
    return _service_app("catalog", service_config)


@pytest.fixture
def catalog_app(_catalog_app):
    _clean(_catalog_app, "catalog")
    yield _catalog_app
    _clean(_catalog_app, "catalog")


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
def orders_app(_orders_app, catalog_app):
    _clean(_orders_app, "orders")
    yield _orders_app
    _clean(_orders_app, "orders")


@pytest.fixture(scope="session")
def _notify_app(service_config, orders_url):
    return _service_app("notify", {**service_config, "ORDERS_URL": orders_url})


@pytest.fixture
def notify_app(_notify_app):
    _clean(_notify_app, "notify")
    yield _notify_app
    _clean(_notify_app, "notify")
