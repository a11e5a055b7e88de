"""Use cases: brands and the read side of brand listings (the committee workflow comes later)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from catalog.adapters.models import Brand, BrandListing, Product
from catalog.domain import regions
from catalog.domain.brand import add_months
from catalog.domain.dates import today_kst
from catalog.wiring import Catalog
from gachi_kit.auth import Principal
from gachi_kit.errors import Problem
from gachi_kit.events import new_id, utcnow


def list_brands(cat: Catalog) -> dict:
    with cat.db.reading() as session:
        rows = session.scalars(select(Brand).order_by(Brand.code)).all()
    return {"items": [brand_view(b) for b in rows]}


def get_brand(cat: Catalog, code: str) -> dict:
    with cat.db.reading() as session:
        brand = session.get(Brand, code)
    if brand is None:
        raise _not_found()
    return brand_view(brand)


def create_brand(cat: Catalog, fields: dict) -> dict:
    _check(fields)
    try:
        with cat.db.transaction() as session:
            if session.get(Brand, fields["code"]) is not None:
                raise _exists()
            brand = Brand(**fields)
            session.add(brand)
    except IntegrityError as exc:
        raise _exists() from exc
    return brand_view(brand)


def update_brand(cat: Catalog, code: str, fields: dict) -> dict:
    with cat.db.transaction() as session:
        brand = session.get(Brand, code, with_for_update=True)
        if brand is None:
            raise _not_found()
        merged = {
            "sido_code": fields.get("sido_code", brand.sido_code),
            "sigungu_code": fields.get("sigungu_code", brand.sigungu_code),
            "criteria": fields.get("criteria", brand.criteria),
        }
        _check(merged)
        for field, value in fields.items():
            setattr(brand, field, value)
    return brand_view(brand)


def record_approval(
    cat: Catalog, code: str, product_id: str, fields: dict, actor: Principal
) -> dict:
    """An admin records a listing approval the committee decided offline (upsert).

    `valid_until` defaults to today plus the brand's listing validity. Recording the same
    approval again changes nothing and emits nothing.
    """
    try:
        return _record_approval(cat, code, product_id, fields, actor)
    except IntegrityError as exc:  # a concurrent request recorded the same listing first
        raise Problem(
            409,
            "listing_conflict",
            "다른 요청과 겹쳤습니다",
            "같은 등록을 동시에 기록하는 요청이 있었습니다. 다시 시도해 주세요.",
        ) from exc


def _record_approval(
    cat: Catalog, code: str, product_id: str, fields: dict, actor: Principal
) -> dict:
    today = today_kst()
    with cat.db.transaction() as session:
        brand = session.get(Brand, code)
        if brand is None:
            raise _not_found()
        product = session.get(Product, product_id)
        if product is None:
            raise Problem(404, "product_not_found", "상품을 찾을 수 없습니다")
        valid_until = fields.get("valid_until") or add_months(today, brand.listing_validity_months)
        if valid_until < today:
            raise Problem(
                422,
                "invalid_period",
                "입력값이 올바르지 않습니다",
                errors={"valid_until": ["유효기간 종료일이 오늘보다 빠릅니다."]},
            )
        listing = session.scalar(
            select(BrandListing)
            .where(BrandListing.brand_code == code, BrandListing.product_id == product_id)
            .with_for_update()
        )
        if listing is None:
            listing = BrandListing(id=new_id(), brand_code=code, product_id=product_id)
            session.add(listing)
        elif listing.status == "approved" and listing.valid_until == valid_until:
            return listing_view(listing)
        listing.status = "approved"
        listing.approved_at = utcnow()
        listing.valid_until = valid_until
        cat.outbox.record(
            session,
            "listing.approved",
            {
                "listing_id": listing.id,
                "brand_code": code,
                "brand_name": brand.name,
                "product_id": product.id,
                "product_name": product.name,
                "enterprise_id": product.enterprise_id,
                "approved_at": listing.approved_at.isoformat(),
                "valid_until": valid_until.isoformat(),
                "decided": "offline",
                "recorded_by": actor.sub,
            },
            aggregate_id=listing.id,
        )
        view = listing_view(listing)
    return view


def brand_view(b: Brand) -> dict:
    sido_names = regions.sido_codes()
    sigungu = regions.get_sigungu(b.sigungu_code) if b.sigungu_code else None
    return {
        "code": b.code,
        "name": b.name,
        "sido_code": b.sido_code,
        "sido_name": sido_names.get(b.sido_code, ""),
        "sigungu_code": b.sigungu_code,
        "sigungu_name": sigungu.sigungu_name if sigungu else None,
        "description": b.description,
        "criteria": list(b.criteria or []),
        "listing_validity_months": b.listing_validity_months,
        "routing_policy": b.routing_policy,
        "acceptance_hours": b.acceptance_hours,
        "price_tolerance_percent": b.price_tolerance_percent,
        "quorum": b.quorum,
        "created_at": b.created_at,
        "updated_at": b.updated_at,
    }


def listing_view(listing: BrandListing) -> dict:
    return {
        "id": listing.id,
        "brand_code": listing.brand_code,
        "product_id": listing.product_id,
        "status": listing.status,
        "approved_at": listing.approved_at,
        "valid_until": listing.valid_until,
    }


def _check(fields: dict) -> None:
    errors: dict[str, list[str]] = {}
    sido, sigungu = fields.get("sido_code"), fields.get("sigungu_code")
    if sido is not None and sido not in regions.sido_codes():
        errors["sido_code"] = ["알 수 없는 시도 코드입니다."]
    elif sigungu and not regions.sigungu_in_sido(sigungu, sido or ""):
        errors["sigungu_code"] = ["이 시도에 없는 시군구 코드입니다."]
    if errors:
        raise Problem(422, "unknown_region", "입력값이 올바르지 않습니다", errors=errors)
    codes = [c["code"] for c in fields.get("criteria") or []]
    if len(codes) != len(set(codes)):
        raise Problem(
            422,
            "validation_failed",
            "입력값이 올바르지 않습니다",
            errors={"criteria": ["심사 기준 코드가 중복되었습니다."]},
        )


def _not_found() -> Problem:
    return Problem(404, "brand_not_found", "브랜드를 찾을 수 없습니다")


def _exists() -> Problem:
    return Problem(409, "brand_exists", "이미 있는 브랜드 코드입니다")
