"""Redis down (nothing listens: the embedded one died and is being restarted): every
service's `/readyz` says 503 naming the broker, at once, instead of "ready"."""

from __future__ import annotations

import pytest

from tests.support import infra


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", ["web", "catalog", "notify", "orders"])
def test_readyz_is_503_naming_the_broker_while_redis_is_down(service_config, name):
    module = __import__(name)
    down = f"redis://127.0.0.1:{infra.free_port()}/0"  # a port nobody listens on
    app = module.create_app({**service_config, "REDIS_URL": down})

    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    problem = response.get_json()
    assert problem["code"] == "not_ready"
    assert problem["checks"]["database"] == "ok"
    assert problem["checks"]["broker"].startswith("error")
    assert response.headers["Retry-After"]
