"""Load phases for the benchmarks: C client threads calling one request for a fixed time,
latencies and non-2xx answers collected, printed as one table (requests, errors, req/s,
p50/p95/p99/max); and the percentile every benchmark reports with."""

from __future__ import annotations

import itertools
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import requests

MAX_REQUESTS = 200_000  # per load phase, whatever the duration


@dataclass
class PhaseResult:
    name: str
    latencies: list[float] = field(default_factory=list)  # seconds, every request
    errors: Counter = field(default_factory=Counter)  # status code (or exception) -> count
    error_samples: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0

    def pct(self, p: int) -> float:
        return percentile(self.latencies, p)


def percentile(values: list[float], p: int) -> float:
    """p-th percentile (1..99) in the same unit as values; nan when too few."""
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def run_load(name: str, call, seconds: float, concurrency: int) -> PhaseResult:
    """`call(session) -> (status, body)` from `concurrency` threads for `seconds`."""
    result = PhaseResult(name)
    lock = threading.Lock()
    issued = itertools.count()
    start = threading.Barrier(concurrency + 1)
    deadline = [0.0]

    def worker():
        local_lat: list[float] = []
        local_err: Counter = Counter()
        samples: list[str] = []
        with requests.Session() as session:
            start.wait()
            while time.perf_counter() < deadline[0] and next(issued) < MAX_REQUESTS:
                t0 = time.perf_counter()
                try:
                    status, text = call(session)
                except requests.RequestException as exc:
                    status, text = type(exc).__name__, str(exc)
                local_lat.append(time.perf_counter() - t0)
                if not (isinstance(status, int) and 200 <= status < 300):
                    local_err[status] += 1
                    if len(samples) < 3:
                        samples.append(f"{status}: {str(text)[:300]}")
        with lock:
            result.latencies.extend(local_lat)
            result.errors.update(local_err)
            result.error_samples.extend(samples[: max(0, 5 - len(result.error_samples))])

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    result.elapsed = time.perf_counter() - began
    return result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f}"


def print_phase_table(results: list[PhaseResult]) -> None:
    print(
        f"{'phase':<34}{'requests':>9}{'errors':>8}{'req/s':>9}"
        f"{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"
    )
    for r in results:
        print(
            f"{r.name:<34}{r.requests:>9}{sum(r.errors.values()):>8}{r.throughput:>9.1f}"
            f"{ms(r.pct(50)):>9}{ms(r.pct(95)):>9}{ms(r.pct(99)):>9}"
            f"{ms(max(r.latencies, default=float('nan'))):>9}"
        )
    for r in results:
        if r.errors:
            print(f"  {r.name} errors: {dict(r.errors)}")
            for sample in r.error_samples:
                print(f"    {sample}")
