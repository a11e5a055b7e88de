"""Rules for subscriptions as plain code: which address a channel takes, what a caller may
subscribe to. Every refusal names its field, for a 422 with field errors."""

from __future__ import annotations

import re

from notify.domain.catalogue import (
    CHANNELS,
    DIGEST_CHANNELS,
    DIGESTS,
    INBOX_RECIPIENTS,
    SUBSCRIBERS,
    unknown_patterns,
)

_EMAIL = re.compile(
    r"^[^@\s<>\"',;]{1,64}@[A-Za-z0-9가-힣](?:[A-Za-z0-9가-힣.-]{0,251})\.[A-Za-z가-힣]{2,}$"
)
_MOBILE = re.compile(r"^01[016789]\d{7,8}$")
_PHONE = re.compile(r"^0\d{8,10}$")
MAX_EVENT_TYPES = 50


def phone_digits(phone: str) -> str:
    return "".join(ch for ch in str(phone) if ch.isdigit())


def is_mobile(phone: str | None) -> bool:
    """Korean mobile numbers (010, 011, 016–019): the only ones that receive SMS/알림톡."""
    return bool(phone) and bool(_MOBILE.match(phone_digits(phone)))


def is_email(value: str | None) -> bool:
    return bool(value) and len(value) <= 254 and bool(_EMAIL.match(value))


def address_errors(channel: str, address: str, recipient_type: str) -> dict[str, list[str]]:
    """Field errors for a channel and address (webhook URLs are checked for SSRF apart)."""
    if channel not in CHANNELS:
        return {"channel": [f"채널은 {', '.join(CHANNELS)} 중 하나입니다."]}
    if recipient_type not in SUBSCRIBERS:  # a group-order participant has no subscriptions
        return {"recipient_type": [f"수신자 종류는 {', '.join(SUBSCRIBERS)} 중 하나입니다."]}
    if channel == "inbox":
        if recipient_type not in INBOX_RECIPIENTS:
            return {"channel": ["이 수신자에게는 받은 알림함이 없습니다."]}
        if address:
            return {"address": ["받은 알림함에는 주소를 쓰지 않습니다."]}
    elif channel == "email" and not is_email(address):
        return {"address": ["올바른 이메일 주소가 아닙니다."]}
    elif channel in ("sms", "alimtalk") and not is_mobile(address):
        return {"address": ["문자와 알림톡은 휴대전화 번호(010으로 시작)로만 받을 수 있습니다."]}
    elif channel == "webhook" and not address:
        return {"address": ["웹훅 주소(https://...)가 필요합니다."]}
    return {}


def event_type_errors(patterns: list[str]) -> dict[str, list[str]]:
    if not patterns:
        return {"event_types": ['받을 이벤트를 하나 이상 고르세요(모두 받으려면 "*").']}
    if len(patterns) > MAX_EVENT_TYPES:
        return {"event_types": [f"이벤트는 {MAX_EVENT_TYPES}개까지 고를 수 있습니다."]}
    unknown = unknown_patterns(patterns)
    if unknown:
        return {"event_types": [f"알 수 없는 이벤트 종류: {', '.join(unknown)}"]}
    return {}


def digest_errors(channel: str, digest: str | None) -> dict[str, list[str]]:
    if digest is None:
        return {}
    if digest not in DIGESTS:
        return {"digest": [f"모아 보내기는 {', '.join(DIGESTS)} 중 하나입니다."]}
    if channel not in DIGEST_CHANNELS:
        return {"digest": ["모아 보내기는 이메일에서만 쓸 수 있습니다."]}
    return {}


def normalise_address(channel: str, address: str) -> str:
    address = (address or "").strip()
    if channel in ("sms", "alimtalk"):
        return phone_digits(address)
    if channel == "email":
        local, _, domain = address.rpartition("@")
        return f"{local}@{domain.lower()}" if local else address
    return address
