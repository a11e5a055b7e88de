"""Each service's Alembic migrations build exactly the schema its models describe."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

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
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, models.Base.metadata)
    engine.dispose()
    assert differences == []
