"""Under real gunicorn (started as the Procfile does, from the repository, so it reads
gunicorn.conf.py): a long URL the app can still see is answered by the app as problem+json;
only past gunicorn's own maximum does gunicorn answer (docs/operations.md)."""

from __future__ import annotations

import os
import socket
import subprocess

import pytest

from tests.support.infra import REPO, _bin, free_port, wait_http_ok


@pytest.fixture
def catalog_under_gunicorn(tmp_path, redis_url):
    port = free_port()
    env = {**os.environ, "GACHI_DATA_DIR": str(tmp_path), "REDIS_URL": redis_url}
    with open(tmp_path / "gunicorn.log", "wb") as log:
        server = subprocess.Popen(
            [
                _bin("gunicorn"),
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{port}",
                "catalog:create_app()",
            ],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_http_ok(f"http://127.0.0.1:{port}/healthz", timeout=60)
            yield port
        finally:
            server.terminate()
            server.wait(timeout=30)


def raw_get(port: int, target: str) -> tuple[str, str]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
    return head.split("\r\n", 1)[0], head


def test_a_5000_byte_url_is_the_apps_414_problem_and_a_9000_byte_one_is_gunicorns(
    catalog_under_gunicorn,
):
    status, head = raw_get(catalog_under_gunicorn, "/v1/products?q=" + "a" * 5000)
    assert " 414 " in status and "content-type: application/problem+json" in head

    status, head = raw_get(catalog_under_gunicorn, "/v1/products?q=" + "a" * 9000)
    assert " 414 " in status and "text/html" in head  # gunicorn's, documented
