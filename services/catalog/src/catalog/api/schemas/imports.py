"""Schemas of the CSV/XLSX imports (/v1/imports)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from gachi_kit.spreadsheet import ENCODINGS


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
