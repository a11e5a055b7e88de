"""Every service: health, readiness, OpenAPI and Swagger UI from local assets."""

import pytest

SERVICES = ["catalog", "notify", "orders"]


@pytest.fixture(params=SERVICES)
def app(request):
    # orders_app pulls catalog_app in; each is the real service on a real database.
    return request.getfixturevalue(f"{request.param}_app")


def test_healthz_and_readyz(app):
    client = app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.get_json()
    assert ready.get_json()["checks"] == {"database": "ok", "broker": "ok"}


def test_readyz_is_503_when_the_broker_is_unreachable(request, service_config):
    from tests.support.infra import free_port

    for name in SERVICES:
        module = __import__(name)
        config = {**service_config, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}
        response = module.create_app(config).test_client().get("/readyz")
        assert response.status_code == 503, name
        problem = response.get_json()
        assert problem["code"] == "not_ready"
        assert problem["checks"]["database"] == "ok"
        assert problem["checks"]["broker"].startswith("error")
        assert response.headers["Retry-After"]


def test_openapi_documents_the_bearer_scheme_and_every_v1_route(app):
    spec = app.test_client().get("/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    documented = set(spec["paths"])
    routed = {
        rule.rule.replace("<", "{").replace(">", "}")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/v1/")
    }
    assert routed and routed == documented


def test_swagger_ui_is_served_from_local_assets(app):
    client = app.test_client()
    page = client.get("/docs").get_data(as_text=True)
    assert "/docs/assets/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower() and "https://" not in page
    asset = client.get("/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.get_data()) > 100_000


def test_correlation_id_is_echoed_or_created(app):
    client = app.test_client()
    given = client.get("/healthz", headers={"X-Request-ID": "req-gwangmyeong_1.A"})
    assert given.headers["X-Request-ID"] == "req-gwangmyeong_1.A"
    assert len(client.get("/healthz").headers["X-Request-ID"]) == 26


@pytest.mark.parametrize(
    "unsafe",
    ["req-광명-1", "x" * 65, "a b", "<script>alert(1)</script>", 'id" level="error', "a/b", ""],
)
def test_a_request_id_that_is_not_a_bounded_token_is_replaced_not_echoed(app, unsafe):
    answered = app.test_client().get("/healthz", headers={"X-Request-ID": unsafe})

    fresh = answered.headers["X-Request-ID"]
    assert fresh != unsafe and len(fresh) == 26 and fresh.isalnum()


def test_a_request_id_of_64_characters_is_still_echoed(app):
    longest = "A" * 64
    answered = app.test_client().get("/healthz", headers={"X-Request-ID": longest})

    assert answered.headers["X-Request-ID"] == longest


def test_unknown_route_and_method_are_problem_json(app):
    client = app.test_client()
    missing = client.get("/v1/nothing-here")
    assert missing.status_code == 404 and missing.get_json()["code"] == "not_found"
    wrong = client.delete("/healthz")
    assert wrong.status_code == 405 and wrong.get_json()["code"] == "method_not_allowed"


POST_ROUTES = {"catalog": "/v1/enterprises", "orders": "/v1/orders", "notify": "/v1/inbox/x/read"}


def test_oversized_body_is_413(app, token):
    response = app.test_client().post(
        POST_ROUTES[app.name],
        data=b"x" * (3 * 1024 * 1024),
        headers={**token("admin"), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.get_json()["code"] == "payload_too_large"
