"""Which consumer queues an event type is relayed to (`Outbox.consumers_of`)."""

from __future__ import annotations

import celery
import pytest
from sqlalchemy.orm import DeclarativeBase

from gachi_kit.db import Database
from gachi_kit.outbox import Outbox, OutboxMixin

ROUTES = {
    "order.*": ["notify"],
    "supplier_order.*": ["notify", "catalog"],
    "supplier_order.inspected": ["catalog", "reports"],
    "listing.approved": ["notify"],
}


class _Base(DeclarativeBase):
    pass


class _OutboxRow(OutboxMixin, _Base):
    __tablename__ = "outbox"


@pytest.fixture
def make_outbox(tmp_path):
    databases: list[Database] = []

    def make(routes):
        db = Database("sqlite:///" + str(tmp_path / "outbox.db"))
        databases.append(db)
        app = celery.Celery("t", broker_url="memory://")
        return Outbox(source="orders", model=_OutboxRow, db=db, celery=app, routes=routes)

    yield make
    for db in databases:
        db.dispose()


@pytest.mark.parametrize(
    ("event_type", "consumers"),
    [
        ("order.placed", ["notify"]),
        ("order.cancelled", ["notify"]),
        ("supplier_order.created", ["notify", "catalog"]),
        # two patterns match: no duplicates, order of first appearance kept
        ("supplier_order.inspected", ["notify", "catalog", "reports"]),
        ("listing.approved", ["notify"]),
        ("listing.rejected", []),
        # "order.*" is anchored: it must not catch group_order.* or a bare "order"
        ("group_order.closed", []),
        ("order", []),
        # matching is case-sensitive
        ("ORDER.PLACED", []),
    ],
)
def test_consumers_of_routes_by_pattern(make_outbox, event_type, consumers):
    outbox = make_outbox(ROUTES)

    assert outbox.consumers_of(event_type) == consumers


def test_catch_all_pattern(make_outbox):
    outbox = make_outbox({"*": ["audit"], "order.placed": ["notify"]})

    assert outbox.consumers_of("order.placed") == ["audit", "notify"]
    assert outbox.consumers_of("enterprise.registered") == ["audit"]


def test_no_routes_means_no_consumers(make_outbox):
    assert make_outbox({}).consumers_of("order.placed") == []


def test_routes_are_copied_at_construction(make_outbox):
    routes = {"order.*": ["notify"]}
    outbox = make_outbox(routes)

    routes["listing.*"] = ["notify"]

    assert outbox.consumers_of("listing.approved") == []
