"""An event the sweep sends later stays in the trace of the request that recorded it: the
outbox row keeps the request's W3C traceparent. The traced half runs in a child process,
because tracing installs a process-wide provider and instruments Celery, which the rest of
the suite must not inherit."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

import pytest
from sqlalchemy import select

from catalog.adapters.models import OutboxMessage

pytestmark = pytest.mark.committed

TRACED = """
import json, sys
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from gachi_kit.tracing import init_tracing

exporter = InMemorySpanExporter()
init_tracing("catalog", SimpleSpanProcessor(exporter))
import catalog

cat = catalog.create_app(json.loads(sys.argv[1])).extensions["catalog"]
cat.outbox.publisher.submit = lambda ids: False  # a full queue: left to the sweep
with trace.get_tracer("test").start_as_current_span("POST /v1/enterprises") as request:
    with cat.db.transaction() as session:
        cat.outbox.record(session, "enterprise.registered", {"enterprise_id": "e-trace"})
sent = cat.outbox.publish()  # the sweep, later, outside the request
print(json.dumps({
    "sent": sent,
    "request": format(request.get_span_context().trace_id, "032x"),
    "spans": {s.name: format(s.context.trace_id, "032x") for s in exporter.get_finished_spans()},
}))
"""


def test_an_event_the_sweep_sends_later_is_published_in_the_recording_requests_trace(
    catalog_app, service_config, redis_client
):
    child = subprocess.run(
        [sys.executable, "-c", TRACED, json.dumps(service_config)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    seen = json.loads(child.stdout.strip().splitlines()[-1])
    assert seen["sent"] == 1
    assert seen["spans"]["apply_async/notify.handle_event"] == seen["request"]

    (raw,) = redis_client.lrange("notify", 0, -1)  # the task carries the trace on to notify
    assert json.loads(raw)["headers"]["traceparent"].split("-")[1] == seen["request"]
    with catalog_app.extensions["catalog"].db.reading() as session:
        row = session.scalars(select(OutboxMessage)).one()
    assert row.trace_parent.split("-")[1] == seen["request"]


def test_an_event_recorded_outside_any_trace_keeps_none(catalog_app, redis_client):
    cat = catalog_app.extensions["catalog"]
    with cat.db.transaction() as session:
        cat.outbox.record(session, "enterprise.registered", {"enterprise_id": "e-plain"})
    assert cat.outbox.publisher.flush()
    with cat.db.reading() as session:
        assert session.scalars(select(OutboxMessage)).one().trace_parent is None
    (raw,) = redis_client.lrange("notify", 0, -1)
    body = json.loads(base64.b64decode(json.loads(raw)["body"]))
    assert body[0][0]["data"] == {"enterprise_id": "e-plain"}
