"""Calls between services: one deadline per call and a circuit breaker (gachi_kit.http),
against a real local HTTP server that we take down and bring back."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from gachi_kit.http import ServiceClient, UpstreamUnavailable
from gachi_kit.timeouts import CIRCUIT_FAILURES


class Upstream:
    def __init__(self):
        self.status, self.hits = 503, 0
        self.delay = 0.0
        self.in_flight = self.most_in_flight = 0
        self.lock = threading.Lock()
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                with upstream.lock:
                    upstream.hits += 1
                    upstream.in_flight += 1
                    upstream.most_in_flight = max(upstream.most_in_flight, upstream.in_flight)
                time.sleep(upstream.delay)
                with upstream.lock:
                    upstream.in_flight -= 1
                self.send_response(upstream.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def upstream():
    server = Upstream()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.mark.timeout(60)
def test_a_down_service_opens_the_circuit_then_a_probe_closes_it(upstream):
    client = ServiceClient(upstream.url, retries=1, deadline=5)

    for _ in range(CIRCUIT_FAILURES):
        with pytest.raises(UpstreamUnavailable, match="HTTP 503"):
            client.get("/v1/ping")
    assert client.breaker.current_state == "open"
    hits_while_closed = upstream.hits

    with pytest.raises(UpstreamUnavailable, match="circuit open"):
        client.get("/v1/ping")
    assert upstream.hits == hits_while_closed  # answered at once, nothing sent

    upstream.status = 200
    client.breaker.reset_timeout = 0  # the open period is over: the next call probes
    assert client.get("/v1/ping").status_code == 200
    assert client.breaker.current_state == "closed"


@pytest.mark.timeout(60)
def test_answers_the_caller_may_act_on_never_count_against_the_service(upstream):
    upstream.status = 404
    client = ServiceClient(upstream.url, retries=2, deadline=5)

    for _ in range(CIRCUIT_FAILURES + 2):
        assert client.get("/v1/missing").status_code == 404
    assert client.breaker.current_state == "closed"
    assert upstream.hits == CIRCUIT_FAILURES + 2  # a 404 is not retried either


@pytest.mark.timeout(60)
def test_calls_through_one_client_run_side_by_side(upstream):
    """pybreaker holds its lock for a whole call (pybreaker#55): every catalog call of an
    orders process waited for the one before it, so with catalog paused some buyers waited
    two and three deadlines. Four threads, one client: the upstream sees four calls at once."""
    upstream.status, upstream.delay = 200, 0.5
    client = ServiceClient(upstream.url, retries=0, deadline=5)
    answers: list[int] = []
    threads = [
        threading.Thread(target=lambda: answers.append(client.get("/v1/slow").status_code))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * 4
    assert upstream.most_in_flight == 4


class Proxy:
    """A forward proxy that answers every request itself and remembers what it was asked."""

    def __init__(self):
        self.asked: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                proxy.asked.append(self.path)  # absolute form: the URL the client wanted
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def proxy():
    server = Proxy()
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_the_proxy_settings_are_read_from_the_environment_once(proxy, upstream, monkeypatch):
    for name in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("http_proxy", proxy.url)
    through_proxy = ServiceClient("http://catalog.internal:8001", retries=0)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    direct = ServiceClient(upstream.url, retries=0)
    upstream.status = 200
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # later changes are not seen
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")

    assert through_proxy.get("/v1/ping").status_code == 200
    assert direct.get("/v1/ping").status_code == 200

    assert proxy.asked == ["http://catalog.internal:8001/v1/ping"]
    assert upstream.hits == 1
