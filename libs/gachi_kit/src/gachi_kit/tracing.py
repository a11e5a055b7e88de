"""OpenTelemetry traces across HTTP and Celery: one trace from a request to its e-mail.

Off by default. Set the standard variables and every API request, every call one service
makes to another (requests), every task sent and run (Celery) becomes a span of one trace,
the W3C `traceparent` travelling in HTTP and task headers beside our correlation id:

    OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318   (or ..._TRACES_ENDPOINT=.../v1/traces)
    OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.1   (optional)

The SDK reads the rest of OTEL_* itself (headers, batch delays, resource attributes);
`OTEL_SDK_DISABLED=true` turns it off again. The service name is the resource's
`service.name` unless OTEL_SERVICE_NAME says otherwise.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from flask import Flask
from opentelemetry import context, propagate, trace

from gachi_kit.logging import current_correlation_id

ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
UNTRACED_URLS = "healthz,readyz,metrics,docs"

_instrumented: set[str] = set()


def tracing_enabled() -> bool:
    if os.environ.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return False
    return any(os.environ.get(name) for name in ENDPOINT_VARIABLES)


def init_tracing(service: str, span_processor=None) -> bool:
    """Install this process's tracer provider once (an OTLP exporter, or the processor a
    test passes) and trace outgoing HTTP calls and Celery tasks. True when tracing is on."""
    if "provider" in _instrumented:
        return True
    if span_processor is None and not tracing_enabled():
        return False
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.requests import RequestsInstrumentor
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider

    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service}))
    if span_processor is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        span_processor = BatchSpanProcessor(OTLPSpanExporter())
    provider.add_span_processor(span_processor)
    trace.set_tracer_provider(provider)
    RequestsInstrumentor().instrument()
    CeleryInstrumentor().instrument()
    _instrumented.add("provider")
    return True


def trace_app(app: Flask, service: str) -> None:
    """Trace every request of `app` (probes and the scrape excepted), with its correlation id."""
    if not init_tracing(service):
        return
    from opentelemetry.instrumentation.flask import FlaskInstrumentor

    def tag_correlation(span, *_response):
        if span is not None and span.is_recording():
            span.set_attribute("gachi.correlation_id", current_correlation_id() or "")

    FlaskInstrumentor().instrument_app(
        app, excluded_urls=UNTRACED_URLS, response_hook=tag_correlation
    )


def current_trace_parent() -> str | None:
    """The W3C traceparent of the current span, to store beside work done later (an
    outbox row); None when tracing is off or nothing is being traced."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


@contextlib.contextmanager
def continued_trace(trace_parent: str | None) -> Iterator[None]:
    """Run the block as part of the stored trace (the outbox's relay and sweep send each
    event as a child of the request that recorded it)."""
    if not trace_parent:
        yield
        return
    token = context.attach(propagate.extract({"traceparent": trace_parent}))
    try:
        yield
    finally:
        context.detach(token)
