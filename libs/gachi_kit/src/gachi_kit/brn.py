"""Korean business registration numbers (사업자등록번호), one rule for every service.

A number has 10 digits, written ``123-45-67890``: a 3-digit tax office code, a
2-digit business type code, a 4-digit serial and a check digit. Stored and
compared as the bare 10 digits; shown to people with hyphens.
"""

from __future__ import annotations

import re

__all__ = ["InvalidBRN", "format_brn", "make_brn", "normalize_brn"]

# Only ASCII digits: ``\d`` would also accept full-width and other scripts' digits.
_BRN_RE = re.compile(r"[0-9]{3}-[0-9]{2}-[0-9]{5}|[0-9]{10}")
_PREFIX_RE = re.compile(r"[0-9]{9}")
_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)

MSG_FORMAT = "사업자등록번호는 10자리 숫자여야 합니다"
MSG_CHECK_DIGIT = "사업자등록번호 검증번호가 올바르지 않습니다"


class InvalidBRN(ValueError):
    """Raised for malformed numbers; the message is meant for end users."""


def _check_digit(prefix9: str) -> int:
    """Check digit of the official (국세청) algorithm for the first 9 digits."""
    digits = [int(c) for c in prefix9]
    total = sum(d * w for d, w in zip(digits, _WEIGHTS, strict=True))
    # The 9th digit is weighted 5 and its tens carry is added once more.
    total += digits[8] * 5 // 10
    return (10 - total % 10) % 10


def normalize_brn(value: str) -> str:
    """Return the 10 digits of ``123-45-67890`` or ``1234567890``, validating the check digit."""
    if not isinstance(value, str):
        raise InvalidBRN(MSG_FORMAT)
    text = value.strip()
    if not _BRN_RE.fullmatch(text):
        raise InvalidBRN(MSG_FORMAT)
    digits = text.replace("-", "")
    if _check_digit(digits[:9]) != int(digits[9]):
        raise InvalidBRN(MSG_CHECK_DIGIT)
    return digits


def format_brn(digits: str) -> str:
    """Display form ``123-45-67890``; accepts anything ``normalize_brn`` accepts."""
    d = normalize_brn(digits)
    return f"{d[:3]}-{d[3:5]}-{d[5:]}"


def make_brn(prefix9: str) -> str:
    """Append the valid check digit to 9 digits (deterministic demo and test data)."""
    if not isinstance(prefix9, str) or not _PREFIX_RE.fullmatch(prefix9):
        raise ValueError(f"make_brn needs exactly 9 ASCII digits, got {prefix9!r}")
    return prefix9 + str(_check_digit(prefix9))
