"""Bearer JWT verification (RS256 pinned) and the principal a handler checks objects against.

The algorithm comes from our settings, never from the token's header; `exp`, `iss` and
`aud` are required and checked. Issuing lives here too because the `gachi token` command
and service-to-service calls need it; in production only the portal and the services hold
the private key.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import current_app, g, request

from gachi_kit.config import write_once
from gachi_kit.errors import Problem
from gachi_kit.events import utcnow
from gachi_kit.jwks import KeySet, UnknownKey

ALGORITHM = "RS256"
ISSUER = "gachi"
ROLES = frozenset({"buyer", "institution_admin", "enterprise", "committee", "admin", "service"})
# What a person reads where a role is named (a 403's detail); the code stays English.
ROLE_LABELS = {
    "buyer": "구매담당자",
    "institution_admin": "기관 관리자",
    "enterprise": "기업 담당자",
    "committee": "위원",
    "admin": "관리자",
    "service": "서비스",
}


@dataclass(frozen=True, slots=True)
class Principal:
    sub: str
    role: str
    org: str | None = None
    dept: str | None = None

    def is_(self, *roles: str) -> bool:
        return self.role in roles


class TokenVerifier:
    """Checks a bearer token against the keys this service trusts (`gachi_kit.jwks`): the
    key its `kid` names must vouch for its role, so a service key cannot sign for a person
    and web's key cannot sign for a service. Without a key set, only the developer key."""

    def __init__(
        self,
        public_key_pem: str,
        audience: str,
        issuer: str = ISSUER,
        keys: KeySet | None = None,
    ) -> None:
        # Parsed once: given PEM text, PyJWT would parse it again for every request.
        self._keys = keys or KeySet(developer_key_pem=public_key_pem)
        self._audience = audience
        self._issuer = issuer

    def verify(self, token: str) -> Principal:
        try:
            trusted = self._keys.resolve(jwt.get_unverified_header(token).get("kid"))
            claims = jwt.decode(
                token,
                trusted.key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except UnknownKey as exc:
            raise _unauthenticated("token_invalid", "토큰의 서명 키를 알 수 없습니다.") from exc
        except jwt.ExpiredSignatureError as exc:
            raise _unauthenticated("token_expired", "토큰이 만료되었습니다.") from exc
        except jwt.InvalidAudienceError as exc:
            raise _unauthenticated("token_wrong_audience", "이 서비스용 토큰이 아닙니다.") from exc
        except jwt.PyJWTError as exc:
            raise _unauthenticated("token_invalid", "토큰이 올바르지 않습니다.") from exc
        role = claims.get("role")
        if role not in ROLES:
            raise _unauthenticated("token_invalid", "토큰의 역할(role)이 올바르지 않습니다.")
        if not trusted.vouches_for(role, str(claims["sub"])):
            raise _unauthenticated(
                "token_wrong_key", "이 키로 서명된 토큰은 이 역할로 쓸 수 없습니다."
            )
        return Principal(
            sub=str(claims["sub"]), role=role, org=claims.get("org"), dept=claims.get("dept")
        )


def issue_token(
    private_key_pem: str,
    *,
    sub: str,
    role: str,
    audience: str | list[str],
    org: str | None = None,
    dept: str | None = None,
    ttl: timedelta = timedelta(hours=12),
    kid: str | None = None,
    extra: dict | None = None,
) -> str:
    """Sign a token; `kid` names the key in the issuer's key set, `extra` adds claims
    (the membership id, an API client's id)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    now = utcnow()
    claims = {
        "sub": sub,
        "role": role,
        "iss": ISSUER,
        "aud": audience,
        "iat": now,
        "exp": now + ttl,
    }
    if org:
        claims["org"] = org
    if dept:
        claims["dept"] = dept
    claims.update(extra or {})
    headers = {"kid": kid} if kid else None
    return jwt.encode(
        claims, parse_private_key(private_key_pem), algorithm=ALGORITHM, headers=headers
    )


@functools.lru_cache(maxsize=8)
def parse_private_key(private_pem: str):
    """The parsed key (loading and checking an RSA key costs tens of milliseconds)."""
    return serialization.load_pem_private_key(private_pem.encode(), password=None)


def _unauthenticated(code: str, detail: str) -> Problem:
    return Problem(
        401, code, "인증이 필요합니다", detail, headers={"WWW-Authenticate": 'Bearer realm="gachi"'}
    )


def current_principal() -> Principal:
    """Verify the request's bearer token (once per request) and return who is calling."""
    if "principal" in g:
        return g.principal
    token = bearer_token()
    if token is None:
        raise _unauthenticated("token_missing", "Authorization: Bearer 토큰이 필요합니다.")
    verifier: TokenVerifier = current_app.extensions["gachi_verifier"]
    g.principal = verifier.verify(token)
    return g.principal


def bearer_token() -> str | None:
    """The request's bearer token as sent, unverified; None when it sends none."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def require_roles(*roles: str):
    """Deny by default: only the listed roles reach the view."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            principal = current_principal()
            if principal.role not in roles:
                raise Problem(
                    403,
                    "forbidden_role",
                    "권한이 없습니다",
                    f"이 작업은 {', '.join(ROLE_LABELS[r] for r in roles)} 역할만 할 수 있습니다.",
                )
            return view(*args, **kwargs)

        return wrapper

    return decorator


# --- key files for the embedded default and tests ---------------------------------------


def generate_keypair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return private_pem, _public_pem(key)


def load_or_create_keypair(folder: Path) -> tuple[str, str]:
    """Read the dev key pair, creating it once; concurrent starters all end on the same pair.

    The private key is created first and linked into place atomically (the loser of a race
    uses the winner's); the public key is always derived from it, so it can be recreated.
    """
    folder.mkdir(parents=True, exist_ok=True)
    private_path, public_path = folder / "jwt-private.pem", folder / "jwt-public.pem"
    if not private_path.exists():
        write_once(private_path, generate_keypair()[0], mode=0o600)
    private_pem = private_path.read_text()
    public_pem = public_key_of(private_pem)
    if not public_path.exists():
        write_once(public_path, public_pem, mode=0o644)
    return private_pem, public_pem


def public_key_of(private_pem: str) -> str:
    return _public_pem(parse_private_key(private_pem))


def _public_pem(key) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


class ServiceTokens:
    """Short-lived tokens a service presents to another (`role=service`, `aud=<callee>`)."""

    def __init__(
        self,
        private_key_pem: str,
        service: str,
        ttl: timedelta = timedelta(minutes=5),
        kid: str | None = None,
    ):
        self._key = private_key_pem
        self._service = service
        self._ttl = ttl
        self._kid = kid
        self._cache: dict[str, tuple[str, float]] = {}

    def for_audience(self, audience: str) -> str:
        token, renew_at = self._cache.get(audience, ("", 0.0))
        if time.monotonic() >= renew_at:
            token = issue_token(
                self._key,
                sub=self._service,
                role="service",
                audience=audience,
                ttl=self._ttl,
                kid=self._kid,
            )
            self._cache[audience] = (token, time.monotonic() + self._ttl.total_seconds() / 2)
        return token
