"""web and orders as real processes: a token web issues is accepted by orders, which knows
web's keys only through the published JWKS; and web's key rotates under load with no
request refused."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import jwt
import pytest
import requests

from tests.support import infra

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def platform(service_config, jwt_keys, tmp_path_factory):
    folder = tmp_path_factory.mktemp("e2e-web")
    running = infra.Platform(
        folder,
        service_config["REDIS_URL"],
        jwt_keys,
        services=("web", "orders"),
        tag="_e2e_web",
        extra={"WEB_KEY_ACTIVATION_SECONDS": "2", "JWKS_REFETCH_COOLDOWN_SECONDS": "1"},
    )
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def api_client(platform):
    """The demo people and an API client of 광명시청, made in web's own database."""
    import web
    from web import seed
    from web.identity.services import clients

    app = web.create_app(platform.config)
    w = app.extensions["web"]
    with app.app_context():
        seed.run(w)
        client, secret = clients.create(
            w,
            actor_id="01ADMIN0000000000000000000",
            actor_role="institution_admin",
            org_id=seed.GWANGMYEONG_CITY,
            role="institution_admin",
            name="회계 ERP",
        )
    w.db.dispose()
    return client.client_id, secret


def web_token(platform, api_client) -> str:
    response = requests.post(
        f"{platform.urls['web']}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=api_client,
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def list_orders(platform, token: str) -> requests.Response:
    return requests.get(
        f"{platform.urls['orders']}/v1/orders",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def test_orders_accepts_a_token_web_issued(platform, api_client):
    token = web_token(platform, api_client)
    assert jwt.get_unverified_header(token)["kid"].startswith("web-")
    response = list_orders(platform, token)
    assert response.status_code == 200, response.text
    forged = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
    refused = list_orders(platform, forged)
    assert refused.status_code == 401 and refused.json()["code"] == "token_invalid"


def test_web_rotates_its_key_under_load_and_no_request_is_refused(platform, api_client):
    from web.identity.keys import new_key_file

    keys = Path(platform.config["GACHI_DATA_DIR"]) / "keys" / "web"
    [old_key] = sorted(keys.glob("*.pem"))
    statuses: Counter = Counter()
    kids: Counter = Counter()
    stop = threading.Event()

    def load():
        while not stop.is_set():
            token = web_token(platform, api_client)
            kids[jwt.get_unverified_header(token)["kid"]] += 1
            statuses[list_orders(platform, token).status_code] += 1

    workers = [threading.Thread(target=load) for _ in range(4)]
    for worker in workers:
        worker.start()
    try:
        infra.wait_for(lambda: sum(statuses.values()) >= 20, what="load before the rotation")
        new_key = new_key_file(keys)
        infra.wait_for(lambda: kids[new_key.stem] >= 20, what="tokens signed by the new key")
        old_key.unlink()  # its tokens (15 minutes at most) would be gone in production
        seen = sum(statuses.values())
        infra.wait_for(lambda: sum(statuses.values()) >= seen + 20, what="load after removal")
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=30)
    assert set(statuses) == {200}, statuses
    assert kids[old_key.stem] > 0 and kids[new_key.stem] > 0
    published = requests.get(f"{platform.urls['web']}/.well-known/jwks.json", timeout=10).json()
    assert [k["kid"] for k in published["keys"]] == [new_key.stem]
