"""Group orders (단체 구매): states, rules, share codes, participant secrets and shares.

An organiser opens a group order; participants join with its share code, without an
account, and set their quantities until the deadline. At the deadline it closes: minimum
met → one order for the summed quantities and each participant's part of its amounts;
not met → cancelled. Plain code: no database, no HTTP.

    open ──▶ closed     (order placed: at the deadline, or early by the organiser)
      ├───▶ cancelled   (minimum not met at the deadline, or cancelled by the organiser)
      └───▶ failed      (placement refused: no eligible supplier, not enough capacity, …)
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from gachi_kit.dates import KST
from orders.domain import states
from orders.domain.shares import apportion
from orders.domain.states import InvalidTransition  # noqa: F401 (callers catch it from here)

OPEN = "open"
CLOSED = "closed"
CANCELLED = "cancelled"
FAILED = "failed"

TRANSITIONS: dict[str, frozenset[str]] = {
    OPEN: frozenset({CLOSED, CANCELLED, FAILED}),
    CLOSED: frozenset(),
    CANCELLED: frozenset(),
    FAILED: frozenset(),
}
STATES = frozenset(TRANSITIONS)
FINAL = frozenset(s for s, targets in TRANSITIONS.items() if not targets)

LABELS = {OPEN: "모집 중", CLOSED: "주문 완료", CANCELLED: "취소", FAILED: "주문 실패"}

# Participants: active until they withdraw (rows are kept, never deleted).
ACTIVE = "active"
WITHDRAWN = "withdrawn"

MAX_ITEMS = 50
MAX_PARTICIPANTS = 1000
MAX_ITEM_TOTAL = 10_000_000  # what one order line may carry
MAX_DEADLINE_DAYS = 90
# After this many attempts that could not reach a verdict (catalog down, a bug), a due
# group order is failed instead of retried every minute for ever.
MAX_CLOSE_ATTEMPTS = 1440

# Share codes: 8 characters from 32 symbols without 0/O/1/I (40 bits), typed by people.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8
_CODE_RE = re.compile(f"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")

_PHONE_RE = re.compile(r"^0\d{1,2}-?\d{3,4}-?\d{4}$")
_EMAIL_RE = re.compile(
    r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$"
)


def transition(current: str, target: str) -> str:
    return states.transition(current, target, TRANSITIONS, LABELS)


# --- entries: joining and changing quantities -----------------------------------------


class EntriesClosed(Exception):
    """Joining or changing quantities is no longer possible; `current` says why."""

    def __init__(self, current: str, reason: str) -> None:
        super().__init__(reason)
        self.current = current
        self.reason = reason


def check_accepting_entries(status: str, deadline: datetime, now: datetime) -> None:
    if status != OPEN:
        raise EntriesClosed(status, f"이미 {LABELS[status]}된 단체 구매입니다.")
    if now >= deadline:
        raise EntriesClosed(status, "참여 마감 시간이 지났습니다.")


def accepting_entries(status: str, deadline: datetime, now: datetime) -> bool:
    return status == OPEN and now < deadline


def quantities_problem(entries: Sequence[Mapping], item_nos: Iterable[int]) -> str | None:
    """Why a participant's quantities cannot be taken (Korean), or None."""
    known = set(item_nos)
    seen: set[int] = set()
    for entry in entries:
        if entry["item_no"] not in known:
            return f"없는 품목 번호입니다: {entry['item_no']}"
        if entry["item_no"] in seen:
            return f"품목 번호가 두 번 있습니다: {entry['item_no']}"
        seen.add(entry["item_no"])
    if not any(entry["quantity"] > 0 for entry in entries):
        return "한 품목 이상 수량을 입력하세요."
    return None


def as_quantities(entries: Iterable[Mapping]) -> dict[int, int]:
    """{item_no: quantity} without zeros (a missing item is 0)."""
    return {int(e["item_no"]): int(e["quantity"]) for e in entries if e["quantity"] > 0}


def item_totals(participants: Iterable[Mapping[int, int]]) -> dict[int, int]:
    totals: dict[int, int] = {}
    for quantities in participants:
        for item_no, quantity in quantities.items():
            totals[item_no] = totals.get(item_no, 0) + quantity
    return totals


