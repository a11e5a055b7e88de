"""problem+json (RFC 9457) for every error, each with a stable machine-readable `code`.

One way to refuse: build the problem with a helper below (`invalid`, `not_found`,
`invalid_transition`, `concurrent_update`, `unavailable`), or raise a domain error that the
service mapped to a problem once in `create_app` (`map_errors`). Each shared code has one
Korean title, everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, Response, json, request
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from gachi_kit.logging import get_logger
from gachi_kit.messages import korean_errors

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = get_logger(__name__)

VALIDATION_TITLE = "입력값이 올바르지 않습니다"
VALIDATION_DETAIL = "입력값을 확인해 주세요. 항목별 오류는 errors에 있습니다."
INVALID_TRANSITION_TITLE = "지금 상태에서는 할 수 없습니다"
CONCURRENT_UPDATE_TITLE = "다른 사용자가 먼저 변경했습니다"

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
    422: ("validation_failed", VALIDATION_TITLE),
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
        retryable: bool = False,
        **extra: Any,
    ) -> None:
        """`retryable`: the same call may succeed later (a dependency was down); tasks read
        it through `domain_errors.is_retryable`, never through `status`."""
        super().__init__(detail or title)
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}
        self.retryable = retryable
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


# -- the helpers every service builds its problems with ------------------------------------


FieldErrors = Mapping[str, Any]


def invalid(
    field: str | None = None,
    message: str | None = None,
    *,
    errors: FieldErrors | None = None,
    code: str = "validation_failed",
    detail: str | None = None,
    **extra: Any,
) -> Problem:
    """422 with field errors: `invalid("needed_by", "오늘 이후 날짜여야 합니다.")`, or several
    fields at once: `invalid(errors={"valid_from": "…", "valid_to": ["…"]})`. A plain string
    message becomes a one-item list, as marshmallow reports fields; nested dicts (per line,
    per row) are kept as they are. `code` narrows the reason when callers act on it."""
    collected: dict[str, Any] = {}
    if field is not None:
        collected[field] = message if message is not None else VALIDATION_TITLE
    collected.update(errors or {})
    if not collected:
        raise ValueError("invalid() needs a field and message or errors")
    as_lists = {name: [m] if isinstance(m, str) else m for name, m in collected.items()}
    return Problem(
        422, code, VALIDATION_TITLE, detail or VALIDATION_DETAIL, errors=as_lists, **extra
    )


def not_found(noun: str, label: str, detail: str | None = None) -> Problem:
    """404 `<noun>_not_found` titled in Korean: `not_found("order", "주문")` →
    "주문을 찾을 수 없습니다"."""
    return Problem(
        404, f"{noun}_not_found", f"{label}{_object_particle(label)} 찾을 수 없습니다", detail
    )


def invalid_transition(current_state: str, detail: str | None = None, **extra: Any) -> Problem:
    """409: the object's state machine does not allow this now; `current_state` tells
    the caller where it stands."""
    return Problem(
        409,
        "invalid_transition",
        INVALID_TRANSITION_TITLE,
        detail,
        current_state=current_state,
        **extra,
    )


def concurrent_update(detail: str | None = None, **extra: Any) -> Problem:
    """409: another request changed the same row first (a version check failed)."""
    return Problem(
        409,
        "concurrent_update",
        CONCURRENT_UPDATE_TITLE,
        detail or "다른 요청이 같은 항목을 방금 바꿨습니다. 다시 불러온 뒤 시도해 주세요.",
        **extra,
    )


def unavailable(
    code: str,
    detail: str,
    *,
    title: str = _HTTP_CODES[503][1],
    retry_after: int = 5,
    **extra: Any,
) -> Problem:
    """503 with `Retry-After` for a dependency that is down; retryable for tasks."""
    return Problem(
        503,
        code,
        title,
        detail,
        headers={"Retry-After": str(retry_after)},
        retryable=True,
        **extra,
    )


def _object_particle(label: str) -> str:
    """을 after a final consonant (받침), 를 after a vowel; 을(를) when the word is not Hangul."""
    last = label[-1:]
    if not ("가" <= last <= "힣"):
        return "을(를)"
    return "을" if (ord(last) - ord("가")) % 28 else "를"


# -- mapping domain errors to problems -----------------------------------------------------


ProblemFactory = Callable[[Any], Problem]


# Mapped in every service: a version check that failed on flush or commit.
def database_unavailable(exc: BaseException) -> Problem:
    """The service's own database did not answer (restarting, unreachable, pool exhausted):
    503 with Retry-After, never a 500; the transaction rolled back, so nothing was written."""
    log.warning("database_unavailable", error=str(exc).splitlines()[0][:300])
    detail = "데이터베이스에 잠시 연결할 수 없습니다. 잠시 후 다시 시도해 주세요."
    return unavailable("database_unavailable", detail)


KIT_ERROR_MAP: dict[type[BaseException], ProblemFactory] = {
    StaleDataError: lambda _exc: concurrent_update(),
    # a lost or refused connection; SQLite's "database is locked" past its busy timeout too
    OperationalError: database_unavailable,
    InterfaceError: database_unavailable,
    PoolTimeout: database_unavailable,
}


def map_errors(app: Flask, mapping: Mapping[type[BaseException], ProblemFactory]) -> None:
    """Register once in `create_app`: each exception class (and its subclasses) raised out
    of a view is answered with the problem its factory builds, e.g.
    `map_errors(app, {UnsafeURL: lambda exc: invalid("address", exc.detail, code=exc.code)})`.
    Use cases then raise plain domain errors and never know about HTTP."""
    for exc_type, factory in mapping.items():

        def handle(exc: BaseException, factory: ProblemFactory = factory) -> Response:
            return problem_response(factory(exc))

        app.register_error_handler(exc_type, handle)


def problem_response(problem: Problem) -> Response:
    body = problem.to_dict()
    if "errors" in body:  # marshmallow's and webargs' own messages are English
        body["errors"] = korean_errors(body["errors"])
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
    if detail == type(exc).description:  # Werkzeug's own English sentence
        detail = None
    if status == 400 and request.is_json and request.get_data() and _is_malformed_json():
        code, detail = "malformed_json", "요청 본문이 올바른 JSON이 아닙니다."
    if status == 422:
        detail = VALIDATION_DETAIL
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
    except (ValueError, RecursionError):
        return True
    return False


def register_error_handlers(app: Flask) -> None:
    map_errors(app, KIT_ERROR_MAP)

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
