"""Request and response schemas. Input schemas list exactly what a caller may set."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from catalog.domain.brand import (
    DEFAULT_ACCEPTANCE_HOURS,
    DEFAULT_PRICE_TOLERANCE_PERCENT,
    LISTING_STATUSES,
    ROUTING_POLICIES,
)
from catalog.domain.csv_import import ENCODINGS
from catalog.domain.enterprise import ENTERPRISE_STATUSES, ENTERPRISE_TYPES
from catalog.domain.product import MAX_IMAGE_URLS, PRODUCT_STATUSES, TAX_TYPES, image_url_problem

MAX_PRICING_LINES = 500
MAX_PAGE_SIZE = 100
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


# -- common ----------------------------------------------------------------------------------


class PageQuery(Schema):
    cursor = fields.String(load_default=None, validate=validate.Length(max=512))
    page_size = fields.Integer(
        load_default=20,
        validate=validate.Range(1, MAX_PAGE_SIZE, error="page_size는 1~100이어야 합니다."),
    )


class OnQuery(Schema):
    on = fields.Date(load_default=None, metadata={"description": "기준일 (YYYY-MM-DD); 기본 오늘"})


class Facet(Schema):
    code = fields.String()
    label = fields.String()
    count = fields.Integer()


# -- enterprises -----------------------------------------------------------------------------


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


class EnterpriseUpdate(Schema):
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

    @validates_schema
    def _not_empty(self, data, **_kwargs):
        if not data:
            raise ValidationError("바꿀 항목이 없습니다.", "_schema")


class EnterpriseContactUpdate(Schema):
    """The enterprise's own operator: contact fields and nothing else."""

    phone = Phone(allow_none=True)
    email = fields.Email(allow_none=True, validate=validate.Length(max=200))
    contact_person = fields.String(allow_none=True, validate=validate.Length(1, 50))

    @validates_schema
    def _not_empty(self, data, **_kwargs):
        if not data:
            raise ValidationError("바꿀 항목이 없습니다.", "_schema")


class Enterprise(Schema):
    id = fields.String()
    name = fields.String()
    enterprise_type = fields.String()
    enterprise_type_label = fields.String()
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


# -- categories and groups -------------------------------------------------------------------


class CategoryCreate(Schema):
    code = fields.String(
        required=True,
        validate=validate.Regexp(r"^[a-z][a-z0-9_]{1,39}$", error="영문 소문자·숫자·_ 2~40자"),
    )
    label = fields.String(required=True, validate=validate.Length(1, 40))
    sort_order = StrictInteger(load_default=None, validate=validate.Range(0, 100_000))


class Category(Schema):
    code = fields.String()
    label = fields.String()
    sort_order = fields.Integer()


class CategoryList(Schema):
    items = fields.List(fields.Nested(Category))


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


# -- products --------------------------------------------------------------------------------


class _ProductFields(Schema):
    name = fields.String(validate=validate.Length(1, 200))
    description = fields.String(validate=validate.Length(max=5000))
    category = fields.String(
        validate=validate.Length(1, 40), metadata={"description": "GET /v1/categories 의 코드"}
    )
    unit = fields.String(validate=validate.Length(1, 20))
    unit_price = Krw()
    tax_type = fields.String(validate=validate.OneOf(list(TAX_TYPES)))
    min_order_qty = StrictInteger(validate=validate.Range(1, 1_000_000))
    lead_time_days = StrictInteger(validate=validate.Range(0, 365))
    weekly_capacity = StrictInteger(
        allow_none=True,
        validate=validate.Range(1, 10_000_000),
        metadata={"description": "주간 공급 능력; null = 제한 없음"},
    )
    stock = StrictInteger(
        allow_none=True,
        validate=validate.Range(0, 1_000_000_000),
        metadata={"description": "재고; null = 관리하지 않음"},
    )
    image_urls = fields.List(HttpsUrl(), validate=validate.Length(max=MAX_IMAGE_URLS))
    tags = fields.List(
        fields.String(validate=validate.Length(1, 30)), validate=validate.Length(max=20)
    )
    group_code = fields.String(allow_none=True, validate=validate.Length(1, 60))
    status = fields.String(validate=validate.OneOf(list(PRODUCT_STATUSES)))


