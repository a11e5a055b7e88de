"""docker-compose.yml, the Dockerfiles and the Procfile name things the code must have.

No Docker engine runs where the tests run, so these tests read the files and check every name
they use against the code: gunicorn and Celery targets import, queues are the ones the
services consume, environment variables are ones the code reads, COPY sources exist and
reach the image, ports agree everywhere. Renaming a module, a queue or a variable in the code
without updating the deployment files fails here.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import pytest
import yaml
from celery import Celery
from celery.app.utils import find_app

from gachi_cli.cli import PORTS, main
from gachi_cli.cli import SERVICES as CLI_SERVICES
from gachi_kit.config import Env

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
# Variables Python and pip read themselves; a Dockerfile may set them.
RUNTIME_VARIABLES = {"PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PIP_DISABLE_PIP_VERSION_CHECK"}
# Settings each service needs in a container: without them it silently falls back to the
# embedded default (SQLite in the data folder, Redis on 127.0.0.1, a fresh dev key pair).
REQUIRED_EVERYWHERE = [
    ("REDIS_URL",),
    ("JWT_PUBLIC_KEY", "JWT_PUBLIC_KEY_FILE"),
    # people's tokens: web's key set; service tokens: each service's own key
    ("JWKS_URL", "JWKS_FILE"),
    ("SERVICE_KEYS_DIR",),
    ("SERVICE_PRIVATE_KEY_FILE",),
]
REQUIRED_FOR = {
    # orders calls catalog (default URL is 127.0.0.1) with tokens signed by its own key.
    "orders": [("CATALOG_URL",)],
    # notify's signed links call orders the same way; its messages link the portal too.
    "notify": [("ORDERS_URL",), ("WEB_PUBLIC_URL",)],
    # web signs people's tokens: never with a key or secret it made up in the container.
    "web": [
        ("GACHI_ENV",),
        ("WEB_SECRET_KEY",),
        ("WEB_SIGNING_KEYS_DIR",),
        ("CATALOG_URL",),
        ("ORDERS_URL",),
        ("NOTIFY_URL",),
    ],
}
# URLs people open in a browser (links in messages), not addresses of compose services.
BROWSER_URLS = {"NOTIFY_PUBLIC_URL", "WEB_PUBLIC_URL"}
INTERPOLATION = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}")


# --- reading the files -----------------------------------------------------------------


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
SOURCE = "\n".join(
    path.read_text()
    for top in ("libs", "services", "tools")
    for path in sorted((ROOT / top).rglob("*.py"))
    if ".egg-info" not in str(path)
)


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


# --- environment -----------------------------------------------------------------------


def code_reads(name: str) -> bool:
    match = re.fullmatch(r"([A-Z]+)_DATABASE_URL", name)
    if match:
        # Not a literal anywhere: Env.database_url(service) builds f"{SERVICE}_DATABASE_URL".
        # Check it reads this name, and that the service's settings call it with that service.
        service = match.group(1).lower()
        try:
            config = importlib.import_module(f"{service}.config")
        except ModuleNotFoundError:
            return False
        read = Env({name: "sqlite:///compose-check.db"}).database_url(service)
        source = Path(config.__file__).read_text()
        return (
            service == config.SERVICE
            and read == "sqlite:///compose-check.db"
            and "env.database_url(SERVICE)" in source
        )
    match = re.fullmatch(r"([A-Z_]+)_FILE", name)
    if match and re.search(rf"""\.secret\(\s*["']{match.group(1)}["']""", SOURCE):
        # Env.secret("X") reads X or the file X_FILE names; check it really reads the file.
        with tempfile.TemporaryDirectory() as folder:
            value = Path(folder) / "value"
            value.write_text("from-the-file")
            return Env({name: str(value)}).secret(match.group(1)) == "from-the-file"
    return re.search(rf"""["']{re.escape(name)}["']""", SOURCE) is not None


@pytest.mark.parametrize("name", sorted(OURS))
def test_environment_variables_are_read_by_the_code(name):
    unread = sorted(var for var in environment(OURS[name]) if not code_reads(var))
    assert not unread, f"compose:{name} sets variables no code reads: {unread}"


def test_dockerfile_environment_variables_are_read_by_the_code():
    for path in {dockerfile_path(svc) for svc in OURS.values()}:
        for instr, args in dockerfile(path):
            if instr == "ENV":
                names = re.findall(r"(\w+)=", args)
                unread = [n for n in names if n not in RUNTIME_VARIABLES and not code_reads(n)]
                assert not unread, f"{path.relative_to(ROOT)}: {unread}"


def test_code_reads_is_not_fooled():
    assert code_reads("REDIS_URL") and code_reads("ORDERS_DATABASE_URL")
    assert not code_reads("REDIS_URI")
    assert not code_reads("CATALOG_DATABASE_URI")
    assert not code_reads("KATALOG_DATABASE_URL")  # no such service
    assert code_reads("SERVICE_PRIVATE_KEY_FILE")  # through Env.secret
    assert not code_reads("REDIS_URL_FILE")  # REDIS_URL is no secret


@pytest.mark.parametrize("name", sorted(OURS))
def test_each_container_is_configured_for_its_service(name):
    args = container_command(name)
    env = environment(OURS[name])
    if args[0] == "gachi":  # `gachi migrate` migrates every service's database
        needed = [(f"{service.upper()}_DATABASE_URL",) for service in CLI_SERVICES]
    else:
        service = service_of(args)
        own = f"{service.upper()}_DATABASE_URL"
        needed = [(own,), *REQUIRED_EVERYWHERE, *REQUIRED_FOR.get(service, [])]
        others = {f"{s.upper()}_DATABASE_URL" for s in CLI_SERVICES} - {own}
        assert not others & set(env), f"{name}: has another service's database URL"
    missing = [alternatives for alternatives in needed if not set(alternatives) & set(env)]
    assert not missing, f"compose:{name} lacks {missing}"


def test_urls_point_at_compose_services():
    created = set(
        re.findall(
            r"CREATE DATABASE (\w+)",
            (ROOT / "deploy/postgres/init-databases.sql").read_text(),
            re.IGNORECASE,
        )
    )
    postgres_mounts = [str(v) for v in SERVICES["postgres"]["volumes"]]
    assert any(
        v.startswith("./deploy/postgres/init-databases.sql:/docker-entrypoint-initdb.d/")
        for v in postgres_mounts
    )
    for name, svc in OURS.items():
        for var, value in environment(svc).items():
            url = urlsplit(interpolate(value))
            if not url.scheme or not url.hostname or var in BROWSER_URLS:
                continue
            assert url.hostname in SERVICES, f"{name}: {var} points at unknown {url.hostname}"
            target = SERVICES[url.hostname]
            if url.scheme.startswith("postgresql"):
                assert target["image"].startswith("postgres:"), f"{name}: {var}"
                assert url.path.lstrip("/") in created, f"{name}: {var} names a missing database"
            elif url.scheme == "redis":
                assert target["image"].startswith("redis:"), f"{name}: {var}"
            elif url.scheme == "http":
                assert url.port == bind_port(container_command(url.hostname)), f"{name}: {var}"


@pytest.mark.parametrize("name", sorted(OURS))
def test_key_files_are_mounted(name):
    env = environment(OURS[name])
    mounts = {str(v).split(":")[1]: str(v) for v in OURS[name].get("volumes", [])}
    for var in ("JWT_PUBLIC_KEY_FILE", "JWT_PRIVATE_KEY_FILE", "SERVICE_PRIVATE_KEY_FILE"):
        if var in env:
            folder = str(PurePosixPath(env[var]).parent)
            assert folder in mounts, f"{name}: {var} is not in a mounted folder"
            assert mounts[folder].endswith(":ro"), f"{name}: mount keys read-only"


def test_beat_schedules_live_in_the_data_folder():
    for name in OURS:
        args = container_command(name)
        if args[0] != "celery" or kind(args)[0] != "beat":
            continue
        data = environment(OURS[name])["GACHI_DATA_DIR"]
        schedule = option(args, "--schedule", "-s")
        assert schedule and str(PurePosixPath(schedule).parent) == data, name
        targets = {str(v).split(":")[1] for v in OURS[name].get("volumes", [])}
        assert data in targets, f"{name}: the schedule file must outlive the container"
    for name, command in PROCFILE.items():
        if kind(argv(command))[0] == "beat":
            assert option(argv(command), "--schedule").startswith("$GACHI_DATA_DIR/"), name


# --- dependencies, mounts, images ------------------------------------------------------


def test_depends_on_targets_exist_and_can_satisfy_their_condition():
    for name, svc in SERVICES.items():
        depends = svc.get("depends_on") or {}
        if isinstance(depends, list):
            depends = {target: {"condition": "service_started"} for target in depends}
        for target, spec in depends.items():
            assert target in SERVICES, f"{name} depends on unknown {target}"
            condition = spec.get("condition", "service_started")
            if condition == "service_healthy":
                assert "healthcheck" in SERVICES[target], f"{target} has no healthcheck"
            elif condition == "service_completed_successfully":
                assert str(SERVICES[target].get("restart", "no")) == "no", target


def test_bind_mount_sources_exist():
    for name, svc in SERVICES.items():
        for volume in svc.get("volumes", []):
            source = str(volume).split(":")[0]
            if source.startswith("./") and source != "./deploy/keys":
                # deploy/keys is generated (see the top of docker-compose.yml), not committed.
                assert (ROOT / source).exists(), f"{name}: {source} missing"


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


# --- watching: Prometheus, Grafana, the metrics folder -----------------------------------

WATCH = ROOT / "deploy"
PROMETHEUS = yaml.safe_load((WATCH / "prometheus/prometheus.yml").read_text())
ALERTS = yaml.safe_load((WATCH / "prometheus/alerts.yml").read_text())
DASHBOARD = json.loads((WATCH / "grafana/dashboards/gachi.json").read_text())
# prometheus-flask-exporter's request histogram, named from defaults_prefix="gachi"
EXPORTER_METRICS = {"gachi_http_request_duration_seconds"}


def mounts(name: str) -> dict[str, str]:
    """{target in the container: source} of a compose service's volumes."""
    return {str(v).split(":")[1]: str(v).split(":")[0] for v in SERVICES[name].get("volumes", [])}


def test_prometheus_scrapes_every_api_and_loads_the_alerts():
    apis = {
        f"{name}:{bind_port(container_command(name))}"
        for name in OURS
        if container_command(name)[0] == "gunicorn"
    }
    targets = {
        target
        for job in PROMETHEUS["scrape_configs"]
        for static in job["static_configs"]
        for target in static["targets"]
    }
    assert targets == apis
    assert all(
        job.get("metrics_path", "/metrics") == "/metrics" for job in PROMETHEUS["scrape_configs"]
    )
    loaded = mounts("prometheus")
    for rule_file in PROMETHEUS["rule_files"]:
        assert loaded.get(rule_file) == "./deploy/prometheus/alerts.yml"
    assert loaded["/etc/prometheus/prometheus.yml"] == "./deploy/prometheus/prometheus.yml"


def queried_metrics() -> set[str]:
    expressions = [r["expr"] for group in ALERTS["groups"] for r in group["rules"]]
    expressions += [t["expr"] for panel in DASHBOARD["panels"] for t in panel["targets"]]
    names = {n for e in expressions for n in re.findall(r"\bgachi_[a-z_]+", e)}
    return {re.sub(r"_(bucket|count|sum)$", "", n) for n in names}


def test_dashboard_and_alerts_query_only_metrics_the_code_defines():
    queried = queried_metrics()
    assert {"gachi_outbox_lag_seconds", "gachi_delivery_dead_letters_total"} <= queried
    undefined = [
        name
        for name in sorted(queried - EXPORTER_METRICS)
        if not re.search(rf"""["']{name}["']""", SOURCE)
    ]
    assert not undefined, f"queried but never defined: {undefined}"
    assert 'defaults_prefix="gachi"' in SOURCE  # where EXPORTER_METRICS get their names


def test_grafana_provisions_the_dashboard_and_its_data_source():
    provisioning = mounts("grafana")["/etc/grafana/provisioning"]
    folder = ROOT / provisioning
    (provider,) = yaml.safe_load((folder / "dashboards/gachi.yml").read_text())["providers"]
    assert mounts("grafana")[provider["options"]["path"]] == "./deploy/grafana/dashboards"
    (source,) = yaml.safe_load((folder / "datasources/prometheus.yml").read_text())["datasources"]
    url = urlsplit(source["url"])
    assert url.hostname == "prometheus"
    assert [str(p) for p in SERVICES["prometheus"]["ports"]] == [f"{url.port}:{url.port}"]
    uids = {t["datasource"]["uid"] for p in DASHBOARD["panels"] for t in p["targets"]}
    assert uids == {source["uid"]}


def test_each_api_and_its_worker_share_one_metrics_folder():
    for name in OURS:
        args = container_command(name)
        if args[0] == "gunicorn" or (args[0] == "celery" and kind(args)[0] == "worker"):
            folder = environment(OURS[name])["PROMETHEUS_MULTIPROC_DIR"]
            assert mounts(name).get(folder) == f"{service_of(args)}-metrics", name


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
