"""docker-compose.yml, the Dockerfiles and the Procfile, read as the tests that check them need.

No Docker engine runs where the tests run, so tests/unit/test_compose_*.py read these files and
check every name they use against the code: gunicorn and Celery targets import, queues are the
ones the services consume, environment variables are ones the code reads, COPY sources exist and
reach the image, ports agree everywhere. Renaming a module, a queue or a variable in the code
without updating the deployment files fails there.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
# Containers built from our own Dockerfiles (the rest are third-party images).
OURS = {name: svc for name, svc in SERVICES.items() if "build" in svc}
PROCFILE = {
    name.strip(): command.strip()
    for name, _, command in (
        line.partition(":")
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )
}
INTERPOLATION = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}")


def argv(command) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else list(command)


def dockerfile_path(svc: dict) -> Path:
    build = svc["build"]
    return ROOT / build.get("context", ".") / build.get("dockerfile", "Dockerfile")


def dockerfile(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    lines, current = [], ""
    for raw in path.read_text().splitlines():
        if not current and (not raw.strip() or raw.lstrip().startswith("#")):
            continue
        if raw.rstrip().endswith("\\"):
            current += raw.rstrip()[:-1] + " "
            continue
        lines.append(current + raw)
        current = ""
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1].strip()) for line in lines]


def dockerfile_cmd(path: Path) -> list[str]:
    cmds = [json.loads(args) for instr, args in dockerfile(path) if instr == "CMD"]
    assert cmds, f"{path} has no CMD"
    return cmds[-1]


def container_command(name: str) -> list[str]:
    svc = OURS[name]
    return argv(svc["command"]) if "command" in svc else dockerfile_cmd(dockerfile_path(svc))


def environment(svc: dict) -> dict[str, str]:
    env = svc.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.partition("=")[::2] for item in env)
    return {key: str(value) for key, value in env.items()}


def interpolate(value: str) -> str:
    """Compose's `${NAME:-default}` as it resolves with NAME unset."""
    return INTERPOLATION.sub(lambda m: m.group(2) or "", value)


def option(args: list[str], *names: str) -> str | None:
    for i, arg in enumerate(args):
        for name in names:
            if arg == name and i + 1 < len(args):
                return args[i + 1]
            if name.startswith("--") and arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None


def gunicorn_target(args: list[str]) -> tuple[str, str]:
    for arg in args[1:]:
        match = re.fullmatch(r"([A-Za-z_][\w.]*):([A-Za-z_]\w*)(?:\(\))?", arg)
        if match:
            return match.group(1), match.group(2)
    raise AssertionError(f"no module:factory target in {args}")


def bind_port(args: list[str]) -> int:
    bind = option(args, "--bind", "-b")
    assert bind, f"no --bind in {args}"
    return int(interpolate(bind).rsplit(":", 1)[1])  # the Procfile's ${ORDERS_PORT:-8002}


def kind(args: list[str]) -> tuple[str, str]:
    """What a command runs: ("api", module), ("worker"|"beat", celery app) or ("gachi", cmd)."""
    if args[0] == "gunicorn":
        return "api", gunicorn_target(args)[0]
    if args[0] == "celery":
        app = option(args, "-A", "--app")
        assert app, f"no -A in {args}"
        return args[args.index(app) + 1], app
    return args[0], " ".join(args[1:])


def service_of(args: list[str]) -> str:
    """The service package a gunicorn or Celery command runs (`orders.worker` -> orders)."""
    return kind(args)[1].split(".")[0]
