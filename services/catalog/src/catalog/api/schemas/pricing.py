"""`POST /v1/pricing`: the contract with orders. Extend, never break: fields are only ever
added (orders reads what it needs)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from catalog.api.schemas.common import (
    StrictInteger,
    SuppliedBy,
)

MAX_PRICING_LINES = 500


class PricingLine(Schema):
    product_id = fields.String(validate=validate.Length(1, 26))
    group_code = fields.String(validate=validate.Length(1, 60))
    sku = fields.String(
        validate=validate.Length(1, 40),
        metadata={
            "description": "기업의 상품코드; 여러 기업이 같은 코드를 쓰면 enterprise_brn 필요"
        },
    )
    enterprise_brn = fields.String(
        validate=validate.Regexp(r"^\d{3}-?\d{2}-?\d{5}$"),
        metadata={"description": "sku와 함께: 그 상품코드를 쓰는 기업의 사업자등록번호"},
    )
    quantity = StrictInteger(required=True, validate=validate.Range(min=1, max=10_000_000))

    @validates_schema
    def _exactly_one(self, data, **_kwargs):
        if sum(key in data for key in ("product_id", "group_code", "sku")) != 1:
            raise ValidationError(
                "product_id, group_code, sku 중 정확히 하나를 적어 주세요.", "product_id"
            )
        if "enterprise_brn" in data and "sku" not in data:
            raise ValidationError("enterprise_brn은 sku와 함께만 씁니다.", "enterprise_brn")


class PricingRequest(Schema):
    on_date = fields.Date(load_default=None, metadata={"description": "인증 유효 판단일 (납품일)"})
    brand_code = fields.String(
        load_default=None,
        validate=validate.Length(1, 40),
        metadata={
            "description": "주면 각 스냅숏에 이 브랜드의 listing이 붙고, 브랜드를 달지 "
            "않은 상품 줄은 not_listed_under_brand"
        },
    )
    lines = fields.List(
        fields.Nested(PricingLine), required=True, validate=validate.Length(1, MAX_PRICING_LINES)
    )


class SnapshotCertification(Schema):
    kind = fields.String()
    number = fields.String()
    valid_to = fields.Date()


class SnapshotListing(Schema):
    brand_code = fields.String()
    status = fields.String(metadata={"description": "승인 기간이 지난 승인은 expired"})
    valid_until = fields.Date(allow_none=True)


class Snapshot(SuppliedBy):
    """A product as orders keeps it on its order lines."""

    product_id = fields.String(attribute="id")
    product_version = fields.Integer(attribute="version")
    sku = fields.String()
    name = fields.String()
    unit = fields.String()
    unit_price = fields.Integer()
    tax_type = fields.String()
    lead_time_days = fields.Integer()
    min_order_qty = fields.Integer()
    weekly_capacity = fields.Integer(allow_none=True, metadata={"description": "null = 제한 없음"})
    stock = fields.Integer(allow_none=True, metadata={"description": "null = 관리 안 함"})
    group_code = fields.String(allow_none=True)
    certified = fields.Boolean()
    certification = fields.Nested(SnapshotCertification, allow_none=True)
    listing = fields.Nested(SnapshotListing, allow_none=True)


class LineError(Schema):
    code = fields.String(
        metadata={
            "description": "상품 줄: product_not_found | product_unavailable | enterprise_inactive "
            "| below_minimum_order | not_listed_under_brand; 상품군 줄: group_not_found | "
            "no_supplier"
        }
    )
    detail = fields.String()


class GroupRef(Schema):
    code = fields.String()
    name = fields.String()
    unit = fields.String()


class PricedLine(Schema):
    product_id = fields.String()
    group_code = fields.String()
    sku = fields.String(metadata={"description": "sku로 물은 줄"})
    quantity = fields.Integer()
    snapshot = fields.Nested(Snapshot, metadata={"description": "상품 줄 성공 시"})
    group = fields.Nested(GroupRef, metadata={"description": "상품군 줄 성공 시"})
    candidates = fields.List(
        fields.Nested(Snapshot),
        metadata={"description": "활성 기업의 판매 중인 상품 전부 (자격 판단은 orders)"},
    )
    error = fields.Nested(LineError, metadata={"description": "실패 시"})


class PricingBrand(Schema):
    """The terms orders routes and waits by, so a branded order needs no second call."""

    code = fields.String()
    name = fields.String()
    routing_policy = fields.String(
        metadata={"description": "local_first | fair_share | lowest_price | fastest"}
    )
    acceptance_hours = fields.Integer()


class PricingResponse(Schema):
    on_date = fields.Date()
    brand_code = fields.String(allow_none=True)
    brand = fields.Nested(
        PricingBrand, allow_none=True, metadata={"description": "brand_code를 물었을 때 그 브랜드"}
    )
    lines = fields.List(fields.Nested(PricedLine))
