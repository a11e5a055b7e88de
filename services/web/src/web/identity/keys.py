"""Web's signing keys: a folder of RSA private keys, one file per key, named by its `kid`.

Every key in the folder is published at /.well-known/jwks.json. The newest key signs new
tokens once it has been published for `activation_seconds` (longer than the verifiers'
refetch cooldown), so every API can already fetch it when the first token names it.
Rotation without downtime (`gachi keys --out … --rotate-web`): add a key, and delete the
old file when the tokens it signed have expired (15 minutes after the new key took over).
The folder is read again when its contents change: no restart.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from jwt.algorithms import RSAAlgorithm

from gachi_kit.auth import generate_keypair, parse_private_key
from gachi_kit.config import write_once


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_pem: str
    added_at: float  # the file's modification time


class KeyRing:
    def __init__(
        self, folder: Path, *, create_if_empty: bool, activation_seconds: float = 60.0
    ) -> None:
        self.folder = folder
        self._create = create_if_empty
        self._activation = activation_seconds
        self._lock = threading.Lock()
        self._seen: tuple = ()
        self._keys: list[SigningKey] = []

    def active(self) -> SigningKey:
        """The newest key published long enough; the oldest when none is (a first key)."""
        keys = self._load()
        ripe = [k for k in keys if time.time() - k.added_at >= self._activation]
        return ripe[-1] if ripe else keys[0]

    def jwks(self) -> dict:
        published = []
        for key in self._load():
            jwk = RSAAlgorithm.to_jwk(parse_private_key(key.private_pem).public_key(), as_dict=True)
            published.append({**jwk, "kid": key.kid, "use": "sig", "alg": "RS256"})
        return {"keys": published}

    def _load(self) -> list[SigningKey]:
        with self._lock:
            files = sorted(self.folder.glob("*.pem")) if self.folder.is_dir() else []
            if not files and self._create:
                new_key_file(self.folder)
                files = sorted(self.folder.glob("*.pem"))
            if not files:
                raise RuntimeError(f"no signing key in {self.folder}")
            seen = tuple((f.name, f.stat().st_mtime_ns) for f in files)
            if seen != self._seen:
                self._keys = [SigningKey(f.stem, f.read_text(), f.stat().st_mtime) for f in files]
                self._seen = seen
            return self._keys


def new_key_file(folder: Path, now: datetime | None = None) -> Path:
    """Create a key whose name sorts after every earlier one (its creation time, to the
    microsecond) and is never an earlier key's: two rotations in one second once gave both
    keys one `kid`, so tokens of the new key were checked against the old one."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"web-{stamp}-{secrets.token_hex(3)}.pem"
    write_once(path, generate_keypair()[0], mode=0o600)
    return path