class ProductCreate(_ProductFields):
    enterprise_id = fields.String(
        metadata={"description": "관리자만 지정; 기업 운영자는 자기 기업"}
    )
    sku = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9._\-]{1,40}$"))
    name = fields.String(required=True, validate=validate.Length(1, 200))
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    category = fields.String(required=True, validate=validate.Length(1, 40))
    unit = fields.String(required=True, validate=validate.Length(1, 20))
    unit_price = Krw(required=True)
    tax_type = fields.String(required=True, validate=validate.OneOf(list(TAX_TYPES)))
    min_order_qty = StrictInteger(load_default=1, validate=validate.Range(1, 1_000_000))
    lead_time_days = StrictInteger(load_default=3, validate=validate.Range(0, 365))
    weekly_capacity = StrictInteger(
        load_default=None, allow_none=True, validate=validate.Range(1, 10_000_000)
    )
    stock = StrictInteger(load_default=None, allow_none=True, validate=validate.Range(0, 10**9))
    image_urls = fields.List(
        HttpsUrl(), load_default=list, validate=validate.Length(max=MAX_IMAGE_URLS)
    )
    tags = fields.List(
        fields.String(validate=validate.Length(1, 30)),
        load_default=list,
        validate=validate.Length(max=20),
    )
    group_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 60))
    status = fields.String(load_default="active", validate=validate.OneOf(["draft", "active"]))


class ProductUpdate(_ProductFields):
    """Only these fields; sku and enterprise are the product's identity."""

    @validates_schema
    def _not_empty(self, data, **_kwargs):
        if not data:
            raise ValidationError("바꿀 항목이 없습니다.", "_schema")


