"""marshmallow's own English field messages reach callers in Korean (gachi_kit.messages)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from marshmallow import Schema, fields, validate

from gachi_kit.api import Blueprint
from gachi_kit.auth import ROLE_LABELS, ROLES
from gachi_kit.errors import register_error_handlers
from gachi_kit.messages import korean, korean_errors
from gachi_kit.ratelimit import korean_limit

HANGUL = re.compile("[가-힣]")


class Everything(Schema):
    name = fields.String(required=True, validate=validate.Length(2, 10))
    short = fields.String(validate=validate.Length(max=3))
    exact = fields.String(validate=validate.Length(equal=5))
    quantity = fields.Integer(strict=True, validate=validate.Range(min=1))
    share = fields.Float(validate=validate.Range(min=0, max=1, max_inclusive=False))
    kind = fields.String(validate=validate.OneOf(["cooperative", "social"]))
    email = fields.Email()
    url = fields.Url()
    day = fields.Date()
    at = fields.DateTime()
    flag = fields.Boolean()
    tags = fields.List(fields.String(), validate=validate.ContainsOnly(["a"]))
    code = fields.String(validate=validate.Regexp(r"^\d{5}$"))
    amount = fields.Decimal()
    nested = fields.Nested(lambda: Inner())
    nothing = fields.String(allow_none=False)


class Inner(Schema):
    count = fields.Integer(validate=validate.Range(max=9))


BAD = {
    "short": "abcd",
    "exact": "ab",
    "quantity": 0,
    "share": 1,
    "kind": "other",
    "email": "not-an-email",
    "url": "nope",
    "day": "2026-13-40",
    "at": "어제",
    "flag": "maybe",
    "tags": ["b"],
    "code": "12",
    "amount": "many",
    "nested": {"count": 10},
    "nothing": None,
    "unexpected": 1,
}


def test_every_default_marshmallow_message_is_translated():
    errors = korean_errors(Everything().validate(BAD))

    flat = []
    stack = [errors]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        else:
            flat.append(item)
    assert len(flat) >= len(BAD)
    assert [m for m in flat if not HANGUL.search(m)] == []
    assert errors["name"] == ["필수 항목입니다."]
    assert errors["unexpected"] == ["알 수 없는 항목입니다."]
    assert errors["quantity"] == ["1 이상이어야 합니다."]
    assert errors["share"] == ["0 이상 1 미만이어야 합니다."]
    assert errors["short"] == ["3자 이하여야 합니다."]
    assert errors["kind"] == ["다음 중 하나여야 합니다: cooperative, social."]
    assert errors["nested"] == {"count": ["9 이하여야 합니다."]}


def test_korean_and_unknown_messages_pass_through():
    assert korean("오늘 이후 날짜여야 합니다.") == "오늘 이후 날짜여야 합니다."
    assert korean("Length must be between 2 and 10.") == "2자 이상 10자 이하여야 합니다."


def test_the_error_handler_answers_field_errors_in_korean():
    app = Flask("korean")
    app.config.update(TESTING=True, API_TITLE="t", API_VERSION="1", OPENAPI_VERSION="3.0.3")
    from flask_smorest import Api

    api = Api(app)
    register_error_handlers(app)
    blp = Blueprint("things", __name__)

    @blp.post("/things")
    @blp.arguments(Inner)
    def create(data):
        return data

    api.register_blueprint(blp)
    response = app.test_client().post("/things", json={"count": "열", "colour": "red"})

    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "count": ["정수여야 합니다."],
        "colour": ["알 수 없는 항목입니다."],
    }


def test_every_role_has_a_korean_label():
    assert set(ROLE_LABELS) == set(ROLES)
    assert all(HANGUL.search(label) for label in ROLE_LABELS.values())


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        ("120/minute", "1분에 120회"),
        ("20/second", "1초에 20회"),
        ("1000 per 2 hours", "2시간에 1000회"),
    ],
)
def test_rate_limits_read_in_korean(limit, expected):
    from limits import parse

    assert korean_limit(parse(limit)) == expected
