"""How docker-compose.yml wires the containers: environment variables the code reads, URLs,
mounted keys and data, dependencies, and Prometheus, Grafana and the metrics folders."""

from __future__ import annotations

import importlib
import json
import re
import tempfile
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import pytest
import yaml

from gachi_cli.cli import SERVICES as CLI_SERVICES
from gachi_kit.config import Env
from tests.support.compose_files import (
    OURS,
    PROCFILE,
    ROOT,
    SERVICES,
    argv,
    bind_port,
    container_command,
    dockerfile,
    dockerfile_path,
    environment,
    interpolate,
    kind,
    option,
    service_of,
)

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
SOURCE = "\n".join(
    path.read_text()
    for top in ("libs", "services", "tools")
    for path in sorted((ROOT / top).rglob("*.py"))
    if ".egg-info" not in str(path)
)


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
