"""CPU seconds spent by every process of a running platform, read with psutil: gachi's
(order_cost.py) or a peer's such as Oscar's gunicorn (peers/oscar/compare.py).

A snapshot maps each live process — the APIs' gunicorn masters and workers, the Celery
workers and their pool children, the Redis server and, on PostgreSQL, the backends serving
the platform's databases — to a label and its user + system CPU time. The difference of two
snapshots is what the platform spent between them; a process that started in between counts
from zero, one that exited in between is reported (its time is lost to the figure).

On PostgreSQL only the backends connected to the platform's databases are summed (from
`pg_stat_activity`), never the bench's own connection; every `postgres` process on the
server (auxiliaries such as the WAL writer included, and other users' work) is reported
beside it as context, not summed.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import psutil
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

Key = tuple[int, float]  # (pid, create_time): a pid reused by another process is another key
PG_BACKENDS = "postgres backends (platform dbs)"
PG_ALL = "postgres, every process (context)"


@dataclass
class Snapshot:
    cpu: dict[Key, tuple[str, float]] = field(default_factory=dict)
    context: dict[Key, float] = field(default_factory=dict)  # all postgres processes


@dataclass
class Delta:
    seconds: Counter  # label -> CPU seconds
    context_seconds: float  # every postgres process on the server (PostgreSQL only)
    exited: list[str]  # labels of processes gone between the snapshots

    @property
    def total(self) -> float:
        return sum(self.seconds.values())


class PlatformCpu:
    """`processes`: name -> Popen of what the platform started (API `catalog`, worker
    `catalog-worker`, ...), each counted with its children under `label(name)`;
    `redis_port`: the broker's port (None: no Redis); `database_urls`: the platform's
    databases (PostgreSQL ones have their backends counted). Another platform (a peer's
    gunicorn, say) passes its own `label`, e.g. `str` to keep the names as given."""

    def __init__(
        self,
        processes: dict,
        redis_port: int | None,
        database_urls: list[str],
        label: Callable[[str], str] | None = None,
    ) -> None:
        self.processes = processes
        self.redis_port = redis_port
        self.label = label or self.service_label
        pg = [make_url(u) for u in database_urls if u.startswith("postgresql")]
        self.pg_databases = sorted({u.database for u in pg})
        self._pg = None
        if pg:
            admin = pg[0].set(database="postgres")
            self._pg = create_engine(admin, pool_size=1, max_overflow=0)
        self._redis_pid: int | None = None

    def close(self) -> None:
        if self._pg is not None:
            self._pg.dispose()

    @classmethod
    def of(cls, platform_) -> PlatformCpu:
        """Every process of a started `tests.support.infra.Platform`."""
        urls = [platform_.config[f"{s.upper()}_DATABASE_URL"] for s in platform_.services]
        return cls(platform_.processes.running, make_url(platform_.redis_url).port, urls)

    @staticmethod
    def service_label(name: str) -> str:
        service, _, kind = name.partition("-")
        return f"{service} {'worker (celery)' if kind == 'worker' else kind or 'api (gunicorn)'}"

    def _tree(self) -> dict[int, str]:
        pids: dict[int, str] = {}
        for name, popen in self.processes.items():
            try:
                root = psutil.Process(popen.pid)
                members = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                continue
            for process in members:
                pids[process.pid] = self.label(name)
        redis_pid = self._find_redis()
        if redis_pid:
            pids[redis_pid] = "redis"
        for pid in self._pg_backends():
            pids[pid] = PG_BACKENDS
        return pids

    def python_processes(self) -> dict[int, str]:
        """The APIs' and workers' processes (what a Python profiler can sample)."""
        return {
            pid: label for pid, label in self._tree().items() if label not in ("redis", PG_BACKENDS)
        }

    def _find_redis(self) -> int | None:
        if self.redis_port is None:
            return None
        if self._redis_pid is None or not psutil.pid_exists(self._redis_pid):
            self._redis_pid = next(
                (
                    c.pid
                    for c in psutil.net_connections("tcp")
                    if c.status == psutil.CONN_LISTEN and c.laddr.port == self.redis_port and c.pid
                ),
                None,
            )
        return self._redis_pid

    def _pg_backends(self) -> list[int]:
        if self._pg is None:
            return []
        with self._pg.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT pid FROM pg_stat_activity"
                    " WHERE datname = ANY(:names) AND pid <> pg_backend_pid()"
                ),
                {"names": self.pg_databases},
            )
            return [row.pid for row in rows]

    def snapshot(self) -> Snapshot:
        snap = Snapshot()
        for pid, label in self._tree().items():
            key_cpu = _cpu(pid)
            if key_cpu:
                snap.cpu[key_cpu[0]] = (label, key_cpu[1])
        if self._pg is not None:
            for process in psutil.process_iter(["name"]):
                if process.info["name"] in ("postgres", "postmaster"):
                    key_cpu = _cpu(process.pid)
                    if key_cpu:
                        snap.context[key_cpu[0]] = key_cpu[1]
        return snap

    @staticmethod
    def delta(before: Snapshot, after: Snapshot) -> Delta:
        seconds: Counter = Counter()
        for key, (label, cpu) in after.cpu.items():
            seconds[label] += cpu - before.cpu.get(key, (label, 0.0))[1]
        exited = [label for key, (label, _) in before.cpu.items() if key not in after.cpu]
        context = sum(cpu - before.context.get(key, 0.0) for key, cpu in after.context.items())
        return Delta(seconds=seconds, context_seconds=context, exited=exited)


def _cpu(pid: int) -> tuple[Key, float] | None:
    try:
        process = psutil.Process(pid)
        times = process.cpu_times()
        return (pid, process.create_time()), times.user + times.system
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None


def own_cpu() -> float:
    """This process's CPU seconds (the load client: not the platform's)."""
    times = os.times()
    return times.user + times.system
