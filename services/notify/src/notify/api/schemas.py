"""Request and response schemas. Input schemas list exactly what a caller may set."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from gachi_kit.paging import PageQuery
from gachi_kit.receipts import MAX_IDS_PER_LOOKUP
from notify.domain.catalogue import CHANNELS, DIGESTS, RECIPIENT_TYPES, SUBSCRIBERS
from notify.domain.delivery import STATUSES


class InboxQuery(PageQuery):
    unread = fields.Boolean(load_default=False)


class InboxItem(Schema):
    id = fields.String()
    event_type = fields.String()
    subject_id = fields.String(allow_none=True)
    title = fields.String()
    body = fields.String()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class InboxPage(Schema):
    items = fields.List(fields.Nested(InboxItem))
    unread_count = fields.Integer()
    next_cursor = fields.String(allow_none=True)


# --- subscriptions ------------------------------------------------------------------------

_EVENT_TYPES = fields.List(
    fields.String(validate=validate.Length(1, 100)),
    validate=validate.Length(1, 50),
    metadata={
        "description": '이벤트 종류 목록: "*" 전체, "supplier_order.*" 묶음, 또는 정확한 종류'
    },
)


class SubscriptionCreate(Schema):
    recipient_type = fields.String(load_default=None, validate=validate.OneOf(SUBSCRIBERS))
    recipient_id = fields.String(load_default=None, validate=validate.Length(1, 130))
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    address = fields.String(load_default="", validate=validate.Length(max=500))
    event_types = fields.List(
        fields.String(validate=validate.Length(1, 100)),
        required=True,
        validate=validate.Length(1, 50),
    )
    digest = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(DIGESTS))
    active = fields.Boolean(load_default=True)


class SubscriptionUpdate(Schema):
    address = fields.String(validate=validate.Length(max=500))
    event_types = _EVENT_TYPES
    digest = fields.String(allow_none=True, validate=validate.OneOf(DIGESTS))
    active = fields.Boolean()


class SubscriptionQuery(PageQuery):
    recipient_type = fields.String(load_default=None, validate=validate.OneOf(SUBSCRIBERS))
    recipient_id = fields.String(load_default=None, validate=validate.Length(1, 130))
    channel = fields.String(load_default=None, validate=validate.OneOf(CHANNELS))


class Subscription(Schema):
    id = fields.String()
    recipient_type = fields.String()
    recipient_id = fields.String()
    channel = fields.String()
    address = fields.String()
    event_types = fields.List(fields.String())
    digest = fields.String(allow_none=True)
    active = fields.Boolean()
    managed = fields.Boolean(metadata={"description": "기업 연락처에서 만들어져 연락처를 따라감"})
    disabled_reason = fields.String(allow_none=True)
    secret_rotating_until = fields.DateTime(attribute="previous_secret_expires_at", allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class SubscriptionWithSecret(Subscription):
    secret = fields.String(
        allow_none=True,
        metadata={
            "description": "웹훅 서명 비밀값(whsec_...). 만들 때와 교체할 때 한 번만 보입니다."
        },
    )


class SubscriptionPage(Schema):
    items = fields.List(fields.Nested(Subscription))
    next_cursor = fields.String(allow_none=True)


class RotateSecret(Schema):
    overlap_hours = fields.Integer(load_default=None, validate=validate.Range(0, 168))


# --- deliveries ---------------------------------------------------------------------------


class DeliveryQuery(PageQuery):
    recipient_type = fields.String(load_default=None, validate=validate.OneOf(RECIPIENT_TYPES))
    recipient_id = fields.String(load_default=None, validate=validate.Length(1, 130))
    event_id = fields.String(load_default=None, validate=validate.Length(1, 26))
    event_type = fields.String(load_default=None, validate=validate.Length(1, 100))
    subject_id = fields.String(load_default=None, validate=validate.Length(1, 26))
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    channel = fields.String(load_default=None, validate=validate.OneOf(CHANNELS))


class Delivery(Schema):
    id = fields.String()
    event_id = fields.String()
    event_type = fields.String()
    recipient_type = fields.String()
    recipient_id = fields.String()
    subscription_id = fields.String(allow_none=True)
    channel = fields.String()
    address = fields.String()
    subject_id = fields.String(allow_none=True)
    summary = fields.Method("_summary", allow_none=True)
    template = fields.String(allow_none=True)
    status = fields.String()
    attempts = fields.Integer()
    max_attempts = fields.Integer()
    next_attempt_at = fields.DateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    response_code = fields.Integer(allow_none=True)
    replays = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)

    def _summary(self, row):
        from notify.services.delivery_log import summary

        return summary(row)


class DeliveryPage(Schema):
    items = fields.List(fields.Nested(Delivery))
    next_cursor = fields.String(allow_none=True)


class DeadQuery(PageQuery):
    channel = fields.String(load_default=None, validate=validate.OneOf(CHANNELS))
    event_type = fields.String(load_default=None, validate=validate.Length(1, 100))


class ReceivedQuery(Schema):
    ids = fields.List(
        fields.String(validate=validate.Length(1, 26)),
        required=True,
        validate=validate.Length(1, MAX_IDS_PER_LOOKUP),
        metadata={"description": "생산 서비스가 보낸 이벤트 id"},
    )


class Received(Schema):
    received = fields.List(fields.String(), metadata={"description": "그중 notify가 받은 id"})


class Replay(Schema):
    ids = fields.List(
        fields.String(validate=validate.Length(1, 26)), validate=validate.Length(1, 500)
    )
    all = fields.Boolean(load_default=False, metadata={"description": "조건에 맞는 dead 전체"})
    channel = fields.String(load_default=None, validate=validate.OneOf(CHANNELS))
    event_type = fields.String(load_default=None, validate=validate.Length(1, 100))
    event_id = fields.String(load_default=None, validate=validate.Length(1, 26))
    recipient_type = fields.String(load_default=None, validate=validate.OneOf(RECIPIENT_TYPES))
    recipient_id = fields.String(load_default=None, validate=validate.Length(1, 130))
    limit = fields.Integer(load_default=500, validate=validate.Range(1, 500))


class Skipped(Schema):
    id = fields.String()
    reason = fields.String()


class ReplayResult(Schema):
    replayed = fields.List(fields.String())
    skipped = fields.List(fields.Nested(Skipped))
