"""The back office's own small rules: how a deadline, a certification and a chart are
shown, and how forms become API bodies (no Flask app, no network)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from web.portal.backoffice import pages
from web.portal.backoffice.present import certification_notice, time_left
from web.portal.committee.views import kind_of, vote_body
from web.portal.enterprise.orders import answer_lines
from web.portal.enterprise.products import product_fields

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
LINES = [
    {"line_no": 1, "quantity": 100, "name": "두부과자"},
    {"line_no": 2, "quantity": 40, "name": "포기김치 10kg"},
]


@pytest.mark.parametrize(
    ("deadline", "text", "urgent"),
    [
        (NOW + timedelta(days=1, hours=2, minutes=5), "1일 2시간 남음", False),
        (NOW + timedelta(hours=7, minutes=30), "7시간 30분 남음", False),
        (NOW + timedelta(hours=3, minutes=12), "3시간 12분 남음", True),
        (NOW + timedelta(seconds=20), "1분 남음", True),
        (NOW - timedelta(minutes=1), "수락 기한이 지났습니다", True),
    ],
)
def test_time_left_reads_like_a_countdown(deadline, text, urgent):
    left = time_left(deadline.isoformat(), NOW)
    assert left["text"] == text
    assert left["urgent"] is urgent


def test_time_left_treats_a_naive_api_time_as_utc_and_none_as_nothing():
    assert time_left("2026-12-01T05:00:00", NOW)["text"] == "2시간 0분 남음"
    assert time_left(None, NOW) is None


@pytest.mark.parametrize(
    ("valid_to", "state", "expected"),
    [
        ("2027-06-30", "valid", None),
        ("2026-12-20", "valid", "인증이 19일 뒤에 끝납니다."),
        ("2026-11-30", "expired", "인증 기간이 끝났습니다."),
    ],
)
def test_certification_notice_warns_a_month_ahead(valid_to, state, expected):
    notice = certification_notice({"valid_to": valid_to, "state": state}, date(2026, 12, 1))
    assert (notice is None) if expected is None else notice.startswith(expected)


def test_accepting_everything_sends_no_lines():
    form = MultiDict({"accepted_1": "100", "accepted_2": ""})
    assert answer_lines(form, LINES) == {}


def test_accepting_part_of_a_line_sends_every_line_with_the_reason():
    form = MultiDict({"accepted_1": "1,00", "accepted_2": "25", "reason_2": "이번 주 배추 부족"})
    assert answer_lines(form, LINES) == {
        "lines": [
            {"line_no": 1, "accepted_quantity": 100},
            {"line_no": 2, "accepted_quantity": 25, "reason": "이번 주 배추 부족"},
        ]
    }


def test_partial_acceptance_needs_a_reason_and_no_more_than_ordered():
    form = MultiDict({"accepted_1": "120", "accepted_2": "10", "accepted_x": "1"})
    with pytest.raises(pages.FormInvalid) as refused:
        answer_lines(form, LINES)
    assert refused.value.errors == {
        "accepted_1": ["주문 수량(100)보다 많이 수락할 수 없습니다."],
        "reason_2": ["수락하지 않는 수량의 사유를 적어 주세요."],
    }


def test_a_quantity_typed_as_words_gets_a_korean_message():
    with pytest.raises(pages.FormInvalid) as refused:
        answer_lines(MultiDict({"accepted_1": "열 개"}), LINES[:1])
    assert refused.value.errors == {"accepted_1": ["수락 수량은 0 이상의 숫자로 적어 주세요."]}


CRITERIA = [{"code": "social_value", "name": "사회적 가치"}, {"code": "quality", "name": "품질"}]


def test_a_vote_scores_every_criterion():
    form = MultiDict({"choice": "approve", "score_social_value": "5", "score_quality": "4"})
    assert vote_body(form, CRITERIA) == {
        "choice": "approve",
        "scores": {"social_value": 5, "quality": 4},
        "comment": "",
    }


def test_a_rejection_needs_scores_and_a_comment_but_an_abstention_neither():
    with pytest.raises(pages.FormInvalid) as refused:
        vote_body(MultiDict({"choice": "reject", "score_quality": "9"}), CRITERIA)
    assert set(refused.value.errors) == {"scores.social_value", "scores.quality", "comment"}
    assert vote_body(MultiDict({"choice": "abstain"}), CRITERIA)["scores"] == {}


def test_queue_items_are_new_renewal_or_change():
    assert kind_of({"rereview": None}) == "new"
    assert kind_of({"rereview": {"kind": "renewal"}}) == "renewal"


def test_product_form_becomes_the_catalog_body():
    form = MultiDict(
        {
            "sku": "TOFU-01",
            "name": "국산콩 두부",
            "category": "processed_food",
            "unit": "모",
            "tax_type": "exempt",
            "status": "active",
            "unit_price": "3,500",
            "min_order_qty": "10",
            "lead_time_days": "2",
            "weekly_capacity": "",
            "stock": "",
            "image_urls": "https://img.example.kr/a.jpg\n\nhttps://img.example.kr/b.jpg",
            "tags": "두부, 국산콩",
        }
    )
    body = product_fields(form, creating=True)
    assert body["unit_price"] == 3500 and body["weekly_capacity"] is None
    assert body["image_urls"] == ["https://img.example.kr/a.jpg", "https://img.example.kr/b.jpg"]
    assert body["tags"] == ["두부", "국산콩"] and body["group_code"] is None


def test_product_form_names_each_missing_field_in_korean():
    with pytest.raises(pages.FormInvalid) as refused:
        product_fields(MultiDict({"unit_price": "삼천원"}), creating=True)
    errors = refused.value.errors
    assert errors["name"] == ["상품명을 적어 주세요."]
    assert errors["unit_price"] == ["단가는 0 이상의 숫자로 적어 주세요."]
    assert "sku" in errors and "min_order_qty" in errors


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("상품명", "상품명을"),
        ("단가", "단가를"),
        ("수락 기한(시간)", "수락 기한(시간)을"),
        ("SKU", "SKU을(를)"),
    ],
)
def test_particle_follows_the_last_hangul_syllable(word, expected):
    assert pages.particle(word, "을", "를") == expected
