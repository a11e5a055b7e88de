"""What a live platform shows an operator, read back by tests/e2e/test_operations.py: one
service's /metrics samples, the trace spans its processes exported, a SQLite table's rows."""

from __future__ import annotations

import sqlite3

import requests
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import make_url


def scrape(url: str) -> dict[tuple[str, frozenset], float]:
    """{(sample name, labels): value} of one service's /metrics."""
    response = requests.get(f"{url}/metrics", timeout=10)  # no token: Prometheus has none
    assert response.status_code == 200, response.text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples, name: str, *, before=None, **labels) -> float:
    """The sum of the matching samples; with `before` (an earlier scrape), the growth since."""
    wanted = set(labels.items())
    found = [v for (n, have), v in samples.items() if n == name and wanted <= have]
    assert found, f"no {name}{labels} in {sorted(n for n, _ in samples)}"
    if before is None:
        return sum(found)
    earlier = [v for (n, have), v in before.items() if n == name and wanted <= have]
    return sum(found) - sum(earlier)


def exported_spans(collector) -> list[tuple[str, object]]:
    """(service.name, span) of everything the processes exported so far."""
    found = []
    for received in list(collector.requests):
        export = ExportTraceServiceRequest.FromString(received.body)
        for resource_spans in export.resource_spans:
            attributes = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            for scope in resource_spans.scope_spans:
                found += [(attributes["service.name"], span) for span in scope.spans]
    return found


def rows(url: str, table: str) -> dict[str, tuple]:
    """{primary key (the first column): whole row} of one table of a SQLite database."""
    path = make_url(url).database
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        cursor = connection.execute(f'SELECT * FROM "{table}"')
        return {row[0]: row for row in cursor}
