"""What docker-compose.yml, the Dockerfiles and the Procfile run: gunicorn and Celery targets,
queues and beats, `gachi` commands, API ports, and what each image copies and installs."""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest
from celery import Celery
from celery.app.utils import find_app

from gachi_cli.cli import PORTS, main
from gachi_cli.cli import SERVICES as CLI_SERVICES
from tests.support.compose_files import (
    OURS,
    PROCFILE,
    ROOT,
    SERVICES,
    argv,
    bind_port,
    container_command,
    dockerfile,
    dockerfile_cmd,
    dockerfile_path,
    gunicorn_target,
    kind,
    option,
    service_of,
)


def commands() -> list[tuple[str, list[str]]]:
    found = [(f"compose:{name}", container_command(name)) for name in OURS]
    found += [(f"Procfile:{name}", argv(command)) for name, command in PROCFILE.items()]
    found += [
        (f"{path.relative_to(ROOT)}:CMD", dockerfile_cmd(path))
        for path in sorted({dockerfile_path(svc) for svc in OURS.values()})
    ]
    return found


COMMANDS = commands()
GUNICORN = [(label, args) for label, args in COMMANDS if args[0] == "gunicorn"]
CELERY = [(label, args) for label, args in COMMANDS if args[0] == "celery"]


@pytest.fixture
def isolated_env(monkeypatch, tmp_path):
    """Import `<service>.worker` (which builds the app) without touching real settings.

    Creating the Celery app does not connect to the broker, so the URL is never contacted.
    """
    for name in list(os.environ):
        if name.endswith("_DATABASE_URL") or name.startswith("JWT_") or name == "CATALOG_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("GACHI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:9/0")
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        if name.endswith(".worker"):  # built with this test's settings; do not leak it
            del sys.modules[name]
            package = sys.modules.get(name.rsplit(".", 1)[0])
            if package is not None and hasattr(package, "worker"):
                delattr(package, "worker")


def celery_app(module: str) -> Celery:
    """Resolve `-A module` exactly as the celery command line does."""
    app = find_app(module)
    assert isinstance(app, Celery), f"celery -A {module} finds {app!r}, not a Celery app"
    return app


# --- commands --------------------------------------------------------------------------


@pytest.mark.parametrize(("label", "args"), GUNICORN, ids=[label for label, _ in GUNICORN])
def test_gunicorn_target_is_an_app_factory(label, args, isolated_env):
    module_name, factory = gunicorn_target(args)
    module = importlib.import_module(module_name)
    assert callable(getattr(module, factory, None)), f"{label}: {module_name}.{factory} missing"
    app = getattr(module, factory)()  # as gunicorn calls it: settings from the environment
    assert app.test_client().get("/healthz").status_code == 200  # what the healthcheck asks


@pytest.mark.parametrize(("label", "args"), CELERY, ids=[label for label, _ in CELERY])
def test_celery_app_imports_and_consumes_its_queue(label, args, isolated_env):
    subcommand, module = kind(args)
    app = celery_app(module)
    service = importlib.import_module(f"{service_of(args)}.config").SERVICE
    assert app.conf.task_default_queue == service  # make_celery(queue=SERVICE)
    if subcommand == "worker":
        queues = option(args, "--queues", "-Q")
        assert queues, f"{label}: a worker must name its queue"
        known = service_queues(service)
        assert set(queues.split(",")) <= set(known), f"{label}: consumes {queues}, not {known}"
    else:
        assert subcommand == "beat", f"{label}: unexpected celery {subcommand}"
        assert app.conf.beat_schedule, f"{label}: a beat for a service with no periodic task"


def service_queues(service: str) -> tuple[str, ...]:
    """The queues a service's tasks are sent to: its own, and notify's per channel."""
    try:
        return importlib.import_module(f"{service}.queues").ALL
    except ModuleNotFoundError:
        return (service,)


@pytest.mark.parametrize("service", CLI_SERVICES)
def test_every_queue_has_a_worker(service):
    for source in ("compose", "Procfile"):
        consumed = {
            queue
            for label, args in CELERY
            if label.startswith(source) and kind(args) == ("worker", f"{service}.worker")
            for queue in option(args, "--queues", "-Q").split(",")
        }
        assert consumed == set(service_queues(service)), f"{source}: {service} consumes {consumed}"


@pytest.mark.parametrize("service", CLI_SERVICES)
def test_every_periodic_task_has_a_beat(service, isolated_env):
    app = celery_app(f"{service}.worker")
    beats = {
        label.split(":")[0] for label, args in CELERY if kind(args) == ("beat", f"{service}.worker")
    }
    if app.conf.beat_schedule:
        assert beats >= {"compose", "Procfile"}, f"{service} has periodic tasks but no beat"
    else:
        assert not beats


def test_gachi_commands_exist():
    for name in OURS:
        args = container_command(name)
        if args[0] == "gachi":
            assert args[1] in main.commands, f"compose:{name}: no `gachi {args[1]}`"


def test_compose_runs_what_the_procfile_runs():
    procfile = {kind(argv(command)) for command in PROCFILE.values()}
    compose = {kind(container_command(name)) for name in OURS}
    assert procfile <= compose
    assert compose - procfile == {("gachi", "migrate")}


# --- ports -----------------------------------------------------------------------------


