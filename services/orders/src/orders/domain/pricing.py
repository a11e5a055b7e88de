"""catalog's pricing answer, as orders reads it: frozen values, parsed once at the edge
(`adapters/catalog_client.py`), so the rest of orders never looks a key up in catalog's JSON.

orders owns these types; catalog owns the wire format (`POST /v1/pricing`, fields only ever
added). Plain code: no database, no HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Certification:
    kind: str | None
    number: str | None
    valid_to: date | None


@dataclass(frozen=True, slots=True)
class Listing:
    """The product's listing under the brand the order names."""

    brand_code: str
    status: str
    valid_until: date | None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One product as catalog priced it for the delivery date; an order line keeps a copy."""

    product_id: str
    product_version: int
    sku: str
    name: str
    unit: str
    unit_price: int
    tax_type: str
    lead_time_days: int
    enterprise_id: str
    enterprise_name: str
    enterprise_type: str
    certified: bool
    min_order_qty: int = 1
    weekly_capacity: int | None = None  # None: no weekly limit
    sigungu_code: str | None = None
    certification: Certification | None = None
    listing: Listing | None = None


@dataclass(frozen=True, slots=True)
class ProductGroup:
    code: str
    name: str
    unit: str


@dataclass(frozen=True, slots=True)
class PricedProduct:
    """A line naming one product (by id, or by SKU)."""

    snapshot: Snapshot


@dataclass(frozen=True, slots=True)
class PricedGroup:
    """A line naming a product group: every product on sale in it; orders decides who is
    eligible (domain/routing.py)."""

    group: ProductGroup
    candidates: tuple[Snapshot, ...]


@dataclass(frozen=True, slots=True)
class RefusedLine:
    """catalog cannot price this line; `detail` is Korean, for the buyer."""

    code: str
    detail: str


PricedLine = PricedProduct | PricedGroup | RefusedLine


@dataclass(frozen=True, slots=True)
class BrandTerms:
    """What a brand decides about an order placed under it."""

    code: str
    routing_policy: str
    acceptance_hours: int


@dataclass(frozen=True, slots=True)
class Pricing:
    """One pricing answer: a priced line per requested line, in order, and the named
    brand's terms when catalog sent them (None: no brand named, or an older catalog)."""

    lines: tuple[PricedLine, ...]
    brand: BrandTerms | None = None

    def snapshots(self) -> list[Snapshot]:
        """Every product the answer names: each product line's and each group's candidates."""
        found: list[Snapshot] = []
        for line in self.lines:
            if isinstance(line, PricedProduct):
                found.append(line.snapshot)
            elif isinstance(line, PricedGroup):
                found.extend(line.candidates)
        return found
