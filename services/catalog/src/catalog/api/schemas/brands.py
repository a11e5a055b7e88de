"""Schemas of /v1/brands: brands, their products and offline listing decisions."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from catalog.api.schemas.common import (
    CODE_HELP,
    Changes,
    StrictInteger,
)
from catalog.api.schemas.products import ProductPage
from catalog.domain import regions
from catalog.domain.brand import (
    DEFAULT_ACCEPTANCE_HOURS,
    DEFAULT_PRICE_TOLERANCE_PERCENT,
    LISTING_STATUSES,
    ROUTING_POLICIES,
)
from gachi_kit.paging import PageQuery


class BrandProductPage(ProductPage):
    brand_code = fields.String()
    on = fields.Date()


class BrandProductsQuery(PageQuery):
    on = fields.Date(load_default=None)
    q = fields.String(load_default=None, validate=validate.Length(max=100))
    category = fields.String(load_default=None, validate=validate.Length(1, 40))
    sort = fields.String(
        load_default="newest",
        validate=validate.OneOf(["relevance", "price_asc", "price_desc", "newest"]),
    )


class Criterion(Schema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,39}$"))
    name = fields.String(required=True, validate=validate.Length(1, 100))
    description = fields.String(load_default="", validate=validate.Length(max=1000))
    weight = StrictInteger(required=True, validate=validate.Range(1, 100))


class _BrandFields(Schema):
    name = fields.String(validate=validate.Length(1, 100))
    sido_code = fields.String(validate=validate.Regexp(r"^\d{2}$"))
    sigungu_code = fields.String(allow_none=True, validate=validate.Regexp(r"^\d{5}$"))
    description = fields.String(validate=validate.Length(max=5000))
    criteria = fields.List(fields.Nested(Criterion), validate=validate.Length(max=30))
    listing_validity_months = StrictInteger(validate=validate.Range(1, 120))
    routing_policy = fields.String(
        validate=validate.OneOf(list(ROUTING_POLICIES)),
        metadata={"description": ", ".join(f"{k}: {v}" for k, v in ROUTING_POLICIES.items())},
    )
    acceptance_hours = StrictInteger(validate=validate.Range(1, 24 * 14))
    price_tolerance_percent = StrictInteger(validate=validate.Range(0, 100))
    quorum = StrictInteger(
        validate=validate.Range(1, 50),
        metadata={"description": "결정에 필요한 최소 투표 수 (기권 포함); 기본 3"},
    )


class BrandCreate(_BrandFields):
    code = fields.String(
        required=True, validate=validate.Regexp(r"^[A-Z0-9][A-Z0-9\-]{1,39}$", error=CODE_HELP)
    )
    name = fields.String(required=True, validate=validate.Length(1, 100))
    sido_code = fields.String(required=True, validate=validate.Regexp(r"^\d{2}$"))
    sigungu_code = fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(r"^\d{5}$")
    )
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    criteria = fields.List(
        fields.Nested(Criterion), load_default=list, validate=validate.Length(max=30)
    )
    listing_validity_months = StrictInteger(required=True, validate=validate.Range(1, 120))
    routing_policy = fields.String(required=True, validate=validate.OneOf(list(ROUTING_POLICIES)))
    acceptance_hours = StrictInteger(
        load_default=DEFAULT_ACCEPTANCE_HOURS, validate=validate.Range(1, 24 * 14)
    )
    price_tolerance_percent = StrictInteger(
        load_default=DEFAULT_PRICE_TOLERANCE_PERCENT, validate=validate.Range(0, 100)
    )
    quorum = StrictInteger(load_default=3, validate=validate.Range(1, 50))


class BrandUpdate(Changes, _BrandFields):
    pass


class CriterionOut(Schema):
    code = fields.String()
    name = fields.String()
    description = fields.String()
    weight = fields.Integer()


def _sigungu_name(brand) -> str | None:
    region = regions.get_sigungu(brand.sigungu_code) if brand.sigungu_code else None
    return region.sigungu_name if region else None


class Brand(Schema):
    code = fields.String()
    name = fields.String()
    sido_code = fields.String()
    sido_name = fields.Function(
        lambda brand: regions.sido_codes().get(brand.sido_code, ""),
        metadata={"type": "string"},
    )
    sigungu_code = fields.String(allow_none=True)
    sigungu_name = fields.Function(
        _sigungu_name,
        allow_none=True,
        metadata={"type": "string"},
    )
    description = fields.String()
    criteria = fields.List(fields.Nested(CriterionOut))
    listing_validity_months = fields.Integer()
    routing_policy = fields.String()
    acceptance_hours = fields.Integer()
    price_tolerance_percent = fields.Integer()
    quorum = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class BrandList(Schema):
    items = fields.List(fields.Nested(Brand))


class ListingApproval(Schema):
    valid_until = fields.Date(
        load_default=None,
        metadata={
            "description": "승인 유효기간 끝날; 기본은 오늘 + 브랜드의 listing_validity_months"
        },
    )


class BrandListing(Schema):
    id = fields.String()
    brand_code = fields.String()
    product_id = fields.String()
    status = fields.String(metadata={"description": " | ".join(LISTING_STATUSES)})
    approved_at = fields.DateTime(allow_none=True)
    valid_until = fields.Date(allow_none=True)