class Listing(Schema):
    brand_code = fields.String()
    brand_name = fields.String()
    status = fields.String(metadata={"description": "승인 기간이 지난 승인은 expired"})
    approved_at = fields.DateTime(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    carries_brand = fields.Boolean(metadata={"description": "오늘 이 브랜드를 달 수 있는가"})


class Product(Schema):
    id = fields.String()
    enterprise_id = fields.String()
    enterprise_name = fields.String()
    enterprise_type = fields.String()
    enterprise_type_label = fields.String()
    enterprise_status = fields.String()
    sido_code = fields.String()
    sigungu_code = fields.String()
    sku = fields.String()
    name = fields.String()
    description = fields.String()
    category = fields.String()
    category_label = fields.String()
    unit = fields.String()
    unit_price = fields.Integer()
    tax_type = fields.String()
    tax_type_label = fields.String()
    min_order_qty = fields.Integer()
    lead_time_days = fields.Integer()
    weekly_capacity = fields.Integer(allow_none=True)
    stock = fields.Integer(allow_none=True)
    image_urls = fields.List(fields.String())
    tags = fields.List(fields.String())
    group_code = fields.String(allow_none=True)
    status = fields.String()
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ProductDetail(Product):
    listings = fields.List(fields.Nested(Listing))


class PriceHistoryEntry(Schema):
    version = fields.Integer()
    unit_price = fields.Integer()
    tax_type = fields.String()
    changed_at = fields.DateTime()
    changed_by = fields.String(allow_none=True)


class PriceHistory(Schema):
    product_id = fields.String()
    items = fields.List(fields.Nested(PriceHistoryEntry))


class ProductSearchQuery(PageQuery):
    q = fields.String(
        load_default=None,
        validate=validate.Length(max=100),
        metadata={
            "description": "부분어(김치), 초성(ㄷㅂㄱㅈ), 띄어쓰기 무시(호두 과자 = 호두과자)"
        },
    )
    category = fields.String(load_default=None, validate=validate.Length(1, 40))
    enterprise_type = fields.String(load_default=None, validate=validate.OneOf(ENTERPRISE_TYPES))
    enterprise_id = fields.String(load_default=None, validate=validate.Length(1, 26))
    group_code = fields.String(load_default=None, validate=validate.Length(1, 60))
    sido = fields.String(load_default=None, validate=validate.Regexp(r"^\d{2}$"))
    sigungu = fields.String(load_default=None, validate=validate.Regexp(r"^\d{5}$"))
    brand = fields.String(
        load_default=None,
        validate=validate.Length(1, 40),
        metadata={"description": "이 브랜드를 단 상품만 (certified_on 또는 오늘 기준)"},
    )
    certified_on = fields.Date(
        load_default=None, metadata={"description": "이 날짜에 인증이 유효한 기업의 상품만"}
    )
    price_min = fields.Integer(load_default=None, validate=validate.Range(0, MAX_KRW))
    price_max = fields.Integer(load_default=None, validate=validate.Range(0, MAX_KRW))
    in_stock = fields.Boolean(
        load_default=None,
        metadata={"description": "true: 재고가 있거나 관리하지 않는 상품; false: 재고 0"},
    )
    status = fields.String(
        load_default=None,
        validate=validate.OneOf(list(PRODUCT_STATUSES)),
        metadata={"description": "관리자·자기 기업 상품에만 의미가 있음 (다른 사람은 판매중만 봄)"},
    )
    sort = fields.String(
        load_default="relevance",
        validate=validate.OneOf(["relevance", "price_asc", "price_desc", "newest"]),
        metadata={"description": "relevance는 q가 있을 때만; 없으면 newest"},
    )


class Facets(Schema):
    category = fields.List(fields.Nested(Facet))
    enterprise_type = fields.List(fields.Nested(Facet))
    sido = fields.List(fields.Nested(Facet))


class ProductPage(Schema):
    items = fields.List(fields.Nested(Product))
    next_cursor = fields.String(allow_none=True)
    total = fields.Integer(metadata={"description": "조건에 맞는 상품 수 (모든 페이지)"})
    sort = fields.String()
    facets = fields.Nested(Facets)


class BrandProductPage(ProductPage):
    brand_code = fields.String()
    on = fields.Date()


class BrandProductsQuery(PageQuery):
    on = fields.Date(load_default=None)
    q = fields.String(load_default=None, validate=validate.Length(max=100))
    category = fields.String(load_default=None, validate=validate.Length(1, 40))
    sort = fields.String(
        load_default="newest",
        validate=validate.OneOf(["relevance", "price_asc", "price_desc", "newest"]),
    )


# -- brands ----------------------------------------------------------------------------------


class Criterion(Schema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,39}$"))
    name = fields.String(required=True, validate=validate.Length(1, 100))
    description = fields.String(load_default="", validate=validate.Length(max=1000))
    weight = StrictInteger(required=True, validate=validate.Range(1, 100))


class _BrandFields(Schema):
    name = fields.String(validate=validate.Length(1, 100))
    sido_code = fields.String(validate=validate.Regexp(r"^\d{2}$"))
    sigungu_code = fields.String(allow_none=True, validate=validate.Regexp(r"^\d{5}$"))
    description = fields.String(validate=validate.Length(max=5000))
    criteria = fields.List(fields.Nested(Criterion), validate=validate.Length(max=30))
    listing_validity_months = StrictInteger(validate=validate.Range(1, 120))
    routing_policy = fields.String(
        validate=validate.OneOf(list(ROUTING_POLICIES)),
        metadata={"description": ", ".join(f"{k}: {v}" for k, v in ROUTING_POLICIES.items())},
    )
    acceptance_hours = StrictInteger(validate=validate.Range(1, 24 * 14))
    price_tolerance_percent = StrictInteger(validate=validate.Range(0, 100))
    quorum = StrictInteger(
        validate=validate.Range(1, 50),
        metadata={"description": "결정에 필요한 최소 투표 수 (기권 포함); 기본 3"},
    )


class BrandCreate(_BrandFields):
    code = fields.String(
        required=True, validate=validate.Regexp(r"^[A-Z0-9][A-Z0-9\-]{1,39}$", error=CODE_HELP)
    )
    name = fields.String(required=True, validate=validate.Length(1, 100))
    sido_code = fields.String(required=True, validate=validate.Regexp(r"^\d{2}$"))
    sigungu_code = fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(r"^\d{5}$")
    )
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    criteria = fields.List(
        fields.Nested(Criterion), load_default=list, validate=validate.Length(max=30)
    )
    listing_validity_months = StrictInteger(required=True, validate=validate.Range(1, 120))
    routing_policy = fields.String(required=True, validate=validate.OneOf(list(ROUTING_POLICIES)))
    acceptance_hours = StrictInteger(
        load_default=DEFAULT_ACCEPTANCE_HOURS, validate=validate.Range(1, 24 * 14)
    )
    price_tolerance_percent = StrictInteger(
        load_default=DEFAULT_PRICE_TOLERANCE_PERCENT, validate=validate.Range(0, 100)
    )
    quorum = StrictInteger(load_default=3, validate=validate.Range(1, 50))


class BrandUpdate(_BrandFields):
    @validates_schema
    def _not_empty(self, data, **_kwargs):
        if not data:
            raise ValidationError("바꿀 항목이 없습니다.", "_schema")


class CriterionOut(Schema):
    code = fields.String()
    name = fields.String()
    description = fields.String()
    weight = fields.Integer()


class Brand(Schema):
    code = fields.String()
    name = fields.String()
    sido_code = fields.String()
    sido_name = fields.String()
    sigungu_code = fields.String(allow_none=True)
    sigungu_name = fields.String(allow_none=True)
    description = fields.String()
    criteria = fields.List(fields.Nested(CriterionOut))
    listing_validity_months = fields.Integer()
    routing_policy = fields.String()
    acceptance_hours = fields.Integer()
    price_tolerance_percent = fields.Integer()
    quorum = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class BrandList(Schema):
    items = fields.List(fields.Nested(Brand))


