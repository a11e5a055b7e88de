"""Engine and transaction helpers shared by every service's own database."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime

from sqlalchemy import DateTime, TypeDecorator, create_engine, event, insert, inspect, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import (
    RelationshipDirection,
    Session,
    make_transient,
    make_transient_to_detached,
    sessionmaker,
)

from gachi_kit.events import as_utc
from gachi_kit.timeouts import DATABASE_CONNECT_SECONDS, DATABASE_POOL_WAIT_SECONDS

READ_ONLY = "gachi_read_only"

# Every service names its constraints the same way, so Alembic can drop and alter them
# (SQLite batch mode needs the names) and a migration reads the same in each service.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _tune_sqlite(engine)
        return engine
    # pre-ping: a connection the server closed (a restart) is replaced before it is used
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_timeout=DATABASE_POOL_WAIT_SECONDS,
        connect_args={"connect_timeout": DATABASE_CONNECT_SECONDS},
    )


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide when a transaction starts (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # Writers take the lock up front (IMMEDIATE), so two of them queue on busy_timeout
        # instead of failing with "database is locked" when a reader upgrades to a writer.
        # Read-only scopes begin deferred and, under WAL, never wait for a writer.
        read_only = conn.get_execution_options().get(READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


class Database:
    """One service's database: an engine, a session factory and a transaction scope."""

    def __init__(self, url: str) -> None:
        self.url = url
        # True inside `rolled_back()`: every session shares one connection and one thread.
        self.single_connection = False
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(
            self.engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
        )

    def transaction(self) -> AbstractContextManager[Session]:
        """Commit on success, roll back on any exception, close; use cases own this scope
        (`with db.transaction() as session:`, SQLAlchemy's sessionmaker.begin())."""
        return self.sessions.begin()

    def reading(self) -> AbstractContextManager[Session]:
        """A read-only scope; closing ends the transaction without expiring loaded rows."""
        return self._read_sessions()

    @contextmanager
    def rolled_back(self) -> Iterator[None]:
        """Tests: everything inside runs in one outer transaction, rolled back at the end.

        Every session joins that connection and each `transaction()` becomes a SAVEPOINT
        (SQLAlchemy 2's join_transaction_mode="create_savepoint", as in "Joining a Session
        into an External Transaction"), so use cases commit and roll back as they always do
        while nothing reaches the database. One Database object, used by one thread at a
        time: another connection (a second app on the same database, a worker process,
        racing threads) sees none of it and, on SQLite, waits for the write lock."""
        # Deferred on SQLite (see _on_begin): the write lock is taken at the first write,
        # so probes and readers on other connections are not blocked by an idle test.
        connection = self.engine.execution_options(**{READ_ONLY: True}).connect()
        outer = connection.begin()
        makers = (self.sessions, self._read_sessions)
        binds = [maker.kw["bind"] for maker in makers]
        for maker in makers:
            maker.configure(bind=connection, join_transaction_mode="create_savepoint")
        self.single_connection = True
        try:
            yield
        finally:
            self.single_connection = False
            for maker, bind in zip(makers, binds, strict=True):
                maker.configure(bind=bind, join_transaction_mode="conditional_savepoint")
            outer.rollback()
            connection.close()

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every database (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, _dialect):
        return None if value is None else as_utc(value)

    def process_result_value(self, value: datetime | None, _dialect):
        return None if value is None else as_utc(value)


def dialect_insert(session: Session, model):
    """The session's dialect's own INSERT construct (PostgreSQL's or SQLite's) into the
    model's table, which can say ON CONFLICT DO NOTHING / DO UPDATE.

    A Core statement: the ORM's bulk INSERT would build its bookkeeping for every row
    (about twice the CPU for a handful of rows). Row keys are column names."""
    session.flush()  # as the ORM statement's autoflush did: rows may refer to pending ones
    if session.get_bind().dialect.name == "postgresql":
        return pg_insert(model.__table__)
    return sqlite_insert(model.__table__)


def insert_rows(session: Session, model, rows: list[dict]) -> None:
    """Plain INSERT of many rows in one executemany, through Core (see dialect_insert)."""
    if rows:
        session.flush()
        session.execute(insert(model.__table__), rows)


