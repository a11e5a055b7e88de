"""A producer asks notify which of its events notify has received
(`POST /v1/ops/events/received`, gachi_kit.receipts): service tokens only, reads only."""

from __future__ import annotations

import re

import pytest

from gachi_kit.events import new_id
from tests.support.notify_events import ENTERPRISE_A, supplier_order_created


def test_notify_says_which_events_it_has_received(notify_app, feed, token):
    handled = supplier_order_created(ENTERPRISE_A)
    feed(notify_app, handled)
    never_sent = new_id()

    response = notify_app.test_client().post(
        "/v1/ops/events/received",
        json={"ids": [handled["id"], never_sent]},
        headers=token("service", sub="orders"),
    )

    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"received": [handled["id"]]}


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 401), (("admin", None), 403), (("enterprise", ENTERPRISE_A), 403)],
)
def test_only_services_may_ask(notify_app, token, who, status):
    headers = token(*who) if who else {}
    response = notify_app.test_client().post(
        "/v1/ops/events/received", json={"ids": [new_id()]}, headers=headers
    )
    assert response.status_code == status
    if status == 403:
        assert response.get_json()["detail"] == "이 작업은 서비스 역할만 할 수 있습니다."


@pytest.mark.parametrize(
    "body",
    [{}, {"ids": []}, {"ids": ["x" * 27]}, {"ids": [new_id() for _ in range(501)]}, {"ids": "a"}],
    ids=["missing", "empty", "too-long-id", "too-many", "not-a-list"],
)
def test_a_bad_question_is_a_422_in_korean(notify_app, token, body):
    response = notify_app.test_client().post(
        "/v1/ops/events/received", json=body, headers=token("service", sub="orders")
    )
    problem = response.get_json()
    assert response.status_code == 422, problem
    assert response.content_type == "application/problem+json"
    said = list(messages(problem["errors"]["ids"]))
    assert said and all(re.search("[가-힣]", m) and not re.search("[A-Za-z]", m) for m in said)


def messages(tree):
    """Every message under a field, list items' errors included ({"0": [...]})."""
    if isinstance(tree, str):
        yield tree
    else:
        for branch in tree.values() if isinstance(tree, dict) else tree:
            yield from messages(branch)
