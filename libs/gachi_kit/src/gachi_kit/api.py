"""The Blueprint every service's API uses: flask-smorest with a stricter JSON body parser."""

from __future__ import annotations

from typing import Any

import flask_smorest
from webargs.flaskparser import FlaskParser

from gachi_kit.errors import Problem


class StrictJSONParser(FlaskParser):
    """Refuses text that cannot be stored: a lone UTF-16 surrogate such as "\\ud800" is
    valid JSON, but no database or hash can encode it, so it must stop at the door."""

    def _raw_load_json(self, req) -> Any:
        value = super()._raw_load_json(req)
        if _has_lone_surrogate(value):
            raise Problem(
                400,
                "invalid_text",
                "사용할 수 없는 문자가 있습니다",
                "짝이 맞지 않는 유니코드 대리 문자(예: \\ud800)는 쓸 수 없습니다.",
            )
        return value


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = StrictJSONParser()
