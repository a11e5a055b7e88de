"""Fixtures of the portal's page and browser tests (imported by their conftest files)."""

from __future__ import annotations

import pytest

from tests.support.portal import portal_platform, sign_in


@pytest.fixture(scope="session")
def portal(infra_dir, redis_url, jwt_keys):
    folder = infra_dir / "portal"
    folder.mkdir(exist_ok=True)
    with portal_platform(folder, redis_url, jwt_keys) as platform:
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
