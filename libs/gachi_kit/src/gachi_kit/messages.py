"""Korean for the English messages marshmallow and webargs put into field errors.

Applied once, where every problem is answered (`errors.problem_response`), so a schema
field, a validator or an unknown field reads in Korean without each schema spelling its
messages out; a message already in Korean passes through unchanged.
"""

from __future__ import annotations

import re
from typing import Any

_EXACT = {
    "Missing data for required field.": "필수 항목입니다.",
    "Unknown field.": "알 수 없는 항목입니다.",
    "Field may not be null.": "비워 둘 수 없습니다.",
    "Invalid input type.": "값의 형식이 올바르지 않습니다.",
    "Invalid value.": "값이 올바르지 않습니다.",
    "Invalid input.": "값이 올바르지 않습니다.",
    "Not a valid string.": "문자열이어야 합니다.",
    "Not a valid integer.": "정수여야 합니다.",
    "Not a valid number.": "숫자여야 합니다.",
    "Number too large.": "숫자가 너무 큽니다.",
    "Special numeric values (nan or infinity) are not permitted.": "NaN·무한대는 쓸 수 없습니다.",
    "Not a valid boolean.": "true 또는 false여야 합니다.",
    "Not a valid date.": "올바른 날짜가 아닙니다. 예: 2026-03-02",
    "Not a valid datetime.": "올바른 일시가 아닙니다. 예: 2026-03-02T09:00:00+09:00",
    "Not a valid time.": "올바른 시각이 아닙니다. 예: 09:00",
    "Not a valid period of time.": "올바른 기간이 아닙니다.",
    "Not a valid email address.": "올바른 이메일 주소가 아닙니다. 예: name@example.go.kr",
    "Not a valid URL.": "올바른 URL이 아닙니다. 예: https://example.kr",
    "Not a valid UUID.": "올바른 UUID가 아닙니다.",
    "Not a valid IP address.": "올바른 IP 주소가 아닙니다.",
    "Not a valid list.": "목록(배열)이어야 합니다.",
    "Not a valid tuple.": "목록(배열)이어야 합니다.",
    "Not a valid mapping type.": "객체여야 합니다.",
    "String does not match expected pattern.": "형식이 올바르지 않습니다.",
    "Invalid JSON body.": "요청 본문이 올바른 JSON이 아닙니다.",
}

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Must be one of: (.*)\.$"), r"다음 중 하나여야 합니다: \1."),
    (re.compile(r"Must be equal to (.*)\.$"), r"\1이어야 합니다."),
    (re.compile(r"Longer than maximum length (\d+)\.$"), r"\1자 이하여야 합니다."),
    (re.compile(r"Shorter than minimum length (\d+)\.$"), r"\1자 이상이어야 합니다."),
    (re.compile(r"Length must be between (\d+) and (\d+)\.$"), r"\1자 이상 \2자 이하여야 합니다."),
    (re.compile(r"Length must be (\d+)\.$"), r"\1자여야 합니다."),
    (
        re.compile(r"One or more of the choices you made was not in: (.*)\.$"),
        r"다음 중에서만 고를 수 있습니다: \1.",
    ),
    (re.compile(r"Not a valid (\w+)\.$"), r"올바른 값이 아닙니다."),
    (re.compile(r"^'.*' cannot be formatted as a \w+\.$"), r"형식이 올바르지 않습니다."),
]

# marshmallow's Range: "Must be greater than or equal to 1 and less than or equal to 99."
_RANGE = re.compile(
    r"^Must be (?:(greater than)( or equal to)? (\S+?))?(?: and )?"
    r"(?:(less than)( or equal to)? (\S+?))?\.$"
)


def korean(message: str) -> str:
    if message in _EXACT:
        return _EXACT[message]
    ranged = _RANGE.match(message)
    if ranged and (ranged[1] or ranged[4]):
        parts = []
        if ranged[1]:
            parts.append(f"{ranged[3]} {'이상' if ranged[2] else '초과'}")
        if ranged[4]:
            parts.append(f"{ranged[6]} {'이하' if ranged[5] else '미만'}")
        ending = "여야" if parts[-1].endswith(("이하", "초과")) else "이어야"
        return f"{' '.join(parts)}{ending} 합니다."
    for pattern, replacement in _PATTERNS:
        if pattern.search(message):
            return pattern.sub(replacement, message)
    return message


def korean_errors(errors: Any) -> Any:
    """The same field-error tree (dicts by field or index, lists of messages), in Korean.
    Its depth is bounded by the schemas, which the JSON nesting limit bounds in turn."""
    if isinstance(errors, str):
        return korean(errors)
    if isinstance(errors, dict):
        return {key: korean_errors(value) for key, value in errors.items()}
    if isinstance(errors, list):
        return [korean_errors(item) for item in errors]
    return errors
