"""The pure parts of `Idempotency-Key` handling: request fingerprints and key validation."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gachi_kit.errors import Problem
from orders.services.idempotency import MAX_KEY_LENGTH, fingerprint, validate_key

ORDER = {
    "needed_by": "2025-03-14",
    "delivery_address": "경기도 광명시 철산로 20 광명시청 본관 1층",
    "memo": "정문 경비실에 맡겨 주세요",
    "lines": [
        {"product_id": "01JAXG7Q7N0M3V4D6S8T9W1Y2Z", "quantity": 8},
        {"product_group_id": "01JAXG8B2C3D4E5F6G7H8J9K0M", "quantity": 3},
    ],
}


def _reversed_keys(value):
    """The same JSON value with every object's keys inserted in reverse order."""
    if isinstance(value, dict):
        return {k: _reversed_keys(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_reversed_keys(v) for v in value]
    return value


def test_fingerprint_is_a_sha256_hex_digest():
    digest = fingerprint(ORDER)

    assert len(digest) == 64
    assert int(digest, 16) >= 0


def test_fingerprint_is_stable_under_key_order():
    assert fingerprint(_reversed_keys(ORDER)) == fingerprint(ORDER)


def test_fingerprint_is_repeatable():
    assert fingerprint(ORDER) == fingerprint(dict(ORDER))


@pytest.mark.parametrize(
    "changed",
    [
        {**ORDER, "needed_by": "2025-03-15"},
        {**ORDER, "memo": "정문 경비실에 맡겨 주세요."},
        {**ORDER, "lines": [{**ORDER["lines"][0], "quantity": 9}, ORDER["lines"][1]]},
        {**ORDER, "lines": list(reversed(ORDER["lines"]))},  # line order is meaningful
        {**ORDER, "lines": [{**ORDER["lines"][0], "quantity": "8"}, ORDER["lines"][1]]},
        {k: v for k, v in ORDER.items() if k != "memo"},
    ],
    ids=["date", "memo", "quantity", "line-order", "int-vs-string", "field-dropped"],
)
def test_fingerprint_differs_when_a_value_changes(changed):
    assert fingerprint(changed) != fingerprint(ORDER)


def test_fingerprint_handles_korean_text():
    a = fingerprint({"memo": "포기김치 10kg 배송 전 연락 바랍니다"})
    b = fingerprint({"memo": "포기김치 10kg 배송 후 연락 바랍니다"})

    assert a != b
    assert len(a) == len(b) == 64


def test_lone_surrogate_in_a_body_is_hashed_not_an_unhandled_error():
    """Valid JSON that get_json() accepts; hashing it must not raise UnicodeEncodeError."""
    body = json.loads('{"memo": "\\ud800"}')
    assert body["memo"] == "\ud800"

    digest = fingerprint(body)

    assert len(digest) == 64
    assert digest != fingerprint({"memo": "\ud801"})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6))
def test_fingerprint_ignores_key_order_for_any_body(body):
    assert fingerprint(_reversed_keys(body)) == fingerprint(body)


def _key_problem(key) -> Problem:
    with pytest.raises(Problem) as info:
        validate_key(key)
    assert info.value.status == 400
    return info.value


@pytest.mark.parametrize("key", [None, "", "   ", "\t\n"])
def test_missing_or_blank_key(key):
    assert _key_problem(key).code == "idempotency_key_missing"


def test_too_long_key():
    assert _key_problem("k" * (MAX_KEY_LENGTH + 1)).code == "idempotency_key_invalid"


def test_longest_allowed_key_passes():
    key = "k" * MAX_KEY_LENGTH

    assert validate_key(key) == key


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("8e03978e-40d5-43e8-bc93-6894a57f9324", "8e03978e-40d5-43e8-bc93-6894a57f9324"),
        ("  order-2025-0314  ", "order-2025-0314"),
    ],
)
def test_valid_keys_are_returned_trimmed(key, expected):
    assert validate_key(key) == expected


def test_surrounding_spaces_do_not_count_toward_the_length_limit():
    key = "k" * MAX_KEY_LENGTH
    assert validate_key(f"  {key} ") == key
