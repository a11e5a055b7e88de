"""SQLite writers under contention: the kit's writer queue against SQLite's busy handler.

P processes x T threads (gunicorn's 2 x 4 by default) each run write transactions on one
SQLite file for S seconds: BEGIN IMMEDIATE, insert a row, hold the lock for --hold-ms of
CPU (a placement's transaction), commit, then --outside-ms of CPU outside any transaction
(the rest of a request). Two ways to wait for the write lock, alternated:

  busy handler   the kit's engine with `make_engine(url, queue_writers=False)`, as it was
                 before the queue: BEGIN IMMEDIATE with a busy timeout, waiting writers
                 polling in SQLite's busy handler (sleeps of 1, 2, 5, ... then 100 ms);
  writer queue   the kit's engine as the services have it: writers first wait for the
                 flock on <file>.writers (gachi_kit.sqlite_writers), woken by the kernel
                 when it is let go.

Baseline in the same run: one writer alone (no contention). Figures: transactions/s, the
latency of a transaction (waiting included) p50/p99/max and p99 / p50 (how unevenly the
wait is shared), CPU per transaction over every writer process.

    .venv/bin/python bench/sqlite_writers.py [--seconds 8] [--processes 2] [--threads 4]
        [--hold-ms 5] [--outside-ms 10] [--rounds 2]
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.load import percentile  # noqa: E402

MODES = ("busy handler", "writer queue")


def _spin(milliseconds: float) -> None:
    end = time.thread_time() + milliseconds / 1000
    while time.thread_time() < end:
        pass


def writer_process(url, mode, threads, seconds, hold_ms, outside_ms, start_at, results):
    from sqlalchemy import text

    from gachi_kit.db import make_engine

    engine = make_engine(url, queue_writers=mode == "writer queue")
    latencies: list[float] = []
    lock = threading.Lock()
    cpu_before = time.process_time()

    def loop(name: str) -> None:
        mine = []
        while time.time() < start_at:
            time.sleep(0.001)
        stop = start_at + seconds
        while time.time() < stop:
            started = time.perf_counter()
            with engine.begin() as tx:
                tx.execute(text("INSERT INTO t (writer) VALUES (:w)"), {"w": name})
                _spin(hold_ms)
            mine.append((time.perf_counter() - started) * 1000 - hold_ms)
            _spin(outside_ms)
        with lock:
            latencies.extend(mine)

    workers = [threading.Thread(target=loop, args=(f"w{i}",)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put((latencies, time.process_time() - cpu_before))
    engine.dispose()


def run(url, mode, processes, threads, seconds, hold_ms, outside_ms) -> dict:
    context = multiprocessing.get_context("spawn")  # a fresh engine per process
    results = context.Queue()
    start_at = time.time() + 2.0  # every process imported and connected by then
    children = [
        context.Process(
            target=writer_process,
            args=(url, mode, threads, seconds, hold_ms, outside_ms, start_at, results),
        )
        for _ in range(processes)
    ]
    for child in children:
        child.start()
    latencies, cpu = [], 0.0
    for _ in children:
        mine, used = results.get(timeout=seconds + 120)
        latencies.extend(mine)
        cpu += used
    for child in children:
        child.join()
    latencies.sort()
    return {
        "count": len(latencies),
        "per_s": len(latencies) / seconds,
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "max": latencies[-1],
        "cpu_ms": cpu * 1000 / len(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="writers per process")
    parser.add_argument("--hold-ms", type=float, default=5.0, help="CPU inside the lock")
    parser.add_argument("--outside-ms", type=float, default=10.0, help="CPU between")
    parser.add_argument("--rounds", type=int, default=2, help="of each mode, alternated")
    args = parser.parse_args()

    import platform

    from sqlalchemy import create_engine, text

    folder = Path(tempfile.mkdtemp(prefix="gachi-bench-writers-"))
    url = f"sqlite:///{folder / 'writers.db'}"
    setup = create_engine(url)
    with setup.begin() as conn:
        conn.execute(text("PRAGMA journal_mode=WAL"))
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, writer TEXT)"))
    setup.dispose()

    print("== SQLite writers under contention ==")
    print(f"machine:  {platform.platform()}, {multiprocessing.cpu_count()} CPUs")
    print(f"python:   {platform.python_implementation()} {platform.python_version()}")
    print(
        f"writers:  {args.processes} processes x {args.threads} threads, {args.seconds:g} s each;"
        f" {args.hold_ms:g} ms CPU inside the lock, {args.outside_ms:g} ms outside"
    )
    print("latency:  of a whole transaction, waiting included, less the CPU held inside\n")
    header = (
        f"{'mode':<28}{'count':>7}{'per s':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"{'p99/p50':>11}{'CPU ms/tx':>11}"
    )
    print(header)
    alone = run(url, "writer queue", 1, 1, args.seconds / 2, args.hold_ms, args.outside_ms)
    _row("one writer alone (baseline)", alone)
    for _ in range(args.rounds):
        for mode in MODES:
            figures = run(
                url,
                mode,
                args.processes,
                args.threads,
                args.seconds,
                args.hold_ms,
                args.outside_ms,
            )
            _row(mode, figures)


def _row(label: str, f: dict) -> None:
    print(
        f"{label:<28}{f['count']:>7}{f['per_s']:>8.1f}{f['p50']:>9.1f}{f['p99']:>9.1f}"
        f"{f['max']:>9.1f}{f['p99'] / max(f['p50'], 0.001):>10.1f}x{f['cpu_ms']:>11.2f}"
    )


if __name__ == "__main__":
    main()
