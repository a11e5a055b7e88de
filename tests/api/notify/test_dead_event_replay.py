"""An operator replays a dead event (`POST /v1/ops/dead-events/{id}/replay`): its attempts
start from zero and it is queued once more for notify's handler; only admins may."""

from __future__ import annotations

import base64
import json

import pytest

from tests.support.notify_events import ENTERPRISE_A, supplier_order_created

ROLES = [
    (None, 401),
    (("committee", "BEATS1"), 403),
    (("buyer", "INST-GWANGMYEONG"), 403),
    (("enterprise", ENTERPRISE_A), 403),
    (("institution_admin", "INST-GWANGMYEONG"), 403),
    (("service", None), 403),
]


def queued_events(redis_client) -> list[dict]:
    """The envelopes waiting on notify's event queue, as the worker would receive them."""
    messages = [json.loads(m) for m in redis_client.lrange("notify", 0, -1)]
    assert {m["headers"]["task"] for m in messages} <= {"notify.handle_event"}
    return [json.loads(base64.b64decode(m["body"]))[0][0] for m in messages]


@pytest.fixture
def dead(make_app, feed):
    """An event notify's handler fails on every time (a producer bug), parked dead after
    MAX_EVENT_ATTEMPTS=2."""
    app = make_app(MAX_EVENT_ATTEMPTS="2")
    poison = supplier_order_created(ENTERPRISE_A)
    del poison["data"]["lines"]
    for _ in range(2):
        with pytest.raises(Exception, match="lines"):
            feed(app, poison)
    assert feed(app, poison) == "dead"
    return app, poison


def test_a_dead_event_is_queued_once_more_with_its_attempts_from_zero(
    dead, feed, token, redis_client
):
    app, poison = dead
    client = app.test_client()

    response = client.post(f"/v1/ops/dead-events/{poison['id']}/replay", headers=token("admin"))

    assert response.status_code == 202, response.get_json()
    assert response.get_json() == {"id": poison["id"], "status": "processing", "attempts": 0}
    assert queued_events(redis_client) == [poison]  # once, exactly as it first arrived
    assert client.get("/v1/ops/dead-events", headers=token("admin")).get_json()["items"] == []
    # the worker handles it from attempt one again (still failing here: the bug is real)
    with pytest.raises(Exception, match="lines"):
        feed(app, poison)
    from notify.adapters.models import InboundEvent

    with app.extensions["notify"].db.reading() as session:
        row = session.get(InboundEvent, poison["id"])
        assert (row.status, row.attempts) == ("processing", 1)

    again = client.post(f"/v1/ops/dead-events/{poison['id']}/replay", headers=token("admin"))
    assert again.status_code == 409  # not dead now: nothing queued a second time
    problem = again.get_json()
    assert problem["code"] == "invalid_transition" and problem["current_state"] == "processing"
    assert problem["title"] == "지금 상태에서는 할 수 없습니다"
    assert problem["detail"] == "실패(dead) 상태인 이벤트만 다시 처리합니다."
    assert len(queued_events(redis_client)) == 1


def test_replaying_is_audited_with_who_asked(dead, token, redis_client):
    from structlog.testing import capture_logs

    app, poison = dead
    with capture_logs() as logs:
        app.test_client().post(
            f"/v1/ops/dead-events/{poison['id']}/replay", headers=token("admin", sub="ops-kim")
        )
    (entry,) = [e for e in logs if e["event"] == "dead_event_replayed"]
    assert (entry["event_id"], entry["by"], entry["role"]) == (poison["id"], "ops-kim", "admin")
    assert "lines" in entry["previous_error"]


def test_an_unknown_or_healthy_event_is_not_replayed(make_app, feed, token, redis_client):
    app = make_app()
    healthy = supplier_order_created(ENTERPRISE_A)
    assert feed(app, healthy) == "done"
    redis_client.delete("notify")
    client = app.test_client()

    unknown = client.post(
        "/v1/ops/dead-events/01JNOSUCHEVENT000000000000/replay", headers=token("admin")
    )
    assert unknown.status_code == 404
    assert unknown.get_json()["code"] == "event_not_found"
    assert unknown.get_json()["title"] == "이벤트를 찾을 수 없습니다"
    done = client.post(f"/v1/ops/dead-events/{healthy['id']}/replay", headers=token("admin"))
    assert done.status_code == 409 and done.get_json()["current_state"] == "done"
    assert done.mimetype == "application/problem+json"
    assert queued_events(redis_client) == []


def test_only_an_admin_may_replay(dead, token, redis_client):
    app, poison = dead
    client = app.test_client()
    for who, want in ROLES:
        headers = token(who[0], who[1]) if who else {}
        response = client.post(f"/v1/ops/dead-events/{poison['id']}/replay", headers=headers)
        assert response.status_code == want, (who, response.get_json())
        assert response.mimetype == "application/problem+json"
    assert queued_events(redis_client) == []  # nothing queued by anyone but an admin
    assert client.get("/v1/ops/dead-events", headers=token("admin")).get_json()["items"]
