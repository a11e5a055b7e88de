"""Group orders and cancelled lines in notify, as plain rules: who hears what (participants at
the contact they gave, the organiser's institution through its subscriptions), what leaves
notify to whom, and the Korean messages — SMS kept to one 90-byte message where it can be."""

from __future__ import annotations

import copy

import pytest

from notify.adapters.templates import render_message
from notify.adapters.texting import SMS_MAX_BYTES, sms_bytes
from notify.domain.catalogue import (
    ENTERPRISE_DEFAULTS,
    EVENT_TYPES,
    RECIPIENT_TYPES,
    SUBSCRIBERS,
    unknown_patterns,
)
from notify.domain.delivery import quota_holder
from notify.domain.messages import derived, shareable
from notify.domain.recipients import Recipient, inbox_messages, participants, recipients
from notify.domain.subscriptions import address_errors
from notify.services.dispatch import dedupe_key
from tests.support.notify_events import (
    GROUP_ORDER,
    INSTITUTION_ID,
    ORGANISER,
    PEOPLE,
    group_order_closed,
    group_order_settled,
    participant,
)

SETTLED = ("group_order.closed", "group_order.cancelled", "group_order.failed")
MINIMUM = "마감까지 모인 수량 5개가 최소 수량 10개에 못 미쳐 단체 구매가 취소되었습니다."


def closed() -> dict:
    return group_order_closed()["data"]


def cancelled(code="minimum_not_met", reason=MINIMUM) -> dict:
    return group_order_settled("cancelled", code, reason)["data"]


def failed() -> dict:
    return group_order_settled(
        "failed", "order_lines_invalid", "주문을 넣지 못했습니다: 주문할 수 없는 품목이 있습니다."
    )["data"]


def data_of(event_type: str) -> dict:
    return {
        "group_order.closed": closed,
        "group_order.cancelled": cancelled,
        "group_order.failed": failed,
    }[event_type]()


# --- who ----------------------------------------------------------------------------------


def test_the_new_types_can_be_subscribed_to():
    for event_type in (*SETTLED, "order.lines_cancelled", "supplier_order.lines_cancelled"):
        assert event_type in EVENT_TYPES
    assert unknown_patterns(["group_order.*", "supplier_order.lines_cancelled"]) == []
    assert unknown_patterns(["group_order.opened"]) == ["group_order.opened"]  # no message


def test_an_enterprise_hears_of_cancelled_lines_by_sms_by_default_like_a_cancellation():
    assert "supplier_order.lines_cancelled" in ENTERPRISE_DEFAULTS["sms"]
    assert "supplier_order.cancelled" in ENTERPRISE_DEFAULTS["sms"]


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


def test_cancelled_lines_are_known_only_when_each_line_says_so():
    lines = [
        {"line_no": 1, "name": "두부과자 200g", "quantity": 7, "unit": "봉"},
        {"line_no": 2, "name": "호두과자 20개입", "quantity": 2, "unit": "상자"},
    ]
    assert derived("supplier_order.lines_cancelled", {"lines": lines}) == {
        "cancelled_lines": None,
        "remaining_lines": None,
    }
    flagged = [lines[0] | {"cancelled": True}, lines[1] | {"cancelled": False}]
    found = derived("supplier_order.lines_cancelled", {"lines": flagged})
    assert [ln["name"] for ln in found["cancelled_lines"]] == ["두부과자 200g"]
    assert [ln["name"] for ln in found["remaining_lines"]] == ["호두과자 20개입"]


# --- the messages -----------------------------------------------------------------------


def for_participant(event_type: str, who: str, data: dict | None = None) -> dict:
    data = data or data_of(event_type)
    (person,) = [p for p in data["participants"] if p["participant_id"] == PEOPLE[who][0]]
    return shareable(event_type, data) | derived(event_type, data) | {"participant": person}


def test_a_closed_group_order_tells_each_participant_their_quantities_and_amount():
    kim = for_participant("group_order.closed", "kim")
    sms = render_message("sms", "participant/group_order.closed", kim)
    email = render_message(
        "email", "participant/group_order.closed", for_participant("group_order.closed", "lee")
    )

    assert sms.body == (
        "[같이] 광명종합사회복… 단체 구매가 확정되었습니다. 두부과자 200g 3봉 외 1건 75,999원."
    )
    assert (
        email.title == "[같이] 단체 구매가 확정되었습니다: 광명종합사회복지관 김장 나눔 단체 구매"
    )
    assert email.body.startswith("이지수님, 참여하신 단체 구매가 확정되어 주문을 넣었습니다.")
    assert "- 두부과자 200g 4봉\n- 호두과자 20개입 2봉" in email.body
    assert "부담하실 금액: 41,065원 (공급가액 37,332원 / 부가세 3,733원)" in email.body
    assert "납품 요청일: 2026-12-10" in email.body
    assert "이지수님" in email.html and "41,065원" in email.html


