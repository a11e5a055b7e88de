"""How the portal writes money, dates and labels: 1,234,000원, 2026. 12. 24., 과세/면세."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from gachi_kit.dates import KST

TAX_TYPES = {"taxable": "과세", "exempt": "면세"}
ORDER_STATUSES = {"placed": "진행 중", "completed": "완료", "cancelled": "취소"}
LINE_STATUSES = {
    "open": "진행 중",
    "allocated": "배정됨",
    "cancelled": "취소",
    "unfulfillable": "공급 불가",
    "completed": "완료",
}
LISTING_STATUSES = {
    "draft": "작성 중",
    "submitted": "신청",
    "in_review": "심사 중",
    "approved": "인정",
    "rejected": "반려",
    "suspended": "정지",
    "expired": "만료",
    "withdrawn": "철회",
}
ROUTING_POLICIES = {
    "local_first": "지역 우선 (같은 시군구, 다음으로 같은 시도)",
    "fair_share": "고른 배분 (올해 주문을 적게 받은 기업부터)",
    "lowest_price": "최저가 우선",
    "fastest": "가장 빠른 납품 우선",
}


def money(value) -> str:
    if value is None or value == "":
        return "-"
    return f"{int(value):,}원"


def number(value) -> str:
    if value is None or value == "":
        return "-"
    return f"{int(value):,}"


def _parse(value):
    if isinstance(value, datetime | date):
        return value
    text = str(value)
    if len(text) == 10:
        return date.fromisoformat(text)
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def day_in_korea(value) -> date:
    """The Korean calendar day of a date, or of a moment in time (the APIs speak UTC)."""
    parsed = _parse(value)
    if isinstance(parsed, datetime):
        return (parsed.astimezone(KST) if parsed.tzinfo else parsed).date()
    return parsed


def korean_date(value) -> str:
    """2026. 12. 24. (the day in Korea for a moment in time)."""
    if not value:
        return "-"
    day = day_in_korea(value)
    return f"{day.year}. {day.month}. {day.day}."


def korean_datetime(value) -> str:
    """2026. 12. 24. 14:05 in Korea."""
    if not value:
        return "-"
    parsed = _parse(value)
    if not isinstance(parsed, datetime):
        return korean_date(parsed)
    local = parsed.astimezone(KST) if parsed.tzinfo else parsed
    return f"{korean_date(local.date())} {local:%H:%M}"


def iso_date(value) -> str:
    """The value of an <input type=date>."""
    return _parse(value).isoformat()[:10] if value else ""


def register_filters(app: Flask) -> None:
    app.jinja_env.filters.update(
        money=money,
        number=number,
        kdate=korean_date,
        kdatetime=korean_datetime,
        isodate=iso_date,
        tax=lambda code: TAX_TYPES.get(code, code or "-"),
        order_status=lambda code: ORDER_STATUSES.get(code, code),
        line_status=lambda code: LINE_STATUSES.get(code, code),
        listing_status=lambda code: LISTING_STATUSES.get(code, code),
        policy=lambda code: ROUTING_POLICIES.get(code, code or "-"),
        pairs=lambda values: [(value, value) for value in values],
        supply_value=lambda lines: sum(line["unit_price"] * line["quantity"] for line in lines),
    )
    app.jinja_env.globals["brand_options"] = lambda brands: [(b["code"], b["name"]) for b in brands]
