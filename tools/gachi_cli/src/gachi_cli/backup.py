"""`gachi backup` / `gachi restore` for the embedded default (docs/operations.md).

A backup is a folder: one SQLite file per service, copied with SQLite's online backup API
(a consistent snapshot while the services keep writing), the embedded Redis's append-only
file (the queued Celery tasks), the keys folder, and `manifest.json` with the row count of
every table (what restore checks). PostgreSQL databases are backed up with pg_dump instead;
`gachi backup` says so rather than copying nothing.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import click
from sqlalchemy.engine import make_url

from gachi_kit.config import Env

SERVICES = ("web", "catalog", "orders", "notify")
MANIFEST = "manifest.json"


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return Path(parsed.database)


def table_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {n: connection.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def backup(env: Env, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=False)
    manifest: dict = {"created_at": datetime.now(UTC).isoformat(), "databases": {}}
    for service in SERVICES:
        source = sqlite_path(env.database_url(service))
        if source is None:
            raise click.ClickException(
                f"{service}: not SQLite; back PostgreSQL up with pg_dump (docs/operations.md)"
            )
        if not source.exists():
            continue
        target = out / f"{service}.db"
        with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
            live.backup(copy)  # online: pages copied under SQLite's own locking
        copy.close()
        manifest["databases"][service] = table_counts(target)
    data = env.data_dir()
    redis = data / "redis"
    aof = sorted(p.name for p in redis.glob("appendonly*")) if redis.is_dir() else []
    for name in aof:  # Redis appends only; a torn last command is fixed by redis-check-aof
        copy_any(redis / name, out / "redis" / name)
    manifest["redis"] = aof
    if (data / "keys").is_dir():
        shutil.copytree(data / "keys", out / "keys")
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    return manifest


def restore(backup_dir: Path, data: Path) -> dict:
    """Into a fresh data folder only: never over a platform's live files."""
    manifest = json.loads((backup_dir / MANIFEST).read_text())
    if data.exists() and any(data.iterdir()):
        raise click.ClickException(f"{data} is not empty; restore into a new folder")
    data.mkdir(parents=True, exist_ok=True)
    for service, counts in manifest["databases"].items():
        target = data / f"{service}.db"
        with sqlite3.connect(backup_dir / f"{service}.db") as saved, sqlite3.connect(target) as new:
            saved.backup(new)
        new.close()
        restored = table_counts(target)
        if restored != counts:
            raise click.ClickException(f"{service}: restored rows differ from the manifest")
    for name in manifest.get("redis", []):
        copy_any(backup_dir / "redis" / name, data / "redis" / name)
    if (backup_dir / "keys").is_dir():
        shutil.copytree(backup_dir / "keys", data / "keys")
    return manifest


def copy_any(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():  # Redis 7 keeps its AOF as a folder of files
        shutil.copytree(source, target)
    else:
        shutil.copy2(source, target)


@click.command("backup")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="a new folder")
def backup_command(out: Path | None) -> None:
    """Copy every service's SQLite database, the Redis AOF and the keys to a new folder."""
    env = Env()
    out = out or env.data_dir() / "backups" / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    manifest = backup(env, out)
    for service, counts in manifest["databases"].items():
        click.echo(f"{service}: {sum(counts.values())} rows in {len(counts)} tables")
    click.echo(f"backup written to {out}")


@click.command("restore")
@click.argument("backup_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--data",
    type=click.Path(path_type=Path),
    default=None,
    help="a new data folder (default: GACHI_DATA_DIR, which must be empty)",
)
def restore_command(backup_dir: Path, data: Path | None) -> None:
    """Put a backup into a fresh data folder; `GACHI_DATA_DIR=<it> gachi up` runs it."""
    target = data or Env().data_dir()
    manifest = restore(backup_dir, target)
    click.echo(f"restored {', '.join(manifest['databases'])} into {target}")
