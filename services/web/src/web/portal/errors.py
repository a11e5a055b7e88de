"""Korean error pages for people (403, 404, 429, 5xx, an API that is down); machines on the
JSON routes (OAuth, JWKS, probes) keep their problem+json answers."""

from __future__ import annotations

from flask import Flask, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from gachi_kit.logging import get_logger
from web.portal.api import ApiError, UpstreamUnavailable

log = get_logger(__name__)

JSON_PREFIXES = ("/oauth/", "/.well-known/", "/healthz", "/readyz", "/openapi.json", "/v1/")

PAGES = {
    400: ("잘못된 요청입니다", "요청을 이해하지 못했습니다. 입력한 내용을 확인해 주세요."),
    401: ("로그인이 필요합니다", "이 화면은 로그인한 뒤에 볼 수 있습니다."),
    403: ("접근 권한이 없습니다", "지금 선택한 소속과 역할로는 이 화면을 볼 수 없습니다."),
    404: ("페이지를 찾을 수 없습니다", "주소가 바뀌었거나 없는 페이지입니다."),
    405: ("허용되지 않는 요청입니다", "이 주소는 그런 방식으로 요청할 수 없습니다."),
    409: (
        "처리할 수 없는 상태입니다",
        "그사이 상태가 바뀌었습니다. 새로 고친 뒤 다시 시도해 주세요.",
    ),
    413: ("파일이 너무 큽니다", "더 작은 파일로 다시 시도해 주세요."),
    422: ("입력값이 올바르지 않습니다", "입력한 내용을 확인해 주세요."),
    429: ("요청이 너무 많습니다", "잠시 뒤에 다시 시도해 주세요."),
    500: (
        "일시적인 오류가 발생했습니다",
        "요청을 처리하지 못했습니다. 잠시 뒤에 다시 시도해 주세요.",
    ),
    503: (
        "서비스를 잠시 사용할 수 없습니다",
        "주문·상품 서비스에 연결하지 못했습니다. 잠시 뒤에 다시 시도해 주세요.",
    ),
}


def wants_page() -> bool:
    if request.path.startswith(JSON_PREFIXES):
        return False
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best != "application/json" or "text/html" in request.accept_mimetypes


def error_page(status: int, title: str | None = None, detail: str | None = None):
    default_title, default_detail = PAGES.get(status, PAGES[500 if status >= 500 else 400])
    body = render_template(
        "portal/error.html",
        status=status,
        title=title or default_title,
        detail=detail or default_detail,
    )
    headers = {"Retry-After": "30"} if status in (429, 503) else {}
    return body, status, headers


def register_error_pages(app: Flask) -> None:
    """Wrap the handlers already installed (problem+json) so only pages change."""
    spec = app.error_handler_spec.setdefault(None, {}).setdefault(None, {})
    json_http = spec.get(HTTPException)
    json_any = spec.get(Exception)

    @app.errorhandler(UpstreamUnavailable)
    def _down(exc: UpstreamUnavailable):
        log.warning("upstream_unavailable", error=str(exc), path=request.path)
        return error_page(503)

    @app.errorhandler(ApiError)
    def _api(exc: ApiError):
        if exc.status == 401:
            return redirect(url_for("identity.sign_in", next=request.full_path.rstrip("?")))
        if exc.status in (403, 404, 429):
            return error_page(exc.status)
        return error_page(exc.status, exc.title, exc.detail)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if not wants_page() and json_http is not None:
            return json_http(exc)
        return error_page(exc.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if not wants_page() and json_any is not None:
            return json_any(exc)
        log.exception("unhandled_error", path=request.path)
        return error_page(500)
