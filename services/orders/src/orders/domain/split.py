"""Splitting an order's priced lines into one supplier order per enterprise: placement and
re-routing both write what it gives (`services/allocation.py`)."""

from __future__ import annotations

from dataclasses import dataclass

from orders.domain.money import ZERO, Amounts, invoice_amounts
from orders.domain.pricing import Snapshot


@dataclass(frozen=True, slots=True)
class PricedLine:
    """Part of an order line allocated to one enterprise's product: a routed group line
    may be spread over several enterprises, so a `line_no` may appear in several parts."""

    line_no: int  # the order line's
    quantity: int
    snapshot: Snapshot  # as catalog priced it, kept for the record

    @property
    def enterprise_id(self) -> str:
        return self.snapshot.enterprise_id

    @property
    def supply(self) -> int:
        return self.quantity * self.snapshot.unit_price


@dataclass(frozen=True, slots=True)
class SupplierPart:
    enterprise_id: str
    lines: tuple[PricedLine, ...]
    amounts: Amounts


@dataclass(frozen=True, slots=True)
class Split:
    parts: tuple[SupplierPart, ...]
    amounts: Amounts


def split_by_enterprise(lines: list[PricedLine]) -> Split:
    """Group lines by enterprise, in order of first appearance; VAT per supplier order.

    The order's totals are the sums of its parts, so they always add up exactly.
    """
    grouped: dict[str, list[PricedLine]] = {}
    for line in lines:
        grouped.setdefault(line.enterprise_id, []).append(line)
    parts = tuple(
        SupplierPart(
            enterprise_id=enterprise_id,
            lines=tuple(group),
            amounts=invoice_amounts(
                (ln.quantity, ln.snapshot.unit_price, ln.snapshot.tax_type) for ln in group
            ),
        )
        for enterprise_id, group in grouped.items()
    )
    total = ZERO
    for part in parts:
        total = total + part.amounts
    return Split(parts=parts, amounts=total)
