from __future__ import annotations

from flask import request
from flask.views import MethodView

from catalog.api import file_upload_body
from catalog.api.schemas import imports as schemas
from catalog.domain import csv_import
from catalog.services import imports
from catalog.wiring import catalog
from gachi_kit.api import Blueprint
from gachi_kit.auth import current_principal, require_roles
from gachi_kit.errors import Problem, invalid
from gachi_kit.spreadsheet import MAX_ROWS

blp = Blueprint("imports", __name__, url_prefix="/v1/imports", description="CSV 가져오기")

# What browsers and Excel send for a .csv file besides text/csv.
CSV_MEDIA_TYPES = {"text/csv", "application/csv", "text/plain", "application/vnd.ms-excel"}
MAX_IMPORT_BYTES = 5 * 1024 * 1024

_COMMON = f"""
파일은 `multipart/form-data`의 `file` 항목 또는 `Content-Type: text/csv` 본문으로
올립니다 (최대 {MAX_IMPORT_BYTES // (1024 * 1024)}MB, {MAX_ROWS:,}행).
인코딩은 UTF-8(BOM 있어도 됨)과 CP949(엑셀 기본 'CSV(쉼표로 분리)')를 읽습니다.
1행은 머리글이며 열 순서는 자유롭고, 모르는 열은 무시하고 보고서의
`ignored_columns`에 적습니다. `dry_run=true`는 행별 보고서만 돌려주고 아무것도
저장하지 않습니다. `mode=all_or_nothing`(기본)은 한 행이라도 틀리면 422
`csv_invalid_rows`(보고서는 `report`)로 아무것도 저장하지 않고, `mode=valid_rows`는
올바른 행만 한 트랜잭션으로 저장합니다. 저장된 값과 같은 행은 `unchanged`: 같은
파일을 다시 올려도 아무것도 바뀌지 않습니다(버전·이벤트 없음). 행 번호는
스프레드시트와 같습니다(머리글이 1행).
"""

_UPLOAD_BODY = file_upload_body(**{"text/csv": {"schema": {"type": "string", "format": "binary"}}})


ENTERPRISE_DOC = (
    "관리자가 기업을 CSV로 등록·수정합니다 (사업자등록번호로 찾아 있으면 고칩니다).\n"
    + _COMMON
    + "\n\n열 (머리글):\n\n"
    + csv_import.describe(csv_import.enterprise_columns())
)
PRODUCT_DOC = (
    "기업 운영자는 자기 기업의, 관리자는 `enterprise_id` 기업의 상품을 CSV로 등록·수정합니다 "
    "(SKU로 찾아 있으면 고칩니다).\n"
    + _COMMON
    + "\n\n열 (머리글):\n\n"
    + csv_import.describe(csv_import.product_columns({}, {}))
)


def _upload() -> bytes:
    """The CSV bytes from a multipart `file` or a text/csv body."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise invalid("file", "file 항목으로 CSV 파일을 올려 주세요.", code="csv_missing_file")
        return upload.read()
    if request.mimetype in CSV_MEDIA_TYPES:
        return request.get_data(cache=False)
    raise Problem(
        415,
        "unsupported_media_type",
        "지원하지 않는 형식입니다",
        "multipart/form-data(file 항목) 또는 Content-Type: text/csv 로 올려 주세요.",
    )


@blp.route("/enterprises")
class EnterpriseImport(MethodView):
    @require_roles("admin")
    @blp.arguments(schemas.ImportQuery, location="query")
    @blp.doc(description=ENTERPRISE_DOC, requestBody=_UPLOAD_BODY)
    @blp.response(200, schemas.ImportReport)
    def post(self, query):
        """Import enterprises from CSV (admins); upsert by 사업자등록번호."""
        options = imports.Options(**query)
        return imports.import_enterprises(catalog(), _upload(), options, current_principal())


@blp.route("/products")
class ProductImport(MethodView):
    @require_roles("admin", "enterprise")
    @blp.arguments(schemas.ProductImportQuery, location="query")
    @blp.doc(description=PRODUCT_DOC, requestBody=_UPLOAD_BODY)
    @blp.response(200, schemas.ImportReport)
    def post(self, query):
        """Import products from CSV: an operator into its own enterprise, an admin into
        `enterprise_id`; upsert by SKU."""
        enterprise_id = query.pop("enterprise_id")
        options = imports.Options(**query)
        return imports.import_products(
            catalog(), _upload(), options, current_principal(), enterprise_id
        )
