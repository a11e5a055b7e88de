"""problem+json (RFC 9457) for every error, each with a stable machine-readable `code`."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, json, request
from werkzeug.exceptions import HTTPException

from gachi_kit.logging import get_logger

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = get_logger(__name__)

# Stable codes for the HTTP errors Flask/Werkzeug raise on their own.
_HTTP_CODES = {
    400: ("bad_request", "잘못된 요청입니다"),
    401: ("unauthenticated", "인증이 필요합니다"),
    403: ("forbidden", "권한이 없습니다"),
    404: ("not_found", "찾을 수 없습니다"),
    405: ("method_not_allowed", "허용되지 않는 메서드입니다"),
    409: ("conflict", "요청이 현재 상태와 충돌합니다"),
    413: ("payload_too_large", "요청 본문이 너무 큽니다"),
    415: ("unsupported_media_type", "지원하지 않는 형식입니다"),
    422: ("validation_failed", "입력값이 올바르지 않습니다"),
    429: ("rate_limited", "요청이 너무 많습니다"),
    503: ("service_unavailable", "서비스를 일시적으로 사용할 수 없습니다"),
}


class Problem(Exception):
    """Raise anywhere in a request to answer with problem+json and change nothing."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        detail: str | None = None,
        *,
        errors: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://gachi.kr/problems/{self.code}",
            "title": self.title,
            "status": self.status,
            "code": self.code,
        }
        if self.detail:
            body["detail"] = self.detail
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


def problem_response(problem: Problem) -> Response:
    body = problem.to_dict()
    body.setdefault("instance", request.path)
    response = Response(
        json.dumps(body, ensure_ascii=False), status=problem.status, mimetype=PROBLEM_MEDIA_TYPE
    )
    for key, value in problem.headers.items():
        response.headers[key] = value
    return response


def _from_http_exception(exc: HTTPException) -> Problem:
    status = exc.code or 500
    code, title = _HTTP_CODES.get(status, ("http_error", exc.name))
    errors = None
    data = getattr(exc, "data", None)  # webargs/flask-smorest put field errors here
    if status == 422 and isinstance(data, dict) and "messages" in data:
        errors = _flatten_locations(data["messages"])
    detail = exc.description if isinstance(exc.description, str) else None
    if status == 400 and request.is_json and request.get_data() and _is_malformed_json():
        code, detail = "malformed_json", "요청 본문이 올바른 JSON이 아닙니다."
    if status == 422:
        detail = "입력값을 확인해 주세요. 항목별 오류는 errors에 있습니다."
    return Problem(status, code, title, detail, errors=errors)


def _flatten_locations(messages: dict[str, Any]) -> dict[str, Any]:
    """webargs nests errors by location (json, query, headers); callers want the fields."""
    flat: dict[str, Any] = {}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            flat.update(fields)
        else:
            flat[location] = fields
    return flat


def _is_malformed_json() -> bool:
    try:
        json.loads(request.get_data())
    except ValueError:
        return True
    return False


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(Problem)
    def _problem(exc: Problem):
        return problem_response(exc)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        return problem_response(_from_http_exception(exc))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled_error", path=request.path)
        return problem_response(
            Problem(
                500, "internal_error", "일시적인 오류가 발생했습니다", "요청을 처리하지 못했습니다."
            )
        )
