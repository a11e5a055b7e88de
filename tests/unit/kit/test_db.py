from sqlalchemy import event, text

from gachi_kit.db import Database


def test_sqlite_writers_lock_up_front_and_readers_do_not(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    statements = []
    event.listen(
        db.engine, "before_cursor_execute", lambda c, cur, stmt, *a: statements.append(stmt)
    )
    with db.reading() as session:
        session.execute(text("SELECT 1"))
    with db.transaction() as session:
        session.execute(text("SELECT 2"))
    assert statements == ["BEGIN", "SELECT 1", "BEGIN IMMEDIATE", "SELECT 2"]
    db.dispose()


def test_a_reader_is_not_blocked_by_an_open_writer(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    with db.transaction() as session:
        session.execute(text("CREATE TABLE t (v INTEGER)"))
        session.execute(text("INSERT INTO t VALUES (1)"))
    with db.transaction() as writer:
        writer.execute(text("UPDATE t SET v = 2"))  # holds the write lock, uncommitted
        with db.reading() as reader:  # WAL: sees the last committed value at once
            assert reader.scalar(text("SELECT v FROM t")) == 1
    db.dispose()
