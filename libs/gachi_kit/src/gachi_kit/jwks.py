"""The keys a service trusts, each for one purpose, and the key it signs its own calls with.

- People's (and API clients') tokens are signed by web with a key named by `kid` and
  published at web's /.well-known/jwks.json. Verifiers fetch that set (or read it from a
  file), cache it, and fetch it again when a token names a `kid` they do not know, so web
  can rotate its key with no downtime. Such a key can never vouch for `role=service`.
- Each service signs its service-to-service tokens with its own key (`kid`
  `service-<name>`); verifiers read its public half from the service keys folder. A service
  key vouches only for `role=service` with `sub=<that service>`.
- The developer key (JWT_PUBLIC_KEY, the pair `gachi token` uses) signs tokens without a
  `kid`, for any role: the embedded default and the tests.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization

from gachi_kit.config import Env, write_once

ANY_ROLE = "any"
PEOPLE = "people"
SERVICE_KID_PREFIX = "service-"


@dataclass(frozen=True)
class TrustedKey:
    key: Any  # a public key object
    purpose: str  # ANY_ROLE | PEOPLE | "service:<name>"

    def vouches_for(self, role: str, sub: str) -> bool:
        if self.purpose == ANY_ROLE:
            return True
        if self.purpose == PEOPLE:
            return role != "service"
        return role == "service" and self.purpose == f"service:{sub}"


class UnknownKey(Exception):
    pass


class KeySet:
    def __init__(
        self,
        *,
        developer_key_pem: str | None = None,
        jwks_url: str | None = None,
        jwks_file: Path | None = None,
        service_keys_dir: Path | None = None,
        refetch_cooldown_seconds: float = 30.0,
        cache_seconds: float = 300.0,
    ) -> None:
        self._developer = (
            TrustedKey(serialization.load_pem_public_key(developer_key_pem.encode()), ANY_ROLE)
            if developer_key_pem
            else None
        )
        self._client = (
            jwt.PyJWKClient(
                jwks_url,
                lifespan=cache_seconds,
                timeout=3,
                cooldown_duration=refetch_cooldown_seconds,
            )
            if jwks_url and not jwks_file
            else None
        )
        self._cache_seconds = cache_seconds
        self._people: dict[str, tuple[Any, float]] = {}  # kid -> (key, until): no lookup per call
        self._file = jwks_file
        self._file_keys: tuple[int, dict[str, Any]] = (-1, {})
        self._service_dir = service_keys_dir
        self._service_keys: dict[str, tuple[int, Any]] = {}
        self._lock = threading.Lock()

    @classmethod
    def load(cls, config: Mapping[str, Any] | None, developer_key_pem: str | None) -> KeySet:
        """JWKS_FILE or JWKS_URL (default: web's, WEB_URL), SERVICE_KEYS_DIR (default: the
        data folder's keys/), JWKS_REFETCH_COOLDOWN_SECONDS."""
        env = Env(config)
        web_url = env.str("WEB_URL", "http://127.0.0.1:8000").rstrip("/")
        jwks_file = env.optional("JWKS_FILE")
        return cls(
            developer_key_pem=developer_key_pem,
            jwks_url=env.str("JWKS_URL", f"{web_url}/.well-known/jwks.json"),
            jwks_file=Path(jwks_file) if jwks_file else None,
            service_keys_dir=_service_keys_dir(env),
            refetch_cooldown_seconds=env.float("JWKS_REFETCH_COOLDOWN_SECONDS", 30.0),
        )

    def resolve(self, kid: str | None) -> TrustedKey:
        if not kid:
            if self._developer is None:
                raise UnknownKey("a token without kid, and no developer key is trusted")
            return self._developer
        if kid.startswith(SERVICE_KID_PREFIX):
            return TrustedKey(self._service_key(kid), f"service:{kid[len(SERVICE_KID_PREFIX) :]}")
        return TrustedKey(self._people_key(kid), PEOPLE)

    def _people_key(self, kid: str):
        cached = self._people.get(kid)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        key = self._fetch_people_key(kid)
        self._people[kid] = (key, time.monotonic() + self._cache_seconds)
        return key

    def _fetch_people_key(self, kid: str):
        if self._file is not None:
            return self._from_file(kid)
        if self._client is None:
            raise UnknownKey("no JWKS configured")
        try:
            return self._client.get_signing_key(kid).key
        except jwt.PyJWKClientError as exc:
            raise UnknownKey(str(exc)) from exc

    def _from_file(self, kid: str):
        with self._lock:
            try:
                stamp = self._file.stat().st_mtime_ns
            except FileNotFoundError as exc:
                raise UnknownKey(f"{self._file} is missing") from exc
            if stamp != self._file_keys[0]:
                keys = jwt.PyJWKSet.from_json(self._file.read_text())
                self._file_keys = (stamp, {k.key_id: k.key for k in keys.keys})
            key = self._file_keys[1].get(kid)
        if key is None:
            raise UnknownKey(f"no key {kid!r} in {self._file}")
        return key

    def _service_key(self, kid: str):
        if self._service_dir is None:
            raise UnknownKey("no service keys folder")
        path = self._service_dir / f"{kid}.pub.pem"
        with self._lock:
            try:
                stamp = path.stat().st_mtime_ns
            except FileNotFoundError as exc:
                raise UnknownKey(f"no public key {path.name}") from exc
            cached = self._service_keys.get(kid)
            if cached is None or cached[0] != stamp:
                cached = (stamp, serialization.load_pem_public_key(path.read_bytes()))
                self._service_keys[kid] = cached
            return cached[1]


def _service_keys_dir(env: Env) -> Path:
    return Path(env.optional("SERVICE_KEYS_DIR") or env.data_dir() / "keys")


def service_signing_key(config: Mapping[str, Any] | None, service: str) -> str:
    """This service's own private key (PEM) for its service-to-service tokens:
    SERVICE_PRIVATE_KEY_FILE, else one made once in the keys folder (embedded default),
    whose public half is written beside it for the others to verify."""
    from gachi_kit.auth import generate_keypair, public_key_of

    env = Env(config)
    given = env.optional("SERVICE_PRIVATE_KEY_FILE")
    if given:
        return Path(given).read_text()
    folder = _service_keys_dir(env)
    kid = service_kid(service)
    write_once(folder / f"{kid}.pem", generate_keypair()[0], mode=0o600)
    private = (folder / f"{kid}.pem").read_text()
    write_once(folder / f"{kid}.pub.pem", public_key_of(private), mode=0o644)
    return private


def service_kid(service: str) -> str:
    return f"{SERVICE_KID_PREFIX}{service}"


def service_verifier(config: Mapping[str, Any] | None, service: str, developer_key_pem: str):
    """The verifier a service's API checks bearer tokens with (audience: the service)."""
    from gachi_kit.auth import TokenVerifier

    keys = KeySet.load(config, developer_key_pem)
    return TokenVerifier(developer_key_pem, audience=service, keys=keys)


def own_service_tokens(config: Mapping[str, Any] | None, service: str):
    """The tokens a service presents to the others, signed with its own key."""
    from gachi_kit.auth import ServiceTokens

    return ServiceTokens(service_signing_key(config, service), service, kid=service_kid(service))
