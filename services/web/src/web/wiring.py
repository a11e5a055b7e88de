"""What a use case needs from the running app, in one object."""

from __future__ import annotations

from dataclasses import dataclass

import redis
from argon2 import PasswordHasher
from flask import current_app
from itsdangerous import URLSafeTimedSerializer

from gachi_kit.auth import ServiceTokens
from gachi_kit.db import Database
from gachi_kit.outbox import Outbox
from web.config import SERVICE, Settings
from web.identity.keys import KeyRing


@dataclass(frozen=True)
class Web:
    settings: Settings
    db: Database
    outbox: Outbox
    keys: KeyRing  # signs people's access tokens, published as JWKS
    service_tokens: ServiceTokens  # web's own service-to-service tokens
    passwords: PasswordHasher  # Argon2id
    links: URLSafeTimedSerializer  # signs the ids of one-time e-mail links
    redis: redis.Redis


def web() -> Web:
    return current_app.extensions[SERVICE]
