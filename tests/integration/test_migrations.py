"""Each service's Alembic migrations build exactly the schema its models describe."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from gachi_kit.migrations import include_name

MODELS = {
    "catalog": "catalog.adapters.models",
    "orders": "orders.adapters.models",
    "notify": "notify.adapters.models",
    "web": "web.identity.models",
}


@pytest.mark.parametrize("service", sorted(MODELS))
def test_migrations_match_the_models(service, db_urls):
    models = __import__(MODELS[service], fromlist=["Base"])
    engine = create_engine(db_urls[service])
    with engine.connect() as connection:
        opts = {"compare_type": True, "include_name": include_name(models.Base.metadata)}
        context = MigrationContext.configure(connection, opts=opts)
        differences = compare_metadata(context, models.Base.metadata)
    engine.dispose()
    assert differences == []
