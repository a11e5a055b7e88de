"""Reading settings once, from explicit overrides (tests) or the environment, with defaults
that work on a fresh machine (the embedded default)."""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections import ChainMap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gachi_kit.timeouts import CONFIRM_AFTER_SECONDS


class MissingSecret(RuntimeError):
    """A production process started without a secret it must be given (never made up)."""


class Env:
    def __init__(self, overrides: Mapping[str, Any] | None = None) -> None:
        self._source = ChainMap(dict(overrides or {}), os.environ)

    def str(self, name: str, default: str = "") -> str:
        value = self._source.get(name)
        return default if value is None or value == "" else str(value)

    def optional(self, name: str) -> str | None:
        value = self._source.get(name)
        return None if value is None or value == "" else str(value)

    def int(self, name: str, default: int) -> int:
        return int(self.str(name, str(default)))

    def float(self, name: str, default: float) -> float:
        return float(self.str(name, str(default)))

    def bool(self, name: str, default: bool) -> bool:
        value = self.str(name, "1" if default else "0").strip().lower()
        if value in {"1", "true", "yes", "on"}:
            return True
        if value in {"0", "false", "no", "off"}:
            return False
        raise ValueError(f"{name}={value!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")

    def data_dir(self) -> Path:
        """The embedded default's folder: SQLite files, Redis AOF, keys, mail and logs."""
        path = Path(self.str("GACHI_DATA_DIR", str(Path.cwd() / "data"))).resolve()
        path.mkdir(parents=True, exist_ok=True)
        return path

    def database_url(self, service: str) -> str:
        """`<SERVICE>_DATABASE_URL`, else a SQLite file per service in the data folder."""
        url = self.optional(f"{service.upper()}_DATABASE_URL")
        return url or f"sqlite:///{self.data_dir() / (service + '.db')}"

    def redis_url(self) -> str:
        return self.str("REDIS_URL", DEFAULT_REDIS_URL)

    def broker_url(self) -> str:
        """Celery's broker: `CELERY_BROKER_URL` (e.g. `amqp://` for RabbitMQ), else Redis.
        Sessions, rate limits and every other Redis use keep `REDIS_URL` either way."""
        return self.str("CELERY_BROKER_URL", self.redis_url())

    def outbox_confirm_seconds(self) -> float:
        """How long after sending an event its consumers are asked whether they received it
        (gachi_kit.receipts); the fault tests shorten it."""
        return self.float("OUTBOX_CONFIRM_AFTER_SECONDS", CONFIRM_AFTER_SECONDS)

    def production(self) -> bool:
        """`GACHI_ENV=production` (docker-compose sets it): secrets must be given, never made."""
        return self.str("GACHI_ENV", "development").strip().lower() == "production"

    def secret(self, name: str, *, required_in_production: bool = True) -> str | None:
        """`NAME`, else the contents of the file `NAME_FILE` names, else None: the caller
        then makes the embedded default's development secret. In production a missing one
        stops the process at start (`MissingSecret`, naming the variable) instead."""
        value = self.optional(name)
        if value is None and self.optional(f"{name}_FILE"):
            value = Path(self.str(f"{name}_FILE")).read_text()
        if value is None and required_in_production and self.production():
            message = (
                f"{name} (or {name}_FILE) is not set, and GACHI_ENV=production never makes "
                f"up a development secret: set {name} and start again."
            )
            logging.getLogger(__name__).critical(message)  # before any log set-up: stderr
            raise MissingSecret(message)
        return value

    def jwt_keys(self, *, private_needed: bool = False) -> tuple[str | None, str]:
        """(private key or None, public key) as PEM: "JWT_PUBLIC_KEY" / "JWT_PUBLIC_KEY_FILE"
        and "JWT_PRIVATE_KEY" / "JWT_PRIVATE_KEY_FILE", else the dev pair in the data folder.
        In production the public key, and the private key where `private_needed` (a service
        that signs calls to another), must be set: a missing one raises `MissingSecret`."""
        from gachi_kit.auth import load_or_create_keypair

        public = self.secret("JWT_PUBLIC_KEY")
        private = self.secret("JWT_PRIVATE_KEY", required_in_production=private_needed)
        if public is None:
            private, public = load_or_create_keypair(self.data_dir() / "keys")
        return private, public


# The embedded Redis listens here (not 6379, so a system Redis is never mistaken for it).
DEFAULT_REDIS_URL = "redis://127.0.0.1:6380/0"


def write_once(path: Path, content: str, *, mode: int) -> None:
    """Create `path` with `content` unless it exists; never a half-written file, and when
    several processes race, all of them end up reading the winner's file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return
    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        staged = Path(tmp) / path.name
        staged.write_text(content)
        os.chmod(staged, mode)
        with contextlib.suppress(FileExistsError):  # another starter won; keep its file
            os.link(staged, path)


def dev_secret(data_dir: Path, name: str) -> str:
    """A secret of the embedded default, made once in the data folder's keys/ and shared by
    every process of a service (production passes its own through the environment)."""
    import secrets

    path = data_dir / "keys" / name
    write_once(path, secrets.token_urlsafe(48), mode=0o600)
    return path.read_text().strip()
