"""Request and response schemas. Input schemas list exactly what a caller may set."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from gachi_kit.paging import PageQuery
from orders.domain import states
from orders.domain.rules import MAX_LINES

INSTITUTION_KINDS = ["지자체", "공공기관", "교육청", "학교", "공기업", "지방공기업", "기타"]


class OrderLineInput(Schema):
    product_id = fields.String(validate=validate.Length(1, 26))
    group_code = fields.String(
        validate=validate.Length(1, 40),
        metadata={"description": "표준 품목 코드: 라우팅이 공급 기업을 정함"},
    )
    sku = fields.String(
        validate=validate.Length(1, 40),
        metadata={"description": "기업의 상품코드 (여러 기업이 쓰면 enterprise_brn도)"},
    )
    enterprise_brn = fields.String(validate=validate.Regexp(r"^\d{3}-?\d{2}-?\d{5}$"))
    quantity = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=10_000_000)
    )

    @validates_schema
    def _one_target(self, data, **_kwargs):
        if sum(bool(data.get(key)) for key in ("product_id", "group_code", "sku")) != 1:
            raise ValidationError("product_id, group_code, sku 중 하나만 지정하세요.", "product_id")
        if data.get("enterprise_brn") and not data.get("sku"):
            raise ValidationError("enterprise_brn은 sku와 함께만 씁니다.", "enterprise_brn")


class DeliveryFields(Schema):
    """Where, when and under which brand: the same for an order, a CSV order and a group
    order."""

    delivery_address = fields.String(required=True, validate=validate.Length(1, 200))
    delivery_sigungu_code = fields.String(load_default=None, validate=validate.Regexp(r"^\d{5}$"))
    needed_by = fields.Date(required=True, metadata={"description": "납품 요청일 (YYYY-MM-DD)"})
    brand_code = fields.String(
        load_default=None,
        validate=validate.Length(1, 40),
        metadata={"description": "브랜드 상품으로만 주문 (라우팅 정책·수락 기한)"},
    )
    memo = fields.String(load_default="", validate=validate.Length(max=1000))


class OrderCreate(DeliveryFields):
    lines = fields.List(
        fields.Nested(OrderLineInput), required=True, validate=validate.Length(1, MAX_LINES)
    )


class SupplierOrderLine(Schema):
    line_no = fields.Integer()
    product_id = fields.String()
    sku = fields.String()
    name = fields.String()
    unit = fields.String()
    quantity = fields.Integer()
    unit_price = fields.Integer()
    tax_type = fields.String()
    enterprise_type = fields.String()
    certified = fields.Boolean()
    accepted_quantity = fields.Integer(allow_none=True)
    decline_reason = fields.String(allow_none=True)
    inspected_accepted_quantity = fields.Integer(allow_none=True)
    inspected_rejected_quantity = fields.Integer(allow_none=True)
    inspection_reason = fields.String(allow_none=True)
    cancelled = fields.Boolean()
    order_line_no = fields.Function(lambda line: line.order_line.line_no)


class SupplierOrder(Schema):
    id = fields.String()
    order_id = fields.String()
    enterprise_id = fields.String()
    enterprise_name = fields.String()
    status = fields.String()
    status_label = fields.Function(lambda so: states.LABELS[so.status])
    status_reason = fields.String(allow_none=True)
    supply_amount = fields.Integer()
    vat_amount = fields.Integer()
    total_amount = fields.Integer()
    acceptance_deadline = fields.DateTime()
    rerouted_from_id = fields.String(allow_none=True)
    carrier = fields.String(allow_none=True)
    tracking_number = fields.String(allow_none=True)
    version = fields.Integer()
    created_at = fields.DateTime()
    lines = fields.List(fields.Nested(SupplierOrderLine))


class OrderLine(Schema):
    line_no = fields.Integer()
    product_id = fields.String(allow_none=True)
    group_code = fields.String(allow_none=True)
    name = fields.String()
    unit = fields.String()
    quantity = fields.Integer()
    status = fields.String()
    unfulfillable_quantity = fields.Integer()
    cancelled_quantity = fields.Integer()


class Order(Schema):
    id = fields.String()
    institution_id = fields.String()
    institution_name = fields.String()
    department = fields.String(allow_none=True)
    buyer_id = fields.String()
    brand_code = fields.String(allow_none=True)
    routing_policy = fields.String()
    status = fields.String()
    delivery_address = fields.String()
    delivery_sigungu_code = fields.String(allow_none=True)
    needed_by = fields.Date()
    memo = fields.String()
    supply_amount = fields.Integer()
    vat_amount = fields.Integer()
    total_amount = fields.Integer()
    version = fields.Integer()
    created_at = fields.DateTime()
    lines = fields.List(fields.Nested(OrderLine))
    supplier_orders = fields.List(fields.Nested(SupplierOrder))


class OrderSummary(Order):
    class Meta:
        exclude = ("supplier_orders", "lines")


class SupplierOrderQuery(PageQuery):
    status = fields.String(load_default=None, validate=validate.OneOf(sorted(states.STATES)))


class OrderPage(Schema):
    items = fields.List(fields.Nested(OrderSummary))
    next_cursor = fields.String(allow_none=True)


class SupplierOrderPage(Schema):
    items = fields.List(fields.Nested(SupplierOrder))
    next_cursor = fields.String(allow_none=True)


class CancelRequest(Schema):
    reason = fields.String(required=True, validate=validate.Length(1, 500))
    line_nos = fields.List(
        fields.Integer(strict=True, validate=validate.Range(1, MAX_LINES)),
        load_default=None,
        validate=validate.Length(1, MAX_LINES),
        metadata={"description": "일부 품목만 취소할 때 품목 번호"},
    )


class RoutingDecision(Schema):
    line_no = fields.Function(lambda d: d.order_line.line_no)
    group_code = fields.Function(lambda d: d.order_line.group_code)
    trigger = fields.String(metadata={"description": "placement | declined | expired"})
    policy = fields.String()
    quantity = fields.Integer()
    unallocated_quantity = fields.Integer()
    candidates = fields.List(fields.Dict())
    created_at = fields.DateTime()


class RoutingReport(Schema):
    order_id = fields.String()
    decisions = fields.List(fields.Nested(RoutingDecision))


# -- supplier-order actions ------------------------------------------------------------


class ActingFor(Schema):
    version = fields.Integer(
        strict=True,
        load_default=None,
        metadata={"description": "낙관적 잠금: 읽은 version (다르면 409)"},
    )
    acting_for = fields.String(
        load_default=None,
        validate=validate.Length(1, 26),
        metadata={"description": "service 토큰이 대신하는 기업 (서명 링크)"},
    )


class AcceptLine(Schema):
    line_no = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    accepted_quantity = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=0, max=10_000_000)
    )
    reason = fields.String(load_default=None, validate=validate.Length(1, 500))


class AcceptRequest(ActingFor):
    lines = fields.List(
        fields.Nested(AcceptLine),
        load_default=None,
        validate=validate.Length(1, MAX_LINES),
        metadata={"description": "생략하면 전 품목 전량 수락"},
    )
    reason = fields.String(load_default=None, validate=validate.Length(1, 500))


class DeclineRequest(ActingFor):
    reason = fields.String(required=True, validate=validate.Length(1, 500))


class ShipRequest(ActingFor):
    carrier = fields.String(required=True, validate=validate.Length(1, 50))
    tracking_number = fields.String(required=True, validate=validate.Length(1, 50))


class InspectLine(Schema):
    line_no = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    accepted_quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    rejected_quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    reason = fields.String(load_default=None, validate=validate.Length(1, 500))


class InspectRequest(ActingFor):
    lines = fields.List(
        fields.Nested(InspectLine),
        load_default=None,
        validate=validate.Length(1, MAX_LINES),
        metadata={"description": "생략하면 전량 합격"},
    )


# -- institutions ----------------------------------------------------------------------


class InstitutionCreate(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 100))
    kind = fields.String(required=True, validate=validate.OneOf(INSTITUTION_KINDS))
    brn = fields.String(load_default=None, validate=validate.Regexp(r"^\d{3}-?\d{2}-?\d{5}$"))
    sido_code = fields.String(required=True, validate=validate.Regexp(r"^\d{2}$"))
    sigungu_code = fields.String(load_default=None, validate=validate.Regexp(r"^\d{5}$"))
    departments = fields.List(
        fields.String(validate=validate.Length(1, 100)),
        load_default=list,
        validate=validate.Length(max=200),
    )


class Department(Schema):
    id = fields.String()
    name = fields.String()


class DepartmentCreate(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 100))


class Institution(Schema):
    id = fields.String()
    name = fields.String()
    kind = fields.String()
    brn = fields.String(allow_none=True)
    sido_code = fields.String()
    sigungu_code = fields.String(allow_none=True)
    status = fields.String()
    departments = fields.List(fields.Nested(Department))
    created_at = fields.DateTime()


class InstitutionPage(Schema):
    items = fields.List(fields.Nested(Institution))
    next_cursor = fields.String(allow_none=True)


# -- CSV upload ------------------------------------------------------------------------


class OrderCsvForm(DeliveryFields):
    """The form fields of `POST /v1/orders/csv`; the lines come from the `file` part."""


class DryRunQuery(Schema):
    dry_run = fields.Boolean(load_default=False)


class SupplierOrderPreview(SupplierOrder):
    class Meta:
        exclude = ("id", "order_id", "version", "created_at")


class OrderPreview(Order):
    """An order a dry run would place: never written, so no id, version or time."""

    class Meta:
        exclude = ("id", "version", "created_at")

    supplier_orders = fields.List(fields.Nested(SupplierOrderPreview))


class CsvReport(Schema):
    ok = fields.Boolean()
    dry_run = fields.Boolean()
    encoding = fields.String()
    rows = fields.Integer(allow_none=True)
    problems = fields.List(fields.Dict(), metadata={"description": "[{row, column, problem}]"})
    preview = fields.Nested(OrderPreview, allow_none=True, metadata={"description": "넣게 될 주문"})
