"""orders' use cases on a real database and Redis, with catalog replaced by
`tests.support.fake_catalog.FakeCatalogClient` (no catalog server involved)."""

from __future__ import annotations

import dataclasses

import pytest

import orders as orders_service
from gachi_kit.auth import Principal
from orders.adapters.models import Base
from orders.services import institutions
from tests.support import infra
from tests.support.fake_catalog import FakeCatalogClient


@pytest.fixture(scope="session")
def _orders_without_catalog(service_config, infra_dir):
    url = infra.database_url("orders", infra_dir, tag="_usecases")
    # Nothing listens on the catalog URL: a call that escapes the fake fails loudly.
    return orders_service.create_app(
        {**service_config, "ORDERS_DATABASE_URL": url, "CATALOG_URL": "http://127.0.0.1:9"}
    )


@pytest.fixture
def fake_catalog():
    return FakeCatalogClient()


@pytest.fixture
def wiring(_orders_without_catalog, fake_catalog):
    """The object use cases receive, with the fake catalog in it."""
    app = _orders_without_catalog
    wired = dataclasses.replace(app.extensions["orders"], catalog=fake_catalog)
    infra.truncate_all(wired.db, Base.metadata)
    with app.app_context():
        yield wired
    infra.truncate_all(wired.db, Base.metadata)


@pytest.fixture
def buyer(wiring):
    """A purchase officer of 광명시청 총무과 (the institution is registered)."""
    institution = institutions.register(
        wiring,
        {
            "name": "광명시청",
            "kind": "지자체",
            "sido_code": "41",
            "sigungu_code": "41210",
            "departments": ["총무과"],
        },
    )
    return Principal(sub="buyer-kim", role="buyer", org=institution.id, dept="총무과")
