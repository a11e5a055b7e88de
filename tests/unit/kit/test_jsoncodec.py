"""The kit's JSON (orjson) writes what the standard library and Flask wrote."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask import Flask
from flask.json.provider import DefaultJSONProvider
from hypothesis import given
from hypothesis import strategies as st

from gachi_kit import jsoncodec
from gachi_kit.jsoncodec import JSONProvider

KEYS = st.text(max_size=8)  # Korean, emoji, control characters: any text
PLAIN = st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.text()
JSON_VALUES = st.recursive(
    PLAIN,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=20,
)


def stdlib(value, **kwargs) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), **kwargs)


@given(JSON_VALUES)
def test_any_json_value_is_written_as_the_standard_library_wrote_it(value):
    assert jsoncodec.dumps(value) == stdlib(value)
    assert jsoncodec.dumps(value, sort_keys=True) == stdlib(value, sort_keys=True)
    assert json.loads(jsoncodec.dumps(value)) == value


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_float_reads_back_as_itself(number):
    assert json.loads(jsoncodec.dumps({"x": number})) == {"x": number}


def test_what_orjson_refuses_goes_through_the_standard_library():
    """An integer past 64 bits is written as the standard library wrote it; what neither
    writes is refused as before."""
    huge = {"quantity": 10**30, "이름": "두부과자"}
    assert jsoncodec.dumps(huge) == stdlib(huge)
    with pytest.raises(TypeError):
        jsoncodec.dumps({"a set": {1, 2}})
    assert jsoncodec.dumps({1: "하나", 2: "둘"}) == stdlib({1: "하나", 2: "둘"})
    # not JSON, refused by PostgreSQL's jsonb: null, where the standard library wrote NaN
    assert jsoncodec.dumps([float("nan"), float("inf")]) == "[null,null]"


def test_flask_responses_are_the_bytes_flask_wrote():
    """Dates as HTTP dates, Decimals and UUIDs as strings, keys sorted, compact, UTF-8."""
    fast, flask_own = Flask("fast"), Flask("own")
    fast.json = JSONProvider(fast)
    flask_own.json = DefaultJSONProvider(flask_own)
    flask_own.json.ensure_ascii = False
    body = {
        "z": "광명 두부마을 협동조합 🫘",
        "a": [1, 2.5, None, True],
        "when": datetime(2026, 12, 2, 9, 30, tzinfo=UTC),
        "day": date(2026, 12, 2),
        "amount": Decimal("52064.10"),
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "nested": {"b": 1, "a": {"d": 2, "c": 3}},
    }
    with fast.app_context():
        fast_bytes = fast.json.response(body).get_data()
    with flask_own.app_context():
        own_bytes = flask_own.json.response(body).get_data()
    assert fast_bytes == own_bytes
    assert "광명 두부마을".encode() in fast_bytes
    fast.debug = True  # indented, as Flask writes it in debug
    with fast.app_context():
        assert fast.json.response(body).get_data().startswith(b'{\n  "a": [')
