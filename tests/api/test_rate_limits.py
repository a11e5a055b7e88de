"""The per-caller rate limit every service has (gachi_kit/ratelimit.py), counted in the real
Redis the services use. Each test counts under its own caller or address, so tests (and runs
against the same Redis) never share a count."""

from __future__ import annotations

import secrets

import pytest

from catalog import create_app as create_catalog
from gachi_kit.events import new_id
from orders import create_app as create_orders

LIMITS = {"RATE_LIMIT": "5/minute", "RATE_LIMIT_ANONYMOUS": "3/minute"}


@pytest.fixture(scope="module")
def catalog(service_config):
    return create_catalog({**service_config, **LIMITS}).test_client()


@pytest.fixture(scope="module")
def orders(service_config):
    return create_orders({**service_config, **LIMITS}).test_client()


def address() -> dict:
    """A client address no other test uses (the limit counts anonymous callers by it)."""
    groups = ":".join(f"{secrets.randbits(16):x}" for _ in range(4))
    return {"REMOTE_ADDR": f"fd00::{groups}"}


def test_a_caller_gets_its_allowance_then_429_problem_json(catalog, token):
    me = token("admin", sub=f"admin-{new_id()}")
    answers = [catalog.get("/v1/brands", headers=me) for _ in range(6)]
    assert [r.status_code for r in answers] == [200] * 5 + [429]
    refused = answers[-1]
    assert refused.mimetype == "application/problem+json"
    body = refused.get_json()
    assert body["code"] == "rate_limited" and body["title"] == "요청이 너무 많습니다"
    assert "허용 한도: 1분에 5회" in body["detail"] and "per" not in body["detail"]
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert f"{refused.headers['Retry-After']}초 뒤에" in body["detail"]
    assert "Retry-After" not in answers[0].headers  # only a refusal says when to come back
    # someone else, or the same person for another organisation, has an allowance of their own
    assert catalog.get("/v1/brands", headers=token("admin", sub=f"a-{new_id()}")).status_code == 200
    other_org = token("enterprise", "ENTERPRISE-2", sub=me["Authorization"][-12:])
    assert catalog.get("/v1/brands", headers=other_org).status_code == 200


def test_anonymous_callers_are_counted_by_address_with_a_smaller_allowance(orders):
    here, elsewhere = address(), address()
    url = "/v1/group-orders/by-code/ABCD2345"  # public: a share code, no account
    codes = [orders.get(url, environ_base=here).status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]  # guessing share codes is slowed down
    assert orders.get(url, environ_base=elsewhere).status_code == 404


def test_bad_tokens_count_against_the_address(catalog):
    here = address()
    bad = {"Authorization": "Bearer not-a-token"}
    codes = [
        catalog.get("/v1/brands", headers=bad, environ_base=here).status_code for _ in range(4)
    ]
    assert codes == [401, 401, 401, 429]


def test_services_and_probes_are_not_limited(catalog, token):
    service = token("service", sub=f"orders-{new_id()}")
    assert all(catalog.get("/v1/brands", headers=service).status_code == 200 for _ in range(8))
    here = address()
    for path in ("/healthz", "/openapi.json"):
        assert all(catalog.get(path, environ_base=here).status_code == 200 for _ in range(5))


def test_a_redis_outage_does_not_take_the_api_down(service_config, token):
    broken = create_catalog(
        {**service_config, **LIMITS, "RATE_LIMIT_STORAGE_URL": "redis://127.0.0.1:1/0"}
    ).test_client()
    me = token("admin", sub=f"admin-{new_id()}")
    assert [broken.get("/v1/brands", headers=me).status_code for _ in range(7)] == [200] * 7
