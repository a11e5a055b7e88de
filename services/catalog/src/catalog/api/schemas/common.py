"""Fields and schemas every blueprint shares: strict integers, KRW, https URLs, phone
numbers, paging, partial updates."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, missing, validate, validates_schema

from catalog.domain.enterprise import ENTERPRISE_TYPES
from catalog.domain.product import image_url_problem

MAX_KRW = 10_000_000_000


CODE_RE = r"^[A-Z0-9][A-Z0-9\-]{1,59}$"


CODE_HELP = "영문 대문자·숫자·하이픈 (예: KIMCHI-POGI-10KG)"


class StrictInteger(fields.Integer):
    """An integer in JSON: 3500, never 3500.0 or "3500" (marshmallow already refuses true)."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)


def Krw(**kwargs) -> StrictInteger:
    kwargs.setdefault("metadata", {}).setdefault("description", "원 단위 정수 (소수 불가)")
    return StrictInteger(validate=validate.Range(0, MAX_KRW), **kwargs)


class HttpsUrl(fields.String):
    """An absolute https URL; `what` names it in the Korean error (이미지, 문서)."""

    def __init__(self, *args, what: str = "이미지", **kwargs):
        super().__init__(*args, **kwargs)
        self.what = what

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = image_url_problem(text, self.what)
        if problem:
            raise ValidationError(problem)
        return text


Phone = lambda **kw: fields.String(  # noqa: E731
    validate=validate.Regexp(r"^[0-9\-+ ]{7,20}$", error="전화번호 형식이 올바르지 않습니다."),
    **kw,
)


class OnQuery(Schema):
    on = fields.Date(load_default=None, metadata={"description": "기준일 (YYYY-MM-DD); 기본 오늘"})


class Facet(Schema):
    code = fields.String()
    label = fields.String()
    count = fields.Integer()


class Changes(Schema):
    """A partial update: it must change something (an empty body is refused)."""

    @validates_schema
    def _not_empty(self, data, **_kwargs):
        if not data:
            raise ValidationError("바꿀 항목이 없습니다.", "_schema")


class Inline(fields.Nested):
    """A nested object made of the parent's own attributes (a listing's `rereview_*`
    columns are its `rereview`), or null when `present(parent)` is false."""

    def __init__(self, nested, *, present, **kwargs):
        super().__init__(nested, allow_none=True, **kwargs)
        self.present = present

    def get_value(self, obj, attr, accessor=None, default=missing):
        return obj if self.present(obj) else None


class SuppliedBy(Schema):
    """The supplying enterprise of a product, read through `product.enterprise` (products
    and pricing snapshots show the same fields)."""

    enterprise_id = fields.String()
    enterprise_name = fields.String(attribute="enterprise.name")
    enterprise_type = fields.String(attribute="enterprise.enterprise_type")
    enterprise_type_label = fields.Function(
        lambda product: ENTERPRISE_TYPES[product.enterprise.enterprise_type],
        metadata={"type": "string"},
    )
    sido_code = fields.String(attribute="enterprise.sido_code")
    sigungu_code = fields.String(attribute="enterprise.sigungu_code")
