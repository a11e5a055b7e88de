"""Purchases made outside the platform (나라장터, direct contracts): the rules for one
recorded purchase, whether typed in or read from a spreadsheet row.

The enterprise is named by its 사업자등록번호 (check digit verified here, matched against
catalog by the use case), so its categories are known like a platform order's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from gachi_kit.brn import InvalidBRN, normalize_brn
from orders.domain.performance import MAX_KRW

CHANNELS = {"narajangteo": "나라장터", "direct": "수의계약(직접)", "other": "기타"}
CHANNEL_BY_LABEL = {
    "나라장터": "narajangteo",
    "수의계약": "direct",
    "직접": "direct",
    "기타": "other",
}
WHOLE_WON = "원 단위 정수여야 합니다 (소수·음수 불가)."
NO_EVIDENCE_DATE = "검수일, 납품일, 지급일 중 하나는 있어야 합니다."

# Spreadsheet columns: key → accepted headers (the first is how messages call it).
COLUMNS: dict[str, tuple[str, ...]] = {
    "enterprise_brn": ("사업자등록번호", "brn"),
    "item_name": ("품명", "item_name"),
    "supply_amount": ("공급가액", "supply_amount"),
    "vat_amount": ("부가세", "세액", "vat_amount"),
    "total_amount": ("합계", "total_amount"),
    "channel": ("구매경로", "구매 경로", "channel"),
    "department": ("부서", "department"),
    "contract_on": ("계약일", "contract_on"),
    "delivered_on": ("납품일", "delivered_on"),
    "inspected_on": ("검수일", "inspected_on"),
    "paid_on": ("지급일", "paid_on"),
    "evidence_reference": ("증빙", "증빙번호", "evidence_reference"),
}
REQUIRED = ("enterprise_brn", "item_name", "supply_amount", "evidence_reference")
DATES = ("contract_on", "delivered_on", "inspected_on", "paid_on")


@dataclass(frozen=True, slots=True)
class CertificationPeriod:
    valid_from: date
    valid_to: date

    def covers(self, on: date) -> bool:
        return self.valid_from <= on <= self.valid_to


@dataclass(frozen=True, slots=True)
class DirectoryEntry:
    """An enterprise as catalog's directory lists it, with its certification periods."""

    enterprise_id: str
    name: str
    enterprise_type: str
    brn: str
    periods: tuple[CertificationPeriod, ...] = ()

    def with_periods(self, periods: tuple[CertificationPeriod, ...]) -> DirectoryEntry:
        return replace(self, periods=periods)

    def certified_on(self, on: date) -> bool:
        return any(p.covers(on) for p in self.periods)


def membership_date(fields: dict) -> date:
    """The day whose type and certification decide the categories: the contract date (as a
    platform order's placement), else the first evidence date."""
    for name in ("contract_on", "inspected_on", "delivered_on", "paid_on"):
        if fields.get(name):
            return fields[name]
    raise ValueError(NO_EVIDENCE_DATE)


def check_purchase(fields: dict) -> dict[str, str]:
    """Field errors of one purchase (already typed); {} when it may be recorded."""
    errors: dict[str, str] = {}
    try:
        fields["enterprise_brn"] = normalize_brn(fields.get("enterprise_brn") or "")
    except InvalidBRN as exc:
        errors["enterprise_brn"] = str(exc)
    supply, vat = fields.get("supply_amount"), fields.get("vat_amount") or 0
    total = fields.get("total_amount")
    if supply is not None and total is not None and total != supply + vat:
        errors["total_amount"] = f"합계는 공급가액과 부가세의 합({supply + vat:,}원)이어야 합니다."
    if supply is not None and vat > supply:
        errors["vat_amount"] = "부가세가 공급가액보다 클 수 없습니다."
    if not any(fields.get(name) for name in ("inspected_on", "delivered_on", "paid_on")):
        errors["inspected_on"] = NO_EVIDENCE_DATE
    return errors


def parse_won(text: str) -> int:
    """'1,234,000', '1234000원' or '1234000.0' → 1234000; anything else is ValueError."""
    cleaned = text.replace(",", "").replace("원", "").strip()
    if re.fullmatch(r"[0-9]+(\.0+)?", cleaned) is None:
        raise ValueError(WHOLE_WON)
    value = int(cleaned.split(".")[0])
    if value > MAX_KRW:
        raise ValueError(WHOLE_WON)
    return value


def parse_day(text: str) -> date:
    match = re.fullmatch(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})", text.strip())
    if match is None:
        raise ValueError("날짜는 2026-03-05 형식이어야 합니다.")
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError as exc:
        raise ValueError("없는 날짜입니다.") from exc


def parse_channel(text: str) -> str:
    if text in CHANNELS:
        return text
    for label, code in CHANNEL_BY_LABEL.items():
        if label in text:
            return code
    raise ValueError("구매경로는 나라장터, 수의계약, 기타 중 하나여야 합니다.")


def parse_row(cells: dict[str, str]) -> tuple[dict, dict[str, str]]:
    """(typed fields, errors by column key) of one spreadsheet row's non-blank cells."""
    fields: dict = {}
    errors: dict[str, str] = {}
    for key in REQUIRED:
        if not cells.get(key):
            errors[key] = "값이 없습니다."
    parsers = {
        "supply_amount": parse_won,
        "vat_amount": parse_won,
        "total_amount": parse_won,
        "channel": parse_channel,
        **dict.fromkeys(DATES, parse_day),
    }
    for key, text in cells.items():
        if not text or key in errors:
            continue
        try:
            fields[key] = parsers.get(key, str)(text)
        except ValueError as exc:
            errors[key] = str(exc)
    fields.setdefault("channel", "other")
    fields.setdefault("vat_amount", 0)
    if not errors:
        errors.update(check_purchase(fields))
    return fields, errors
