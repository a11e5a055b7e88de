"""Who gets an in-app inbox message for an event, and which inbox a caller reads."""

from __future__ import annotations

import pytest

from notify.adapters.templates import render
from notify.domain.recipients import (
    InboxMessage,
    inbox_messages,
    recipient_of,
    recipients,
    recipients_of,
)

SUPPLIER_ORDER_CREATED = {
    "supplier_order_id": "01JAXH0000SUPPLIERORDER001",
    "order_id": "01JAXH0000ORDER00000000001",
    "enterprise_id": "ent-gm-tofu",
    "enterprise_name": "광명두부마을 협동조합",
    "institution_id": "inst-gwangmyeong",
    "department": "복지정책과",
    "needed_by": "2025-03-14",
    "delivery_address": "경기도 광명시 철산로 20",
    "supply_amount": 28_000,
    "vat_amount": 2_800,
    "total_amount": 30_800,
    "lines": [
        {
            "line_no": 1,
            "product_id": "prod-tofu-snack",
            "sku": "GM-TS-200",
            "name": "국산콩 두부과자 200g",
            "unit": "봉",
            "quantity": 8,
            "unit_price": 3_500,
            "tax_type": "taxable",
            "supply_amount": 28_000,
        }
    ],
}

ORDER_PLACED = {
    "order_id": "01JAXH0000ORDER00000000001",
    "institution_id": "inst-gwangmyeong",
    "department": "복지정책과",
    "buyer_id": "buyer-kim",
    "needed_by": "2025-03-14",
    "supply_amount": 28_000,
    "vat_amount": 2_800,
    "total_amount": 30_800,
    "supplier_orders": [
        {
            "supplier_order_id": "01JAXH0000SUPPLIERORDER001",
            "enterprise_id": "ent-gm-tofu",
            "total_amount": 30_800,
        }
    ],
}


def test_supplier_order_created_goes_to_the_enterprise_once():
    messages = inbox_messages("supplier_order.created", SUPPLIER_ORDER_CREATED)

    assert messages == [
        InboxMessage(
            recipient_type="enterprise",
            recipient_id="ent-gm-tofu",
            template="supplier_order.created",
            subject_id="01JAXH0000SUPPLIERORDER001",
        )
    ]


def test_one_message_per_supplier_order_never_per_line():
    many_lines = {
        **SUPPLIER_ORDER_CREATED,
        "lines": SUPPLIER_ORDER_CREATED["lines"] * 5,
    }

    assert len(inbox_messages("supplier_order.created", many_lines)) == 1


def test_order_placed_goes_to_the_institution():
    messages = inbox_messages("order.placed", ORDER_PLACED)  # the inbox: the institution

    assert messages == [
        InboxMessage(
            recipient_type="institution",
            recipient_id="inst-gwangmyeong",
            template="order.placed",
            subject_id="01JAXH0000ORDER00000000001",
        )
    ]


@pytest.mark.parametrize(
    "event_type",
    ["product.created", "group_order.opened", "enterprise.registered", "enterprise.updated", "x"],
)
def test_events_without_templates_make_no_message(event_type):
    assert recipients(event_type, {"order_id": "o-1", "enterprise_id": "e-1"}) == []


def test_supplier_order_news_goes_to_the_institution_its_department_and_the_buyer():
    known = {"department": "복지정책과", "buyer_id": "buyer-kim"}
    data = {
        "supplier_order_id": "so-1",
        "order_id": "o-1",
        "enterprise_id": "ent-gm-tofu",
        "institution_id": "inst-gwangmyeong",
        "status": "accepted",
    }

    found = recipients("supplier_order.accepted", data, known)

    assert [(r.recipient_type, r.recipient_id) for r in found] == [
        ("institution", "inst-gwangmyeong"),
        ("department", "inst-gwangmyeong/복지정책과"),
        ("user", "buyer-kim"),
    ]
    assert {r.subject_id for r in found} == {"so-1"}
    assert [r.recipient_type for r in inbox_messages("supplier_order.accepted", data, known)] == [
        "institution"
    ]


def test_order_placed_reaches_the_buyer_who_placed_it_too():
    found = recipients("order.placed", ORDER_PLACED)
    assert ("user", "buyer-kim") in [(r.recipient_type, r.recipient_id) for r in found]


@pytest.mark.parametrize(
    ("event_type", "data", "who"),
    [
        (
            "supplier_order.cancelled",
            {"supplier_order_id": "s", "enterprise_id": "e"},
            "enterprise",
        ),
        (
            "listing.approved",
            {"listing_id": "l", "enterprise_id": "e", "brand_code": "B"},
            "enterprise",
        ),
        (
            "listing.submitted",
            {"listing_id": "l", "enterprise_id": "e", "brand_code": "B"},
            "committee",
        ),
        ("order.cancelled", {"order_id": "o", "institution_id": "i"}, "institution"),
        (
            "supplier_order.lines_cancelled",
            {"supplier_order_id": "s", "enterprise_id": "e"},
            "enterprise",
        ),
        ("order.lines_cancelled", {"order_id": "o", "institution_id": "i"}, "institution"),
    ],
)
def test_each_event_reaches_the_one_it_is_for(event_type, data, who):
    assert [r.recipient_type for r in recipients(event_type, data)] == [who]


def test_the_caller_manages_its_own_recipients_only():
    assert recipients_of("enterprise", "u1", "ent-1", None) == [
        ("user", "u1"),
        ("enterprise", "ent-1"),
    ]
    assert recipients_of("buyer", "u2", "inst-1", "총무과") == [
        ("user", "u2"),
        ("department", "inst-1/총무과"),
    ]
    assert recipients_of("committee", "u3", None, None) == [("user", "u3")]


@pytest.mark.parametrize(
    ("event_type", "data"),
    [("supplier_order.created", SUPPLIER_ORDER_CREATED), ("order.placed", ORDER_PLACED)],
)
def test_every_message_names_a_template_that_renders_from_the_event(event_type, data):
    for message in inbox_messages(event_type, data):
        title, body = render("inbox", message.template, data)
        assert title and body


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("enterprise", ("enterprise", "org-1")),
        ("buyer", ("institution", "org-1")),
        ("institution_admin", ("institution", "org-1")),
        ("committee", ("committee", "org-1")),
        ("admin", None),
        ("service", None),
        ("stranger", None),
    ],
)
def test_recipient_of_each_role(role, expected):
    assert recipient_of(role, "org-1") == expected


@pytest.mark.parametrize(
    "role", ["enterprise", "buyer", "institution_admin", "committee", "admin", "service"]
)
@pytest.mark.parametrize("org", [None, ""])
def test_no_inbox_without_an_org(role, org):
    assert recipient_of(role, org) is None
