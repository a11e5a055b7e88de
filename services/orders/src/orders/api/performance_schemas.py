"""Request and response schemas of the 우선구매 performance API (Korean field errors)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from gachi_kit.paging import PageQuery
from orders.domain.categories import ENTERPRISE_TYPE_LABELS
from orders.domain.off_platform import CHANNELS
from orders.domain.performance import AMOUNT_KINDS, BASES, MAX_KRW, TARGET_KINDS
from orders.services.performance.figures import SOURCES

REQUIRED = {"required": "필수 항목입니다.", "null": "비워 둘 수 없습니다."}


def Won(**kwargs) -> fields.Integer:
    """Whole won: 3500, never 3500.5, "3500" or a negative amount."""
    kwargs.setdefault("metadata", {"description": "원 단위 정수"})
    return fields.Integer(
        strict=True,
        validate=validate.Range(0, MAX_KRW, error="0원 이상 1,000조 원 이하여야 합니다."),
        error_messages=REQUIRED | {"invalid": "원 단위 정수여야 합니다 (소수 불가)."},
        **kwargs,
    )


def FiscalYear(*, strict: bool = True, **kwargs) -> fields.Integer:
    """Strict in JSON bodies; a query string carries it as text."""
    return fields.Integer(
        strict=strict,
        error_messages=REQUIRED | {"invalid": "회계연도는 2026처럼 네 자리 정수여야 합니다."},
        **kwargs,
    )


def Choice(choices, **kwargs) -> fields.String:
    return fields.String(
        validate=validate.OneOf(list(choices), error="다음 중 하나여야 합니다: {choices}."),
        error_messages=REQUIRED,
        **kwargs,
    )


def Text(maximum: int, **kwargs) -> fields.String:
    return fields.String(
        validate=validate.Length(1, maximum, error=f"1~{maximum}자로 적어 주세요."),
        error_messages=REQUIRED,
        **kwargs,
    )


def Day(**kwargs) -> fields.Date:
    return fields.Date(
        error_messages=REQUIRED | {"invalid": "날짜는 2026-03-05 형식이어야 합니다."}, **kwargs
    )


# -- categories and settings -------------------------------------------------------------


class CategoryMember(Schema):
    enterprise_type = Choice(ENTERPRISE_TYPE_LABELS, required=True)
    certified_only = fields.Boolean(load_default=False)
    label = fields.String(dump_only=True)


class LocalCategoryInput(Schema):
    name = Text(100, required=True)
    legal_basis = Text(300, required=True)
    receiving_body = Text(100, required=True)
    due_month = fields.Integer(
        strict=True,
        allow_none=True,
        load_default=None,
        validate=validate.Range(1, 12, error="1~12월이어야 합니다."),
    )
    due_day = fields.Integer(
        strict=True,
        allow_none=True,
        load_default=None,
        validate=validate.Range(1, 31, error="1~31일이어야 합니다."),
    )
    has_numeric_target = fields.Boolean(load_default=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))
    sigungu_code = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Regexp(r"^\d{5}$", error="시군구 코드는 다섯 자리 숫자입니다."),
    )
    members = fields.List(
        fields.Nested(CategoryMember),
        required=True,
        validate=validate.Length(1, 7, error="기업 유형을 1~7개 고르세요."),
    )


class Category(Schema):
    code = fields.String()
    name = fields.String()
    scope = fields.String()
    scope_label = fields.String()
    legal_basis = fields.String()
    receiving_body = fields.String()
    due_month = fields.Integer(allow_none=True)
    due_day = fields.Integer(allow_none=True)
    due = fields.String(
        allow_none=True, metadata={"description": "법정 제출 기한 (예: 매년 2월 말일)"}
    )
    has_numeric_target = fields.Boolean()
    note = fields.String()
    sigungu_code = fields.String(allow_none=True)
    members = fields.List(fields.Nested(CategoryMember))


class CategoryList(Schema):
    items = fields.List(fields.Nested(Category))


class SettingsInput(Schema):
    basis = Choice(BASES, metadata={"description": "inspection(검수일, 기본) | payment(지급일)"})
    amount_kind = Choice(AMOUNT_KINDS, metadata={"description": "supply(공급가액, 기본) | total"})
    publish_ranking = fields.Boolean(metadata={"description": "부서별 순위를 로그인 없이 공개"})
    buyers_see_institution = fields.Boolean(
        metadata={"description": "구매 담당자가 모든 부서 실적을 봄"}
    )
    alert_margin_percent = fields.Integer(
        strict=True, validate=validate.Range(1, 100, error="1~100 사이여야 합니다.")
    )


class Settings(SettingsInput):
    basis_label = fields.String()
    amount_label = fields.String()


# -- targets -----------------------------------------------------------------------------


class TargetInput(Schema):
    fiscal_year = FiscalYear(required=True)
    category_code = Text(40, required=True)
    department = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(max=100)
    )
    kind = Choice(TARGET_KINDS, required=True, metadata={"description": "amount | share"})
    amount = Won(allow_none=True, load_default=None)
    share_percent = fields.Decimal(
        places=2,
        allow_none=True,
        load_default=None,
        validate=validate.Range(
            0, 100, min_inclusive=False, error="0 초과 100 이하의 비율(%)이어야 합니다."
        ),
        error_messages={
            "invalid": "비율은 5 또는 1.1처럼 숫자여야 합니다.",
            "special": "비율은 숫자여야 합니다.",
        },
    )
    denominator = Won(
        allow_none=True, load_default=None, metadata={"description": "비율의 분모 (원)"}
    )
    denominator_label = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(max=200)
    )

    @validates_schema
    def _complete(self, data, **_kwargs):
        errors = {}
        if data.get("kind") == "amount" and data.get("amount") is None:
            errors["amount"] = ["금액 목표에는 amount가 필요합니다."]
        if data.get("kind") == "share":
            if data.get("share_percent") is None:
                errors["share_percent"] = ["비율 목표에는 share_percent가 필요합니다."]
            if data.get("denominator") is None:
                errors["denominator"] = ["비율 목표에는 분모 금액(denominator)이 필요합니다."]
            if not data.get("denominator_label"):
                errors["denominator_label"] = [
                    "분모가 무엇인지 적어 주세요 (예: 공사 제외 총구매액)."
                ]
        if errors:
            raise ValidationError(errors)


class Target(Schema):
    id = fields.String()
    fiscal_year = fields.Integer()
    category_code = fields.String()
    department = fields.String(allow_none=True)
    kind = fields.String()
    amount = fields.Integer(allow_none=True)
    share_percent = fields.Float(allow_none=True)
    denominator = fields.Integer(allow_none=True)
    denominator_label = fields.String(allow_none=True)
    target_amount = fields.Integer()
    updated_by = fields.String()
    updated_at = fields.DateTime()


class YearQuery(Schema):
    fiscal_year = FiscalYear(strict=False, required=True)


class TargetList(Schema):
    items = fields.List(fields.Nested(Target))


# -- reports -----------------------------------------------------------------------------


class ReportQuery(YearQuery):
    department = fields.String(load_default=None, validate=validate.Length(1, 100))
    source = Choice(SOURCES, load_default=None)


class EntryQuery(ReportQuery, PageQuery):
    category = fields.String(load_default=None, validate=validate.Length(1, 40))
    enterprise_type = Choice(ENTERPRISE_TYPE_LABELS, load_default=None)
    enterprise_id = fields.String(load_default=None, validate=validate.Length(1, 26))
    month = fields.Integer(
        load_default=None, validate=validate.Range(1, 12, error="1~12월이어야 합니다.")
    )


class PackageQuery(YearQuery):
    category = Text(40, required=True)
    total_purchases = fields.Integer(
        load_default=None,
        validate=validate.Range(1, MAX_KRW, error="1원 이상이어야 합니다."),
        error_messages={"invalid": "원 단위 정수여야 합니다 (소수 불가)."},
        metadata={"description": "실적 연도의 총구매액 (비율의 분모, 원)"},
    )


class ExportQuery(ReportQuery):
    format = Choice(("xlsx", "csv"), load_default="xlsx")
    encoding = Choice(("utf-8", "cp949"), load_default="utf-8", metadata={"description": "CSV만"})


# -- off-platform purchases --------------------------------------------------------------


class PurchaseInput(Schema):
    enterprise_brn = fields.String(
        required=True, error_messages=REQUIRED, metadata={"description": "사업자등록번호"}
    )
    item_name = Text(200, required=True)
    supply_amount = Won(required=True)
    vat_amount = Won(load_default=0)
    total_amount = Won(load_default=None, allow_none=True)
    channel = Choice(CHANNELS, load_default="other")
    department = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=100)
    )
    contract_on = Day(load_default=None, allow_none=True)
    delivered_on = Day(load_default=None, allow_none=True)
    inspected_on = Day(load_default=None, allow_none=True)
    paid_on = Day(load_default=None, allow_none=True)
    evidence_reference = Text(200, required=True, metadata={"description": "계약번호, 문서번호 등"})


class Purchase(Schema):
    id = fields.String()
    off_platform = fields.Constant(True)
    department = fields.String(allow_none=True)
    channel = fields.String()
    enterprise_brn = fields.String()
    enterprise_id = fields.String()
    enterprise_name = fields.String()
    enterprise_type = fields.String()
    certified = fields.Boolean()
    item_name = fields.String()
    contract_on = fields.Date(allow_none=True)
    delivered_on = fields.Date(allow_none=True)
    inspected_on = fields.Date(allow_none=True)
    paid_on = fields.Date(allow_none=True)
    supply_amount = fields.Integer()
    vat_amount = fields.Integer()
    total_amount = fields.Integer()
    evidence_reference = fields.String()
    categories = fields.List(fields.String(), attribute="category_codes")
    recorded_by = fields.String()
    created_at = fields.DateTime()


class PurchaseList(Schema):
    items = fields.List(fields.Nested(Purchase))


class ImportQuery(Schema):
    dry_run = fields.Boolean(load_default=False)
    mode = Choice(("all_or_nothing", "valid_rows"), load_default="all_or_nothing")
    encoding = Choice(("auto", "utf-8", "cp949"), load_default="auto")


class ImportReport(Schema):
    ok = fields.Boolean()
    dry_run = fields.Boolean()
    mode = fields.String()
    encoding = fields.String()
    rows = fields.Integer()
    valid = fields.Integer()
    imported = fields.Integer()
    problems = fields.List(fields.Dict(), metadata={"description": "[{row, column, problem}]"})
    preview = fields.List(
        fields.Dict(),
        metadata={
            "description": "파일의 모든 행 (row: 스프레드시트 행 번호). refused=false이면 넣을 "
            "모습, refused=true이면 읽은 그대로의 칸 (cells: 열 키 → 문자열)"
        },
    )


class ExportJob(Schema):
    id = fields.String()
    status = fields.String()
    progress = fields.Integer()
    format = fields.String()
    file_name = fields.String(allow_none=True)
    download_url = fields.String(allow_none=True)
    error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
