"""`gachi up`'s process supervisor: keeps every process running, stops them in order.

Built on honcho's Printer (the `time name | line` output of `make up`) with our own loop,
because honcho's Manager stops everything when one process dies and restarts nothing, and
neither supervisor 4.3 nor circus 0.19 fits (docs/operations.md, "Faults").

- Programs start stage by stage (the embedded Redis, then the APIs, the beats, the workers)
  and stop in the reverse order: workers first (Celery's warm shutdown lets running tasks
  finish and puts prefetched ones back), then beats, then APIs, Redis last.
- A process that dies is started again after a backoff (1 s, doubling to 30 s). One that
  dies within `QUICK_SECONDS` of starting `GIVE_UP_AFTER` times in a row is not: the
  supervisor names it, stops the rest in order and exits 1.
- Each program runs in its own session (`sh -c "exec <command>"`, so the shell becomes the
  program): a stop signal reaches the program alone (gunicorn's master, Celery's main
  process), and whatever it leaves behind is killed with its process group. A Procfile
  line that is a shell script (`a && b`) runs as it is, and is signalled as a group.
- If the supervisor itself is killed, its guard (`guard.py`) stops the programs in the
  same order.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import queue
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from honcho.colour import get_colours
from honcho.printer import Message, Printer

from gachi_cli.guard import Guard

REDIS, API, BEAT, WORKER = 0, 1, 2, 3
STAGE_NAMES = {REDIS: "redis", API: "APIs", BEAT: "beats", WORKER: "workers"}
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 30.0
QUICK_SECONDS = 10.0  # a run shorter than this counts towards giving up
GIVE_UP_AFTER = 5  # quick failures in a row
SYSTEM = "gachi"


@dataclass
class Program:
    name: str
    command: str | list[str]  # a Procfile line (run by sh), or an argv
    stage: int
    ready: Callable[[], None] | None = None  # blocks until the program can serve
    stop_signals: tuple[tuple[int, float], ...] = ((signal.SIGTERM, 20.0),)  # then SIGKILL
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    quick_failures: int = 0
    restart_at: float | None = None
    colour: str | None = None
    output: threading.Thread | None = field(default=None, repr=False)


def stage_of(command: str) -> int:
    """A Procfile line's stage, from what it runs (the notify worker added later too)."""
    words = command.split()
    if words and words[0] == "celery":
        return WORKER if "worker" in words else BEAT
    return API


def simple(command: str) -> bool:
    """One command (`exec` can replace the shell with it), not a shell script line."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    try:
        words = list(lexer)
    except ValueError:
        return False
    operators = {";", "&", "&&", "|", "||", "(", ")", ";;"}
    keywords = {"if", "for", "while", "until", "case", "{", "trap", "cd", "export", "set"}
    return bool(words) and words[0] not in keywords and not operators & set(words)


def compound(program: Program) -> bool:
    """A shell script line: sh stays the group's leader and would not pass a signal on."""
    return isinstance(program.command, str) and not simple(program.command)


def celery_worker_stop() -> tuple[tuple[int, float], ...]:
    """SIGTERM: Celery's warm shutdown (running tasks finish, prefetched ones go back to
    the queue). If a task is still running after 20 s, SIGQUIT: the cold shutdown, which
    waits `worker_soft_shutdown_timeout` (the soft shutdown), then cancels the task so
    its message is requeued. SIGKILL only after that."""
    return ((signal.SIGTERM, 20.0), (signal.SIGQUIT, 15.0))


