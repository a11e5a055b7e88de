"""An empty database of its own for a migration test: a SQLite file, or a PostgreSQL
database (DATABASE_URL_BASE) made for the test and dropped after it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextmanager
def empty_database(name: str, folder: Path) -> Iterator[str]:
    """The URL of a new database called `name` (prefixed with TEST_DB_PREFIX on PG)."""
    base = os.environ.get("DATABASE_URL_BASE")
    if not base:
        yield f"sqlite:///{folder / f'{name}.db'}"
        return
    database = f"{os.environ.get('TEST_DB_PREFIX', 'gachi_test')}_{name}"
    admin = create_engine(base.rstrip("/") + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    try:
        yield make_url(base.rstrip("/") + "/" + database).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()
