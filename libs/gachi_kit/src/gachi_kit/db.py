"""Engine and transaction helpers shared by every service's own database."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from functools import cache
from types import SimpleNamespace

from sqlalchemy import (
    DateTime,
    Insert,
    Table,
    TypeDecorator,
    create_engine,
    event,
    insert,
    text,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from gachi_kit import jsoncodec
from gachi_kit.events import as_utc
from gachi_kit.sqlite_writers import WriterQueue
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


def make_engine(url: str, *, pool_size: int = 10, queue_writers: bool = True) -> Engine:
    """`queue_writers=False`: a SQLite file's writers wait in SQLite's busy handler alone,
    not in the writers' queue (sqlite_writers) first; bench/sqlite_writers.py's baseline."""
    json_columns = {"json_serializer": jsoncodec.dumps}
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **json_columns
        )
        _tune_sqlite(engine, queue_writers)
        return engine
    # pre-ping: a connection the server closed (a restart) is replaced before it is used
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_timeout=DATABASE_POOL_WAIT_SECONDS,
        connect_args={"connect_timeout": DATABASE_CONNECT_SECONDS},
        **json_columns,
    )


def _tune_sqlite(engine: Engine, queue_writers: bool) -> None:
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

    path = engine.url.database
    writers = None
    if queue_writers and path and path != ":memory:":
        writers = WriterQueue(path)
        writers.install(engine)

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # Writers take the lock up front (IMMEDIATE), so two of them queue on busy_timeout
        # instead of failing with "database is locked" when a reader upgrades to a writer;
        # in a file database they first wait their turn in the kernel (sqlite_writers).
        # Read-only scopes begin deferred and, under WAL, never wait for a writer.
        if conn.get_execution_options().get(READ_ONLY, False):
            conn.exec_driver_sql("BEGIN")
            return
        if writers is not None:
            writers.wait_for_turn(conn)
        conn.exec_driver_sql("BEGIN IMMEDIATE")


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
    """Plain INSERT of many rows in one executemany, through Core on the session's
    connection. Unlike dialect_insert it flushes nothing first (not even the session's
    autoflush): the rows written this way (outbox, notify's fan-out) refer to no ORM object,
    and what the session holds is then written once, with its final values."""
    if rows:
        _insert(session, model.__table__, rows)


def _insert(session: Session, table: Table, rows: list[dict]) -> None:
    """One executemany on the session's connection: no autoflush check per statement."""
    session.connection().execute(_insert_into(table), rows)


@cache
def _insert_into(table: Table) -> Insert:
    """A table's INSERT, built once: a statement keeps the cache key it computed, a new one
    computes it again (a third of a five-row executemany's CPU)."""
    return insert(table)


@cache
def _insert_ignoring(dialect: str, table: Table, returning_key: bool) -> Insert:
    statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    statement = statement.on_conflict_do_nothing()
    return statement.returning(*table.primary_key.columns) if returning_key else statement


def insert_or_ignore(session: Session, model, rows: dict | list[dict]) -> bool | None:
    """INSERT … ON CONFLICT DO NOTHING on PostgreSQL and SQLite alike: make sure a row
    exists, then lock or update it. For one row, returns whether it was inserted (read from
    RETURNING: psycopg reports no rowcount for this statement)."""
    if rows == []:
        return None
    session.flush()  # as an ORM statement's autoflush would: rows may refer to pending ones
    dialect = session.get_bind().dialect.name
    if isinstance(rows, list):
        # executemany: compiled once, however many rows (a VALUES list is compiled per call)
        session.execute(_insert_ignoring(dialect, model.__table__, False), rows)
        return None
    # the row as parameters, not .values(): the statement's compiled form is then cached
    statement = _insert_ignoring(dialect, model.__table__, True)
    return session.execute(statement, rows).first() is not None


def insert_or_ignore_many(session: Session, model, rows: list[dict]) -> int:
    """insert_or_ignore for several rows in one statement whose RETURNING says how many of
    them were new (SQLAlchemy's "insertmanyvalues": one multi-row VALUES per page of rows,
    on both databases)."""
    session.flush()  # as insert_or_ignore
    statement = _insert_ignoring(session.get_bind().dialect.name, model.__table__, True)
    return len(session.execute(statement, rows).all())


def new_row(model, /, **values) -> SimpleNamespace:
    """A row about to be inserted, as a plain object: every column of `model`'s table as an
    attribute named as the column (the value given, else its Python-side default, else
    None; a value given as None stays None) and whatever else is given (the related rows a
    reader follows, named as the model's relationships). What an API dump, an event or a
    rule reads of a new object, without the ORM's instrumentation per object and per
    collection append (most of building a placed order's ~50 objects). Write them with
    `insert_new_rows`."""
    static, computed = _column_defaults(model)
    row = SimpleNamespace(**static)
    attributes = row.__dict__
    attributes.update(values)
    for key, make in computed:
        if key not in values:
            attributes[key] = make(None)  # wrapped by SQLAlchemy to take a context: none here
    return row


def insert_new_rows(session: Session, model, rows: Sequence[SimpleNamespace]) -> None:
    """Insert rows made by `new_row` in one executemany (a parent's before its children's:
    the caller writes them in that order). Core on the session's connection: nothing is
    tracked, and a query in this session reads what was written."""
    if rows:
        columns = _column_defaults(model)[0]  # every column, by key
        _insert(session, model.__table__, [{k: row.__dict__[k] for k in columns} for row in rows])


@cache
def _column_defaults(model) -> tuple[dict, tuple]:
    """({column: None or its constant default}, ((column, its callable default), ...))."""
    static, computed = {}, []
    for column in model.__table__.c:
        default = column.default
        if default is not None and default.is_callable:
            computed.append((column.key, default.arg))
        static[column.key] = default.arg if default is not None and default.is_scalar else None
    return static, tuple(computed)