def minimum_met(total: int, minimum: int) -> bool:
    return total >= minimum


# --- opening ---------------------------------------------------------------------------


def opening_problems(
    deadline: datetime, needed_by: date, now: datetime, items: Sequence[Mapping]
) -> dict[str, list[str]]:
    """Field errors (Korean) of a group order about to be opened."""
    errors: dict[str, list[str]] = {}
    if deadline <= now:
        errors["deadline"] = ["마감 시간은 지금 이후여야 합니다."]
    elif deadline > now + timedelta(days=MAX_DEADLINE_DAYS):
        errors["deadline"] = [f"마감 시간은 {MAX_DEADLINE_DAYS}일 이내여야 합니다."]
    if needed_by <= deadline.astimezone(KST).date():
        errors["needed_by"] = ["납품 요청일은 마감일 다음 날 이후여야 합니다."]
    targets = [item.get("product_id") or f"group:{item.get('group_code')}" for item in items]
    if len(set(targets)) != len(targets):
        errors["items"] = ["같은 상품이나 상품군을 두 번 넣을 수 없습니다."]
    return errors


def new_share_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_share_code(raw: str) -> str | None:
    """What a person typed ("abcd-efgh", "ABCD EFGH") as the stored code, or None."""
    code = re.sub(r"[\s-]", "", raw or "").upper()
    return code if _CODE_RE.match(code) else None


# --- participants ----------------------------------------------------------------------


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    # A 256-bit random secret needs no slow hash: it cannot be guessed, only stolen.
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str | None, stored_hash: str) -> bool:
    if not secret:
        return False
    return hmac.compare_digest(hash_secret(secret), stored_hash)


def normalise_contact(raw: str) -> tuple[str, str] | None:
    """("phone", "010-1234-5678") or ("email", "a@b.kr"), or None when it is neither."""
    value = raw.strip()
    if _PHONE_RE.match(value):
        digits = value.replace("-", "")
        if digits.startswith("02"):
            head, rest = digits[:2], digits[2:]
        else:
            head, rest = digits[:3], digits[3:]
        return "phone", f"{head}-{rest[:-4]}-{rest[-4:]}"
    if len(value) <= 254 and _EMAIL_RE.match(value):
        local, _, domain = value.rpartition("@")
        return "email", f"{local}@{domain.lower()}"
    return None


# --- each participant's part of the order's amounts ------------------------------------


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """One supplier-order line: its group-order item and its supply amount."""

    item_no: int
    supply: int
    taxable: bool


@dataclass(frozen=True, slots=True)
class Invoice:
    """One supplier order (one tax invoice) of the placed order."""

    key: str
    vat: int
    lines: tuple[InvoiceLine, ...]


@dataclass(slots=True)
class ParticipantShare:
    supply: int = 0
    vat: int = 0
    # per invoice key: (supply, vat)
    by_invoice: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.supply + self.vat


def participant_shares(
    quantities: Mapping[str, Mapping[int, int]], invoices: Sequence[Invoice]
) -> dict[str, ParticipantShare]:
    """Each participant's part of every invoice, in exact whole KRW.

    Every supplier-order line's supply is apportioned over the participants by their
    quantity of its item (a group item may be supplied by several enterprises at several
    prices); each invoice's VAT over them by their taxable supply in that invoice. So the
    participants' supplies add up to each line's, their VATs to each invoice's, and their
    totals to the order's.
    """
    keys = list(quantities)
    shares = {key: ParticipantShare() for key in keys}
    for invoice in invoices:
        supply = dict.fromkeys(keys, 0)
        taxable = dict.fromkeys(keys, 0)
        for line in invoice.lines:
            weights = [quantities[k].get(line.item_no, 0) for k in keys]
            for key, part in zip(keys, apportion(line.supply, weights), strict=True):
                supply[key] += part
                if line.taxable:
                    taxable[key] += part
        vat_parts = apportion(invoice.vat, [taxable[k] for k in keys])
        for key, vat in zip(keys, vat_parts, strict=True):
            if supply[key] or vat:
                share = shares[key]
                share.supply += supply[key]
                share.vat += vat
                share.by_invoice[invoice.key] = (supply[key], vat)
    return shares
