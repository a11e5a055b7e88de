"""JWT verification, issuing, dev key files and service-to-service tokens (no network)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import stat
import threading
import time
from datetime import timedelta
from types import SimpleNamespace

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from gachi_kit import auth
from gachi_kit.auth import (
    ALGORITHM,
    ISSUER,
    Principal,
    ServiceTokens,
    TokenVerifier,
    generate_keypair,
    issue_token,
    load_or_create_keypair,
)
from gachi_kit.errors import Problem


@pytest.fixture(scope="module")
def other_keys():
    """A second, unrelated RSA pair: tokens it signs must never verify."""
    return generate_keypair()


@pytest.fixture
def verifier(jwt_keys):
    return TokenVerifier(jwt_keys[1], audience="orders")


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _hand_made(header: dict, claims: dict, sign) -> str:
    """Build a compact JWS without PyJWT, which refuses to create the forged ones."""
    signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
    return f"{signing_input}.{_b64url(sign(signing_input.encode()))}"


def _claims(**overrides) -> dict:
    claims = {
        "sub": "buyer-kim",
        "role": "buyer",
        "org": "inst-gwangmyeong",
        "iss": ISSUER,
        "aud": "orders",
        "exp": int(time.time()) + 3600,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _rs256(private_pem: str, claims: dict) -> str:
    return jwt.encode(claims, private_pem, algorithm="RS256")


def _assert_unauthenticated(verifier: TokenVerifier, token: str, code: str) -> Problem:
    with pytest.raises(Problem) as info:
        verifier.verify(token)
    problem = info.value
    assert problem.status == 401
    assert problem.code == code
    assert problem.headers.get("WWW-Authenticate", "").startswith("Bearer")
    return problem


# --- the happy path ---------------------------------------------------------------------


def test_valid_token_gives_the_principal(jwt_keys, verifier):
    token = issue_token(
        jwt_keys[0],
        sub="buyer-kim",
        role="buyer",
        org="inst-gwangmyeong",
        dept="회계과",
        audience="orders",
    )

    principal = verifier.verify(token)

    assert principal == Principal(
        sub="buyer-kim", role="buyer", org="inst-gwangmyeong", dept="회계과"
    )
    assert principal.is_("buyer", "institution_admin")
    assert not principal.is_("admin")


def test_token_without_org_or_dept_gives_none(jwt_keys, verifier):
    token = issue_token(jwt_keys[0], sub="admin-lee", role="admin", audience="orders")

    assert verifier.verify(token) == Principal(sub="admin-lee", role="admin")


def test_audience_list_containing_the_service_passes(jwt_keys, verifier):
    token = issue_token(
        jwt_keys[0],
        sub="ent-op",
        role="enterprise",
        org="ent-tofu",
        audience=["catalog", "orders", "notify"],
    )

    assert verifier.verify(token).org == "ent-tofu"


def test_issued_token_pins_rs256_and_carries_the_required_claims(jwt_keys):
    token = issue_token(
        jwt_keys[0], sub="u1", role="committee", audience="catalog", ttl=timedelta(minutes=30)
    )

    assert jwt.get_unverified_header(token)["alg"] == ALGORITHM == "RS256"
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] == ISSUER
    assert claims["aud"] == "catalog"
    assert claims["exp"] - claims["iat"] == 30 * 60
    assert "org" not in claims and "dept" not in claims


def test_issue_token_refuses_an_unknown_role(jwt_keys):
    with pytest.raises(ValueError, match="superuser"):
        issue_token(jwt_keys[0], sub="x", role="superuser", audience="orders")


# --- refusals ----------------------------------------------------------------------------


def test_expired_token(jwt_keys, verifier):
    token = issue_token(
        jwt_keys[0], sub="buyer-kim", role="buyer", audience="orders", ttl=timedelta(minutes=-1)
    )

    _assert_unauthenticated(verifier, token, "token_expired")


def test_token_for_another_service(jwt_keys, verifier):
    token = issue_token(jwt_keys[0], sub="buyer-kim", role="buyer", audience="catalog")

    _assert_unauthenticated(verifier, token, "token_wrong_audience")


def _wrong_issuer(private, public, other_private):
    return _rs256(private, _claims(iss="evil-portal"))


def _missing_exp(private, public, other_private):
    return _rs256(private, _claims(exp=None))


def _missing_sub(private, public, other_private):
    return _rs256(private, _claims(sub=None))


def _missing_aud(private, public, other_private):
    return _rs256(private, _claims(aud=None))


def _alg_none(private, public, other_private):
    return _hand_made({"alg": "none", "typ": "JWT"}, _claims(role="admin"), lambda _: b"")


def _hs256_with_public_key_as_secret(private, public, other_private):
    """The classic RS/HS confusion: HMAC keyed with the verifier's own public PEM."""
    return _hand_made(
        {"alg": "HS256", "typ": "JWT"},
        _claims(role="admin"),
        lambda data: hmac.new(public.encode(), data, hashlib.sha256).digest(),
    )


def _signed_by_another_key(private, public, other_private):
    return _rs256(other_private, _claims(role="admin"))


def _unknown_role(private, public, other_private):
    return _rs256(private, _claims(role="superuser"))


def _payload_swapped_for_admin(private, public, other_private):
    header, _, signature = _rs256(private, _claims()).split(".")
    forged = _b64url(json.dumps(_claims(role="admin")).encode())
    return f"{header}.{forged}.{signature}"


def _not_a_jwt(private, public, other_private):
    return "not-a-jwt"


