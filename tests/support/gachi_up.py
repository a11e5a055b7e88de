"""`gachi up` as a real process for tests: free ports, its own data folder and embedded
Redis, the demo data; its output kept in a file; every process it started stopped after."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import redis
import requests

from gachi_kit.auth import load_or_create_keypair
from tests.support import infra

# The demo data (README): 광명시청 총무과 buys 광명두부마을 협동조합's 두부과자.
CITY = "7Y2JHG63R0ERCVKR9VTNZNWCCQ"
TOFU = "23KFF7TJ9W6P3ZPDERCAH15E5Z"
TOFU_SNACK = "63G7TW5EWP6FJH7Z6BBSVQKKXB"
APIS = ("web", "catalog", "orders", "notify")


class GachiUp:
    def __init__(self, folder: Path, *, procfile: Path | None = None, ports=None) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.ports = ports or {
            **{service: infra.free_port() for service in APIS},
            "redis": infra.free_port(),
        }
        self.urls = {s: f"http://127.0.0.1:{self.ports[s]}" for s in APIS}
        self.redis_url = f"redis://127.0.0.1:{self.ports['redis']}/0"
        self.procfile = procfile
        self.process: subprocess.Popen | None = None
        self.log_path = folder / "gachi-up.log"
        self.log_offset = 0  # where this run's output starts in the log
        self.pids: set[int] = set()

    def environment(self) -> dict[str, str]:
        env = {
            name: value
            for name, value in os.environ.items()
            if not (name.endswith("_DATABASE_URL") or name.endswith("_URL") or name == "REDIS_URL")
        }
        env.update(
            GACHI_DATA_DIR=str(self.data),
            EMBEDDED_REDIS_PORT=str(self.ports["redis"]),
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
            **{f"{s.upper()}_PORT": str(self.ports[s]) for s in APIS},
            **infra.UNLIMITED,
        )
        if os.environ.get("DATABASE_URL_BASE"):  # CI's PostgreSQL pass: databases of our own
            for service in infra.SERVICES:
                env[f"{service.upper()}_DATABASE_URL"] = self._database(service)
        if self.procfile is not None:
            env["GACHI_PROCFILE"] = str(self.procfile)
        return env

    def _database(self, service: str) -> str:
        marker = self.folder / f".{service}-database"
        if not marker.exists():  # created once; a restart keeps what was written
            marker.write_text(infra.database_url(service, self.folder, "_sv"))
        return marker.read_text()

    # --- running -----------------------------------------------------------------------

    def start(self) -> None:
        self.data.mkdir(parents=True, exist_ok=True)
        self.log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = open(self.log_path, "ab")  # noqa: SIM115 (closed with the process)
        self.process = subprocess.Popen(
            [infra._bin("gachi"), "up"],
            env=self.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=infra.REPO,
        )

    def wait_ready(self, timeout: float = 180.0) -> None:
        """Every API ready and every worker consuming (its "ready." line)."""
        for url in self.urls.values():
            self._until(lambda u=url: http_ok(f"{u}/readyz"), timeout, f"{url}/readyz")
        for service in APIS:
            self.wait_log(f'"{service}@', "ready.", timeout=timeout)

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 120.0) -> int:
        self.process.send_signal(signum)
        return self.process.wait(timeout=timeout)

    def cleanup(self) -> None:
        """Whatever happened in the test, leave nothing running."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=90)
            except subprocess.TimeoutExpired:
                self.process.kill()
        for pid in self.started_pids():
            if self._ours(pid):  # a pid the system may have given to someone else since
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pid, signal.SIGKILL)

    def _ours(self, pid: int) -> bool:
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            return False
        return f"GACHI_DATA_DIR={self.data}".encode() in environ

    # --- reading its output --------------------------------------------------------------

    def log(self) -> str:
        with open(self.log_path, "rb") as log:
            log.seek(self.log_offset)
            return log.read().decode(errors="replace")

    def supervisor_lines(self) -> list[str]:
        """What the supervisor itself said (not its programs' output), in order."""
        return re.findall(r"^\S+ gachi +\| (.*)$", self.log(), re.M)

    def started_pids(self) -> list[int]:
        return [int(pid) for pid in re.findall(r"started \(pid=(\d+)\)", self.log())]

    def pid(self, name: str) -> int:
        pids = re.findall(
            rf"^{re.escape(name)} started \(pid=(\d+)\)$", "\n".join(self.supervisor_lines()), re.M
        )
        assert pids, f"{name} never started:\n{self.log()[-3000:]}"
        return int(pids[-1])

    def wait_log(self, *texts: str, timeout: float = 120.0, after: int = 0) -> int:
        """Wait for a line holding every text (past character `after`); its end offset."""

        def found():
            log = self.log()
            for match in re.finditer(r"[^\n]*\n", log[after:]):
                if all(text in match.group(0) for text in texts):
                    return after + match.end()
            return None

        return self._until(found, timeout, f"{texts} in gachi up's output")

    def _until(self, predicate, timeout: float, what: str):
        def alive_and(predicate=predicate):
            if self.process.poll() is not None:
                raise AssertionError(
                    f"gachi up exited ({self.process.returncode}):\n{self.log()[-4000:]}"
                )
            return predicate()

        return infra.wait_for(alive_and, timeout=timeout, interval=0.2, what=what)

    # --- using the platform --------------------------------------------------------------

    def tokens(self) -> infra.Tokens:
        private, _public = load_or_create_keypair(self.data / "keys")  # `gachi token`'s pair
        return infra.Tokens(private)

    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis_url, socket_timeout=3)

    def place_order(self, quantity: int = 3, timeout: float = 30) -> requests.Response:
        buyer = self.tokens()("buyer", CITY, dept="총무과")
        return requests.post(
            f"{self.urls['orders']}/v1/orders",
            json={
                "delivery_address": "경기도 광명시 시청로 20 광명시청 총무과",
                "delivery_sigungu_code": "41210",
                "needed_by": (date.today() + timedelta(days=21)).isoformat(),
                "lines": [{"product_id": TOFU_SNACK, "quantity": quantity}],
            },
            headers={**buyer, "Idempotency-Key": str(uuid.uuid4())},
            timeout=timeout,
        )

    def inbox(self, org: str = TOFU, role: str = "enterprise") -> list[dict]:
        """Every item of an inbox (all pages)."""
        headers = self.tokens()(role, org, dept="총무과" if role == "buyer" else None)
        items, cursor = [], None
        while True:
            params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
            response = requests.get(
                f"{self.urls['notify']}/v1/inbox", params=params, headers=headers, timeout=10
            )
            assert response.status_code == 200, response.text
            page = response.json()
            items += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                return items


def http_ok(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def wait_seconds(start: float) -> float:
    return round(time.monotonic() - start, 1)
