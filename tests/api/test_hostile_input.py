"""Bodies a hostile caller can send to any service: each is a 4xx problem+json, never a 500."""

from __future__ import annotations

import pytest

ENDPOINTS = {
    # service: (path, role or None for anonymous)
    "catalog": ("/v1/enterprises", "admin"),
    "orders": ("/v1/orders", "buyer"),
    "notify": ("/v1/subscriptions", "admin"),
}


@pytest.fixture(params=sorted(ENDPOINTS))
def target(request, token):
    name = request.param
    app = request.getfixturevalue(f"{name}_app")
    path, role = ENDPOINTS[name]
    headers = {"Idempotency-Key": f"k-deep-{name}"}
    if role:
        headers |= token(role, "inst-1" if role == "buyer" else None)
    return app.test_client(), path, headers


def nested(depth: int, kind: str) -> str:
    if kind == "array":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


@pytest.mark.parametrize("depth", [65, 1_000, 100_000])
@pytest.mark.parametrize("kind", ["array", "object"])
def test_deeply_nested_json_is_a_clean_400(target, depth, kind):
    client, path, headers = target
    response = client.post(
        path, data=nested(depth, kind), headers=headers, content_type="application/json"
    )

    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    problem = response.get_json()
    assert problem["code"] == "json_too_deep"
    assert problem["title"] == "요청 본문이 너무 깊게 중첩되어 있습니다"


def test_nesting_inside_strings_does_not_count_and_the_limit_itself_passes(target):
    client, path, headers = target
    brackets_in_text = '{"memo": "' + "[{" * 500 + '\\"]"}'
    at_the_limit = nested(64, "array")
    for body in (brackets_in_text, at_the_limit):
        response = client.post(path, data=body, headers=headers, content_type="application/json")
        assert response.status_code < 500
        assert response.get_json().get("code") != "json_too_deep"


def test_control_characters_are_refused_in_catalog_text(catalog_app, token):
    response = catalog_app.test_client().post(
        "/v1/enterprises",
        json={"name": "광명\u0000두부", "extra": {"note": "벨\u0007소리"}},
        headers=token("admin"),
    )

    assert response.status_code == 400
    problem = response.get_json()
    assert problem["code"] == "invalid_text"
    assert set(problem["errors"]) == {"name", "extra.note"}


def test_a_url_too_long_for_the_app_is_a_414_problem(target):
    client, _path, headers = target
    response = client.get("/v1/anything?q=" + "광" * 2000, headers=headers)

    assert response.status_code == 414
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "uri_too_long"


LISTS = [
    ("orders", "/v1/orders", "buyer"),
    ("orders", "/v1/supplier-orders", "enterprise"),
    ("orders", "/v1/institutions", "admin"),
    ("orders", "/v1/group-orders", "buyer"),
    ("catalog", "/v1/products", "buyer"),
    ("catalog", "/v1/enterprises", "admin"),
    ("notify", "/v1/inbox", "buyer"),
    ("notify", "/v1/subscriptions", "admin"),
    ("notify", "/v1/deliveries", "admin"),
    ("notify", "/v1/ops/dead-deliveries", "admin"),
]


@pytest.mark.parametrize(("service", "path", "role"), LISTS)
@pytest.mark.parametrize("cursor", ["!!!!", "e30", "x" * 500])
def test_a_cursor_that_is_not_ours_is_422_invalid_cursor_on_every_list(
    request, token, service, path, role, cursor
):
    client = request.getfixturevalue(f"{service}_app").test_client()
    response = client.get(
        path, query_string={"cursor": cursor}, headers=token(role, "org-1", sub="u-1")
    )

    assert response.status_code == 422, (path, response.get_json())
    assert response.get_json()["code"] == "invalid_cursor"
