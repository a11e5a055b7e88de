"""Brands (one municipal programme each, e.g. 비츠원) and what it means to carry one."""

from __future__ import annotations

from datetime import date

ROUTING_POLICIES = {
    "local_first": "지역 우선 (같은 시군구, 다음 시도)",
    "fair_share": "균등 배분 (올해 수주 비중이 적은 기업 먼저)",
    "lowest_price": "최저가",
    "fastest": "최단 납기",
}

LISTING_STATUSES = (
    "draft",
    "submitted",
    "in_review",
    "approved",
    "rejected",
    "suspended",
    "expired",
    "withdrawn",
)

DEFAULT_ACCEPTANCE_HOURS = 24
DEFAULT_PRICE_TOLERANCE_PERCENT = 10


def effective_listing_status(status: str, valid_until: date | None, on: date) -> str:
    """The stored status, except that an approval whose term ended before `on` is "expired"."""
    if status == "approved" and (valid_until is None or valid_until < on):
        return "expired"
    return status


def carries_brand(status: str, valid_until: date | None, on: date, *, certified: bool) -> bool:
    """A product carries a brand on `on` when its listing is approved and still valid that
    day and its enterprise holds a certification valid that day."""
    return certified and effective_listing_status(status, valid_until, on) == "approved"


def add_months(start: date, months: int) -> date:
    """`start` plus whole months, clamped to the month's last day (1월 31일 + 1 → 2월 28/29일)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")
