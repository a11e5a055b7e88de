"""TOTP second factor (pyotp) and single-use recovery codes."""

from __future__ import annotations

import hashlib
import secrets

import pyotp
from sqlalchemy import delete, select

from gachi_kit.events import utcnow
from web.identity import audit
from web.identity.models import Person, RecoveryCode
from web.identity.services import signin
from web.wiring import Web

RECOVERY_CODES = 10


def verify_code(w: Web, session, person: Person, code: str) -> str | None:
    """ "totp" or "recovery" when the code proves the person, else None. A TOTP code is
    accepted once (one 30-second step either side for clock drift); a recovery code once."""
    code = "".join(code.split()).upper()
    if person.totp_secret and code.isdigit() and len(code) == 6:
        if pyotp.TOTP(person.totp_secret).verify(code, valid_window=1) and _fresh_step(
            w, person.id, code
        ):
            return "totp"
        return None
    row = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.person_id == person.id,
            RecoveryCode.code_hash == recovery_hash(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is not None:
        row.used_at = utcnow()
        audit.record(session, "recovery_code_used", person_id=person.id)
        return "recovery"
    return None


def complete_sign_in(w: Web, person_id: str, code: str, address: str) -> bool:
    with w.db.transaction() as session:
        person = session.get(Person, person_id, with_for_update=True)
        if person is None or person.status != "active":
            return False
        method = verify_code(w, session, person, code)
        if method is None:
            audit.record(
                session, "signin_failed", person_id=person.id, address=address, step="code"
            )
            return False
        signin.complete(session, person, address, second_factor=method)
        return True


def enable(w: Web, person_id: str, secret: str, code: str) -> list[str] | None:
    """Turn TOTP on once the person shows a code from their app; returns the recovery codes
    (shown once; only their hashes are kept) or None when the code is wrong."""
    if not pyotp.TOTP(secret).verify("".join(code.split()), valid_window=1):
        return None
    codes = [secrets.token_hex(5).upper() for _ in range(RECOVERY_CODES)]
    with w.db.transaction() as session:
        person = session.get(Person, person_id, with_for_update=True)
        person.totp_secret = secret
        person.totp_enabled_at = utcnow()
        session.execute(delete(RecoveryCode).where(RecoveryCode.person_id == person_id))
        session.add_all(
            RecoveryCode(person_id=person_id, code_hash=recovery_hash(c)) for c in codes
        )
        audit.record(session, "totp_enabled", person_id=person_id, actor_id=person_id)
    return codes


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name="같이 gachi")


def recovery_hash(code: str) -> str:
    """Recovery codes are random (40 bits), so a plain SHA-256 is enough to keep them."""
    return hashlib.sha256("".join(code.split()).upper().encode()).hexdigest()


def _fresh_step(w: Web, person_id: str, code: str) -> bool:
    """A TOTP code replayed within its validity is refused (Redis remembers it briefly)."""
    return bool(w.redis.set(f"web:totp-used:{person_id}:{code}", 1, nx=True, ex=120))