class Supervisor:
    def __init__(self, programs: list[Program], *, env: dict[str, str], cwd: str) -> None:
        self.programs = programs
        self.env = env
        self.cwd = cwd
        self.lines: queue.Queue[Message] = queue.Queue()
        self.printer = Printer(
            sys.stdout, width=max([len(SYSTEM)] + [len(p.name) for p in programs])
        )
        colours = get_colours()
        for program in programs:
            program.colour = next(colours)
        self.stop_requested: str | None = None
        self.gave_up: Program | None = None

    # --- running -----------------------------------------------------------------------

    def run(self, prepare: Callable[[], None] | None = None) -> int:
        """Start every stage, then watch until a signal or giving up; stop in order.
        `prepare` runs once the embedded Redis answers (or first, without one)."""
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._on_signal)
        stages = sorted({p.stage for p in self.programs})
        self.guard = Guard()  # stops the programs if we are killed ourselves
        try:
            if prepare is not None and REDIS not in stages:
                prepare()
            for stage in stages:
                for program in self._stage(stage):
                    self._start(program)
                for program in self._stage(stage):
                    if program.ready is not None and not self.stop_requested:
                        program.ready()
                if stage == REDIS and prepare is not None and not self.stop_requested:
                    prepare()
            while not self.stop_requested and self.gave_up is None:
                self._print_output(timeout=0.2)
                self._watch()
        finally:
            self._stop_all()
            self.guard.release()
        if self.gave_up is not None:
            program = self.gave_up
            self.say(
                f"gave up on {program.name}: it exited {GIVE_UP_AFTER} times in a row within "
                f"{QUICK_SECONDS:.0f} s of starting (last exit code {program.process.returncode});"
                f" fix it (its output is above) and run `make up` again"
            )
            return 1
        return 0

    def _on_signal(self, signum, _frame) -> None:
        # Only a flag: printing here could re-enter a print the loop was in the middle of.
        # A second Ctrl-C changes nothing; the order of the stop is kept.
        self.stop_requested = self.stop_requested or signal.Signals(signum).name

    def _watch(self) -> None:
        now = time.monotonic()
        for program in self.programs:
            if program.restart_at is not None:
                if now >= program.restart_at:
                    program.restart_at = None
                    self._start(program)
                continue
            if program.process is None or program.process.poll() is None:
                continue
            self._reap(program)
            ran = now - program.started_at
            program.quick_failures = program.quick_failures + 1 if ran < QUICK_SECONDS else 0
            self.say(f"{program.name} exited (rc={program.process.returncode}) after {ran:.1f} s")
            if program.quick_failures >= GIVE_UP_AFTER:
                self.gave_up = program
                return
            delay = min(BACKOFF_FIRST * 2 ** max(program.quick_failures - 1, 0), BACKOFF_MAX)
            self.say(f"restarting {program.name} in {delay:.0f} s")
            program.restart_at = now + delay

    def _start(self, program: Program) -> None:
        argv = program.command
        if isinstance(argv, str):
            argv = ["/bin/sh", "-c", f"exec {argv}" if simple(argv) else argv]
        program.process = subprocess.Popen(
            argv,
            env=self.env,
            cwd=self.cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us only; we stop the others in order
        )
        program.started_at = time.monotonic()
        self.guard.watch(program.process.pid, program.stage, compound(program))
        program.output = threading.Thread(
            target=self._read, args=(program, program.process), daemon=True
        )
        program.output.start()
        self.say(f"{program.name} started (pid={program.process.pid})")

    def _read(self, program: Program, process: subprocess.Popen) -> None:
        for line in iter(process.stdout.readline, b""):
            self.lines.put(self._message(program.name, line, program.colour))
        process.stdout.close()

    def _reap(self, program: Program) -> None:
        """After the program's own process ended: kill what it left in its group (a Celery
        pool child, a gunicorn worker) and print the rest of its output."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(program.process.pid, signal.SIGKILL)
        self.guard.forget(program.process.pid)
        if program.output is not None:
            program.output.join(timeout=2)
        self._print_output(timeout=0)

    # --- stopping ----------------------------------------------------------------------

    def _stop_all(self) -> None:
        if self.stop_requested:
            self.say(f"{self.stop_requested} received: stopping workers, beats, APIs, then Redis")
        for program in self.programs:
            program.restart_at = None
        for stage in sorted({p.stage for p in self.programs}, reverse=True):
            running = [p for p in self._stage(stage) if p.process and p.process.poll() is None]
            if not running:
                continue
            self.say(f"stopping {STAGE_NAMES[stage]}: {', '.join(p.name for p in running)}")
            self._stop_stage(running)

    def _stop_stage(self, running: list[Program]) -> None:
        plans = {p.name: [*p.stop_signals, (signal.SIGKILL, 5.0)] for p in running}
        deadlines: dict[str, float] = {}
        while True:
            alive = [p for p in running if p.process.poll() is None]
            for program in running:
                if program not in alive and program.name in deadlines:
                    del deadlines[program.name]
                    self._reap(program)
                    self.say(f"{program.name} stopped (rc={program.process.returncode})")
            if not alive:
                return
            now = time.monotonic()
            if all(not plans[p.name] and deadlines[p.name] <= now for p in alive):
                self.say(f"could not stop {', '.join(p.name for p in alive)}")
                return
            for program in alive:
                if deadlines.get(program.name, 0) <= now and plans[program.name]:
                    signum, wait = plans[program.name].pop(0)
                    self._signal(program, signum)
                    deadlines[program.name] = now + wait
            self._print_output(timeout=0.1)

    def _signal(self, program: Program, signum: int) -> None:
        self.say(f"sending {signal.Signals(signum).name} to {program.name}")
        try:
            if signum == signal.SIGKILL or compound(program):  # sh would not pass it on
                os.killpg(program.process.pid, signum)
            else:
                program.process.send_signal(signum)
        except ProcessLookupError:
            pass

    # --- output ------------------------------------------------------------------------

    def _stage(self, stage: int) -> list[Program]:
        return [p for p in self.programs if p.stage == stage]

    def _print_output(self, timeout: float) -> None:
        try:
            message = self.lines.get(timeout=timeout) if timeout else self.lines.get_nowait()
        except queue.Empty:
            return
        while True:
            self.printer.write(message)
            try:
                message = self.lines.get_nowait()
            except queue.Empty:
                return

    def say(self, text: str) -> None:
        self.printer.write(self._message(SYSTEM, text, None))

    @staticmethod
    def _message(name: str, data, colour) -> Message:
        return Message(
            type="line", data=data, time=datetime.datetime.now(), name=name, colour=colour
        )
