"""Faults injected into real processes: a private Redis and PostgreSQL the test may pause,
kill and restart (never the machine's own), signals to whole process trees, and a load of
order placements that records every answer for the tests in tests/e2e/test_faults*.py."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import psutil
import requests
from sqlalchemy import create_engine, func, select, text

from gachi_cli import embedded_redis
from gachi_kit.timeouts import CIRCUIT_RESET_SECONDS, SERVICE_CALL_DEADLINE_SECONDS
from tests.support import infra
from tests.support.builders import enterprise_body, product_body

# -- processes -----------------------------------------------------------------------------


def tree(pid: int) -> list[psutil.Process]:
    """A process and all its descendants (gunicorn's workers, Celery's pool)."""
    parent = psutil.Process(pid)
    return [parent, *parent.children(recursive=True)]


def signal_tree(pid: int, signum: int) -> None:
    for process in tree(pid):
        with contextlib.suppress(psutil.NoSuchProcess):
            process.send_signal(signum)


class PrivateRedis:
    """A Redis of the test's own (AOF on, as `gachi up` runs it) on a free port: paused,
    killed and restarted from its append-only file by the test, whatever TEST_REDIS_URL says."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = infra.free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> PrivateRedis:
        self.process = embedded_redis.start(self.folder, self.port)
        return self

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=10)


def postgres_binaries() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return found[-1].parent if found else None


