"""The documents buyers file: 거래명세서 (statement of transaction, per supplier order),
검수조서 (inspection record, after 검수) and 견적서 (quotation, per enterprise of a cart).
Plain data and the rules for what they say; `adapters/pdf_documents.py` draws them.

Fields follow the practice templates (no statutory form was found): the parties' names and
사업자등록번호, the lines (품명, 단위, 수량, 단가, 공급가액, 세액), supply value, VAT and
total in figures and in Korean words (금 일백이십삼만사천원정), the date and a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

KINDS = {"statement": "거래명세서", "inspection": "검수조서", "quotation": "견적서"}
PREFIXES = {"statement": "TS", "inspection": "IR", "quotation": "QT"}
QUOTATION_VALID_DAYS = 30  # 견적 유효기간: the practice templates' usual 30 days

_DIGITS = "영일이삼사오육칠팔구"
_SMALL_UNITS = ("", "십", "백", "천")
_GROUP_UNITS = ("", "만", "억", "조", "경")


def korean_number(value: int) -> str:
    """1234000 → 일백이십삼만사천: the formal reading used on money documents, which keeps
    일 before 십, 백 and 천 so nothing can be added in front of a unit."""
    if value < 0:
        raise ValueError("amounts on documents are not negative")
    if value == 0:
        return "영"
    groups, words = [], []
    while value:
        value, group = divmod(value, 10_000)
        groups.append(group)
    if len(groups) > len(_GROUP_UNITS):
        raise ValueError("amount too large for a document")
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if not group:
            continue
        digits = f"{group:04d}"
        part = "".join(
            _DIGITS[int(d)] + _SMALL_UNITS[3 - i] for i, d in enumerate(digits) if d != "0"
        )
        words.append(part + _GROUP_UNITS[index])
    return "".join(words)


def amount_in_words(value: int) -> str:
    """금 일백이십삼만사천원정 (정: nothing follows)."""
    return f"금 {korean_number(value)}원정"


@dataclass(frozen=True, slots=True)
class Party:
    role: str  # 공급자 | 공급받는자
    name: str
    brn: str | None  # 10 digits, shown as 123-45-67890


@dataclass(frozen=True, slots=True)
class DocumentLine:
    no: int
    name: str
    unit: str
    quantity: int
    unit_price: int
    supply: int
    tax_type: str  # taxable | exempt
    note: str = ""


@dataclass(frozen=True, slots=True)
class Document:
    kind: str
    number: str
    issued_on: date
    supplier: Party
    buyer: Party
    lines: tuple[DocumentLine, ...]
    supply: int
    vat: int
    total: int
    notes: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return KINDS[self.kind]


def document_number(kind: str, subject_id: str, on: date) -> str:
    """TS-20261130-<the supplier order's id> (QT-…-<the quotation's id>): stable for one
    subject and day."""
    return f"{PREFIXES[kind]}-{on:%Y%m%d}-{subject_id}"


def shown_brn(digits: str | None) -> str:
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}" if digits else "-"
