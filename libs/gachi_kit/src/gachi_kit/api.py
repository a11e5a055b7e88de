"""The Blueprint every service's API uses: flask-smorest with a stricter JSON body parser."""

from __future__ import annotations

import re
from typing import Any

import flask_smorest
from webargs.flaskparser import FlaskParser

from gachi_kit.errors import Problem

MAX_JSON_DEPTH = 64  # no schema nests deeper than a few levels; json.loads recurses
# Control characters other than tab, newline and carriage return: PostgreSQL text refuses
# NUL, and none of them belongs in a name, an address or a memo.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


class StrictJSONParser(FlaskParser):
    """Refuses text that cannot be stored: a lone UTF-16 surrogate such as "\\ud800" is
    valid JSON, but no database or hash can encode it, so it must stop at the door; so
    must control characters such as NUL."""

    def _raw_load_json(self, req) -> Any:
        value = super()._raw_load_json(req)
        errors = unstorable_text(value)
        if errors:
            raise Problem(
                400,
                "invalid_text",
                "사용할 수 없는 문자가 있습니다",
                "제어 문자(예: NUL)나 짝이 맞지 않는 유니코드 대리 문자(예: \\ud800)는 "
                "쓸 수 없습니다. 항목별 위치는 errors에 있습니다.",
                errors=errors,
            )
        return value


def json_depth(raw: bytes) -> int:
    """How deeply `raw` nests arrays and objects, counted without parsing (no recursion)."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_JSON_STRING.sub(b"", raw)):
        if bracket in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def refuse_deep_json(raw: bytes) -> None:
    """Checked before any view reads a JSON body (`init_service`): `json.loads` recurses and
    would fail with a 500 on a body nested thousands of levels deep."""
    if raw and json_depth(raw) > MAX_JSON_DEPTH:
        raise Problem(
            400,
            "json_too_deep",
            "요청 본문이 너무 깊게 중첩되어 있습니다",
            f"JSON 배열·객체는 {MAX_JSON_DEPTH}단계까지 중첩할 수 있습니다.",
        )


def unstorable_text(value: Any) -> dict[str, list[str]]:
    """Field path ("lines.0.memo") → Korean message for each string no database can store;
    walked with a stack, so depth costs no recursion."""
    errors: dict[str, list[str]] = {}
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                child_path = f"{path}.{key}" if path else str(key)
                if _text_problem(str(key)):
                    errors[child_path] = [_text_problem(str(key))]
                stack.append((child_path, child))
        elif isinstance(item, list):
            stack.extend((f"{path}.{i}" if path else str(i), child) for i, child in enumerate(item))
        elif isinstance(item, str) and _text_problem(item):
            errors[path or "_body"] = [_text_problem(item)]
    return errors


def _text_problem(text: str) -> str | None:
    if _CONTROL.search(text):
        return "제어 문자(NUL 등)는 쓸 수 없습니다. 탭과 줄바꿈만 쓸 수 있습니다."
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "짝이 맞지 않는 유니코드 대리 문자(예: \\ud800)는 쓸 수 없습니다."
    return None


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = StrictJSONParser()