class PrivatePostgres:
    """A PostgreSQL cluster of the test's own (initdb + pg_ctl in a temporary folder, on a
    free port) that the test restarts; the machine's PostgreSQL is never touched."""

    def __init__(self, folder: Path, binaries: Path) -> None:
        self.folder = folder
        self.bin = binaries
        self.port = infra.free_port()
        self.data = folder / "pgdata"
        self.base_url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}"
        # initdb refuses to run as root: run the cluster as the postgres account then
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *argv: str) -> None:
        subprocess.run(
            [*self.as_user, *argv], check=True, capture_output=True, timeout=120, cwd="/tmp"
        )

    def init(self) -> PrivatePostgres:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.as_user:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust")
        return self.start()

    def start(self) -> PrivatePostgres:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-l",
            str(self.folder / "postgres.log"), "start",
        )  # fmt: skip
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def create_database(self, name: str) -> None:
        admin = create_engine(f"{self.base_url}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()


class FaultPlatform(infra.Platform):
    """The e2e platform plus the orders beat (the outbox sweep, every 2 s), on a private Redis."""

    catalog_back_at = 0.0  # monotonic time a catalog fault ended (see circuits_closed)

    def start(self, timeout: float = 90.0) -> None:
        super().start(timeout)
        self.start_beat()

    def start_beat(self) -> None:
        self.processes.start(
            "orders-beat",
            [
                infra._bin("celery"), "-A", "orders.worker", "beat", "--loglevel", "INFO",
                "--schedule", str(self.folder / "orders-beat"),
            ],
        )  # fmt: skip

    def pid(self, name: str) -> int:
        return self.processes.running[name].pid

    def restart_dead_workers(self) -> list[str]:
        """Start again every Celery worker that exited, as `gachi up`'s supervisor (or a
        container's restart policy) would; returns their names. notify's deliveries worker
        (a threads pool) can exit when Redis dies under it: kombu fails closing its event
        loop with acknowledgements pending (docs/operations.md, "Redis killed")."""
        dead = [
            name
            for name, process in self.processes.running.items()
            if (name.endswith("-worker") or name == "notify-deliveries")
            and process.poll() is not None
        ]
        for name in dead:
            if name == "notify-deliveries":
                self.processes.start(name, self._deliveries_worker())
            else:
                self.processes.start(name, self.worker_argv(name.removesuffix("-worker")))
        if dead:
            self._wait_workers(90)
        return dead

    def restart_worker(self, service: str) -> None:
        process = self.processes.running[f"{service}-worker"]
        if process.poll() is None:
            process.wait(timeout=60)
        self.processes.start(f"{service}-worker", self.worker_argv(service))
        self._wait_workers(90)


# -- the platform's data -------------------------------------------------------------------


@dataclass
class Shop:
    """Two enterprises with a product each and a buying institution, made through the APIs."""

    enterprises: list[str]
    products: list[str]
    institution: str


def open_shop(urls: dict, token) -> Shop:
    admin = token("admin")

    def post(url, body):
        response = requests.post(url, json=body, headers=admin, timeout=30)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    tofu = post(f"{urls['catalog']}/v1/enterprises", enterprise_body(name="광명두부마을 협동조합"))
    kimchi = post(
        f"{urls['catalog']}/v1/enterprises",
        enterprise_body(
            name="완주 김치 마을기업", enterprise_type="village_enterprise", sigungu_code="52710"
        ),
    )
    snack = post(f"{urls['catalog']}/v1/products", product_body(tofu, name="두부과자 200g"))
    cabbage = post(
        f"{urls['catalog']}/v1/products",
        product_body(kimchi, name="포기김치 10kg", unit_price=65000, tax_type="exempt"),
    )
    city = post(
        f"{urls['orders']}/v1/institutions",
        {"name": "광명시청", "kind": "지자체", "sido_code": "41", "sigungu_code": "41210"},
    )
    return Shop([tofu, kimchi], [snack, cabbage], city)


def order_body(shop: Shop) -> dict:
    return {
        "delivery_address": "경기도 광명시 시청로 20",
        "needed_by": (date.today() + timedelta(days=10)).isoformat(),
        "lines": [{"product_id": p, "quantity": 1} for p in shop.products],
    }


@dataclass
class Answer:
    status: int | str  # an HTTP status, or the exception's name when none came
    seconds: float
    retry_after: str | None = None
    content_type: str = ""
    code: str | None = None
    supplier_orders: list[str] = field(default_factory=list)
    owners: dict[str, str] = field(default_factory=dict)  # supplier order -> enterprise


class OrderLoad:
    """Threads placing orders (one Idempotency-Key each) until stopped; every answer kept."""

    def __init__(self, orders_url: str, headers: dict, body: dict, threads: int = 4) -> None:
        self.url = f"{orders_url}/v1/orders"
        self.headers = headers
        self.body = body
        self.answers: list[Answer] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def __enter__(self) -> OrderLoad:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _run(self) -> None:
        with requests.Session() as http:
            while not self._stop.is_set():
                self.answers.append(self.place(http))
                time.sleep(0.05)

    def place(self, http) -> Answer:
        t0 = time.monotonic()
        headers = {**self.headers, "Idempotency-Key": str(uuid.uuid4())}
        try:
            response = http.post(self.url, json=self.body, headers=headers, timeout=30)
        except requests.RequestException as exc:
            return Answer(type(exc).__name__, time.monotonic() - t0)
        answer = Answer(
            response.status_code,
            time.monotonic() - t0,
            response.headers.get("Retry-After"),
            response.headers.get("Content-Type", ""),
        )
        if response.status_code == 201:
            parts = response.json()["supplier_orders"]
            answer.supplier_orders = [so["id"] for so in parts]
            answer.owners = {so["id"]: so["enterprise_id"] for so in parts}
        elif "json" in answer.content_type:
            answer.code = response.json().get("code")
        return answer

    def summary(self) -> str:
        statuses = Counter(f"{a.status} {a.code}" if a.code else a.status for a in self.answers)
        slowest = max((a.seconds for a in self.answers), default=0.0)
        return f"{dict(statuses)}, slowest answer {slowest:.2f} s"


def acknowledged(answers: list[Answer]) -> list[str]:
    return [so for a in answers if a.status == 201 for so in a.supplier_orders]


def check_answers(
    answers: list[Answer], bound: float, *, catalog_up: bool = False, orders_log: str = ""
) -> None:
    """Every answer a 201 or a 503 problem with Retry-After, none slower than `bound`;
    with `catalog_up` (only Redis failed) never `catalog_unavailable`: catalog prices a
    service's call without touching Redis (`orders_log` then says what orders saw)."""
    assert answers, "no order was placed"
    for answer in answers:
        assert answer.status in (201, 503), answer
        if catalog_up and answer.code == "catalog_unavailable":
            raise AssertionError(f"{answer}; orders logged: {catalog_failures(orders_log)}")
        assert answer.seconds < bound, answer
        if answer.status == 503:
            assert answer.retry_after and answer.content_type == "application/problem+json"


def catalog_failures(orders_log: str) -> Counter:
    """Why orders answered `catalog_unavailable`, counted from its JSON log lines."""
    errors = Counter()
    for line in orders_log.splitlines():
        if '"catalog_unavailable"' in line:
            with contextlib.suppress(ValueError):
                errors[json.loads(line).get("error", "?")[:200]] += 1
    return errors


def inbox_counts(notify_db_url: str, event_type: str = "supplier_order.created") -> Counter:
    """notify's inbox items per subject (one per supplier order and recipient)."""
    from notify.adapters.models import InboxItem

    engine = create_engine(notify_db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(InboxItem.subject_id, func.count())
                .where(InboxItem.event_type == event_type)
                .group_by(InboxItem.subject_id)
            ).all()
    finally:
        engine.dispose()
    return Counter({subject: n for subject, n in rows})


def wait_delivered_once(notify_db_url: str, supplier_orders: list[str], timeout: float = 90):
    """Every acknowledged supplier order in its enterprise's inbox, each exactly once."""
    wanted = set(supplier_orders)

    def arrived():
        counts = inbox_counts(notify_db_url)
        return counts if wanted <= set(counts) else None

    try:
        counts = infra.wait_for(arrived, timeout=timeout, interval=0.5, what="every inbox item")
    except AssertionError:
        missing = wanted - set(inbox_counts(notify_db_url))
        raise AssertionError(f"{len(missing)} of {len(wanted)} never arrived: {missing}") from None
    duplicated = {so: n for so, n in counts.items() if n > 1}
    assert not duplicated, f"delivered more than once: {duplicated}"
    return counts


def order_rows(platform) -> int:
    from orders.adapters.models import Order

    engine = create_engine(platform.config["ORDERS_DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(Order))
    finally:
        engine.dispose()


def place_one(platform, buyer, shop):
    return OrderLoad(platform.urls["orders"], buyer, order_body(shop)).place(requests)


def circuits_closed(platform, buyer, shop) -> None:
    """Every orders process places again: each circuit to catalog a catalog fault opened
    has closed. A process's circuit opens at its third failed call, at most a call's
    deadline after catalog came back, and lets a probe through after CIRCUIT_RESET_SECONDS,
    which succeeds while catalog is up. So wait that long, then see one order placed.
    (Placing orders until ten in a row succeed did not prove it: the kernel gave all ten
    connections to one gunicorn worker while the other's circuit was still open.)"""
    closes_at = platform.catalog_back_at + SERVICE_CALL_DEADLINE_SECONDS + CIRCUIT_RESET_SECONDS
    time.sleep(max(0.0, closes_at - time.monotonic()))
    placed_again(platform, buyer, shop)


def placed_again(platform, buyer, shop, timeout: float = 60.0):
    """Placement works again (the circuit closed, the dependency is back): the first 201."""
    return infra.wait_for(
        lambda: (a := place_one(platform, buyer, shop)).status == 201 and a,
        timeout=timeout,
        interval=0.5,
        what="an order placed again",
    )
