"""Keyset pages over a real SQLite table, validated cursors and the page-size parameter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from marshmallow import ValidationError, fields
from sqlalchemy import String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from gachi_kit.db import Database, UTCDateTime
from gachi_kit.errors import Problem
from gachi_kit.paging import PageQuery, decode_cursor, encode_cursor, keyset_page

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "note"
    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    author: Mapped[str] = mapped_column(String(20))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime())


@pytest.fixture
def db(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'paging.db'}")
    Base.metadata.create_all(database.engine)
    with database.transaction() as session:
        for i in range(7):
            author = "김민준" if i % 2 else "이서연"
            # two notes share each timestamp, so the id has to break the tie
            session.add(Note(id=f"N{i}", author=author, written_at=T0 + timedelta(hours=i // 2)))
    yield database
    database.dispose()


def all_pages(db, stmt, limit, **kw):
    pages, cursor = [], None
    while True:
        with db.reading() as session:
            page = keyset_page(session, stmt, {"limit": limit, "cursor": cursor}, **kw)
        pages.append([note.id for note in page.items])
        cursor = page.next_cursor
        if cursor is None:
            return pages


def test_pages_walk_every_row_once_newest_id_first(db):
    pages = all_pages(db, select(Note), order_by=(Note.id,), descending=True, limit=3)

    assert pages == [["N6", "N5", "N4"], ["N3", "N2", "N1"], ["N0"]]


def test_a_timestamp_and_id_sort_continues_across_ties(db):
    pages = all_pages(db, select(Note), order_by=(Note.written_at, Note.id), limit=2)

    assert pages == [["N0", "N1"], ["N2", "N3"], ["N4", "N5"], ["N6"]]


def test_filters_stay_in_the_statement_and_the_last_page_has_no_cursor(db):
    stmt = select(Note).where(Note.author == "김민준")

    pages = all_pages(db, stmt, limit=3, order_by=(Note.id,), filters={"author": "김민준"})

    assert pages == [["N1", "N3", "N5"]]


def first_cursor(db, **query):
    with db.reading() as session:
        page = keyset_page(session, select(Note), {"limit": 2, **query}, order_by=(Note.id,))
        return page.next_cursor


def refused(db, cursor, **kw) -> Problem:
    with pytest.raises(Problem) as caught, db.reading() as session:
        keyset_page(session, select(Note), {"limit": 2, "cursor": cursor}, **kw)
    problem = caught.value
    assert (problem.status, problem.code, list(problem.errors)) == (
        422,
        "invalid_cursor",
        ["cursor"],
    )
    return problem


def test_a_cursor_from_other_filters_or_another_sort_is_refused(db):
    cursor = first_cursor(db, author="김민준")

    other_filter = refused(db, cursor, order_by=(Note.id,), filters={"author": "이서연"})
    other_sort = refused(
        db, cursor, order_by=(Note.id,), descending=True, filters={"author": "김민준"}
    )

    assert other_filter.detail == other_sort.detail
    assert "조건" in other_filter.detail


def test_the_page_size_may_change_between_pages(db):
    cursor = first_cursor(db, author="김민준")

    with db.reading() as session:
        query = {"limit": 5, "cursor": cursor, "author": "김민준"}
        page = keyset_page(session, select(Note), query, order_by=(Note.id,))

    assert [note.id for note in page.items] == ["N2", "N3", "N4", "N5", "N6"]


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!!",
        "x" * 600,
        encode_cursor("id:asc", [1], "fp"),  # an int where the id is a string
        "eyJrIjoiYWIifQ",  # {"k":"ab"}: a string is not a key list
    ],
)
def test_a_malformed_cursor_is_refused_never_a_server_error(db, cursor):
    refused(db, cursor, order_by=(Note.id,))


def test_timestamps_round_trip_and_a_bad_one_is_refused():
    cursor = encode_cursor("written_at,id:asc", [T0, "N1"], "fp")

    assert decode_cursor(cursor, "written_at,id:asc", "fp", (datetime, str)) == [T0, "N1"]
    broken = encode_cursor("written_at,id:asc", ["어제", "N1"], "fp")
    with pytest.raises(Problem):
        decode_cursor(broken, "written_at,id:asc", "fp", (datetime, str))


class NoteQuery(PageQuery):
    author = fields.String(load_default=None)


def test_limit_is_the_page_size_and_page_size_a_deprecated_alias():
    assert NoteQuery().load({}) == {"cursor": None, "limit": 20, "author": None}
    assert NoteQuery().load({"limit": "5"})["limit"] == 5
    assert NoteQuery().load({"page_size": "7"})["limit"] == 7
    assert NoteQuery().load({"limit": "5", "page_size": "7"})["limit"] == 5


@pytest.mark.parametrize("name", ["limit", "page_size"])
def test_an_out_of_range_page_size_is_reported_under_the_name_sent(name):
    with pytest.raises(ValidationError) as caught:
        NoteQuery().load({name: "1000000"})

    assert list(caught.value.messages) == [name]


def test_a_list_may_choose_its_own_default_page_size():
    class Everything(PageQuery):
        default_limit = 100

    assert Everything().load({})["limit"] == 100


def test_the_openapi_document_marks_page_size_deprecated():
    from flask import Flask
    from flask_smorest import Api, Blueprint

    app = Flask("paging")
    app.config.update(API_TITLE="t", API_VERSION="1", OPENAPI_VERSION="3.0.3")
    api = Api(app)
    blp = Blueprint("notes", __name__)

    @blp.get("/notes")
    @blp.arguments(NoteQuery, location="query")
    def notes(query):
        return {}

    api.register_blueprint(blp)
    parameters = api.spec.to_dict()["paths"]["/notes"]["get"]["parameters"]
    deprecated = {p["name"]: p.get("deprecated", False) for p in parameters}

    assert deprecated == {"cursor": False, "limit": False, "page_size": True, "author": False}
