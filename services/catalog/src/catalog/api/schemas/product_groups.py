"""Schemas of /v1/product-groups: standard items several enterprises supply."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from catalog.api.schemas.common import (
    CODE_HELP,
    CODE_RE,
)
from catalog.api.schemas.pricing import GroupRef, Snapshot


class ProductGroupCreate(Schema):
    code = fields.String(
        required=True,
        validate=validate.Regexp(CODE_RE, error=CODE_HELP),
        metadata={"description": CODE_HELP},
    )
    name = fields.String(required=True, validate=validate.Length(1, 100))
    unit = fields.String(required=True, validate=validate.Length(1, 20))
    description = fields.String(load_default="", validate=validate.Length(max=2000))


class ProductGroupUpdate(Schema):
    name = fields.String(validate=validate.Length(1, 100))
    unit = fields.String(validate=validate.Length(1, 20))
    description = fields.String(validate=validate.Length(max=2000))


class ProductGroup(Schema):
    code = fields.String()
    name = fields.String()
    unit = fields.String()
    description = fields.String()
    supplier_count = fields.Integer(metadata={"description": "활성 기업의 판매 중인 상품 수"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ProductGroupList(Schema):
    items = fields.List(fields.Nested(ProductGroup))


class CandidatesQuery(Schema):
    on = fields.Date(load_default=None, metadata={"description": "납품일; 기본 오늘"})
    brand = fields.String(load_default=None, validate=validate.Length(1, 40))


class Candidates(Schema):
    group = fields.Nested(GroupRef)
    on_date = fields.Date()
    brand_code = fields.String(allow_none=True)
    candidates = fields.List(fields.Nested(Snapshot))
