"""Request and response schemas. Input schemas list exactly what a caller may set."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from orders.domain.rules import MAX_LINES


class OrderLineInput(Schema):
    product_id = fields.String(required=True, validate=validate.Length(1, 26))
    quantity = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=10_000_000)
    )


class OrderCreate(Schema):
    delivery_address = fields.String(required=True, validate=validate.Length(1, 200))
    delivery_sigungu_code = fields.String(load_default=None, validate=validate.Regexp(r"^\d{5}$"))
    needed_by = fields.Date(required=True, metadata={"description": "납품 요청일 (YYYY-MM-DD)"})
    memo = fields.String(load_default="", validate=validate.Length(max=1000))
    lines = fields.List(
        fields.Nested(OrderLineInput), required=True, validate=validate.Length(1, MAX_LINES)
    )


class OrderLine(Schema):
    line_no = fields.Integer()
    product_id = fields.String()
    sku = fields.String()
    name = fields.String()
    unit = fields.String()
    quantity = fields.Integer()
    unit_price = fields.Integer()
    tax_type = fields.String()
    supply_amount = fields.Integer()
    enterprise_id = fields.String()
    enterprise_type = fields.String()
    certified = fields.Boolean()


class SupplierOrder(Schema):
    id = fields.String()
    order_id = fields.String()
    enterprise_id = fields.String()
    enterprise_name = fields.String()
    status = fields.String()
    supply_amount = fields.Integer()
    vat_amount = fields.Integer()
    total_amount = fields.Integer()
    version = fields.Integer()
    created_at = fields.DateTime()
    lines = fields.List(fields.Nested(OrderLine))


class Order(Schema):
    id = fields.String()
    institution_id = fields.String()
    department = fields.String(allow_none=True)
    buyer_id = fields.String()
    status = fields.String()
    delivery_address = fields.String()
    delivery_sigungu_code = fields.String(allow_none=True)
    needed_by = fields.Date()
    memo = fields.String()
    supply_amount = fields.Integer()
    vat_amount = fields.Integer()
    total_amount = fields.Integer()
    created_at = fields.DateTime()
    supplier_orders = fields.List(fields.Nested(SupplierOrder))


class PageQuery(Schema):
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 100))
    cursor = fields.String(load_default=None, validate=validate.Length(max=26))


class OrderSummary(Order):
    class Meta:
        exclude = ("supplier_orders",)


class OrderPage(Schema):
    items = fields.List(fields.Nested(OrderSummary))
    next_cursor = fields.String(allow_none=True)


class SupplierOrderPage(Schema):
    items = fields.List(fields.Nested(SupplierOrder))
    next_cursor = fields.String(allow_none=True)