def test_api_ports_agree_with_the_procfile_and_the_cli():
    procfile = {
        gunicorn_target(args)[0]: bind_port(args)
        for label, args in GUNICORN
        if label.startswith("Procfile:")
    }
    assert procfile == PORTS
    for label, args in GUNICORN:
        assert bind_port(args) == procfile[gunicorn_target(args)[0]], label
    for name in OURS:
        args = container_command(name)
        if args[0] != "gunicorn":
            continue
        port = bind_port(args)
        assert option(args, "--bind", "-b").startswith("0.0.0.0:"), f"{name}: bind 0.0.0.0"
        published = [int(str(p).rsplit(":", 1)[1]) for p in SERVICES[name].get("ports", [])]
        assert published == [port], f"{name}: publishes {published}, listens on {port}"
        check = " ".join(SERVICES[name]["healthcheck"]["test"])
        assert f"127.0.0.1:{port}/healthz" in check, f"{name}: healthcheck on another port"
        exposed = [
            int(args)
            for instr, args in dockerfile(dockerfile_path(OURS[name]))
            if instr == "EXPOSE"
        ]
        assert exposed == [port], f"{name}: Dockerfile exposes {exposed}"


# --- images --------------------------------------------------------------------------


def dockerignored(path: str, patterns: list[str]) -> bool:
    def regex(pattern: str) -> str:
        out = re.escape(pattern.strip("/")).replace(r"\*\*/", "(?:.*/)?")
        return out.replace(r"\*", "[^/]*").replace(r"\?", "[^/]")

    parts = PurePosixPath(path).parts
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(re.fullmatch(regex(p), prefix) for p in patterns for prefix in prefixes)


DOCKERFILES = sorted({dockerfile_path(svc) for svc in OURS.values()})


@pytest.mark.parametrize("path", DOCKERFILES, ids=[str(p.relative_to(ROOT)) for p in DOCKERFILES])
def test_dockerfile_copies_what_it_installs(path):
    assert path.exists()
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert not [p for p in patterns if p.startswith("!")], "negations are not checked here"
    try:
        tracked = subprocess.run(
            ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        tracked = []
    instructions = dockerfile(path)
    copied = set()
    for instr, args in instructions:
        if instr != "COPY" or "--from=" in args:
            continue  # COPY --from takes files from an earlier build stage, not the context
        parts = [a for a in shlex.split(args) if not a.startswith("--")]
        for source in parts[:-1]:
            assert (ROOT / source).exists(), f"COPY {source}: missing"
            assert not dockerignored(source, patterns), f"COPY {source}: in .dockerignore"
            lost = [
                f
                for f in tracked
                if f.startswith(source.rstrip("/") + "/") and dockerignored(f, patterns)
            ]
            assert not lost, f"COPY {source}: .dockerignore drops {lost}"
            copied.add(source.rstrip("/"))
        assert parts[-1].rstrip("/") == parts[0].rstrip("/"), "COPY keeps the repository layout"
    installs = [args for instr, args in instructions if instr == "RUN" and "pip install" in args]
    assert len(installs) == 1
    install = shlex.split(installs[0])
    editable = [install[i + 1] for i, a in enumerate(install) if a == "-e"]
    assert option(install, "-c") == "requirements/constraints.txt"
    assert "requirements" in copied
    assert set(editable) <= copied, "pip installs a folder the image does not have"
    # Every package this image runs is installed, editable (migrations are found through
    # Path(__file__).parents[2], so the service folder must be where it is imported from).
    runs = [container_command(n) for n, s in OURS.items() if dockerfile_path(s) == path]
    packages = set()
    for args in runs:
        if args[0] == "gachi":
            packages |= {"gachi_cli", *CLI_SERVICES}
        else:
            packages.add(service_of(args))
    for package in packages:
        origin = Path(importlib.util.find_spec(package).origin).relative_to(ROOT)
        assert any(str(origin).startswith(e + "/") for e in editable), f"{package} not installed"
    users = [args for instr, args in instructions if instr == "USER"]
    assert users and users[-1] not in {"root", "0"}, "run as a non-root user"


@pytest.mark.parametrize("path", DOCKERFILES, ids=[str(p.relative_to(ROOT)) for p in DOCKERFILES])
def test_an_image_that_runs_gunicorn_carries_its_settings(path):
    """gunicorn reads `gunicorn.conf.py` from the folder it starts in: without it an image's
    API keeps gunicorn's own request-line limit and answers long URLs in HTML."""
    runs = [container_command(n) for n, s in OURS.items() if dockerfile_path(s) == path]
    if not any(args[0] == "gunicorn" for args in runs):
        pytest.skip("this image runs no gunicorn")
    instructions = dockerfile(path)
    workdirs = [args for instr, args in instructions if instr == "WORKDIR"]
    assert workdirs, f"{path}: no WORKDIR"
    copied = [
        shlex.split(args)
        for instr, args in instructions
        if instr == "COPY" and "--from=" not in args
    ]
    targets = [
        str(PurePosixPath(workdirs[-1]) / parts[-1])
        for parts in copied
        if "gunicorn.conf.py" in parts[:-1]
    ]
    assert targets == [f"{workdirs[-1]}/gunicorn.conf.py"], f"{path} does not copy gunicorn.conf.py"
    assert (ROOT / "gunicorn.conf.py").exists()
    assert all(
        "--config" not in args and "-c" not in args for args in runs if args[0] == "gunicorn"
    )
