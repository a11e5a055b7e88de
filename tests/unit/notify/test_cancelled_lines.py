"""Cancelled order lines in notify, as plain rules: an enterprise hears of them by SMS by
default, the lines cancelled and remaining are named only when each line says so, and the
Korean messages give the reason and the new total."""

from __future__ import annotations

from notify.adapters.templates import render_message
from notify.adapters.texting import SMS_MAX_BYTES, sms_bytes
from notify.domain.catalogue import ENTERPRISE_DEFAULTS
from notify.domain.messages import derived


def test_an_enterprise_hears_of_cancelled_lines_by_sms_by_default_like_a_cancellation():
    assert "supplier_order.lines_cancelled" in ENTERPRISE_DEFAULTS["sms"]
    assert "supplier_order.cancelled" in ENTERPRISE_DEFAULTS["sms"]


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
