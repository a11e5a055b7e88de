"""Batch pricing: what orders asks before it accepts an order.

Each product line gets either a snapshot (name, price, tax type, enterprise, its type and
certification state on the delivery date, its listing under the requested brand) or its
own error; each group line gets the group and every candidate supplier (orders decides who
is eligible and explains why). One bad line never hides the others, so the buyer sees
every problem at once. Reads only.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from catalog.adapters.models import Brand, Enterprise, Product, ProductGroup
from catalog.domain.product import PricingRefusal, check_orderable
from catalog.services.snapshots import (
    OfferedProduct,
    carries,
    listings_for,
    products_by_id,
    products_in_groups,
    snapshot,
)
from catalog.wiring import Catalog
from gachi_kit.errors import Problem, invalid


def price(catalog: Catalog, lines: list[dict], on: date, brand_code: str | None) -> dict:
    group_codes = {ln["group_code"] for ln in lines if ln.get("group_code")}
    with catalog.db.reading() as session:
        brand = session.get(Brand, brand_code) if brand_code is not None else None
        if brand_code is not None and brand is None:
            raise unknown_brand()
        by_sku = _resolve_skus(session, [ln for ln in lines if ln.get("sku")])
        product_ids = {ln["product_id"] for ln in lines if ln.get("product_id")}
        product_ids |= {pid for pid in by_sku.values() if isinstance(pid, str)}
        # An empty IN still costs a round trip: ask only for what the lines name.
        products = {p.id: p for p in products_by_id(session, product_ids)} if product_ids else {}
        groups = (
            {
                g.code: g
                for g in session.scalars(
                    select(ProductGroup).where(ProductGroup.code.in_(group_codes))
                )
            }
            if group_codes
            else {}
        )
        members: dict[str, list[OfferedProduct]] = {code: [] for code in groups}
        if groups:
            for p in products_in_groups(session, groups):
                members[p.group_code].append(p)
        everyone = list(products) + [p.id for group in members.values() for p in group]
        listings = listings_for(session, brand_code, everyone)
        priced = [
            _group_line(line, groups, members, listings, on, brand_code)
            if line.get("group_code")
            else _sku_line(line, by_sku, products, listings, on, brand_code)
            if line.get("sku")
            else _product_line(line, products.get(line["product_id"]), listings, on, brand_code)
            for line in lines
        ]
    # The brand's terms ride along, so a branded order asks catalog once, not twice.
    return {"on_date": on, "brand_code": brand_code, "brand": brand, "lines": priced}


def _resolve_skus(session, lines: list[dict]) -> dict[tuple, str | PricingRefusal]:
    """(sku, brn or None) → the one product it names, or why it names none or several.
    A SKU is unique per enterprise only, so a bare SKU must be unique among active sellers."""
    if not lines:
        return {}
    rows = session.execute(
        select(Product.sku, Product.id, Enterprise.brn)
        .join(Enterprise, Enterprise.id == Product.enterprise_id)
        .where(Product.sku.in_({ln["sku"] for ln in lines}), Product.status != "discontinued")
    ).all()
    resolved: dict[tuple, str | PricingRefusal] = {}
    for line in lines:
        brn = (line.get("enterprise_brn") or "").replace("-", "") or None
        found = [pid for sku, pid, b in rows if sku == line["sku"] and brn in (None, b)]
        if len(found) == 1:
            resolved[(line["sku"], brn)] = found[0]
        elif not found:
            resolved[(line["sku"], brn)] = PricingRefusal(
                "product_not_found", "이 상품코드(SKU)의 상품이 없습니다."
            )
        else:
            resolved[(line["sku"], brn)] = PricingRefusal(
                "ambiguous_sku",
                f"상품코드 {line['sku']}를 쓰는 기업이 {len(found)}곳입니다. "
                "사업자등록번호를 함께 적어 주세요.",
            )
    return resolved


def _sku_line(
    line: dict, by_sku: dict, products: dict, listings: dict, on: date, brand_code: str | None
) -> dict:
    brn = (line.get("enterprise_brn") or "").replace("-", "") or None
    target = by_sku[(line["sku"], brn)]
    if isinstance(target, PricingRefusal):
        return {
            "sku": line["sku"],
            "quantity": line["quantity"],
            "error": {"code": target.code, "detail": target.detail},
        }
    answer = _product_line(
        {"product_id": target, "quantity": line["quantity"]},
        products.get(target),
        listings,
        on,
        brand_code,
    )
    return {"sku": line["sku"], **answer}


def _product_line(
    line: dict, product: OfferedProduct | None, listings: dict, on: date, brand_code: str | None
) -> dict:
    result = {"product_id": line["product_id"], "quantity": line["quantity"]}
    try:
        if product is None:
            raise PricingRefusal("product_not_found", "등록되지 않은 상품입니다.")
        check_orderable(
            product_status=product.status,
            enterprise_status=product.enterprise.status,
            quantity=line["quantity"],
            min_order_qty=product.min_order_qty,
        )
        listing = listings.get(product.id)
        if brand_code is not None and not carries(listing, product, on):
            raise PricingRefusal(
                "not_listed_under_brand",
                f"{on.isoformat()} 기준으로 이 브랜드({brand_code})에 등록된 상품이 아닙니다 "
                "(승인된 등록, 유효기간, 기업 인증을 확인해 주세요).",
            )
    except PricingRefusal as refusal:
        return result | {"error": {"code": refusal.code, "detail": refusal.detail}}
    return result | {"snapshot": snapshot(product, on, brand_code, listing)}


def _group_line(
    line: dict,
    groups: dict[str, ProductGroup],
    members: dict[str, list[OfferedProduct]],
    listings: dict,
    on: date,
    brand_code: str | None,
) -> dict:
    code = line["group_code"]
    result = {"group_code": code, "quantity": line["quantity"]}
    group = groups.get(code)
    if group is None:
        return result | {
            "error": {"code": "group_not_found", "detail": "등록되지 않은 상품군입니다."}
        }
    if not members[code]:
        return result | {
            "error": {
                "code": "no_supplier",
                "detail": "이 상품군을 공급하는 활성 기업의 판매 중인 상품이 없습니다.",
            }
        }
    return result | {
        "group": {"code": group.code, "name": group.name, "unit": group.unit},
        "candidates": [snapshot(p, on, brand_code, listings.get(p.id)) for p in members[code]],
    }


def unknown_brand(field: str = "brand_code") -> Problem:
    return invalid(field, "등록되지 않은 브랜드입니다.", code="unknown_brand")
