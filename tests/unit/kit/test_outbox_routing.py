"""Which consumer queues an event type is relayed to (`Outbox.consumers_of`)."""

from __future__ import annotations

import celery
import pytest
from sqlalchemy.orm import DeclarativeBase

from gachi_kit.db import Database
from gachi_kit.events import Envelope
from gachi_kit.outbox import EVENTS_PER_MESSAGE, Outbox, OutboxMixin

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


def _event(type_: str, correlation_id: str = "req-1") -> Envelope:
    return Envelope(type=type_, source="orders", data={}, correlation_id=correlation_id)


def _grouped(outbox, sent) -> list[tuple[str, str | None, list[str]]]:
    return [
        (consumer, trace, [e.type for e in together])
        for consumer, trace, together in outbox._messages(sent)
    ]


def test_what_one_trace_recorded_goes_to_each_consumer_in_one_message(make_outbox):
    outbox = make_outbox(ROUTES)
    placed, a, b = _event("order.placed"), _event("supplier_order.created"), _event("x.y")
    sent = [(placed, "trace-1"), (a, "trace-1"), (b, "trace-1")]

    assert _grouped(outbox, sent) == [
        ("notify", "trace-1", ["order.placed", "supplier_order.created"]),
        ("catalog", "trace-1", ["supplier_order.created"]),
    ]


def test_events_of_other_traces_or_requests_travel_apart(make_outbox):
    outbox = make_outbox(ROUTES)
    sent = [
        (_event("order.placed"), "trace-1"),
        (_event("order.placed"), "trace-2"),
        (_event("order.placed", correlation_id="req-2"), "trace-1"),
        (_event("order.cancelled"), "trace-1"),
    ]

    assert _grouped(outbox, sent) == [
        ("notify", "trace-1", ["order.placed", "order.cancelled"]),
        ("notify", "trace-2", ["order.placed"]),
        ("notify", "trace-1", ["order.placed"]),
    ]


def test_a_message_holds_at_most_events_per_message(make_outbox):
    outbox = make_outbox(ROUTES)
    sent = [(_event("order.placed"), None) for _ in range(EVENTS_PER_MESSAGE + 1)]

    sizes = [len(together) for _, _, together in outbox._messages(sent)]
    assert sizes == [EVENTS_PER_MESSAGE, 1]
