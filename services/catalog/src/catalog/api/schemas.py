"""Request and response schemas. Input schemas list exactly what a caller may set."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from catalog.domain.enterprise import ENTERPRISE_TYPES
from catalog.domain.product import CATEGORIES, TAX_TYPES

MAX_PRICING_LINES = 500


class EnterpriseCreate(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 100))
    enterprise_type = fields.String(required=True, validate=validate.OneOf(list(ENTERPRISE_TYPES)))
    brn = fields.String(required=True, metadata={"description": "사업자등록번호, 123-45-67890"})
    representative = fields.String(required=True, validate=validate.Length(1, 50))
    sigungu_code = fields.String(required=True, validate=validate.Regexp(r"^\d{5}$"))
    address = fields.String(load_default="", validate=validate.Length(max=200))
    phone = fields.String(load_default=None, validate=validate.Regexp(r"^[0-9\-+ ]{7,20}$"))
    email = fields.Email(load_default=None)


class Enterprise(Schema):
    id = fields.String()
    name = fields.String()
    enterprise_type = fields.String()
    enterprise_type_label = fields.Method("_type_label")
    brn = fields.String()
    representative = fields.String()
    sido_code = fields.String()
    sigungu_code = fields.String()
    address = fields.String()
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    status = fields.String()
    created_at = fields.DateTime()

    def _type_label(self, obj) -> str:
        return ENTERPRISE_TYPES[obj.enterprise_type]


class CertificationCreate(Schema):
    kind = fields.String(required=True, validate=validate.Length(1, 40))
    number = fields.String(required=True, validate=validate.Length(1, 40))
    issuer = fields.String(required=True, validate=validate.Length(1, 100))
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(required=True)


class Certification(CertificationCreate):
    id = fields.String()
    enterprise_id = fields.String()


class ProductCreate(Schema):
    enterprise_id = fields.String(
        metadata={"description": "관리자만 지정; 기업 운영자는 자기 기업"}
    )
    sku = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9._\-]{1,40}$"))
    name = fields.String(required=True, validate=validate.Length(1, 200))
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    category = fields.String(required=True, validate=validate.OneOf(list(CATEGORIES)))
    unit = fields.String(required=True, validate=validate.Length(1, 20))
    unit_price = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=0, max=10_000_000_000)
    )
    tax_type = fields.String(required=True, validate=validate.OneOf(list(TAX_TYPES)))
    min_order_qty = fields.Integer(
        load_default=1, strict=True, validate=validate.Range(1, 1_000_000)
    )
    lead_time_days = fields.Integer(load_default=3, strict=True, validate=validate.Range(0, 365))
    weekly_capacity = fields.Integer(
        load_default=None, strict=True, validate=validate.Range(1, 10_000_000)
    )
    tags = fields.List(
        fields.String(validate=validate.Length(1, 30)),
        load_default=list,
        validate=validate.Length(max=20),
    )
    status = fields.String(load_default="active", validate=validate.OneOf(["draft", "active"]))


class Product(Schema):
    id = fields.String()
    enterprise_id = fields.String()
    sku = fields.String()
    name = fields.String()
    description = fields.String()
    category = fields.String()
    unit = fields.String()
    unit_price = fields.Integer()
    tax_type = fields.String()
    min_order_qty = fields.Integer()
    lead_time_days = fields.Integer()
    weekly_capacity = fields.Integer(allow_none=True)
    tags = fields.List(fields.String())
    status = fields.String()
    version = fields.Integer()
    created_at = fields.DateTime()


class PricingLine(Schema):
    product_id = fields.String(required=True, validate=validate.Length(1, 26))
    quantity = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=10_000_000)
    )


class PricingRequest(Schema):
    on_date = fields.Date(load_default=None, metadata={"description": "인증 유효 판단일 (납품일)"})
    lines = fields.List(
        fields.Nested(PricingLine), required=True, validate=validate.Length(1, MAX_PRICING_LINES)
    )


class PricedLine(Schema):
    product_id = fields.String()
    quantity = fields.Integer()
    snapshot = fields.Dict(metadata={"description": "가격·과세·기업 스냅숏 (성공 시)"})
    error = fields.Dict(metadata={"description": "{code, detail} (실패 시)"})


class PricingResponse(Schema):
    on_date = fields.Date()
    lines = fields.List(fields.Nested(PricedLine))
