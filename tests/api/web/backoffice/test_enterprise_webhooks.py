"""The webhook page's "send test event" button, against the real notify and a receiver
on loopback: the result shows as queued, then as delivered."""

from __future__ import annotations

import re

from standardwebhooks.webhooks import Webhook

from tests.api.web.backoffice.conftest import post_form, text_of
from tests.support.builders import register_enterprise
from tests.support.notify_receivers import HTTPReceiver, send_all


def result_of(page: str) -> str:
    found = re.search(r'<div[^>]*id="webhook-test-result">(.*?)</div>', page, re.S)
    assert found, "no result box"
    return found.group(1)


def test_the_test_event_button_shows_queued_then_delivered(api, token, people, stack):
    tofu = register_enterprise(api["catalog"], token("admin"), name="광명두부마을 협동조합")
    client = people("enterprise", tofu["id"], tofu["name"])
    with HTTPReceiver() as receiver:
        created = post_form(
            client,
            "/enterprise/notifications/webhooks",
            {"address": receiver.url + "/gachi", "event_types": "supplier_order.*"},
            page="/enterprise/notifications",
        )
        secret = re.search(r'readonly value="(whsec_[^"]+)"', text_of(created)).group(1)
        page = text_of(client.get("/enterprise/notifications"))
        (button,) = re.findall(r"/enterprise/notifications/webhooks/(\w+)/test", page)
        assert "시험 이벤트 보내기" in page

        sent = post_form(
            client,
            f"/enterprise/notifications/webhooks/{button}/test",
            {},
            page="/enterprise/notifications",
        )
        assert sent.status_code == 302
        assert "/enterprise/notifications?tested=" in sent.headers["Location"]
        queued = text_of(client.get(sent.headers["Location"]))
        assert "시험 이벤트를 보냈습니다." in queued
        assert "대기</span>" in result_of(queued) and "다시 확인" in result_of(queued)

        send_all(stack.notify)
        (request,) = receiver.requests
        payload = Webhook(secret).verify(request.body, request.headers)
        assert payload["type"] == "webhook.test"
        delivered = result_of(text_of(client.get(sent.headers["Location"])))
        assert "보냄</span>" in delivered and "200 응답으로 받았습니다" in delivered

        client.get("/enterprise/notifications")  # the switch off: no button, a Korean refusal
        off = post_form(
            client,
            f"/enterprise/notifications/{button}/active",
            {"active": "false"},
            page="/enterprise/notifications",
        )
        assert off.status_code == 302
        assert "시험 이벤트 보내기" not in text_of(client.get("/enterprise/notifications"))
        refused = post_form(
            client,
            f"/enterprise/notifications/webhooks/{button}/test",
            {},
            page="/enterprise/notifications",
        )
        assert refused.status_code == 409 and "꺼진 웹훅입니다" in text_of(refused)
        assert len(receiver.requests) == 1