class ListingApproval(Schema):
    valid_until = fields.Date(
        load_default=None,
        metadata={
            "description": "승인 유효기간 끝날; 기본은 오늘 + 브랜드의 listing_validity_months"
        },
    )


class BrandListing(Schema):
    id = fields.String()
    brand_code = fields.String()
    product_id = fields.String()
    status = fields.String(metadata={"description": " | ".join(LISTING_STATUSES)})
    approved_at = fields.DateTime(allow_none=True)
    valid_until = fields.Date(allow_none=True)


# -- committee, applications, votes ----------------------------------------------------------


class MemberCreate(Schema):
    user_sub = fields.String(required=True, validate=validate.Length(1, 100))
    name = fields.String(required=True, validate=validate.Length(1, 50))
    is_chair = fields.Boolean(load_default=False)
    conflicted_enterprise_ids = fields.List(
        fields.String(validate=validate.Length(1, 26)),
        load_default=list,
        validate=validate.Length(max=100),
    )


class MemberUpdate(Schema):
    name = fields.String(validate=validate.Length(1, 50))
    is_chair = fields.Boolean()
    conflicted_enterprise_ids = fields.List(
        fields.String(validate=validate.Length(1, 26)), validate=validate.Length(max=100)
    )

    @validates_schema
    def _not_empty(self, data, **_kwargs):
        if not data:
            raise ValidationError("바꿀 항목이 없습니다.", "_schema")


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


class ApplicationUpdate(_ApplicationFields):
    @validates_schema
    def _not_empty(self, data, **_kwargs):
        if not data:
            raise ValidationError("바꿀 항목이 없습니다.", "_schema")


class Reason(Schema):
    reason = fields.String(required=True, validate=validate.Length(1, 2000))


class OptionalReason(Schema):
    reason = fields.String(load_default=None, validate=validate.Length(max=2000))


class Empty(Schema):
    pass


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
    kind = fields.String(metadata={"description": "renewal (갱신) | change (상품 변경)"})
    status = fields.String(metadata={"description": "submitted | in_review"})
    opened_at = fields.DateTime()
    changes = fields.List(fields.Nested(ProductChangeEntry))


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
    review_stage = fields.String(
        allow_none=True,
        metadata={"description": "진행 중인 심사의 단계: submitted | in_review | null"},
    )
    rereview = fields.Nested(
        Rereview,
        allow_none=True,
        metadata={"description": "승인된 등록의 재심사(갱신·변경); 심사 중에도 판매는 유지"},
    )
    version = fields.Integer()
    created_at = fields.DateTime()


class ApplicationList(Schema):
    items = fields.List(fields.Nested(Application))


class ApplicationListQuery(Schema):
    brand_code = fields.String(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(LISTING_STATUSES))
    limit = fields.Integer(load_default=100, validate=validate.Range(1, MAX_PAGE_SIZE))


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


# -- pricing (the contract with orders: extend, never break) ---------------------------------


class PricingLine(Schema):
    product_id = fields.String(validate=validate.Length(1, 26))
    group_code = fields.String(validate=validate.Length(1, 60))
    sku = fields.String(
        validate=validate.Length(1, 40),
        metadata={
            "description": "기업의 상품코드; 여러 기업이 같은 코드를 쓰면 enterprise_brn 필요"
        },
    )
    enterprise_brn = fields.String(
        validate=validate.Regexp(r"^\d{3}-?\d{2}-?\d{5}$"),
        metadata={"description": "sku와 함께: 그 상품코드를 쓰는 기업의 사업자등록번호"},
    )
    quantity = StrictInteger(required=True, validate=validate.Range(min=1, max=10_000_000))

    @validates_schema
    def _exactly_one(self, data, **_kwargs):
        if sum(key in data for key in ("product_id", "group_code", "sku")) != 1:
            raise ValidationError(
                "product_id, group_code, sku 중 정확히 하나를 적어 주세요.", "product_id"
            )
        if "enterprise_brn" in data and "sku" not in data:
            raise ValidationError("enterprise_brn은 sku와 함께만 씁니다.", "enterprise_brn")


class PricingRequest(Schema):
    on_date = fields.Date(load_default=None, metadata={"description": "인증 유효 판단일 (납품일)"})
    brand_code = fields.String(
        load_default=None,
        validate=validate.Length(1, 40),
        metadata={
            "description": "주면 각 스냅숏에 이 브랜드의 listing이 붙고, 브랜드를 달지 "
            "않은 상품 줄은 not_listed_under_brand"
        },
    )
    lines = fields.List(
        fields.Nested(PricingLine), required=True, validate=validate.Length(1, MAX_PRICING_LINES)
    )


