"""What metrics and tracing cost a request: the same authenticated catalog read on an app
built without the metrics hook, with metrics (the default), and with metrics and tracing
(every span exported through a batch processor, to memory), in one run.

    .venv/bin/python bench/observability.py [--requests 3000]

In-process (Flask test client, no sockets), one caller: the figures are the hooks' own work.
Metrics are measured in the single-process mode; under gunicorn with PROMETHEUS_MULTIPROC_DIR
each sample is a write to a memory-mapped file instead. Embedded Redis and SQLite unless
TEST_REDIS_URL / DATABASE_URL_BASE are set (as in tests).
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Blueprint
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from bench.rate_limit import (
    buyer_headers,
    in_process_catalog,
    print_rows,
    requests_arg,
    row,
    timed,
)
from catalog import create_app
from gachi_kit import service_app, tracing
from gachi_kit.auth import generate_keypair
from tests.support import infra


def main() -> None:
    n = requests_arg(__doc__)
    private, public = generate_keypair()
    with tempfile.TemporaryDirectory() as tmp, infra.redis_server(Path(tmp)) as redis_url:
        base = in_process_catalog(Path(tmp), redis_url, public, "_bench_obs")
        base["RATE_LIMIT_ENABLED"] = "0"  # the limiter's cost is bench/rate_limit.py's
        headers = buyer_headers(private)

        def without_metrics(app, *_args):  # only the (empty) blueprint the limiter exempts
            app.register_blueprint(Blueprint("metrics", __name__))

        with mock.patch.object(service_app, "init_metrics", without_metrics):
            bare = create_app(base).test_client()
        metered = create_app(base).test_client()
        exporter = InMemorySpanExporter()
        tracing.init_tracing("catalog", span_processor=BatchSpanProcessor(exporter))
        traced = create_app(base).test_client()
        path = "/v1/brands"
        results = [
            row("GET /v1/brands, no metrics, no tracing", timed(bare, path, headers, n)),
            row("GET /v1/brands, metrics", timed(metered, path, headers, n)),
            row("GET /v1/brands, metrics + tracing", timed(traced, path, headers, n)),
            row("GET /v1/brands, no metrics (again)", timed(bare, path, headers, n)),
            row("GET /metrics (one scrape)", timed(metered, "/metrics", {}, max(100, n // 10))),
        ]
        exporter.shutdown()
    print_rows(
        f"gachi observability benchmark · {platform.python_version()} · "
        f"{'PostgreSQL' if os.environ.get('DATABASE_URL_BASE') else 'SQLite'} · "
        f"{os.cpu_count()} CPUs · one caller, in-process",
        results,
    )


if __name__ == "__main__":
    main()
