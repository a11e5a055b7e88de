"""CPU seconds a platform spends between two points, per group of processes, from psutil:
process trees (gunicorn masters with their workers, Celery workers), a server found by its
listening port (Redis), and the PostgreSQL backends serving given databases."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import psutil

Finder = Callable[[], list[psutil.Process]]


def tree(pid: int) -> Finder:
    def find() -> list[psutil.Process]:
        try:
            parent = psutil.Process(pid)
            return [parent, *parent.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    return find


def listening_on(port: int) -> Finder:
    def find() -> list[psutil.Process]:
        pids = {
            c.pid
            for c in psutil.net_connections("tcp")
            if c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN and c.pid
        }
        return [psutil.Process(pid) for pid in pids]

    return find


def postgres_backends(databases: Iterable[str]) -> Finder:
    """Backends whose title names one of `databases` ("postgres: [cluster:] user db …")."""
    names = set(databases)

    def find() -> list[psutil.Process]:
        found = []
        for process in psutil.process_iter(["cmdline"]):
            words = " ".join(process.info["cmdline"] or []).split()
            if words[:1] == ["postgres:"] and names & set(words[1:5]):
                found.append(process)
        return found

    return find


class CpuMeter:
    """`start()`, the work, `stop()` -> {group: CPU seconds (user + system)}. A process
    that appears in between counts from zero; one that exits in between is lost (the
    platforms keep their connections and workers, so that is rare; said in the output)."""

    def __init__(self, groups: dict[str, Finder]) -> None:
        self.groups = groups
        self.before: dict[str, dict[tuple[int, float], float]] = {}

    def _sample(self) -> dict[str, dict[tuple[int, float], float]]:
        out: dict[str, dict[tuple[int, float], float]] = {}
        for name, find in self.groups.items():
            out[name] = {}
            for process in find():
                try:
                    with process.oneshot():
                        times = process.cpu_times()
                        key = (process.pid, process.create_time())
                    out[name][key] = times.user + times.system
                except psutil.Error:
                    continue
        return out

    def start(self) -> None:
        self.before = self._sample()

    def stop(self) -> dict[str, float]:
        after = self._sample()
        return {
            name: sum(v - self.before.get(name, {}).get(k, 0.0) for k, v in procs.items())
            for name, procs in after.items()
        }
