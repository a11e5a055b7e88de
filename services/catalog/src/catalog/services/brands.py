"""Use cases: brands (their listings are services/listings/)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from catalog.adapters.models import Brand
from catalog.domain import regions
from catalog.wiring import Catalog
from gachi_kit.errors import Problem, invalid, not_found


def list_brands(catalog: Catalog) -> dict:
    with catalog.db.reading() as session:
        rows = session.scalars(select(Brand).order_by(Brand.code)).all()
    return {"items": rows}


def get_brand(catalog: Catalog, code: str) -> Brand:
    with catalog.db.reading() as session:
        brand = session.get(Brand, code)
    if brand is None:
        raise _not_found()
    return brand


def create_brand(catalog: Catalog, fields: dict) -> Brand:
    _check(fields)
    try:
        with catalog.db.transaction() as session:
            if session.get(Brand, fields["code"]) is not None:
                raise _exists()
            brand = Brand(**fields)
            session.add(brand)
    except IntegrityError as exc:
        raise _exists() from exc
    return brand


def update_brand(catalog: Catalog, code: str, fields: dict) -> Brand:
    with catalog.db.transaction() as session:
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
    return brand


def _check(fields: dict) -> None:
    errors: dict[str, list[str]] = {}
    sido, sigungu = fields.get("sido_code"), fields.get("sigungu_code")
    if sido is not None and sido not in regions.sido_codes():
        errors["sido_code"] = ["알 수 없는 시도 코드입니다."]
    elif sigungu and not regions.sigungu_in_sido(sigungu, sido or ""):
        errors["sigungu_code"] = ["이 시도에 없는 시군구 코드입니다."]
    if errors:
        raise invalid(errors=errors, code="unknown_region")
    codes = [c["code"] for c in fields.get("criteria") or []]
    if len(codes) != len(set(codes)):
        raise invalid("criteria", "심사 기준 코드가 중복되었습니다.")


def _not_found() -> Problem:
    return not_found("brand", "브랜드")


def _exists() -> Problem:
    return Problem(409, "brand_exists", "이미 있는 브랜드 코드입니다")
