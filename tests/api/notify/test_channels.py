"""E-mail (a real SMTP server on loopback, and .eml files), SMS and 알림톡 (the file
provider, and the NHN Cloud HTTP format against a local server), caps, digests."""

from __future__ import annotations

import email
import json
import re
from email import policy
from pathlib import Path

from sqlalchemy import update

from notify.adapters.models import DigestEntry
from notify.services import digests
from tests.support.notify_events import ENTERPRISE_A, enterprise_registered, supplier_order_created
from tests.support.notify_receivers import NHN_OK, HTTPReceiver, deliveries, send_all


def test_email_over_smtp_is_multipart_korean_and_decodes(make_app, smtp, feed):
    app = make_app(
        SMTP_HOST=smtp.host, SMTP_PORT=str(smtp.port), MAIL_FROM="같이 알림 <noti@gachi.kr>"
    )
    smtp.messages.clear()
    feed(app, enterprise_registered(email="tofu@example.kr"))
    event = supplier_order_created(lines=3)
    feed(app, event)

    send_all(app)

    rows = deliveries(app, channel="email", event_id=event["id"])
    assert [(r.status, r.attempts) for r in rows] == [("sent", 1)]
    (message,) = [m for m in smtp.messages if m["X-Gachi-Delivery"] == rows[0].id]
    raw = message.as_bytes()
    assert b"=?utf-8?" in raw.split(b"\n\n", 1)[0].lower()  # RFC 2047 encoded header
    assert str(message["Subject"]) == "[같이] 새 공급 주문: 두부과자 200g 외 2건 · 52,064원"
    assert message["From"].addresses[0].display_name == "같이 알림"
    assert message["Message-ID"] == f"<{rows[0].id}@gachi.kr>"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "광명두부마을 협동조합 담당자님" in text and "전체 수락: http" in text
    assert "<table" in html and "두부과자 200g" in html and "전체 수락</a>" in html
    assert message.get_body(("plain",))["Content-Type"].params["charset"] == "utf-8"


def test_without_smtp_host_email_goes_to_eml_files(make_app, feed, service_config):
    app = make_app()
    feed(app, enterprise_registered(email="tofu@example.kr"))
    feed(app, supplier_order_created())
    send_all(app)
    (row,) = deliveries(app, channel="email", event_type="supplier_order.created")
    path = Path(service_config["GACHI_DATA_DIR"]) / "mail" / f"{row.id}.eml"
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert str(message["Subject"]).startswith("[같이] 새 공급 주문")
    assert message["To"] == "tofu@example.kr"


def test_sms_file_provider_logs_one_line_per_message(make_app, feed, service_config):
    app = make_app()
    feed(app, enterprise_registered(phone="010-1234-5678"))
    feed(app, supplier_order_created())
    send_all(app)
    (row,) = deliveries(app, channel="sms")
    log = Path(service_config["GACHI_DATA_DIR"]) / "sms.log"
    lines = [json.loads(x) for x in log.read_text().splitlines() if row.id in x]
    assert len(lines) == 1 and lines[0]["to"] == "01012345678"
    assert lines[0]["text"].startswith("[같이] 새 주문 두부과자 200g 외 1건 52,064원")


def test_sms_http_provider_sends_nhn_cloud_requests(make_app, feed):
    with HTTPReceiver(default=NHN_OK) as provider:
        app = make_app(
            SMS_PROVIDER="nhncloud",
            SMS_API_URL=provider.url,
            SMS_APP_KEY="appkey-123",
            SMS_SECRET_KEY="secret-456",
            SMS_SENDER_NUMBER="02-2680-0000",
        )
        feed(app, enterprise_registered(phone="010-1234-5678"))
        feed(app, supplier_order_created())
        send_all(app)

    (row,) = deliveries(app, channel="sms")
    assert (row.status, row.response_code) == ("sent", 200)
    (request,) = provider.requests
    assert request.path == "/sms/v3.0/appKeys/appkey-123/sender/mms"  # long text with a link: LMS
    assert request.headers["X-Secret-Key"] == "secret-456"
    assert request.headers["Content-Type"] == "application/json"
    body = request.json()
    assert set(body) == {"body", "sendNo", "senderGroupingKey", "recipientList", "title"}
    assert body["sendNo"] == "0226800000" and body["senderGroupingKey"] == row.id
    assert body["recipientList"] == [{"recipientNo": "01012345678", "recipientGroupingKey": row.id}]
    assert body["title"] == "같이 새 주문"
    assert body["body"].startswith("[같이] 새 주문 두부과자 200g") and "/links/" in body["body"]


