"""Why `gachi up` has its own supervisor loop: start-up, idle overhead and stop time of
four ways to run 12 programs (`sleep 600`): gachi_cli.supervise, honcho's Manager (what
`gachi up` used before, the baseline), supervisord 4.3 and circusd 0.19 (the two
libraries considered).

supervisor and circus are not dependencies of gachi: install them in a separate venv
(`python3.11 -m venv /tmp/sv && /tmp/sv/bin/pip install supervisor==4.3.0 circus==0.19.0`)
and run, from the repository root:

    .venv/bin/python bench/supervisors.py --other-bin /tmp/sv/bin
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

N = 12
NAMES = [f"p{i}" for i in range(N)]
IDLE_SECONDS = 20


def configs(folder: Path) -> None:
    (folder / "Procfile").write_text("".join(f"{n}: sleep 600\n" for n in NAMES))
    programs = "".join(
        f"[program:{n}]\ncommand=sleep 600\npriority={i}\n"
        "stdout_logfile=/dev/stdout\nstdout_logfile_maxbytes=0\n"
        for i, n in enumerate(NAMES)
    )
    (folder / "supervisord.conf").write_text(
        f"[supervisord]\nnodaemon=true\nlogfile={folder}/supervisord.log\n"
        f"pidfile={folder}/supervisord.pid\n[unix_http_server]\nfile={folder}/sd.sock\n{programs}"
    )
    watchers = "".join(f"[watcher:{n}]\ncmd=sleep 600\npriority={i}\n" for i, n in enumerate(NAMES))
    (folder / "circus.ini").write_text(
        f"[circus]\nendpoint=ipc://{folder}/c.sock\npubsub_endpoint=ipc://{folder}/p.sock\n"
        f"statsd=False\n{watchers}"
    )


OURS = """
import os, sys
from gachi_cli.supervise import API, Program, Supervisor
names = sys.argv[1:]
programs = [Program(n, "sleep 600", API) for n in names]
sys.exit(Supervisor(programs, env=dict(os.environ), cwd=".").run())
"""


def tree(process: psutil.Process) -> list[psutil.Process]:
    try:
        return [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def supervisors(process: psutil.Process) -> list[psutil.Process]:
    return [p for p in tree(process) if p.name() not in ("sleep", "sh")]


def cpu(processes: list[psutil.Process]) -> float:
    return sum(p.cpu_times().user + p.cpu_times().system for p in processes)


def measure(label: str, argv: list[str], folder: Path) -> None:
    began = time.monotonic()
    popen = subprocess.Popen(argv, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    root = psutil.Process(popen.pid)
    sleeps: list[psutil.Process] = []
    while len(sleeps) < N and time.monotonic() - began < 60:
        sleeps = [p for p in tree(root) if p.name() == "sleep"]
        time.sleep(0.02)
    started = time.monotonic() - began
    time.sleep(2)
    before = cpu(supervisors(root))
    time.sleep(IDLE_SECONDS)
    managers = supervisors(root)
    idle = (cpu(managers) - before) / IDLE_SECONDS * 1000
    rss = sum(p.memory_info().rss for p in managers) / 2**20
    stopping = time.monotonic()
    popen.send_signal(signal.SIGTERM)
    popen.wait(timeout=60)
    while time.monotonic() - stopping < 30 and any(
        p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in sleeps
    ):
        time.sleep(0.02)
    stopped = time.monotonic() - stopping
    print(
        f"{label:20} {N} started in {started:5.2f} s | {len(managers):2d} supervisor processes, "
        f"RSS {rss:6.1f} MiB, idle CPU {idle:4.1f} ms/s | all stopped {stopped:5.2f} s"
    )
    for process in sleeps:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--other-bin", required=True, help="bin/ of a venv with both")
    other = parser.parse_args().other_bin
    venv = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        configs(folder)
        runs = {
            "gachi supervise": [sys.executable, "-c", OURS, *NAMES],
            "honcho 2.0 Manager": [str(venv / "honcho"), "start", "-f", "Procfile"],
            "supervisord 4.3": [f"{other}/supervisord", "-c", "supervisord.conf"],
            "circusd 0.19": [f"{other}/circusd", "circus.ini"],
        }
        for label, argv in runs.items():
            measure(label, argv, folder)


if __name__ == "__main__":
    main()
