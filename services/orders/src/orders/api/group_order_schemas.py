"""Schemas of group orders (단체 구매). Input schemas list exactly what a caller may set."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from gachi_kit.dates import KST
from gachi_kit.events import utcnow
from gachi_kit.paging import PageQuery  # noqa: F401 (the list query of group orders)
from orders.api.schemas import DeliveryFields
from orders.domain import group_orders as rules

# -- input ------------------------------------------------------------------------------


class GroupItemInput(Schema):
    product_id = fields.String(validate=validate.Length(1, 26))
    group_code = fields.String(
        validate=validate.Length(1, 40),
        metadata={"description": "표준 품목 코드: 마감 때 라우팅이 공급 기업을 정함"},
    )

    @validates_schema
    def _one_target(self, data, **_kwargs):
        if bool(data.get("product_id")) == bool(data.get("group_code")):
            raise ValidationError("product_id와 group_code 중 하나만 지정하세요.", "product_id")


class GroupOrderCreate(DeliveryFields):
    title = fields.String(
        required=True,
        validate=validate.Length(1, 100),
        metadata={"description": "예: 2026 복지관 김장 나눔 단체 구매"},
    )
    items = fields.List(
        fields.Nested(GroupItemInput), required=True, validate=validate.Length(1, rules.MAX_ITEMS)
    )
    deadline = fields.AwareDateTime(
        required=True,
        default_timezone=KST,
        metadata={"description": "참여 마감 시각 (시간대가 없으면 한국 시간)"},
    )
    minimum_quantity = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(1, rules.MAX_ITEM_TOTAL),
        metadata={"description": "전 품목 합계 최소 수량: 못 미치면 마감 때 취소"},
    )
    needed_by = fields.Date(
        required=True, metadata={"description": "납품 요청일 (마감일 다음 날 이후)"}
    )

    @validates("title")
    def _title(self, value, **_kwargs):
        if not value.strip():
            raise ValidationError("제목을 입력하세요.")


class QuantityInput(Schema):
    item_no = fields.Integer(
        required=True, strict=True, validate=validate.Range(1, rules.MAX_ITEMS)
    )
    quantity = fields.Integer(
        required=True, strict=True, validate=validate.Range(0, rules.MAX_ITEM_TOTAL)
    )


class QuantitiesInput(Schema):
    quantities = fields.List(
        fields.Nested(QuantityInput),
        required=True,
        validate=validate.Length(1, rules.MAX_ITEMS),
        metadata={"description": "품목별 수량 (빠진 품목은 0)"},
    )


class JoinRequest(QuantitiesInput):
    name = fields.String(required=True, validate=validate.Length(1, 50))
    contact = fields.String(
        required=True,
        validate=validate.Length(1, 254),
        metadata={"description": "휴대전화 번호 또는 이메일 (마감 결과 안내용)"},
    )

    @validates("name")
    def _name(self, value, **_kwargs):
        if not value.strip():
            raise ValidationError("이름을 입력하세요.")

    @validates("contact")
    def _contact(self, value, **_kwargs):
        if rules.normalise_contact(value) is None:
            raise ValidationError("휴대전화 번호(010-1234-5678)나 이메일 주소를 입력하세요.")


class CancelGroupOrder(Schema):
    reason = fields.String(required=True, validate=validate.Length(1, 500))


# -- output -----------------------------------------------------------------------------


class GroupItem(Schema):
    item_no = fields.Integer()
    product_id = fields.String(allow_none=True)
    group_code = fields.String(allow_none=True)
    name = fields.String()
    unit = fields.String()
    unit_price = fields.Integer(
        allow_none=True, metadata={"description": "참고 단가 (상품군은 마감 때 라우팅이 정함)"}
    )
    total_quantity = fields.Integer(metadata={"description": "지금까지 모인 수량"})


class PublicGroupOrder(Schema):
    """What anyone with the share code sees: never another participant's name or contact."""

    share_code = fields.String()
    title = fields.String()
    status = fields.String(metadata={"description": "open | closed | cancelled | failed"})
    status_label = fields.Function(
        lambda g: rules.LABELS[g.status], dump_only=True, metadata={"type": "string"}
    )
    deadline = fields.DateTime()
    accepting = fields.Function(
        lambda g: rules.accepting_entries(g.status, g.deadline, utcnow()),
        dump_only=True,
        metadata={"description": "지금 참여·변경할 수 있는지", "type": "boolean"},
    )
    minimum_quantity = fields.Integer()
    total_quantity = fields.Integer()
    minimum_met = fields.Function(
        lambda g: rules.minimum_met(g.total_quantity, g.minimum_quantity),
        dump_only=True,
        metadata={"type": "boolean"},
    )
    participant_count = fields.Function(
        lambda g: len(g.active_participants), dump_only=True, metadata={"type": "integer"}
    )
    needed_by = fields.Date()
    delivery_address = fields.String()
    brand_code = fields.String(allow_none=True)
    memo = fields.String()
    items = fields.List(fields.Nested(GroupItem))


class NamedQuantity(Schema):
    item_no = fields.Integer()
    name = fields.String()
    unit = fields.String()
    quantity = fields.Integer()


class ShareOfSupplierOrder(Schema):
    supplier_order_id = fields.String()
    enterprise_name = fields.String()
    supply_amount = fields.Integer()
    vat_amount = fields.Integer()


class Participant(Schema):
    id = fields.String()
    name = fields.String()
    contact = fields.String()
    contact_kind = fields.String(metadata={"description": "phone | email"})
    status = fields.String(metadata={"description": "active | withdrawn"})
    quantities = fields.List(fields.Nested(NamedQuantity), attribute="named_quantities")
    supply_amount = fields.Integer(allow_none=True, metadata={"description": "마감 후 분담액"})
    vat_amount = fields.Integer(allow_none=True)
    total_amount = fields.Integer(allow_none=True)
    breakdown = fields.List(fields.Nested(ShareOfSupplierOrder), allow_none=True)
    joined_at = fields.DateTime()
    updated_at = fields.DateTime()


class OwnParticipation(Participant):
    """A participant's own entry (with the secret), and the group order's public view."""

    group_order = fields.Nested(PublicGroupOrder)


class Joined(OwnParticipation):
    secret = fields.String(
        metadata={
            "description": "수량 변경·참여 취소에 쓰는 비밀 코드: 이번 한 번만 보여 줍니다 "
            "(X-Participant-Secret 헤더)"
        }
    )


class GroupOrder(PublicGroupOrder):
    """The organiser's view: everything, with every participant and their shares."""

    id = fields.String()
    institution_id = fields.String()
    department = fields.String(allow_none=True)
    organiser_id = fields.String()
    delivery_sigungu_code = fields.String(allow_none=True)
    order_id = fields.String(allow_none=True, metadata={"description": "마감 때 넣은 주문"})
    status_reason = fields.String(allow_none=True)
    failure = fields.Dict(allow_none=True, metadata={"description": "주문 실패의 problem+json"})
    close_attempts = fields.Integer()
    last_close_error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    participants = fields.List(fields.Nested(Participant))


class GroupOrderPage(Schema):
    items = fields.List(fields.Nested(GroupOrder))
    next_cursor = fields.String(allow_none=True)
