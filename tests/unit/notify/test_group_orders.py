"""Group orders in notify, as plain rules: who hears of the outcome (participants at the
contact they gave, the organiser's institution through its subscriptions), and what leaves
notify to whom (never the participants' contacts)."""

from __future__ import annotations

import copy

import pytest

from notify.domain.catalogue import EVENT_TYPES, RECIPIENT_TYPES, SUBSCRIBERS, unknown_patterns
from notify.domain.delivery import quota_holder
from notify.domain.messages import derived, shareable
from notify.domain.recipients import Recipient, inbox_messages, participants, recipients
from notify.domain.subscriptions import address_errors
from notify.services.dispatch import dedupe_key
from tests.support.notify_events import GROUP_ORDER, INSTITUTION_ID, ORGANISER, PEOPLE, participant
from tests.support.notify_group_orders import closed, data_of

SETTLED = ("group_order.closed", "group_order.cancelled", "group_order.failed")


# --- who ----------------------------------------------------------------------------------


def test_the_new_types_can_be_subscribed_to():
    for event_type in (*SETTLED, "order.lines_cancelled", "supplier_order.lines_cancelled"):
        assert event_type in EVENT_TYPES
    assert unknown_patterns(["group_order.*", "supplier_order.lines_cancelled"]) == []
    assert unknown_patterns(["group_order.opened"]) == ["group_order.opened"]  # no message


@pytest.mark.parametrize("event_type", SETTLED)
def test_the_organisers_institution_department_and_organiser_hear_of_the_outcome(event_type):
    found = recipients(event_type, data_of(event_type))

    assert [(r.recipient_type, r.recipient_id) for r in found] == [
        ("institution", INSTITUTION_ID),
        ("department", f"{INSTITUTION_ID}/총무과"),
        ("user", ORGANISER),
    ]
    assert {(r.template, r.subject_id) for r in found} == {(event_type, GROUP_ORDER)}
    assert [r.recipient_type for r in inbox_messages(event_type, data_of(event_type))] == [
        "institution"
    ]


def test_without_a_department_only_the_institution_and_the_organiser():
    data = {**closed(), "department": None}
    assert [r.recipient_type for r in recipients("group_order.closed", data)] == [
        "institution",
        "user",
    ]


@pytest.mark.parametrize("event_type", SETTLED)
def test_each_participant_is_reached_at_the_contact_they_gave_and_a_landline_is_not(event_type):
    direct, unreachable = participants(event_type, data_of(event_type))

    assert [(d.recipient, d.channel, d.address) for d in direct] == [
        (
            Recipient("participant", PEOPLE["kim"][0], f"participant/{event_type}", GROUP_ORDER),
            "sms",
            "01012345678",
        ),
        (
            Recipient("participant", PEOPLE["lee"][0], f"participant/{event_type}", GROUP_ORDER),
            "email",
            "jisu.lee@example.kr",
        ),
    ]
    assert direct[0].participant["name"] == "김순자"
    assert [(u.participant_id, u.reason) for u in unreachable] == [
        (PEOPLE["park"][0], "not a mobile number")
    ]


@pytest.mark.parametrize(
    ("person", "channel", "address", "reason"),
    [
        ({"contact": "010 9876 5432", "contact_kind": "phone"}, "sms", "01098765432", None),
        ({"contact": "011-234-5678", "contact_kind": "phone"}, "sms", "0112345678", None),
        ({"contact": "Jisu@Example.KR", "contact_kind": "email"}, "email", "Jisu@example.kr", None),
        ({"contact": "031-123-4567", "contact_kind": "phone"}, None, None, "not a mobile number"),
        ({"contact": "070-1234-5678", "contact_kind": "phone"}, None, None, "not a mobile number"),
        ({"contact": "jisu.lee@", "contact_kind": "email"}, None, None, "no usable contact"),
        ({"contact": "010-1234-5678", "contact_kind": "fax"}, None, None, "no usable contact"),
        ({"contact": None, "contact_kind": None}, None, None, "no usable contact"),
        ({"participant_id": None}, None, None, "no usable participant id"),
    ],
)
def test_which_contacts_get_a_message(person, channel, address, reason):
    data = {**closed(), "participants": [participant("kim", amounts=True) | person]}

    direct, unreachable = participants("group_order.closed", data)

    if channel:
        assert [(d.channel, d.address) for d in direct] == [(channel, address)]
        assert unreachable == []
    else:
        assert direct == [] and [u.reason for u in unreachable] == [reason]


@pytest.mark.parametrize(
    "event_type", ["group_order.opened", "order.placed", "supplier_order.created"]
)
def test_only_settled_group_orders_reach_participants(event_type):
    assert participants(event_type, closed()) == ([], [])


def test_participants_cannot_be_subscribed():
    assert "participant" in RECIPIENT_TYPES and "participant" not in SUBSCRIBERS
    for channel, address in (("sms", "01012345678"), ("email", "a@b.kr"), ("inbox", "")):
        assert "recipient_type" in address_errors(channel, address, "participant")


def test_one_key_per_event_participant_channel_and_address():
    kim = Recipient("participant", PEOPLE["kim"][0], "participant/group_order.closed", None)
    lee = Recipient("participant", PEOPLE["lee"][0], "participant/group_order.closed", None)
    keys = {
        dedupe_key("E1", kim, "sms", "01012345678"),
        dedupe_key("E1", lee, "sms", "01012345678"),  # same phone, another participant
        dedupe_key("E1", kim, "email", "01012345678"),
        dedupe_key("E2", kim, "sms", "01012345678"),
    }
    assert len(keys) == 4
    assert dedupe_key("E1", kim, "sms", "01012345678") in keys


def test_a_participants_paid_messages_count_against_the_phone_number():
    assert quota_holder("participant", "01JP1", "01012345678") == ("participant", "01012345678")
    assert quota_holder("participant", "01JP2", "01012345678") == ("participant", "01012345678")
    assert quota_holder("enterprise", "ent-1", "01012345678") == ("enterprise", "ent-1")


# --- what leaves notify to whom -------------------------------------------------------


@pytest.mark.parametrize("event_type", SETTLED)
def test_subscribers_never_see_participants_contacts(event_type):
    data = data_of(event_type)
    original = copy.deepcopy(data)

    public = shareable(event_type, data)

    assert data == original  # the event itself is untouched
    assert [set(p) & {"contact", "contact_kind"} for p in public["participants"]] == [set()] * 3
    assert [p["name"] for p in public["participants"]] == ["김순자", "이지수", "박민호"]
    assert "010-1234-5678" not in str(public) and "jisu.lee@example.kr" not in str(public)


def test_other_events_are_shared_as_they_are():
    data = {"order_id": "o", "participants": [{"contact": "x"}]}
    assert shareable("order.placed", data) is data


def test_the_organiser_is_told_how_many_participants_cannot_be_reached():
    assert derived("group_order.closed", closed()) == {
        "participant_count": 3,
        "unreachable_count": 1,
    }
