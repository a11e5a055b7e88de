"""A guard that stops `gachi up`'s programs when `gachi up` itself is killed (kill -9, OOM).

Each program runs in its own session, so Ctrl-C reaches the supervisor alone and it can
stop them in order; the price is that nothing else stops them if the supervisor dies
without doing so. The guard is a small process in a session of its own that the supervisor
tells, over a pipe, each program's process group as it starts (`+ pgid stage compound`)
and ends (`- pgid`), and `done` once it has stopped them itself. When the pipe closes
without `done`, the supervisor is gone: the guard stops the groups it knows in the
supervisor's order (workers, beats, APIs, Redis), each with SIGTERM to the program (to the
whole group for a shell script line), then SIGKILL to the group after `GRACE_SECONDS`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

GRACE_SECONDS = 20.0  # Celery's warm shutdown and gunicorn's graceful stop fit in it


class Guard:
    """The supervisor's side: start the guard, tell it about programs, release it."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gachi_cli.guard"],
            stdin=subprocess.PIPE,
            start_new_session=True,  # neither Ctrl-C nor the supervisor's group reach it
            text=True,
        )

    def watch(self, pgid: int, stage: int, compound: bool) -> None:
        self._say(f"+ {pgid} {stage} {int(compound)}")

    def forget(self, pgid: int) -> None:
        self._say(f"- {pgid}")

    def release(self) -> None:
        """Every program is stopped: the guard exits without touching anything."""
        self._say("done")
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        self.process.wait(timeout=10)

    def _say(self, line: str) -> None:
        with contextlib.suppress(OSError):  # a dead guard must not stop the supervisor
            self.process.stdin.write(line + "\n")
            self.process.stdin.flush()


def main() -> int:
    groups: dict[int, tuple[int, bool]] = {}  # pgid -> (stage, compound)
    for line in sys.stdin:
        words = line.split()
        if words == ["done"]:
            return 0
        if words[:1] == ["+"]:
            groups[int(words[1])] = (int(words[2]), words[3] == "1")
        elif words[:1] == ["-"]:
            groups.pop(int(words[1]), None)
    stop(groups)  # the pipe closed without "done": the supervisor died
    return 0


def stop(groups: dict[int, tuple[int, bool]], grace: float = GRACE_SECONDS) -> None:
    for stage in sorted({stage for stage, _ in groups.values()}, reverse=True):
        members = {pgid: compound for pgid, (s, compound) in groups.items() if s == stage}
        for pgid, compound in members.items():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                if compound:
                    os.killpg(pgid, signal.SIGTERM)
                else:
                    os.kill(pgid, signal.SIGTERM)  # the program decides for its children
        deadline = time.monotonic() + grace
        while any(alive(pgid) for pgid in members) and time.monotonic() < deadline:
            time.sleep(0.1)
        for pgid in members:  # what it left behind (a Celery pool child), or a stuck one
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)


def alive(pgid: int) -> bool:
    """Whether the group's leader still runs (a zombie waiting for init does not)."""
    if os.path.isdir("/proc/self"):
        try:
            with open(f"/proc/{pgid}/stat") as stat:
                return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
        except FileNotFoundError:
            return False
    try:  # no /proc (not Linux): ask the kernel
        os.kill(pgid, 0)
    except ProcessLookupError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