@pytest.mark.parametrize(
    "make",
    [
        _wrong_issuer,
        _missing_exp,
        _missing_sub,
        _missing_aud,
        _alg_none,
        _hs256_with_public_key_as_secret,
        _signed_by_another_key,
        _unknown_role,
        _payload_swapped_for_admin,
        _not_a_jwt,
    ],
    ids=lambda f: f.__name__.strip("_"),
)
def test_invalid_tokens_are_refused(jwt_keys, other_keys, verifier, make):
    token = make(jwt_keys[0], jwt_keys[1], other_keys[0])

    _assert_unauthenticated(verifier, token, "token_invalid")


# --- key files ---------------------------------------------------------------------------


def _pair_matches(private_pem: str, public_pem: str) -> bool:
    private = serialization.load_pem_private_key(private_pem.encode(), password=None)
    derived = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return derived.decode() == public_pem


def test_generate_keypair_gives_a_matching_pem_pair():
    private, public = generate_keypair()

    assert private.startswith("-----BEGIN PRIVATE KEY-----")
    assert public.startswith("-----BEGIN PUBLIC KEY-----")
    assert _pair_matches(private, public)
    assert generate_keypair()[1] != public


def test_load_or_create_writes_the_pair_once_with_a_private_key_only_the_owner_reads(tmp_path):
    folder = tmp_path / "keys"

    private, public = load_or_create_keypair(folder)

    private_path, public_path = folder / "jwt-private.pem", folder / "jwt-public.pem"
    assert private_path.read_text() == private
    assert public_path.read_text() == public
    assert stat.S_IMODE(private_path.stat().st_mode) == 0o600
    assert _pair_matches(private, public)
    assert sorted(p.name for p in folder.iterdir()) == ["jwt-private.pem", "jwt-public.pem"]
    token = issue_token(private, sub="s", role="service", audience="orders")
    assert TokenVerifier(public, "orders").verify(token).role == "service"


def test_load_or_create_returns_the_same_pair_the_second_time(tmp_path):
    first = load_or_create_keypair(tmp_path)
    mtimes = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}

    second = load_or_create_keypair(tmp_path)

    assert second == first
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == mtimes


def test_threads_racing_on_an_empty_folder_all_end_with_the_same_pair(tmp_path):
    folder = tmp_path / "keys"
    starters = 8
    barrier = threading.Barrier(starters)
    results: list[tuple[str, str]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def start():
        barrier.wait()
        try:
            pair = load_or_create_keypair(folder)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        else:
            with lock:
                results.append(pair)

    threads = [threading.Thread(target=start) for _ in range(starters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(results) == starters
    assert len(set(results)) == 1
    private, public = results[0]
    assert _pair_matches(private, public)
    assert (folder / "jwt-public.pem").read_text() == public
    assert sorted(p.name for p in folder.iterdir()) == ["jwt-private.pem", "jwt-public.pem"]


def test_a_private_key_left_without_its_public_key_is_recovered(tmp_path):
    """A starter killed between writing the two files, or a deleted public key."""
    private, _ = generate_keypair()
    (tmp_path / "jwt-private.pem").write_text(private)

    got_private, got_public = load_or_create_keypair(tmp_path)

    assert got_private == private
    assert _pair_matches(got_private, got_public)
    assert (tmp_path / "jwt-public.pem").read_text() == got_public


def test_a_deleted_public_key_is_recreated_from_the_same_private_key(tmp_path):
    first = load_or_create_keypair(tmp_path)
    (tmp_path / "jwt-public.pem").unlink()

    assert load_or_create_keypair(tmp_path) == first


# --- service-to-service tokens -----------------------------------------------------------


def test_service_token_verifies_for_its_audience_as_role_service(jwt_keys):
    tokens = ServiceTokens(jwt_keys[0], "orders")

    token = tokens.for_audience("catalog")

    assert TokenVerifier(jwt_keys[1], "catalog").verify(token) == Principal(
        sub="orders", role="service"
    )
    _assert_unauthenticated(TokenVerifier(jwt_keys[1], "notify"), token, "token_wrong_audience")


def test_service_tokens_are_cached_per_audience(jwt_keys):
    tokens = ServiceTokens(jwt_keys[0], "orders")

    catalog, notify = tokens.for_audience("catalog"), tokens.for_audience("notify")

    assert tokens.for_audience("catalog") is catalog
    assert tokens.for_audience("notify") is notify
    assert catalog != notify
    assert TokenVerifier(jwt_keys[1], "notify").verify(notify).role == "service"


def test_service_token_is_short_lived_and_renewed_after_half_its_lifetime(jwt_keys, monkeypatch):
    clock = SimpleNamespace(now=1000.0)
    monkeypatch.setattr(auth, "time", SimpleNamespace(monotonic=lambda: clock.now))
    issued: list[str] = []
    real_issue = auth.issue_token

    def counting_issue(*args, **kwargs):
        issued.append(kwargs["audience"])
        return real_issue(*args, **kwargs)

    monkeypatch.setattr(auth, "issue_token", counting_issue)
    tokens = ServiceTokens(jwt_keys[0], "orders", ttl=timedelta(minutes=5))

    token = tokens.for_audience("catalog")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 300

    clock.now += 149
    assert tokens.for_audience("catalog") is token
    assert issued == ["catalog"]

    clock.now += 1  # half of the five minutes has passed
    tokens.for_audience("catalog")
    assert issued == ["catalog", "catalog"]
