"""Prometheus metrics every service exposes at `/metrics` (no token, no rate limit).

HTTP requests are counted and timed per route rule by prometheus-flask-exporter; the kit adds
problem codes, Celery tasks (from Celery's signals), and the outbox's backlog and lag, which
are computed from the service's own outbox table when Prometheus scrapes. Use cases count
their own events through `counter()`/`histogram()` (delivery attempts, capacity refusals).

Every series carries a `service` label and `/metrics` answers only its own service's
series, so one folder of metric files (or one test process) may hold several services.

Multiprocess: gunicorn runs several workers, and a service's Celery worker is another
process. With `PROMETHEUS_MULTIPROC_DIR` set (before the process starts; `gachi up` points
it at `<data>/metrics`, compose at a volume the API and its worker share) every process
writes its samples there and `/metrics` adds them up. Without it, each process reports only
itself, which is right for one process (tests) and wrong under gunicorn.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable

from celery import signals
from flask import Blueprint, Flask, Response, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_flask_exporter import PrometheusMetrics
from sqlalchemy import func, select

from gachi_kit.db import Database
from gachi_kit.events import utcnow

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
METRICS_PATH = "/metrics"
# Probes and the scrape itself would drown the request figures.
UNTRACKED_PATHS = (r"^/metrics$", r"^/healthz$", r"^/readyz$")

_metrics: dict[str, Counter | Histogram] = {}


def counter(name: str, documentation: str, labels: Iterable[str]) -> Counter:
    """A process-wide counter (created once, whatever number of apps the process builds)."""
    return _metric(Counter, name, documentation, labels)


def histogram(name: str, documentation: str, labels: Iterable[str]) -> Histogram:
    return _metric(Histogram, name, documentation, labels)


def _metric(kind, name: str, documentation: str, labels: Iterable[str]):
    if name not in _metrics:
        _metrics[name] = kind(name, documentation, ["service", *labels])
    return _metrics[name]


PROBLEMS = counter(
    "gachi_problems_total", "problem+json answers by stable code", ("code", "status")
)
TASKS = counter("gachi_celery_tasks_total", "Celery tasks finished, by outcome", ("task", "state"))
TASK_SECONDS = histogram("gachi_celery_task_duration_seconds", "Celery task run time", ("task",))


def init_metrics(app: Flask, service: str, db: Database, outbox_model=None) -> None:
    """Count and time requests per route, count problem codes, serve `/metrics`."""
    if os.environ.get(MULTIPROC_ENV):  # e.g. a beat container, whose volume predates it
        os.makedirs(os.environ[MULTIPROC_ENV], exist_ok=True)
    exporter_registry = CollectorRegistry(auto_describe=True)
    PrometheusMetrics(
        app,
        path=None,  # served below, with the outbox gauges and the multiprocess files
        registry=exporter_registry,
        defaults_prefix="gachi",
        group_by=_route,
        default_labels={"service": service},
        excluded_paths=list(UNTRACKED_PATHS),
    )

    @app.after_request
    def _count_problem(response: Response) -> Response:
        if response.mimetype == "application/problem+json" and request.path != METRICS_PATH:
            code = json.loads(response.get_data()).get("code", "unknown")
            PROBLEMS.labels(service, code, str(response.status_code)).inc()
        return response

    extra = [_OutboxCollector(service, db, outbox_model)] if outbox_model is not None else []

    scrape_blueprint = Blueprint("metrics", __name__)  # exempt from rate limits by name

    @scrape_blueprint.get(METRICS_PATH)
    def metrics():
        return Response(scrape(service, exporter_registry, extra), mimetype=CONTENT_TYPE_LATEST)

    app.register_blueprint(scrape_blueprint)


def _route(req) -> str:
    """The route's rule (`/v1/orders/<order_id>`), never the raw path with its ids."""
    return req.url_rule.rule if req.url_rule is not None else "<unmatched>"


_route.__name__ = "route"  # the label's name


def scrape(service: str, local: CollectorRegistry, extra: list) -> bytes:
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROC_ENV):
        sources: list = [_Only(service, _MultiProcess())]
    else:
        sources = [_Only(service, local), _Only(service, REGISTRY)]
    for source in [*sources, *extra]:
        registry.register(source)
    return generate_latest(registry)


class _MultiProcess:
    def collect(self):
        return MultiProcessCollector(None).collect()


class _Only:
    """Samples of one service (series without a `service` label are process metrics)."""

    def __init__(self, service: str, source) -> None:
        self.service, self.source = service, source

    def collect(self) -> Iterable[Metric]:
        for metric in self.source.collect():
            samples = [s for s in metric.samples if s.labels.get("service") == self.service]
            if samples:
                metric.samples = samples
                yield metric


class _OutboxCollector:
    """Outbox backlog and lag, read from the table when Prometheus scrapes."""

    def __init__(self, service: str, db: Database, model) -> None:
        self.service, self.db, self.model = service, db, model

    def collect(self) -> Iterable[Metric]:
        backlog = GaugeMetricFamily(
            "gachi_outbox_backlog", "events written but not yet published", labels=["service"]
        )
        lag = GaugeMetricFamily(
            "gachi_outbox_lag_seconds",
            "age of the oldest unpublished event (0 when none waits)",
            labels=["service"],
        )
        model = self.model
        try:
            with self.db.reading() as session:
                count, oldest = session.execute(
                    select(func.count(), func.min(model.occurred_at)).where(
                        model.published_at.is_(None)
                    )
                ).one()
        except Exception:  # the database is down: /readyz says so; report no gauge
            return
        backlog.add_metric([self.service], count)
        lag.add_metric([self.service], _age_seconds(oldest))
        yield backlog
        yield lag


def _age_seconds(oldest) -> float:
    if oldest is None:
        return 0.0
    if oldest.tzinfo is None:  # SQLite hands naive UTC back through some paths
        return max((utcnow().replace(tzinfo=None) - oldest).total_seconds(), 0.0)
    return max((utcnow() - oldest).total_seconds(), 0.0)


# --- Celery ------------------------------------------------------------------------------


def init_task_metrics(service: str) -> None:
    """Count and time every task of this service's Celery app (idempotent per process)."""
    _task_services.add(service)


_task_services: set[str] = set()
_started: dict[str, float] = {}


def _service_of(task) -> str | None:
    name = getattr(task, "name", "") or ""
    service = name.split(".", 1)[0]
    return service if service in _task_services else None


@signals.task_prerun.connect
def _task_started(task_id=None, task=None, **_kwargs):
    if task_id and _service_of(task):
        _started[task_id] = time.perf_counter()


@signals.task_postrun.connect
def _task_finished(task_id=None, task=None, state=None, **_kwargs):
    service = _service_of(task)
    started = _started.pop(task_id, None) if task_id else None
    if service is None:
        return
    TASKS.labels(service, task.name, state or "UNKNOWN").inc()
    if started is not None:
        TASK_SECONDS.labels(service, task.name).observe(time.perf_counter() - started)