def test_amounts_are_whole_won_with_thousands_separators():
    data = closed()
    data["participants"][0] |= {"supply_amount": 1_234_000, "vat_amount": 567, "amount": 1_234_567}
    body = render_message(
        "sms", "participant/group_order.closed", for_participant("group_order.closed", "kim", data)
    ).body
    assert body.endswith(" 1,234,567원.")


@pytest.mark.parametrize(
    ("code", "reason", "sms", "email"),
    [
        (
            "minimum_not_met",
            MINIMUM,
            "[같이] 광명종합사회복… 단체 구매가 최소 수량에 못 미쳐 취소되었습니다.",
            "마감까지 모인 수량이 5개로 최소 수량 10개에 못 미쳐 주문하지 않았습니다.",
        ),
        (
            "cancelled_by_organiser",
            "예산 사정으로 취소합니다",
            "[같이] 광명종합사회복… 단체 구매가 취소되었습니다. 사유: 예산 사정으로 취소합니다",
            "단체 구매를 연 기관에서 취소했습니다.\n취소 사유: 예산 사정으로 취소합니다",
        ),
    ],
)
def test_a_cancelled_group_order_says_why(code, reason, sms, email):
    data = cancelled(code, reason)
    context = for_participant("group_order.cancelled", "kim", data)

    assert render_message("sms", "participant/group_order.cancelled", context).body == sms
    message = render_message("email", "participant/group_order.cancelled", context)
    assert (
        message.title == "[같이] 단체 구매가 취소되었습니다: 광명종합사회복지관 김장 나눔 단체 구매"
    )
    assert email in message.body
    assert "- 두부과자 200g 3봉\n- 포기김치 10kg 1박스" in message.body
    assert "결제나 납품은 없습니다" in message.body


def test_a_failed_group_order_gives_the_reason():
    context = for_participant("group_order.failed", "lee")
    email = render_message("email", "participant/group_order.failed", context)
    assert (
        email.title == "[같이] 단체 구매가 무산되었습니다: 광명종합사회복지관 김장 나눔 단체 구매"
    )
    assert "사유: 주문을 넣지 못했습니다: 주문할 수 없는 품목이 있습니다." in email.body
    sms = render_message("sms", "participant/group_order.failed", context).body
    assert sms.startswith(
        "[같이] 광명종합사회복… 단체 구매가 무산되었습니다. 주문을 넣지 못했습니다"
    )


@pytest.mark.parametrize(
    ("event_type", "data"),
    [
        ("group_order.closed", closed),
        ("group_order.cancelled", cancelled),
        ("group_order.cancelled", lambda: cancelled("cancelled_by_organiser", "예산 사정 변경")),
    ],
)
def test_the_usual_participant_sms_is_one_short_message(event_type, data):
    """Like every SMS template: a title for LMS, one line of body that fits one SMS (90
    EUC-KR bytes). Longer names or a long reason make it an LMS, which the provider sends."""
    message = render_message(
        "sms", f"participant/{event_type}", for_participant(event_type, "kim", data())
    )
    assert sms_bytes(message.body) <= SMS_MAX_BYTES, message.body
    assert len(message.title) <= 20 and "\n" not in message.body


def test_long_titles_and_item_names_are_cut_in_sms_only():
    data = closed()
    data["title"] = "가" * 100
    data["participants"][0]["quantities"][0]["name"] = "나" * 200
    context = for_participant("group_order.closed", "kim", data)
    sms = render_message("sms", "participant/group_order.closed", context).body
    assert "가" * 7 + "…" in sms and "가" * 8 not in sms
    assert "나" * 9 + "…" in sms and "나" * 10 not in sms
    email = render_message("email", "participant/group_order.closed", context)
    assert "가" * 100 in email.title and "나" * 200 in email.body


def test_html_escapes_a_participants_name():
    data = closed()
    data["participants"][1]["name"] = "<b>이지수</b>"
    html = render_message(
        "email",
        "participant/group_order.closed",
        for_participant("group_order.closed", "lee", data),
    ).html
    assert "<b>이지수" not in html and "&lt;b&gt;이지수" in html


def test_the_institution_hears_the_totals_and_who_it_must_call_itself():
    data = closed()
    context = shareable("group_order.closed", data) | derived("group_order.closed", data)
    inbox = render_message("inbox", "group_order.closed", context)
    assert inbox.title == "[단체 구매 확정] 광명종합사회복지관 김장 나눔 단체 구매 · 247,064원"
    assert "참여자 3명의 신청을 모아 주문했습니다" in inbox.body
    assert "공급가액 242,331원 / 부가세 4,733원 / 합계 247,064원" in inbox.body
    assert "참여자 1명에게는 알릴 수 없으니 직접 연락해 주세요" in inbox.body
    assert "010-1234-5678" not in inbox.body and "박민호" not in inbox.body
    everyone = {**data, "participants": data["participants"][:2]}
    reachable = shareable("group_order.closed", everyone) | derived("group_order.closed", everyone)
    assert "직접 연락" not in render_message("inbox", "group_order.closed", reachable).body


