"""The Korean messages of a settled group order in notify: what each participant reads by
SMS and e-mail (SMS kept to one 90-byte message where it can be), and what the organiser's
institution reads in its inbox."""

from __future__ import annotations

import pytest

from notify.adapters.templates import render_message
from notify.adapters.texting import SMS_MAX_BYTES, sms_bytes
from notify.domain.messages import derived, shareable
from tests.support.notify_events import PEOPLE
from tests.support.notify_group_orders import MINIMUM, cancelled, closed, data_of


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