class SnapshotCertification(Schema):
    kind = fields.String()
    number = fields.String()
    valid_to = fields.String()


class SnapshotListing(Schema):
    brand_code = fields.String()
    status = fields.String(metadata={"description": "승인 기간이 지난 승인은 expired"})
    valid_until = fields.String(allow_none=True)


class Snapshot(Schema):
    product_id = fields.String()
    product_version = fields.Integer()
    sku = fields.String()
    name = fields.String()
    unit = fields.String()
    unit_price = fields.Integer()
    tax_type = fields.String()
    lead_time_days = fields.Integer()
    min_order_qty = fields.Integer()
    weekly_capacity = fields.Integer(allow_none=True, metadata={"description": "null = 제한 없음"})
    stock = fields.Integer(allow_none=True, metadata={"description": "null = 관리 안 함"})
    group_code = fields.String(allow_none=True)
    enterprise_id = fields.String()
    enterprise_name = fields.String()
    enterprise_type = fields.String()
    enterprise_type_label = fields.String()
    sido_code = fields.String()
    sigungu_code = fields.String()
    certified = fields.Boolean()
    certification = fields.Nested(SnapshotCertification, allow_none=True)
    listing = fields.Nested(SnapshotListing, allow_none=True)


class LineError(Schema):
    code = fields.String(
        metadata={
            "description": "상품 줄: product_not_found | product_unavailable | enterprise_inactive "
            "| below_minimum_order | not_listed_under_brand; 상품군 줄: group_not_found | "
            "no_supplier"
        }
    )
    detail = fields.String()


class GroupRef(Schema):
    code = fields.String()
    name = fields.String()
    unit = fields.String()


class PricedLine(Schema):
    product_id = fields.String()
    group_code = fields.String()
    sku = fields.String(metadata={"description": "sku로 물은 줄"})
    quantity = fields.Integer()
    snapshot = fields.Nested(Snapshot, metadata={"description": "상품 줄 성공 시"})
    group = fields.Nested(GroupRef, metadata={"description": "상품군 줄 성공 시"})
    candidates = fields.List(
        fields.Nested(Snapshot),
        metadata={"description": "활성 기업의 판매 중인 상품 전부 (자격 판단은 orders)"},
    )
    error = fields.Nested(LineError, metadata={"description": "실패 시"})


class PricingResponse(Schema):
    on_date = fields.Date()
    brand_code = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(PricedLine))


class Candidates(Schema):
    group = fields.Nested(GroupRef)
    on_date = fields.Date()
    brand_code = fields.String(allow_none=True)
    candidates = fields.List(fields.Nested(Snapshot))


# -- imports ---------------------------------------------------------------------------------


class ImportQuery(Schema):
    dry_run = fields.Boolean(
        load_default=False, metadata={"description": "true: 검사만, 저장 안 함"}
    )
    mode = fields.String(
        load_default="all_or_nothing",
        validate=validate.OneOf(["all_or_nothing", "valid_rows"]),
        metadata={
            "description": "all_or_nothing: 한 행이라도 틀리면 아무것도 저장 안 함; "
            "valid_rows: 올바른 행만 한 트랜잭션으로 저장"
        },
    )
    encoding = fields.String(
        load_default="auto",
        validate=validate.OneOf(list(ENCODINGS)),
        metadata={"description": "auto: UTF-8(BOM 있어도 됨) 다음 CP949"},
    )


class ProductImportQuery(ImportQuery):
    enterprise_id = fields.String(
        load_default=None,
        validate=validate.Length(1, 26),
        metadata={"description": "관리자는 필수; 기업 운영자는 생략(자기 기업)"},
    )


class ImportRowError(Schema):
    column = fields.String()
    message = fields.String()


class ImportRow(Schema):
    row = fields.Integer(metadata={"description": "스프레드시트 행 번호 (머리글이 1행)"})
    key = fields.String(allow_none=True, metadata={"description": "사업자등록번호 또는 SKU"})
    action = fields.String(metadata={"description": "created | updated | unchanged | invalid"})
    id = fields.String(allow_none=True)
    changed_fields = fields.List(fields.String())
    errors = fields.List(fields.Nested(ImportRowError))


class ImportReport(Schema):
    dry_run = fields.Boolean()
    mode = fields.String()
    encoding = fields.String()
    written = fields.Boolean()
    enterprise_id = fields.String()
    total_rows = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    invalid = fields.Integer()
    ignored_columns = fields.List(fields.String())
    rows = fields.List(fields.Nested(ImportRow))
