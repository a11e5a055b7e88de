import pytest

from tests.support.fresh_db import empty_database


@pytest.fixture
def fresh_url(tmp_path):
    """An empty database for a migration test: a SQLite file in tmp_path, or, when
    DATABASE_URL_BASE is set, a PostgreSQL database of its own, dropped afterwards."""
    with empty_database("migration", tmp_path) as url:
        yield url
