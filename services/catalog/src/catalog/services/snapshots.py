"""The pricing snapshot: what orders keeps of a product at the moment it priced it.

The shape is a contract with orders (see POST /v1/pricing in docs/architecture.md): fields
are only ever added, never renamed or removed.

Pricing asks for every order, so what it reads are plain values, not ORM objects: the
products with their enterprise in one statement, the enterprises' certifications in a second
and the brand listings in a third, each column named once below (loading the same rows as
mapped objects with their identity map and relationships was half of a pricing request).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import date
from types import SimpleNamespace

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from catalog.adapters.models import BrandListing, Certification, Enterprise, Product
from catalog.domain.brand import carries_brand, effective_listing_status
from catalog.domain.enterprise import CertificationPeriod, certification_on


@dataclass(frozen=True, slots=True)
class Supplier:
    """A product's enterprise, as far as a snapshot shows and pricing checks it."""

    name: str
    enterprise_type: str
    sido_code: str
    sigungu_code: str
    status: str
    certifications: tuple[CertificationPeriod, ...]


@dataclass(frozen=True, slots=True)
class OfferedProduct:
    """A product as pricing reads it; the attribute names are the Product model's."""

    id: str
    version: int
    sku: str
    name: str
    unit: str
    unit_price: int
    tax_type: str
    lead_time_days: int
    min_order_qty: int
    weekly_capacity: int | None
    stock: int | None
    group_code: str | None
    status: str
    enterprise_id: str
    enterprise: Supplier


@dataclass(frozen=True, slots=True)
class Listing:
    product_id: str
    brand_code: str
    status: str
    valid_until: date | None


_PRODUCT_COLUMNS = (
    Product.id,
    Product.version,
    Product.sku,
    Product.name,
    Product.unit,
    Product.unit_price,
    Product.tax_type,
    Product.lead_time_days,
    Product.min_order_qty,
    Product.weekly_capacity,
    Product.stock,
    Product.group_code,
    Product.status,
    Product.enterprise_id,
)
_SUPPLIER_COLUMNS = (
    Enterprise.name,
    Enterprise.enterprise_type,
    Enterprise.sido_code,
    Enterprise.sigungu_code,
    Enterprise.status,
)
_SPLIT = len(_PRODUCT_COLUMNS)
_OFFERED_FIELDS = tuple(field.name for field in fields(OfferedProduct))


def supplier_filters():
    """Active products of active enterprises: who can supply a group at all (the group's
    candidates, its supplier count, and what pricing offers for a group line)."""
    return (
        Product.status == "active",
        Product.enterprise_id.in_(select(Enterprise.id).where(Enterprise.status == "active")),
    )


_PRODUCTS = (
    select(*_PRODUCT_COLUMNS, *_SUPPLIER_COLUMNS)
    .join(Enterprise, Enterprise.id == Product.enterprise_id)
    .order_by(Product.id)
)
# Pricing's statements, built once: a statement keeps the cache key it computed, a new one
# works it out again (with its clauses, a sixth of a pricing request's CPU).
_BY_ID = _PRODUCTS.where(Product.id.in_(bindparam("ids", expanding=True)))
_IN_GROUPS = _PRODUCTS.where(
    Product.group_code.in_(bindparam("codes", expanding=True)), *supplier_filters()
)
_CERTIFICATIONS = (
    select(
        Certification.enterprise_id,
        Certification.kind,
        Certification.number,
        Certification.valid_from,
        Certification.valid_to,
    )
    .where(Certification.enterprise_id.in_(bindparam("enterprise_ids", expanding=True)))
    .order_by(Certification.valid_from)
)
_LISTINGS = select(
    BrandListing.product_id, BrandListing.brand_code, BrandListing.status, BrandListing.valid_until
).where(
    BrandListing.brand_code == bindparam("brand_code"),
    BrandListing.product_id.in_(bindparam("ids", expanding=True)),
)


def products_by_id(session: Session, ids: Iterable[str]) -> list[OfferedProduct]:
    return _offered(session, _BY_ID, {"ids": list(ids)})


def products_in_groups(session: Session, codes: Iterable[str]) -> list[OfferedProduct]:
    """The groups' products that can be supplied at all (`supplier_filters`)."""
    return _offered(session, _IN_GROUPS, {"codes": list(codes)})


def _offered(session: Session, statement, params: dict) -> list[OfferedProduct]:
    """The products the statement selects, in id order, with their enterprise and its
    certifications (ordered by start, as Enterprise.certifications is)."""
    connection = session.connection()  # Core: plain rows need none of the ORM's loading
    rows = connection.execute(statement, params).all()
    if not rows:
        return []
    periods: dict[str, list[CertificationPeriod]] = {}
    enterprise_ids = list({row.enterprise_id for row in rows})
    for enterprise_id, *period in connection.execute(
        _CERTIFICATIONS, {"enterprise_ids": enterprise_ids}
    ):
        periods.setdefault(enterprise_id, []).append(CertificationPeriod(*period))
    suppliers: dict[str, Supplier] = {}
    products = []
    for row in rows:
        supplier = suppliers.get(row.enterprise_id)
        if supplier is None:
            supplier = suppliers[row.enterprise_id] = Supplier(
                *row[_SPLIT:], tuple(periods.get(row.enterprise_id, ()))
            )
        products.append(OfferedProduct(*row[:_SPLIT], supplier))
    return products


def listings_for(
    session: Session, brand_code: str | None, product_ids: Iterable[str]
) -> dict[str, Listing]:
    ids = list(set(product_ids))
    if not brand_code or not ids:
        return {}
    found: dict[str, Listing] = {}
    connection = session.connection()
    for start in range(0, len(ids), 500):
        chunk = {"brand_code": brand_code, "ids": ids[start : start + 500]}
        for row in connection.execute(_LISTINGS, chunk):
            found[row.product_id] = Listing(*row)
    return found


def certification(product: Product, on: date) -> CertificationPeriod | None:
    """A mapped product's enterprise's certification valid on `on` (the products API)."""
    return certification_on(
        [
            CertificationPeriod(c.kind, c.number, c.valid_from, c.valid_to)
            for c in product.enterprise.certifications
        ],
        on,
    )


def carries(listing: Listing | None, product: OfferedProduct, on: date) -> bool:
    if listing is None:
        return False
    certified = certification_on(product.enterprise.certifications, on) is not None
    return carries_brand(listing.status, listing.valid_until, on, certified=certified)


def snapshot(
    product: OfferedProduct, on: date, brand_code: str | None, listing: Listing | None
) -> SimpleNamespace:
    """The product as orders keeps it (api/schemas/pricing.Snapshot dumps it): with whether
    its enterprise is certified on `on` and by what, and its listing under `brand_code`.
    Its own attributes, not a wrapper that forwards them (RowWith): the schema reads ~25 of
    them for every line, and a forwarded one is found only after a failed lookup."""
    valid = certification_on(product.enterprise.certifications, on)
    shown = None
    if brand_code is not None and listing is not None:
        status = effective_listing_status(listing.status, listing.valid_until, on)
        shown = replace(listing, status=status)
    values = {name: getattr(product, name) for name in _OFFERED_FIELDS}
    return SimpleNamespace(
        **values, certified=valid is not None, certification=valid, listing=shown
    )
