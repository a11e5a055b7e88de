"""Schemas of /v1/categories: the managed list of product categories."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from catalog.api.schemas.common import (
    StrictInteger,
)


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
