"""Fixtures of the portal's page and browser tests (imported by their conftest files)."""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
import redis

from tests.support import infra
from tests.support.portal import portal_platform, sign_in


@contextmanager
def own_redis(folder):
    """A Redis of the portal's own: its services publish events no Celery worker here
    consumes, and they must not reach the workers later tests start on the suite's Redis.
    With TEST_REDIS_URL (CI), the next database number on that server."""
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        with infra.redis_server(folder) as embedded:
            yield embedded
        return
    base, _sep, db = url.rpartition("/")
    own = f"{base}/{(int(db or 0) + 1) % 16}"
    redis.Redis.from_url(own).flushdb()
    yield own
    redis.Redis.from_url(own).flushdb()


@pytest.fixture(scope="session")
def portal(infra_dir, jwt_keys):
    folder = infra_dir / "portal"
    folder.mkdir(exist_ok=True)
    with (
        own_redis(folder / "redis") as redis_url,
        portal_platform(folder, redis_url, jwt_keys) as platform,
    ):
        yield platform


@pytest.fixture(scope="session")
def portal_app(portal):
    return portal.web_app


@pytest.fixture
def client(portal_app):
    return portal_app.test_client()


@pytest.fixture
def buyer(portal_app):
    """정구매, a purchase officer of 광명시청 총무과, signed in."""
    return sign_in(portal_app.test_client())
