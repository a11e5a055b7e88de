"""Use cases: creating and reading products."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from catalog.adapters.models import Enterprise, Product
from catalog.wiring import Catalog
from gachi_kit.auth import Principal
from gachi_kit.errors import Problem


def create_product(cat: Catalog, fields: dict, actor: Principal) -> Product:
    enterprise_id = _owning_enterprise(fields.pop("enterprise_id", None), actor)
    try:
        with cat.db.transaction() as session:
            if session.get(Enterprise, enterprise_id) is None:
                raise Problem(
                    422,
                    "enterprise_not_found",
                    "입력값이 올바르지 않습니다",
                    errors={"enterprise_id": ["등록되지 않은 기업입니다."]},
                )
            taken = select(Product.id).where(
                Product.enterprise_id == enterprise_id, Product.sku == fields["sku"]
            )
            if session.scalar(taken):
                raise _sku_taken()
            product = Product(enterprise_id=enterprise_id, version=1, **fields)
            session.add(product)
            session.flush()
            cat.outbox.record(
                session,
                "product.created",
                {
                    "product_id": product.id,
                    "enterprise_id": enterprise_id,
                    "sku": product.sku,
                    "name": product.name,
                    "unit_price": product.unit_price,
                    "status": product.status,
                },
                aggregate_id=product.id,
            )
    except IntegrityError as exc:
        raise _sku_taken() from exc
    return product


def get_product(cat: Catalog, product_id: str) -> Product:
    with cat.db.reading() as session:
        product = session.get(Product, product_id)
        if product is None:
            raise Problem(404, "product_not_found", "상품을 찾을 수 없습니다")
        return product


def _owning_enterprise(requested: str | None, actor: Principal) -> str:
    """Admins act for any enterprise; an operator only for its own (BOLA)."""
    if actor.role == "admin":
        if not requested:
            raise Problem(
                422,
                "validation_failed",
                "입력값이 올바르지 않습니다",
                errors={"enterprise_id": ["관리자는 기업을 지정해야 합니다."]},
            )
        return requested
    if requested and requested != actor.org:
        raise Problem(
            403, "forbidden_enterprise", "권한이 없습니다", "다른 기업의 상품은 등록할 수 없습니다."
        )
    if not actor.org:
        raise Problem(
            403, "forbidden_enterprise", "권한이 없습니다", "토큰에 기업(org)이 없습니다."
        )
    return actor.org


def _sku_taken() -> Problem:
    return Problem(
        409,
        "product_sku_taken",
        "이미 사용 중인 SKU입니다",
        "같은 기업에 같은 SKU의 상품이 있습니다.",
    )
