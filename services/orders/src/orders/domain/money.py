"""Money rules: whole KRW integers, a supplier order is the unit of a tax invoice.

supply = Σ quantity × unit price; VAT = floor(10% of the taxable supply) (원 미만 절사);
면세 lines carry no VAT; total = supply + VAT.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

VAT_RATE_PERCENT = 10


@dataclass(frozen=True, slots=True)
class Amounts:
    supply: int
    vat: int
    total: int

    def __add__(self, other: Amounts) -> Amounts:
        return Amounts(self.supply + other.supply, self.vat + other.vat, self.total + other.total)


ZERO = Amounts(0, 0, 0)


def line_supply(quantity: int, unit_price: int) -> int:
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (quantity, unit_price)):
        raise TypeError("KRW amounts and quantities are integers")
    if quantity < 0 or unit_price < 0:
        raise ValueError("quantity and unit price cannot be negative")
    return quantity * unit_price


def invoice_amounts(lines: Iterable[tuple[int, int, str]]) -> Amounts:
    """Amounts of one tax invoice from (quantity, unit_price, tax_type) lines."""
    supply = taxable = 0
    for quantity, unit_price, tax_type in lines:
        amount = line_supply(quantity, unit_price)
        supply += amount
        if tax_type == "taxable":
            taxable += amount
        elif tax_type != "exempt":
            raise ValueError(f"unknown tax type {tax_type!r}")
    vat = taxable * VAT_RATE_PERCENT // 100
    return Amounts(supply=supply, vat=vat, total=supply + vat)
