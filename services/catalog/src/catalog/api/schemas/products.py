"""Schemas of /v1/products: writes, reads, search and price history."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from catalog.api.schemas.common import (
    MAX_KRW,
    Changes,
    Facet,
    HttpsUrl,
    Krw,
    StrictInteger,
    SuppliedBy,
)
from catalog.domain.enterprise import ENTERPRISE_TYPES
from catalog.domain.product import MAX_IMAGE_URLS, PRODUCT_STATUSES, TAX_TYPES
from gachi_kit.paging import PageQuery


class _ProductFields(Schema):
    name = fields.String(validate=validate.Length(1, 200))
    description = fields.String(validate=validate.Length(max=5000))
    category = fields.String(
        validate=validate.Length(1, 40), metadata={"description": "GET /v1/categories 의 코드"}
    )
    unit = fields.String(validate=validate.Length(1, 20))
    unit_price = Krw()
    tax_type = fields.String(validate=validate.OneOf(list(TAX_TYPES)))
    min_order_qty = StrictInteger(validate=validate.Range(1, 1_000_000))
    lead_time_days = StrictInteger(validate=validate.Range(0, 365))
    weekly_capacity = StrictInteger(
        allow_none=True,
        validate=validate.Range(1, 10_000_000),
        metadata={"description": "주간 공급 능력; null = 제한 없음"},
    )
    stock = StrictInteger(
        allow_none=True,
        validate=validate.Range(0, 1_000_000_000),
        metadata={"description": "재고; null = 관리하지 않음"},
    )
    image_urls = fields.List(HttpsUrl(), validate=validate.Length(max=MAX_IMAGE_URLS))
    tags = fields.List(
        fields.String(validate=validate.Length(1, 30)), validate=validate.Length(max=20)
    )
    group_code = fields.String(allow_none=True, validate=validate.Length(1, 60))
    status = fields.String(validate=validate.OneOf(list(PRODUCT_STATUSES)))


class ProductCreate(_ProductFields):
    enterprise_id = fields.String(
        metadata={"description": "관리자만 지정; 기업 운영자는 자기 기업"}
    )
    sku = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9._\-]{1,40}$"))
    name = fields.String(required=True, validate=validate.Length(1, 200))
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    category = fields.String(required=True, validate=validate.Length(1, 40))
    unit = fields.String(required=True, validate=validate.Length(1, 20))
    unit_price = Krw(required=True)
    tax_type = fields.String(required=True, validate=validate.OneOf(list(TAX_TYPES)))
    min_order_qty = StrictInteger(load_default=1, validate=validate.Range(1, 1_000_000))
    lead_time_days = StrictInteger(load_default=3, validate=validate.Range(0, 365))
    weekly_capacity = StrictInteger(
        load_default=None, allow_none=True, validate=validate.Range(1, 10_000_000)
    )
    stock = StrictInteger(load_default=None, allow_none=True, validate=validate.Range(0, 10**9))
    image_urls = fields.List(
        HttpsUrl(), load_default=list, validate=validate.Length(max=MAX_IMAGE_URLS)
    )
    tags = fields.List(
        fields.String(validate=validate.Length(1, 30)),
        load_default=list,
        validate=validate.Length(max=20),
    )
    group_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 60))
    status = fields.String(load_default="active", validate=validate.OneOf(["draft", "active"]))


class ProductUpdate(Changes, _ProductFields):
    """Only these fields; sku and enterprise are the product's identity."""


class Listing(Schema):
    brand_code = fields.String()
    brand_name = fields.String()
    status = fields.String(metadata={"description": "승인 기간이 지난 승인은 expired"})
    approved_at = fields.DateTime(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    carries_brand = fields.Boolean(metadata={"description": "오늘 이 브랜드를 달 수 있는가"})


class Product(SuppliedBy):
    id = fields.String()
    enterprise_status = fields.String(attribute="enterprise.status")
    sku = fields.String()
    name = fields.String()
    description = fields.String()
    category = fields.String()
    category_label = fields.String()
    unit = fields.String()
    unit_price = fields.Integer()
    tax_type = fields.String()
    tax_type_label = fields.Function(
        lambda product: TAX_TYPES[product.tax_type], metadata={"type": "string"}
    )
    min_order_qty = fields.Integer()
    lead_time_days = fields.Integer()
    weekly_capacity = fields.Integer(allow_none=True)
    stock = fields.Integer(allow_none=True)
    image_urls = fields.List(fields.String())
    tags = fields.List(fields.String())
    group_code = fields.String(allow_none=True)
    status = fields.String()
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ProductDetail(Product):
    listings = fields.List(fields.Nested(Listing))


class PriceHistoryEntry(Schema):
    version = fields.Integer()
    unit_price = fields.Integer()
    tax_type = fields.String()
    changed_at = fields.DateTime()
    changed_by = fields.String(allow_none=True)


class PriceHistory(Schema):
    product_id = fields.String()
    items = fields.List(fields.Nested(PriceHistoryEntry))


class ProductSearchQuery(PageQuery):
    q = fields.String(
        load_default=None,
        validate=validate.Length(max=100),
        metadata={
            "description": "부분어(김치), 초성(ㄷㅂㄱㅈ), 띄어쓰기 무시(호두 과자 = 호두과자)"
        },
    )
    category = fields.String(load_default=None, validate=validate.Length(1, 40))
    enterprise_type = fields.String(load_default=None, validate=validate.OneOf(ENTERPRISE_TYPES))
    enterprise_id = fields.String(load_default=None, validate=validate.Length(1, 26))
    group_code = fields.String(load_default=None, validate=validate.Length(1, 60))
    sido = fields.String(load_default=None, validate=validate.Regexp(r"^\d{2}$"))
    sigungu = fields.String(load_default=None, validate=validate.Regexp(r"^\d{5}$"))
    brand = fields.String(
        load_default=None,
        validate=validate.Length(1, 40),
        metadata={"description": "이 브랜드를 단 상품만 (certified_on 또는 오늘 기준)"},
    )
    certified_on = fields.Date(
        load_default=None, metadata={"description": "이 날짜에 인증이 유효한 기업의 상품만"}
    )
    price_min = fields.Integer(load_default=None, validate=validate.Range(0, MAX_KRW))
    price_max = fields.Integer(load_default=None, validate=validate.Range(0, MAX_KRW))
    in_stock = fields.Boolean(
        load_default=None,
        metadata={"description": "true: 재고가 있거나 관리하지 않는 상품; false: 재고 0"},
    )
    status = fields.String(
        load_default=None,
        validate=validate.OneOf(list(PRODUCT_STATUSES)),
        metadata={"description": "관리자·자기 기업 상품에만 의미가 있음 (다른 사람은 판매중만 봄)"},
    )
    sort = fields.String(
        load_default="relevance",
        validate=validate.OneOf(["relevance", "price_asc", "price_desc", "newest"]),
        metadata={"description": "relevance는 q가 있을 때만; 없으면 newest"},
    )


class Facets(Schema):
    category = fields.List(fields.Nested(Facet))
    enterprise_type = fields.List(fields.Nested(Facet))
    sido = fields.List(fields.Nested(Facet))


class ProductPage(Schema):
    items = fields.List(fields.Nested(Product))
    next_cursor = fields.String(allow_none=True)
    total = fields.Integer(metadata={"description": "조건에 맞는 상품 수 (모든 페이지)"})
    sort = fields.String()
    facets = fields.Nested(Facets)
