"""A group order's organiser side through notify: the organiser's institution, its department
and the organiser hear of the outcome through subscriptions (e-mail, webhook) and the inbox,
never with the participants' contacts."""

from __future__ import annotations

from tests.support.notify_events import INSTITUTION_ID, ORGANISER, group_order_closed
from tests.support.notify_messages import mails_to, plain
from tests.support.notify_receivers import deliveries, send_all


def test_the_institution_its_department_and_the_organiser_hear_through_subscriptions(
    gapp, smtp, feed, token, receiver
):
    app = gapp
    client = app.test_client()
    admin_of_institution = token("institution_admin", INSTITUTION_ID, dept="총무과")
    for body, headers in (
        (
            {
                "channel": "email",
                "address": "gm-welfare@korea.kr",
                "event_types": ["group_order.*"],
            },
            admin_of_institution,
        ),
        (
            {
                "recipient_type": "department",
                "recipient_id": f"{INSTITUTION_ID}/총무과",
                "channel": "webhook",
                "address": receiver.url + "/hooks/gachi",
                "event_types": ["group_order.closed"],
            },
            admin_of_institution,
        ),
        (
            {
                "recipient_type": "user",
                "channel": "email",
                "address": "organiser@korea.kr",
                "event_types": ["group_order.closed"],
            },
            token("buyer", INSTITUTION_ID, sub=ORGANISER, dept="총무과"),
        ),
    ):
        created = client.post("/v1/subscriptions", json=body, headers=headers)
        assert created.status_code == 201, created.get_json()

    event = group_order_closed()
    feed(app, event)
    send_all(app)

    by_type = {
        (r.recipient_type, r.channel): r.status
        for r in deliveries(app, event_id=event["id"])
        if r.recipient_type != "participant"
    }
    assert by_type == {
        ("institution", "inbox"): "sent",
        ("institution", "email"): "sent",
        ("department", "webhook"): "sent",
        ("user", "email"): "sent",
    }
    (mail,) = mails_to(smtp, "gm-welfare@korea.kr")
    assert str(mail["Subject"]) == (
        "[단체 구매 확정] 광명종합사회복지관 김장 나눔 단체 구매 · 247,064원"
    )
    assert len(mails_to(smtp, "organiser@korea.kr")) == 1
    for message in (mail, *mails_to(smtp, "organiser@korea.kr")):
        assert "010-1234-5678" not in plain(message) and "jisu.lee" not in plain(message)

    (hook,) = receiver.requests
    sent = hook.json()
    assert sent["type"] == "group_order.closed" and sent["event_id"] == event["id"]
    people = sent["data"]["participants"]
    assert [p["name"] for p in people] == ["김순자", "이지수", "박민호"]
    assert [p["amount"] for p in people] == [75_999, 41_065, 130_000]
    assert all("contact" not in p and "contact_kind" not in p for p in people)
    assert b"010-1234-5678" not in hook.body and b"jisu.lee@example.kr" not in hook.body
