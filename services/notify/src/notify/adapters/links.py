"""Signed action-link tokens. The signature stops tampering and guessing; the expiry is
in the token and in the row; single use is the row's job (services/actions.py)."""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "gachi-notify-action-link"


class LinkInvalid(Exception):
    pass


class LinkExpired(Exception):
    pass


class LinkSigner:
    def __init__(self, secret: str, ttl_seconds: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=SALT)
        self.ttl_seconds = ttl_seconds

    def token(self, link_id: str) -> str:
        return self._serializer.dumps(link_id)

    def link_id(self, token: str) -> str:
        if not token or len(token) > 300:
            raise LinkInvalid
        try:
            value = self._serializer.loads(token, max_age=self.ttl_seconds)
        except SignatureExpired as exc:
            raise LinkExpired from exc
        except BadSignature as exc:
            raise LinkInvalid from exc
        if not isinstance(value, str):
            raise LinkInvalid
        return value
