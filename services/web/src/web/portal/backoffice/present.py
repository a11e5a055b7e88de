"""How the back-office screens word what the APIs return: Korean labels, time left,
certification warnings. Plain functions, no Flask, so the unit tests read them directly."""

from __future__ import annotations

from datetime import UTC, date, datetime

from gachi_kit.dates import KST

EXPIRY_WARNING_DAYS = 30  # catalog's scan warns 30 days ahead; the page says it as early

LISTING_STATUS = {
    "draft": "작성 중",
    "submitted": "접수",
    "in_review": "심사 중",
    "approved": "승인",
    "rejected": "반려",
    "suspended": "정지",
    "expired": "만료",
    "withdrawn": "철회",
}
ACTOR_ROLE = {
    "enterprise": "신청 기업",
    "committee": "위원회",
    "admin": "플랫폼 관리자",
    "service": "시스템",
    "system": "시스템",
}
REREVIEW_KIND = {"renewal": "갱신 심사", "change": "변경 재심사"}
PRODUCT_STATUS = {"draft": "준비중", "active": "판매중", "discontinued": "판매중지"}
CERTIFICATION_STATE = {"valid": "유효", "expired": "만료", "upcoming": "시작 전"}
VOTE_CHOICE = {"approve": "승인", "reject": "반려", "abstain": "기권"}
CHANNEL = {
    "inbox": "알림함",
    "email": "이메일",
    "sms": "문자(SMS)",
    "alimtalk": "알림톡",
    "webhook": "웹훅",
}
DELIVERY_STATUS = {
    "pending": "대기",
    "sending": "보내는 중",
    "sent": "보냄",
    "failed": "실패(재시도 예정)",
    "dead": "발송 포기",
    "skipped": "건너뜀",
}
AUDIT_ACTION = {
    "create": "작성",
    "submit": "제출",
    "withdraw": "철회",
    "reapply": "재신청",
    "start_review": "심사 시작",
    "vote": "투표",
    "declare_conflict": "이해충돌 신고",
    "approve": "승인",
    "reject": "반려",
    "suspend": "정지",
    "reinstate": "재개",
    "expire": "만료",
    "record_offline": "오프라인 결정 기록",
    "open_review": "재심사 열림",
    "close_review": "재심사 닫힘",
    "renew": "갱신 승인",
    "approve_change": "변경 승인",
    "refuse_renewal": "갱신 거절",
    "refuse_change": "변경 거절",
    "flag_change": "변경 재심사 요청",
    "add_document": "서류 추가",
    "remove_document": "서류 삭제",
    "expiring_notice": "만료 예정 안내",
}
# Badge colour (KRDS bg-light-*) per state: calm by default, red only where action is due.
TONE = {
    "pending": "warning",
    "submitted": "warning",
    "in_review": "information",
    "accepted": "primary",
    "partially_accepted": "primary",
    "in_production": "information",
    "shipped": "information",
    "delivered": "success",
    "inspected": "success",
    "invoiced": "success",
    "paid": "success",
    "approved": "success",
    "valid": "success",
    "sent": "success",
    "active": "success",
    "declined": "gray",
    "expired": "danger",
    "dead": "danger",
    "failed": "danger",
    "rejected": "danger",
    "suspended": "danger",
    "cancelled": "gray",
    "withdrawn": "gray",
    "draft": "gray",
}


def tone(status: str | None) -> str:
    return TONE.get(status or "", "gray")


def parse_instant(value: str | datetime | None) -> datetime | None:
    """An API timestamp (ISO 8601, naive means UTC) as an aware datetime."""
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def time_left(deadline: str | datetime | None, now: datetime | None = None) -> dict | None:
    """The acceptance deadline as an operator reads it between production runs:
    {"text": "3시간 12분 남음", "urgent": True, "overdue": False}."""
    moment = parse_instant(deadline)
    if moment is None:
        return None
    now = now or datetime.now(UTC)
    seconds = int((moment - now).total_seconds())
    if seconds <= 0:
        return {"text": "수락 기한이 지났습니다", "urgent": True, "overdue": True}
    minutes = max(1, seconds // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        text = f"{days}일 {hours}시간 남음"
    elif hours:
        text = f"{hours}시간 {minutes}분 남음"
    else:
        text = f"{minutes}분 남음"
    return {"text": text, "urgent": seconds < 6 * 3600, "overdue": False}


def days_until(day: str | date | None, today: date | None = None) -> int | None:
    if not day:
        return None
    end = day if isinstance(day, date) else date.fromisoformat(day)
    return (end - (today or datetime.now(KST).date())).days


def certification_notice(cert: dict, today: date | None = None) -> str | None:
    """A warning for a certification that lapses soon or has lapsed; None when calm."""
    left = days_until(cert.get("valid_to"), today)
    if left is None:
        return None
    if left < 0 or cert.get("state") == "expired":
        return "인증 기간이 끝났습니다. 브랜드 상품은 판매가 정지될 수 있습니다."
    if left <= EXPIRY_WARNING_DAYS:
        return f"인증이 {left}일 뒤에 끝납니다. 갱신한 인증서를 관리자에게 보내 주세요."
    return None
