"""web's account events become Korean e-mails in notify, to the one address they carry."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

from notify.services.events import handle_event
from tests.api.web.conftest import post_form, sent_events, signed_in_as
from tests.support.notify_receivers import deliveries, send_all


def deliver_to_notify(notify_app, envelope):
    with notify_app.app_context():
        return handle_event(notify_app.extensions["notify"], envelope)


def mail_of(notify_app, service_config, row):
    path = Path(service_config["GACHI_DATA_DIR"]) / "mail" / f"{row.id}.eml"
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def test_an_invitation_is_a_korean_email_with_its_link(
    web_app, w, demo, notify_app, service_config
):
    inviter = signed_in_as(web_app, "institution@gachi.example", demo.DEMO_PASSWORD)
    post_form(
        inviter,
        "/account/invitations",
        {"email": "newbie@gwangmyeong.go.kr", "name": "박새내", "role": "buyer", "dept": "회계과"},
    )
    [event] = sent_events(w, "identity.invitation_sent")
    assert deliver_to_notify(notify_app, event) == "done"
    assert deliver_to_notify(notify_app, event) == "duplicate"  # once per event id
    send_all(notify_app)
    [row] = deliveries(notify_app, event_id=event["id"])
    assert (row.channel, row.address, row.status) == ("email", "newbie@gwangmyeong.go.kr", "sent")
    message = mail_of(notify_app, service_config, row)
    assert str(message["Subject"]) == "[같이] 한기관님이 광명시청 구매담당자 역할로 초대했습니다"
    text = message.get_body(("plain",)).get_content()
    assert "박새내님, 안녕하세요." in text
    assert event["data"]["url"] in text
    assert "한 번만 쓸 수 있습니다" in text
    # the link is the person's alone: no inbox item for anyone
    assert deliveries(notify_app, event_id=event["id"], channel="inbox") == []


def test_reset_and_lock_mails(web_app, w, demo, notify_app, service_config):
    post_form(web_app.test_client(), "/password/forgot", {"email": "buyer@gachi.example"})
    client = web_app.test_client()
    for _ in range(5):
        post_form(client, "/sign-in", {"email": "tofu@gachi.example", "password": "wrong-one"})
    subjects = {}
    for kind in ("identity.password_reset_requested", "identity.account_locked"):
        [event] = sent_events(w, kind)
        deliver_to_notify(notify_app, event)
        send_all(notify_app)
        [row] = deliveries(notify_app, event_id=event["id"])
        message = mail_of(notify_app, service_config, row)
        subjects[kind] = str(message["Subject"])
        assert event["data"]["url"] in message.get_body(("plain",)).get_content()
    assert subjects == {
        "identity.password_reset_requested": "[같이] 비밀번호 재설정 링크",
        "identity.account_locked": "[같이] 로그인 실패가 여러 번 있어 계정을 잠갔습니다",
    }