@pytest.mark.parametrize(
    ("code", "reason", "says"),
    [
        ("minimum_not_met", MINIMUM, "모인 수량 5개가 최소 수량 10개에 못 미쳐"),
        ("cancelled_by_organiser", "예산 사정", "취소 사유: 예산 사정"),
    ],
)
def test_the_institution_hears_why_it_was_cancelled(code, reason, says):
    data = cancelled(code, reason)
    context = shareable("group_order.cancelled", data) | derived("group_order.cancelled", data)
    message = render_message("inbox", "group_order.cancelled", context)
    assert message.title == "[단체 구매 취소] 광명종합사회복지관 김장 나눔 단체 구매"
    assert says in message.body


# --- cancelled lines --------------------------------------------------------------------


def _lines_cancelled(flagged: bool) -> dict:
    lines = [
        {
            "line_no": 1,
            "product_id": "p1",
            "sku": "S1",
            "name": "두부과자 200g",
            "unit": "봉",
            "quantity": 7,
            "accepted_quantity": None,
            "unit_price": 3333,
            "tax_type": "taxable",
            "supply_amount": 23331,
        },
        {
            "line_no": 2,
            "product_id": "p2",
            "sku": "S2",
            "name": "호두과자 20개입",
            "unit": "상자",
            "quantity": 2,
            "accepted_quantity": None,
            "unit_price": 12000,
            "tax_type": "taxable",
            "supply_amount": 24000,
        },
    ]
    if flagged:
        lines = [lines[0] | {"cancelled": True}, lines[1] | {"cancelled": False}]
    data = {
        "supplier_order_id": "01JSUPPLIERORDER0000000001",
        "order_id": "01JORDER000000000000000001",
        "enterprise_id": "ent-gm-tofu",
        "enterprise_name": "광명두부마을 협동조합",
        "institution_id": "inst-gwangmyeong",
        "status": "pending",
        "needed_by": "2026-12-05",
        "delivery_address": "경기도 광명시 시청로 20",
        "supply_amount": 24000,
        "vat_amount": 2400,
        "total_amount": 26400,
        "reason": "두부과자 불필요",
        "lines": lines,
    }
    return data | derived("supplier_order.lines_cancelled", data)


def test_cancelled_lines_are_named_with_the_new_total():
    data = _lines_cancelled(flagged=True)
    inbox = render_message("inbox", "supplier_order.lines_cancelled", data)
    assert inbox.title == "[품목 취소] 두부과자 200g 취소 · 변경 합계 26,400원"
    assert "취소된 품목\n- 두부과자 200g 7봉" in inbox.body
    assert "남은 품목\n- 호두과자 20개입 2상자" in inbox.body
    assert "취소 사유: 두부과자 불필요" in inbox.body
    assert "공급가액 24,000원 / 부가세 2,400원 / 합계 26,400원" in inbox.body
    sms = render_message("sms", "supplier_order.lines_cancelled", data).body
    assert sms == "[같이] 주문 품목 취소: 두부과자 200g. 변경 합계 26,400원."
    html = render_message("email", "supplier_order.lines_cancelled", data).html
    table = html.split("<table role", 3)[3]  # the lines table: only what is still ordered
    assert "호두과자 20개입" in table and "두부과자" not in table


def test_without_per_line_flags_the_message_still_gives_the_reason_and_the_new_total():
    """orders' supplier-order events do not yet say which lines were cancelled."""
    data = _lines_cancelled(flagged=False)
    inbox = render_message("inbox", "supplier_order.lines_cancelled", data)
    assert inbox.title == "[품목 취소] 공급 주문 일부 품목 취소 · 변경 합계 26,400원"
    assert "취소된 품목은 주문 상세에서 확인해 주세요." in inbox.body
    assert "취소 사유: 두부과자 불필요" in inbox.body and "합계 26,400원" in inbox.body
    sms = render_message("sms", "supplier_order.lines_cancelled", data).body
    assert sms == "[같이] 공급 주문 품목 일부 취소. 변경 합계 26,400원."
    assert sms_bytes(sms) <= SMS_MAX_BYTES
    html = render_message("email", "supplier_order.lines_cancelled", data).html
    assert html.count("<table") == 2  # no lines table: it would show the cancelled ones too


def test_the_institution_hears_which_order_lines_it_cancelled():
    data = {
        "order_id": "01JORDER000000000000000001",
        "institution_id": "inst-gwangmyeong",
        "supply_amount": 89_000,
        "vat_amount": 2_400,
        "total_amount": 91_400,
        "reason": "두부과자 불필요",
        "cancelled_line_nos": [1, 3],
    }
    inbox = render_message("inbox", "order.lines_cancelled", data)
    assert inbox.title == "[품목 취소] 구매 주문(91,400원)의 품목 2개를 취소했습니다"
    assert "01JORDER" not in inbox.title + inbox.body
    assert "취소한 품목 번호: 1, 3\n취소 사유: 두부과자 불필요" in inbox.body
    sms = render_message("sms", "order.lines_cancelled", data).body
    assert sms == "[같이] 주문 품목 2개를 취소했습니다. 변경 합계 91,400원."
