"""Use cases: API clients (machines using OAuth 2.0 client credentials). An organisation's
admin creates one for its organisation and a role, sees the secret once, and may revoke it;
only a hash of the secret is kept."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select

from gachi_kit.events import utcnow
from web.identity import audit
from web.identity.models import ApiClient
from web.identity.services.errors import Refused
from web.wiring import Web

# Which roles a client may carry, by the role of the person creating it.
CLIENT_ROLES = {
    "admin": ("institution_admin", "buyer", "enterprise"),
    "institution_admin": ("institution_admin", "buyer"),
    "enterprise": ("enterprise",),
}


def create(
    w: Web, *, actor_id: str, actor_role: str, org_id: str, role: str, name: str
) -> tuple[ApiClient, str]:
    if role not in CLIENT_ROLES.get(actor_role, ()):
        raise Refused(
            "client_role_not_allowed", "이 역할의 클라이언트는 만들 수 없습니다.", field="role"
        )
    secret = secrets.token_urlsafe(32)
    with w.db.transaction() as session:
        client = ApiClient(
            client_id="gachi_" + secrets.token_hex(12),
            secret_hash=secret_hash(secret),
            name=name.strip(),
            org_id=org_id,
            role=role,
            created_by=actor_id,
        )
        session.add(client)
        session.flush()
        audit.record(
            session,
            "api_client_created",
            actor_id=actor_id,
            client_id=client.client_id,
            org_id=org_id,
            role=role,
        )
    return client, secret


def revoke(w: Web, *, actor_id: str, org_id: str | None, client_id: str) -> None:
    """An organisation's admin revokes its own clients; a platform admin (org None) any."""
    with w.db.transaction() as session:
        client = session.scalar(select(ApiClient).where(ApiClient.client_id == client_id))
        if client is None or (org_id is not None and client.org_id != org_id):
            raise Refused("client_not_found", "클라이언트를 찾을 수 없습니다.")
        if client.revoked_at is None:
            client.revoked_at = utcnow()
            audit.record(session, "api_client_revoked", actor_id=actor_id, client_id=client_id)


def of_organisation(w: Web, org_id: str | None) -> list[ApiClient]:
    with w.db.reading() as session:
        query = select(ApiClient).order_by(ApiClient.created_at.desc())
        if org_id is not None:
            query = query.where(ApiClient.org_id == org_id)
        return list(session.scalars(query))


def active(w: Web, client_id: str) -> ApiClient | None:
    with w.db.reading() as session:
        return session.scalar(
            select(ApiClient).where(
                ApiClient.client_id == client_id, ApiClient.revoked_at.is_(None)
            )
        )


def secret_hash(secret: str) -> str:
    """Secrets are 256 random bits: a SHA-256 keeps them safe and checks fast."""
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(client: ApiClient, secret: str) -> bool:
    return hmac.compare_digest(client.secret_hash, secret_hash(secret or ""))
