"""web's health and readiness, like every service's (tests/api/test_ops.py)."""

from __future__ import annotations

from tests.support.infra import free_port


def test_healthz_and_readyz(web_app):
    client = web_app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["checks"] == {
        "database": "ok",
        "broker": "ok",
    }


def test_readyz_is_503_when_the_broker_is_unreachable(make_web_app):
    app = make_web_app(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["broker"].startswith("error")


def test_an_oversized_body_is_refused_before_it_is_read(web_app):
    response = web_app.test_client().post(
        "/oauth/token",
        data=b"x" * (3 * 1024 * 1024),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413


def test_a_deeply_nested_json_body_is_a_clean_400(web_app):
    for body in ("[" * 100_000 + "]" * 100_000, '{"a":' * 100_000 + "1" + "}" * 100_000):
        response = web_app.test_client().post(
            "/oauth/token", data=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400
        assert response.get_json()["code"] == "json_too_deep"
