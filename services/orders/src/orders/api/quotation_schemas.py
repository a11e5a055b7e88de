"""Schemas of 견적서 (quotations)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from gachi_kit.paging import PageQuery
from orders.domain.documents import shown_brn
from orders.domain.rules import MAX_LINES


class QuotationLineInput(Schema):
    product_id = fields.String(required=True, validate=validate.Length(1, 26))
    quantity = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=10_000_000)
    )


class QuotationRequest(Schema):
    lines = fields.List(
        fields.Nested(QuotationLineInput), required=True, validate=validate.Length(1, MAX_LINES)
    )
    note = fields.String(load_default="", validate=validate.Length(max=500))
    needed_by = fields.Date(load_default=None, metadata={"description": "납품 희망일 (선택)"})


class QuotationQuery(PageQuery):
    request_id = fields.String(load_default=None, validate=validate.Length(1, 26))


class QuotationLine(Schema):
    line_no = fields.Integer()
    product_id = fields.String()
    sku = fields.String()
    name = fields.String()
    unit = fields.String()
    quantity = fields.Integer()
    unit_price = fields.Integer()
    tax_type = fields.String()
    supply_amount = fields.Integer()


class Quotation(Schema):
    id = fields.String()
    number = fields.String()
    request_id = fields.String()
    institution_id = fields.String()
    institution_name = fields.String()
    institution_brn = fields.Function(lambda q: shown_brn(q.institution_brn))
    department = fields.String(allow_none=True)
    enterprise_id = fields.String()
    enterprise_name = fields.String()
    enterprise_brn = fields.Function(lambda q: shown_brn(q.enterprise_brn))
    note = fields.String()
    needed_by = fields.Date(allow_none=True)
    issued_on = fields.Date()
    valid_until = fields.Date()
    supply_amount = fields.Integer()
    vat_amount = fields.Integer()
    total_amount = fields.Integer()
    pdf_ready = fields.Boolean()
    created_at = fields.DateTime()
    lines = fields.List(fields.Nested(QuotationLine))


class QuotationList(Schema):
    items = fields.List(fields.Nested(Quotation))


class QuotationPage(QuotationList):
    next_cursor = fields.String(allow_none=True)
