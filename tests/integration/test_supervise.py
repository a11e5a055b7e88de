"""gachi_cli.supervise with small real programs (sh), fast: the backoff is shortened in
the child; tests/e2e/test_supervision.py runs the real `gachi up` with its real timings."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import psutil
import pytest

from gachi_cli.supervise import simple
from tests.support import infra

HARNESS = """
import os, sys
from gachi_cli import supervise
from gachi_cli.supervise import API, BEAT, REDIS, WORKER, Program, Supervisor
supervise.BACKOFF_FIRST = 0.05
programs = [Program(name, command, stage) for name, command, stage in {programs!r}]
sys.exit(Supervisor(programs, env=dict(os.environ), cwd=".").run())
"""
# Each says goodbye on SIGTERM (a shell script line: signalled as a group).
POLITE = 'trap "echo bye; exit 0" TERM; sleep 600 & wait'


def supervise(programs, tmp_path) -> tuple[subprocess.Popen, object]:
    log = tmp_path / "supervisor.log"
    process = subprocess.Popen(
        [sys.executable, "-c", HARNESS.format(programs=programs)],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
    )
    return process, log


def said(log) -> list[str]:
    return re.findall(r"^\S+ gachi +\| (.*)$", log.read_text(), re.M)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("celery -A orders.worker worker --queues orders", True),
        ('gunicorn --bind 127.0.0.1:${WEB_PORT:-8000} "web:create_app()"', True),
        ("python -c 'import sys; sys.exit(3)'", True),
        ("migrate && serve", False),
        (POLITE, False),
    ],
)
def test_a_single_command_replaces_the_shell_a_script_line_does_not(command, expected):
    assert simple(command) is expected


def test_stops_workers_then_beats_then_apis_then_redis_and_exits_0(tmp_path):
    process, log = supervise(
        [("api", POLITE, 1), ("beat", POLITE, 2), ("redis", POLITE, 0), ("worker", POLITE, 3)],
        tmp_path,
    )
    infra.wait_for(lambda: "worker started" in log.read_text(), timeout=30, what="all started")
    process.send_signal(signal.SIGINT)
    process.send_signal(signal.SIGINT)  # a second Ctrl-C keeps the order
    assert process.wait(timeout=60) == 0
    stopped = [line.split()[0] for line in said(log) if " stopped (rc=0)" in line]
    assert stopped == ["worker", "beat", "api", "redis"]
    assert log.read_text().count("| bye") == 4


def test_restarts_a_dead_program_and_gives_up_on_one_that_fails_at_once(tmp_path):
    process, log = supervise(
        [("steady", "sleep 600", 1), ("flaky", "sh -c 'echo cannot start; exit 3'", 1)],
        tmp_path,
    )
    assert process.wait(timeout=60) == 1
    lines = said(log)
    assert [line for line in lines if line.startswith("restarting flaky in")] == [
        "restarting flaky in 0 s"
    ] * 4  # 0.05, 0.1, 0.2, 0.4 s, printed rounded
    assert sum(line.startswith("flaky exited (rc=3)") for line in lines) == 5
    assert lines[-1].startswith("gave up on flaky: it exited 5 times in a row")
    assert "steady stopped (rc=-15)" in lines
    assert log.read_text().count("cannot start") == 5


def test_a_killed_program_is_restarted(tmp_path):
    process, log = supervise([("steady", "sleep 600", 1)], tmp_path)
    try:
        infra.wait_for(lambda: "steady started" in log.read_text(), timeout=30, what="started")
        pid = int(re.search(r"steady started \(pid=(\d+)\)", log.read_text()).group(1))
        time.sleep(0.2)
        subprocess.run(["kill", "-9", str(pid)], check=True)
        infra.wait_for(
            lambda: log.read_text().count("steady started") == 2, timeout=30, what="a restart"
        )
        assert process.poll() is None
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_killed_supervisor_leaves_no_program_running_and_its_guard_stops_them_in_order(
    tmp_path,
):
    """kill -9 of `gachi up` itself: each program has its own session, so only the guard
    can stop them; it does so in the supervisor's order, and what a program left in its
    group (here a `sleep` child) goes with it."""
    noted = tmp_path / "stopped.txt"

    def polite(name):  # notes its own stop in a file: the supervisor's output is gone
        return f'trap "echo {name} >> {noted}; exit 0" TERM; sleep 600 & wait'

    programs = [
        ("api", polite("api"), 1),
        ("beat", polite("beat"), 2),
        ("redis", polite("redis"), 0),
        ("worker", polite("worker"), 3),
        ("single", "sleep 600", 1),  # one command: signalled alone, as gunicorn would be
    ]
    process, log = supervise(programs, tmp_path)
    infra.wait_for(lambda: log.read_text().count(" started (pid=") == 5, timeout=30, what="all")
    pids = [int(pid) for pid in re.findall(r"started \(pid=(\d+)\)", log.read_text())]
    members = [p.pid for pid in pids for p in group_of(pid)]
    assert len(members) > len(pids)  # the scripts' `sleep` children are in their groups

    process.kill()
    process.wait(timeout=10)

    infra.wait_for(
        lambda: not any(running(pid) for pid in members), timeout=60, what="every program gone"
    )
    assert noted.read_text().split() == ["worker", "beat", "api", "redis"]


def test_a_supervisor_that_stopped_its_programs_releases_its_guard(tmp_path):
    process, log = supervise([("steady", "sleep 600", 1)], tmp_path)
    infra.wait_for(lambda: "steady started" in log.read_text(), timeout=30, what="started")
    guards = [p for p in psutil.Process(process.pid).children() if "gachi_cli.guard" in p.cmdline()]
    assert len(guards) == 1
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0
    assert not running(guards[0].pid)  # it exited on "done", having stopped nothing


def group_of(pid: int) -> list[psutil.Process]:
    return [p for p in psutil.process_iter() if _pgid(p.pid) == pid]


def _pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
