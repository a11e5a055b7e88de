"""Schemas of /v1/listings, a brand's committee and /v1/committee: applications,
reviews, votes, audit, documents, the work queue and statistics."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from catalog.api.schemas.common import (
    Changes,
    HttpsUrl,
    Inline,
    StrictInteger,
)
from catalog.domain.brand import LISTING_STATUSES
from catalog.domain.listing import review_stage
from gachi_kit.paging import MAX_LIMIT


class MemberCreate(Schema):
    user_sub = fields.String(required=True, validate=validate.Length(1, 100))
    name = fields.String(required=True, validate=validate.Length(1, 50))
    is_chair = fields.Boolean(load_default=False)
    conflicted_enterprise_ids = fields.List(
        fields.String(validate=validate.Length(1, 26)),
        load_default=list,
        validate=validate.Length(max=100),
    )


class MemberUpdate(Changes):
    name = fields.String(validate=validate.Length(1, 50))
    is_chair = fields.Boolean()
    conflicted_enterprise_ids = fields.List(
        fields.String(validate=validate.Length(1, 26)), validate=validate.Length(max=100)
    )


class Member(Schema):
    brand_code = fields.String()
    user_sub = fields.String()
    name = fields.String()
    is_chair = fields.Boolean()
    conflicted_enterprise_ids = fields.List(fields.String())
    created_at = fields.DateTime()


class MemberList(Schema):
    items = fields.List(fields.Nested(Member))


class _ApplicationFields(Schema):
    pitch = fields.String(validate=validate.Length(max=5000))
    document_urls = fields.List(HttpsUrl(what="문서"), validate=validate.Length(max=20))


class ApplicationCreate(_ApplicationFields):
    brand_code = fields.String(required=True, validate=validate.Length(1, 40))
    product_id = fields.String(required=True, validate=validate.Length(1, 26))
    pitch = fields.String(load_default="", validate=validate.Length(max=5000))
    document_urls = fields.List(
        HttpsUrl(what="문서"), load_default=list, validate=validate.Length(max=20)
    )


class ApplicationUpdate(Changes, _ApplicationFields):
    pass


class Reason(Schema):
    reason = fields.String(required=True, validate=validate.Length(1, 2000))


class OptionalReason(Schema):
    reason = fields.String(load_default=None, validate=validate.Length(max=2000))


class VoteCreate(Schema):
    choice = fields.String(required=True, validate=validate.OneOf(["approve", "reject", "abstain"]))
    scores = fields.Dict(
        keys=fields.String(validate=validate.Length(1, 40)),
        values=StrictInteger(validate=validate.Range(1, 5)),
        load_default=dict,
        metadata={"description": "브랜드 심사 기준 코드별 1~5점"},
    )
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


class Decision(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(["approved", "rejected"]))
    reason = fields.String(required=True, validate=validate.Length(1, 2000))


class ProductChangeEntry(Schema):
    field = fields.String(
        metadata={"description": "name | description | unit | image_urls | unit_price"}
    )
    old = fields.Raw(allow_none=True)
    new = fields.Raw(allow_none=True)
    changed_at = fields.String()
    changed_by = fields.String()


class Rereview(Schema):
    """A listing's open re-review: its `rereview_*` columns."""

    kind = fields.String(
        attribute="rereview_kind",
        metadata={"description": "renewal (갱신) | change (상품 변경)"},
    )
    status = fields.String(
        attribute="rereview_status", metadata={"description": "submitted | in_review"}
    )
    opened_at = fields.DateTime(attribute="rereview_opened_at")
    changes = fields.List(fields.Nested(ProductChangeEntry), attribute="rereview_changes")


class Application(Schema):
    id = fields.String()
    brand_code = fields.String()
    product_id = fields.String()
    enterprise_id = fields.String(allow_none=True)
    status = fields.String(metadata={"description": " | ".join(LISTING_STATUSES)})
    pitch = fields.String()
    document_urls = fields.List(fields.String())
    submitted_at = fields.DateTime(allow_none=True)
    review_started_at = fields.DateTime(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decision_reason = fields.String(allow_none=True)
    status_reason = fields.String(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    review_round = fields.Integer(
        metadata={"description": "심사 회차 (신청·재신청·재심사마다 1씩)"}
    )
    review_stage = fields.Function(
        lambda listing: review_stage(listing.status, listing.rereview_status),
        allow_none=True,
        metadata={
            "type": "string",
            "description": "진행 중인 심사의 단계: submitted | in_review | null",
        },
    )
    rereview = Inline(
        Rereview,
        present=lambda listing: listing.rereview_status is not None,
        metadata={"description": "승인된 등록의 재심사(갱신·변경); 심사 중에도 판매는 유지"},
    )
    version = fields.Integer()
    created_at = fields.DateTime()


class ApplicationList(Schema):
    items = fields.List(fields.Nested(Application))


class ApplicationListQuery(Schema):
    brand_code = fields.String(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(LISTING_STATUSES))
    limit = fields.Integer(load_default=100, validate=validate.Range(1, MAX_LIMIT))


class Vote(Schema):
    id = fields.String()
    member_sub = fields.String()
    member_name = fields.String()
    round = fields.Integer()
    choice = fields.String()
    scores = fields.Dict(keys=fields.String(), values=fields.Integer())
    comment = fields.String()
    cast_at = fields.DateTime()


class VoteList(Schema):
    round = fields.Integer()
    items = fields.List(fields.Nested(Vote))


class VotesQuery(Schema):
    round = fields.Integer(load_default=None, validate=validate.Range(1, 10_000))


class VoteResult(Schema):
    vote = fields.Nested(Vote)
    listing = fields.Nested(Application)


class AuditQuery(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


class AuditEntry(Schema):
    id = fields.String()
    at = fields.DateTime()
    actor_sub = fields.String()
    actor_role = fields.String()
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    vote_id = fields.String(allow_none=True)


class AuditTrail(Schema):
    items = fields.List(fields.Nested(AuditEntry))


class Document(Schema):
    id = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size_bytes = fields.Integer()
    sha256 = fields.String()
    uploaded_by = fields.String()
    uploaded_at = fields.DateTime()


class DocumentList(Schema):
    items = fields.List(fields.Nested(Document))


class QueueItem(Application):
    waiting_since = fields.DateTime()
    waited_hours = fields.Float()


class Queue(Schema):
    items = fields.List(fields.Nested(QueueItem))


class BrandStatistics(Schema):
    brand_code = fields.String()
    approved = fields.Integer()
    rejected = fields.Integer()
    renewed = fields.Integer()
    average_decision_hours = fields.Float(allow_none=True)
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
