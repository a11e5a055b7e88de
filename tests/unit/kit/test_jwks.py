"""Which key may sign which token: the key set every API verifies with."""

from __future__ import annotations

import json
from datetime import timedelta

import jwt
import pytest
from jwt.algorithms import RSAAlgorithm

from gachi_kit.auth import TokenVerifier, generate_keypair, issue_token, parse_private_key
from gachi_kit.errors import Problem
from gachi_kit.jwks import KeySet, service_kid, service_signing_key


@pytest.fixture(scope="module")
def keys():
    return {name: generate_keypair() for name in ("dev", "web", "orders")}


@pytest.fixture
def verifier(keys, tmp_path):
    jwk = RSAAlgorithm.to_jwk(parse_private_key(keys["web"][0]).public_key(), as_dict=True)
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [{**jwk, "kid": "web-1", "alg": "RS256"}]}))
    (tmp_path / "service-orders.pub.pem").write_text(keys["orders"][1])
    key_set = KeySet(developer_key_pem=keys["dev"][1], jwks_file=jwks, service_keys_dir=tmp_path)
    return TokenVerifier(keys["dev"][1], audience="catalog", keys=key_set)


def token(private, kid, role, sub="someone", ttl=timedelta(minutes=5), aud="catalog"):
    return issue_token(private, sub=sub, role=role, audience=aud, kid=kid, ttl=ttl, org="ORG")


def refused(verifier, raw) -> str:
    with pytest.raises(Problem) as caught:
        verifier.verify(raw)
    assert caught.value.status == 401
    return caught.value.code


def test_web_key_signs_people_only(verifier, keys):
    assert verifier.verify(token(keys["web"][0], "web-1", "buyer")).role == "buyer"
    assert refused(verifier, token(keys["web"][0], "web-1", "service")) == "token_wrong_key"


def test_a_service_key_signs_only_its_own_service_tokens(verifier, keys):
    own = token(keys["orders"][0], service_kid("orders"), "service", sub="orders")
    assert verifier.verify(own).sub == "orders"
    as_user = token(keys["orders"][0], service_kid("orders"), "admin", sub="orders")
    assert refused(verifier, as_user) == "token_wrong_key"
    as_other = token(keys["orders"][0], service_kid("orders"), "service", sub="notify")
    assert refused(verifier, as_other) == "token_wrong_key"


def test_a_token_naming_another_key_than_its_signer_is_refused(verifier, keys):
    forged = token(keys["orders"][0], "web-1", "admin")  # claims web's kid
    assert refused(verifier, forged) == "token_invalid"
    unknown = token(keys["web"][0], "web-unknown", "buyer")
    assert refused(verifier, unknown) == "token_invalid"


def test_the_developer_key_signs_any_role_without_kid(verifier, keys):
    assert verifier.verify(token(keys["dev"][0], None, "service", sub="orders")).role == "service"


def test_tampered_and_expired_tokens(verifier, keys):
    good = token(keys["web"][0], "web-1", "buyer")
    header, _payload, signature = good.split(".")
    claims = jwt.decode(good, options={"verify_signature": False})
    claims["role"] = "admin"
    forged_payload = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
    assert refused(verifier, f"{header}.{forged_payload}.{signature}") == "token_invalid"
    expired = token(keys["web"][0], "web-1", "buyer", ttl=timedelta(seconds=-1))
    assert refused(verifier, expired) == "token_expired"
    assert refused(verifier, "not.a.token") == "token_invalid"


def test_without_a_developer_key_kidless_tokens_are_refused(keys, tmp_path):
    verifier = TokenVerifier("", audience="catalog", keys=KeySet(service_keys_dir=tmp_path))
    assert refused(verifier, token(keys["dev"][0], None, "admin")) == "token_invalid"


def test_each_service_makes_its_own_key_once(tmp_path):
    config = {"SERVICE_KEYS_DIR": str(tmp_path)}
    first = service_signing_key(config, "orders")
    assert service_signing_key(config, "orders") == first
    assert service_signing_key(config, "notify") != first
    assert (tmp_path / "service-orders.pub.pem").exists()
    assert oct((tmp_path / "service-orders.pem").stat().st_mode & 0o777) == "0o600"


def test_production_never_makes_up_a_service_key(tmp_path):
    config = {"SERVICE_KEYS_DIR": str(tmp_path), "GACHI_ENV": "production"}
    with pytest.raises(RuntimeError, match="SERVICE_PRIVATE_KEY_FILE"):
        service_signing_key(config, "orders")
    assert not list(tmp_path.iterdir())
