"""The "send test event" button's API: `POST /v1/subscriptions/{id}/test` sends one
`webhook.test` event to the caller's own webhook through the normal signed delivery."""

from __future__ import annotations

from standardwebhooks.webhooks import Webhook

from tests.api.notify.test_webhooks import subscribe, webhook_rows
from tests.support.notify_events import ENTERPRISE_A, ENTERPRISE_B
from tests.support.notify_receivers import send_all


def test_a_test_event_is_signed_delivered_and_in_the_delivery_log(napp, token, receiver):
    sub = subscribe(napp, token, receiver.url)
    owner = token("enterprise", ENTERPRISE_A)
    client = napp.test_client()

    answer = client.post(f"/v1/subscriptions/{sub['id']}/test", headers=owner)
    assert answer.status_code == 202, answer.get_json()
    queued = answer.get_json()
    assert (queued["status"], queued["event_type"]) == ("pending", "webhook.test")
    assert queued["subscription_id"] == sub["id"] and queued["summary"] == "webhook.test"
    send_all(napp)

    (request,) = receiver.requests
    payload = Webhook(sub["secret"]).verify(request.body, request.headers)
    assert payload["type"] == "webhook.test" and payload["event_id"] == queued["event_id"]
    assert "시험 이벤트" in payload["data"]["message"]
    assert payload["data"]["sample"]["기업명"] == "광명두부마을 협동조합"
    assert request.headers["webhook-id"] == queued["id"]
    log = client.get("/v1/deliveries", query_string={"channel": "webhook"}, headers=owner)
    (row,) = log.get_json()["items"]
    assert (row["id"], row["status"], row["response_code"]) == (queued["id"], "sent", 200)

    again = client.post(f"/v1/subscriptions/{sub['id']}/test", headers=owner)
    assert again.status_code == 202 and again.get_json()["event_id"] != queued["event_id"]


def test_only_the_owner_sends_one_and_only_to_an_active_webhook(napp, token, receiver):
    sub = subscribe(napp, token, receiver.url)
    client = napp.test_client()
    path = f"/v1/subscriptions/{sub['id']}/test"

    for headers in (token("enterprise", ENTERPRISE_B), token("admin")):
        refused = client.post(path, headers=headers)
        assert refused.status_code == 404
        body = refused.get_json()
        assert (body["code"], body["title"]) == (
            "subscription_not_found",
            "알림 설정을 찾을 수 없습니다",
        )
    assert client.post(path, headers=token("buyer", "inst-1", dept="총무과")).status_code == 404
    assert client.post(path).status_code == 401
    assert webhook_rows(napp) == []  # nothing was written for a refusal

    owner = token("enterprise", ENTERPRISE_A)
    client.patch(f"/v1/subscriptions/{sub['id']}", json={"active": False}, headers=owner)
    off = client.post(path, headers=owner)
    assert off.status_code == 409
    assert off.get_json()["code"] == "subscription_inactive"
    assert off.get_json()["title"] == "꺼진 웹훅입니다"
    assert webhook_rows(napp) == []


def test_a_contact_is_not_a_webhook(napp, token):
    owner = token("enterprise", ENTERPRISE_A)
    client = napp.test_client()
    email = client.post(
        "/v1/subscriptions",
        json={"channel": "email", "address": "두부@example.kr", "event_types": ["*"]},
        headers=owner,
    )
    assert email.status_code == 201, email.get_json()
    refused = client.post(f"/v1/subscriptions/{email.get_json()['id']}/test", headers=owner)
    assert refused.status_code == 409
    assert (refused.get_json()["code"], refused.get_json()["title"]) == (
        "not_a_webhook",
        "웹훅 설정이 아닙니다",
    )
    assert (
        client.post("/v1/subscriptions/01JNOSUCHSUBSCRIPTION00000/test", headers=owner).status_code
        == 404
    )
