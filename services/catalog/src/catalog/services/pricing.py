"""Batch pricing: what orders asks before it accepts an order.

Each line gets either a snapshot (name, price, tax type, enterprise, its type and
certification state on the delivery date) or its own error; one bad line never hides the
others, so the buyer sees every problem at once.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from catalog.adapters.models import Enterprise, Product
from catalog.domain.enterprise import ENTERPRISE_TYPES, CertificationPeriod, certification_on
from catalog.domain.product import PricingRefusal, check_orderable
from catalog.wiring import Catalog


def price_lines(cat: Catalog, lines: list[dict], on: date) -> list[dict]:
    ids = {line["product_id"] for line in lines}
    with cat.db.reading() as session:
        products = {
            p.id: p
            for p in session.scalars(
                select(Product)
                .where(Product.id.in_(ids))
                .options(selectinload(Product.enterprise).selectinload(Enterprise.certifications))
            )
        }
        return [_price_one(products.get(line["product_id"]), line, on) for line in lines]


def _price_one(product: Product | None, line: dict, on: date) -> dict:
    result = {"product_id": line["product_id"], "quantity": line["quantity"]}
    try:
        if product is None:
            raise PricingRefusal("product_not_found", "등록되지 않은 상품입니다.")
        enterprise = product.enterprise
        check_orderable(
            product_status=product.status,
            enterprise_status=enterprise.status,
            quantity=line["quantity"],
            min_order_qty=product.min_order_qty,
        )
    except PricingRefusal as refusal:
        return result | {"error": {"code": refusal.code, "detail": refusal.detail}}
    certification = certification_on(
        [
            CertificationPeriod(c.kind, c.number, c.valid_from, c.valid_to)
            for c in enterprise.certifications
        ],
        on,
    )
    return result | {
        "snapshot": {
            "product_id": product.id,
            "product_version": product.version,
            "sku": product.sku,
            "name": product.name,
            "unit": product.unit,
            "unit_price": product.unit_price,
            "tax_type": product.tax_type,
            "lead_time_days": product.lead_time_days,
            "enterprise_id": enterprise.id,
            "enterprise_name": enterprise.name,
            "enterprise_type": enterprise.enterprise_type,
            "enterprise_type_label": ENTERPRISE_TYPES[enterprise.enterprise_type],
            "sigungu_code": enterprise.sigungu_code,
            "certified": certification is not None,
            "certification": None
            if certification is None
            else {
                "kind": certification.kind,
                "number": certification.number,
                "valid_to": certification.valid_to.isoformat(),
            },
        }
    }
