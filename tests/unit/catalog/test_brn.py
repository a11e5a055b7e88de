import pytest
from hypothesis import given
from hypothesis import strategies as st

from gachi_kit.brn import (
    MSG_CHECK_DIGIT,
    MSG_FORMAT,
    InvalidBRN,
    format_brn,
    make_brn,
    normalize_brn,
)

prefixes = st.text(alphabet="0123456789", min_size=9, max_size=9)


# Worked by hand, independently of the implementation (weights 1,3,7,1,3,7,1,3,5):
#   123456789: 1+6+21+4+15+42+7+24+45 = 165, + 9*5//10 = 4 -> 169, check (10-9)%10 = 1
#   111111111: 1+3+7+1+3+7+1+3+5 = 31, + 1*5//10 = 0 -> 31, check (10-1)%10 = 9
#   120814752: 1+6+0+8+3+28+7+15+10 = 78, + 2*5//10 = 1 -> 79, check 1
#   124810099: 1+6+28+8+3+0+0+27+45 = 118, + 9*5//10 = 4 -> 122, check 8
@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("123456789", "1234567891"),
        ("111111111", "1111111119"),
        ("120814752", "1208147521"),
        ("124810099", "1248100998"),
    ],
)
def test_make_brn_matches_hand_computation(prefix: str, expected: str) -> None:
    assert make_brn(prefix) == expected
    assert normalize_brn(expected) == expected


@pytest.mark.parametrize(
    "value",
    ["123-45-67891", "1234567891", "  123-45-67891 ", "\t1234567891\n", "124-81-00998"],
)
def test_normalize_accepts_plain_and_hyphenated(value: str) -> None:
    assert normalize_brn(value) == value.strip().replace("-", "")


@pytest.mark.parametrize(
    "value",
    [
        "123-45-67890",  # valid shape, check digit should be 1
        "1234567892",
        "1248100999",
        "1111111110",
    ],
)
def test_wrong_check_digit(value: str) -> None:
    with pytest.raises(InvalidBRN, match=MSG_CHECK_DIGIT):
        normalize_brn(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "123456789",  # 9 digits
        "12345678911",  # 11 digits
        "123-45-6789",
        "12a4567891",  # letter
        "abcdefghij",
        "12-345-67891",  # hyphens in the wrong places
        "1234-5-67891",
        "123-4567891",  # only one hyphen
        "12345-67891",
        "123--45-67891",
        "-1234567891",
        "1234567891-",
        "123 45 67891",  # spaces are not separators
        "123.45.67891",
        "\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff11",  # full-width
        "123-45-67891\n0",
    ],
)
def test_malformed_numbers(value: str) -> None:
    with pytest.raises(InvalidBRN, match=MSG_FORMAT):
        normalize_brn(value)


def test_non_string_is_rejected_as_malformed() -> None:
    with pytest.raises(InvalidBRN, match=MSG_FORMAT):
        normalize_brn(1234567891)  # type: ignore[arg-type]


def test_invalid_brn_is_a_value_error_with_korean_message() -> None:
    with pytest.raises(ValueError, match=r"^사업자등록번호는 10자리 숫자여야 합니다$"):
        normalize_brn("12345")


def test_format_brn() -> None:
    assert format_brn("1234567891") == "123-45-67891"
    assert format_brn("123-45-67891") == "123-45-67891"
    with pytest.raises(InvalidBRN):
        format_brn("1234567890")


@pytest.mark.parametrize("prefix", ["12345678", "1234567890", "12345678a", "", " 23456789"])
def test_make_brn_rejects_bad_prefix(prefix: str) -> None:
    with pytest.raises(ValueError, match="9 ASCII digits"):
        make_brn(prefix)


@given(prefixes)
def test_make_brn_always_validates(prefix: str) -> None:
    brn = make_brn(prefix)
    assert brn[:9] == prefix
    assert len(brn) == 10
    assert normalize_brn(brn) == brn
    assert normalize_brn(format_brn(brn)) == brn


@given(prefixes)
def test_exactly_one_check_digit_is_valid(prefix: str) -> None:
    valid = [d for d in "0123456789" if _is_valid(prefix + d)]
    assert valid == [make_brn(prefix)[-1]]


def _is_valid(value: str) -> bool:
    try:
        normalize_brn(value)
    except InvalidBRN:
        return False
    return True
