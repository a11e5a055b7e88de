"""JSON logs with a correlation id that follows a request over HTTP and into Celery tasks."""

from __future__ import annotations

import logging
import re
import sys

import structlog
from structlog.contextvars import bind_contextvars, clear_contextvars, get_contextvars

from gachi_kit.events import new_id

CORRELATION_HEADER = "X-Request-ID"
# What a caller may choose as its request id: anything else (spaces, non-ASCII, markup,
# log-forging text, over 64 characters) is replaced by a fresh id, never echoed.
_CALLER_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_configured = False


def configure_logging(service: str, level: str = "INFO") -> None:
    """Route stdlib and structlog records through one JSON renderer on stderr."""
    global _configured
    if _configured:
        return
    _configured = True
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
    ]
    structlog.configure(
        # A record below the level is dropped before any processor (timestamp, context)
        # runs for it.
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                _add_service(service),
                structlog.processors.JSONRenderer(ensure_ascii=False),
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def _add_service(service: str):
    def processor(_logger, _name, event_dict):
        event_dict.setdefault("service", service)
        return event_dict

    return processor


def get_logger(name: str):
    return structlog.get_logger(name)


def start_correlation(correlation_id: str | None) -> str:
    """Begin a unit of work (request or task) under the given or a fresh correlation id."""
    clear_contextvars()
    cid = (correlation_id or "").strip()[:64] or new_id()
    bind_contextvars(correlation_id=cid)
    return cid


def caller_correlation_id(header: str | None) -> str | None:
    """The caller's `X-Request-ID` if it is a bounded token, else None (start a fresh one)."""
    return header if header is not None and _CALLER_ID.fullmatch(header) else None


def current_correlation_id() -> str | None:
    return get_contextvars().get("correlation_id")
