import os

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@pytest.fixture
def fresh_url(tmp_path):
    """An empty database for a migration test: SQLite in tmp_path, or, when
    DATABASE_URL_BASE is set, a PostgreSQL database of its own (TEST_DB_PREFIX-named),
    dropped afterwards."""
    base = os.environ.get("DATABASE_URL_BASE")
    if not base:
        yield f"sqlite:///{tmp_path / 'catalog_migration.db'}"
        return
    name = f"{os.environ.get('TEST_DB_PREFIX', 'gachi_test')}_catalog_migration"
    admin = create_engine(base.rstrip("/") + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(base.rstrip("/") + "/" + name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
