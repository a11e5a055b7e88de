from __future__ import annotations

import os
import threading

import pytest
from sqlalchemy import ForeignKey, Integer, String, event, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from gachi_kit.db import Database, insert_new_rows, new_row
from gachi_kit.events import new_id


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


class _Base(DeclarativeBase):
    pass


class _Basket(_Base):
    __tablename__ = "basket"
    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    owner: Mapped[str] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12), default="open")
    version: Mapped[int] = mapped_column(Integer, default=1)
    items: Mapped[list[_Item]] = relationship(back_populates="basket")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class _Item(_Base):
    __tablename__ = "item"
    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    basket_id: Mapped[str] = mapped_column(ForeignKey("basket.id"))
    name: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    basket: Mapped[_Basket] = relationship(back_populates="items")


class _Label(_Base):  # many-to-one only: reached from nothing but itself
    __tablename__ = "label"
    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    item_id: Mapped[str] = mapped_column(ForeignKey("item.id"))
    text: Mapped[str] = mapped_column(String(40))
    item: Mapped[_Item] = relationship()


def _basket() -> tuple[_Basket, _Label]:
    basket = _Basket(owner="광명시청")
    basket.items.append(_Item(name="두부", quantity=3))
    basket.items.append(_Item(name="김치"))
    return basket, _Label(item=basket.items[0], text="유기농")


def _plain_basket():
    """The same basket as plain rows, linked as the relationships would link them."""
    basket = new_row(_Basket, owner="광명시청", items=[])
    for given in ({"name": "두부", "quantity": 3}, {"name": "김치"}):
        basket.items.append(new_row(_Item, basket_id=basket.id, basket=basket, **given))
    return basket, new_row(_Label, item_id=basket.items[0].id, text="유기농")


def _rows(session, table: str) -> list[dict]:
    return [dict(r._mapping) for r in session.execute(text(f"SELECT * FROM {table}"))]


@pytest.fixture
def db(tmp_path):
    """A SQLite file with the basket tables."""
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    _Base.metadata.create_all(db.engine)
    yield db
    db.dispose()


def test_new_rows_are_written_as_a_flush_writes_the_same_objects(db):
    with db.transaction() as session:
        flushed, flushed_label = _basket()
        session.add_all([flushed, flushed_label])
    statements = []
    event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with db.transaction() as session:
        basket, label = _plain_basket()
        insert_new_rows(session, _Basket, [basket])
        insert_new_rows(session, _Item, basket.items)
        insert_new_rows(session, _Label, [label])
        assert not session.new and not session.dirty and not session.identity_map
        assert session.get(_Basket, basket.id).owner == "광명시청"  # the session reads it
    assert [s.split()[:3] for s in statements[1:4]] == [
        ["INSERT", "INTO", "basket"],
        ["INSERT", "INTO", "item"],  # both items in one executemany
        ["INSERT", "INTO", "label"],
    ]
    with db.reading() as session:
        baskets, items, labels = (_rows(session, t) for t in ("basket", "item", "label"))
    by_id = {b["id"]: b for b in baskets}
    assert by_id[basket.id] | {"id": None} == by_id[flushed.id] | {"id": None}
    assert by_id[basket.id] == {
        "id": basket.id,
        "owner": "광명시청",
        "note": None,  # no default: None
        "status": "open",  # a constant default
        "version": 1,
    }
    mine = sorted((i["name"], i["quantity"]) for i in items if i["basket_id"] == basket.id)
    assert mine == [("김치", 1), ("두부", 3)]  # none given: the default, as a flush does
    assert {la["item_id"] for la in labels} == {flushed.items[0].id, basket.items[0].id}


def test_a_new_row_reads_like_the_object_and_keeps_what_else_it_is_given(db):
    basket, label = _plain_basket()
    other, _ = _plain_basket()
    assert len(basket.id) == 26 and basket.id != other.id  # a callable default, per row
    assert (basket.note, basket.status, basket.version) == (None, "open", 1)
    assert basket.items[1].basket is basket and basket.items[1].quantity == 1
    assert label.item_id == basket.items[0].id
    assert new_row(_Basket, owner="광명시청", status=None).status is None  # given: kept
    with db.transaction() as session:  # a dry run: written, then rolled back
        insert_new_rows(session, _Basket, [basket])
        session.rollback()
    with db.reading() as session:
        assert _rows(session, "basket") == []
    assert basket.owner == "광명시청", "plain values: nothing expires them"


def _waiting_for_flock(path) -> bool:
    """Whether /proc/locks shows a writer blocked on this file's lock ("->" lines)."""
    inode = os.stat(path).st_ino
    with open("/proc/locks") as locks:
        return any("->" in ln and f":{inode} " in ln and "FLOCK" in ln for ln in locks)


def test_a_second_writer_waits_its_turn_in_the_kernel_before_asking_sqlite(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    asked = []  # (thread, statement) as SQLite was asked
    event.listen(
        db.engine,
        "before_cursor_execute",
        lambda c, cur, stmt, *a: asked.append((threading.current_thread().name, stmt)),
    )
    holding, let_go = threading.Event(), threading.Event()

    def first():
        with db.transaction() as session:
            session.execute(text("CREATE TABLE t (v INTEGER)"))
            holding.set()
            let_go.wait(30)

    def second():
        with db.transaction() as session:
            session.execute(text("INSERT INTO t VALUES (2)"))

    one = threading.Thread(target=first, name="first")
    one.start()
    assert holding.wait(30)
    two = threading.Thread(target=second, name="second")
    two.start()
    for _ in range(3000):  # until the kernel lists it as waiting (at most 30 s)
        if _waiting_for_flock(tmp_path / "x.db.writers"):
            break
        two.join(0.01)
    assert _waiting_for_flock(tmp_path / "x.db.writers")
    assert ("second", "BEGIN IMMEDIATE") not in asked, "SQLite not asked while it waits"
    let_go.set()
    one.join(30)
    two.join(30)
    assert [s for t, s in asked if t == "second"] == ["BEGIN IMMEDIATE", "INSERT INTO t VALUES (2)"]
    with db.reading() as session:
        assert session.scalar(text("SELECT v FROM t")) == 2
    db.dispose()


def test_a_write_from_an_after_commit_hook_does_not_wait_for_its_own_thread(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")

    def write_then_write_again():
        with db.transaction() as session:
            session.execute(text("CREATE TABLE t (v INTEGER)"))

            @event.listens_for(session, "after_commit")
            def again(_session):  # the first connection is not back in the pool yet
                with db.transaction() as other:
                    other.execute(text("INSERT INTO t VALUES (1)"))

    writer = threading.Thread(target=write_then_write_again, daemon=True)
    writer.start()
    writer.join(30)
    assert not writer.is_alive(), "the nested write deadlocked on the writers' lock"
    with db.transaction() as session:  # and the lock was let go
        session.execute(text("INSERT INTO t VALUES (2)"))
    with db.reading() as session:
        assert session.scalars(text("SELECT v FROM t ORDER BY v")).all() == [1, 2]
    db.dispose()
