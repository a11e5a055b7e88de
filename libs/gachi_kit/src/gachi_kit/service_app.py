"""Wiring every service's Flask app gets: logs, correlation id, errors, auth, docs, health."""

from __future__ import annotations

import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as ProbeTimeout
from dataclasses import dataclass
from fnmatch import fnmatchcase

import swagger_ui_bundle
from flask import Blueprint, Flask, g, jsonify, request, send_from_directory
from flask_smorest import Api
from werkzeug.exceptions import RequestEntityTooLarge

from gachi_kit.api import refuse_deep_json
from gachi_kit.auth import TokenVerifier
from gachi_kit.db import Database
from gachi_kit.errors import Problem, problem_response, register_error_handlers, unavailable
from gachi_kit.jsoncodec import JSONProvider
from gachi_kit.logging import (
    CORRELATION_HEADER,
    caller_correlation_id,
    configure_logging,
    get_logger,
    start_correlation,
)
from gachi_kit.metrics import init_metrics
from gachi_kit.ratelimit import RateLimits, init_rate_limits
from gachi_kit.timeouts import READINESS_SECONDS
from gachi_kit.tracing import trace_app

log = get_logger(__name__)
SWAGGER_ASSETS = "/docs/assets/"
MAX_URL_BYTES = 4096  # below gunicorn's own limit, so the answer is problem+json


@dataclass(frozen=True)
class ServiceInfo:
    name: str
    title: str
    version: str = "0.1.0"


def init_service(
    app: Flask,
    info: ServiceInfo,
    *,
    db: Database,
    verifier: TokenVerifier,
    broker_ping,
    rate_limits: RateLimits,
    max_body_bytes: int = 2 * 1024 * 1024,
    larger_bodies: Mapping[str, int] | None = None,
    outbox_model=None,
) -> Api:
    """Configure `app` and return its flask-smorest Api for the service's blueprints.

    `larger_bodies` raises the body cap for the paths a glob pattern matches (`*` spans
    slashes), e.g. {"/v1/imports/*": 5 MiB} for CSV uploads. `outbox_model` (the service's
    outbox table) feeds the outbox backlog and lag gauges of `/metrics`."""
    configure_logging(info.name, app.config.get("LOG_LEVEL", "INFO"))
    app.config.update(
        MAX_CONTENT_LENGTH=max([max_body_bytes, *(larger_bodies or {}).values()]),
        API_TITLE=info.title,
        API_VERSION=info.version,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL=SWAGGER_ASSETS,
        JSON_AS_ASCII=False,
    )
    app.json = JSONProvider(app)  # orjson; UTF-8 as it is (ensure_ascii off)
    app.extensions["gachi_db"] = db
    app.extensions["gachi_verifier"] = verifier
    _install_correlation(app)
    _install_body_cap(app, max_body_bytes, dict(larger_bodies or {}))
    app.register_blueprint(_ops_blueprint(db, broker_ping))
    api = Api(app)
    register_error_handlers(app)  # after Api(), which installs its own JSON error handler
    # Probes, Swagger assets and the OpenAPI document (flask-smorest's blueprint) are free.
    init_metrics(app, info.name, db, outbox_model)
    trace_app(app, info.name)  # off unless OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT is set
    init_rate_limits(app, rate_limits, exempt=("ops", "api-docs", "metrics"))
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    api.spec.options["security"] = [{"bearer": []}]
    return api


def _install_correlation(app: Flask) -> None:
    @app.before_request
    def _start():
        caller_id = caller_correlation_id(request.headers.get(CORRELATION_HEADER))
        g.correlation_id = start_correlation(caller_id)

    @app.after_request
    def _finish(response):
        cid = g.get("correlation_id")
        if cid:
            response.headers[CORRELATION_HEADER] = cid
        if response.status_code >= 500 or request.path not in {"/healthz", "/readyz"}:
            log.info(
                "request", method=request.method, path=request.path, status=response.status_code
            )
        return response


def _install_body_cap(app: Flask, default: int, larger: dict[str, int]) -> None:
    """Refuse oversized bodies before anything reads them (Werkzeug only checks on read),
    with a Korean explanation of the limit that applies to this path."""

    def limit_for(path: str) -> int:
        return next((size for glob, size in larger.items() if fnmatchcase(path, glob)), default)

    @app.before_request
    def _cap():
        if len(request.path.encode()) + len(request.query_string) > MAX_URL_BYTES:
            raise Problem(
                414,
                "uri_too_long",
                "주소(URL)가 너무 깁니다",
                f"주소와 검색 조건은 합쳐서 {MAX_URL_BYTES}바이트까지입니다. 조건을 줄여 주세요.",
            )
        limit = limit_for(request.path)
        request.max_content_length = limit  # also bounds chunked bodies without a length
        if request.content_length is not None and request.content_length > limit:
            raise RequestEntityTooLarge()
        if request.is_json:
            refuse_deep_json(request.get_data(cache=True))

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(_exc):
        megabytes = limit_for(request.path) / (1024 * 1024)
        return problem_response(
            Problem(
                413,
                "payload_too_large",
                "요청 본문이 너무 큽니다",
                f"요청 본문은 {megabytes:g}MB까지입니다. 파일이라면 나눠서 보내 주세요.",
            )
        )


def _ops_blueprint(db: Database, broker_ping) -> Blueprint:
    ops = Blueprint("ops", __name__)

    @ops.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @ops.get("/readyz")
    def readyz():
        checks = _checks({"database": db.ping, "broker": broker_ping})
        if all(v == "ok" for v in checks.values()):
            return jsonify(status="ok", checks=checks)
        raise unavailable("not_ready", "의존 서비스에 연결할 수 없습니다.", checks=checks)

    @ops.get(SWAGGER_ASSETS + "<path:filename>")
    def swagger_assets(filename: str):
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename)

    return ops


# Probes run here, so a dependency that never answers holds a probe thread, not the request.
_probes = ThreadPoolExecutor(max_workers=4, thread_name_prefix="readyz")


def _checks(probes) -> dict[str, str]:
    """Each probe's outcome within READINESS_SECONDS in all; "error: timeout" if it did not
    answer in time."""
    running = {name: _probes.submit(_check, probe) for name, probe in probes.items()}
    deadline = time.monotonic() + READINESS_SECONDS
    outcome = {}
    for name, future in running.items():
        try:
            outcome[name] = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except ProbeTimeout:
            outcome[name] = "error: timeout"
    return outcome


def _check(probe) -> str:
    try:
        probe()
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"
    return "ok"


def broker_pinger(celery_app):
    """A readiness probe for whatever broker the Celery URL names (Redis or RabbitMQ)."""

    def ping() -> None:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)

    return ping
