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
