"""The brand committee's decisions reach the enterprise in Korean, with names, not ids."""

import pytest

from notify.adapters.templates import render_message
from notify.domain.catalogue import EVENT_TYPES
from notify.domain.recipients import recipients

LISTING = {
    "listing_id": "01JLISTING0000000000000001",
    "brand_code": "BITSONE",
    "brand_name": "비츠원",
    "product_id": "01JPRODUCT0000000000000001",
    "product_name": "국산콩 두부과자 200g",
    "enterprise_id": "01JENTERPRISE0000000000001",
    "valid_until": "2028-11-25",
}
EXPECTED_TITLES = {
    "listing.review_started": "[심사 시작] 비츠원 브랜드 입점 심사가 시작되었습니다",
    "listing.approved": "[입점 승인] 비츠원 브랜드 입점이 승인되었습니다",
    "listing.rejected": "[입점 반려] 비츠원 브랜드 입점 신청이 반려되었습니다",
    "listing.suspended": "[입점 정지] 비츠원 브랜드 판매가 정지되었습니다",
    "listing.reinstated": "[입점 재개] 비츠원 브랜드 판매가 다시 시작되었습니다",
    "listing.expiring": "[입점 만료 예정] 비츠원 브랜드 입점 기간이 곧 끝납니다",
    "listing.expired": "[입점 만료] 비츠원 브랜드 입점 기간이 끝났습니다",
    "listing.renewed": "[갱신 승인] 비츠원 브랜드 입점이 갱신되었습니다",
    "listing.renewal_refused": "[갱신 불가] 비츠원 브랜드 입점 갱신이 승인되지 않았습니다",
    "listing.change_approved": "[변경 승인] 비츠원 브랜드 상품 변경이 승인되었습니다",
}


@pytest.mark.parametrize("event_type,title", sorted(EXPECTED_TITLES.items()))
def test_each_listing_event_reaches_the_enterprise_by_name(event_type, title):
    data = LISTING | {"status": event_type.split(".")[1], "reason": "위생 점검 결과 미흡"}
    assert event_type in EVENT_TYPES
    (recipient,) = recipients(event_type, data)
    assert (recipient.recipient_type, recipient.recipient_id) == (
        "enterprise",
        LISTING["enterprise_id"],
    )
    inbox = render_message("inbox", event_type, data)
    assert inbox.title == title
    assert "국산콩 두부과자 200g" in inbox.body and "01JPRODUCT" not in inbox.body
    assert render_message("sms", event_type, data).body.startswith("[같이] 비츠원")


def test_older_events_without_names_still_render_with_ids():
    data = {k: v for k, v in LISTING.items() if k not in ("brand_name", "product_name")}
    inbox = render_message("inbox", "listing.approved", data)
    assert "BITSONE" in inbox.title and LISTING["product_id"] in inbox.body


def test_rejection_and_suspension_carry_the_reason():
    for event_type in ("listing.rejected", "listing.suspended"):
        body = render_message("inbox", event_type, LISTING | {"reason": "기업 인증 만료"}).body
        assert "사유: 기업 인증 만료" in body


# -- re-reviews: the enterprise and the committee both hear about them ----------------------

CHANGES = [
    {"field": "name", "old": "두부과자 200g", "new": "두부과자 250g"},
    {"field": "unit_price", "old": 3500, "new": 3900},
    {"field": "image_urls", "old": [], "new": ["https://img.example.kr/a.jpg"]},
]


@pytest.mark.parametrize(
    "event_type,title",
    [
        ("listing.renewal_opened", "[갱신 심사] 비츠원 브랜드 입점 갱신 심사가 열렸습니다"),
        ("listing.change_flagged", "[변경 심사] 비츠원 브랜드 상품의 변경 내용을 다시 심사합니다"),
    ],
)
def test_rereviews_reach_enterprise_and_committee(event_type, title):
    data = LISTING | {"status": "approved", "changes": CHANGES, "days_left": 60}
    assert event_type in EVENT_TYPES
    found = {(r.recipient_type, r.recipient_id) for r in recipients(event_type, data)}
    assert found == {("enterprise", LISTING["enterprise_id"]), ("committee", "BITSONE")}
    inbox = render_message("inbox", event_type, data)
    assert inbox.title == title and "판매는 계속됩니다" in inbox.body
    assert render_message("sms", event_type, data).body.startswith("[같이] 비츠원")


def test_change_flagged_lists_what_changed_in_korean():
    body = render_message("inbox", "listing.change_flagged", LISTING | {"changes": CHANGES}).body
    assert "- 상품명: 두부과자 200g → 두부과자 250g" in body
    assert "- 단가: 3,500원 → 3,900원" in body
    assert "- 이미지 변경" in body


def test_review_started_names_the_kind_of_review():
    renewal = LISTING | {"review_kind": "renewal"}
    assert "갱신 심사" in render_message("inbox", "listing.review_started", renewal).title
    change = LISTING | {"review_kind": "change"}
    assert "변경 심사" in render_message("inbox", "listing.review_started", change).title


def test_renewal_refused_says_until_when_and_why():
    data = LISTING | {"reason": "반품률 증가"}
    body = render_message("inbox", "listing.renewal_refused", data).body
    assert "2028-11-25까지" in body and "사유: 반품률 증가" in body