def test_sms_provider_refusal_is_permanent_and_outage_is_retried(make_app, feed):
    from tests.support.notify_receivers import Reply

    refused = Reply(
        200,
        {"Content-Type": "application/json"},
        json.dumps(
            {
                "header": {
                    "isSuccessful": False,
                    "resultCode": -1000,
                    "resultMessage": "Invalid appkey",
                }
            }
        ).encode(),
    )
    with HTTPReceiver(default=refused) as provider:
        provider.replies = [Reply(503)]
        app = make_app(
            SMS_PROVIDER="nhncloud", SMS_API_URL=provider.url, SMS_SENDER_NUMBER="0226800000"
        )
        feed(app, enterprise_registered(phone="010-1234-5678"))
        feed(app, supplier_order_created())
        send_all(app)
    (row,) = deliveries(app, channel="sms")
    assert (row.status, row.attempts) == ("dead", 2)
    assert "Invalid appkey" in row.last_error


def test_alimtalk_http_provider_sends_the_template_code_and_parameters(make_app, token, feed):
    with HTTPReceiver(default=NHN_OK) as provider:
        app = make_app(
            ALIMTALK_PROVIDER="nhncloud",
            ALIMTALK_API_URL=provider.url,
            ALIMTALK_APP_KEY="ak",
            ALIMTALK_SECRET_KEY="sk",
            ALIMTALK_SENDER_KEY="kakao-sender-key",
        )
        app.test_client().post(
            "/v1/subscriptions",
            json={
                "channel": "alimtalk",
                "address": "010-5555-6666",
                "event_types": ["supplier_order.created"],
            },
            headers=token("enterprise", ENTERPRISE_A),
        )
        feed(app, supplier_order_created(lines=3))
        send_all(app)
    (request,) = provider.requests
    assert request.path == "/alimtalk/v2.3/appkeys/ak/messages"
    body = request.json()
    assert body["senderKey"] == "kakao-sender-key"
    # V2: the portal link is a new template variable (Kakao approves each version anew)
    assert body["templateCode"] == "GACHI_SO_CREATED_V2"
    (recipient,) = body["recipientList"]
    assert recipient["recipientNo"] == "01055556666"
    params = recipient["templateParameter"]
    assert params["품목"] == "두부과자 200g 외 2건" and params["합계"] == "52,064원"
    assert params["링크"].startswith("http")
    assert re.fullmatch(r"http://127\.0\.0\.1:8000/enterprise/supplier-orders/\w+", params["포털"])


def test_paid_messages_are_capped_per_recipient_per_day(make_app, feed):
    app = make_app(SMS_DAILY_CAP="2")
    feed(app, enterprise_registered(phone="010-1234-5678"))
    for _ in range(3):
        feed(app, supplier_order_created())
    send_all(app)
    rows = deliveries(app, channel="sms")
    assert sorted(r.status for r in rows) == ["sent", "sent", "skipped"]
    (capped,) = [r for r in rows if r.status == "skipped"]
    assert "2건" in capped.last_error


def test_digest_holds_messages_and_sends_one_email_per_period(make_app, token, feed, smtp):
    app = make_app(SMTP_HOST=smtp.host, SMTP_PORT=str(smtp.port))
    smtp.messages.clear()
    created = app.test_client().post(
        "/v1/subscriptions",
        json={
            "channel": "email",
            "address": "boss@tofu.kr",
            "event_types": ["*"],
            "digest": "hourly",
        },
        headers=token("enterprise", ENTERPRISE_A),
    )
    assert created.status_code == 201, created.get_json()
    feed(app, supplier_order_created())
    feed(app, supplier_order_created())
    assert deliveries(app, channel="email") == []
    with app.app_context():
        assert digests.send_due(app.extensions["notify"]) == 0  # the hour is not over yet
    with app.extensions["notify"].db.transaction() as session:
        session.execute(update(DigestEntry).values(period="2020-01-01T09"))
    with app.app_context():
        assert digests.send_due(app.extensions["notify"]) == 1
        assert digests.send_due(app.extensions["notify"]) == 0
    send_all(app)
    (row,) = deliveries(app, channel="email")
    assert row.status == "sent" and row.event_type == "notify.digest"
    (message,) = smtp.messages
    assert str(message["Subject"]) == "[같이] 지난 한 시간의 알림 2건 (2020-01-01T09)"
    assert message.get_body(("plain",)).get_content().count("■ [새 주문]") == 2
