"""Alembic helpers: every service keeps its own migrations and runs them the same way."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config


def alembic_config(service_dir: Path, url: str) -> Config:
    config = Config(str(service_dir / "alembic.ini"))
    config.set_main_option("script_location", str(service_dir / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(service_dir: Path, url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(service_dir, url), revision)


def run_env(context, target_metadata, default_url: str) -> None:
    """Body of each service's migrations/env.py (online mode; batch ops for SQLite)."""
    from sqlalchemy import create_engine, pool

    url = context.config.get_main_option("sqlalchemy.url") or default_url
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            render_item=_render_item,
            include_name=include_name(target_metadata),
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def include_name(metadata):
    """Alembic's `include_name` filter: skip the tables a service's metadata lists under
    `info["virtual_tables"]` (e.g. an SQLite FTS5 table made by a migration) and the shadow
    tables named after them, which no model describes."""
    virtual = tuple(metadata.info.get("virtual_tables", ()))

    def include(name, type_, _parent_names) -> bool:
        if type_ != "table" or not name:
            return True
        return not any(name == v or name.startswith(f"{v}_") for v in virtual)

    return include


def _render_item(type_: str, obj, autogen_context):
    """Write our column types as the plain SQLAlchemy types they store, so migrations never
    import application code (UTCDateTime is a DateTime(timezone=True) on the wire)."""
    from gachi_kit.db import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
