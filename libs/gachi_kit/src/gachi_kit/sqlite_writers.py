"""SQLite writers wait their turn in the kernel, not in SQLite's busy handler.

A writer that finds the database locked sleeps in SQLite's busy handler for 1, 2, 5, … and
then 100 ms at a time before it looks again; meanwhile every other writer that arrives
takes the lock as soon as it is free. Under load a few unlucky writers starve for seconds
(the placement tail in docs/benchmarks.md). So a write transaction first takes an
exclusive `flock` on a file beside the database: waiters block in the kernel and one of
them is woken the moment the holder lets go. SQLite's own lock is still taken (BEGIN
IMMEDIATE, busy timeout): the file lock only orders the writers that use it.

The file lock is held from BEGIN until the connection goes back to the pool (after its
COMMIT or ROLLBACK; the session closes right after). A thread that already holds it, on
another connection to the same database, does not take it again, so a write made while an
earlier one's connection is still out (an after-commit hook) cannot deadlock on it.
"""

from __future__ import annotations

import fcntl
import os
import threading

from sqlalchemy import event
from sqlalchemy.engine import Engine


class _Held(threading.local):
    def __init__(self) -> None:
        self.paths: set[str] = set()  # the lock files this thread holds


_held = _Held()


class WriterQueue:
    """The writers of one SQLite file, queued on `<file>.writers`."""

    def __init__(self, database_path: str) -> None:
        self.path = f"{database_path}.writers"

    def install(self, engine: Engine) -> None:
        event.listen(engine.pool, "checkin", self._on_checkin)
        event.listen(engine.pool, "close", self._on_close)

    def wait_for_turn(self, connection) -> None:
        """Called before a write transaction's BEGIN IMMEDIATE on `connection`."""
        mine = _held.paths
        if self.path in mine:
            return
        info = connection.info  # the pooled DBAPI connection's: one descriptor each
        pid, descriptor = info.get("writer_lock", (None, None))
        if pid != os.getpid():  # none yet, or one inherited across a fork: shared with
            descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)  # the parent
            info["writer_lock"] = (os.getpid(), descriptor)
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        info["writer_turn"] = mine
        mine.add(self.path)

    def _on_checkin(self, _dbapi_connection, record) -> None:
        holder = record.info.pop("writer_turn", None)
        if holder is not None:
            holder.discard(self.path)
            fcntl.flock(record.info["writer_lock"][1], fcntl.LOCK_UN)

    def _on_close(self, _dbapi_connection, record) -> None:
        self._on_checkin(_dbapi_connection, record)
        pid, descriptor = record.info.pop("writer_lock", (None, None))
        if pid == os.getpid():
            os.close(descriptor)
