"""The event envelope, its ids and the UTC helper."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from gachi_kit.events import Envelope, as_utc, new_id, utcnow

CROCKFORD = set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
REQUIRED = ("id", "type", "source", "data", "occurred_at")


def _order_placed() -> Envelope:
    return Envelope(
        type="order.placed",
        source="orders",
        data={
            "order_id": "01JAXG7Q7N0M3V4D6S8T9W1Y2Z",
            "institution_id": "inst-gwangmyeong",
            "department": "복지정책과",
            "total_amount": 52064,
            "supplier_orders": [{"enterprise_id": "ent-tofu", "total_amount": 52064}],
        },
        correlation_id="req-7f3a",
    )


def test_envelope_has_exactly_the_documented_fields():
    envelope = _order_placed()

    raw = envelope.to_dict()

    assert set(raw) == {"id", "type", "version", "occurred_at", "source", "correlation_id", "data"}
    assert raw["version"] == 1
    assert raw["type"] == "order.placed"


def test_envelope_round_trips_through_json():
    envelope = _order_placed()

    wire = json.dumps(envelope.to_dict(), ensure_ascii=False)
    back = Envelope.from_dict(json.loads(wire))

    assert back == envelope
    assert back.data["department"] == "복지정책과"


def test_to_dict_is_a_copy_that_cannot_change_the_envelope():
    envelope = _order_placed()

    raw = envelope.to_dict()
    raw["data"]["supplier_orders"][0]["total_amount"] = 1
    raw["data"]["total_amount"] = 1

    assert envelope.data["total_amount"] == 52064
    assert envelope.data["supplier_orders"][0]["total_amount"] == 52064


def test_message_has_the_same_fields_and_round_trips_sharing_data():
    envelope = _order_placed()

    message = envelope.message()

    assert message == envelope.to_dict()
    assert message["data"] is envelope.data  # serialised at once: no copy made
    assert Envelope.from_dict(json.loads(json.dumps(message, ensure_ascii=False))) == envelope


def test_from_dict_fills_optional_fields_and_coerces_version():
    raw = {
        "id": new_id(),
        "type": "listing.approved",
        "source": "catalog",
        "data": {"listing_id": "l-1"},
        "occurred_at": "2025-03-01T00:00:00+00:00",
    }

    envelope = Envelope.from_dict(raw)
    assert envelope.version == 1
    assert envelope.correlation_id is None

    assert Envelope.from_dict({**raw, "version": "2"}).version == 2


@pytest.mark.parametrize("missing", REQUIRED)
def test_from_dict_rejects_a_dict_missing_a_field(missing):
    raw = _order_placed().to_dict()
    del raw[missing]

    with pytest.raises(ValueError, match=missing):
        Envelope.from_dict(raw)


def test_from_dict_lists_every_missing_field():
    with pytest.raises(ValueError) as info:
        Envelope.from_dict({"type": "order.placed"})

    for name in ("data", "id", "occurred_at", "source"):
        assert name in str(info.value)


def test_occurred_at_defaults_to_now_in_utc():
    before = utcnow()
    envelope = Envelope(type="order.placed", source="orders", data={})
    after = utcnow()

    occurred = datetime.fromisoformat(envelope.occurred_at)
    assert occurred.utcoffset() == timedelta(0)
    assert before <= occurred <= after


def test_ids_are_ulids_unique_and_sorted_by_creation():
    ids = [new_id() for _ in range(2000)]

    assert all(len(i) == 26 and set(i) <= CROCKFORD for i in ids)
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)  # also within one millisecond


def test_ids_created_later_sort_later():
    first = new_id()
    time.sleep(0.005)
    second = new_id()

    assert first < second
    assert first[:10] < second[:10]  # the 48-bit timestamp prefix moved on


def test_each_envelope_gets_its_own_id():
    a = Envelope(type="order.placed", source="orders", data={})
    b = Envelope(type="order.placed", source="orders", data={})

    assert a.id != b.id
    assert a.id < b.id


def test_as_utc_reads_a_naive_datetime_as_utc():
    naive = datetime(2025, 3, 1, 9, 30)

    moment = as_utc(naive)

    assert moment.tzinfo is UTC
    assert (moment.year, moment.month, moment.day, moment.hour, moment.minute) == (
        2025,
        3,
        1,
        9,
        30,
    )


def test_as_utc_converts_an_aware_datetime():
    seoul = datetime(2025, 3, 1, 9, 30, tzinfo=ZoneInfo("Asia/Seoul"))

    moment = as_utc(seoul)

    assert moment.utcoffset() == timedelta(0)
    assert moment == seoul
    assert (moment.day, moment.hour) == (1, 0)


def test_as_utc_makes_naive_and_aware_values_comparable():
    stored = datetime(2025, 3, 1, 0, 0)  # what SQLite hands back for a UTC column
    now = datetime(2025, 3, 1, 0, 5, tzinfo=UTC)

    assert now - as_utc(stored) == timedelta(minutes=5)
