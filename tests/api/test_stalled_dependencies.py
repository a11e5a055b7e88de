"""A dependency that accepts connections and never answers (a paused Redis, a hung catalog):
every answer still comes, bounded by the kit's timeouts, as problem+json. (A hung catalog
behind orders: tests/api/orders/test_stalled_catalog.py.)"""

from __future__ import annotations

import pytest

from tests.support.black_hole import black_hole_fixture  # noqa: F401 (fixture black_hole)
from tests.support.faults import PrivateRedis

SERVICES = ["catalog", "notify", "orders"]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", SERVICES)
def test_readyz_is_503_when_redis_accepts_but_never_answers(service_config, black_hole, name):
    module = __import__(name)
    stalled = f"redis://127.0.0.1:{black_hole.url_port}/0"
    app = module.create_app({**service_config, "REDIS_URL": stalled})

    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    problem = response.get_json()
    assert problem["checks"] == {"database": "ok", "broker": "error: timeout"}
    assert response.headers["Retry-After"]


@pytest.mark.timeout(60)
def test_the_rate_limiter_fails_open_when_its_redis_stalls(service_config, black_hole, token):
    import catalog

    stalled = f"redis://127.0.0.1:{black_hole.url_port}/0"
    app = catalog.create_app({**service_config, "RATE_LIMIT_STORAGE_URL": stalled})

    response = app.test_client().get("/v1/brands", headers=token("admin"))

    assert response.status_code == 200
    assert black_hole.accepted  # it did try to count


@pytest.mark.timeout(60)
def test_a_commit_while_redis_stalls_returns_at_once_and_leaves_the_event_to_the_sweep(
    service_config, black_hole
):
    import catalog

    stalled = f"redis://127.0.0.1:{black_hole.url_port}/0"
    app = catalog.create_app({**service_config, "REDIS_URL": stalled})
    wiring = app.extensions["catalog"]

    with wiring.db.transaction() as session:  # returns: the row is committed
        wiring.outbox.record(session, "enterprise.registered", {"enterprise_id": "e-stall"})
    with wiring.db.reading() as session:  # the publish runs beside the caller, not before it
        (row,) = session.query(wiring.outbox.model).filter_by(published_at=None).all()
        assert row.publish_attempts == 0

    assert wiring.outbox.publisher.flush()  # the background attempt times out on Redis
    with wiring.db.transaction() as session:
        (row,) = session.query(wiring.outbox.model).filter_by(published_at=None).all()
        assert row.publish_attempts == 1  # tried once after commit; the sweep does the rest
        session.delete(row)  # leave the shared database as it was
    assert black_hole.accepted


PRICING = {"lines": [{"product_id": "01JNOSUCHPRODUCT0000000000", "quantity": 1}]}


@pytest.mark.timeout(60)
def test_catalog_prices_a_service_call_without_touching_redis(service_config, black_hole, token):
    """Orders' pricing call (a service token) is exempt from rate limits and reads only
    the database: a stalled Redis cannot hold it (docs/operations.md, Redis paused)."""
    import catalog

    stalled = f"redis://127.0.0.1:{black_hole.url_port}/0"
    app = catalog.create_app({**service_config, "REDIS_URL": stalled})
    client = app.test_client()
    before = len(black_hole.accepted)

    response = client.post("/v1/pricing", json=PRICING, headers=token("service"))

    assert response.status_code == 200
    assert response.get_json()["lines"][0]["error"]["code"] == "product_not_found"
    assert len(black_hole.accepted) == before  # not one connection to Redis
    # a person's call is counted, so it does try Redis, and goes on when it cannot
    buyer = token("buyer", "INST-GWANGMYEONG", dept="총무과")
    assert client.post("/v1/pricing", json=PRICING, headers=buyer).status_code == 200
    assert len(black_hole.accepted) > before


@pytest.mark.timeout(60)
def test_catalog_prices_while_its_real_redis_is_paused(service_config, token, tmp_path):
    """The same against a real Redis stopped with SIGSTOP after the app has used it."""
    import catalog

    redis = PrivateRedis(tmp_path / "redis").start()
    try:
        app = catalog.create_app({**service_config, "REDIS_URL": redis.url})
        client = app.test_client()
        buyer = token("buyer", "INST-GWANGMYEONG", dept="총무과")
        assert client.post("/v1/pricing", json=PRICING, headers=buyer).status_code == 200
        redis.pause()
        for headers in (token("service"), buyer, token("service")):
            assert client.post("/v1/pricing", json=PRICING, headers=headers).status_code == 200
    finally:
        redis.stop()