def insert_or_ignore(session: Session, model, rows: dict | list[dict]) -> bool | None:
    """INSERT … ON CONFLICT DO NOTHING on PostgreSQL and SQLite alike: make sure a row
    exists, then lock or update it. For one row, returns whether it was inserted (read from
    RETURNING: psycopg reports no rowcount for this statement)."""
    if isinstance(rows, list):
        # executemany: compiled once, however many rows (a VALUES list is compiled per call)
        if rows:
            session.execute(dialect_insert(session, model).on_conflict_do_nothing(), rows)
        return None
    statement = dialect_insert(session, model).on_conflict_do_nothing()
    key = model.__table__.primary_key.columns
    # the row as parameters, not .values(): the statement's compiled form is then cached
    return session.execute(statement.returning(*key), rows).first() is not None


def insert_new(session: Session, roots: Iterable[object]) -> list[object]:
    """Write new ORM objects with one Core executemany per table, parents first, and attach
    them to the session as if just loaded: the unit of work's per-object bookkeeping (most
    of a large flush's CPU) is skipped. `roots` and every new object their relationships
    cascade to (an order, its lines, its supplier orders and theirs) must be transient.

    Python-side column defaults are filled in on the objects, and foreign keys copied from
    the related objects set in Python, as a flush would; a column left without a value is
    written as NULL (server-side defaults are not read back). Returns the objects written,
    in the order their rows were."""
    found: dict[int, object] = {}
    for root in roots:
        state = inspect(root)
        found.setdefault(id(root), root)
        for obj, _mapper, related, _dict in state.mapper.cascade_iterator("save-update", state):
            if related.transient:  # a parent already in the database is only referred to
                found.setdefault(id(obj), obj)
    by_table: dict = {}
    for obj in found.values():
        by_table.setdefault(inspect(obj).mapper.local_table, []).append(obj)
    if not by_table:
        return []
    parents_first = next(iter(by_table)).metadata.sorted_tables
    tables = sorted(by_table, key=parents_first.index)
    written = [obj for table in tables for obj in by_table[table]]
    for obj in written:  # every id first: a child's foreign key copies its parent's
        _fill_defaults(obj)
    for obj in written:
        _copy_foreign_keys(obj)
    session.flush()  # whatever is pending first, as a flush would order it
    for table in tables:
        rows = [_row(obj) for obj in by_table[table]]
        session.execute(insert(table), rows)
    for obj in written:
        make_transient_to_detached(obj)
    for obj in written:
        session.add(obj)
    return written


def forget_written(session: Session, objects: Iterable[object]) -> None:
    """Before a rollback (a dry run): detach what `insert_new` wrote and make it transient
    again, so it keeps the values it was written with (a rollback would expire them)."""
    for obj in objects:
        session.expunge(obj)
        make_transient(obj)


def _columns(obj):
    mapper = inspect(obj).mapper
    return [(column, mapper.get_property_by_column(column).key) for column in mapper.local_table.c]


def _fill_defaults(obj) -> None:
    """Every column gets a value on the object (None without a default): an attribute
    missing once the object is attached would be expired and reloaded."""
    values = inspect(obj).dict
    for column, key in _columns(obj):
        if values.get(key) is not None:
            continue
        default = column.default
        if default is None or default.is_sequence:
            setattr(obj, key, None)
        elif default.is_callable:
            setattr(obj, key, default.arg(None))
        elif default.is_scalar:
            setattr(obj, key, default.arg)


def _copy_foreign_keys(obj) -> None:
    """From each related object set in Python: the child's columns take the parent's."""
    state = inspect(obj)
    for relationship in state.mapper.relationships:
        related = state.dict.get(relationship.key)
        if related is None:
            continue
        pairs = relationship.local_remote_pairs  # (this side's column, the other side's)
        if relationship.direction is RelationshipDirection.MANYTOONE:
            for foreign_key, parent_key in pairs:
                _copy(related, parent_key, obj, foreign_key)
        elif relationship.direction is RelationshipDirection.ONETOMANY:
            for child in related:
                for parent_key, foreign_key in pairs:
                    _copy(obj, parent_key, child, foreign_key)
        elif related:  # an association table's rows: not written here, so refuse
            raise NotImplementedError(f"insert_new: many-to-many {relationship}")


def _copy(source, source_column, target, target_column) -> None:
    source_key = inspect(source).mapper.get_property_by_column(source_column).key
    target_key = inspect(target).mapper.get_property_by_column(target_column).key
    setattr(target, target_key, getattr(source, source_key))


def _row(obj) -> dict:
    values = inspect(obj).dict
    return {column.key: values.get(key) for column, key in _columns(obj)}
