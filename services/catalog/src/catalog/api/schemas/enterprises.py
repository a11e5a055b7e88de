"""Schemas of /v1/enterprises: the registry and certifications."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from catalog.api.schemas.common import (
    Changes,
    Phone,
)
from catalog.domain.enterprise import ENTERPRISE_STATUSES, ENTERPRISE_TYPES
from gachi_kit.paging import PageQuery


class EnterpriseCreate(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 100))
    enterprise_type = fields.String(required=True, validate=validate.OneOf(list(ENTERPRISE_TYPES)))
    brn = fields.String(required=True, metadata={"description": "사업자등록번호, 123-45-67890"})
    representative = fields.String(required=True, validate=validate.Length(1, 50))
    sigungu_code = fields.String(required=True, validate=validate.Regexp(r"^\d{5}$"))
    address = fields.String(load_default="", validate=validate.Length(max=200))
    phone = Phone(load_default=None, allow_none=True)
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=200))
    contact_person = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(1, 50)
    )


class EnterpriseUpdate(Changes):
    """Admins: the fields an admin may change. Anything else is refused (422)."""

    name = fields.String(validate=validate.Length(1, 100))
    enterprise_type = fields.String(validate=validate.OneOf(list(ENTERPRISE_TYPES)))
    brn = fields.String(metadata={"description": "사업자등록번호 정정 (검증번호 확인, 중복 불가)"})
    representative = fields.String(validate=validate.Length(1, 50))
    sigungu_code = fields.String(validate=validate.Regexp(r"^\d{5}$"))
    address = fields.String(validate=validate.Length(max=200))
    phone = Phone(allow_none=True)
    email = fields.Email(allow_none=True, validate=validate.Length(max=200))
    contact_person = fields.String(allow_none=True, validate=validate.Length(1, 50))
    status = fields.String(
        validate=validate.OneOf(ENTERPRISE_STATUSES),
        metadata={"description": "active(정상) | suspended(거래정지) | closed(폐업)"},
    )


class EnterpriseContactUpdate(Changes):
    """The enterprise's own operator: contact fields and nothing else."""

    phone = Phone(allow_none=True)
    email = fields.Email(allow_none=True, validate=validate.Length(max=200))
    contact_person = fields.String(allow_none=True, validate=validate.Length(1, 50))


class Enterprise(Schema):
    id = fields.String()
    name = fields.String()
    enterprise_type = fields.String()
    enterprise_type_label = fields.Function(
        lambda enterprise: ENTERPRISE_TYPES[enterprise.enterprise_type],
        metadata={"type": "string"},
    )
    brn = fields.String()
    representative = fields.String()
    sido_code = fields.String()
    sigungu_code = fields.String()
    address = fields.String()
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    contact_person = fields.String(allow_none=True)
    status = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class EnterpriseListQuery(PageQuery):
    q = fields.String(load_default=None, validate=validate.Length(max=100))
    enterprise_type = fields.String(load_default=None, validate=validate.OneOf(ENTERPRISE_TYPES))
    sido = fields.String(load_default=None, validate=validate.Regexp(r"^\d{2}$"))
    sigungu = fields.String(load_default=None, validate=validate.Regexp(r"^\d{5}$"))
    status = fields.String(load_default=None, validate=validate.OneOf(ENTERPRISE_STATUSES))
    certified_on = fields.Date(load_default=None)
    brn = fields.List(
        fields.String(validate=validate.Length(max=12)),
        load_default=None,
        validate=validate.Length(max=100),
        metadata={"description": "사업자등록번호로 정확히 찾기 (여러 번 줄 수 있음, 100개까지)"},
    )
    sort = fields.String(load_default="newest", validate=validate.OneOf(["newest", "name"]))


class EnterprisePage(Schema):
    items = fields.List(fields.Nested(Enterprise))
    next_cursor = fields.String(allow_none=True)


class CertificationCreate(Schema):
    kind = fields.String(required=True, validate=validate.Length(1, 40))
    number = fields.String(required=True, validate=validate.Length(1, 40))
    issuer = fields.String(required=True, validate=validate.Length(1, 100))
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(required=True)


class CertificationCorrection(Schema):
    number = fields.String(validate=validate.Length(1, 40))
    issuer = fields.String(validate=validate.Length(1, 100))
    valid_from = fields.Date()
    valid_to = fields.Date()
    reason = fields.String(
        required=True,
        validate=validate.Length(1, 500),
        metadata={"description": "고친 이유 (예: 인증번호 오기, 인증 취소)"},
    )


class CertificationRemoval(Schema):
    reason = fields.String(required=True, validate=validate.Length(1, 500))


class Certification(CertificationCreate):
    id = fields.String()
    enterprise_id = fields.String()
    state = fields.String(metadata={"description": "기준일에 valid | expired | upcoming"})


class CertificationList(Schema):
    on = fields.Date()
    items = fields.List(fields.Nested(Certification))


class EnterpriseDetail(Enterprise):
    on = fields.Date(metadata={"description": "인증 판단 기준일"})
    certified_on_date = fields.Boolean()
    certification = fields.Nested(Certification, allow_none=True)


class ScanResult(Schema):
    expiring = fields.Integer()
    expired = fields.Integer()
