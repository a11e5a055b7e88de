"""Korean labels shown on pages: supplier-order states as the buyer and enterprise know them."""

from __future__ import annotations

STATE_LABELS = {
    "pending": "수락 대기",
    "accepted": "수락",
    "partially_accepted": "부분 수락",
    "declined": "거절",
    "expired": "기한 만료",
    "in_production": "생산 중",
    "shipped": "배송 중",
    "delivered": "납품 완료",
    "inspected": "검수 완료",
    "invoiced": "세금계산서 발행",
    "paid": "대금 지급",
    "cancelled": "취소",
    "rerouted": "다른 기업으로 재배정",
}

# A later event never moves the status we show backwards (events arrive in any order).
STATE_RANK = {
    "pending": 0,
    "accepted": 1,
    "partially_accepted": 1,
    "declined": 1,
    "expired": 1,
    "rerouted": 1,
    "in_production": 2,
    "shipped": 3,
    "delivered": 4,
    "inspected": 5,
    "invoiced": 6,
    "paid": 7,
    "cancelled": 8,
}


def label(state: str | None) -> str:
    return STATE_LABELS.get(state or "", state or "알 수 없음")
